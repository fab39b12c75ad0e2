/*
 * kgw_virtual_cluster: what clients of one virtual cluster are connected
 * to: its backend cluster and its per-cluster metric handles. Policies and
 * namespaces attach here in a later issue. Immutable after creation (apart
 * from atomic counters), shared by every worker.
 */
#ifndef KGW_VIRTUAL_CLUSTER_H
#define KGW_VIRTUAL_CLUSTER_H

#include <stdatomic.h>
#include <stdint.h>

#include "backend_cluster.h"
#include "config.h"
#include "kgw_api.h"
#include "metrics.h"

typedef struct kgw_virtual_cluster {
    const kgw_config_virtual_cluster_t *cfg; /* borrowed from the loaded config */
    kgw_backend_cluster_t *backend;          /* borrowed from the gateway */
    kgw_counter_t *bytes_from_clients;
    kgw_counter_t *bytes_to_clients;
    /* Per API key, registered on first use (any worker; registration is
     * idempotent, so a race only registers the same series twice). */
    _Atomic(kgw_counter_t *) requests[KGW_API_COUNT];
    _Atomic(kgw_counter_t *) responses[KGW_API_COUNT];
    _Atomic(kgw_histogram_t *) durations[KGW_API_COUNT];
} kgw_virtual_cluster_t;

/* Creates the runtime view of `cfg` sending to `backend`. NULL when out of
 * memory. */
kgw_virtual_cluster_t *kgw_virtual_cluster_new(const kgw_config_virtual_cluster_t *cfg,
                                               kgw_backend_cluster_t *backend)
    __attribute__((warn_unused_result));

/* Frees it; NULL is a no-op. */
void kgw_virtual_cluster_free(kgw_virtual_cluster_t *vc);

/* Counts one client request / one response sent to the client, and the
 * time between them. Any thread; lock-free after the first use of a key. */
void kgw_virtual_cluster_count_request(kgw_virtual_cluster_t *vc, int16_t api_key);
void kgw_virtual_cluster_count_response(kgw_virtual_cluster_t *vc, int16_t api_key,
                                        uint64_t duration_ns);

static inline const char *
kgw_virtual_cluster_name(const kgw_virtual_cluster_t *vc)
{
    return vc->cfg->name;
}

#endif
