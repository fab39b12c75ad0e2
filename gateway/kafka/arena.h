/*
 * Per-message arena: many small allocations freed together. Blocks are
 * chained; every allocation is aligned to max_align_t. Not thread-safe: one
 * arena belongs to one message on one worker.
 */
#ifndef KGW_KAFKA_ARENA_H
#define KGW_KAFKA_ARENA_H

#include <stddef.h>

typedef struct kgw_arena kgw_arena_t;

/* Returns a new arena whose first block holds first_block bytes (0 picks a
 * default), or NULL when memory runs out. */
kgw_arena_t *kgw_arena_new(size_t first_block);
/* Returns n bytes aligned to max_align_t, or NULL when memory runs out or n is
 * absurd (> 1 GiB). The memory is not zeroed. n == 0 returns a valid pointer. */
void *kgw_arena_alloc(kgw_arena_t *a, size_t n) __attribute__((warn_unused_result));
/* Like kgw_arena_alloc with zeroed memory; fails on n * size overflow. */
void *kgw_arena_calloc(kgw_arena_t *a, size_t n, size_t size) __attribute__((warn_unused_result));
/* Copies n bytes into the arena; NULL when memory runs out. */
void *kgw_arena_memdup(kgw_arena_t *a, const void *p, size_t n) __attribute__((warn_unused_result));
/* Forgets every allocation, keeping the first block for reuse. */
void kgw_arena_reset(kgw_arena_t *a);
/* Frees the arena and everything allocated from it. NULL is accepted. */
void kgw_arena_free(kgw_arena_t *a);
/* Total bytes of blocks currently held (for memory accounting). */
size_t kgw_arena_footprint(const kgw_arena_t *a);

#endif
