/*
 * kgw_rewrite: broker addresses in responses replaced by gateway addresses,
 * so that no backend address ever reaches a client.
 *
 * Responses rewritten (decoded with the codec, edited, re-encoded):
 *   Metadata (3)            Brokers[]
 *   FindCoordinator (10)    v0-3 NodeId/Host/Port; v4+ Coordinators[]
 *   DescribeCluster (60)    Brokers[] (controller endpoints are dropped)
 *   Produce (0) v10+        NodeEndpoints[] (KIP-951 tagged field)
 *   Fetch (1) v16+          NodeEndpoints[] (KIP-951 tagged field)
 *   ShareFetch (78), ShareAcknowledge (79)  NodeEndpoints[]
 *   DescribeQuorum (55) v2+ Nodes[].Listeners[] (controller listeners are
 *                           removed: they have no gateway address)
 *   ApiVersions (18)        versions intersected (kgw_api_versions)
 * A broker without a gateway port is removed from lists (or, where the
 * response names one coordinator, replaced by COORDINATOR_NOT_AVAILABLE),
 * logged and counted; its backend address is never passed on.
 */
#ifndef KGW_REWRITE_H
#define KGW_REWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend_cluster.h"
#include "broker_map.h"
#include "kgw_api.h"

typedef struct kgw_rewrite_ctx {
    const kgw_broker_map_t *map;
    kgw_backend_cluster_t *backend; /* learns brokers from Metadata; may be NULL */
    const char *virtual_cluster;    /* for logs and metrics */
    const char *client;             /* peer address, for logs */
} kgw_rewrite_ctx_t;

/* True when responses of api_key at version must be decoded and rewritten
 * (whole frame needed) rather than relayed as bytes. */
bool kgw_rewrite_needed(int16_t api_key, int16_t version);

/* True when the codec can decode responses of api_key at version, so the
 * rewrite is possible. A needed but impossible rewrite must not be relayed
 * (it would leak addresses). */
bool kgw_rewrite_possible(int16_t api_key, int16_t version);

/* kgw_rewrite_response's result when the response names no broker
 * address: nothing was appended, the original bytes may go out as they are. */
#define KGW_REWRITE_UNCHANGED 1

/*
 * Rewrites one response frame: `frame` holds the bytes after the int32 size
 * (response header + body) of a request api_key/version. Appends the new
 * frame (int32 size + header + body) to `out` and returns 0; returns
 * KGW_REWRITE_UNCHANGED (appending nothing) when there was nothing to
 * change; returns -1 with err describing a decode/encode failure (the
 * caller closes the connection).
 */
int kgw_rewrite_response(const kgw_rewrite_ctx_t *ctx, int16_t api_key, int16_t version,
                         const uint8_t *frame, size_t len, kgw_wbuf_t *out, kgw_codec_error_t *err)
    __attribute__((warn_unused_result));

#endif
