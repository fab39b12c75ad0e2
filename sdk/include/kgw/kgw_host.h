/*
 * kgw SDK: the host function table. The gateway hands each plugin instance a
 * `const kgw_host_t *` in its create hook; a plugin reaches the gateway only
 * through it and links no symbol of the gateway binary (SQLite's
 * sqlite3_api_routines, Redis modules).
 *
 * Naming: every member is a CALLBACK, implemented by the host and called by
 * the plugin. Hooks, implemented by the plugin, are in kgw_plugin.h.
 *
 * Append-only: members are never removed, reordered or changed; a new member
 * goes at the end and bumps KGW_ABI_MINOR. A plugin built against a newer
 * minor is refused by an older host, so a plugin never sees a table shorter
 * than the one it was compiled with. `size` is still there for plugins that
 * want to run on older hosts with an optional feature: see KGW_HOST_HAS.
 *
 * Every callback takes the table itself as its first argument (`host`); the
 * host uses it to know which plugin instance calls (log prefix, counters).
 *
 * Ownership: strings and buffers the host returns are borrowed and stay valid
 * until the hook that received the message returns (config strings: until
 * the create hook returns; copy what you keep). Setters copy their inputs.
 *
 * Threading: config_* and counter_register only inside create; everything
 * else inside any hook, on the worker thread that runs the hook. log and
 * counter_add may be called from any thread the gateway calls you on.
 *
 * Availability in ABI 1.0: the msg_*, batch_* and record_* accessors are
 * declared so that plugins can be written against them, but this host version
 * does not implement them yet: each returns KGW_ERR_UNSUPPORTED and leaves
 * its out parameters untouched. A plugin must treat that as "cannot decide"
 * (usually: return KGW_ERROR to fail closed). sdk/README.md lists the status.
 */
#ifndef KGW_SDK_HOST_H
#define KGW_SDK_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "kgw_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define KGW_PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define KGW_PRINTF_LIKE(fmt, args)
#endif

struct kgw_host {
    /* sizeof(kgw_host_t) of the host that built this table, in bytes. */
    uint32_t size;
    /* ABI the host implements (KGW_ABI_MAJOR / KGW_ABI_MINOR of its SDK). */
    uint16_t abi_major;
    uint16_t abi_minor;

    /* ---- Logging and counters ------------------------------------------ */

    /* Writes one log line "plugin/virtual-cluster: message" (printf format;
     * the host adds the prefix and the newline). Never fails; a level outside
     * KGW_PLUGIN_LOG_* is logged as ERROR. Messages longer than 4 KiB are cut.
     * Never pass secrets. */
    void (*log)(const kgw_host_t *host, int level, const char *fmt, ...) KGW_PRINTF_LIKE(3, 4);

    /* Registers a counter of this instance, only inside create. `name` is
     * [a-z0-9_]{1,64} and ends in "_total"; it is exported as
     * kgw_plugin_<plugin>_<name>{virtual_cluster,policy} with `help` (one
     * line, required). Returns an id >= 0 for counter_add, or KGW_ERR_INVALID
     * (bad name/help, called outside create), KGW_ERR_NO_MEMORY. */
    int (*counter_register)(const kgw_host_t *host, const char *name, const char *help);

    /* Adds `n` to the counter `id` returned by counter_register. Lock-free.
     * Returns KGW_OK, or KGW_ERR_INVALID for an unknown id. */
    int (*counter_add)(const kgw_host_t *host, int id, uint64_t n);

    /* ---- Configuration (the policy's `config:` subtree; create only) ---- */

    /* The entry `key` of map `node`, or NULL when `node` is NULL, not a map
     * or has no such key. */
    const kgw_plugin_config_t *(*config_get)(const kgw_host_t *host,
                                             const kgw_plugin_config_t *node, const char *key);

    /* KGW_PLUGIN_CONFIG_NULL/SCALAR/MAP/LIST, or KGW_ERR_INVALID for NULL. */
    int (*config_type)(const kgw_host_t *host, const kgw_plugin_config_t *node);

    /* Typed reads of the entry `key` of map `node` (or of `node` itself when
     * `key` is NULL). Return KGW_OK and store the value; KGW_ERR_NOT_FOUND
     * when the key is absent or `node` is NULL (the policy has no `config:`);
     * KGW_ERR_TYPE when the value is not a scalar of
     * that type; KGW_ERR_RANGE (int) when it does not fit in int64_t.
     * *out is untouched on failure. Strings are borrowed (create only).
     * Booleans are true/false in any case, stored as 1/0. */
    int (*config_get_string)(const kgw_host_t *host, const kgw_plugin_config_t *node,
                             const char *key, const char **out);
    int (*config_get_int)(const kgw_host_t *host, const kgw_plugin_config_t *node, const char *key,
                          int64_t *out);
    int (*config_get_bool)(const kgw_host_t *host, const kgw_plugin_config_t *node, const char *key,
                           int *out);

    /* Number of items of a list or entries of a map (`node` itself), or
     * KGW_ERR_TYPE for a scalar/null, KGW_ERR_INVALID for NULL. */
    int (*config_count)(const kgw_host_t *host, const kgw_plugin_config_t *node);

