/*
 * kgw metrics: a registry of counters, gauges and latency histograms, rendered
 * in the Prometheus text exposition format 0.0.4 by the admin endpoint
 * (/metrics).
 *
 * Model
 *   A metric *family* is a name (always prefixed "kgw_"), a help text and a
 *   type. A *series* is one family plus one label set. Registering a series
 *   returns a handle that stays valid for the life of the registry (the global
 *   registry lives as long as the process). Registering the same (name,
 *   labels) again returns the same handle, so lazy registration from several
 *   worker threads is safe and idempotent.
 *
 * Threading
 *   - Registration and rendering take the registry's mutex: do them at
 *     start-up or the first time a series is needed, then cache the handle.
 *     Never register on every request.
 *   - Updates through a handle (kgw_counter_add, kgw_gauge_set,
 *     kgw_histogram_observe_ns, ...) take no lock: they are relaxed C11
 *     atomics, safe from any thread, and a NULL handle is a no-op (so a failed
 *     registration, already reported, never crashes the data path).
 *
 * Labels
 *   A label set is a string in exposition syntax, e.g.
 *     listener="public",virtual_cluster="team-a"
 *   Build it with kgw_metrics_labels(), which escapes values (backslash,
 *   double quote, newline). NULL or "" means no labels. Registration parses
 *   and validates the set and stores it canonically: pairs sorted by label
 *   name, so the order callers write them in does not matter. Duplicate label
 *   names, names starting with "__", more than 16 labels and the reserved
 *   name "le" (histograms) are rejected.
 *
 * Rendering
 *   Families are written sorted by name, each with one "# HELP" and one
 *   "# TYPE" line; series within a family sorted by canonical label string.
 *   Values are integers where the metric is integral; histograms render
 *   cumulative "_bucket{...,le="0.001"}" lines (le last), "_sum" (seconds)
 *   and "_count".
 *
 * Errors
 *   Registration returns NULL on a bad name, bad label set, a name already
 *   registered with another type, or out of memory (the help text of the
 *   first registration of a family wins);
 *   kgw_metrics_error() then describes the failure for the calling thread,
 *   naming the exact bad value.
 */
#ifndef KGW_METRICS_H
#define KGW_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kgw_metrics_registry kgw_metrics_registry_t;
typedef struct kgw_counter kgw_counter_t;
typedef struct kgw_gauge kgw_gauge_t;
typedef struct kgw_histogram kgw_histogram_t;

/* Computes a value at scrape time (e.g. process memory). Called with the
 * registry mutex held, on the thread that renders: it must not register
 * metrics and should be quick. */
typedef double (*kgw_metrics_value_fn)(void *ctx);

/* ---- Registries ------------------------------------------------------- */

/* The process-wide registry that /metrics renders. Created on first use
 * (thread-safe), with the process metrics (kgw_metrics_register_process)
 * already registered. Never NULL unless out of memory at first use; never
 * freed. */
kgw_metrics_registry_t *kgw_metrics_global(void);

/* A private registry (tests, embedding). Returns NULL when out of memory.
 * Empty: no process metrics unless registered. */
kgw_metrics_registry_t *kgw_metrics_registry_new(void);

/* Frees a registry made by kgw_metrics_registry_new and every handle it gave
 * out. No other thread may use it or its handles during or after the call.
 * Accepts NULL. Must not be called on kgw_metrics_global(). */
void kgw_metrics_registry_free(kgw_metrics_registry_t *reg);

/* ---- Registration (takes the registry mutex) -------------------------- */

/* Counter (monotonic, uint64). `name` must match [a-zA-Z_:][a-zA-Z0-9_:]*,
 * start with "kgw_" and by convention end in "_total". `help` is required
 * (one line; backslash and newline are escaped on output). `labels` as in
 * the Labels section above. Returns the same handle for the same (name,
 * canonical labels); NULL on failure (see kgw_metrics_error). */
kgw_counter_t *kgw_metrics_registry_counter(kgw_metrics_registry_t *reg, const char *name,
                                            const char *help, const char *labels);

/* Gauge (int64, may go up and down). Same rules as counters. */
kgw_gauge_t *kgw_metrics_registry_gauge(kgw_metrics_registry_t *reg, const char *name,
                                        const char *help, const char *labels);

/* Latency histogram with the fixed buckets KGW_METRICS_LATENCY_BUCKETS
 * (seconds). Same rules; the label name "le" is reserved. */
kgw_histogram_t *kgw_metrics_registry_histogram(kgw_metrics_registry_t *reg, const char *name,
                                                const char *help, const char *labels);

