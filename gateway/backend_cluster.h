/*
 * kgw_backend_cluster: what the gateway knows about one real Kafka cluster:
 * its bootstrap servers and the latest broker list (id -> host:port).
 *
 * The list is refreshed on the main thread's event loop at start, every
 * metadata_update_interval_seconds, and on demand (any thread may ask). A
 * refresh sends a Metadata request for no topics and replaces the whole
 * list, so brokers that left disappear and new ones appear. Sessions also
 * feed in brokers they see in Metadata responses (kgw_backend_cluster_learn)
 * so a broker that joined between refreshes is reachable at once.
 *
 * Threading: lookups, learn and request_refresh are safe from any thread (a
 * mutex guards the list; they are called when connections are set up, not
 * per request). Everything else runs on the main thread.
 */
#ifndef KGW_BACKEND_CLUSTER_H
#define KGW_BACKEND_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct event_base;
struct evdns_base;

typedef struct kgw_backend_cluster kgw_backend_cluster_t;

#define KGW_HOST_MAX 256

/* Creates the cluster for `cfg` (borrowed; must outlive it) driven by
 * `base`/`dns` (the main loop). Returns NULL when out of memory. */
kgw_backend_cluster_t *kgw_backend_cluster_new(const kgw_config_backend_cluster_t *cfg,
                                               struct event_base *base, struct evdns_base *dns)
    __attribute__((warn_unused_result));

/* Starts the first refresh now and the periodic ones. Returns 0, or -1 when
 * the timer cannot be scheduled. */
int kgw_backend_cluster_start(kgw_backend_cluster_t *bc) __attribute__((warn_unused_result));

/* Stops refreshing and frees everything. NULL is a no-op. Main thread, after
 * every worker that could call into it has stopped. */
void kgw_backend_cluster_free(kgw_backend_cluster_t *bc);

const char *kgw_backend_cluster_name(const kgw_backend_cluster_t *bc);

/* True once a refresh has succeeded. */
bool kgw_backend_cluster_ready(kgw_backend_cluster_t *bc);

/* The host:port of broker `id` into host[hostlen] and *port; false if unknown. */
bool kgw_backend_cluster_lookup(kgw_backend_cluster_t *bc, int32_t id, char *host, size_t hostlen,
                                uint16_t *port);

/*
 * The n-th address to try for a bootstrap connection: the known brokers
 * first (rotating between calls so clients spread), then the configured
 * bootstrap servers. False when n is past the end.
 */
bool kgw_backend_cluster_candidate(kgw_backend_cluster_t *bc, size_t n, size_t rotation, char *host,
                                   size_t hostlen, uint16_t *port);

/* Records broker id at host:port (seen in a Metadata response). */
void kgw_backend_cluster_learn(kgw_backend_cluster_t *bc, int32_t id, const char *host,
                               size_t host_len, uint16_t port);

/* Asks for a refresh soon (coalesced). Any thread. */
void kgw_backend_cluster_request_refresh(kgw_backend_cluster_t *bc);

#endif
