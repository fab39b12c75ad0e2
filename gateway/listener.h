/*
 * kgw_listener: accepting client connections.
 *
 * A kgw_listener_def_t is one configured listener (addresses x ports plus
 * its forward rules), built once and shared read-only by all workers. Each
 * worker opens its own sockets for every address x port with SO_REUSEPORT,
 * so the kernel spreads connections across workers and an accepted
 * connection never changes thread.
 */
#ifndef KGW_LISTENER_H
#define KGW_LISTENER_H

#include <stddef.h>
#include <stdint.h>

#include "broker_map.h"
#include "config.h"
#include "metrics.h"
#include "transport.h"
#include "virtual_cluster.h"

struct kgw_worker;
struct evconnlistener;

typedef struct kgw_listener_def {
    const kgw_config_listener_t *cfg; /* borrowed */
    /* The port_mapping rule (at most one per listener): NULL when the
     * listener has none (then connections are closed: SNI needs TLS, a
     * later issue). */
    const kgw_config_forward_t *port_mapping;
    kgw_virtual_cluster_t *vcluster; /* of port_mapping; borrowed */
    kgw_broker_map_t *map;           /* of port_mapping; owned */
    const kgw_transport_t *transport;
    size_t max_frame_bytes;
    unsigned idle_timeout_seconds;
    kgw_counter_t *accepted;
    kgw_gauge_t *active;
    kgw_counter_t *rejected_too_large;
    kgw_counter_t *rejected_malformed;
    kgw_counter_t *rejected_unsupported;
} kgw_listener_def_t;

/* Builds the shared definition; `vclusters` is indexed like
 * cfg->virtual_clusters. Returns NULL when out of memory. */
kgw_listener_def_t *kgw_listener_def_new(const kgw_config_listener_t *cfg,
                                         kgw_virtual_cluster_t *const *vclusters)
    __attribute__((warn_unused_result));
void kgw_listener_def_free(kgw_listener_def_t *def);

/* One bound socket of one worker. */
typedef struct kgw_listener {
    const kgw_listener_def_t *def;
    struct kgw_worker *worker;
    struct evconnlistener *evl;
    uint16_t port;
    char address[64]; /* printable bound address, for logs */
} kgw_listener_t;

/*
 * Opens, on `worker`'s loop, every socket of `def`: each address (resolved;
 * a host name may give several) times each port. Appends the listeners to
 * *list and *n (realloc'd). Returns 0, or -1 with err naming the address, port
 * and cause; listeners already opened stay in the list for the caller to
 * free.
 */
int kgw_listener_open_all(struct kgw_worker *worker, const kgw_listener_def_t *def,
                          kgw_listener_t ***list, size_t *n, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Stops accepting and frees the listener. NULL is a no-op. */
void kgw_listener_free(kgw_listener_t *l);

#endif
