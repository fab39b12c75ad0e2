/*
 * kgw host API: the function table (kgw_host_t, sdk/include/kgw/kgw_host.h)
 * the gateway hands to each plugin instance, and the per-instance context
 * behind it.
 *
 * Each instance owns one kgw_host_ctx_t whose first member is the table a
 * plugin sees; the callbacks get the table back as their first argument and
 * find the context from it, so they know which plugin, virtual cluster and
 * policy is calling (log prefix, counter labels).
 *
 * Implemented in ABI 1.0: log, counters, config access, scratch memory.
 * Declared but not implemented yet: the msg_*, batch_* and record_*
 * accessors, which return KGW_ERR_UNSUPPORTED until the session data path
 * provides messages.
 *
 * Threading: init/clear and everything during create on the main thread.
 * Scratch memory is per thread: a hook's allocations are released by
 * kgw_host_scratch_release() on the thread that ran the hook.
 */
#ifndef KGW_HOST_API_H
#define KGW_HOST_API_H

#include <stdbool.h>
#include <stddef.h>

#include <kgw/kgw_plugin.h>

#include "config_node.h"
#include "metrics.h"

/* Counters one instance may register through counter_register. */
#define KGW_HOST_MAX_COUNTERS 64
/* Scratch bytes one hook call (or create) may allocate in total. */
#define KGW_HOST_SCRATCH_MAX (1024u * 1024u)

typedef struct kgw_host_ctx {
    kgw_host_t table; /* first: plugins get &ctx->table */
    char *plugin;     /* descriptor name */
    char *virtual_cluster;
    char *policy;     /* the policy's name in the configuration */
    char *log_prefix; /* "plugin/vc" or "plugin[policy]/vc" */
    kgw_metrics_registry_t *metrics;
    bool in_create; /* config_* and counter_register are allowed */
    kgw_counter_t *counters[KGW_HOST_MAX_COUNTERS];
    size_t n_counters;
} kgw_host_ctx_t;

/*
 * Fills `ctx` (any contents) with a complete ABI 1.0 table and copies of the
 * names. `metrics` receives the plugin's counters (NULL: the global
 * registry). Returns 0, or -1 with a message in err when out of memory.
 */
__attribute__((warn_unused_result)) int
kgw_host_ctx_init(kgw_host_ctx_t *ctx, const char *plugin, const char *virtual_cluster,
                  const char *policy, kgw_metrics_registry_t *metrics, char *err, size_t errlen);

/* Frees the names. The counters belong to the registry. Accepts NULL. */
void kgw_host_ctx_clear(kgw_host_ctx_t *ctx);

/* The table of a context, and back. */
const kgw_host_t *kgw_host_ctx_table(const kgw_host_ctx_t *ctx);

/* A config node as the opaque SDK handle (NULL stays NULL). */
const kgw_plugin_config_t *kgw_host_config(const kgw_config_node_t *node);

/* Frees every scratch allocation made on the calling thread. The caller of
 * a hook (and of create) calls it after the hook returns. */
void kgw_host_scratch_release(void);

/* Bytes of scratch currently allocated on the calling thread (tests). */
size_t kgw_host_scratch_in_use(void);

#endif /* KGW_HOST_API_H */
