/*
 * Unit tests for gateway/metrics.c: registration, lock-free updates from
 * several threads, the exact exposition text, label escaping, process and
 * standard metrics.
 */
#include "metrics.h"

#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Renders reg and returns the text (caller frees). */
static char *
render(kgw_metrics_registry_t *reg)
{
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(kgw_metrics_registry_render(reg, &text, &len), 0);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(len, strlen(text));
    return text;
}

/* Like ck_assert_str_eq, but names the first differing line. */
static void
assert_text_eq(const char *got, const char *want)
{
    size_t i = 0, line = 1, line_start = 0;
    while (got[i] != '\0' && got[i] == want[i]) {
        if (got[i] == '\n') {
            line++;
            line_start = i + 1;
        }
        i++;
    }
    ck_assert_msg(got[i] == want[i], "text differs at line %zu:\n got: %.80s\nwant: %.80s", line,
                  got + line_start, want + line_start);
}

START_TEST(test_registration_is_idempotent)
{
    kgw_metrics_registry_t *reg = kgw_metrics_registry_new();
    ck_assert_ptr_nonnull(reg);

    kgw_counter_t *a = kgw_metrics_registry_counter(reg, "kgw_test_total", "Test.",
                                                    "listener=\"public\",virtual_cluster=\"a\"");
    kgw_counter_t *b = kgw_metrics_registry_counter(reg, "kgw_test_total", "Test.",
                                                    "listener=\"public\",virtual_cluster=\"a\"");
    /* Same labels in another order: the same series. */
    kgw_counter_t *c = kgw_metrics_registry_counter(reg, "kgw_test_total", "Test.",
                                                    "virtual_cluster=\"a\",listener=\"public\"");
    kgw_counter_t *d = kgw_metrics_registry_counter(reg, "kgw_test_total", "Test.",
                                                    "listener=\"public\",virtual_cluster=\"b\"");
    kgw_counter_t *e = kgw_metrics_registry_counter(reg, "kgw_test_total", "Test.", NULL);
    kgw_counter_t *f = kgw_metrics_registry_counter(reg, "kgw_test_total", "Test.", "");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_eq(a, b);
    ck_assert_ptr_eq(a, c);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_ne(a, d);
    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_eq(e, f);
    ck_assert_ptr_ne(a, e);

    kgw_counter_add(a, 5);
    kgw_counter_inc(c);
    ck_assert_uint_eq(kgw_counter_value(b), 6);
    ck_assert_uint_eq(kgw_counter_value(d), 0);

    kgw_gauge_t *g1 = kgw_metrics_registry_gauge(reg, "kgw_test_gauge", "G.", "x=\"1\"");
    kgw_gauge_t *g2 = kgw_metrics_registry_gauge(reg, "kgw_test_gauge", "G.", "x=\"1\"");
    ck_assert_ptr_nonnull(g1);
    ck_assert_ptr_eq(g1, g2);
    kgw_histogram_t *h1 = kgw_metrics_registry_histogram(reg, "kgw_test_seconds", "H.", "x=\"1\"");
    kgw_histogram_t *h2 = kgw_metrics_registry_histogram(reg, "kgw_test_seconds", "H.", "x=\"1\"");
    ck_assert_ptr_nonnull(h1);
    ck_assert_ptr_eq(h1, h2);
    kgw_metrics_registry_free(reg);
}
END_TEST

