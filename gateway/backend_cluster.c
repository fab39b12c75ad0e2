/*
 * kgw_backend_cluster: the broker list of one backend cluster and its
 * refresh over a short-lived connection that sends Metadata v1 for no topics.
 *
 * Metadata v1 is used because every broker kgw talks to accepts it (Kafka
 * 4.4 keeps Metadata v0-13, librdkafka's mock cluster v0-2) and its response
 * starts with the broker list:
 *   correlation_id int32 | brokers: int32 count, then per broker
 *   node_id int32, host string (int16 length), port int32, rack nullable
 *   string | controller_id int32 | topics ...
 */
#include "backend_cluster.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>

#include "log.h"
#include "metrics.h"

#define KGW_METADATA_TIMEOUT_SECONDS 10
#define KGW_METADATA_MAX_RESPONSE (16u * 1024 * 1024)
#define KGW_METADATA_RETRY_SECONDS 2
/* On-demand refreshes closer together than this are folded into one. */
#define KGW_METADATA_MIN_ON_DEMAND_MS 1000

typedef struct kgw__broker {
    int32_t id;
    uint16_t port;
    char host[KGW_HOST_MAX];
} kgw__broker_t;

struct kgw_backend_cluster {
    const kgw_config_backend_cluster_t *cfg;
    struct event_base *base;
    struct evdns_base *dns;

    pthread_mutex_t lock; /* guards brokers, n_brokers, cap, ready */
    kgw__broker_t *brokers;
    size_t n_brokers;
    size_t cap;
    bool ready;

    /* main thread only */
    struct event *timer; /* periodic refresh */
    struct event *kick;  /* on-demand refresh */
    struct bufferevent *bev;
    size_t attempt; /* servers tried in the current refresh */
    int32_t correlation_id;
    uint64_t last_refresh_ms; /* CLOCK_MONOTONIC of the last attempt */
    char target[KGW_HOST_MAX + 8];
    kgw_counter_t *refresh_ok;
    kgw_counter_t *refresh_failed;
};

static void kgw__bc_try_next(kgw_backend_cluster_t *bc);

const char *
kgw_backend_cluster_name(const kgw_backend_cluster_t *bc)
{
    return bc->cfg->name;
}

bool
kgw_backend_cluster_ready(kgw_backend_cluster_t *bc)
{
    pthread_mutex_lock(&bc->lock);
    bool r = bc->ready;
    pthread_mutex_unlock(&bc->lock);
    return r;
}

