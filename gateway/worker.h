/*
 * kgw_worker: one thread running one libevent loop. Its listeners, the
 * client sessions they accept and those sessions' backend connections all
 * live on this loop, so the data path takes no locks.
 *
 * Life: kgw_worker_new (main thread) -> kgw_worker_listen for each listener
 * definition -> kgw_worker_start (spawns the thread) -> kgw_worker_drain
 * (any thread: stop accepting, let sessions finish in-flight requests, and
 * exit the loop when none is left or after the grace period) ->
 * kgw_worker_join -> kgw_worker_free.
 */
#ifndef KGW_WORKER_H
#define KGW_WORKER_H

#include <stddef.h>

#include "listener.h"

struct event_base;
struct evdns_base;
struct kgw_session;

typedef struct kgw_worker kgw_worker_t;

/* Creates worker number `id` with its own event base and DNS resolver.
 * Returns NULL with err filled on failure. */
kgw_worker_t *kgw_worker_new(unsigned id, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Opens this worker's sockets for `def` (before start). Returns 0 or -1
 * with err naming the address and port. */
int kgw_worker_listen(kgw_worker_t *w, const kgw_listener_def_t *def, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Starts the thread. Returns 0, or -1 when the thread cannot be created. */
int kgw_worker_start(kgw_worker_t *w) __attribute__((warn_unused_result));

/* Asks the worker to stop accepting and drain for at most grace_seconds.
 * Safe from any thread; idempotent. */
void kgw_worker_drain(kgw_worker_t *w, unsigned grace_seconds);

/* Waits for the thread to end (after kgw_worker_drain). */
void kgw_worker_join(kgw_worker_t *w);

/* Frees the worker and anything left on it. NULL is a no-op. */
void kgw_worker_free(kgw_worker_t *w);

struct event_base *kgw_worker_base(kgw_worker_t *w);
struct evdns_base *kgw_worker_dns(kgw_worker_t *w);
unsigned kgw_worker_id(const kgw_worker_t *w);
/* A counter that grows by one per call, to spread bootstrap connections. */
size_t kgw_worker_next_rotation(kgw_worker_t *w);

/* Session registry (worker thread only): sessions register on creation and
 * unregister when freed, so a drain can reach each of them. */
void kgw_worker_add_session(kgw_worker_t *w, struct kgw_session *s);
void kgw_worker_remove_session(kgw_worker_t *w, struct kgw_session *s);
/* True once kgw_worker_drain has taken effect on this worker's loop. */
bool kgw_worker_draining(const kgw_worker_t *w);

#endif