START_TEST(test_registration_errors_name_the_value)
{
    kgw_metrics_registry_t *reg = kgw_metrics_registry_new();
    ck_assert_ptr_nonnull(reg);

    ck_assert_ptr_null(kgw_metrics_registry_counter(reg, "requests_total", "R.", NULL));
    ck_assert_ptr_nonnull(strstr(kgw_metrics_error(), "'requests_total'"));
    ck_assert_ptr_null(kgw_metrics_registry_counter(reg, "kgw_bad-name", "R.", NULL));
    ck_assert_ptr_nonnull(strstr(kgw_metrics_error(), "'kgw_bad-name'"));
    ck_assert_ptr_null(kgw_metrics_registry_counter(reg, "kgw_ok_total", NULL, NULL));
    ck_assert_ptr_nonnull(strstr(kgw_metrics_error(), "help"));

    /* Bad label sets. */
    ck_assert_ptr_null(kgw_metrics_registry_counter(reg, "kgw_ok_total", "R.", "a=b"));
    ck_assert_ptr_nonnull(strstr(kgw_metrics_error(), "'a=b'"));
    ck_assert_ptr_null(kgw_metrics_registry_counter(reg, "kgw_ok_total", "R.", "a=\"1\",a=\"2\""));
    ck_assert_ptr_nonnull(strstr(kgw_metrics_error(), "label 'a' appears twice"));
    ck_assert_ptr_null(kgw_metrics_registry_counter(reg, "kgw_ok_total", "R.", "1a=\"x\""));
    ck_assert_ptr_null(kgw_metrics_registry_counter(reg, "kgw_ok_total", "R.", "a=\"x"));
    ck_assert_ptr_nonnull(strstr(kgw_metrics_error(), "unterminated"));
    ck_assert_ptr_null(kgw_metrics_registry_counter(reg, "kgw_ok_total", "R.", "a=\"\\t\""));
    ck_assert_ptr_nonnull(strstr(kgw_metrics_error(), "bad escape"));
    ck_assert_ptr_null(kgw_metrics_registry_counter(reg, "kgw_ok_total", "R.", "a=\"x\","));
    ck_assert_ptr_null(kgw_metrics_registry_counter(reg, "kgw_ok_total", "R.", "__a=\"x\""));
    ck_assert_ptr_null(kgw_metrics_registry_histogram(reg, "kgw_h_seconds", "H.", "le=\"1\""));
    ck_assert_ptr_nonnull(strstr(kgw_metrics_error(), "'le' is reserved"));

    /* One name, one type. */
    ck_assert_ptr_nonnull(kgw_metrics_registry_counter(reg, "kgw_ok_total", "R.", NULL));
    ck_assert_ptr_null(kgw_metrics_registry_gauge(reg, "kgw_ok_total", "R.", "x=\"1\""));
    ck_assert_str_eq(kgw_metrics_error(),
                     "metric 'kgw_ok_total' is already registered as a counter, not a gauge");

    /* Updates through a failed (NULL) handle are harmless. */
    kgw_counter_add(NULL, 1);
    kgw_gauge_set(NULL, 1);
    kgw_histogram_observe_ns(NULL, 1);
    ck_assert_uint_eq(kgw_counter_value(NULL), 0);
    kgw_metrics_registry_free(reg);
}
END_TEST

#define THREADS 8
#define INCREMENTS 200000
#define SERIES_PER_THREAD 300

struct worker_arg {
    kgw_metrics_registry_t *reg;
    int id;
};

static void *
worker(void *p)
{
    struct worker_arg *arg = p;
    /* Every thread registers lazily; all must get the same handles. */
    kgw_counter_t *c = kgw_metrics_registry_counter(arg->reg, "kgw_shared_total", "Shared.",
                                                    "listener=\"public\"");
    kgw_gauge_t *g = kgw_metrics_registry_gauge(arg->reg, "kgw_shared_active", "Active.", NULL);
    kgw_histogram_t *h =
        kgw_metrics_registry_histogram(arg->reg, "kgw_shared_seconds", "Latency.", NULL);
    if (c == NULL || g == NULL || h == NULL)
        return "registration failed";
    for (int i = 0; i < INCREMENTS; i++) {
        kgw_counter_inc(c);
        kgw_gauge_inc(g);
        if (i % 100 == 0)
            kgw_histogram_observe_ns(h, 1000000);
        kgw_gauge_dec(g);
    }
    kgw_gauge_add(g, 2);
    /* Distinct series from every thread at once: exercises table growth. */
    for (int i = 0; i < SERIES_PER_THREAD; i++) {
        char labels[128];
        char thread[16], n[16];
        snprintf(thread, sizeof thread, "%d", arg->id);
        snprintf(n, sizeof n, "%d", i);
        if (kgw_metrics_labels(labels, sizeof labels, "thread", thread, "n", n, NULL) != 0)
            return "labels failed";
        kgw_counter_t *own =
            kgw_metrics_registry_counter(arg->reg, "kgw_own_total", "Own.", labels);
        if (own == NULL)
            return "own registration failed";
        kgw_counter_add(own, (uint64_t)i);
    }
    return NULL;
}

/* Scrapes while the workers register and count, as /metrics would. */
static void *
scraper(void *p)
{
    kgw_metrics_registry_t *reg = p;
    for (int i = 0; i < 50; i++) {
        char *text;
        size_t len;
        if (kgw_metrics_registry_render(reg, &text, &len) != 0)
            return "render failed";
        free(text);
    }
    return NULL;
}