static void
kgw__copy_host(char *dst, size_t dstlen, const char *src, size_t srclen)
{
    if (dstlen == 0)
        return;
    size_t n = srclen < dstlen - 1 ? srclen : dstlen - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

bool
kgw_backend_cluster_lookup(kgw_backend_cluster_t *bc, int32_t id, char *host, size_t hostlen,
                           uint16_t *port)
{
    bool found = false;
    pthread_mutex_lock(&bc->lock);
    for (size_t i = 0; i < bc->n_brokers; i++) {
        if (bc->brokers[i].id == id) {
            kgw__copy_host(host, hostlen, bc->brokers[i].host, strlen(bc->brokers[i].host));
            *port = bc->brokers[i].port;
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&bc->lock);
    return found;
}

bool
kgw_backend_cluster_candidate(kgw_backend_cluster_t *bc, size_t n, size_t rotation, char *host,
                              size_t hostlen, uint16_t *port)
{
    bool found = false;
    pthread_mutex_lock(&bc->lock);
    if (n < bc->n_brokers) {
        const kgw__broker_t *b = &bc->brokers[(n + rotation) % bc->n_brokers];
        kgw__copy_host(host, hostlen, b->host, strlen(b->host));
        *port = b->port;
        found = true;
    } else if (n - bc->n_brokers < bc->cfg->n_bootstrap_servers) {
        const kgw_config_host_port_t *s = &bc->cfg->bootstrap_servers[n - bc->n_brokers];
        kgw__copy_host(host, hostlen, s->host, strlen(s->host));
        *port = s->port;
        found = true;
    }
    pthread_mutex_unlock(&bc->lock);
    return found;
}

/* Adds or updates one broker; call with the lock held. Returns -1 on OOM. */
static int
kgw__bc_put_locked(kgw_backend_cluster_t *bc, int32_t id, const char *host, size_t host_len,
                   uint16_t port)
{
    for (size_t i = 0; i < bc->n_brokers; i++) {
        if (bc->brokers[i].id == id) {
            kgw__copy_host(bc->brokers[i].host, sizeof(bc->brokers[i].host), host, host_len);
            bc->brokers[i].port = port;
            return 0;
        }
    }
    if (bc->n_brokers == bc->cap) {
        size_t cap = bc->cap ? bc->cap * 2 : 8;
        kgw__broker_t *nb = realloc(bc->brokers, cap * sizeof(*nb));
        if (nb == NULL)
            return -1;
        bc->brokers = nb;
        bc->cap = cap;
    }
    kgw__broker_t *b = &bc->brokers[bc->n_brokers++];
    b->id = id;
    b->port = port;
    kgw__copy_host(b->host, sizeof(b->host), host, host_len);
    return 0;
}

void
kgw_backend_cluster_learn(kgw_backend_cluster_t *bc, int32_t id, const char *host, size_t host_len,
                          uint16_t port)
{
    pthread_mutex_lock(&bc->lock);
    if (kgw__bc_put_locked(bc, id, host, host_len, port) < 0)
        kgw_log_warn("backend cluster '%s': out of memory recording broker %d", bc->cfg->name,
                     (int)id);
    pthread_mutex_unlock(&bc->lock);
}

void
kgw_backend_cluster_request_refresh(kgw_backend_cluster_t *bc)
{
    event_active(bc->kick, EV_TIMEOUT, 0);
}

/* ---- refresh ---------------------------------------------------------- */

static void
kgw__bc_close_conn(kgw_backend_cluster_t *bc)
{
    if (bc->bev != NULL) {
        bufferevent_free(bc->bev);
        bc->bev = NULL;
    }
}

static void
kgw__bc_fail_attempt(kgw_backend_cluster_t *bc, const char *why)
{
    kgw_log_warn("backend cluster '%s': metadata from %s failed: %s", bc->cfg->name, bc->target,
                 why);
    kgw__bc_close_conn(bc);
    bc->attempt++;
    kgw__bc_try_next(bc);
}

static uint32_t
kgw__be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint16_t
kgw__be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

/*
 * Parses a Metadata v1 response body (after the size) into a new broker
 * list. Returns 0 and sets *out and *n_out (caller frees), or -1 with *why.
 */
static int
kgw__bc_parse_metadata_v1(const uint8_t *p, size_t len, int32_t correlation_id, kgw__broker_t **out,
                          size_t *n_out, const char **why)
{
    size_t off = 0;
    *out = NULL;
    *n_out = 0;
    if (len < 8) {
        *why = "response shorter than 8 bytes";
        return -1;
    }
    if ((int32_t)kgw__be32(p) != correlation_id) {
        *why = "unexpected correlation id";
        return -1;
    }
    int32_t count = (int32_t)kgw__be32(p + 4);
    off = 8;
    if (count < 0 || (size_t)count > len / 10) {
        *why = "bad broker count";
        return -1;
    }
    kgw__broker_t *list = calloc(count > 0 ? (size_t)count : 1, sizeof(*list));
    if (list == NULL) {
        *why = "out of memory";
        return -1;
    }
    for (int32_t i = 0; i < count; i++) {
        if (len - off < 6)
            goto truncated;
        list[i].id = (int32_t)kgw__be32(p + off);
        int16_t hlen = (int16_t)kgw__be16(p + off + 4);
        off += 6;
        if (hlen < 0 || len - off < (size_t)hlen + 4)
            goto truncated;
        kgw__copy_host(list[i].host, sizeof(list[i].host), (const char *)p + off, (size_t)hlen);
        off += (size_t)hlen;
        int32_t port = (int32_t)kgw__be32(p + off);
        off += 4;
        if (port < 1 || port > 65535) {
            *why = "broker port out of range";
            free(list);
            return -1;
        }
        list[i].port = (uint16_t)port;
        if (len - off < 2)
            goto truncated;
        int16_t rlen = (int16_t)kgw__be16(p + off);
        off += 2;
        if (rlen > 0) {
            if (len - off < (size_t)rlen)
                goto truncated;
            off += (size_t)rlen;
        }
    }
    *out = list;
    *n_out = (size_t)count;
    return 0;
truncated:
    free(list);
    *why = "response truncated inside the broker list";
    return -1;
}

static void
kgw__bc_read_cb(struct bufferevent *bev, void *arg)
{
    kgw_backend_cluster_t *bc = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    uint8_t sizebuf[4];
    if (evbuffer_copyout(in, sizebuf, 4) < 4)
        return;
    uint32_t size = kgw__be32(sizebuf);
    if (size > KGW_METADATA_MAX_RESPONSE) {
        kgw__bc_fail_attempt(bc, "response larger than 16 MiB");
        return;
    }
    if (evbuffer_get_length(in) < 4 + (size_t)size)
        return;
    const uint8_t *frame = evbuffer_pullup(in, 4 + (ssize_t)size);
    if (frame == NULL) {
        kgw__bc_fail_attempt(bc, "out of memory");
        return;
    }
    kgw__broker_t *list;
    size_t n;
    const char *why = "";
    if (kgw__bc_parse_metadata_v1(frame + 4, size, bc->correlation_id, &list, &n, &why) < 0) {
        kgw__bc_fail_attempt(bc, why);
        return;
    }
    kgw__bc_close_conn(bc);

    pthread_mutex_lock(&bc->lock);
    free(bc->brokers);
    bc->brokers = list;
    bc->n_brokers = n;
    bc->cap = n;
    bool was_ready = bc->ready;
    bc->ready = true;
    pthread_mutex_unlock(&bc->lock);

    kgw_counter_inc(bc->refresh_ok);
    if (!was_ready)
        kgw_log_info("backend cluster '%s': metadata from %s: %zu brokers", bc->cfg->name,
                     bc->target, n);
    for (size_t i = 0; i < n; i++)
        kgw_log_debug("backend cluster '%s': broker %d at %s:%u", bc->cfg->name, (int)list[i].id,
                      list[i].host, (unsigned)list[i].port);
    struct timeval tv = {.tv_sec = bc->cfg->metadata_update_interval_seconds};
    if (evtimer_add(bc->timer, &tv) < 0)
        kgw_log_error("backend cluster '%s': cannot schedule metadata refresh", bc->cfg->name);
}

static void
kgw__bc_event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    kgw_backend_cluster_t *bc = arg;
    if (what & BEV_EVENT_CONNECTED) {
        /* Metadata v1 request, header v1: api_key 3, version 1, correlation
         * id, client_id "kgw", then topics: empty array (no topics). */
        static const char client_id[] = "kgw";
        uint8_t req[4 + 8 + 2 + sizeof(client_id) - 1 + 4];
        size_t body = sizeof(req) - 4;
        bc->correlation_id++;
        uint32_t cid = (uint32_t)bc->correlation_id;
        uint8_t *p = req;
        *p++ = (uint8_t)(body >> 24), *p++ = (uint8_t)(body >> 16), *p++ = (uint8_t)(body >> 8);
        *p++ = (uint8_t)body;
        *p++ = 0, *p++ = 3, *p++ = 0, *p++ = 1;
        *p++ = (uint8_t)(cid >> 24), *p++ = (uint8_t)(cid >> 16), *p++ = (uint8_t)(cid >> 8);
        *p++ = (uint8_t)cid;
        *p++ = 0, *p++ = (uint8_t)(sizeof(client_id) - 1);
        memcpy(p, client_id, sizeof(client_id) - 1);
        p += sizeof(client_id) - 1;
        *p++ = 0, *p++ = 0, *p++ = 0, *p++ = 0;
        if (bufferevent_write(bc->bev, req, sizeof(req)) < 0)
            kgw__bc_fail_attempt(bc, "cannot queue the request");
        return;
    }
    if (what & BEV_EVENT_TIMEOUT) {
        kgw__bc_fail_attempt(bc, "timed out");
        return;
    }
    if (what & BEV_EVENT_ERROR) {
        int dns_err = bufferevent_socket_get_dns_error(bc->bev);
        char why[128];
        if (dns_err != 0)
            snprintf(why, sizeof(why), "cannot resolve host: %s", evutil_gai_strerror(dns_err));
        else
            snprintf(why, sizeof(why), "%s", evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        kgw__bc_fail_attempt(bc, why);
        return;
    }
    if (what & BEV_EVENT_EOF)
        kgw__bc_fail_attempt(bc, "connection closed by the broker");
}

/* Tries server number bc->attempt; after all failed, retries later. */
static void
kgw__bc_try_next(kgw_backend_cluster_t *bc)
{
    char host[KGW_HOST_MAX];
    uint16_t port;
    for (;;) {
        if (!kgw_backend_cluster_candidate(bc, bc->attempt, 0, host, sizeof(host), &port)) {
            kgw_counter_inc(bc->refresh_failed);
            kgw_log_error("backend cluster '%s': metadata refresh failed on every broker and "
                          "bootstrap server; retrying in %d s",
                          bc->cfg->name, KGW_METADATA_RETRY_SECONDS);
            bc->attempt = 0;
            struct timeval tv = {.tv_sec = KGW_METADATA_RETRY_SECONDS};
            if (evtimer_add(bc->timer, &tv) < 0)
                kgw_log_error("backend cluster '%s': cannot schedule metadata refresh",
                              bc->cfg->name);
            return;
        }
        snprintf(bc->target, sizeof(bc->target), "%s:%u", host, (unsigned)port);
        bc->bev = bufferevent_socket_new(bc->base, -1, BEV_OPT_CLOSE_ON_FREE);
        if (bc->bev == NULL) {
            kgw_log_error("backend cluster '%s': out of memory", bc->cfg->name);
            bc->attempt++;
            continue;
        }
        bufferevent_setcb(bc->bev, kgw__bc_read_cb, NULL, kgw__bc_event_cb, bc);
        struct timeval tv = {.tv_sec = KGW_METADATA_TIMEOUT_SECONDS};
        bufferevent_set_timeouts(bc->bev, &tv, &tv);
        if (bufferevent_enable(bc->bev, EV_READ | EV_WRITE) < 0 ||
            bufferevent_socket_connect_hostname(bc->bev, bc->dns, AF_UNSPEC, host, port) < 0) {
            kgw_log_warn("backend cluster '%s': cannot connect to %s", bc->cfg->name, bc->target);
            kgw__bc_close_conn(bc);
            bc->attempt++;
            continue;
        }
        return;
    }
}

static uint64_t
kgw__bc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
kgw__bc_refresh(kgw_backend_cluster_t *bc)
{
    if (bc->bev != NULL)
        return; /* one refresh at a time */
    bc->last_refresh_ms = kgw__bc_now_ms();
    evtimer_del(bc->timer);
    bc->attempt = 0;
    kgw__bc_try_next(bc);
}

static void
kgw__bc_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    kgw__bc_refresh(arg);
}

/* On demand: at most one refresh per KGW_METADATA_MIN_ON_DEMAND_MS, so a
 * burst of failing connections does not become a burst of refreshes. */
static void
kgw__bc_kick_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    kgw_backend_cluster_t *bc = arg;
    uint64_t now = kgw__bc_now_ms();
    if (bc->last_refresh_ms != 0 && now - bc->last_refresh_ms < KGW_METADATA_MIN_ON_DEMAND_MS) {
        uint64_t wait = KGW_METADATA_MIN_ON_DEMAND_MS - (now - bc->last_refresh_ms);
        struct timeval tv = {.tv_sec = (time_t)(wait / 1000),
                             .tv_usec = (suseconds_t)(wait % 1000) * 1000};
        if (bc->bev == NULL && evtimer_add(bc->timer, &tv) < 0)
            kgw_log_error("backend cluster '%s': cannot schedule metadata refresh", bc->cfg->name);
        return;
    }
    kgw__bc_refresh(bc);
}

