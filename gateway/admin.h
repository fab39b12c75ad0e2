/*
 * kgw admin HTTP endpoint (configuration key `admin.listen`), served by
 * libevent's evhttp on an event_base the caller runs:
 *
 *   GET /metrics  200, Prometheus text format 0.0.4 of kgw_metrics_global()
 *                 (Content-Type KGW_METRICS_CONTENT_TYPE)
 *   GET /healthz  200 "ok\n": the process is alive and its loop turns
 *   GET /readyz   200 "ready\n" when the readiness callback says so, else
 *                 503 with the callback's reason and a newline, e.g.
 *                 "backend cluster 'local': no metadata yet\n"
 *
 * Any other path: 404. Any method other than GET or HEAD: 405 with
 * "Allow: GET, HEAD". A query string is ignored ("/metrics?x=1" is /metrics).
 * Bodies are text/plain except /metrics. Every response carries
 * "Cache-Control: no-store".
 *
 * Threading: everything happens on the thread running `base`. kgw_admin_stop
 * must be called on that thread (or after its loop has stopped). The
 * readiness callback runs on that thread too, once per /readyz request.
 */
#ifndef KGW_ADMIN_H
#define KGW_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;

typedef struct kgw_admin kgw_admin_t;

/* Asked on every GET /readyz. Returns true when the gateway is ready
 * (configuration loaded and every backend cluster's metadata fetched at
 * least once). When not ready, writes a NUL-terminated, human-readable reason
 * into `reason` (at most `reasonlen` bytes, always >= 256), naming what is
 * not ready, e.g. "backend cluster 'local': no metadata yet"; several
 * reasons may be separated by newlines. An empty reason is reported as
 * "not ready". */
typedef bool (*kgw_admin_ready_fn)(void *ctx, char *reason, size_t reasonlen);

/* Binds host:port (host: IPv4/IPv6 literal or host name; the first address
 * that binds wins; port 0 picks a free port, see kgw_admin_port) and starts
 * serving on `base`. `ready` may be NULL: then /readyz always answers 200.
 * Returns the server, or NULL with a message in err (errlen bytes, may be 0)
 * naming the address and the cause, e.g.
 *   "admin listen 127.0.0.1:9901: bind: Address already in use". */
kgw_admin_t *kgw_admin_start(struct event_base *base, const char *host, uint16_t port,
                             kgw_admin_ready_fn ready, void *ctx, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* The port actually bound (useful after asking for port 0). */
uint16_t kgw_admin_port(const kgw_admin_t *admin);

/* Stops listening, closes open admin connections and frees the server.
 * Accepts NULL. */
void kgw_admin_stop(kgw_admin_t *admin);

#endif /* KGW_ADMIN_H */