START_TEST(test_threads_sum_right)
{
    kgw_metrics_registry_t *reg = kgw_metrics_registry_new();
    ck_assert_ptr_nonnull(reg);
    pthread_t threads[THREADS + 1];
    struct worker_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (struct worker_arg){reg, i};
        ck_assert_int_eq(pthread_create(&threads[i], NULL, worker, &args[i]), 0);
    }
    ck_assert_int_eq(pthread_create(&threads[THREADS], NULL, scraper, reg), 0);
    for (int i = 0; i <= THREADS; i++) {
        void *result;
        ck_assert_int_eq(pthread_join(threads[i], &result), 0);
        ck_assert_msg(result == NULL, "thread %d: %s", i, (const char *)result);
    }

    kgw_counter_t *c =
        kgw_metrics_registry_counter(reg, "kgw_shared_total", "Shared.", "listener=\"public\"");
    ck_assert_uint_eq(kgw_counter_value(c), (uint64_t)THREADS * INCREMENTS);
    kgw_gauge_t *g = kgw_metrics_registry_gauge(reg, "kgw_shared_active", "Active.", NULL);
    ck_assert_int_eq(kgw_gauge_value(g), 2 * THREADS);
    kgw_histogram_t *h =
        kgw_metrics_registry_histogram(reg, "kgw_shared_seconds", "Latency.", NULL);
    ck_assert_uint_eq(kgw_histogram_count(h), (uint64_t)THREADS * (INCREMENTS / 100));

    char *text = render(reg);
    char line[128];
    snprintf(line, sizeof line, "\nkgw_shared_total{listener=\"public\"} %d\n",
             THREADS * INCREMENTS);
    ck_assert_ptr_nonnull(strstr(text, line));
    /* Every per-thread series is there exactly once with its value. */
    for (int t = 0; t < THREADS; t++) {
        for (int i = 0; i < SERIES_PER_THREAD; i += 37) {
            snprintf(line, sizeof line, "\nkgw_own_total{n=\"%d\",thread=\"%d\"} %d\n", i, t, i);
            const char *at = strstr(text, line);
            ck_assert_msg(at != NULL, "missing %s", line + 1);
            ck_assert_ptr_null(strstr(at + 1, line));
        }
    }
    size_t own_lines = 0;
    for (const char *p = text; (p = strstr(p, "\nkgw_own_total{")) != NULL; p++)
        own_lines++;
    ck_assert_uint_eq(own_lines, THREADS * SERIES_PER_THREAD);
    free(text);
    kgw_metrics_registry_free(reg);
}
END_TEST

static double
constant_value(void *ctx)
{
    return *(const double *)ctx;
}

