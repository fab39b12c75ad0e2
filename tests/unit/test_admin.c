/*
 * Unit tests for gateway/admin.c: a real admin server on loopback, driven by
 * plain-socket HTTP requests the way curl or Prometheus would send them.
 */
#include "admin.h"
#include "metrics.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

struct server {
    struct event_base *base;
    kgw_admin_t *admin;
    pthread_t thread;
    uint16_t port;
};

static atomic_bool backend_ready;
static atomic_int readiness_calls;

static bool
readiness(void *ctx, char *reason, size_t reasonlen)
{
    const char *cluster = ctx;
    atomic_fetch_add(&readiness_calls, 1);
    if (atomic_load(&backend_ready))
        return true;
    snprintf(reason, reasonlen, "backend cluster '%s': no metadata yet", cluster);
    return false;
}

static void *
run_loop(void *p)
{
    struct server *s = p;
    event_base_loop(s->base, EVLOOP_NO_EXIT_ON_EMPTY);
    return NULL;
}

static void
server_start(struct server *s, kgw_admin_ready_fn ready, void *ctx)
{
    char err[256];
    s->base = event_base_new();
    ck_assert_ptr_nonnull(s->base);
    s->admin = kgw_admin_start(s->base, "127.0.0.1", 0, ready, ctx, err, sizeof err);
    ck_assert_msg(s->admin != NULL, "kgw_admin_start: %s", err);
    s->port = kgw_admin_port(s->admin);
    ck_assert_uint_ne(s->port, 0);
    ck_assert_int_eq(pthread_create(&s->thread, NULL, run_loop, s), 0);
}

static void
break_loop(evutil_socket_t fd, short what, void *base)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(base);
}

/* The break is scheduled as an event rather than called directly: a
 * loopbreak that lands before the loop thread has entered
 * event_base_loop() is forgotten (the loop clears the flag on entry). */
static void
server_stop(struct server *s)
{
    struct timeval now = {0, 0};
    ck_assert_int_eq(event_base_once(s->base, -1, EV_TIMEOUT, break_loop, s->base, &now), 0);
    ck_assert_int_eq(pthread_join(s->thread, NULL), 0);
    kgw_admin_stop(s->admin);
    event_base_free(s->base);
}

struct response {
    int status;
    char head[2048];  /* status line and headers */
    char body[65536]; /* NUL-terminated */
    size_t body_len;
};

/* Connects to 127.0.0.1:port; -1 with errno on failure. Reads and writes
 * time out after 5 seconds so a broken server fails the test, not hangs. */
