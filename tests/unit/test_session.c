/*
 * kgw_session: the state machine, and the relay end to end on loopback: a
 * real worker thread and listener in front of a scripted fake broker, with
 * a blocking test client.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "backend_cluster.h"
#include "codec.h"
#include "kgw_api.h"
#include "kgw_messages.h"
#include "listener.h"
#include "session.h"
#include "virtual_cluster.h"
#include "worker.h"

/* ---- state machine ------------------------------------------------- */

START_TEST(only_forward_transitions_are_allowed)
{
    enum kgw_session_state C = KGW_SESSION_CONNECTING, R = KGW_SESSION_RELAYING,
                           D = KGW_SESSION_DRAINING, G = KGW_SESSION_CLOSING,
                           X = KGW_SESSION_CLOSED;
    ck_assert(kgw_session_transition_allowed(C, R));
    ck_assert(kgw_session_transition_allowed(C, X));
    ck_assert(kgw_session_transition_allowed(R, D));
    ck_assert(kgw_session_transition_allowed(R, G));
    ck_assert(kgw_session_transition_allowed(D, G));
    ck_assert(kgw_session_transition_allowed(G, X));
    ck_assert(!kgw_session_transition_allowed(C, D)); /* nothing to drain yet */
    ck_assert(!kgw_session_transition_allowed(R, C));
    ck_assert(!kgw_session_transition_allowed(D, R));
    ck_assert(!kgw_session_transition_allowed(G, R));
    ck_assert(!kgw_session_transition_allowed(X, C));
    ck_assert(!kgw_session_transition_allowed(X, X));
    ck_assert_str_eq(kgw_session_state_name(D), "draining");
}
END_TEST

/* ---- a scripted broker ---------------------------------------------- */

typedef struct {
    int listen_fd;
    uint16_t port;
    pthread_t thread;
    int delay_first_ms;         /* delay before answering the first request */
    _Atomic size_t big_written; /* bytes of the big response written so far */
} fake_broker_t;

#define BIG_RESPONSE (32u * 1024 * 1024)

static int
read_full(int fd, void *buf, size_t n)
{
    size_t off = 0;
    while (off < n) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 5000) <= 0)
            return -1;
        ssize_t r = read(fd, (char *)buf + off, n - off);
        if (r <= 0)
            return -1;
        off += (size_t)r;
    }
    return 0;
}

static int
write_full(int fd, const void *buf, size_t n)
{
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, (const char *)buf + off, n - off);
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

static uint32_t
be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Answers each request on one connection:
 *   Metadata v1    -> brokers 0 (127.0.0.1:fake port) and 9 (no gateway port)
 *   Produce acks=0 -> nothing
 *   anything else  -> correlation id + the request body echoed */