START_TEST(test_render_exact_text)
{
    kgw_metrics_registry_t *reg = kgw_metrics_registry_new();
    ck_assert_ptr_nonnull(reg);

    /* Registered out of order: the output is sorted by name, then labels. */
    kgw_gauge_t *active = kgw_metrics_registry_gauge(
        reg, "kgw_connections_active", "Client connections currently open.", "listener=\"public\"");
    kgw_counter_t *b =
        kgw_metrics_registry_counter(reg, "kgw_requests_total", "Client requests received.",
                                     "virtual_cluster=\"team-b\",api_key=\"Produce\"");
    kgw_counter_t *a =
        kgw_metrics_registry_counter(reg, "kgw_requests_total", "Client requests received.",
                                     "virtual_cluster=\"team-a\",api_key=\"Metadata\"");
    kgw_counter_t *plain = kgw_metrics_registry_counter(reg, "kgw_config_reloads_total",
                                                        "Help with \\ and\nnewline.", NULL);
    kgw_histogram_t *lat = kgw_metrics_registry_histogram(reg, "kgw_request_duration_seconds",
                                                          "Latency.", "api_key=\"Fetch\"");
    double tenth = 0.1, nan_value = NAN;
    ck_assert_int_eq(kgw_metrics_registry_callback(reg, "kgw_process_cpu_seconds_total", "CPU.",
                                                   NULL, true, constant_value, &tenth),
                     0);
    ck_assert_int_eq(kgw_metrics_registry_callback(reg, "kgw_odd", "Odd.", "k=\"v\"", false,
                                                   constant_value, &nan_value),
                     0);
    ck_assert_ptr_nonnull(active);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(plain);
    ck_assert_ptr_nonnull(lat);

    kgw_gauge_set(active, 7);
    kgw_gauge_sub(active, 10);
    kgw_counter_add(a, 42);
    kgw_counter_add(b, 1);
    kgw_histogram_observe_ns(lat, 1000000);     /* exactly 1 ms: le="0.001" */
    kgw_histogram_observe_ns(lat, 3000000);     /* 3 ms */
    kgw_histogram_observe_ns(lat, 20000000000); /* 20 s: only +Inf */

    const char *expected =
        "# HELP kgw_config_reloads_total Help with \\\\ and\\nnewline.\n"
        "# TYPE kgw_config_reloads_total counter\n"
        "kgw_config_reloads_total 0\n"
        "# HELP kgw_connections_active Client connections currently open.\n"
        "# TYPE kgw_connections_active gauge\n"
        "kgw_connections_active{listener=\"public\"} -3\n"
        "# HELP kgw_odd Odd.\n"
        "# TYPE kgw_odd gauge\n"
        "kgw_odd{k=\"v\"} NaN\n"
        "# HELP kgw_process_cpu_seconds_total CPU.\n"
        "# TYPE kgw_process_cpu_seconds_total counter\n"
        "kgw_process_cpu_seconds_total 0.1\n"
        "# HELP kgw_request_duration_seconds Latency.\n"
        "# TYPE kgw_request_duration_seconds histogram\n"
        "kgw_request_duration_seconds_bucket{api_key=\"Fetch\",le=\"0.0005\"} 0\n"
        "kgw_request_duration_seconds_bucket{api_key=\"Fetch\",le=\"0.001\"} 1\n"
        "kgw_request_duration_seconds_bucket{api_key=\"Fetch\",le=\"0.0025\"} 1\n"
        "kgw_request_duration_seconds_bucket{api_key=\"Fetch\",le=\"0.005\"} 2\n"
        "kgw_request_duration_seconds_bucket{api_key=\"Fetch\",le=\"0.01\"} 2\n"
        "kgw_request_duration_seconds_bucket{api_key=\"Fetch\",le=\"0.025\"} 2\n"
        "kgw_request_duration_seconds_bucket{api_key=\"Fetch\",le=\"0.05\"} 2\n"
        "kgw_request_duration_seconds_bucket{api_key=\"Fetch\",le=\"0.1\"} 2\n"
        "kgw_request_duration_seconds_bucket{api_key=\"Fetch\",le=\"0.25\"} 2\n"
        "kgw_request_duration_seconds_bucket{api_key=\"Fetch\",le=\"0.5\"} 2\n"
        "kgw_request_duration_seconds_bucket{api_key=\"Fetch\",le=\"1\"} 2\n"
        "kgw_request_duration_seconds_bucket{api_key=\"Fetch\",le=\"2.5\"} 2\n"
        "kgw_request_duration_seconds_bucket{api_key=\"Fetch\",le=\"5\"} 2\n"
        "kgw_request_duration_seconds_bucket{api_key=\"Fetch\",le=\"10\"} 2\n"
        "kgw_request_duration_seconds_bucket{api_key=\"Fetch\",le=\"+Inf\"} 3\n"
        "kgw_request_duration_seconds_sum{api_key=\"Fetch\"} 20.004\n"
        "kgw_request_duration_seconds_count{api_key=\"Fetch\"} 3\n"
        "# HELP kgw_requests_total Client requests received.\n"
        "# TYPE kgw_requests_total counter\n"
        "kgw_requests_total{api_key=\"Metadata\",virtual_cluster=\"team-a\"} 42\n"
        "kgw_requests_total{api_key=\"Produce\",virtual_cluster=\"team-b\"} 1\n";
    char *text = render(reg);
    assert_text_eq(text, expected);
    free(text);
    kgw_metrics_registry_free(reg);

    /* An empty registry renders as empty text. */
    reg = kgw_metrics_registry_new();
    ck_assert_ptr_nonnull(reg);
    text = render(reg);
    ck_assert_str_eq(text, "");
    free(text);
    kgw_metrics_registry_free(reg);
}
END_TEST