static int
connect_to(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct timeval tv = {.tv_sec = 5};
    ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* Sends `method path` and reads the whole response (the request asks the
 * server to close the connection). */
static void
http(uint16_t port, const char *method, const char *path, struct response *r)
{
    char request[512];
    int n = snprintf(request, sizeof request,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nUser-Agent: kgw-test\r\n"
                     "Content-Length: 0\r\nConnection: close\r\n\r\n",
                     method, path, (unsigned)port);
    ck_assert_int_lt(n, (int)sizeof request);
    int fd = connect_to(port);
    ck_assert_msg(fd >= 0, "connect to 127.0.0.1:%u: %s", (unsigned)port, strerror(errno));
    ck_assert_int_eq(send(fd, request, (size_t)n, MSG_NOSIGNAL), n);

    static char raw[sizeof r->head + sizeof r->body];
    size_t len = 0;
    for (;;) {
        ck_assert_msg(len < sizeof raw - 1, "response to %s %s too large", method, path);
        ssize_t got = recv(fd, raw + len, sizeof raw - 1 - len, 0);
        ck_assert_msg(got >= 0, "recv for %s %s: %s", method, path, strerror(errno));
        if (got == 0)
            break;
        len += (size_t)got;
    }
    close(fd);
    raw[len] = '\0';

    const char *end = strstr(raw, "\r\n\r\n");
    ck_assert_msg(end != NULL, "no end of headers in response to %s %s: %s", method, path, raw);
    size_t head_len = (size_t)(end - raw) + 2;
    ck_assert_uint_lt(head_len, sizeof r->head);
    memcpy(r->head, raw, head_len);
    r->head[head_len] = '\0';
    r->body_len = len - head_len - 2;
    memcpy(r->body, end + 4, r->body_len);
    r->body[r->body_len] = '\0';
    ck_assert_int_eq(sscanf(raw, "HTTP/1.1 %d ", &r->status), 1);
}

/* True when the response has header `line` ("Name: value"). */
static bool
has_header(const struct response *r, const char *line)
{
    char needle[256];
    snprintf(needle, sizeof needle, "\r\n%s\r\n", line);
    return strcasestr(r->head, needle) != NULL;
}

static struct response resp;

START_TEST(test_healthz)
{
    struct server s;
    server_start(&s, readiness, "local");
    http(s.port, "GET", "/healthz", &resp);
    ck_assert_int_eq(resp.status, 200);
    ck_assert_str_eq(resp.body, "ok\n");
    ck_assert(has_header(&resp, "Content-Type: text/plain; charset=utf-8"));
    ck_assert(has_header(&resp, "Cache-Control: no-store"));

    /* HEAD: same status and headers, no body. */
    http(s.port, "HEAD", "/healthz", &resp);
    ck_assert_int_eq(resp.status, 200);
    ck_assert(has_header(&resp, "Content-Length: 3"));
    ck_assert_str_eq(resp.body, "");
    server_stop(&s);
}
END_TEST

START_TEST(test_readyz_follows_callback)
{
    struct server s;
    atomic_store(&backend_ready, false);
    atomic_store(&readiness_calls, 0);
    server_start(&s, readiness, "local");

    http(s.port, "GET", "/readyz", &resp);
    ck_assert_int_eq(resp.status, 503);
    ck_assert_str_eq(resp.body, "backend cluster 'local': no metadata yet\n");

    atomic_store(&backend_ready, true);
    http(s.port, "GET", "/readyz", &resp);
    ck_assert_int_eq(resp.status, 200);
    ck_assert_str_eq(resp.body, "ready\n");

    atomic_store(&backend_ready, false);
    http(s.port, "GET", "/readyz?verbose=1", &resp);
    ck_assert_int_eq(resp.status, 503);
    ck_assert_int_eq(atomic_load(&readiness_calls), 3);

    /* /healthz does not depend on readiness. */
    http(s.port, "GET", "/healthz", &resp);
    ck_assert_int_eq(resp.status, 200);
    server_stop(&s);
}
END_TEST

static bool
never_ready_silently(void *ctx, char *reason, size_t reasonlen)
{
    (void)ctx;
    (void)reason;
    (void)reasonlen;
    return false;
}

START_TEST(test_readyz_without_callback_or_reason)
{
    struct server s;
    server_start(&s, NULL, NULL);
    http(s.port, "GET", "/readyz", &resp);
    ck_assert_int_eq(resp.status, 200);
    server_stop(&s);

    server_start(&s, never_ready_silently, NULL);
    http(s.port, "GET", "/readyz", &resp);
    ck_assert_int_eq(resp.status, 503);
    ck_assert_str_eq(resp.body, "not ready\n");
    server_stop(&s);
}
END_TEST

START_TEST(test_metrics_endpoint)
{
    char labels[128];
    ck_assert_int_eq(kgw_metrics_labels(labels, sizeof labels, "listener", "public",
                                        "virtual_cluster", "team-a", NULL),
                     0);
    kgw_counter_t *c =
        kgw_metrics_counter("kgw_admin_test_requests_total", "Requests seen by the test.", labels);
    ck_assert_ptr_nonnull(c);
    kgw_counter_add(c, 17);

    struct server s;
    server_start(&s, readiness, "local");
    http(s.port, "GET", "/metrics", &resp);
    ck_assert_int_eq(resp.status, 200);
    ck_assert(has_header(&resp, "Content-Type: text/plain; version=0.0.4; charset=utf-8"));
    ck_assert_ptr_nonnull(strstr(resp.body,
                                 "# HELP kgw_admin_test_requests_total Requests seen by the test.\n"
                                 "# TYPE kgw_admin_test_requests_total counter\n"
                                 "kgw_admin_test_requests_total{listener=\"public\","
                                 "virtual_cluster=\"team-a\"} 17\n"));
    ck_assert_ptr_nonnull(strstr(resp.body, "\nkgw_process_resident_memory_bytes "));

    /* The value moves between scrapes; a query string is ignored. */
    kgw_counter_add(c, 3);
    http(s.port, "GET", "/metrics?name[]=x", &resp);
    ck_assert_int_eq(resp.status, 200);
    ck_assert_ptr_nonnull(strstr(resp.body, "virtual_cluster=\"team-a\"} 20\n"));
    server_stop(&s);
}
END_TEST

START_TEST(test_unknown_path_and_method)
{
    struct server s;
    server_start(&s, readiness, "local");
    http(s.port, "GET", "/", &resp);
    ck_assert_int_eq(resp.status, 404);
    http(s.port, "GET", "/metricsx", &resp);
    ck_assert_int_eq(resp.status, 404);
    ck_assert_str_eq(resp.body, "not found; try /metrics, /healthz or /readyz\n");

    http(s.port, "POST", "/metrics", &resp);
    ck_assert_int_eq(resp.status, 405);
    ck_assert(has_header(&resp, "Allow: GET, HEAD"));
    ck_assert_str_eq(resp.body, "method POST not allowed; use GET\n");
    http(s.port, "DELETE", "/healthz", &resp);
    ck_assert_int_eq(resp.status, 405);
    http(s.port, "PATCH", "/readyz", &resp);
    ck_assert_int_eq(resp.status, 405);

    /* The server still serves after errors. */
    http(s.port, "GET", "/healthz", &resp);
    ck_assert_int_eq(resp.status, 200);
    server_stop(&s);
}
END_TEST

START_TEST(test_bind_errors_name_the_address)
{
    struct server s;
    server_start(&s, readiness, "local");

    char err[256], want[128];
    struct event_base *base = event_base_new();
    ck_assert_ptr_nonnull(base);
    kgw_admin_t *second = kgw_admin_start(base, "127.0.0.1", s.port, NULL, NULL, err, sizeof err);
    ck_assert_ptr_null(second);
    snprintf(want, sizeof want, "admin listen 127.0.0.1:%u: bind: Address already in use",
             (unsigned)s.port);
    ck_assert_str_eq(err, want);

    /* An unresolvable host name is not tested here: the lookup goes to
     * DNS, which a sandbox without a network may leave hanging. */

    /* An address this machine does not have. */
    ck_assert_ptr_null(kgw_admin_start(base, "192.0.2.1", 9901, NULL, NULL, err, sizeof err));
    ck_assert_str_eq(err, "admin listen 192.0.2.1:9901: bind: Cannot assign requested address");
    event_base_free(base);

    /* After stop, the port is closed. */
    uint16_t port = s.port;
    server_stop(&s);
    errno = 0;
    ck_assert_int_eq(connect_to(port), -1);
    ck_assert_int_eq(errno, ECONNREFUSED);
}
END_TEST

START_TEST(test_ipv6_loopback)
{
    /* Not every sandbox has ::1; when it does, the admin endpoint serves on it. */
    int probe = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    bool have_v6 = probe >= 0 && bind(probe, (struct sockaddr *)&sin6, sizeof sin6) == 0;
    if (probe >= 0)
        close(probe);

    char err[256];
    struct event_base *base = event_base_new();
    ck_assert_ptr_nonnull(base);
    kgw_admin_t *admin = kgw_admin_start(base, "::1", 0, NULL, NULL, err, sizeof err);
    if (have_v6) {
        ck_assert_msg(admin != NULL, "%s", err);
        ck_assert_uint_ne(kgw_admin_port(admin), 0);
        kgw_admin_stop(admin);
    } else {
        ck_assert_ptr_null(admin);
        ck_assert_msg(strncmp(err, "admin listen [::1]:0: ", 22) == 0, "err: %s", err);
    }
    event_base_free(base);
}
END_TEST

static Suite *
admin_suite(void)
{
    Suite *s = suite_create("admin");
    TCase *tc = tcase_create("http");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_healthz);
    tcase_add_test(tc, test_readyz_follows_callback);
    tcase_add_test(tc, test_readyz_without_callback_or_reason);
    tcase_add_test(tc, test_metrics_endpoint);
    tcase_add_test(tc, test_unknown_path_and_method);
    tcase_add_test(tc, test_bind_errors_name_the_address);
    tcase_add_test(tc, test_ipv6_loopback);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    /* The loop runs in its own thread; the test thread breaks it. */
    if (evthread_use_pthreads() != 0) {
        fprintf(stderr, "evthread_use_pthreads failed\n");
        return EXIT_FAILURE;
    }
    SRunner *sr = srunner_create(admin_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
