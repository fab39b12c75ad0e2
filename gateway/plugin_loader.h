/*
 * kgw plugin loader: opens policy plugins (shared objects built against
 * sdk/include/kgw/), validates their descriptor, and creates and calls their
 * instances with the automatic per-instance counters.
 *
 * A loader holds every plugin it opened, each once (opening the same file
 * again returns the same plugin). A plugin is validated in this order, and
 * refused with a message that names the file, the field and both values:
 *   file     dlopen(RTLD_NOW | RTLD_LOCAL) fails (missing, not an ELF shared
 *            object, unresolved symbol): dlerror's text
 *   entry    no exported function KGW_PLUGIN_ENTRY_NAME, or it returns NULL
 *   magic    != KGW_PLUGIN_MAGIC
 *   size     smaller than the ABI 1.0 descriptor
 *   abi_major != KGW_ABI_MAJOR
 *   abi_minor > KGW_ABI_MINOR
 *   name     not 1..KGW_PLUGIN_NAME_MAX of [a-z0-9_-]; for
 *            kgw_plugin_loader_open_named, not the requested name
 *   hooks    create or destroy missing, or no message hook at all
 *   api_keys more than KGW_PLUGIN_API_KEYS_MAX, NULL with a count, a key
 *            outside 0..32767, or keys without on_request/on_response
 *   name     already loaded from another file
 *
 * Instances: kgw_plugin_instance_create calls the plugin's create hook with
 * its config; a refusal is reported with the plugin's own message. Every
 * hook call through kgw_plugin_instance_on_* is counted in
 * kgw_policy_invocations_total{virtual_cluster,policy,result} and timed in
 * kgw_policy_duration_seconds{virtual_cluster,policy}.
 *
 * Threading: the loader, open, instance create/destroy: main thread. The
 * kgw_plugin_instance_on_* calls: any worker, concurrently.
 */
#ifndef KGW_PLUGIN_LOADER_H
#define KGW_PLUGIN_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kgw/kgw_plugin.h>

#include "config_node.h"
#include "metrics.h"

/* Histogram of the time spent in a policy's hooks, {virtual_cluster, policy}. */
#define KGW_METRIC_POLICY_DURATION "kgw_policy_duration_seconds"

typedef struct kgw_plugin_loader kgw_plugin_loader_t;
typedef struct kgw_plugin kgw_plugin_t;
typedef struct kgw_plugin_instance kgw_plugin_instance_t;

/*
 * A loader looking for kgw_<name>.so in `plugins_dir` (may be NULL: then only
 * kgw_plugin_loader_open with a path works). Instances register their
 * metrics in `metrics` (NULL: the global registry). Returns NULL when out of
 * memory.
 */
kgw_plugin_loader_t *kgw_plugin_loader_new(const char *plugins_dir,
                                           kgw_metrics_registry_t *metrics);

/* Unloads every plugin. Every instance must have been destroyed first; a
 * plugin that still has instances is logged and left mapped (never unload
 * code that may run). Accepts NULL. */
void kgw_plugin_loader_free(kgw_plugin_loader_t *loader);

/*
 * Opens the plugin at `path`, which must contain a '/' (a bare name would
 * make dlopen search the system's library path), or returns the one already
 * opened from the same file. On success returns 0 and *out borrows the plugin (lifetime of the
 * loader). On failure returns -1, *out is NULL, err holds the reason.
 */
__attribute__((warn_unused_result)) int kgw_plugin_loader_open(kgw_plugin_loader_t *loader,
                                                               const char *path,
                                                               const kgw_plugin_t **out, char *err,
                                                               size_t errlen);

/* Opens <plugins_dir>/kgw_<name>.so and checks that its descriptor is named
 * `name`. Same results as kgw_plugin_loader_open. */
__attribute__((warn_unused_result)) int kgw_plugin_loader_open_named(kgw_plugin_loader_t *loader,
                                                                     const char *name,
                                                                     const kgw_plugin_t **out,
                                                                     char *err, size_t errlen);

/* Number of plugins currently loaded. */
size_t kgw_plugin_loader_count(const kgw_plugin_loader_t *loader);

/* What a loaded plugin says about itself (borrowed from the plugin). */
const char *kgw_plugin_name(const kgw_plugin_t *plugin);
const char *kgw_plugin_version(const kgw_plugin_t *plugin);
const char *kgw_plugin_path(const kgw_plugin_t *plugin);
/* ABI the plugin was built for. */
void kgw_plugin_abi(const kgw_plugin_t *plugin, unsigned *major, unsigned *minor);
/* True when the plugin's cluster hooks want messages of `api_key`. */
bool kgw_plugin_wants_api_key(const kgw_plugin_t *plugin, int api_key);
/* True when the plugin implements the hook for a chain. */
bool kgw_plugin_has_request_hooks(const kgw_plugin_t *plugin);
bool kgw_plugin_has_produce_hook(const kgw_plugin_t *plugin);
bool kgw_plugin_has_fetch_hook(const kgw_plugin_t *plugin);

/*
 * Creates an instance of `plugin` for the policy `policy` (its name in the
 * configuration; NULL: the plugin name) of `virtual_cluster`, with the
 * policy's `config:` (NULL when absent). Calls the plugin's create hook.
 * Returns 0 and *out, or -1 with err ("virtual cluster 'vc', policy 'p'
 * (plugin 'x'): config refused: <plugin's message>") and *out NULL.
 */
__attribute__((warn_unused_result)) int
kgw_plugin_instance_create(const kgw_plugin_t *plugin, const char *virtual_cluster,
                           const char *policy, const kgw_config_node_t *config,
                           kgw_plugin_instance_t **out, char *err, size_t errlen);

/* Calls the plugin's destroy hook and frees the instance. Accepts NULL. */
void kgw_plugin_instance_destroy(kgw_plugin_instance_t *inst);

/* The plugin of an instance, and its policy name. */
const kgw_plugin_t *kgw_plugin_instance_plugin(const kgw_plugin_instance_t *inst);
const char *kgw_plugin_instance_policy(const kgw_plugin_instance_t *inst);

/*
 * Call one hook, count and time it, and release the thread's scratch memory.
 * A plugin without that hook gives KGW_CONTINUE (not counted). A result
 * outside KGW_CONTINUE/KGW_STOP/KGW_ERROR is logged and becomes KGW_ERROR.
 */
kgw_plugin_result_t kgw_plugin_instance_on_request(kgw_plugin_instance_t *inst, kgw_msg_t *msg);
kgw_plugin_result_t kgw_plugin_instance_on_response(kgw_plugin_instance_t *inst, kgw_msg_t *msg);
kgw_plugin_result_t kgw_plugin_instance_on_produce_batch(kgw_plugin_instance_t *inst,
                                                         kgw_msg_t *msg, kgw_msg_batch_t *batch);
kgw_plugin_result_t kgw_plugin_instance_on_fetch_batch(kgw_plugin_instance_t *inst, kgw_msg_t *msg,
                                                       kgw_msg_batch_t *batch);

#endif /* KGW_PLUGIN_LOADER_H */