START_TEST(test_label_escaping)
{
    char buf[256];
    ck_assert_int_eq(kgw_metrics_labels(buf, sizeof buf, "listener", "pub\"lic", "virtual_cluster",
                                        "a\\b\nc", "empty", NULL, NULL),
                     0);
    ck_assert_str_eq(buf, "listener=\"pub\\\"lic\",virtual_cluster=\"a\\\\b\\nc\",empty=\"\"");
    ck_assert_int_eq(kgw_metrics_labels(buf, sizeof buf, NULL), 0);
    ck_assert_str_eq(buf, "");

    /* The escaped set registers and renders unchanged (sorted by name). */
    kgw_metrics_registry_t *reg = kgw_metrics_registry_new();
    ck_assert_ptr_nonnull(reg);
    ck_assert_int_eq(
        kgw_metrics_labels(buf, sizeof buf, "vc", "a\\b\nc", "listener", "pub\"lic", NULL), 0);
    kgw_counter_t *c = kgw_metrics_registry_counter(reg, "kgw_escaped_total", "E.", buf);
    ck_assert_ptr_nonnull(c);
    kgw_counter_inc(c);
    char *text = render(reg);
    ck_assert_str_eq(text, "# HELP kgw_escaped_total E.\n"
                           "# TYPE kgw_escaped_total counter\n"
                           "kgw_escaped_total{listener=\"pub\\\"lic\",vc=\"a\\\\b\\nc\"} 1\n");
    free(text);
    kgw_metrics_registry_free(reg);

    /* Errors: bad label name, too small a buffer; the buffer is left empty. */
    ck_assert_int_eq(kgw_metrics_labels(buf, sizeof buf, "bad-name", "x", NULL), -1);
    ck_assert_str_eq(buf, "");
    ck_assert_ptr_nonnull(strstr(kgw_metrics_error(), "'bad-name'"));
    char small[16];
    ck_assert_int_eq(kgw_metrics_labels(small, sizeof small, "listener", "public", NULL), -1);
    ck_assert_str_eq(small, "");
    ck_assert_ptr_nonnull(strstr(kgw_metrics_error(), "'listener'"));
    /* Exactly fitting: listener="public" is 17 bytes plus NUL. */
    char exact[18];
    ck_assert_int_eq(kgw_metrics_labels(exact, sizeof exact, "listener", "public", NULL), 0);
    ck_assert_str_eq(exact, "listener=\"public\"");

    /* The escape helper reports the needed length like snprintf. */
    char esc[8] = "";
    ck_assert_uint_eq(kgw_metrics_escape_label_value(esc, sizeof esc, "a\"b\\c\nd"), 10);
    ck_assert_str_eq(esc, "a\\\"b\\\\c");
}
END_TEST

START_TEST(test_process_metrics_in_global_registry)
{
    kgw_metrics_registry_t *global = kgw_metrics_global();
    ck_assert_ptr_nonnull(global);
    ck_assert_ptr_eq(global, kgw_metrics_global());

    /* Burn 50 ms of CPU (at most 5 s of wall time) so the CPU counter, in
     * clock ticks of 10 ms, has something to show. */
    struct timespec cpu, wall_start, wall;
    volatile double x = 0;
    clock_gettime(CLOCK_MONOTONIC, &wall_start);
    do {
        for (int i = 0; i < 100000; i++)
            x += i * 0.5;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
        clock_gettime(CLOCK_MONOTONIC, &wall);
    } while (cpu.tv_sec * 1000 + cpu.tv_nsec / 1000000 < 50 && wall.tv_sec - wall_start.tv_sec < 5);
    ck_assert(x > 0);

    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(kgw_metrics_render(&text, &len), 0);
    const char *names[] = {"kgw_process_resident_memory_bytes", "kgw_process_virtual_memory_bytes",
                           "kgw_process_open_fds", "kgw_process_start_time_seconds",
                           "kgw_process_cpu_seconds_total"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char key[96];
        snprintf(key, sizeof key, "\n%s ", names[i]);
        const char *at = strstr(text, key);
        ck_assert_msg(at != NULL, "no %s in:\n%s", names[i], text);
        double v = strtod(at + strlen(key), NULL);
        ck_assert_msg(v > 0 && !isnan(v), "%s is %g", names[i], v);
    }
    ck_assert_ptr_nonnull(strstr(text, "# TYPE kgw_process_cpu_seconds_total counter\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nkgw_build_info{version=\""));
    /* RSS is at least a megabyte and under 64 GiB; start time is after 2020. */
    double rss = strtod(strstr(text, "\nkgw_process_resident_memory_bytes ") + 35, NULL);
    ck_assert(rss > 1e6 && rss < 64e9);
    double start = strtod(strstr(text, "\nkgw_process_start_time_seconds ") + 32, NULL);
    ck_assert(start > 1577836800.0);
    free(text);
}
END_TEST