    /* Item `index` of a list or entry `index` of a map (in file order), or
     * NULL when out of range. For map entries, config_key gives the key. */
    const kgw_plugin_config_t *(*config_at)(const kgw_host_t *host, const kgw_plugin_config_t *node,
                                            size_t index);

    /* The key of a map entry, or NULL for a list item / the root. */
    const char *(*config_key)(const kgw_host_t *host, const kgw_plugin_config_t *node);

    /* Writes "FILE:LINE: PATH" of `node` into `buf` (always NUL-terminated
     * when len > 0) for error messages. Returns KGW_OK or KGW_ERR_INVALID. */
    int (*config_where)(const kgw_host_t *host, const kgw_plugin_config_t *node, char *buf,
                        size_t len);

    /* ---- Scratch memory ------------------------------------------------- */

    /* `size` bytes aligned for any type, freed by the host when the current
     * hook (or create) returns: never free() it, never keep it. NULL when
     * size is 0, larger than 1 MiB in total per call, or memory is short. */
    void *(*scratch_alloc)(const kgw_host_t *host, size_t size);

    /* ---- Messages (declared in 1.0; this host returns KGW_ERR_UNSUPPORTED) */

    /* API key / version of the message (>= 0) or a negative status. */
    int (*msg_api_key)(const kgw_host_t *host, const kgw_msg_t *msg);
    int (*msg_api_version)(const kgw_host_t *host, const kgw_msg_t *msg);

    /* Principal of the client connection ("User:alice", "User:ANONYMOUS") and
     * how it authenticated ("anonymous", "sasl_plain", "sasl_scram",
     * "oauth_bearer", "client_certificate"). */
    int (*msg_principal)(const kgw_host_t *host, const kgw_msg_t *msg, const char **out);
    int (*msg_auth_type)(const kgw_host_t *host, const kgw_msg_t *msg, const char **out);

    /* Topics the message names, in message order. Count >= 0 or a status.
     * remove/rename edit the message (it is re-encoded); rename copies. */
    int (*msg_topic_count)(const kgw_host_t *host, const kgw_msg_t *msg);
    int (*msg_topic_name)(const kgw_host_t *host, const kgw_msg_t *msg, size_t index,
                          const char **out);
    int (*msg_topic_remove)(const kgw_host_t *host, kgw_msg_t *msg, size_t index);
    int (*msg_topic_rename)(const kgw_host_t *host, kgw_msg_t *msg, size_t index, const char *name);

    /* Records of a batch (on_produce_batch / on_fetch_batch). */
    int (*batch_record_count)(const kgw_host_t *host, const kgw_msg_batch_t *batch);
    int (*batch_record_at)(const kgw_host_t *host, kgw_msg_batch_t *batch, size_t index,
                           kgw_msg_record_t **out);

    /* Record key and value (NULL data with len 0 for a null key/value). */
    int (*record_key)(const kgw_host_t *host, const kgw_msg_record_t *record, const void **data,
                      size_t *len);
    int (*record_value)(const kgw_host_t *host, const kgw_msg_record_t *record, const void **data,
                        size_t *len);

    /* Record headers: count, by index (key NUL-terminated; a null value is
     * NULL with len 0), first value by key (KGW_ERR_NOT_FOUND when absent),
     * set (replaces every header with that key by one, or appends; copies),
     * remove (every header with that key; KGW_ERR_NOT_FOUND when none). */
    int (*record_header_count)(const kgw_host_t *host, const kgw_msg_record_t *record);
    int (*record_header_at)(const kgw_host_t *host, const kgw_msg_record_t *record, size_t index,
                            const char **key, const void **value, size_t *value_len);
    int (*record_header_get)(const kgw_host_t *host, const kgw_msg_record_t *record,
                             const char *key, const void **value, size_t *value_len);
    int (*record_header_set)(const kgw_host_t *host, kgw_msg_record_t *record, const char *key,
                             const void *value, size_t value_len);
    int (*record_header_remove)(const kgw_host_t *host, kgw_msg_record_t *record, const char *key);

    /* Answer a request with a Kafka error code (on_request only; the hook
     * then returns KGW_STOP), or drop it without an answer (a request that
     * expects none, e.g. acks=0 Produce). KGW_ERR_STATE on a response. */
    int (*msg_respond_error)(const kgw_host_t *host, kgw_msg_t *msg, int16_t error_code);
    int (*msg_drop)(const kgw_host_t *host, kgw_msg_t *msg);

    /* New callbacks are appended here, each bumping KGW_ABI_MINOR. */
};

/* True when the host table has the member `field` (for optional use of a
 * callback added in a later minor than the one a plugin requires). */
#define KGW_HOST_HAS(host, field)                                                                  \
    ((host) != NULL && (host)->size >= offsetof(kgw_host_t, field) + sizeof((host)->field) &&      \
     (host)->field != NULL)

#ifdef __cplusplus
}
#endif

#endif /* KGW_SDK_HOST_H */
