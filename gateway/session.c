/*
 * kgw_session: the client side of the relay. See session.h for the states
 * and the data path; this file is the state machine and the two pumps
 * (client -> broker requests, broker -> client responses).
 *
 * Every function that can free the session returns -1 after doing so (and 0
 * otherwise); callers return at once on -1 without touching the session.
 */
#include "session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "api_versions.h"
#include "broker_conn.h"
#include "listener.h"
#include "log.h"
#include "request_peek.h"
#include "rewrite.h"
#include "worker.h"

#define KGW_PEEK_STACK 256
#define KGW_PEEK_MAX 70000 /* int16 client id + int16/compact transactional id */
#define KGW_LOOKUP_RETRIES 10
#define KGW_LOOKUP_RETRY_MS 300
/* libevent reads and writes at most 16 KiB per call by default. */
#define KGW_MAX_SINGLE_IO (256 * 1024)
/* libevent 2.1 reads at most 4096 bytes per read event (EVBUFFER_MAX_READ),
 * after a FIONREAD ioctl; see kgw__topup. */
#define KGW_LIBEVENT_READ_CHUNK 4096
#define KGW_TOPUP_MAX (256 * 1024)
#define KGW_TOPUP_STEP (64 * 1024)

/* A response the gateway made itself, sent once the `after`-th backend
 * response has gone to the client (responses keep request order). */
typedef struct kgw__local {
    struct kgw__local *next;
    uint64_t after;
    struct evbuffer *buf;
} kgw__local_t;

struct kgw_session {
    kgw_session_links_t links;
    kgw_listener_t *listener;
    const kgw_listener_def_t *def;
    kgw_worker_t *worker;
    kgw_virtual_cluster_t *vc;
    enum kgw_session_state state;
    struct bufferevent *client;
    kgw_broker_conn_t *broker;
    char peer[80];
    kgw_port_role_t role;
    int32_t broker_id;
    size_t attempt;
    size_t rotation;
    struct event *retry_ev;
    bool client_paused;  /* client reads off: broker output above the watermark */
    bool client_direct;  /* client transport allows direct socket I/O */
    bool backend_direct; /* so does the broker's */
    bool backend_paused; /* broker reads off: client output above the watermark */

    /* client -> broker */
    size_t req_remaining; /* bytes of the current request still to relay */

    /* broker -> client */
    uint64_t backend_expected; /* requests sent that the broker will answer */
    uint64_t backend_done;     /* their responses fully passed to the client */
    kgw__local_t *local_head;
    kgw__local_t *local_tail;
    bool resp_active;      /* a response's header has been read */
    bool resp_whole;       /* ... and it is rewritten (read whole) */
    bool resp_discard;     /* ... and it answers an acks=0 Produce: dropped */
    size_t resp_remaining; /* streamed bytes still to relay */
    uint32_t resp_size;
    kgw_inflight_t resp;

    kgw_rewrite_ctx_t rw;
};

static int kgw__session_pump_client(kgw_session_t *s);
static int kgw__session_pump_backend(kgw_session_t *s);
static int kgw__session_connect(kgw_session_t *s);

/* ---- state machine ----------------------------------------------------- */

const char *
kgw_session_state_name(enum kgw_session_state st)
{
    switch (st) {
    case KGW_SESSION_CONNECTING:
        return "connecting";
    case KGW_SESSION_RELAYING:
        return "relaying";
    case KGW_SESSION_DRAINING:
        return "draining";
    case KGW_SESSION_CLOSING:
        return "closing";
    case KGW_SESSION_CLOSED:
        return "closed";
    }
    return "?";
}

bool
kgw_session_transition_allowed(enum kgw_session_state from, enum kgw_session_state to)
{
    switch (from) {
    case KGW_SESSION_CONNECTING:
        return to == KGW_SESSION_RELAYING || to == KGW_SESSION_CLOSING || to == KGW_SESSION_CLOSED;
    case KGW_SESSION_RELAYING:
        return to == KGW_SESSION_DRAINING || to == KGW_SESSION_CLOSING || to == KGW_SESSION_CLOSED;
    case KGW_SESSION_DRAINING:
        return to == KGW_SESSION_CLOSING || to == KGW_SESSION_CLOSED;
    case KGW_SESSION_CLOSING:
        return to == KGW_SESSION_CLOSED;
    case KGW_SESSION_CLOSED:
        return false;
    }
    return false;
}

/* The one place the state changes. A refused transition is a gateway bug:
 * it is logged and the session is left as it was (callers then close). */
static bool
kgw__session_set_state(kgw_session_t *s, enum kgw_session_state to)
{
    if (!kgw_session_transition_allowed(s->state, to)) {
        kgw_log_error("session %s: refused state change %s -> %s", s->peer,
                      kgw_session_state_name(s->state), kgw_session_state_name(to));
        return false;
    }
    kgw_log_debug("session %s: %s -> %s", s->peer, kgw_session_state_name(s->state),
                  kgw_session_state_name(to));
    s->state = to;
    return true;
}

kgw_session_links_t *
kgw_session_links(kgw_session_t *s)
{
    return &s->links;
}

/* ---- teardown ---------------------------------------------------------- */