static void *
fake_broker_main(void *arg)
{
    fake_broker_t *fb = arg;
    int fd = accept(fb->listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    bool first = true;
    for (;;) {
        uint8_t hdr[4];
        if (read_full(fd, hdr, 4) != 0)
            break;
        uint32_t size = be32(hdr);
        uint8_t *req = malloc(size);
        if (req == NULL || read_full(fd, req, size) != 0) {
            free(req);
            break;
        }
        int16_t key = (int16_t)((req[0] << 8) | req[1]);
        int16_t version = (int16_t)((req[2] << 8) | req[3]);
        int32_t cid = (int32_t)be32(req + 4);
        if (first && fb->delay_first_ms > 0)
            usleep((useconds_t)fb->delay_first_ms * 1000);
        first = false;
        if (key == KGW_API_METADATA) {
            kgw_arena_t *a = kgw_arena_new(0);
            kgw_metadata_response_t m;
            ck_assert_int_eq(kgw_metadata_response_init(a, &m), 0);
            kgw_metadata_response_broker_t b[2] = {
                {.node_id = 0, .host = {"127.0.0.1", 9}, .port = fb->port, .rack = {NULL, -1}},
                {.node_id = 9, .host = {"10.9.9.9", 8}, .port = 9092, .rack = {NULL, -1}},
            };
            m.brokers.count = 2;
            m.brokers.items = b;
            kgw_wbuf_t w;
            kgw_wbuf_init(&w, NULL);
            kgw_response_header_t h = {.correlation_id = cid};
            ck_assert_int_eq(kgw_response_encode(&w, KGW_API_METADATA, version, &h, &m, NULL), 0);
            write_full(fd, w.buf, w.len);
            kgw_wbuf_free(&w);
            kgw_arena_free(a);
        } else if (size - 11 == 3 && memcmp(req + 11, "big", 3) == 0) {
            /* A 32 MiB response written without blocking: how much the
             * socket accepts while the client does not read shows whether
             * the gateway stopped reading (backpressure). */
            size_t total = BIG_RESPONSE;
            uint8_t *resp = calloc(1, 8 + total);
            put32(resp, (uint32_t)(4 + total));
            put32(resp + 4, (uint32_t)cid);
            size_t off = 0;
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
            while (off < 8 + total) {
                ssize_t w = write(fd, resp + off, 8 + total - off);
                if (w > 0) {
                    off += (size_t)w;
                    atomic_store(&fb->big_written, off);
                    continue;
                }
                if (w < 0 && errno != EAGAIN)
                    break;
                struct pollfd p = {.fd = fd, .events = POLLOUT};
                if (poll(&p, 1, 10000) <= 0)
                    break;
            }
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            free(resp);
        } else if (key == KGW_API_PRODUCE) {
            /* the tests only send acks=0 Produce: no answer */
        } else {
            /* The body after header v1 with the tests' one-byte client id. */
            uint8_t out[8];
            put32(out, 4 + (size - 11));
            put32(out + 4, (uint32_t)cid);
            write_full(fd, out, 8);
            write_full(fd, req + 11, size - 11);
        }
        free(req);
    }
    close(fd);
    return NULL;
}

static void
fake_broker_start(fake_broker_t *fb)
{
    fb->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fb->listen_fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(fb->listen_fd, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(listen(fb->listen_fd, 4), 0);
    socklen_t len = sizeof(a);
    ck_assert_int_eq(getsockname(fb->listen_fd, (struct sockaddr *)&a, &len), 0);
    fb->port = ntohs(a.sin_port);
    ck_assert_int_eq(pthread_create(&fb->thread, NULL, fake_broker_main, fb), 0);
}

static void
fake_broker_stop(fake_broker_t *fb)
{
    shutdown(fb->listen_fd, SHUT_RDWR);
    close(fb->listen_fd);
    pthread_join(fb->thread, NULL);
}

/* ---- the gateway side: a worker with one port_mapping listener -------- */

typedef struct {
    fake_broker_t broker;
    kgw_config_backend_cluster_t bc_cfg;
    kgw_config_host_port_t bootstrap;
    kgw_config_virtual_cluster_t vc_cfg;
    kgw_config_forward_t fwd;
    kgw_config_listener_t l_cfg;
    char *addresses[1];
    uint16_t ports[2];
    struct event_base *main_base;
    kgw_backend_cluster_t *bc;
    kgw_virtual_cluster_t *vc;
    kgw_listener_def_t *def;
    kgw_worker_t *worker;
} rig_t;

static rig_t rig;

static uint16_t
free_port_pair(void)
{
    /* Two consecutive free ports: probe with bind. */
    for (int attempt = 0; attempt < 50; attempt++) {
        int a = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(sa);
        bind(a, (struct sockaddr *)&sa, sizeof(sa));
        getsockname(a, (struct sockaddr *)&sa, &len);
        uint16_t p = ntohs(sa.sin_port);
        int b = socket(AF_INET, SOCK_STREAM, 0);
        sa.sin_port = htons((uint16_t)(p + 1));
        int ok = p < 65535 && bind(b, (struct sockaddr *)&sa, sizeof(sa)) == 0;
        close(a);
        close(b);
        if (ok)
            return p;
    }
    ck_abort_msg("no two consecutive free ports");
    return 0;
}

static void
rig_start(int delay_first_ms)
{
    memset(&rig, 0, sizeof(rig));
    rig.broker.delay_first_ms = delay_first_ms;
    fake_broker_start(&rig.broker);

    rig.bootstrap = (kgw_config_host_port_t){.host = "127.0.0.1", .port = rig.broker.port};
    rig.bc_cfg = (kgw_config_backend_cluster_t){.name = "fake",
                                                .bootstrap_servers = &rig.bootstrap,
                                                .n_bootstrap_servers = 1,
                                                .metadata_update_interval_seconds = 60};
    rig.vc_cfg = (kgw_config_virtual_cluster_t){.name = "vc", .destination = &rig.bc_cfg};
    rig.fwd = (kgw_config_forward_t){.type = KGW_CONFIG_FORWARD_PORT_MAPPING,
                                     .virtual_cluster_index = 0,
                                     .virtual_cluster = &rig.vc_cfg,
                                     .advertised_host = "gw.test",
                                     .bootstrap_port = KGW_CONFIG_BOOTSTRAP_AT_START,
                                     .min_broker_id = 0};
    rig.addresses[0] = "127.0.0.1";
    uint16_t p = free_port_pair();
    rig.ports[0] = p;
    rig.ports[1] = (uint16_t)(p + 1);
    rig.l_cfg = (kgw_config_listener_t){.name = "test",
                                        .addresses = rig.addresses,
                                        .n_addresses = 1,
                                        .ports = rig.ports,
                                        .n_ports = 2,
                                        .forward = &rig.fwd,
                                        .n_forward = 1};
    rig.main_base = event_base_new();
    ck_assert_ptr_nonnull(rig.main_base);
    rig.bc = kgw_backend_cluster_new(&rig.bc_cfg, rig.main_base, NULL);
    ck_assert_ptr_nonnull(rig.bc);
    rig.vc = kgw_virtual_cluster_new(&rig.vc_cfg, rig.bc);
    ck_assert_ptr_nonnull(rig.vc);
    rig.def = kgw_listener_def_new(&rig.l_cfg, &rig.vc);
    ck_assert_ptr_nonnull(rig.def);
    rig.def->max_frame_bytes = 1024 * 1024;
    char err[256];
    rig.worker = kgw_worker_new(0, err, sizeof(err));
    ck_assert_msg(rig.worker != NULL, "%s", err);
    ck_assert_msg(kgw_worker_listen(rig.worker, rig.def, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(kgw_worker_start(rig.worker), 0);
}

static void
rig_stop(void)
{
    kgw_worker_drain(rig.worker, 1);
    kgw_worker_join(rig.worker);
    kgw_worker_free(rig.worker);
    fake_broker_stop(&rig.broker);
    kgw_listener_def_free(rig.def);
    kgw_virtual_cluster_free(rig.vc);
    kgw_backend_cluster_free(rig.bc);
    event_base_free(rig.main_base);
}

static int
client_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

/* Appends a request frame: header v1 (client id "t") + body. */
static size_t
request(uint8_t *out, int16_t key, int16_t version, int32_t cid, const void *body, size_t n)
{
    size_t size = 8 + 2 + 1 + n;
    put32(out, (uint32_t)size);
    out[4] = (uint8_t)(key >> 8), out[5] = (uint8_t)key;
    out[6] = (uint8_t)(version >> 8), out[7] = (uint8_t)version;
    put32(out + 8, (uint32_t)cid);
    out[12] = 0, out[13] = 1, out[14] = 't';
    memcpy(out + 15, body, n);
    return 4 + size;
}

/* Reads one response frame; returns its size (after the prefix) or -1. */
static int
response(int fd, uint8_t *buf, size_t cap)
{
    uint8_t hdr[4];
    if (read_full(fd, hdr, 4) != 0)
        return -1;
    uint32_t size = be32(hdr);
    ck_assert_uint_le(size, cap);
    if (read_full(fd, buf, size) != 0)
        return -1;
    return (int)size;
}

static bool
closed_by_gateway(int fd)
{
    uint8_t b[64];
    for (int i = 0; i < 100; i++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 5000) <= 0)
            return false;
        ssize_t r = read(fd, b, sizeof(b));
        if (r == 0 || (r < 0 && errno == ECONNRESET))
            return true;
    }
    return false;
}

START_TEST(relays_in_order_and_skips_acks_zero)
{
    rig_start(0);
    int fd = client_connect(rig.ports[0]);
    uint8_t buf[512];
    size_t n = 0;
    /* ListOffsets (echoed), Produce v3 acks=0 (no answer), ListOffsets. */
    n += request(buf + n, KGW_API_LIST_OFFSETS, 5, 1, "first", 5);
    const uint8_t produce_body[] = {0xff, 0xff, 0, 0, 0, 0, 0x75, 0x30, 0, 0, 0, 0};
    n += request(buf + n, KGW_API_PRODUCE, 3, 2, produce_body, sizeof(produce_body));
    n += request(buf + n, KGW_API_LIST_OFFSETS, 5, 3, "third", 5);
    ck_assert_int_eq(write_full(fd, buf, n), 0);

    uint8_t r[256];
    ck_assert_int_eq(response(fd, r, sizeof(r)), 9);
    ck_assert_int_eq((int32_t)be32(r), 1);
    ck_assert(memcmp(r + 4, "first", 5) == 0);
    ck_assert_int_eq(response(fd, r, sizeof(r)), 9);
    ck_assert_int_eq((int32_t)be32(r), 3);
    ck_assert(memcmp(r + 4, "third", 5) == 0);
    close(fd);
    rig_stop();
}
END_TEST

START_TEST(metadata_shows_gateway_addresses_only)
{
    rig_start(0);
    int fd = client_connect(rig.ports[0]);
    uint8_t buf[64];
    const uint8_t body[] = {0, 0, 0, 0}; /* Metadata v1: no topics */
    size_t n = request(buf, KGW_API_METADATA, 1, 42, body, sizeof(body));
    ck_assert_int_eq(write_full(fd, buf, n), 0);
    uint8_t r[512];
    int len = response(fd, r, sizeof(r));
    ck_assert_int_gt(len, 0);
    kgw_arena_t *a = kgw_arena_new(0);
    kgw_response_t resp;
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    ck_assert_msg(kgw_response_decode(a, KGW_API_METADATA, 1, r, (size_t)len, &resp, &err) == 0,
                  "%s", err.msg);
    kgw_metadata_response_t *m = resp.body;
    ck_assert_int_eq(resp.header.correlation_id, 42);
    ck_assert_int_eq(m->brokers.count, 1); /* broker 9 has no gateway port */
    ck_assert_int_eq(m->brokers.items[0].node_id, 0);
    ck_assert_int_eq(m->brokers.items[0].host.len, 7);
    ck_assert(memcmp(m->brokers.items[0].host.ptr, "gw.test", 7) == 0);
    ck_assert_int_eq(m->brokers.items[0].port, rig.ports[1]);
    ck_assert_ptr_null(memmem(r, (size_t)len, "127.0.0.1", 9));
    ck_assert_ptr_null(memmem(r, (size_t)len, "10.9.9.9", 8));
    kgw_arena_free(a);
    close(fd);
    rig_stop();
}
END_TEST

START_TEST(local_answer_waits_for_earlier_responses)
{
    rig_start(300); /* the broker answers the first request late */
    int fd = client_connect(rig.ports[0]);
    uint8_t buf[256];
    size_t n = request(buf, KGW_API_LIST_OFFSETS, 5, 1, "slow", 4);
    /* ApiVersions v99: answered by kgw itself (KIP-511), after response 1. */
    n += request(buf + n, KGW_API_API_VERSIONS, 99, 2, "", 0);
    ck_assert_int_eq(write_full(fd, buf, n), 0);
    uint8_t r[256];
    ck_assert_int_eq(response(fd, r, sizeof(r)), 8);
    ck_assert_int_eq((int32_t)be32(r), 1);
    int len = response(fd, r, sizeof(r));
    ck_assert_int_eq(len, 16);
    ck_assert_int_eq((int32_t)be32(r), 2);
    ck_assert_int_eq((r[4] << 8) | r[5], 35); /* UNSUPPORTED_VERSION */
    ck_assert_int_eq((r[10] << 8) | r[11], 18);
    close(fd);
    rig_stop();
}
END_TEST

START_TEST(oversize_and_malformed_frames_close_only_that_connection)
{
    rig_start(0);
    int good = client_connect(rig.ports[0]);
    uint8_t buf[64];

    int big = client_connect(rig.ports[0]);
    put32(buf, 2u * 1024 * 1024); /* above the 1 MiB limit of this rig */
    memset(buf + 4, 0, 12);
    ck_assert_int_eq(write_full(big, buf, 16), 0);
    ck_assert(closed_by_gateway(big));
    close(big);

    int neg = client_connect(rig.ports[0]);
    put32(buf, (uint32_t)-7);
    ck_assert_int_eq(write_full(neg, buf, 16), 0);
    ck_assert(closed_by_gateway(neg));
    close(neg);

    int overrun = client_connect(rig.ports[0]);
    size_t n = request(buf, KGW_API_API_VERSIONS, 0, 7, "", 0);
    buf[13] = 0xe8; /* client id length 1000 in an 11-byte frame */
    buf[12] = 0x03;
    ck_assert_int_eq(write_full(overrun, buf, n), 0);
    ck_assert(closed_by_gateway(overrun));
    close(overrun);

    /* The first connection still works. */
    n = request(buf, KGW_API_LIST_OFFSETS, 5, 9, "ok", 2);
    ck_assert_int_eq(write_full(good, buf, n), 0);
    uint8_t r[64];
    ck_assert_int_eq(response(good, r, sizeof(r)), 6);
    ck_assert_int_eq((int32_t)be32(r), 9);
    close(good);
    rig_stop();
}
END_TEST

START_TEST(drain_finishes_in_flight_requests_then_closes)
{
    rig_start(300); /* the broker answers after 300 ms */
    int fd = client_connect(rig.ports[0]);
    uint8_t buf[64];
    size_t n = request(buf, KGW_API_LIST_OFFSETS, 5, 21, "pending", 7);
    ck_assert_int_eq(write_full(fd, buf, n), 0);
    usleep(100000);
    kgw_worker_drain(rig.worker, 5);
    usleep(50000);
    /* No new connections once draining. */
    int late = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons(rig.ports[0]),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_ne(connect(late, (struct sockaddr *)&a, sizeof(a)), 0);
    close(late);
    /* The request in flight still gets its answer, then the connection ends. */
    uint8_t r[64];
    ck_assert_int_eq(response(fd, r, sizeof(r)), 11);
    ck_assert_int_eq((int32_t)be32(r), 21);
    ck_assert(memcmp(r + 4, "pending", 7) == 0);
    ck_assert(closed_by_gateway(fd));
    close(fd);
    rig_stop();
}
END_TEST

START_TEST(a_client_that_does_not_read_stops_the_broker_side)
{
    rig_start(0);
    int fd = client_connect(rig.ports[0]);
    uint8_t buf[64];
    size_t n = request(buf, KGW_API_LIST_OFFSETS, 5, 11, "big", 3);
    ck_assert_int_eq(write_full(fd, buf, n), 0);
    /* Do not read for a second: the broker must get stuck well before 32
     * MiB (kernel socket buffers plus kgw's 1 MiB watermark). */
    usleep(1000000);
    size_t written = atomic_load(&rig.broker.big_written);
    ck_assert_msg(written > 0 && written < 16u * 1024 * 1024,
                  "the broker wrote %zu bytes to a client that reads nothing", written);
    /* Now read everything: the whole response arrives intact. */
    uint8_t hdr[8];
    ck_assert_int_eq(read_full(fd, hdr, 8), 0);
    ck_assert_uint_eq(be32(hdr), 4 + BIG_RESPONSE);
    ck_assert_int_eq((int32_t)be32(hdr + 4), 11);
    uint8_t *body = malloc(BIG_RESPONSE);
    ck_assert_ptr_nonnull(body);
    ck_assert_int_eq(read_full(fd, body, BIG_RESPONSE), 0);
    free(body);
    close(fd);
    rig_stop();
}
END_TEST

START_TEST(a_taken_port_is_an_error_naming_it)
{
    /* A socket without SO_REUSEPORT holds the port. */
    int holder = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    ck_assert_int_eq(bind(holder, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(listen(holder, 1), 0);
    ck_assert_int_eq(getsockname(holder, (struct sockaddr *)&a, &len), 0);
    uint16_t ports[1] = {ntohs(a.sin_port)};
    char *addresses[1] = {"127.0.0.1"};
    kgw_config_backend_cluster_t bc_cfg = {.name = "b"};
    kgw_config_virtual_cluster_t vc_cfg = {.name = "vc", .destination = &bc_cfg};
    kgw_config_forward_t fwd = {.type = KGW_CONFIG_FORWARD_PORT_MAPPING,
                                .virtual_cluster = &vc_cfg,
                                .advertised_host = "gw",
                                .bootstrap_port = KGW_CONFIG_BOOTSTRAP_AT_START};
    kgw_config_listener_t l_cfg = {.name = "busy",
                                   .addresses = addresses,
                                   .n_addresses = 1,
                                   .ports = ports,
                                   .n_ports = 1,
                                   .forward = &fwd,
                                   .n_forward = 1};
    kgw_virtual_cluster_t *vc = kgw_virtual_cluster_new(&vc_cfg, NULL);
    kgw_listener_def_t *def = kgw_listener_def_new(&l_cfg, &vc);
    ck_assert_ptr_nonnull(def);
    char err[256];
    kgw_worker_t *w = kgw_worker_new(0, err, sizeof(err));
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(kgw_worker_listen(w, def, err, sizeof(err)), -1);
    char want[64];
    snprintf(want, sizeof(want), "127.0.0.1 port %u", (unsigned)ports[0]);
    ck_assert_msg(strstr(err, want) != NULL && strstr(err, "'busy'") != NULL, "message: %s", err);
    kgw_worker_free(w);
    kgw_listener_def_free(def);
    kgw_virtual_cluster_free(vc);
    close(holder);
}
END_TEST

int
main(void)
{
    if (evthread_use_pthreads() != 0)
        return EXIT_FAILURE;
    Suite *s = suite_create("session");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, only_forward_transitions_are_allowed);
    tcase_add_test(tc, relays_in_order_and_skips_acks_zero);
    tcase_add_test(tc, metadata_shows_gateway_addresses_only);
    tcase_add_test(tc, local_answer_waits_for_earlier_responses);
    tcase_add_test(tc, oversize_and_malformed_frames_close_only_that_connection);
    tcase_add_test(tc, a_client_that_does_not_read_stops_the_broker_side);
    tcase_add_test(tc, drain_finishes_in_flight_requests_then_closes);
    tcase_add_test(tc, a_taken_port_is_an_error_naming_it);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