kgw_backend_cluster_t *
kgw_backend_cluster_new(const kgw_config_backend_cluster_t *cfg, struct event_base *base,
                        struct evdns_base *dns)
{
    kgw_backend_cluster_t *bc = calloc(1, sizeof(*bc));
    if (bc == NULL)
        return NULL;
    bc->cfg = cfg;
    bc->base = base;
    bc->dns = dns;
    if (pthread_mutex_init(&bc->lock, NULL) != 0) {
        free(bc);
        return NULL;
    }
    bc->timer = evtimer_new(base, kgw__bc_timer_cb, bc);
    bc->kick = evtimer_new(base, kgw__bc_kick_cb, bc);
    if (bc->timer == NULL || bc->kick == NULL) {
        kgw_backend_cluster_free(bc);
        return NULL;
    }
    bc->refresh_ok = kgw_metrics_backend_metadata_refresh(cfg->name, true);
    bc->refresh_failed = kgw_metrics_backend_metadata_refresh(cfg->name, false);
    return bc;
}

int
kgw_backend_cluster_start(kgw_backend_cluster_t *bc)
{
    struct timeval now = {0, 0};
    return evtimer_add(bc->timer, &now);
}

void
kgw_backend_cluster_free(kgw_backend_cluster_t *bc)
{
    if (bc == NULL)
        return;
    kgw__bc_close_conn(bc);
    if (bc->timer != NULL)
        event_free(bc->timer);
    if (bc->kick != NULL)
        event_free(bc->kick);
    free(bc->brokers);
    pthread_mutex_destroy(&bc->lock);
    free(bc);
}
