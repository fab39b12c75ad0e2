/*
 * kgw_virtual_cluster: runtime state of one configured virtual cluster.
 */
#include "virtual_cluster.h"

#include <stdlib.h>

kgw_virtual_cluster_t *
kgw_virtual_cluster_new(const kgw_config_virtual_cluster_t *cfg, kgw_backend_cluster_t *backend)
{
    kgw_virtual_cluster_t *vc = calloc(1, sizeof(*vc));
    if (vc == NULL)
        return NULL;
    vc->cfg = cfg;
    vc->backend = backend;
    /* Metric handles may be NULL (registration failure is logged by the
     * registry's caller); updates on NULL are no-ops. */
    vc->bytes_from_clients = kgw_metrics_bytes_received(cfg->name, "client");
    vc->bytes_to_clients = kgw_metrics_bytes_sent(cfg->name, "client");
    return vc;
}

void
kgw_virtual_cluster_free(kgw_virtual_cluster_t *vc)
{
    free(vc);
}

static bool
kgw__known_key(int16_t api_key)
{
    return api_key >= 0 && api_key < KGW_API_COUNT;
}

void
kgw_virtual_cluster_count_request(kgw_virtual_cluster_t *vc, int16_t api_key)
{
    if (!kgw__known_key(api_key)) {
        /* Unknown keys are rare: register (find) the series each time. */
        kgw_counter_inc(kgw_metrics_requests(vc->cfg->name, api_key, NULL));
        return;
    }
    kgw_counter_t *c = atomic_load_explicit(&vc->requests[api_key], memory_order_acquire);
    if (c == NULL) {
        c = kgw_metrics_requests(vc->cfg->name, api_key, kgw_api_name(api_key));
        atomic_store_explicit(&vc->requests[api_key], c, memory_order_release);
    }
    kgw_counter_inc(c);
}

void
kgw_virtual_cluster_count_response(kgw_virtual_cluster_t *vc, int16_t api_key, uint64_t duration_ns)
{
    if (!kgw__known_key(api_key)) {
        kgw_counter_inc(kgw_metrics_responses(vc->cfg->name, api_key, NULL));
        kgw_histogram_observe_ns(kgw_metrics_request_duration(vc->cfg->name, api_key, NULL),
                                 duration_ns);
        return;
    }
    kgw_counter_t *c = atomic_load_explicit(&vc->responses[api_key], memory_order_acquire);
    if (c == NULL) {
        c = kgw_metrics_responses(vc->cfg->name, api_key, kgw_api_name(api_key));
        atomic_store_explicit(&vc->responses[api_key], c, memory_order_release);
    }
    kgw_counter_inc(c);
    kgw_histogram_t *h = atomic_load_explicit(&vc->durations[api_key], memory_order_acquire);
    if (h == NULL) {
        h = kgw_metrics_request_duration(vc->cfg->name, api_key, kgw_api_name(api_key));
        atomic_store_explicit(&vc->durations[api_key], h, memory_order_release);
    }
    kgw_histogram_observe_ns(h, duration_ns);
}
