/*
 * Plugin loader and host API tests, against the fixture plugins of
 * tests/unit/plugin_fixtures/ (built as KGW_BINARY_DIR/tests/plugin_fixtures/
 * kgw_<name>.so).
 *
 * The binary also serves tools/sdk-example.sh:
 *   test_plugin_loader --check PLUGIN.so [CONFIG.yaml]
 * loads the plugin, creates and destroys an instance with the YAML file as
 * its config, prints what it found and exits 0, or prints the loader's error
 * and exits 1.
 */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_internal.h"
#include "host_api.h"
#include "log.h"
#include "plugin_loader.h"

#define FIXTURE_DIR KGW_BINARY_DIR "/tests/plugin_fixtures"
#define FIXTURE(name) FIXTURE_DIR "/kgw_" name ".so"

static char err[2048];

/* Opens `path` in a fresh loader, expects a refusal, and checks that the
 * message contains every one of the NULL-terminated fragments. */
static void
expect_refusal(const char *path, ...)
{
    kgw_plugin_loader_t *loader = kgw_plugin_loader_new(FIXTURE_DIR, NULL);
    ck_assert_ptr_nonnull(loader);
    const kgw_plugin_t *p = (const kgw_plugin_t *)loader; /* must be reset to NULL */
    err[0] = '\0';
    ck_assert_int_eq(kgw_plugin_loader_open(loader, path, &p, err, sizeof err), -1);
    ck_assert_ptr_null(p);
    ck_assert_uint_eq(kgw_plugin_loader_count(loader), 0);
    ck_assert_msg(strstr(err, path) != NULL, "message does not name the file: %s", err);
    va_list ap;
    va_start(ap, path);
    for (const char *frag = va_arg(ap, const char *); frag != NULL; frag = va_arg(ap, const char *))
        ck_assert_msg(strstr(err, frag) != NULL, "'%s' not in: %s", frag, err);
    va_end(ap);
    kgw_plugin_loader_free(loader);
}

/* Writes `yaml` to a temporary file and parses it into a node tree. */
static kgw_config_node_t *
yaml_tree(const char *yaml)
{
    char path[] = "/tmp/kgw-plugin-test-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
    close(fd);
    kgw_config_errors_t errs;
    kgw_config_errors_init(&errs);
    kgw_config_node_t *root = NULL;
    int rc = kgw__config_yaml_load(path, "policy.yaml", &root, &errs);
    if (rc != 0)
        kgw_config_errors_print(&errs, stderr);
    ck_assert_int_eq(rc, 0);
    kgw_config_errors_free(&errs);
    unlink(path);
    return root;
}