/* Closing a socket with unread bytes makes the kernel reset the
 * connection; requests a client pipelined just before a close would turn a
 * clean end of stream into "connection reset". Reads (and drops) what is
 * already there, boundedly, so the close is an orderly FIN. */
static void
kgw__discard_unread(evutil_socket_t fd)
{
    char sink[16384];
    for (int i = 0; fd >= 0 && i < 64; i++) {
        ssize_t n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
        if (n <= 0)
            return;
    }
}

void
kgw_session_close(kgw_session_t *s, const char *why)
{
    if (s->state != KGW_SESSION_CLOSED && !kgw__session_set_state(s, KGW_SESSION_CLOSED))
        s->state = KGW_SESSION_CLOSED;
    kgw_log_debug("session %s: closed: %s", s->peer, why);
    kgw_broker_conn_free(s->broker);
    if (s->client != NULL) {
        kgw__discard_unread(bufferevent_getfd(s->client));
        bufferevent_free(s->client);
    }
    if (s->retry_ev != NULL)
        event_free(s->retry_ev);
    while (s->local_head != NULL) {
        kgw__local_t *l = s->local_head;
        s->local_head = l->next;
        evbuffer_free(l->buf);
        free(l);
    }
    kgw_gauge_dec(s->def->active);
    kgw_worker_remove_session(s->worker, s);
    free(s);
}

/* Stops reading both sides and closes once the client has everything that
 * was queued for it. Returns -1 when the session was freed. */
static int
kgw__session_closing(kgw_session_t *s, const char *why)
{
    if (s->state == KGW_SESSION_CLOSING)
        return 0;
    if (!kgw__session_set_state(s, KGW_SESSION_CLOSING)) {
        kgw_session_close(s, why);
        return -1;
    }
    kgw_log_debug("session %s: closing: %s", s->peer, why);
    bufferevent_disable(s->client, EV_READ);
    if (s->broker != NULL) {
        kgw_broker_conn_free(s->broker);
        s->broker = NULL;
    }
    if (evbuffer_get_length(bufferevent_get_output(s->client)) == 0) {
        kgw_session_close(s, why);
        return -1;
    }
    /* Write callback at an empty output buffer: then close. */
    bufferevent_setwatermark(s->client, EV_WRITE, 0, 0);
    struct timeval tv = {.tv_sec = 5};
    bufferevent_set_timeouts(s->client, NULL, &tv);
    return 0;
}

/* In DRAINING, moves on to CLOSING once nothing is in flight. */
static int
kgw__session_check_drained(kgw_session_t *s)
{
    if (s->state != KGW_SESSION_DRAINING)
        return 0;
    if (s->backend_done == s->backend_expected && s->local_head == NULL && !s->resp_active)
        return kgw__session_closing(s, "drained for shutdown");
    return 0;
}

void
kgw_session_drain(kgw_session_t *s)
{
    switch (s->state) {
    case KGW_SESSION_CONNECTING:
        kgw_session_close(s, "gateway shutting down");
        return;
    case KGW_SESSION_RELAYING:
        if (!kgw__session_set_state(s, KGW_SESSION_DRAINING)) {
            kgw_session_close(s, "gateway shutting down");
            return;
        }
        /* A request half relayed is finished first; no new one starts. */
        if (s->req_remaining == 0)
            bufferevent_disable(s->client, EV_READ);
        (void)kgw__session_check_drained(s);
        return;
    default:
        return;
    }
}

/* ---- responses made by the gateway ---------------------------------- */

/* Sends local responses whose turn has come. */
static void
kgw__session_flush_locals(kgw_session_t *s)
{
    struct evbuffer *out = bufferevent_get_output(s->client);
    while (s->local_head != NULL && !s->resp_active && s->backend_done >= s->local_head->after) {
        kgw__local_t *l = s->local_head;
        s->local_head = l->next;
        if (s->local_head == NULL)
            s->local_tail = NULL;
        size_t n = evbuffer_get_length(l->buf);
        if (evbuffer_add_buffer(out, l->buf) == 0)
            kgw_counter_add(s->vc->bytes_to_clients, n);
        evbuffer_free(l->buf);
        free(l);
    }
}

/* Queues `bytes` as the response to the request just read. */
static int
kgw__session_add_local(kgw_session_t *s, const uint8_t *bytes, size_t len)
{
    kgw__local_t *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return -1;
    l->buf = evbuffer_new();
    if (l->buf == NULL || evbuffer_add(l->buf, bytes, len) < 0) {
        if (l->buf != NULL)
            evbuffer_free(l->buf);
        free(l);
        return -1;
    }
    l->after = s->backend_expected;
    if (s->local_tail != NULL)
        s->local_tail->next = l;
    else
        s->local_head = l;
    s->local_tail = l;
    kgw__session_flush_locals(s);
    return 0;
}

/* ---- direct socket I/O (plain transports) ---------------------------- */