/* A counter or gauge series whose value `fn(ctx)` is computed at scrape
 * (e.g. CPU seconds from /proc). `is_counter` picks the TYPE. Registering
 * the same (name, labels) again replaces fn/ctx. Returns 0, or -1 on failure
 * (see kgw_metrics_error). `ctx` must outlive the registry or be replaced. */
int kgw_metrics_registry_callback(kgw_metrics_registry_t *reg, const char *name, const char *help,
                                  const char *labels, bool is_counter, kgw_metrics_value_fn fn,
                                  void *ctx) __attribute__((warn_unused_result));

/* Shorthands on kgw_metrics_global(). */
kgw_counter_t *kgw_metrics_counter(const char *name, const char *help, const char *labels);
kgw_gauge_t *kgw_metrics_gauge(const char *name, const char *help, const char *labels);
kgw_histogram_t *kgw_metrics_histogram(const char *name, const char *help, const char *labels);

/* The message describing the calling thread's last failed registration or
 * render (never NULL; "" if none). Valid until that thread's next failure. */
const char *kgw_metrics_error(void);

/* ---- Updates (lock-free, any thread, NULL handle is a no-op) ---------- */

void kgw_counter_add(kgw_counter_t *c, uint64_t n);
void kgw_counter_inc(kgw_counter_t *c);
uint64_t kgw_counter_value(const kgw_counter_t *c); /* 0 for NULL */

void kgw_gauge_set(kgw_gauge_t *g, int64_t v);
void kgw_gauge_add(kgw_gauge_t *g, int64_t n);
void kgw_gauge_sub(kgw_gauge_t *g, int64_t n);
void kgw_gauge_inc(kgw_gauge_t *g);
void kgw_gauge_dec(kgw_gauge_t *g);
int64_t kgw_gauge_value(const kgw_gauge_t *g); /* 0 for NULL */

/* Records one observation of `ns` nanoseconds (e.g. request round trip from
 * clock_gettime(CLOCK_MONOTONIC) differences). */
void kgw_histogram_observe_ns(kgw_histogram_t *h, uint64_t ns);
uint64_t kgw_histogram_count(const kgw_histogram_t *h); /* 0 for NULL */

/* Upper bounds of the histogram buckets, in seconds, ascending; +Inf is
 * implicit. */
#define KGW_METRICS_LATENCY_BUCKETS                                                                \
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0
#define KGW_METRICS_LATENCY_BUCKET_COUNT 14

/* ---- Rendering -------------------------------------------------------- */

/* Writes the whole registry in Prometheus text format 0.0.4 into a new
 * NUL-terminated buffer: *out (free() it) and *len (bytes, without the NUL).
 * Returns 0, or -1 when out of memory (then *out is NULL). */
int kgw_metrics_registry_render(kgw_metrics_registry_t *reg, char **out, size_t *len)
    __attribute__((warn_unused_result));

/* kgw_metrics_registry_render on kgw_metrics_global(). */
int kgw_metrics_render(char **out, size_t *len) __attribute__((warn_unused_result));

/* The Content-Type of the rendered text. */
#define KGW_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ---- Label helper ----------------------------------------------------- */

/* Formats label pairs into `out` in exposition syntax, escaping values:
 *   kgw_metrics_labels(buf, sizeof buf, "listener", l, "virtual_cluster", vc, NULL)
 *   -> listener="public",virtual_cluster="team-a"
 * Arguments after `outlen` are (const char *name, const char *value) pairs
 * ended by a single NULL name. A NULL value is written as "". Returns 0, or
 * -1 when a name is not a valid label name or `out` is too small (then out
 * holds "" and kgw_metrics_error() says which). */
int kgw_metrics_labels(char *out, size_t outlen, ...) __attribute__((sentinel))
__attribute__((warn_unused_result));

/* Appends the escaped form of `value` (backslash -> \\, " -> \", newline
 * -> \n) to out. Returns the length the escaped value needs (without NUL),
 * like snprintf; writes at most outlen-1 bytes plus a NUL when outlen > 0. */
size_t kgw_metrics_escape_label_value(char *out, size_t outlen, const char *value);

/* ---- Process metrics -------------------------------------------------- */

/* Registers, computed from /proc/self at scrape:
 *   kgw_process_cpu_seconds_total        user + system CPU time (counter)
 *   kgw_process_resident_memory_bytes    resident set size (gauge)
 *   kgw_process_virtual_memory_bytes     virtual memory size (gauge)
 *   kgw_process_open_fds                 open file descriptors (gauge)
 *   kgw_process_start_time_seconds       start time since the epoch (gauge)
 * and kgw_build_info{version="..."} 1. Returns 0 or -1 (kgw_metrics_error).
 * kgw_metrics_global() calls it for you. */
int kgw_metrics_register_process(kgw_metrics_registry_t *reg) __attribute__((warn_unused_result));