/* Runs `fn(arg)` with stderr redirected to a temporary file; returns its text. */
static char *
capture_stderr(void (*fn)(void *), void *arg)
{
    char path[] = "/tmp/kgw-plugin-log-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
    fn(arg);
    fflush(stderr);
    ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
    close(saved);
    off_t len = lseek(fd, 0, SEEK_END);
    char *text = calloc(1, (size_t)len + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(pread(fd, text, (size_t)len, 0), len);
    close(fd);
    unlink(path);
    return text;
}

static char *
render(kgw_metrics_registry_t *reg)
{
    char *text;
    size_t len;
    ck_assert_int_eq(kgw_metrics_registry_render(reg, &text, &len), 0);
    return text;
}

/* ---- Loading ------------------------------------------------------------- */

START_TEST(good_plugin_loads_once)
{
    kgw_plugin_loader_t *loader = kgw_plugin_loader_new(FIXTURE_DIR, NULL);
    ck_assert_ptr_nonnull(loader);
    const kgw_plugin_t *p, *again, *named;
    ck_assert_msg(kgw_plugin_loader_open(loader, FIXTURE("fixture_good"), &p, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_str_eq(kgw_plugin_name(p), "fixture_good");
    ck_assert_str_eq(kgw_plugin_version(p), "1.2.3");
    ck_assert_str_eq(kgw_plugin_path(p), FIXTURE("fixture_good"));
    unsigned major, minor;
    kgw_plugin_abi(p, &major, &minor);
    ck_assert_uint_eq(major, KGW_ABI_MAJOR);
    ck_assert_uint_eq(minor, KGW_ABI_MINOR);
    ck_assert(kgw_plugin_wants_api_key(p, 0));
    ck_assert(kgw_plugin_wants_api_key(p, 3));
    ck_assert(!kgw_plugin_wants_api_key(p, 1));
    ck_assert(kgw_plugin_has_request_hooks(p));
    ck_assert(kgw_plugin_has_produce_hook(p));
    ck_assert(kgw_plugin_has_fetch_hook(p));

    /* The same file, by path or by name (even spelled differently), is one plugin. */
    ck_assert_int_eq(
        kgw_plugin_loader_open(loader, FIXTURE("fixture_good"), &again, err, sizeof err), 0);
    ck_assert_ptr_eq(again, p);
    ck_assert_msg(kgw_plugin_loader_open_named(loader, "fixture_good", &named, err, sizeof err) ==
                      0,
                  "%s", err);
    ck_assert_ptr_eq(named, p);
    ck_assert_int_eq(kgw_plugin_loader_open(loader, FIXTURE_DIR "/./kgw_fixture_good.so", &again,
                                            err, sizeof err),
                     0);
    ck_assert_ptr_eq(again, p);
    ck_assert_uint_eq(kgw_plugin_loader_count(loader), 1);
    kgw_plugin_loader_free(loader);
}
END_TEST

START_TEST(missing_file_is_refused_with_dlerror)
{
    expect_refusal(FIXTURE_DIR "/kgw_does_not_exist.so", "cannot load plugin",
                   "No such file or directory", NULL);
}
END_TEST

START_TEST(non_shared_object_is_refused_with_dlerror)
{
    char path[] = "/tmp/kgw_not_elf_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    const char *text = "This is a text file, not an ELF shared object. It is long enough\n"
                       "for the dynamic loader to read a whole ELF header from it.\n";
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    /* glibc says "invalid ELF header" (or "file too short" for tiny files). */
    expect_refusal(path, "cannot load plugin", "ELF", NULL);
    unlink(path);
}
END_TEST

START_TEST(missing_entry_is_refused)
{
    expect_refusal(FIXTURE("fixture_no_entry"), "entry function 'kgw_plugin_entry' not found",
                   NULL);
}
END_TEST

START_TEST(bad_magic_is_refused)
{
    expect_refusal(FIXTURE("fixture_bad_magic"), "'magic' is 0xdeadbeef", "expected 0x4b475750",
                   NULL);
}
END_TEST

START_TEST(short_descriptor_is_refused)
{
    char expected[64];
    snprintf(expected, sizeof expected, "expected at least %zu", sizeof(kgw_plugin_descriptor_t));
    expect_refusal(FIXTURE("fixture_short"), "'size' is 16 bytes", expected, NULL);
}
END_TEST

START_TEST(other_major_is_refused)
{
    expect_refusal(FIXTURE("fixture_major2"), "'abi_major' is 2", "expected 1",
                   "implements ABI 1.0", NULL);
}
END_TEST

START_TEST(newer_minor_is_refused)
{
    expect_refusal(FIXTURE("fixture_minor_next"), "'abi_minor' is 1", "expected at most 0",
                   "built for ABI 1.1", NULL);
}
END_TEST

START_TEST(missing_create_is_refused)
{
    expect_refusal(FIXTURE("fixture_no_create"), "'create' is NULL", "expected a function", NULL);
}
END_TEST

START_TEST(no_message_hook_is_refused)
{
    expect_refusal(FIXTURE("fixture_no_hooks"), "are all NULL", "expected at least one hook", NULL);
}
END_TEST

START_TEST(bad_name_is_refused)
{
    expect_refusal(FIXTURE("fixture_bad_name"), "'name' is \"Bad Name\"", "[a-z0-9_-]", NULL);
}
END_TEST

START_TEST(duplicate_name_is_refused)
{
    kgw_plugin_loader_t *loader = kgw_plugin_loader_new(FIXTURE_DIR, NULL);
    ck_assert_ptr_nonnull(loader);
    const kgw_plugin_t *p;
    ck_assert_int_eq(kgw_plugin_loader_open(loader, FIXTURE("fixture_good"), &p, err, sizeof err),
                     0);
    ck_assert_int_eq(kgw_plugin_loader_open(loader, FIXTURE("fixture_dup"), &p, err, sizeof err),
                     -1);
    ck_assert_ptr_null(p);
    ck_assert_msg(strstr(err, FIXTURE("fixture_dup") ": descriptor field 'name' is "
                                                     "'fixture_good', which is already loaded "
                                                     "from " FIXTURE("fixture_good")) != NULL,
                  "%s", err);
    ck_assert_uint_eq(kgw_plugin_loader_count(loader), 1);
    kgw_plugin_loader_free(loader);
}
END_TEST

START_TEST(file_name_must_match_plugin_name)
{
    kgw_plugin_loader_t *loader = kgw_plugin_loader_new(FIXTURE_DIR, NULL);
    ck_assert_ptr_nonnull(loader);
    const kgw_plugin_t *p;
    ck_assert_int_eq(kgw_plugin_loader_open_named(loader, "fixture_dup", &p, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "'name' is 'fixture_good', expected 'fixture_dup'") != NULL, "%s",
                  err);
    ck_assert_uint_eq(kgw_plugin_loader_count(loader), 0);
    ck_assert_int_eq(kgw_plugin_loader_open(loader, "kgw_fixture_good.so", &p, err, sizeof err),
                     -1);
    ck_assert_msg(strstr(err, "\"kgw_fixture_good.so\" has no '/'") != NULL, "%s", err);
    ck_assert_int_eq(kgw_plugin_loader_open_named(loader, "../etc", &p, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "\"../etc\" is invalid") != NULL, "%s", err);
    kgw_plugin_loader_free(loader);
}
END_TEST

/* ---- Instances ----------------------------------------------------------- */

/* Loads fixture_good and creates an instance with `yaml` as its config.
 * Returns 0 or -1 (err set). */
static int
make_instance(kgw_plugin_loader_t *loader, const char *yaml, kgw_config_node_t **tree,
              kgw_plugin_instance_t **inst)
{
    const kgw_plugin_t *p;
    ck_assert_int_eq(kgw_plugin_loader_open(loader, FIXTURE("fixture_good"), &p, err, sizeof err),
                     0);
    *tree = yaml != NULL ? yaml_tree(yaml) : NULL;
    return kgw_plugin_instance_create(p, "team-a", "p1", *tree, inst, err, sizeof err);
}

START_TEST(refused_config_names_policy_and_reason)
{
    kgw_plugin_loader_t *loader = kgw_plugin_loader_new(FIXTURE_DIR, NULL);
    kgw_config_node_t *tree;
    kgw_plugin_instance_t *inst = (kgw_plugin_instance_t *)loader;
    ck_assert_int_eq(make_instance(loader, "refuse: not today\n", &tree, &inst), -1);
    ck_assert_ptr_null(inst);
    ck_assert_str_eq(err, "virtual cluster 'team-a', policy 'p1' (plugin 'fixture_good'): "
                          "config refused: refused on request: not today");
    kgw_config_node_free(tree);

    ck_assert_int_eq(make_instance(loader, "result: continue\ncolour: blue\n", &tree, &inst), -1);
    ck_assert_msg(strstr(err, "config refused: policy.yaml:2: colour: unknown key 'colour'") !=
                      NULL,
                  "%s", err);
    kgw_config_node_free(tree);

    ck_assert_int_eq(make_instance(loader, "limit: \"12\"\n", &tree, &inst), -1);
    ck_assert_msg(strstr(err, "limit: not an integer (status -5)") != NULL, "%s", err);
    kgw_config_node_free(tree);
    kgw_plugin_loader_free(loader);
}
END_TEST

START_TEST(hook_results_are_counted_per_instance)
{
    kgw_metrics_registry_t *reg = kgw_metrics_registry_new();
    ck_assert_ptr_nonnull(reg);
    kgw_plugin_loader_t *loader = kgw_plugin_loader_new(FIXTURE_DIR, reg);
    const kgw_plugin_t *p;
    ck_assert_int_eq(kgw_plugin_loader_open(loader, FIXTURE("fixture_good"), &p, err, sizeof err),
                     0);
    static const struct {
        const char *vc, *yaml;
        kgw_plugin_result_t want;
    } cases[] = {
        {"vc-continue", "result: continue\nlimit: 5\nenabled: false\ntags: [a, b]\n", KGW_CONTINUE},
        {"vc-stop", "result: stop\n", KGW_STOP},
        {"vc-error", "result: error\n", KGW_ERROR},
        {"vc-bogus", "result: bogus\n", KGW_ERROR},
    };
    kgw_plugin_instance_t *inst[4];
    kgw_config_node_t *trees[4];
    for (size_t i = 0; i < 4; i++) {
        trees[i] = yaml_tree(cases[i].yaml);
        ck_assert_msg(kgw_plugin_instance_create(p, cases[i].vc, NULL, trees[i], &inst[i], err,
                                                 sizeof err) == 0,
                      "%s", err);
        ck_assert_str_eq(kgw_plugin_instance_policy(inst[i]), "fixture_good");
        ck_assert_ptr_eq(kgw_plugin_instance_plugin(inst[i]), p);
        ck_assert_uint_eq(kgw_host_scratch_in_use(), 0);
    }
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(kgw_plugin_instance_on_request(inst[i], NULL), cases[i].want);
        ck_assert_uint_eq(kgw_host_scratch_in_use(), 0);
        ck_assert_int_eq(kgw_plugin_instance_on_response(inst[i], NULL), cases[i].want);
        ck_assert_int_eq(kgw_plugin_instance_on_produce_batch(inst[i], NULL, NULL), cases[i].want);
        ck_assert_int_eq(kgw_plugin_instance_on_fetch_batch(inst[i], NULL, NULL), cases[i].want);
        ck_assert_uint_eq(kgw_host_scratch_in_use(), 0);
    }
    char *text = render(reg);
    const char *expected[] = {
        "kgw_policy_invocations_total{policy=\"fixture_good\",result=\"continue\","
        "virtual_cluster=\"vc-continue\"} 4\n",
        "kgw_policy_invocations_total{policy=\"fixture_good\",result=\"stop\","
        "virtual_cluster=\"vc-stop\"} 4\n",
        "kgw_policy_invocations_total{policy=\"fixture_good\",result=\"error\","
        "virtual_cluster=\"vc-error\"} 4\n",
        "kgw_policy_invocations_total{policy=\"fixture_good\",result=\"error\","
        "virtual_cluster=\"vc-bogus\"} 4\n",
        "kgw_policy_invocations_total{policy=\"fixture_good\",result=\"stop\","
        "virtual_cluster=\"vc-continue\"} 0\n",
        "kgw_policy_duration_seconds_count{policy=\"fixture_good\",virtual_cluster=\"vc-stop\"} "
        "4\n",
        "kgw_plugin_fixture_good_calls_total{policy=\"fixture_good\","
        "virtual_cluster=\"vc-error\"} 4\n",
        "# HELP kgw_plugin_fixture_good_calls_total Hook calls seen by the fixture.\n",
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        ck_assert_msg(strstr(text, expected[i]) != NULL, "missing %s in:\n%s", expected[i], text);
    free(text);
    for (size_t i = 0; i < 4; i++) {
        kgw_plugin_instance_destroy(inst[i]);
        kgw_config_node_free(trees[i]);
    }
    kgw_plugin_loader_free(loader);
    kgw_metrics_registry_free(reg);
}
END_TEST

#define HOOK_THREADS 4
#define HOOK_CALLS 2000

static void *
call_hooks(void *arg)
{
    kgw_plugin_instance_t *inst = arg;
    for (int i = 0; i < HOOK_CALLS; i++) {
        if (kgw_plugin_instance_on_request(inst, NULL) != KGW_STOP ||
            kgw_host_scratch_in_use() != 0)
            return (void *)1;
    }
    return NULL;
}

/* Hooks of one instance run on several workers at once (DESIGN.md 5): the
 * automatic and the plugin's own counters must not lose updates, and each
 * thread's scratch memory is its own. */
START_TEST(hooks_run_concurrently_on_workers)
{
    kgw_metrics_registry_t *reg = kgw_metrics_registry_new();
    kgw_plugin_loader_t *loader = kgw_plugin_loader_new(FIXTURE_DIR, reg);
    kgw_config_node_t *tree;
    kgw_plugin_instance_t *inst;
    ck_assert_msg(make_instance(loader, "result: stop\n", &tree, &inst) == 0, "%s", err);
    pthread_t threads[HOOK_THREADS];
    for (int t = 0; t < HOOK_THREADS; t++)
        ck_assert_int_eq(pthread_create(&threads[t], NULL, call_hooks, inst), 0);
    for (int t = 0; t < HOOK_THREADS; t++) {
        void *failed;
        ck_assert_int_eq(pthread_join(threads[t], &failed), 0);
        ck_assert_ptr_null(failed);
    }
    char *text = render(reg);
    char line[256];
    snprintf(line, sizeof line,
             "kgw_policy_invocations_total{policy=\"p1\",result=\"stop\","
             "virtual_cluster=\"team-a\"} %d\n",
             HOOK_THREADS * HOOK_CALLS);
    ck_assert_msg(strstr(text, line) != NULL, "missing %s in:\n%s", line, text);
    snprintf(line, sizeof line,
             "kgw_plugin_fixture_good_calls_total{policy=\"p1\",virtual_cluster=\"team-a\"} "
             "%d\n",
             HOOK_THREADS * HOOK_CALLS);
    ck_assert_msg(strstr(text, line) != NULL, "missing %s in:\n%s", line, text);
    free(text);
    kgw_plugin_instance_destroy(inst);
    kgw_config_node_free(tree);
    kgw_plugin_loader_free(loader);
    kgw_metrics_registry_free(reg);
}
END_TEST

static void
create_and_destroy(void *arg)
{
    kgw_plugin_loader_t *loader = arg;
    kgw_config_node_t *tree;
    kgw_plugin_instance_t *inst;
    ck_assert_int_eq(make_instance(loader, "greeting: bonjour\nlimit: 7\n", &tree, &inst), 0);
    kgw_plugin_instance_destroy(inst);
    kgw_config_node_free(tree);
}

START_TEST(plugin_log_lines_carry_plugin_and_virtual_cluster)
{
    kgw_log_configure(KGW_LOG_INFO, KGW_LOG_TEXT);
    kgw_plugin_loader_t *loader = kgw_plugin_loader_new(FIXTURE_DIR, NULL);
    char *text = capture_stderr(create_and_destroy, loader);
    ck_assert_msg(strstr(text, "fixture_good[p1]/team-a: bonjour: limit=7 enabled=1 tags=0\n") !=
                      NULL,
                  "%s", text);
    free(text);
    kgw_plugin_loader_free(loader);
}
END_TEST

START_TEST(instance_without_config_gets_null)
{
    kgw_plugin_loader_t *loader = kgw_plugin_loader_new(FIXTURE_DIR, NULL);
    kgw_config_node_t *tree;
    kgw_plugin_instance_t *inst;
    ck_assert_msg(make_instance(loader, NULL, &tree, &inst) == 0, "%s", err);
    ck_assert_int_eq(kgw_plugin_instance_on_request(inst, NULL), KGW_CONTINUE);
    kgw_plugin_instance_destroy(inst);
    kgw_plugin_loader_free(loader);
}
END_TEST

/* ---- Host API directly --------------------------------------------------- */

START_TEST(host_config_reads)
{
    kgw_metrics_registry_t *reg = kgw_metrics_registry_new();
    kgw_host_ctx_t ctx;
    ck_assert_int_eq(kgw_host_ctx_init(&ctx, "x", "vc", NULL, reg, err, sizeof err), 0);
    const kgw_host_t *h = kgw_host_ctx_table(&ctx);
    ck_assert_uint_eq(h->size, sizeof(kgw_host_t));
    ck_assert_uint_eq(h->abi_major, KGW_ABI_MAJOR);
    ck_assert_uint_eq(h->abi_minor, KGW_ABI_MINOR);
    ck_assert(KGW_HOST_HAS(h, msg_drop));

    kgw_config_node_t *tree = yaml_tree("n: 42\nneg: -7\nbig: 99999999999999999999\nq: \"5\"\n"
                                        "word: abc\nyes: TRUE\nno: false\nlist: [a, {b: 1}]\n"
                                        "empty:\n");
    const kgw_plugin_config_t *c = kgw_host_config(tree);
    int64_t v = -1;
    ck_assert_int_eq(h->config_get_int(h, c, "n", &v), KGW_OK);
    ck_assert_int_eq(v, 42);
    ck_assert_int_eq(h->config_get_int(h, c, "neg", &v), KGW_OK);
    ck_assert_int_eq(v, -7);
    ck_assert_int_eq(h->config_get_int(h, c, "big", &v), KGW_ERR_RANGE);
    ck_assert_int_eq(h->config_get_int(h, c, "q", &v), KGW_ERR_TYPE);
    ck_assert_int_eq(h->config_get_int(h, c, "word", &v), KGW_ERR_TYPE);
    ck_assert_int_eq(h->config_get_int(h, c, "absent", &v), KGW_ERR_NOT_FOUND);
    ck_assert_int_eq(h->config_get_int(h, c, "list", &v), KGW_ERR_TYPE);
    ck_assert_int_eq(v, -7);
    int b = -1;
    ck_assert_int_eq(h->config_get_bool(h, c, "yes", &b), KGW_OK);
    ck_assert_int_eq(b, 1);
    ck_assert_int_eq(h->config_get_bool(h, c, "no", &b), KGW_OK);
    ck_assert_int_eq(b, 0);
    ck_assert_int_eq(h->config_get_bool(h, c, "word", &b), KGW_ERR_TYPE);
    const char *s = NULL;
    ck_assert_int_eq(h->config_get_string(h, c, "q", &s), KGW_OK);
    ck_assert_str_eq(s, "5");
    ck_assert_int_eq(h->config_get_string(h, c, "empty", &s), KGW_ERR_TYPE);
    ck_assert_int_eq(h->config_type(h, h->config_get(h, c, "empty")), KGW_PLUGIN_CONFIG_NULL);
    ck_assert_int_eq(h->config_type(h, c), KGW_PLUGIN_CONFIG_MAP);
    ck_assert_int_eq(h->config_count(h, c), 9);
    ck_assert_str_eq(h->config_key(h, h->config_at(h, c, 4)), "word");
    ck_assert_ptr_null(h->config_at(h, c, 9));

    const kgw_plugin_config_t *list = h->config_get(h, c, "list");
    ck_assert_int_eq(h->config_type(h, list), KGW_PLUGIN_CONFIG_LIST);
    ck_assert_int_eq(h->config_count(h, list), 2);
    ck_assert_int_eq(h->config_get_string(h, h->config_at(h, list, 0), NULL, &s), KGW_OK);
    ck_assert_str_eq(s, "a");
    const kgw_plugin_config_t *item = h->config_at(h, list, 1);
    ck_assert_ptr_null(h->config_key(h, item));
    ck_assert_int_eq(h->config_get_int(h, item, "b", &v), KGW_OK);
    ck_assert_int_eq(v, 1);
    char where[128];
    ck_assert_int_eq(h->config_where(h, item, where, sizeof where), KGW_OK);
    ck_assert_str_eq(where, "policy.yaml:8: list[1]");
    ck_assert_int_eq(h->config_count(h, h->config_get(h, c, "n")), KGW_ERR_TYPE);
    ck_assert_ptr_null(h->config_get(h, NULL, "n"));
    ck_assert_int_eq(h->config_type(h, NULL), KGW_ERR_INVALID);
    ck_assert_int_eq(h->config_get_int(h, NULL, "n", &v), KGW_ERR_NOT_FOUND);

    kgw_config_node_free(tree);
    kgw_host_ctx_clear(&ctx);
    kgw_metrics_registry_free(reg);
}
END_TEST

START_TEST(host_counters_scratch_and_unsupported_accessors)
{
    kgw_metrics_registry_t *reg = kgw_metrics_registry_new();
    kgw_host_ctx_t ctx;
    ck_assert_int_eq(kgw_host_ctx_init(&ctx, "my-plugin", "vc", "pol", reg, err, sizeof err), 0);
    const kgw_host_t *h = kgw_host_ctx_table(&ctx);

    /* counter_register only during create, only with a valid name. */
    ck_assert_int_eq(h->counter_register(h, "hits_total", "Hits."), KGW_ERR_INVALID);
    ctx.in_create = true;
    ck_assert_int_eq(h->counter_register(h, "Hits", "Hits."), KGW_ERR_INVALID);
    ck_assert_int_eq(h->counter_register(h, "hits", "Hits."), KGW_ERR_INVALID);
    ck_assert_int_eq(h->counter_register(h, "hits_total", ""), KGW_ERR_INVALID);
    int id = h->counter_register(h, "hits_total", "Hits.");
    ck_assert_int_eq(id, 0);
    ctx.in_create = false;
    ck_assert_int_eq(h->counter_add(h, id, 5), KGW_OK);
    ck_assert_int_eq(h->counter_add(h, id + 1, 5), KGW_ERR_INVALID);
    char *text = render(reg);
    ck_assert_msg(strstr(text, "kgw_plugin_my_plugin_hits_total{policy=\"pol\","
                               "virtual_cluster=\"vc\"} 5\n") != NULL,
                  "%s", text);
    free(text);

    /* Scratch: aligned, bounded per call, released in one go. */
    void *a = h->scratch_alloc(h, 3);
    void *b = h->scratch_alloc(h, 100);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq((uintptr_t)b % _Alignof(max_align_t), 0);
    ck_assert_uint_eq(kgw_host_scratch_in_use(), 103);
    ck_assert_ptr_null(h->scratch_alloc(h, 0));
    ck_assert_ptr_null(h->scratch_alloc(h, KGW_HOST_SCRATCH_MAX));
    kgw_host_scratch_release();
    ck_assert_uint_eq(kgw_host_scratch_in_use(), 0);
    void *big = h->scratch_alloc(h, KGW_HOST_SCRATCH_MAX);
    ck_assert_ptr_nonnull(big);
    kgw_host_scratch_release();

    /* ABI 1.0 declares the message accessors; this host does not have them yet. */
    const char *s = "untouched";
    ck_assert_int_eq(h->msg_api_key(h, NULL), KGW_ERR_UNSUPPORTED);
    ck_assert_int_eq(h->msg_api_version(h, NULL), KGW_ERR_UNSUPPORTED);
    ck_assert_int_eq(h->msg_principal(h, NULL, &s), KGW_ERR_UNSUPPORTED);
    ck_assert_int_eq(h->msg_auth_type(h, NULL, &s), KGW_ERR_UNSUPPORTED);
    ck_assert_int_eq(h->msg_topic_count(h, NULL), KGW_ERR_UNSUPPORTED);
    ck_assert_int_eq(h->msg_topic_name(h, NULL, 0, &s), KGW_ERR_UNSUPPORTED);
    ck_assert_int_eq(h->msg_topic_remove(h, NULL, 0), KGW_ERR_UNSUPPORTED);
    ck_assert_int_eq(h->msg_topic_rename(h, NULL, 0, "t"), KGW_ERR_UNSUPPORTED);
    ck_assert_int_eq(h->batch_record_count(h, NULL), KGW_ERR_UNSUPPORTED);
    kgw_msg_record_t *rec = NULL;
    ck_assert_int_eq(h->batch_record_at(h, NULL, 0, &rec), KGW_ERR_UNSUPPORTED);
    const void *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(h->record_key(h, NULL, &data, &len), KGW_ERR_UNSUPPORTED);
    ck_assert_int_eq(h->record_value(h, NULL, &data, &len), KGW_ERR_UNSUPPORTED);
    ck_assert_int_eq(h->record_header_count(h, NULL), KGW_ERR_UNSUPPORTED);
    ck_assert_int_eq(h->record_header_at(h, NULL, 0, &s, &data, &len), KGW_ERR_UNSUPPORTED);
    ck_assert_int_eq(h->record_header_get(h, NULL, "k", &data, &len), KGW_ERR_UNSUPPORTED);
    ck_assert_int_eq(h->record_header_set(h, NULL, "k", "v", 1), KGW_ERR_UNSUPPORTED);
    ck_assert_int_eq(h->record_header_remove(h, NULL, "k"), KGW_ERR_UNSUPPORTED);
    ck_assert_int_eq(h->msg_respond_error(h, NULL, 29), KGW_ERR_UNSUPPORTED);
    ck_assert_int_eq(h->msg_drop(h, NULL), KGW_ERR_UNSUPPORTED);
    ck_assert_str_eq(s, "untouched");
    ck_assert_ptr_null(rec);

    kgw_host_ctx_clear(&ctx);
    kgw_metrics_registry_free(reg);
}
END_TEST

/* ---- --check mode (tools/sdk-example.sh) ---------------------------------- */

static int
check_plugin(const char *path, const char *config_file)
{
    char msg[2048];
    int rc = 1;
    kgw_config_node_t *tree = NULL;
    kgw_plugin_instance_t *inst = NULL;
    kgw_plugin_loader_t *loader = kgw_plugin_loader_new(NULL, NULL);
    if (loader == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    if (config_file != NULL) {
        kgw_config_errors_t errs;
        kgw_config_errors_init(&errs);
        if (kgw__config_yaml_load(config_file, config_file, &tree, &errs) != 0) {
            kgw_config_errors_print(&errs, stderr);
            kgw_config_errors_free(&errs);
            goto out;
        }
        kgw_config_errors_free(&errs);
    }
    const kgw_plugin_t *p;
    if (kgw_plugin_loader_open(loader, path, &p, msg, sizeof msg) != 0) {
        fprintf(stderr, "refused: %s\n", msg);
        goto out;
    }
    if (kgw_plugin_instance_create(p, "check", NULL, tree, &inst, msg, sizeof msg) != 0) {
        fprintf(stderr, "refused: %s\n", msg);
        goto out;
    }
    /* The hooks must be callable; ABI 1.0 has no messages yet, so NULL. */
    static const char *const results[] = {"continue", "stop", "error"};
    printf("hooks without a message: on_request %s, on_response %s, on_produce_batch %s, "
           "on_fetch_batch %s\n",
           results[kgw_plugin_instance_on_request(inst, NULL)],
           results[kgw_plugin_instance_on_response(inst, NULL)],
           results[kgw_plugin_instance_on_produce_batch(inst, NULL, NULL)],
           results[kgw_plugin_instance_on_fetch_batch(inst, NULL, NULL)]);
    unsigned major, minor;
    kgw_plugin_abi(p, &major, &minor);
    printf("ok: plugin '%s' version %s, ABI %u.%u (host %d.%d), request hooks %s, produce hook "
           "%s, fetch hook %s\n",
           kgw_plugin_name(p), kgw_plugin_version(p), major, minor, KGW_ABI_MAJOR, KGW_ABI_MINOR,
           kgw_plugin_has_request_hooks(p) ? "yes" : "no",
           kgw_plugin_has_produce_hook(p) ? "yes" : "no",
           kgw_plugin_has_fetch_hook(p) ? "yes" : "no");
    rc = 0;
out:
    kgw_plugin_instance_destroy(inst);
    kgw_plugin_loader_free(loader);
    kgw_config_node_free(tree);
    return rc;
}

int
main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--check") == 0)
        return check_plugin(argv[2], argc >= 4 ? argv[3] : NULL);
    if (argc != 1) {
        fprintf(stderr, "usage: %s [--check PLUGIN.so [CONFIG.yaml]]\n", argv[0]);
        return 2;
    }
    if (access(FIXTURE("fixture_good"), R_OK) != 0) {
        fprintf(stderr,
                "%s is missing: build the fixture plugins (tests/unit/plugin_fixtures/, "
                "targets kgw_fixture_*) first\n",
                FIXTURE("fixture_good"));
        return EXIT_FAILURE;
    }
    Suite *s = suite_create("plugin_loader");
    TCase *load = tcase_create("load");
    tcase_add_test(load, good_plugin_loads_once);
    tcase_add_test(load, missing_file_is_refused_with_dlerror);
    tcase_add_test(load, non_shared_object_is_refused_with_dlerror);
    tcase_add_test(load, missing_entry_is_refused);
    tcase_add_test(load, bad_magic_is_refused);
    tcase_add_test(load, short_descriptor_is_refused);
    tcase_add_test(load, other_major_is_refused);
    tcase_add_test(load, newer_minor_is_refused);
    tcase_add_test(load, missing_create_is_refused);
    tcase_add_test(load, no_message_hook_is_refused);
    tcase_add_test(load, bad_name_is_refused);
    tcase_add_test(load, duplicate_name_is_refused);
    tcase_add_test(load, file_name_must_match_plugin_name);
    suite_add_tcase(s, load);
    TCase *instances = tcase_create("instances");
    tcase_add_test(instances, refused_config_names_policy_and_reason);
    tcase_add_test(instances, hook_results_are_counted_per_instance);
    tcase_add_test(instances, plugin_log_lines_carry_plugin_and_virtual_cluster);
    tcase_add_test(instances, instance_without_config_gets_null);
    tcase_add_test(instances, hooks_run_concurrently_on_workers);
    suite_add_tcase(s, instances);
    TCase *host = tcase_create("host_api");
    tcase_add_test(host, host_config_reads);
    tcase_add_test(host, host_counters_scratch_and_unsupported_accessors);
    suite_add_tcase(s, host);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
