/*
 * kgw_rewrite: decode, replace broker addresses, re-encode.
 */
#include "rewrite.h"

#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "api_versions.h"
#include "codec.h"
#include "kgw_messages.h"
#include "log.h"
#include "metrics.h"

/* COORDINATOR_NOT_AVAILABLE: retriable, the client asks again later. */
#define KGW_ERR_COORDINATOR_NOT_AVAILABLE 15

bool
kgw_rewrite_needed(int16_t api_key, int16_t version)
{
    switch (api_key) {
    case KGW_API_METADATA:
    case KGW_API_FIND_COORDINATOR:
    case KGW_API_DESCRIBE_CLUSTER:
    case KGW_API_SHARE_FETCH:
    case KGW_API_SHARE_ACKNOWLEDGE:
    case KGW_API_API_VERSIONS:
        return true;
    case KGW_API_PRODUCE:
        return version >= 10;
    case KGW_API_FETCH:
        return version >= 16;
    case KGW_API_DESCRIBE_QUORUM:
        return version >= 2;
    default:
        return false;
    }
}

bool
kgw_rewrite_possible(int16_t api_key, int16_t version)
{
    return kgw_api_supported(api_key, version);
}

#define KGW_UNMAPPED_WARN_INTERVAL_MS 10000

/* KGW_LOG_WARN once per interval (process-wide), KGW_LOG_DEBUG otherwise. */
static kgw_log_level_t
kgw__unmapped_log_level(void)
{
    static _Atomic uint64_t last_ms;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u + 1;
    uint64_t last = atomic_load(&last_ms);
    if (last != 0 && now - last < KGW_UNMAPPED_WARN_INTERVAL_MS)
        return KGW_LOG_DEBUG;
    return atomic_compare_exchange_strong(&last_ms, &last, now) ? KGW_LOG_WARN : KGW_LOG_DEBUG;
}

/*
 * Points host/port at the gateway address of broker `id`. Returns true when
 * mapped; false when the broker has no gateway port (logged and counted),
 * in which case the caller must drop the entry.
 */
static bool
kgw__map_broker(const kgw_rewrite_ctx_t *ctx, const char *api, int32_t id, kgw_str_t *host,
                int32_t *port)
{
    uint16_t gw_port;
    if (kgw_broker_map_port_for(ctx->map, id, &gw_port)) {
        host->ptr = ctx->map->advertised_host;
        host->len = (int32_t)strlen(ctx->map->advertised_host);
        *port = gw_port;
        return true;
    }
    /* Clients refresh metadata often: warn at most every few seconds, the
     * counter says how often it happened. */
    kgw_log_level_t level = kgw__unmapped_log_level();
    if (kgw_log_enabled(level))
        kgw_log(level,
                "virtual cluster '%s': %s response names broker %d, which has no gateway port "
                "(first broker port %u, min_broker_id %d, %zu broker ports); broker removed "
                "from the response to %s",
                ctx->virtual_cluster, api, (int)id, (unsigned)ctx->map->first_broker_port,
                (int)ctx->map->min_broker_id, ctx->map->n_broker_ports, ctx->client);
    kgw_counter_inc(kgw_metrics_broker_unmapped(ctx->virtual_cluster, id));
    return false;
}

static void
kgw__learn(const kgw_rewrite_ctx_t *ctx, int32_t id, const kgw_str_t *host, int32_t port)
{
    if (ctx->backend == NULL || host->len <= 0 || port < 1 || port > 65535)
        return;
    kgw_backend_cluster_learn(ctx->backend, id, host->ptr, (size_t)host->len, (uint16_t)port);
}

/* NodeEndpoints[] of Produce, Fetch, ShareFetch, ShareAcknowledge share one
 * layout (NodeId, Host, Port, Rack): map each entry, drop unmapped ones. */
#define KGW__REWRITE_ENDPOINTS(ctx, api, arr)                                                      \
    do {                                                                                           \
        int32_t kept_ = 0;                                                                         \
        for (int32_t i_ = 0; i_ < (arr).count; i_++) {                                             \
            if (kgw__map_broker((ctx), (api), (arr).items[i_].node_id, &(arr).items[i_].host,      \
                                &(arr).items[i_].port))                                            \
                (arr).items[kept_++] = (arr).items[i_];                                            \
        }                                                                                          \
        if ((arr).count > 0)                                                                       \
            (arr).count = kept_;                                                                   \
    } while (0)

static void
kgw__rewrite_metadata(const kgw_rewrite_ctx_t *ctx, kgw_metadata_response_t *m)
{
    int32_t kept = 0;
    for (int32_t i = 0; i < m->brokers.count; i++) {
        kgw_metadata_response_broker_t *b = &m->brokers.items[i];
        kgw__learn(ctx, b->node_id, &b->host, b->port);
        if (kgw__map_broker(ctx, "Metadata", b->node_id, &b->host, &b->port))
            m->brokers.items[kept++] = *b;
    }
    if (m->brokers.count > 0)
        m->brokers.count = kept;
}

static void
kgw__coordinator_unavailable(kgw_str_t *host, int32_t *port, int32_t *node_id, int16_t *error)
{
    static const char empty[] = "";
    host->ptr = empty;
    host->len = 0;
    *port = -1;
    *node_id = -1;
    *error = KGW_ERR_COORDINATOR_NOT_AVAILABLE;
}