/* ---- Standard gateway metrics ----------------------------------------- */

/* Names every part of the gateway uses, so the same family is never spelled
 * two ways. Label names are fixed per family as listed. The helpers below
 * register (or find) the series in the global registry; cache what they
 * return (e.g. per listener, per virtual cluster, per API key array), they
 * take the registry mutex. They return NULL on failure like the functions
 * above (updates on NULL are no-ops). String arguments may be NULL (written
 * as ""). */

/* {listener, virtual_cluster}: accepted client TCP connections. */
#define KGW_METRIC_CONNECTIONS_ACCEPTED "kgw_connections_accepted_total"
/* {listener, virtual_cluster}: client connections currently open. */
#define KGW_METRIC_CONNECTIONS_ACTIVE "kgw_connections_active"
/* {virtual_cluster, api_key}: client requests received. */
#define KGW_METRIC_REQUESTS "kgw_requests_total"
/* {virtual_cluster, api_key}: responses sent to clients (relayed or made by
 * the gateway). */
#define KGW_METRIC_RESPONSES "kgw_responses_total"
/* {virtual_cluster, api_key}: request to response latency (histogram). */
#define KGW_METRIC_REQUEST_DURATION "kgw_request_duration_seconds"
/* {virtual_cluster, direction}: bytes read from clients (direction="client")
 * or from backend brokers (direction="backend"). */
#define KGW_METRIC_BYTES_RECEIVED "kgw_bytes_received_total"
/* {virtual_cluster, direction}: bytes written to clients or brokers. */
#define KGW_METRIC_BYTES_SENT "kgw_bytes_sent_total"
/* {listener, reason}: client frames refused (e.g. reason="too_large",
 * "bad_size", "unsupported_version"). */
#define KGW_METRIC_FRAMES_REJECTED "kgw_frames_rejected_total"
/* {virtual_cluster, broker_id}: broker ids in a response that had no
 * gateway address (the broker was removed from the response). */
#define KGW_METRIC_BROKER_UNMAPPED "kgw_broker_unmapped_total"
/* {backend_cluster}: failed connections to backend brokers. */
#define KGW_METRIC_BACKEND_CONNECT_FAILURES "kgw_backend_connect_failures_total"
/* {backend_cluster, result="success"|"failure"}: metadata refreshes. */
#define KGW_METRIC_BACKEND_METADATA_REFRESH "kgw_backend_metadata_refresh_total"
/* {result="success"|"failure"}: configuration reloads (SIGHUP). */
#define KGW_METRIC_CONFIG_RELOADS "kgw_config_reloads_total"
/* {virtual_cluster, policy, result="continue"|"stop"|"error"}: policy hook
 * invocations; `policy` is the policy's name in the configuration. */
#define KGW_METRIC_POLICY_INVOCATIONS "kgw_policy_invocations_total"

/* The api_key label holds the Kafka API name as spelled in Kafka's message
 * schemas ("Produce", "Fetch", "Metadata", "ApiVersions", ...). When the
 * gateway does not know the API (api_name NULL), it holds the decimal key
 * ("api_key=\"9999\""). */

kgw_counter_t *kgw_metrics_connections_accepted(const char *listener, const char *virtual_cluster);
kgw_gauge_t *kgw_metrics_connections_active(const char *listener, const char *virtual_cluster);
kgw_counter_t *kgw_metrics_requests(const char *virtual_cluster, int api_key, const char *api_name);
kgw_counter_t *kgw_metrics_responses(const char *virtual_cluster, int api_key,
                                     const char *api_name);
kgw_histogram_t *kgw_metrics_request_duration(const char *virtual_cluster, int api_key,
                                              const char *api_name);
/* direction: "client" or "backend". */
kgw_counter_t *kgw_metrics_bytes_received(const char *virtual_cluster, const char *direction);
kgw_counter_t *kgw_metrics_bytes_sent(const char *virtual_cluster, const char *direction);
kgw_counter_t *kgw_metrics_frames_rejected(const char *listener, const char *reason);
kgw_counter_t *kgw_metrics_broker_unmapped(const char *virtual_cluster, int32_t broker_id);
kgw_counter_t *kgw_metrics_backend_connect_failures(const char *backend_cluster);
/* ok: true -> result="success", false -> result="failure". */
kgw_counter_t *kgw_metrics_backend_metadata_refresh(const char *backend_cluster, bool ok);
kgw_counter_t *kgw_metrics_config_reloads(bool ok);
/* result: "continue", "stop" or "error". */
kgw_counter_t *kgw_metrics_policy_invocations(const char *virtual_cluster, const char *policy,
                                              const char *result);

#endif /* KGW_METRICS_H */
