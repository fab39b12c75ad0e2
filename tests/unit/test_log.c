/*
 * kgw_log: levels, text and JSON lines, escaping, whole lines from threads.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* Runs fn with stderr redirected to a temporary file; returns its text. */
static char *
capture(void (*fn)(void))
{
    char path[] = "/tmp/kgw-test-log-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    int saved = dup(STDERR_FILENO);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
    fn();
    ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
    close(saved);
    off_t size = lseek(fd, 0, SEEK_END);
    char *text = calloc(1, (size_t)size + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(pread(fd, text, (size_t)size, 0), size);
    close(fd);
    unlink(path);
    return text;
}

static void
levels(void)
{
    kgw_log_configure(KGW_LOG_WARN, KGW_LOG_TEXT);
    kgw_log_info("hidden %d", 1);
    kgw_log_debug("hidden %d", 2);
    kgw_log_warn("shown %d", 3);
    kgw_log_error("multi\nline");
}

START_TEST(text_lines_respect_the_level)
{
    char *t = capture(levels);
    ck_assert_ptr_null(strstr(t, "hidden"));
    ck_assert_ptr_nonnull(strstr(t, "warn  shown 3\n"));
    /* A message's newline never splits the line. */
    ck_assert_ptr_nonnull(strstr(t, "error multi line\n"));
    free(t);
}
END_TEST

static void
json(void)
{
    kgw_log_configure(KGW_LOG_DEBUG, KGW_LOG_JSON);
    kgw_log_info("topic \"a\\b\"\n\ttab\x01");
}

START_TEST(json_lines_are_escaped)
{
    char *t = capture(json);
    ck_assert_ptr_nonnull(strstr(t, "\"level\":\"info\""));
    ck_assert_ptr_nonnull(strstr(t, "\"msg\":\"topic \\\"a\\\\b\\\"\\n\\ttab\\u0001\"}\n"));
    ck_assert_int_eq(t[0], '{');
    free(t);
}
END_TEST

static void *
writer(void *arg)
{
    for (int i = 0; i < 200; i++)
        kgw_log_info("thread %ld line %d %s", (long)(intptr_t)arg, i,
                     "................................................................");
    return NULL;
}

static void
threads(void)
{
    kgw_log_configure(KGW_LOG_INFO, KGW_LOG_TEXT);
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
}

START_TEST(lines_from_threads_never_interleave)
{
    char *t = capture(threads);
    int lines = 0;
    for (char *line = strtok(t, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        lines++;
        ck_assert_msg(strstr(line, " info  thread ") != NULL, "bad line: %s", line);
        size_t len = strlen(line);
        ck_assert_msg(len > 64 && line[len - 1] == '.', "torn line: %s", line);
    }
    ck_assert_int_eq(lines, 800);
    free(t);
}
END_TEST

START_TEST(names_parse)
{
    kgw_log_level_t l;
    kgw_log_format_t f;
    ck_assert(kgw_log_level_parse("debug", &l) && l == KGW_LOG_DEBUG);
    ck_assert(!kgw_log_level_parse("verbose", &l));
    ck_assert(kgw_log_format_parse("json", &f) && f == KGW_LOG_JSON);
    ck_assert(!kgw_log_format_parse("xml", &f));
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, text_lines_respect_the_level);
    tcase_add_test(tc, json_lines_are_escaped);
    tcase_add_test(tc, lines_from_threads_never_interleave);
    tcase_add_test(tc, names_parse);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
