/*
 * kgw_backend_cluster: broker list lookups, bootstrap candidates, learning
 * brokers, and a metadata refresh against a scripted broker on loopback.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "backend_cluster.h"
#include "codec.h"
#include "kgw_api.h"
#include "kgw_messages.h"

static kgw_config_host_port_t servers[2] = {
    {.host = "127.0.0.1", .port = 1},
    {.host = "localhost", .port = 2},
};
static kgw_config_backend_cluster_t cfg = {
    .name = "unit",
    .bootstrap_servers = servers,
    .n_bootstrap_servers = 2,
    .metadata_update_interval_seconds = 60,
};

START_TEST(bootstrap_servers_until_brokers_are_known)
{
    struct event_base *base = event_base_new();
    kgw_backend_cluster_t *bc = kgw_backend_cluster_new(&cfg, base, NULL);
    ck_assert_ptr_nonnull(bc);
    ck_assert(!kgw_backend_cluster_ready(bc));
    char host[KGW_HOST_MAX];
    uint16_t port;
    ck_assert(kgw_backend_cluster_candidate(bc, 0, 5, host, sizeof(host), &port));
    ck_assert_str_eq(host, "127.0.0.1");
    ck_assert_uint_eq(port, 1);
    ck_assert(kgw_backend_cluster_candidate(bc, 1, 5, host, sizeof(host), &port));
    ck_assert_str_eq(host, "localhost");
    ck_assert(!kgw_backend_cluster_candidate(bc, 2, 5, host, sizeof(host), &port));
    ck_assert(!kgw_backend_cluster_lookup(bc, 1, host, sizeof(host), &port));

    /* Learned brokers come first, rotating; then the bootstrap servers. */
    kgw_backend_cluster_learn(bc, 1, "b1.internal", 11, 9001);
    kgw_backend_cluster_learn(bc, 2, "b2.internal", 11, 9002);
    kgw_backend_cluster_learn(bc, 1, "b1.moved", 8, 9011); /* updates, no duplicate */
    ck_assert(kgw_backend_cluster_lookup(bc, 1, host, sizeof(host), &port));
    ck_assert_str_eq(host, "b1.moved");
    ck_assert_uint_eq(port, 9011);
    ck_assert(kgw_backend_cluster_candidate(bc, 0, 1, host, sizeof(host), &port));
    ck_assert_str_eq(host, "b2.internal");
    ck_assert(kgw_backend_cluster_candidate(bc, 1, 1, host, sizeof(host), &port));
    ck_assert_str_eq(host, "b1.moved");
    ck_assert(kgw_backend_cluster_candidate(bc, 2, 1, host, sizeof(host), &port));
    ck_assert_str_eq(host, "127.0.0.1");
    ck_assert(!kgw_backend_cluster_candidate(bc, 4, 1, host, sizeof(host), &port));
    kgw_backend_cluster_free(bc);
    event_base_free(base);
}
END_TEST

/* ---- refresh against a scripted broker -------------------------------- */

typedef struct {
    int fd;
    int requests;
    int16_t version_seen;
} broker_t;

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