/* Reads up to KGW_TOPUP_MAX bytes that fd holds into in (unfrozen). */
static void
kgw__topup_read(struct evbuffer *in, evutil_socket_t fd)
{
    size_t total = 0;
    while (total < KGW_TOPUP_MAX) {
        struct evbuffer_iovec v[2];
        int nv = evbuffer_reserve_space(in, KGW_TOPUP_STEP, v, 2);
        if (nv <= 0)
            return;
        struct iovec iov[2];
        size_t want = 0;
        for (int i = 0; i < nv; i++) {
            iov[i].iov_base = v[i].iov_base;
            iov[i].iov_len = v[i].iov_len;
            want += v[i].iov_len;
        }
        ssize_t r = readv(fd, iov, nv);
        if (r <= 0) {
            (void)evbuffer_commit_space(in, v, 0);
            return;
        }
        size_t left = (size_t)r;
        int used = 0;
        for (int i = 0; i < nv && left > 0; i++, used++) {
            if (v[i].iov_len > left)
                v[i].iov_len = left;
            left -= v[i].iov_len;
        }
        if (evbuffer_commit_space(in, v, used) != 0)
            return;
        total += (size_t)r;
        if ((size_t)r < want)
            return; /* the kernel had no more */
    }
}

/*
 * libevent 2.1's socket bufferevent reads at most 4096 bytes per wakeup
 * and asks FIONREAD before each read, so relaying a 1 MB produce request
 * took ~256 wakeups, each with an ioctl, a readv, and event changes. When
 * the transport is plain TCP and libevent's read filled its whole chunk
 * (so more is likely waiting), this reads what the kernel holds straight
 * into bev's input buffer, up to KGW_TOPUP_MAX bytes. End of stream and
 * errors are left in the socket for libevent's next read to report (the
 * socket stays readable), so the bufferevent's event callback still sees
 * them. Never fails: on any problem it just reads less.
 */
static void
kgw__topup(struct bufferevent *bev)
{
    struct evbuffer *in = bufferevent_get_input(bev);
    if (evbuffer_get_length(in) < KGW_LIBEVENT_READ_CHUNK)
        return;
    evutil_socket_t fd = bufferevent_getfd(bev);
    if (fd < 0)
        return;
    /* A bufferevent freezes the end of its input buffer between its own
     * reads; this is one of them. */
    if (evbuffer_unfreeze(in, 0) != 0)
        return;
    kgw__topup_read(in, fd);
    (void)evbuffer_freeze(in, 0);
}

/*
 * Moves the first n bytes of `in` to dst's output. On a plain transport
 * whose output queue is empty they are first written straight to the
 * socket (one writev, no event changes, no wakeup for writability); only
 * what the kernel did not take is queued, so ordering is kept. A failed
 * direct write leaves everything queued for libevent, whose own write then
 * reports the error. Returns 0, or -1 when queueing ran out of memory.
 */
static int
kgw__relay(struct bufferevent *dst, bool direct, struct evbuffer *in, size_t n)
{
    struct evbuffer *out = bufferevent_get_output(dst);
    if (direct && evbuffer_get_length(out) == 0) {
        evutil_socket_t fd = bufferevent_getfd(dst);
        int w = fd >= 0 ? evbuffer_write_atmost(in, fd, (ev_ssize_t)n) : -1;
        if (w > 0)
            n -= (size_t)w;
    }
    if (n > 0 && evbuffer_remove_buffer(in, out, n) != (int)n)
        return -1;
    return 0;
}

/* ---- client -> broker ------------------------------------------------ */

/*
 * The seam for the policy chain (a later issue): every request passes here
 * with its api key, version and correlation id before it is relayed. The
 * chain will be able to let it through, answer it locally (a response
 * queued with kgw__session_add_local keeps its place in the order) or drop
 * it. Today nothing is configured, so every request continues.
 */
typedef enum { KGW__CHAIN_CONTINUE = 0 } kgw__chain_result_t;

static kgw__chain_result_t
kgw__session_on_request(kgw_session_t *s, const kgw_request_info_t *req)
{
    (void)s;
    (void)req;
    return KGW__CHAIN_CONTINUE;
}

/* Kafka clients and brokers disable Nagle; a relay that did not would add
 * delayed-ACK stalls (tens of ms) to every response written in pieces. */
