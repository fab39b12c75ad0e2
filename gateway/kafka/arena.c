/* Per-message arena: chained blocks, bump allocation (see arena.h). */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KGW_ARENA_DEFAULT_BLOCK 4096
#define KGW_ARENA_MAX_ALLOC ((size_t)1 << 30)
#define KGW_ARENA_ALIGN alignof(max_align_t)

typedef struct kgw_arena_block {
    struct kgw_arena_block *next;
    size_t size; /* usable bytes in data */
    size_t used;
    alignas(max_align_t) unsigned char data[];
} kgw_arena_block_t;

struct kgw_arena {
    kgw_arena_block_t *head; /* current block; older blocks follow via next */
    kgw_arena_block_t *first;
    size_t footprint;
};

static kgw_arena_block_t *
block_new(size_t size)
{
    kgw_arena_block_t *b = malloc(sizeof(*b) + size);
    if (b == NULL) {
        return NULL;
    }
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

kgw_arena_t *
kgw_arena_new(size_t first_block)
{
    if (first_block == 0) {
        first_block = KGW_ARENA_DEFAULT_BLOCK;
    }
    if (first_block > KGW_ARENA_MAX_ALLOC) {
        return NULL;
    }
    kgw_arena_t *a = malloc(sizeof(*a));
    if (a == NULL) {
        return NULL;
    }
    a->first = block_new(first_block);
    if (a->first == NULL) {
        free(a);
        return NULL;
    }
    a->head = a->first;
    a->footprint = first_block;
    return a;
}

void *
kgw_arena_alloc(kgw_arena_t *a, size_t n)
{
    if (n > KGW_ARENA_MAX_ALLOC) {
        return NULL;
    }
    size_t rounded = (n + KGW_ARENA_ALIGN - 1) & ~(KGW_ARENA_ALIGN - 1);
    kgw_arena_block_t *b = a->head;
    if (b->size - b->used < rounded) {
        size_t size = b->size * 2;
        if (size < rounded) {
            size = rounded;
        }
        if (size > KGW_ARENA_MAX_ALLOC) {
            size = rounded > KGW_ARENA_DEFAULT_BLOCK ? rounded : KGW_ARENA_DEFAULT_BLOCK;
        }
        kgw_arena_block_t *nb = block_new(size);
        if (nb == NULL) {
            return NULL;
        }
        nb->next = a->head;
        a->head = nb;
        a->footprint += size;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += rounded;
    return p;
}

void *
kgw_arena_calloc(kgw_arena_t *a, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        return NULL;
    }
    void *p = kgw_arena_alloc(a, n * size);
    if (p != NULL && n * size != 0) {
        memset(p, 0, n * size);
    }
    return p;
}

void *
kgw_arena_memdup(kgw_arena_t *a, const void *src, size_t n)
{
    void *p = kgw_arena_alloc(a, n);
    if (p != NULL && n != 0) {
        memcpy(p, src, n);
    }
    return p;
}

void
kgw_arena_reset(kgw_arena_t *a)
{
    kgw_arena_block_t *b = a->head;
    while (b != a->first) {
        kgw_arena_block_t *next = b->next;
        free(b);
        b = next;
    }
    a->head = a->first;
    a->first->used = 0;
    a->footprint = a->first->size;
}

void
kgw_arena_free(kgw_arena_t *a)
{
    if (a == NULL) {
        return;
    }
    kgw_arena_block_t *b = a->head;
    while (b != NULL) {
        kgw_arena_block_t *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

size_t
kgw_arena_footprint(const kgw_arena_t *a)
{
    return a->footprint;
}