/* Answers every Metadata request on each connection with brokers 1..3. */
static void *
broker_main(void *arg)
{
    broker_t *b = arg;
    for (;;) {
        int fd = accept(b->fd, NULL, NULL);
        if (fd < 0)
            return NULL;
        uint8_t hdr[4], req[256];
        if (read_full(fd, hdr, 4) == 0) {
            uint32_t size = ((uint32_t)hdr[0] << 24) | ((uint32_t)hdr[1] << 16) |
                            ((uint32_t)hdr[2] << 8) | hdr[3];
            if (size <= sizeof(req) && read_full(fd, req, size) == 0) {
                b->requests++;
                b->version_seen = (int16_t)((req[2] << 8) | req[3]);
                int32_t cid = (int32_t)(((uint32_t)req[4] << 24) | ((uint32_t)req[5] << 16) |
                                        ((uint32_t)req[6] << 8) | req[7]);
                kgw_arena_t *a = kgw_arena_new(0);
                kgw_metadata_response_t m;
                if (kgw_metadata_response_init(a, &m) == 0) {
                    kgw_metadata_response_broker_t br[3] = {
                        {.node_id = 1, .host = {"10.0.0.1", 8}, .port = 9092, .rack = {"r", 1}},
                        {.node_id = 2, .host = {"10.0.0.2", 8}, .port = 9093, .rack = {NULL, -1}},
                        {.node_id = 3, .host = {"10.0.0.3", 8}, .port = 9094, .rack = {NULL, -1}},
                    };
                    m.brokers.count = 3;
                    m.brokers.items = br;
                    kgw_wbuf_t w;
                    kgw_wbuf_init(&w, NULL);
                    kgw_response_header_t h = {.correlation_id = cid};
                    if (kgw_response_encode(&w, KGW_API_METADATA, b->version_seen, &h, &m, NULL) ==
                        0)
                        (void)!write(fd, w.buf, w.len);
                    kgw_wbuf_free(&w);
                }
                kgw_arena_free(a);
            }
        }
        usleep(100000);
        close(fd);
    }
}

static void
stop_when_ready(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    void **ctx = arg;
    if (kgw_backend_cluster_ready(ctx[0]))
        event_base_loopbreak(ctx[1]);
}

START_TEST(refresh_fetches_the_broker_list)
{
    broker_t b = {.fd = socket(AF_INET, SOCK_STREAM, 0)};
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    ck_assert_int_eq(bind(b.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(b.fd, 4), 0);
    ck_assert_int_eq(getsockname(b.fd, (struct sockaddr *)&sa, &len), 0);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, broker_main, &b), 0);

    /* The first bootstrap server refuses connections; the second answers. */
    int closed = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in ca = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t clen = sizeof(ca);
    ck_assert_int_eq(bind(closed, (struct sockaddr *)&ca, sizeof(ca)), 0);
    ck_assert_int_eq(getsockname(closed, (struct sockaddr *)&ca, &clen), 0);
    close(closed);
    kgw_config_host_port_t two[2] = {
        {.host = "127.0.0.1", .port = ntohs(ca.sin_port)},
        {.host = "127.0.0.1", .port = ntohs(sa.sin_port)},
    };
    kgw_config_backend_cluster_t c = cfg;
    c.bootstrap_servers = two;

    struct event_base *base = event_base_new();
    kgw_backend_cluster_t *bc = kgw_backend_cluster_new(&c, base, NULL);
    ck_assert_ptr_nonnull(bc);
    ck_assert_int_eq(kgw_backend_cluster_start(bc), 0);
    void *ctx[2] = {bc, base};
    struct event *poll_ev = event_new(base, -1, EV_PERSIST, stop_when_ready, ctx);
    struct timeval every = {0, 20000};
    event_add(poll_ev, &every);
    struct timeval limit = {10, 0};
    event_base_loopexit(base, &limit);
    event_base_dispatch(base);

    ck_assert(kgw_backend_cluster_ready(bc));
    ck_assert_int_eq(b.version_seen, 1);
    char host[KGW_HOST_MAX];
    uint16_t port;
    ck_assert(kgw_backend_cluster_lookup(bc, 2, host, sizeof(host), &port));
    ck_assert_str_eq(host, "10.0.0.2");
    ck_assert_uint_eq(port, 9093);
    ck_assert(kgw_backend_cluster_lookup(bc, 3, host, sizeof(host), &port));
    ck_assert(!kgw_backend_cluster_lookup(bc, 4, host, sizeof(host), &port));

    event_free(poll_ev);
    kgw_backend_cluster_free(bc);
    event_base_free(base);
    shutdown(b.fd, SHUT_RDWR);
    close(b.fd);
    pthread_join(t, NULL);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("backend_cluster");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, bootstrap_servers_until_brokers_are_known);
    tcase_add_test(tc, refresh_fetches_the_broker_list);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
