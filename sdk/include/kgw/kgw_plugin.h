/*
 * kgw SDK: what a policy plugin implements. Include this one header.
 *
 * A plugin is a shared object kgw_<name>.so exporting one function,
 * KGW_PLUGIN_ENTRY (kgw_plugin_entry), that returns a pointer to a constant
 * descriptor. A function rather than a data symbol, because dlsym is only
 * guaranteed to work for functions (PostgreSQL's PG_MODULE_MAGIC does the
 * same). The gateway checks, in this order, and refuses the plugin with a
 * message naming the field and both values: magic, size, abi_major,
 * abi_minor, name, hooks, api_keys, and a name already loaded from another
 * file.
 *
 * ABI VERSION RULES (Varnish vrt.h)
 *   Adding something (a host callback at the end of kgw_host_t, a hook or a
 *   field at the end of kgw_plugin_descriptor_t, a status code, a #define)
 *   bumps KGW_ABI_MINOR. Removing, renaming, reordering or changing the type
 *   or meaning of anything bumps KGW_ABI_MAJOR and resets the minor to 0.
 *   The gateway loads a plugin built for the same major and a minor no newer
 *   than its own.
 *
 * HOOKS (implemented by the plugin, called by the host)
 *   create  main thread, once per policy entry of a virtual cluster, with the
 *           policy's `config:`. Validates the config and builds the
 *           instance. Returns KGW_OK, or a negative status and a message in
 *           `err` (which kgw prints with the file, virtual cluster and policy
 *           name, and refuses the configuration).
 *   destroy main thread, once per successful create, after the last hook
 *           call of that instance. Frees what create allocated.
 *   on_request / on_response
 *           cluster_policies: every request whose API key is in api_keys,
 *           on its way to the broker (chain order), and its response on the
 *           way back (reverse order).
 *   on_produce_batch
 *           produce_policies: each record batch of each Produce request.
 *   on_fetch_batch
 *           consume_policies: each record batch of each Fetch response.
 *   The message hooks run on the worker thread that owns the client
 *   connection, concurrently on several workers for one instance: treat the
 *   instance as read-only there, or synchronise yourself. They must not
 *   block. create and destroy are required; at least one message hook is.
 *
 * OWNERSHIP (Envoy dynamic modules)
 *   The host owns everything it passes in (host table, config, messages,
 *   batches, records) for the duration of the call. The plugin owns its
 *   instance and whatever it allocates; destroy frees it. Host setters copy.
 */
#ifndef KGW_SDK_PLUGIN_H
#define KGW_SDK_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "kgw_host.h"
#include "kgw_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes. `kgw --version` prints the host's. */
#define KGW_ABI_MAJOR 1
#define KGW_ABI_MINOR 0

/* First field of every descriptor: "KGWP" read as a big-endian integer. */
#define KGW_PLUGIN_MAGIC 0x4B475750u

/* The one symbol a plugin exports. */
#define KGW_PLUGIN_ENTRY kgw_plugin_entry
#define KGW_PLUGIN_ENTRY_NAME "kgw_plugin_entry"

/* Limits the loader enforces on the descriptor. */
#define KGW_PLUGIN_NAME_MAX 63       /* name: 1..63 of [a-z0-9_-] */
#define KGW_PLUGIN_API_KEYS_MAX 1024 /* api_keys: at most this many entries */

/* create: validate `config` (NULL when the policy has no `config:`) and set
 * *instance (may stay NULL for a stateless plugin). On failure return a
 * negative KGW_ERR_* and write a message into err (err_len > 0, always NUL
 * terminated by the host), after freeing whatever you allocated: destroy is
 * not called for a failed create. `host` stays valid until destroy returns:
 * keep it. */
typedef int (*kgw_plugin_create_fn)(const kgw_host_t *host, const kgw_plugin_config_t *config,
                                    void **instance, char *err, size_t err_len);

/* destroy: free the instance. Called once for every successful create. */
typedef void (*kgw_plugin_destroy_fn)(void *instance);

/* on_request / on_response: one Kafka message of a subscribed API key. */
typedef kgw_plugin_result_t (*kgw_plugin_msg_fn)(void *instance, kgw_msg_t *msg);

/* on_produce_batch / on_fetch_batch: one record batch of `msg`. */
typedef kgw_plugin_result_t (*kgw_plugin_batch_fn)(void *instance, kgw_msg_t *msg,
                                                   kgw_msg_batch_t *batch);

typedef struct kgw_plugin_descriptor {
    uint32_t magic;     /* KGW_PLUGIN_MAGIC */
    uint32_t size;      /* sizeof(kgw_plugin_descriptor_t) as built */
    uint16_t abi_major; /* KGW_ABI_MAJOR as built */
    uint16_t abi_minor; /* KGW_ABI_MINOR as built */

    const char *name;    /* unique among loaded plugins; the file is kgw_<name>.so */
    const char *version; /* the plugin's own version, free text, e.g. "1.2.0" */

    /* API keys the cluster hooks want (0 = Produce, 1 = Fetch, 3 = Metadata,
     * ...); the gateway decodes and calls on_request/on_response only for
     * these. Ignored by the batch hooks, which always see their batches. */
    const int16_t *api_keys;
    size_t n_api_keys;

    kgw_plugin_create_fn create;          /* required */
    kgw_plugin_destroy_fn destroy;        /* required */
    kgw_plugin_msg_fn on_request;         /* optional */
    kgw_plugin_msg_fn on_response;        /* optional */
    kgw_plugin_batch_fn on_produce_batch; /* optional */
    kgw_plugin_batch_fn on_fetch_batch;   /* optional */

    /* New fields are appended here, each bumping KGW_ABI_MINOR. */
} kgw_plugin_descriptor_t;

/* Fills the header fields of a descriptor:
 *   static const kgw_plugin_descriptor_t desc = {
 *       KGW_PLUGIN_DESCRIPTOR_HEADER, .name = "hello", ...};  */
#define KGW_PLUGIN_DESCRIPTOR_HEADER                                                               \
    .magic = KGW_PLUGIN_MAGIC, .size = (uint32_t)sizeof(kgw_plugin_descriptor_t),                  \
    .abi_major = KGW_ABI_MAJOR, .abi_minor = KGW_ABI_MINOR

#if defined(__GNUC__) || defined(__clang__)
#define KGW_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define KGW_PLUGIN_EXPORT
#endif

/* The entry function every plugin defines:
 *   KGW_PLUGIN_EXPORT const kgw_plugin_descriptor_t *KGW_PLUGIN_ENTRY(void)
 *   { return &desc; }
 * It must return the same constant descriptor every time and do nothing
 * else (no allocation, no I/O). */
typedef const kgw_plugin_descriptor_t *(*kgw_plugin_entry_fn)(void);
KGW_PLUGIN_EXPORT const kgw_plugin_descriptor_t *KGW_PLUGIN_ENTRY(void);

#ifdef __cplusplus
}
#endif

#endif /* KGW_SDK_PLUGIN_H */