static void
kgw__nodelay(evutil_socket_t fd)
{
    int one = 1;
    if (fd >= 0)
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static uint64_t
kgw__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The response side of the same seam: a chain that subscribes to an API's
 * responses will make them be read whole and handed to it (in reverse
 * policy order) before the address rewrite. Nothing subscribes yet.
 */
static bool
kgw__session_wants_response(const kgw_session_t *s, const kgw_inflight_t *req)
{
    (void)s;
    (void)req;
    return false;
}

static uint32_t
kgw__be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Rejects the client's frame: logs, counts and closes. Returns -1. */
static int kgw__session_reject(kgw_session_t *s, kgw_counter_t *counter, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
kgw__session_reject(kgw_session_t *s, kgw_counter_t *counter, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    kgw_log_warn("session %s (listener '%s'): %s; closing the connection", s->peer,
                 s->def->cfg->name, why);
    kgw_counter_inc(counter);
    kgw_session_close(s, why);
    return -1;
}

/* Reads the next request's header and decides what to do with it.
 * Returns 1 when a request was started (or answered), 0 when more bytes
 * are needed, -1 when the session was freed. */
static int
kgw__session_next_request(kgw_session_t *s, struct evbuffer *in)
{
    size_t avail = evbuffer_get_length(in);
    if (avail < 4)
        return 0;
    uint8_t stack[4 + KGW_PEEK_STACK];
    if (evbuffer_copyout(in, stack, 4) != 4)
        return 0;
    int32_t size = (int32_t)kgw__be32(stack);
    if (size < 0)
        return kgw__session_reject(s, s->def->rejected_malformed,
                                   "malformed request: negative frame size %d", (int)size);
    if ((size_t)size > s->def->max_frame_bytes)
        return kgw__session_reject(s, s->def->rejected_too_large,
                                   "request frame of %d bytes exceeds the limit of %zu bytes",
                                   (int)size, s->def->max_frame_bytes);
    if (size < KGW_REQUEST_HEADER_MIN)
        return kgw__session_reject(s, s->def->rejected_malformed,
                                   "malformed request: frame size %d is below the 8-byte header",
                                   (int)size);
    size_t frame = (size_t)size;
    size_t have = avail - 4 < frame ? avail - 4 : frame;

    kgw_request_info_t req;
    const char *why = "";
    size_t n = have < KGW_PEEK_STACK ? have : KGW_PEEK_STACK;
    if (evbuffer_copyout(in, stack, 4 + n) != (ev_ssize_t)(4 + n))
        return 0;
    kgw_peek_result_t pr = kgw_request_peek(stack + 4, n, frame, &req, &why);
    if (pr == KGW_PEEK_NEED_MORE && have > n) {
        n = have < KGW_PEEK_MAX ? have : KGW_PEEK_MAX;
        const uint8_t *p = evbuffer_pullup(in, (ev_ssize_t)(4 + n));
        if (p == NULL) {
            kgw_session_close(s, "out of memory reading a request header");
            return -1;
        }
        pr = kgw_request_peek(p + 4, n, frame, &req, &why);
    }
    if (pr == KGW_PEEK_NEED_MORE) {
        if (n >= KGW_PEEK_MAX)
            return kgw__session_reject(s, s->def->rejected_malformed,
                                       "malformed request: header longer than %d bytes",
                                       KGW_PEEK_MAX);
        return 0;
    }
    if (pr == KGW_PEEK_MALFORMED)
        return kgw__session_reject(s, s->def->rejected_malformed,
                                   "malformed request (%d-byte frame, api key %d, version %d): %s",
                                   (int)size, have >= 2 ? (int)((stack[4] << 8) | stack[5]) : -1,
                                   have >= 4 ? (int)(int16_t)((stack[6] << 8) | stack[7]) : -1,
                                   why);

    /* KIP-511: an ApiVersions newer than kgw knows is answered here (v0
     * body, UNSUPPORTED_VERSION); the whole small request must be here to
     * drop it. Nothing is counted or handed on until then. */
    bool too_new = req.api_key == KGW_API_API_VERSIONS && req.api_version > kgw_api_versions_max();
    if (too_new && avail < 4 + frame)
        return 0;

    kgw_virtual_cluster_count_request(s->vc, req.api_key);
    if (kgw__session_on_request(s, &req) != KGW__CHAIN_CONTINUE)
        return 1;

    if (too_new) {
        kgw_wbuf_t w;
        kgw_codec_error_t err;
        kgw_wbuf_init(&w, &err);
        int rc = kgw_api_versions_unsupported(req.correlation_id, &w, &err);
        if (rc == 0)
            rc = kgw__session_add_local(s, w.buf, w.len);
        kgw_wbuf_free(&w);
        if (rc != 0) {
            kgw_session_close(s, "out of memory answering ApiVersions");
            return -1;
        }
        kgw_log_debug("session %s: ApiVersions v%d is newer than v%d: answered "
                      "UNSUPPORTED_VERSION",
                      s->peer, (int)req.api_version, (int)kgw_api_versions_max());
        kgw_counter_inc(s->def->rejected_unsupported);
        kgw_virtual_cluster_count_response(s->vc, req.api_key, 0);
        evbuffer_drain(in, 4 + frame);
        kgw_counter_add(s->vc->bytes_from_clients, 4 + frame);
        return 1;
    }

    if (req.expects_response) {
        kgw_inflight_t f = {.correlation_id = req.correlation_id,
                            .api_key = req.api_key,
                            .api_version = req.api_version,
                            .sent_ns = kgw__now_ns()};
        if (kgw_broker_conn_push(s->broker, &f) != 0) {
            kgw_session_close(s, "out of memory queueing a request");
            return -1;
        }
        s->backend_expected++;
    } else {
        kgw_broker_conn_note_unanswered(s->broker, req.correlation_id);
    }
    kgw_log_debug("session %s: request %s v%d correlation id %d, %d bytes%s", s->peer,
                  kgw_api_name(req.api_key), (int)req.api_version, (int)req.correlation_id,
                  (int)size, req.expects_response ? "" : " (no response expected)");
    s->req_remaining = 4 + frame;
    return 1;
}

/* Relays as many client bytes as the broker's output allows. */
static int
kgw__session_pump_client(kgw_session_t *s)
{
    struct evbuffer *in = bufferevent_get_input(s->client);
    while ((s->state == KGW_SESSION_RELAYING ||
            (s->state == KGW_SESSION_DRAINING && s->req_remaining > 0)) &&
           !s->client_paused) {
        if (s->req_remaining == 0) {
            int rc = kgw__session_next_request(s, in);
            if (rc < 0)
                return -1;
            if (rc == 0)
                break;
            continue;
        }
        size_t avail = evbuffer_get_length(in);
        if (avail == 0)
            break;
        size_t n = avail < s->req_remaining ? avail : s->req_remaining;
        struct bufferevent *dst = kgw_broker_conn_bev(s->broker);
        struct evbuffer *out = bufferevent_get_output(dst);
        if (kgw__relay(dst, s->backend_direct, in, n) != 0) {
            kgw_session_close(s, "out of memory relaying a request");
            return -1;
        }
        kgw_counter_add(s->vc->bytes_from_clients, n);
        s->req_remaining -= n;
        if (s->req_remaining == 0 && s->state == KGW_SESSION_DRAINING)
            bufferevent_disable(s->client, EV_READ); /* that was the last one */
        if (evbuffer_get_length(out) >= KGW_SESSION_HIGH_WATERMARK) {
            s->client_paused = true;
            bufferevent_disable(s->client, EV_READ);
        }
    }
    return 0;
}

/* ---- broker -> client ------------------------------------------------ */

/* A response is complete: count it and let queued local responses out. */
static int
kgw__session_response_done(kgw_session_t *s)
{
    s->resp_active = false;
    s->backend_done++;
    uint64_t now = kgw__now_ns();
    kgw_virtual_cluster_count_response(s->vc, s->resp.api_key,
                                       now > s->resp.sent_ns ? now - s->resp.sent_ns : 0);
    kgw__session_flush_locals(s);
    return kgw__session_check_drained(s);
}

static int
kgw__session_rewrite_whole(kgw_session_t *s, struct evbuffer *in, struct evbuffer *out)
{
    size_t total = 4 + (size_t)s->resp_size;
    const uint8_t *p = evbuffer_pullup(in, (ev_ssize_t)total);
    if (p == NULL) {
        kgw_session_close(s, "out of memory reading a response");
        return -1;
    }
    kgw_wbuf_t w;
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_wbuf_init(&w, &err);
    int rc = kgw_rewrite_response(&s->rw, s->resp.api_key, s->resp.api_version, p + 4, s->resp_size,
                                  &w, &err);
    if (rc < 0) {
        kgw_log_warn("session %s: cannot rewrite the %s v%d response from broker %s: %s; closing "
                     "the connection",
                     s->peer, kgw_api_name(s->resp.api_key), (int)s->resp.api_version,
                     kgw_broker_conn_target(s->broker), err.msg);
        kgw_wbuf_free(&w);
        kgw_session_close(s, "response rewrite failed");
        return -1;
    }
    if (rc == KGW_REWRITE_UNCHANGED) {
        kgw_wbuf_free(&w);
        if (evbuffer_remove_buffer(in, out, total) != (int)total) {
            kgw_session_close(s, "out of memory writing a response");
            return -1;
        }
        kgw_counter_add(s->vc->bytes_to_clients, total);
        return kgw__session_response_done(s);
    }
    if (evbuffer_add(out, w.buf, w.len) < 0) {
        kgw_wbuf_free(&w);
        kgw_session_close(s, "out of memory writing a response");
        return -1;
    }
    kgw_counter_add(s->vc->bytes_to_clients, w.len);
    kgw_wbuf_free(&w);
    evbuffer_drain(in, total);
    return kgw__session_response_done(s);
}

/* Reads the next response's size and correlation id and matches it with
 * the oldest in-flight request. Returns 1 when started, 0 when more bytes
 * are needed, -1 when the session was freed. */
static int
kgw__session_next_response(kgw_session_t *s, struct evbuffer *in)
{
    uint8_t hdr[8];
    if (evbuffer_copyout(in, hdr, 8) != 8)
        return 0;
    int32_t size = (int32_t)kgw__be32(hdr);
    int32_t cid = (int32_t)kgw__be32(hdr + 4);
    char why[200];
    if (size < 4) {
        snprintf(why, sizeof(why), "broker %s sent a response with frame size %d",
                 kgw_broker_conn_target(s->broker), (int)size);
        goto fail;
    }
    kgw_inflight_t head;
    bool has_head = kgw_broker_conn_peek(s->broker, &head);
    if ((!has_head || head.correlation_id != cid) &&
        kgw_broker_conn_take_unanswered(s->broker, cid)) {
        /* An answer to a request the client expects no answer to. */
        kgw_log_debug("session %s: dropping broker %s's answer to acks=0 request %d", s->peer,
                      kgw_broker_conn_target(s->broker), (int)cid);
        s->resp_active = true;
        s->resp_whole = false;
        s->resp_discard = true;
        s->resp_remaining = 4 + (size_t)size;
        return 1;
    }
    if (!kgw_broker_conn_pop(s->broker, &s->resp)) {
        snprintf(why, sizeof(why), "broker %s sent a response (correlation id %d) to no request",
                 kgw_broker_conn_target(s->broker), (int)cid);
        goto fail;
    }
    if (s->resp.correlation_id != cid) {
        snprintf(why, sizeof(why),
                 "broker %s answered correlation id %d while %d (%s) was expected",
                 kgw_broker_conn_target(s->broker), (int)cid, (int)s->resp.correlation_id,
                 kgw_api_name(s->resp.api_key));
        goto fail;
    }
    s->resp_active = true;
    s->resp_discard = false;
    s->resp_size = (uint32_t)size;
    s->resp_whole = kgw_rewrite_needed(s->resp.api_key, s->resp.api_version) ||
                    kgw__session_wants_response(s, &s->resp);
    if (s->resp_whole) {
        if (!kgw_rewrite_possible(s->resp.api_key, s->resp.api_version)) {
            snprintf(why, sizeof(why),
                     "%s v%d responses carry broker addresses but this version cannot be "
                     "decoded",
                     kgw_api_name(s->resp.api_key), (int)s->resp.api_version);
            goto fail;
        }
        if ((size_t)size > s->def->max_frame_bytes) {
            snprintf(why, sizeof(why), "%s response of %d bytes exceeds the limit of %zu bytes",
                     kgw_api_name(s->resp.api_key), (int)size, s->def->max_frame_bytes);
            goto fail;
        }
    } else {
        s->resp_remaining = 4 + (size_t)size;
    }
    return 1;
fail:
    kgw_log_warn("session %s: %s; closing the connection", s->peer, why);
    kgw_session_close(s, why);
    return -1;
}

static int
kgw__session_pump_backend(kgw_session_t *s)
{
    if (s->broker == NULL)
        return 0;
    struct evbuffer *in = bufferevent_get_input(kgw_broker_conn_bev(s->broker));
    struct evbuffer *out = bufferevent_get_output(s->client);
    while ((s->state == KGW_SESSION_RELAYING || s->state == KGW_SESSION_DRAINING) &&
           !s->backend_paused) {
        if (!s->resp_active) {
            int rc = kgw__session_next_response(s, in);
            if (rc <= 0)
                return rc;
            continue;
        }
        if (s->resp_whole) {
            if (evbuffer_get_length(in) < 4 + (size_t)s->resp_size)
                return 0;
            if (kgw__session_rewrite_whole(s, in, out) < 0)
                return -1;
        } else {
            size_t avail = evbuffer_get_length(in);
            if (avail == 0)
                return 0;
            size_t n = avail < s->resp_remaining ? avail : s->resp_remaining;
            if (s->resp_discard) {
                evbuffer_drain(in, n);
                s->resp_remaining -= n;
                if (s->resp_remaining == 0)
                    s->resp_active = false;
                continue;
            }
            if (kgw__relay(s->client, s->client_direct, in, n) != 0) {
                kgw_session_close(s, "out of memory relaying a response");
                return -1;
            }
            kgw_counter_add(s->vc->bytes_to_clients, n);
            s->resp_remaining -= n;
            if (s->resp_remaining == 0 && kgw__session_response_done(s) < 0)
                return -1;
        }
        if (s->state == KGW_SESSION_CLOSING)
            return 0;
        if (evbuffer_get_length(out) >= KGW_SESSION_HIGH_WATERMARK) {
            s->backend_paused = true;
            bufferevent_disable(kgw_broker_conn_bev(s->broker), EV_READ);
        }
    }
    return 0;
}

/* ---- callbacks --------------------------------------------------------- */

static void
kgw__client_read_cb(struct bufferevent *bev, void *arg)
{
    kgw_session_t *s = arg;
    if (s->client_direct && !s->client_paused)
        kgw__topup(bev);
    (void)kgw__session_pump_client(s);
}

static void
kgw__client_write_cb(struct bufferevent *bev, void *arg)
{
    kgw_session_t *s = arg;
    size_t pending = evbuffer_get_length(bufferevent_get_output(bev));
    if (s->state == KGW_SESSION_CLOSING) {
        if (pending == 0)
            kgw_session_close(s, "flushed");
        return;
    }
    if (s->backend_paused && pending <= KGW_SESSION_LOW_WATERMARK && s->broker != NULL) {
        s->backend_paused = false;
        bufferevent_enable(kgw_broker_conn_bev(s->broker), EV_READ);
        (void)kgw__session_pump_backend(s);
    }
}

static void
kgw__client_event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    kgw_session_t *s = arg;
    if (what & BEV_EVENT_TIMEOUT) {
        if (s->state == KGW_SESSION_CLOSING) {
            kgw_session_close(s, "client did not read its last responses within 5 s");
            return;
        }
        kgw_log_info("session %s: idle for %u s; closing the connection", s->peer,
                     s->def->idle_timeout_seconds);
        kgw_session_close(s, "idle timeout");
        return;
    }
    if (what & BEV_EVENT_EOF) {
        kgw_session_close(s, "client closed the connection");
        return;
    }
    if (what & BEV_EVENT_ERROR) {
        char why[160];
        snprintf(why, sizeof(why), "client connection error: %s",
                 evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        kgw_session_close(s, why);
    }
}

static void
kgw__backend_read_cb(struct bufferevent *bev, void *arg)
{
    kgw_session_t *s = arg;
    if (s->backend_direct && !s->backend_paused)
        kgw__topup(bev);
    (void)kgw__session_pump_backend(s);
}

static void
kgw__backend_write_cb(struct bufferevent *bev, void *arg)
{
    kgw_session_t *s = arg;
    size_t pending = evbuffer_get_length(bufferevent_get_output(bev));
    if (s->client_paused && pending <= KGW_SESSION_LOW_WATERMARK) {
        s->client_paused = false;
        if (s->state == KGW_SESSION_RELAYING ||
            (s->state == KGW_SESSION_DRAINING && s->req_remaining > 0))
            bufferevent_enable(s->client, EV_READ);
        (void)kgw__session_pump_client(s);
    }
}

/* The backend connection failed before it was up. Bootstrap connections
 * try the next candidate; broker connections close the client, which then
 * refreshes its metadata. */
static void
kgw__session_connect_failed(kgw_session_t *s, const char *why)
{
    const char *target = s->broker != NULL ? kgw_broker_conn_target(s->broker) : "?";
    if (s->role == KGW_PORT_BOOTSTRAP)
        kgw_log_warn("session %s: cannot connect to bootstrap candidate %s of backend cluster "
                     "'%s': %s",
                     s->peer, target, kgw_backend_cluster_name(s->vc->backend), why);
    else
        kgw_log_warn("session %s: cannot connect to broker %d at %s of backend cluster '%s': %s; "
                     "closing the client connection",
                     s->peer, (int)s->broker_id, target, kgw_backend_cluster_name(s->vc->backend),
                     why);
    kgw_counter_inc(kgw_metrics_backend_connect_failures(kgw_backend_cluster_name(s->vc->backend)));
    kgw_broker_conn_free(s->broker);
    s->broker = NULL;
    kgw_backend_cluster_request_refresh(s->vc->backend);
    if (s->role == KGW_PORT_BOOTSTRAP) {
        s->attempt++;
        (void)kgw__session_connect(s);
        return;
    }
    kgw_session_close(s, "backend connection failed");
}

static void
kgw__backend_event_cb(struct bufferevent *bev, short what, void *arg)
{
    kgw_session_t *s = arg;
    if (what & BEV_EVENT_CONNECTED) {
        bufferevent_set_timeouts(bev, NULL, NULL);
        kgw__nodelay(bufferevent_getfd(bev));
        bufferevent_setwatermark(bev, EV_WRITE, KGW_SESSION_LOW_WATERMARK, 0);
        bufferevent_set_max_single_read(bev, KGW_MAX_SINGLE_IO);
        bufferevent_set_max_single_write(bev, KGW_MAX_SINGLE_IO);
        kgw_log_debug("session %s: connected to broker %s", s->peer,
                      kgw_broker_conn_target(s->broker));
        if (!kgw__session_set_state(s, KGW_SESSION_RELAYING)) {
            kgw_session_close(s, "bad state");
            return;
        }
        struct timeval idle = {.tv_sec = s->def->idle_timeout_seconds};
        bufferevent_set_timeouts(s->client, &idle, NULL);
        bufferevent_enable(s->client, EV_READ);
        (void)kgw__session_pump_client(s);
        return;
    }
    char why[200];
    if (what & BEV_EVENT_TIMEOUT) {
        snprintf(why, sizeof(why), "timed out");
    } else if (what & BEV_EVENT_EOF) {
        snprintf(why, sizeof(why), "connection closed by the broker");
    } else {
        int dns_err = bufferevent_socket_get_dns_error(bev);
        if (dns_err != 0)
            snprintf(why, sizeof(why), "cannot resolve: %s", evutil_gai_strerror(dns_err));
        else
            snprintf(why, sizeof(why), "%s", evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
    }
    if (s->state == KGW_SESSION_CONNECTING) {
        kgw__session_connect_failed(s, why);
        return;
    }
    kgw_log_info("session %s: broker %s: %s; closing the client connection", s->peer,
                 kgw_broker_conn_target(s->broker), why);
    (void)kgw__session_closing(s, why);
}

/* ---- setup --------------------------------------------------------- */

static void
kgw__session_retry_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)kgw__session_connect(arg);
}

/* Picks the backend address for this session and starts connecting. */
static int
kgw__session_connect(kgw_session_t *s)
{
    char host[KGW_HOST_MAX];
    uint16_t port = 0;
    kgw_backend_cluster_t *bc = s->vc->backend;
    if (s->role == KGW_PORT_BROKER) {
        if (!kgw_backend_cluster_lookup(bc, s->broker_id, host, sizeof(host), &port)) {
            if (s->attempt >= KGW_LOOKUP_RETRIES) {
                kgw_log_warn("session %s: broker %d (port %u) is not in backend cluster '%s'; "
                             "closing the connection",
                             s->peer, (int)s->broker_id, (unsigned)s->listener->port,
                             kgw_backend_cluster_name(bc));
                kgw_session_close(s, "unknown broker");
                return -1;
            }
            s->attempt++;
            kgw_backend_cluster_request_refresh(bc);
            struct timeval tv = {.tv_sec = 0, .tv_usec = KGW_LOOKUP_RETRY_MS * 1000};
            if (evtimer_add(s->retry_ev, &tv) < 0) {
                kgw_session_close(s, "cannot schedule a retry");
                return -1;
            }
            return 0;
        }
    } else if (!kgw_backend_cluster_candidate(bc, s->attempt, s->rotation, host, sizeof(host),
                                              &port)) {
        kgw_log_warn("session %s: no broker of backend cluster '%s' reachable (%zu tried); "
                     "closing the connection",
                     s->peer, kgw_backend_cluster_name(bc), s->attempt);
        kgw_session_close(s, "no backend broker reachable");
        return -1;
    }
    s->backend_direct = kgw_transport_plain.direct_fd_io;
    static const kgw_broker_conn_cbs_t cbs = {
        .on_read = kgw__backend_read_cb,
        .on_write = kgw__backend_write_cb,
        .on_event = kgw__backend_event_cb,
    };
    const char *why = "";
    s->broker = kgw_broker_conn_connect(
        kgw_worker_base(s->worker), kgw_worker_dns(s->worker), &kgw_transport_plain, host, port,
        s->role == KGW_PORT_BROKER ? s->broker_id : -1, &cbs, s, &why);
    if (s->broker == NULL) {
        kgw__session_connect_failed(s, why);
        return -1; /* conservatively: the session may be gone */
    }
    return 0;
}

void
kgw_session_accept(kgw_listener_t *l, evutil_socket_t fd, struct sockaddr *addr, int addrlen)
{
    const kgw_listener_def_t *def = l->def;
    char peer[80] = "?";
    char ip[64] = "?";
    if (addr->sa_family == AF_INET6 && addrlen >= (int)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)addr;
        evutil_inet_ntop(AF_INET6, &a6->sin6_addr, ip, sizeof(ip));
        snprintf(peer, sizeof(peer), "[%s]:%u", ip, (unsigned)ntohs(a6->sin6_port));
    } else if (addr->sa_family == AF_INET) {
        const struct sockaddr_in *a4 = (const struct sockaddr_in *)addr;
        evutil_inet_ntop(AF_INET, &a4->sin_addr, ip, sizeof(ip));
        snprintf(peer, sizeof(peer), "%s:%u", ip, (unsigned)ntohs(a4->sin_port));
    }
    kgw_counter_inc(def->accepted);
    if (def->port_mapping == NULL) {
        kgw_log_warn("listener '%s': connection from %s on port %u: no forward rule applies "
                     "(SNI needs TLS, not supported yet); closing it",
                     def->cfg->name, peer, (unsigned)l->port);
        evutil_closesocket(fd);
        return;
    }
    int32_t broker_id = -1;
    kgw_port_role_t role = kgw_broker_map_role_of(def->map, l->port, &broker_id);
    if (role == KGW_PORT_UNMAPPED) {
        kgw_log_warn("listener '%s': connection from %s on port %u, which maps to no broker; "
                     "closing it",
                     def->cfg->name, peer, (unsigned)l->port);
        evutil_closesocket(fd);
        return;
    }
    kgw_session_t *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        kgw_log_error("listener '%s': out of memory accepting %s", def->cfg->name, peer);
        evutil_closesocket(fd);
        return;
    }
    s->listener = l;
    s->def = def;
    s->worker = l->worker;
    s->vc = def->vcluster;
    s->state = KGW_SESSION_CONNECTING;
    s->role = role;
    s->broker_id = broker_id;
    s->rotation = kgw_worker_next_rotation(l->worker);
    memcpy(s->peer, peer, sizeof(s->peer));
    s->rw.map = def->map;
    s->rw.backend = s->vc->backend;
    s->rw.virtual_cluster = kgw_virtual_cluster_name(s->vc);
    s->rw.client = s->peer;
    evutil_make_socket_nonblocking(fd);
    kgw__nodelay(fd);
    s->client = def->transport->accept(def->transport, kgw_worker_base(l->worker), fd, s);
    s->client_direct = def->transport->direct_fd_io;
    s->retry_ev = evtimer_new(kgw_worker_base(l->worker), kgw__session_retry_cb, s);
    if (s->client == NULL || s->retry_ev == NULL) {
        kgw_log_error("listener '%s': out of memory accepting %s", def->cfg->name, peer);
        if (s->client != NULL)
            bufferevent_free(s->client);
        if (s->retry_ev != NULL)
            event_free(s->retry_ev);
        free(s);
        return;
    }
    bufferevent_setcb(s->client, kgw__client_read_cb, kgw__client_write_cb, kgw__client_event_cb,
                      s);
    bufferevent_setwatermark(s->client, EV_WRITE, KGW_SESSION_LOW_WATERMARK, 0);
    bufferevent_set_max_single_read(s->client, KGW_MAX_SINGLE_IO);
    bufferevent_set_max_single_write(s->client, KGW_MAX_SINGLE_IO);
    bufferevent_disable(s->client, EV_READ);
    bufferevent_enable(s->client, EV_WRITE);
    kgw_worker_add_session(l->worker, s);
    kgw_gauge_inc(def->active);
    if (role == KGW_PORT_BROKER)
        kgw_log_debug("session %s: accepted on port %u for broker %d", s->peer, (unsigned)l->port,
                      (int)broker_id);
    else
        kgw_log_debug("session %s: accepted on bootstrap port %u", s->peer, (unsigned)l->port);
    (void)kgw__session_connect(s);
}