START_TEST(test_standard_metrics)
{
    kgw_counter_t *r = kgw_metrics_requests("team-a", 3, "Metadata");
    kgw_counter_t *unknown = kgw_metrics_requests("team-a", 9999, NULL);
    kgw_counter_t *acc = kgw_metrics_connections_accepted("public", "team-a");
    kgw_gauge_t *act = kgw_metrics_connections_active("public", "team-a");
    kgw_counter_t *un = kgw_metrics_broker_unmapped("team-a", 7);
    kgw_counter_t *meta_ok = kgw_metrics_backend_metadata_refresh("local", true);
    kgw_counter_t *reload_bad = kgw_metrics_config_reloads(false);
    kgw_counter_t *pol = kgw_metrics_policy_invocations("team-a", "team-a-acls", "stop");
    kgw_counter_t *rx = kgw_metrics_bytes_received("team-a", "client");
    kgw_counter_t *tx = kgw_metrics_bytes_sent("team-a", "backend");
    kgw_counter_t *rej = kgw_metrics_frames_rejected("public", "too_large");
    kgw_counter_t *fail = kgw_metrics_backend_connect_failures("local");
    kgw_counter_t *resp = kgw_metrics_responses("team-a", 0, "Produce");
    kgw_histogram_t *dur = kgw_metrics_request_duration("team-a", 1, "Fetch");
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_nonnull(unknown);
    ck_assert_ptr_nonnull(acc);
    ck_assert_ptr_nonnull(act);
    ck_assert_ptr_nonnull(un);
    ck_assert_ptr_nonnull(meta_ok);
    ck_assert_ptr_nonnull(reload_bad);
    ck_assert_ptr_nonnull(pol);
    ck_assert_ptr_nonnull(rx);
    ck_assert_ptr_nonnull(tx);
    ck_assert_ptr_nonnull(rej);
    ck_assert_ptr_nonnull(fail);
    ck_assert_ptr_nonnull(resp);
    ck_assert_ptr_nonnull(dur);
    ck_assert_ptr_eq(r, kgw_metrics_requests("team-a", 3, "Metadata"));
    kgw_counter_add(r, 2);
    kgw_counter_inc(unknown);
    kgw_counter_inc(acc);
    kgw_gauge_inc(act);
    kgw_counter_inc(un);
    kgw_counter_add(rx, 100);
    kgw_histogram_observe_ns(dur, 2000000);

    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(kgw_metrics_render(&text, &len), 0);
    const char *lines[] = {
        "\nkgw_requests_total{api_key=\"Metadata\",virtual_cluster=\"team-a\"} 2\n",
        "\nkgw_requests_total{api_key=\"9999\",virtual_cluster=\"team-a\"} 1\n",
        "\nkgw_connections_accepted_total{listener=\"public\",virtual_cluster=\"team-a\"} 1\n",
        "\nkgw_connections_active{listener=\"public\",virtual_cluster=\"team-a\"} 1\n",
        "\nkgw_broker_unmapped_total{broker_id=\"7\",virtual_cluster=\"team-a\"} 1\n",
        "\nkgw_backend_metadata_refresh_total{backend_cluster=\"local\",result=\"success\"} 0\n",
        "\nkgw_config_reloads_total{result=\"failure\"} 0\n",
        "\nkgw_policy_invocations_total{policy=\"team-a-acls\",result=\"stop\","
        "virtual_cluster=\"team-a\"} 0\n",
        "\nkgw_bytes_received_total{direction=\"client\",virtual_cluster=\"team-a\"} 100\n",
        "\nkgw_bytes_sent_total{direction=\"backend\",virtual_cluster=\"team-a\"} 0\n",
        "\nkgw_frames_rejected_total{listener=\"public\",reason=\"too_large\"} 0\n",
        "\nkgw_backend_connect_failures_total{backend_cluster=\"local\"} 0\n",
        "\nkgw_responses_total{api_key=\"Produce\",virtual_cluster=\"team-a\"} 0\n",
        "\nkgw_request_duration_seconds_bucket{api_key=\"Fetch\",virtual_cluster=\"team-a\","
        "le=\"0.0025\"} 1\n",
        "\nkgw_request_duration_seconds_count{api_key=\"Fetch\",virtual_cluster=\"team-a\"} 1\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        ck_assert_msg(strstr(text, lines[i]) != NULL, "missing %s", lines[i] + 1);
    free(text);
}
END_TEST

static Suite *
metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_registration_is_idempotent);
    tcase_add_test(tc, test_registration_errors_name_the_value);
    tcase_add_test(tc, test_threads_sum_right);
    tcase_add_test(tc, test_render_exact_text);
    tcase_add_test(tc, test_label_escaping);
    tcase_add_test(tc, test_process_metrics_in_global_registry);
    tcase_add_test(tc, test_standard_metrics);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(metrics_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