static void
kgw__rewrite_find_coordinator(const kgw_rewrite_ctx_t *ctx, int16_t version,
                              kgw_find_coordinator_response_t *m)
{
    if (version < 4) {
        if (m->node_id >= 0 &&
            !kgw__map_broker(ctx, "FindCoordinator", m->node_id, &m->host, &m->port))
            kgw__coordinator_unavailable(&m->host, &m->port, &m->node_id, &m->error_code);
        return;
    }
    for (int32_t i = 0; i < m->coordinators.count; i++) {
        kgw_find_coordinator_response_coordinator_t *c = &m->coordinators.items[i];
        if (c->node_id >= 0 &&
            !kgw__map_broker(ctx, "FindCoordinator", c->node_id, &c->host, &c->port))
            kgw__coordinator_unavailable(&c->host, &c->port, &c->node_id, &c->error_code);
    }
}

static void
kgw__rewrite_describe_cluster(const kgw_rewrite_ctx_t *ctx, int16_t version,
                              kgw_describe_cluster_response_t *m)
{
    /* EndpointType 2 lists controllers: they have no gateway address. */
    if (version >= 1 && m->endpoint_type == 2) {
        if (m->brokers.count > 0) {
            kgw_log_warn("virtual cluster '%s': DescribeCluster for controller endpoints: "
                         "%d controllers removed from the response to %s",
                         ctx->virtual_cluster, (int)m->brokers.count, ctx->client);
            m->brokers.count = 0;
        }
        return;
    }
    int32_t kept = 0;
    for (int32_t i = 0; i < m->brokers.count; i++) {
        kgw_describe_cluster_response_describe_cluster_broker_t *b = &m->brokers.items[i];
        if (kgw__map_broker(ctx, "DescribeCluster", b->broker_id, &b->host, &b->port))
            m->brokers.items[kept++] = *b;
    }
    if (m->brokers.count > 0)
        m->brokers.count = kept;
}

static void
kgw__rewrite_describe_quorum(const kgw_rewrite_ctx_t *ctx, kgw_describe_quorum_response_t *m)
{
    /* Controller listeners are never reachable through the gateway; keep
     * the node ids (quorum state) and remove their addresses. */
    size_t removed = 0;
    for (int32_t i = 0; i < m->nodes.count; i++) {
        if (m->nodes.items[i].listeners.count > 0) {
            removed += (size_t)m->nodes.items[i].listeners.count;
            m->nodes.items[i].listeners.count = 0;
        }
    }
    if (removed > 0)
        kgw_log_debug("virtual cluster '%s': DescribeQuorum: %zu controller listeners removed "
                      "from the response to %s",
                      ctx->virtual_cluster, removed, ctx->client);
}

/* False when a decoded response names no broker address at all. */
static bool
kgw__has_addresses(int16_t api_key, const void *body)
{
    switch (api_key) {
    case KGW_API_PRODUCE:
        return ((const kgw_produce_response_t *)body)->node_endpoints.count > 0;
    case KGW_API_FETCH:
        return ((const kgw_fetch_response_t *)body)->node_endpoints.count > 0;
    case KGW_API_SHARE_FETCH:
        return ((const kgw_share_fetch_response_t *)body)->node_endpoints.count > 0;
    case KGW_API_SHARE_ACKNOWLEDGE:
        return ((const kgw_share_acknowledge_response_t *)body)->node_endpoints.count > 0;
    default:
        return true;
    }
}

int
kgw_rewrite_response(const kgw_rewrite_ctx_t *ctx, int16_t api_key, int16_t version,
                     const uint8_t *frame, size_t len, kgw_wbuf_t *out, kgw_codec_error_t *err)
{
    if (api_key == KGW_API_API_VERSIONS)
        return kgw_api_versions_rewrite(version, frame, len, out, err);

    /* Strings and records point into `frame`; the arena holds the structure. */
    kgw_arena_t *arena = kgw_arena_new(len < 4096 ? 4096 : (len > 65536 ? 65536 : len));
    if (arena == NULL) {
        kgw_codec_error_set(err, 0, "out of memory for a %zu-byte response arena", len);
        return -1;
    }
    int rc = -1;
    kgw_response_t resp;
    if (kgw_response_decode(arena, api_key, version, frame, len, &resp, err) != 0)
        goto done;
    if (!kgw__has_addresses(api_key, resp.body)) {
        rc = KGW_REWRITE_UNCHANGED; /* the usual Produce/Fetch case */
        goto done;
    }
    switch (api_key) {
    case KGW_API_METADATA:
        kgw__rewrite_metadata(ctx, resp.body);
        break;
    case KGW_API_FIND_COORDINATOR:
        kgw__rewrite_find_coordinator(ctx, version, resp.body);
        break;
    case KGW_API_DESCRIBE_CLUSTER:
        kgw__rewrite_describe_cluster(ctx, version, resp.body);
        break;
    case KGW_API_DESCRIBE_QUORUM:
        kgw__rewrite_describe_quorum(ctx, resp.body);
        break;
    case KGW_API_PRODUCE: {
        kgw_produce_response_t *m = resp.body;
        KGW__REWRITE_ENDPOINTS(ctx, "Produce", m->node_endpoints);
        break;
    }
    case KGW_API_FETCH: {
        kgw_fetch_response_t *m = resp.body;
        KGW__REWRITE_ENDPOINTS(ctx, "Fetch", m->node_endpoints);
        break;
    }
    case KGW_API_SHARE_FETCH: {
        kgw_share_fetch_response_t *m = resp.body;
        KGW__REWRITE_ENDPOINTS(ctx, "ShareFetch", m->node_endpoints);
        break;
    }
    case KGW_API_SHARE_ACKNOWLEDGE: {
        kgw_share_acknowledge_response_t *m = resp.body;
        KGW__REWRITE_ENDPOINTS(ctx, "ShareAcknowledge", m->node_endpoints);
        break;
    }
    default:
        break;
    }
    rc = kgw_response_encode(out, api_key, version, &resp.header, resp.body, err);
done:
    kgw_arena_free(arena);
    return rc;
}
