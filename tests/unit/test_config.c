/*
 * Unit tests for the YAML configuration loader (gateway/config*.c).
 *
 * Good configurations: every example in configs/ and a fixture that sets every
 * key. Bad ones: one test per validation rule, each asserting the exact
 * "FILE:LINE: KEY.PATH: message" a user would see.
 */
#include "config.h"

#include <check.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIXTURES KGW_SOURCE_DIR "/tests/unit/config_fixtures"

/* ---- helpers ---------------------------------------------------------------- */

/* A fresh directory under /tmp, removed by tmp_remove. */
static char tmp_dir[64];

static void
tmp_make(void)
{
    snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/kgw-test-config-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
tmp_remove(void)
{
    if (tmp_dir[0] != '\0')
        nftw(tmp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    tmp_dir[0] = '\0';
}

/* Writes `text` to tmp_dir/name (creating one level of sub-directory); returns the path. */
static const char *
tmp_write(const char *name, const char *text)
{
    static char path[PATH_MAX];
    const char *slash = strchr(name, '/');
    ck_assert_uint_lt(strlen(tmp_dir) + strlen(name) + 2, sizeof(path));
    if (slash != NULL) {
        snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
        path[strlen(tmp_dir) + 1 + (size_t)(slash - name)] = '\0';
        mkdir(path, 0700);
    }
    snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

static kgw_config_errors_t errs;
static kgw_config_t *cfg;
static char cfg_path[PATH_MAX];

static void
setup(void)
{
    tmp_make();
    kgw_config_errors_init(&errs);
    cfg = NULL;
}

static void
teardown(void)
{
    kgw_config_free(cfg);
    cfg = NULL;
    kgw_config_errors_free(&errs);
    tmp_remove();
}

/* Writes `yaml` as tmp_dir/kgw.yaml and loads it; returns kgw_config_load's result. */
static int
load_yaml(const char *yaml)
{
    snprintf(cfg_path, sizeof(cfg_path), "%s", tmp_write("kgw.yaml", yaml));
    return kgw_config_load(cfg_path, &cfg, &errs);
}

/* All error texts, one per line, for failure messages. */
static const char *
all_errors(void)
{
    static char buf[16384];
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < errs.count && used < sizeof(buf); i++) {
        int n = snprintf(buf + used, sizeof(buf) - used, "  %s\n", errs.items[i].text);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return errs.count ? buf : "  (no errors)\n";
}

static bool
has_error_text(const char *text)
{
    for (size_t i = 0; i < errs.count; i++)
        if (strcmp(errs.items[i].text, text) == 0)
            return true;
    return false;
}

/* Asserts that one error reads exactly "<cfg_path>:<rest>". */
#define ck_assert_error(rest)                                                                      \
    do {                                                                                           \
        char *want_ = NULL;                                                                        \
        ck_assert_int_ge(asprintf(&want_, "%s:%s", cfg_path, (rest)), 0);                          \
        bool found_ = has_error_text(want_);                                                       \
        ck_assert_msg(found_, "expected error:\n  %s\ngot:\n%s", want_, all_errors());             \
        free(want_);                                                                               \
    } while (0)

/* Asserts the load failed and reported exactly `n` errors. */
#define ck_assert_failed_with(rc, n)                                                               \
    do {                                                                                           \
        ck_assert_int_eq((rc), -1);                                                                \
        ck_assert_ptr_null(cfg);                                                                   \
        ck_assert_msg(errs.count == (n), "expected %d error(s), got %zu:\n%s", (int)(n),           \
                      errs.count, all_errors());                                                   \
    } while (0)

#define ck_assert_loaded(rc)                                                                       \
    do {                                                                                           \
        ck_assert_msg((rc) == 0 && cfg != NULL, "load failed:\n%s", all_errors());                 \
        ck_assert_uint_eq(errs.count, 0);                                                          \
    } while (0)

/* The smallest valid file; tests append or change one thing. */
#define MINIMAL_BACKEND                                                                            \
    "backend_clusters:\n"                                                                          \
    "  - name: local\n"                                                                            \
    "    bootstrap_servers: [\"127.0.0.1:9092\"]\n"
#define MINIMAL_VC                                                                                 \
    "virtual_clusters:\n"                                                                          \
    "  - name: app\n"                                                                              \
    "    destination: local\n"
#define MINIMAL_LISTENER                                                                           \
    "listeners:\n"                                                                                 \
    "  - name: main\n"                                                                             \
    "    addresses: [\"127.0.0.1\"]\n"                                                             \
    "    ports: [\"19092-19095\"]\n"                                                               \
    "    forward:\n"                                                                               \
    "      - {type: port_mapping, virtual_cluster: app, advertised_host: localhost}\n"

/* ---- good configurations ------------------------------------------------------ */

static void
set_example_env(void)
{
    /* Values used by the examples' ${env:...} references. */
    ck_assert_int_eq(setenv("KAFKA_PROD_PASSWORD", "prod-secret", 1), 0);
    ck_assert_int_eq(setenv("KAFKA_PASSWORD", "kafka-secret", 1), 0);
    ck_assert_int_eq(setenv("ALICE_PASSWORD", "alice-secret", 1), 0);
    ck_assert_int_eq(setenv("BOB_PASSWORD", "bob-secret", 1), 0);
    ck_assert_int_eq(setenv("CAROL_PASSWORD", "carol-secret", 1), 0);
    tmp_write("tls/gateway.pem", "placeholder\n");
    tmp_write("tls/gateway.key", "placeholder\n");
    char tls[PATH_MAX];
    snprintf(tls, sizeof(tls), "%s/tls", tmp_dir);
    ck_assert_int_eq(setenv("KGW_TLS_DIR", tls, 1), 0);
}

START_TEST(test_examples_load)
{
    static const char *const examples[] = {"quickstart.yaml", "port-mapping.yaml", "sni.yaml",
                                           "multi-tenant.yaml"};
    set_example_env();
    for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
        snprintf(cfg_path, sizeof(cfg_path), "%s/configs/%s", KGW_SOURCE_DIR, examples[i]);
        int rc = kgw_config_load(cfg_path, &cfg, &errs);
        ck_assert_msg(rc == 0, "%s failed:\n%s", examples[i], all_errors());
        ck_assert_ptr_nonnull(cfg->plugins_dir);
        ck_assert_uint_ge(cfg->n_listeners, 1);
        kgw_config_free(cfg);
        cfg = NULL;
    }
}
END_TEST

START_TEST(test_quickstart_values)
{
    snprintf(cfg_path, sizeof(cfg_path), "%s/configs/quickstart.yaml", KGW_SOURCE_DIR);
    ck_assert_loaded(kgw_config_load(cfg_path, &cfg, &errs));
    ck_assert_str_eq(cfg->plugins_dir, KGW_SOURCE_DIR "/configs/../build/plugins");
    ck_assert(cfg->admin_enabled);
    ck_assert_str_eq(cfg->admin_host, "127.0.0.1");
    ck_assert_uint_eq(cfg->admin_port, 9901);
    ck_assert_uint_eq(cfg->n_backend_clusters, 1);
    ck_assert_str_eq(cfg->backend_clusters[0].name, "local");
    ck_assert_str_eq(cfg->backend_clusters[0].bootstrap_servers[0].host, "127.0.0.1");
    ck_assert_uint_eq(cfg->backend_clusters[0].bootstrap_servers[0].port, 9092);
    ck_assert_uint_eq(cfg->n_virtual_clusters, 1);
    ck_assert_ptr_eq(cfg->virtual_clusters[0].destination, &cfg->backend_clusters[0]);
    const kgw_config_listener_t *l = &cfg->listeners[0];
    ck_assert_uint_eq(l->n_ports, 4);
    for (size_t i = 0; i < 4; i++)
        ck_assert_uint_eq(l->ports[i], 19092 + i);
    ck_assert_uint_eq(l->n_forward, 1);
    ck_assert_int_eq(l->forward[0].type, KGW_CONFIG_FORWARD_PORT_MAPPING);
    ck_assert_int_eq(l->forward[0].bootstrap_port, KGW_CONFIG_BOOTSTRAP_AT_START);
    ck_assert_int_eq(l->forward[0].min_broker_id, 1);
    ck_assert_ptr_eq(l->forward[0].virtual_cluster, &cfg->virtual_clusters[0]);
}
END_TEST

START_TEST(test_full_fixture)
{
    ck_assert_int_eq(setenv("KGW_TEST_KAFKA_PASSWORD", "k-secret", 1), 0);
    ck_assert_int_eq(setenv("KGW_TEST_ALICE_PASSWORD", "a-secret", 1), 0);
    snprintf(cfg_path, sizeof(cfg_path), "%s/good/full.yaml", FIXTURES);
    ck_assert_loaded(kgw_config_load(cfg_path, &cfg, &errs));

    ck_assert_str_eq(cfg->plugins_dir, FIXTURES "/good/plugins");
    ck_assert_uint_eq(cfg->workers, 3);
    ck_assert_str_eq(cfg->admin_host, "::1");
    ck_assert_int_eq(cfg->log_level, KGW_CONFIG_LOG_DEBUG);
    ck_assert_int_eq(cfg->log_format, KGW_CONFIG_LOG_JSON);

    const kgw_config_backend_cluster_t *b = &cfg->backend_clusters[0];
    ck_assert_uint_eq(b->n_bootstrap_servers, 3);
    ck_assert_str_eq(b->bootstrap_servers[1].host, "::1");
    ck_assert_uint_eq(b->bootstrap_servers[1].port, 9093);
    ck_assert_str_eq(b->bootstrap_servers[2].host, "kafka.internal");
    ck_assert_uint_eq(b->metadata_update_interval_seconds, 15);
    ck_assert(b->tls.enabled && b->tls.insecure_skip_verify);
    ck_assert_str_eq(b->tls.ca_file, FIXTURES "/good/tls/ca.pem");
    ck_assert_str_eq(b->tls.client_key_file, FIXTURES "/good/tls/client.key");
    ck_assert_int_eq(b->authentication.type, KGW_CONFIG_BACKEND_AUTH_SASL_SCRAM);
    ck_assert_int_eq(b->authentication.algorithm, KGW_CONFIG_SCRAM_SHA256);
    ck_assert_str_eq(b->authentication.password, "k-secret");
    b = &cfg->backend_clusters[1];
    ck_assert_uint_eq(b->n_bootstrap_servers, 2);
    ck_assert_str_eq(b->bootstrap_servers[1].host, "b.example");

    const kgw_config_virtual_cluster_t *vc = &cfg->virtual_clusters[0];
    ck_assert_ptr_eq(vc->destination, &cfg->backend_clusters[1]);
    ck_assert_uint_eq(vc->destination_index, 1);
    ck_assert_str_eq(vc->dns_label, "alpha");
    ck_assert_uint_eq(vc->n_authentication, 5);
    ck_assert_int_eq(vc->authentication[1].type, KGW_CONFIG_CLIENT_AUTH_SASL_PLAIN);
    ck_assert_uint_eq(vc->authentication[1].n_principals, 2);
    ck_assert_str_eq(vc->authentication[1].principals[0].password, "a-secret");
    ck_assert_int_eq(vc->authentication[2].mediation, KGW_CONFIG_MEDIATION_PASSTHROUGH);
    const kgw_config_client_auth_t *o = &vc->authentication[3];
    ck_assert_int_eq(o->mediation, KGW_CONFIG_MEDIATION_VALIDATE_FORWARD);
    ck_assert_str_eq(o->jwks_file, FIXTURES "/good/tls/jwks.json");
    ck_assert_str_eq(o->issuer, "https://issuer.example");
    ck_assert_uint_eq(o->n_audiences, 2);
    ck_assert_str_eq(o->audiences[1], "gateway");
    ck_assert_str_eq(o->principal_claim, "preferred_username");
    ck_assert_int_eq(vc->authentication[4].principal_from, KGW_CONFIG_PRINCIPAL_FROM_DN);
    ck_assert_int_eq(vc->acl_mode, KGW_CONFIG_ACL_ENFORCE_ON_GATEWAY);
    ck_assert_int_eq(vc->namespace_.mode, KGW_CONFIG_NAMESPACE_ENFORCE_PREFIX);
    ck_assert_str_eq(vc->namespace_.prefix, "team-a.");
    ck_assert_uint_eq(vc->n_cluster_policies, 1);
    ck_assert_str_eq(vc->cluster_policies[0].name, "team-a-acls");
    ck_assert_str_eq(vc->produce_policies[0].name, "modify_headers");
    ck_assert_str_eq(vc->consume_policies[0].name, "strip");

    const kgw_config_listener_t *l = &cfg->listeners[0];
    ck_assert_uint_eq(l->n_addresses, 2);
    ck_assert_str_eq(l->addresses[1], "::1");
    ck_assert(l->tls.enabled);
    ck_assert_int_eq(l->tls.min_version, KGW_CONFIG_TLS13);
    ck_assert_int_eq(l->tls.client_auth_mode, KGW_CONFIG_CLIENT_CERT_REQUESTED);
    ck_assert_str_eq(l->tls.client_ca_file, FIXTURES "/good/tls/clients-ca.pem");
    ck_assert_int_eq(l->forward[0].type, KGW_CONFIG_FORWARD_SNI);
    ck_assert_str_eq(l->forward[0].sni_suffix, ".gw.example.com");
    ck_assert_uint_eq(l->forward[0].advertised_port, 9093);
    ck_assert_int_eq(l->forward[0].broker_host_format, KGW_CONFIG_SNI_SHARED_SUFFIX);
    ck_assert_ptr_eq(l->forward[0].virtual_cluster, vc);
    ck_assert_int_eq(l->forward[1].bootstrap_port, KGW_CONFIG_BOOTSTRAP_NONE);
    ck_assert_int_eq(l->forward[1].min_broker_id, 5);
    ck_assert_uint_eq(l->forward[1].virtual_cluster_index, 1);
}
END_TEST

START_TEST(test_defaults)
{
    ck_assert_loaded(load_yaml("plugins_dir: /opt/kgw/plugins\n" MINIMAL_BACKEND
                               "virtual_clusters:\n"
                               "  - name: app\n"
                               "    destination: local\n"
                               "    cluster_policies: [{plugin: acls}]\n"
                               "    authentication:\n"
                               "      - {type: oauth_bearer, mediation: passthrough}\n"
                               "      - {type: client_certificate}\n" MINIMAL_LISTENER));
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    ck_assert_uint_eq(cfg->workers, cpus < 1 ? 1 : cpus > 256 ? 256 : (unsigned)cpus);
    ck_assert_str_eq(cfg->plugins_dir, "/opt/kgw/plugins");
    ck_assert(!cfg->admin_enabled);
    ck_assert_int_eq(cfg->log_level, KGW_CONFIG_LOG_INFO);
    ck_assert_int_eq(cfg->log_format, KGW_CONFIG_LOG_TEXT);
    const kgw_config_backend_cluster_t *b = &cfg->backend_clusters[0];
    ck_assert_uint_eq(b->metadata_update_interval_seconds, 60);
    ck_assert(!b->tls.enabled);
    ck_assert_int_eq(b->authentication.type, KGW_CONFIG_BACKEND_AUTH_ANONYMOUS);
    const kgw_config_virtual_cluster_t *vc = &cfg->virtual_clusters[0];
    ck_assert_str_eq(vc->dns_label, "app");
    ck_assert_int_eq(vc->acl_mode, KGW_CONFIG_ACL_PASSTHROUGH);
    ck_assert_int_eq(vc->namespace_.mode, KGW_CONFIG_NAMESPACE_NONE);
    ck_assert_str_eq(vc->cluster_policies[0].name, "acls");
    ck_assert_ptr_null(vc->cluster_policies[0].config);
    ck_assert_str_eq(vc->authentication[0].principal_claim, "sub");
    ck_assert_ptr_null(vc->authentication[0].jwks_file);
    ck_assert_int_eq(vc->authentication[1].principal_from, KGW_CONFIG_PRINCIPAL_FROM_CN);
    const kgw_config_forward_t *f = &cfg->listeners[0].forward[0];
    ck_assert_int_eq(f->bootstrap_port, KGW_CONFIG_BOOTSTRAP_AT_START);
    ck_assert_int_eq(f->min_broker_id, 0);
    ck_assert(!cfg->listeners[0].tls.enabled);
}
END_TEST

START_TEST(test_default_authentication_is_anonymous)
{
    ck_assert_loaded(load_yaml(MINIMAL_BACKEND MINIMAL_VC MINIMAL_LISTENER));
    ck_assert_uint_eq(cfg->virtual_clusters[0].n_authentication, 1);
    ck_assert_int_eq(cfg->virtual_clusters[0].authentication[0].type,
                     KGW_CONFIG_CLIENT_AUTH_ANONYMOUS);
    ck_assert_ptr_null(cfg->plugins_dir);
}
END_TEST

/* ---- ${env:NAME} ---------------------------------------------------------------- */

START_TEST(test_env_substitution)
{
    ck_assert_int_eq(setenv("KGW_T_HOST", "10.1.2.3", 1), 0);
    ck_assert_int_eq(setenv("KGW_T_PORT", "9093", 1), 0);
    ck_assert_int_eq(setenv("KGW_T_WORKERS", "7", 1), 0);
    ck_assert_int_eq(setenv("KGW_T_PW", "s3cret", 1), 0);
    ck_assert_loaded(load_yaml("workers: ${env:KGW_T_WORKERS}\n"
                               "backend_clusters:\n"
                               "  - name: local\n"
                               "    bootstrap_servers: [\"${env:KGW_T_HOST}:${env:KGW_T_PORT}\"]\n"
                               "    authentication:\n"
                               "      type: sasl_plain\n"
                               "      username: user-${env:KGW_T_PORT}-x\n"
                               "      password: ${env:KGW_T_PW}\n" MINIMAL_VC MINIMAL_LISTENER));
    ck_assert_uint_eq(cfg->workers, 7);
    ck_assert_str_eq(cfg->backend_clusters[0].bootstrap_servers[0].host, "10.1.2.3");
    ck_assert_uint_eq(cfg->backend_clusters[0].bootstrap_servers[0].port, 9093);
    ck_assert_str_eq(cfg->backend_clusters[0].authentication.username, "user-9093-x");
    ck_assert_str_eq(cfg->backend_clusters[0].authentication.password, "s3cret");
}
END_TEST

START_TEST(test_env_unset_is_an_error)
{
    ck_assert_int_eq(unsetenv("KGW_T_UNSET_PASSWORD"), 0);
    ck_assert_int_eq(setenv("KGW_T_SET", "visible-secret-value", 1), 0);
    int rc = load_yaml(MINIMAL_BACKEND
                       "    authentication:\n"
                       "      type: sasl_plain\n"
                       "      username: ${env:KGW_T_SET}\n"
                       "      password: ${env:KGW_T_UNSET_PASSWORD}\n" MINIMAL_VC MINIMAL_LISTENER);
    ck_assert_failed_with(rc, 1);
    ck_assert_error("7: backend_clusters[0].authentication.password: environment variable "
                    "'KGW_T_UNSET_PASSWORD' is not set");
    ck_assert_ptr_null(strstr(errs.items[0].text, "visible-secret-value"));
}
END_TEST

START_TEST(test_env_malformed_reference)
{
    int rc =
        load_yaml("plugins_dir: ${env:1BAD}/x\n"
                  "workers: ${env:KGW_T_WORKERS\n" MINIMAL_BACKEND MINIMAL_VC MINIMAL_LISTENER);
    ck_assert_failed_with(rc, 2);
    ck_assert_error("1: plugins_dir: invalid environment variable name '1BAD' in ${env:...} "
                    "(expected letters, digits and '_', not starting with a digit)");
    ck_assert_error("2: workers: unterminated '${env:' reference (expected ${env:NAME})");
}
END_TEST

/* ---- secrets ---------------------------------------------------------------------- */

#define SECRET_BACKEND                                                                             \
    MINIMAL_BACKEND "    authentication:\n"                                                        \
                    "      type: sasl_plain\n"                                                     \
                    "      username: gw\n"                                                         \
                    "      password: ${env:KGW_T_SECRET}\n"
#define SECRET_VC                                                                                  \
    "virtual_clusters:\n"                                                                          \
    "  - name: app\n"                                                                              \
    "    destination: local\n"                                                                     \
    "    authentication:\n"                                                                        \
    "      - type: sasl_plain\n"                                                                   \
    "        principals:\n"                                                                        \
    "          - {username: alice, password: literal-pw}\n"                                        \
    "          - {username: bob, password: other-pw}\n"

START_TEST(test_secrets_never_printed)
{
    ck_assert_int_eq(setenv("KGW_T_SECRET", "hunter2-from-env", 1), 0);
    /* Errors around the secrets (an unknown key, a duplicate user) never show them. */
    ck_assert_int_eq(load_yaml(SECRET_BACKEND SECRET_VC "          - {username: bob, password: "
                                                        "third-pw}\n"
                                                        "    colour: blue\n" MINIMAL_LISTENER),
                     -1);
    ck_assert_uint_eq(errs.count, 2);
    for (size_t i = 0; i < errs.count; i++) {
        ck_assert_ptr_null(strstr(errs.items[i].text, "hunter2"));
        ck_assert_ptr_null(strstr(errs.items[i].text, "-pw"));
    }
    ck_assert_error("16: virtual_clusters[0].authentication[0].principals[2].username: duplicate "
                    "username 'bob' (first at line 15)");
    kgw_config_errors_free(&errs);

    /* A valid file: the dump shows the users but no password. */
    ck_assert_loaded(load_yaml(SECRET_BACKEND SECRET_VC MINIMAL_LISTENER));
    char *dump = NULL;
    size_t dump_len = 0;
    FILE *out = open_memstream(&dump, &dump_len);
    ck_assert_ptr_nonnull(out);
    kgw_config_dump(cfg, out);
    ck_assert_int_eq(fclose(out), 0);
    ck_assert_ptr_nonnull(strstr(dump, "alice"));
    ck_assert_ptr_nonnull(strstr(dump, "password: <redacted>"));
    ck_assert_ptr_null(strstr(dump, "hunter2"));
    ck_assert_ptr_null(strstr(dump, "-pw"));
    free(dump);
}
END_TEST

/* ---- paths ------------------------------------------------------------------------- */

START_TEST(test_relative_paths_resolve_against_config_dir)
{
    tmp_write("certs/gw.pem", "placeholder\n");
    tmp_write("certs/gw.key", "placeholder\n");
    ck_assert_loaded(
        load_yaml("plugins_dir: ../plugins\n" MINIMAL_BACKEND MINIMAL_VC "listeners:\n"
                  "  - name: main\n"
                  "    addresses: [\"127.0.0.1\"]\n"
                  "    ports: [9092]\n"
                  "    tls: {certificate_file: certs/gw.pem, key_file: certs/gw.key}\n"
                  "    forward:\n"
                  "      - {type: sni, virtual_cluster: app, sni_suffix: .gw.test}\n"));
    char want[PATH_MAX];
    snprintf(want, sizeof(want), "%s/certs/gw.pem", tmp_dir);
    ck_assert_str_eq(cfg->listeners[0].tls.certificate_file, want);
    snprintf(want, sizeof(want), "%s/../plugins", tmp_dir);
    ck_assert_str_eq(cfg->plugins_dir, want);
    ck_assert_int_eq(cfg->listeners[0].forward[0].advertised_port, 0);
    ck_assert_int_eq(cfg->listeners[0].forward[0].broker_host_format,
                     KGW_CONFIG_SNI_PER_CLUSTER_SUFFIX);
}
END_TEST

START_TEST(test_tls_file_missing)
{
    int rc = load_yaml(MINIMAL_BACKEND MINIMAL_VC
                       "listeners:\n"
                       "  - name: main\n"
                       "    addresses: [\"127.0.0.1\"]\n"
                       "    ports: [9092, 9093]\n"
                       "    tls:\n"
                       "      certificate_file: nope/gw.pem\n"
                       "      key_file: /nonexistent/gw.key\n"
                       "    forward:\n"
                       "      - {type: sni, virtual_cluster: app, sni_suffix: .gw.test}\n");
    ck_assert_failed_with(rc, 2);
    char want[PATH_MAX + 200];
    snprintf(want, sizeof(want),
             "12: listeners[0].tls.certificate_file: cannot read file '%s/nope/gw.pem': No such "
             "file or directory",
             tmp_dir);
    ck_assert_error(want);
    ck_assert_error("13: listeners[0].tls.key_file: cannot read file '/nonexistent/gw.key': No "
                    "such file or directory");
}
END_TEST

/* ---- ports -------------------------------------------------------------------------- */

START_TEST(test_port_ranges_expand)
{
    ck_assert_loaded(load_yaml(MINIMAL_BACKEND MINIMAL_VC
                               "listeners:\n"
                               "  - name: a\n"
                               "    addresses: [\"127.0.0.1\"]\n"
                               "    ports: [19092, \"19093-19095\", 20000-20001, \"65535\"]\n"
                               "    forward: [{type: port_mapping, virtual_cluster: app, "
                               "advertised_host: localhost}]\n"
                               "  - name: b\n"
                               "    addresses: [\"127.0.0.2\"]\n"
                               "    ports: 19092\n"
                               "    forward: [{type: port_mapping, virtual_cluster: app, "
                               "advertised_host: localhost, bootstrap_port: none}]\n"));
    static const uint16_t want[] = {19092, 19093, 19094, 19095, 20000, 20001, 65535};
    const kgw_config_listener_t *l = &cfg->listeners[0];
    ck_assert_uint_eq(l->n_ports, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < l->n_ports; i++)
        ck_assert_uint_eq(l->ports[i], want[i]);
    /* Same port on another address is fine. */
    ck_assert_uint_eq(cfg->listeners[1].n_ports, 1);
    ck_assert_uint_eq(cfg->listeners[1].ports[0], 19092);
}
END_TEST

START_TEST(test_port_range_errors)
{
    int rc =
        load_yaml(MINIMAL_BACKEND MINIMAL_VC
                  "listeners:\n"
                  "  - name: main\n"
                  "    addresses: [\"127.0.0.1\"]\n"
                  "    ports: [0, 65536, \"9095-9092\", \"abc\", \"1-\", 9000, \"8999-9001\"]\n"
                  "    forward: [{type: port_mapping, virtual_cluster: app, "
                  "advertised_host: localhost}]\n");
    ck_assert_failed_with(rc, 6);
    ck_assert_error("10: listeners[0].ports[0]: port 0 is out of range (expected 1..65535)");
    ck_assert_error("10: listeners[0].ports[1]: port 65536 is out of range (expected 1..65535)");
    ck_assert_error("10: listeners[0].ports[2]: range \"9095-9092\" is empty (expected first <= "
                    "last, e.g. \"9092-9095\")");
    ck_assert_error(
        "10: listeners[0].ports[3]: expected a port or a range \"first-last\", got \"abc\"");
    ck_assert_error(
        "10: listeners[0].ports[4]: expected a port or a range \"first-last\", got \"1-\"");
    ck_assert_error("10: listeners[0].ports[6]: port 9000 is listed more than once in this "
                    "listener");
}
END_TEST

START_TEST(test_port_ranges_large_and_overlapping)
{
    int rc = load_yaml(MINIMAL_BACKEND MINIMAL_VC
                       "listeners:\n"
                       "  - name: a\n"
                       "    addresses: [\"0.0.0.0\"]\n"
                       "    ports: [\"1024-65535\"]\n"
                       "    forward: [{type: port_mapping, virtual_cluster: app, "
                       "advertised_host: localhost}]\n"
                       "  - name: b\n"
                       "    addresses: [\"127.0.0.1\", \"::1\"]\n"
                       "    ports: [\"9000-9010\", \"9005-9020\", \"1-65535\"]\n"
                       "    forward: [{type: port_mapping, virtual_cluster: app, "
                       "advertised_host: localhost}]\n");
    ck_assert_failed_with(rc, 3);
    ck_assert_error("14: listeners[1].ports[1]: ports 9005 and 5 more in this range are listed "
                    "more than once in this listener");
    ck_assert_error("14: listeners[1].ports[2]: ports 9000 and 20 more in this range are listed "
                    "more than once in this listener");
    ck_assert_error("14: listeners[1].ports: port 9000 on address '127.0.0.1' is also used by "
                    "listener 'a' (listeners[0] at line 8, address '0.0.0.0')");
}
END_TEST

START_TEST(test_port_repeated_across_listeners)
{
    int rc = load_yaml(MINIMAL_BACKEND MINIMAL_VC MINIMAL_LISTENER
                       "  - name: second\n"
                       "    addresses: [\"0.0.0.0\"]\n"
                       "    ports: [\"19095-19096\"]\n"
                       "    forward: [{type: port_mapping, virtual_cluster: app, "
                       "advertised_host: localhost}]\n");
    ck_assert_failed_with(rc, 1);
    ck_assert_error("15: listeners[1].ports: port 19095 on address '0.0.0.0' is also used by "
                    "listener 'main' (listeners[0] at line 8, address '127.0.0.1')");
}
END_TEST

START_TEST(test_at_start_needs_two_ports)
{
    int rc = load_yaml(MINIMAL_BACKEND MINIMAL_VC "listeners:\n"
                                                  "  - name: main\n"
                                                  "    addresses: [\"127.0.0.1\"]\n"
                                                  "    ports: [19092]\n"
                                                  "    forward:\n"
                                                  "      - type: port_mapping\n"
                                                  "        virtual_cluster: app\n"
                                                  "        advertised_host: localhost\n");
    ck_assert_failed_with(rc, 1);
    ck_assert_error("12: listeners[0].forward[0]: bootstrap_port: at_start needs at least 2 ports "
                    "on listener 'main' (one bootstrap port and one per broker), it has 1");
}
END_TEST

/* ---- names and references -------------------------------------------------------- */

START_TEST(test_duplicate_names)
{
    int rc = load_yaml("plugins_dir: p\n" MINIMAL_BACKEND "  - name: local\n"
                       "    bootstrap_servers: [\"127.0.0.1:9093\"]\n" MINIMAL_VC "  - name: app\n"
                       "    destination: local\n"
                       "    cluster_policies: [{plugin: acls}, {plugin: acls}]\n"
                       "    produce_policies: [{plugin: modify_headers, name: acls}]\n"
                       "    consume_policies: [{plugin: modify_headers}]\n" MINIMAL_LISTENER
                       "  - name: main\n"
                       "    addresses: [\"127.0.0.2\"]\n"
                       "    ports: [\"19092-19093\"]\n"
                       "    forward: [{type: port_mapping, virtual_cluster: app, "
                       "advertised_host: localhost}]\n");
    ck_assert_failed_with(rc, 5);
    ck_assert_error("5: backend_clusters[1].name: duplicate backend cluster name 'local' (first "
                    "used by backend_clusters[0] at line 3)");
    ck_assert_error("10: virtual_clusters[1].name: duplicate virtual cluster name 'app' (first "
                    "used by virtual_clusters[0] at line 8)");
    ck_assert_error("12: virtual_clusters[1].cluster_policies[1]: duplicate policy name 'acls' "
                    "(also cluster_policies[0] at line 12; set a distinct 'name')");
    ck_assert_error("13: virtual_clusters[1].produce_policies[0]: duplicate policy name 'acls' "
                    "(also cluster_policies[0] at line 12; set a distinct 'name')");
    ck_assert_error("21: listeners[1].name: duplicate listener name 'main' (first used by "
                    "listeners[0] at line 16)");
}
END_TEST

START_TEST(test_unknown_destination)
{
    int rc = load_yaml(MINIMAL_BACKEND "virtual_clusters:\n"
                                       "  - name: app\n"
                                       "    destination: locl\n" MINIMAL_LISTENER);
    ck_assert_failed_with(rc, 1);
    ck_assert_error(
        "6: virtual_clusters[0].destination: unknown backend cluster 'locl' (known: local)");
}
END_TEST

START_TEST(test_unknown_forward_virtual_cluster)
{
    int rc = load_yaml(MINIMAL_BACKEND MINIMAL_VC "listeners:\n"
                                                  "  - name: main\n"
                                                  "    addresses: [\"127.0.0.1\"]\n"
                                                  "    ports: [\"19092-19095\"]\n"
                                                  "    forward:\n"
                                                  "      - type: port_mapping\n"
                                                  "        virtual_cluster: ap\n"
                                                  "        advertised_host: localhost\n");
    ck_assert_failed_with(rc, 1);
    ck_assert_error(
        "13: listeners[0].forward[0].virtual_cluster: unknown virtual cluster 'ap' (known: app)");
}
END_TEST

START_TEST(test_two_port_mappings)
{
    int rc = load_yaml(MINIMAL_BACKEND MINIMAL_VC MINIMAL_LISTENER
                       "      - {type: port_mapping, virtual_cluster: app, advertised_host: h}\n");
    ck_assert_failed_with(rc, 1);
    ck_assert_error("13: listeners[0].forward[1]: a second port_mapping rule (the first is "
                    "forward[0] at line 12; at most one per listener)");
}
END_TEST

START_TEST(test_sni_needs_tls)
{
    int rc = load_yaml(MINIMAL_BACKEND MINIMAL_VC
                       "listeners:\n"
                       "  - name: main\n"
                       "    addresses: [\"127.0.0.1\"]\n"
                       "    ports: [9092]\n"
                       "    forward:\n"
                       "      - {type: sni, virtual_cluster: app, sni_suffix: .gw.test}\n");
    ck_assert_failed_with(rc, 1);
    ck_assert_error("12: listeners[0].forward[0]: type sni needs TLS on listener 'main' (add a "
                    "tls: section with certificate_file and key_file)");
}
END_TEST

START_TEST(test_dns_labels)
{
    tmp_write("gw.pem", "placeholder\n");
    tmp_write("gw.key", "placeholder\n");
    int rc = load_yaml(MINIMAL_BACKEND "virtual_clusters:\n"
                                       "  - name: Team_A\n"
                                       "    destination: local\n"
                                       "  - name: b\n"
                                       "    destination: local\n"
                                       "    dns_label: -bad-\n"
                                       "listeners:\n"
                                       "  - name: main\n"
                                       "    addresses: [\"127.0.0.1\"]\n"
                                       "    ports: [9092]\n"
                                       "    tls: {certificate_file: gw.pem, key_file: gw.key}\n"
                                       "    forward:\n"
                                       "      - {type: sni, virtual_cluster: Team_A, "
                                       "sni_suffix: gw.test}\n");
    ck_assert_failed_with(rc, 3);
    ck_assert_error("9: virtual_clusters[1].dns_label: '-bad-' is not a DNS label (expected 1-63 "
                    "of a-z, 0-9 and '-', not starting or ending with '-')");
    ck_assert_error("16: listeners[0].forward[0].virtual_cluster: virtual cluster 'Team_A' is "
                    "used with SNI but its name is not a DNS label (set dns_label: 1-63 of a-z, "
                    "0-9 and '-')");
    ck_assert_error("16: listeners[0].forward[0].sni_suffix: expected a domain starting with '.', "
                    "e.g. \".gw.example.com\", got \"gw.test\"");
}
END_TEST

START_TEST(test_sni_rules_must_differ)
{
    tmp_write("gw.pem", "placeholder\n");
    tmp_write("gw.key", "placeholder\n");
    int rc = load_yaml(MINIMAL_BACKEND
                       "virtual_clusters:\n"
                       "  - {name: a, destination: local, dns_label: shop}\n"
                       "  - {name: b, destination: local, dns_label: shop}\n"
                       "listeners:\n"
                       "  - name: main\n"
                       "    addresses: [\"127.0.0.1\"]\n"
                       "    ports: [9092]\n"
                       "    tls: {certificate_file: gw.pem, key_file: gw.key}\n"
                       "    forward:\n"
                       "      - {type: sni, virtual_cluster: a, sni_suffix: .gw.test}\n"
                       "      - {type: sni, virtual_cluster: b, sni_suffix: .GW.test}\n");
    ck_assert_failed_with(rc, 1);
    ck_assert_error("14: listeners[0].forward[1]: SNI host names of this rule (dns_label 'shop', "
                    "suffix '.gw.test') are the same as forward[0] at line 13, so it would never "
                    "match (give each virtual cluster its own dns_label)");
}
END_TEST

/* ---- keys and types --------------------------------------------------------------- */

START_TEST(test_unknown_keys)
{
    int rc = load_yaml("wrokers: 2\n" MINIMAL_BACKEND
                       "    tls: {enabled: true, ca: x}\n" MINIMAL_VC MINIMAL_LISTENER);
    ck_assert_failed_with(rc, 2);
    ck_assert_error("1: wrokers: unknown key 'wrokers' (allowed: plugins_dir, workers, admin, "
                    "log, backend_clusters, virtual_clusters, listeners)");
    ck_assert_error("5: backend_clusters[0].tls.ca: unknown key 'ca' (allowed: enabled, ca_file, "
                    "insecure_skip_verify, client_certificate_file, client_key_file)");
}
END_TEST

START_TEST(test_unknown_key_for_type)
{
    int rc = load_yaml(MINIMAL_BACKEND "virtual_clusters:\n"
                                       "  - name: app\n"
                                       "    destination: local\n"
                                       "    authentication:\n"
                                       "      - {type: sasl_plain, jwks_file: x, principals: "
                                       "[{username: a, password: b}]}\n" MINIMAL_LISTENER);
    ck_assert_failed_with(rc, 1);
    ck_assert_error("8: virtual_clusters[0].authentication[0].jwks_file: unknown key 'jwks_file' "
                    "for type sasl_plain (allowed: type, mediation, principals)");
}
END_TEST

START_TEST(test_wrong_types)
{
    int rc = load_yaml("workers: abc\n"
                       "admin: 9901\n"
                       "log: {level: [info]}\n" MINIMAL_BACKEND
                       "    metadata_update_interval_seconds: 1.5\n"
                       "    tls: {enabled: maybe}\n"
                       "virtual_clusters: {name: app}\n" MINIMAL_LISTENER);
    ck_assert_int_eq(rc, -1);
    ck_assert_error("1: workers: expected an integer, got \"abc\"");
    ck_assert_error("2: admin: expected a mapping (admin settings), got \"9901\"");
    ck_assert_error("3: log.level: expected one of error | warn | info | debug, got a list");
    ck_assert_error("7: backend_clusters[0].metadata_update_interval_seconds: expected an integer, "
                    "got \"1.5\"");
    ck_assert_error("8: backend_clusters[0].tls.enabled: expected true or false, got \"maybe\"");
    ck_assert_error("9: virtual_clusters: expected a list, got a mapping");
}
END_TEST

START_TEST(test_required_keys)
{
    int rc = load_yaml("backend_clusters:\n"
                       "  - name: local\n" MINIMAL_VC "listeners:\n"
                       "  - name: main\n"
                       "    ports: [\"19092-19093\"]\n"
                       "    forward:\n"
                       "      - {type: port_mapping, advertised_host: localhost}\n");
    ck_assert_failed_with(rc, 3);
    ck_assert_error("2: backend_clusters[0].bootstrap_servers: missing required key "
                    "'bootstrap_servers'");
    ck_assert_error("7: listeners[0].addresses: missing required key 'addresses'");
    ck_assert_error("10: listeners[0].forward[0].virtual_cluster: missing required key "
                    "'virtual_cluster'");
}
END_TEST

START_TEST(test_required_sections)
{
    int rc = load_yaml("workers: 2\n");
    ck_assert_failed_with(rc, 3);
    ck_assert_error("1: backend_clusters: missing required key 'backend_clusters'");
    ck_assert_error("1: virtual_clusters: missing required key 'virtual_clusters'");
    ck_assert_error("1: listeners: missing required key 'listeners'");
}
END_TEST

START_TEST(test_enums_and_ranges)
{
    tmp_write("gw.pem", "placeholder\n");
    tmp_write("gw.key", "placeholder\n");
    int rc = load_yaml("workers: 257\n"
                       "log: {level: verbose, format: xml}\n" MINIMAL_BACKEND
                       "    authentication: {type: kerberos}\n"
                       "virtual_clusters:\n"
                       "  - name: app\n"
                       "    destination: local\n"
                       "    acl_mode: strict\n"
                       "    namespace: {mode: hide_prefix, prefix: \"\"}\n"
                       "listeners:\n"
                       "  - name: main\n"
                       "    addresses: [\"127.0.0.1\"]\n"
                       "    ports: [\"19092-19095\"]\n"
                       "    tls: {certificate_file: gw.pem, key_file: gw.key, min_version: tls11}\n"
                       "    forward:\n"
                       "      - {type: port_mapping, virtual_cluster: app, advertised_host: x, "
                       "min_broker_id: -1, bootstrap_port: first}\n");
    ck_assert_failed_with(rc, 9);
    ck_assert_error("1: workers: 257 is out of range (expected 1..256)");
    ck_assert_error("2: log.level: expected one of error | warn | info | debug, got \"verbose\"");
    ck_assert_error("2: log.format: expected one of text | json, got \"xml\"");
    ck_assert_error("6: backend_clusters[0].authentication.type: expected one of anonymous | "
                    "sasl_plain | sasl_scram, got \"kerberos\"");
    ck_assert_error("10: virtual_clusters[0].acl_mode: expected one of passthrough | "
                    "enforce_on_gateway, got \"strict\"");
    ck_assert_error("11: virtual_clusters[0].namespace.prefix: expected a non-empty string");
    ck_assert_error("16: listeners[0].tls.min_version: expected one of tls12 | tls13, got "
                    "\"tls11\"");
    ck_assert_error("18: listeners[0].forward[0].min_broker_id: -1 is out of range (expected "
                    "0..2147483647)");
    ck_assert_error("18: listeners[0].forward[0].bootstrap_port: expected one of at_start | none, "
                    "got \"first\"");
}
END_TEST

START_TEST(test_bootstrap_servers)
{
    int rc = load_yaml("backend_clusters:\n"
                       "  - name: local\n"
                       "    bootstrap_servers:\n"
                       "      - \"[::1]:9092\"\n"
                       "      - \"127.0.0.1\"\n"
                       "      - \"::1:9092\"\n"
                       "      - \"host:99999\"\n"
                       "      - \"[not-v6]:9092\"\n"
                       "      - \"bad host:9092\"\n" MINIMAL_VC MINIMAL_LISTENER);
    ck_assert_failed_with(rc, 5);
    ck_assert_error("5: backend_clusters[0].bootstrap_servers[1]: expected host:port, got "
                    "\"127.0.0.1\" (no port)");
    ck_assert_error("6: backend_clusters[0].bootstrap_servers[2]: expected host:port, got "
                    "\"::1:9092\" (write IPv6 addresses in brackets: [::1]:9092)");
    ck_assert_error("7: backend_clusters[0].bootstrap_servers[3]: expected host:port with a port "
                    "in 1..65535, got \"host:99999\"");
    ck_assert_error("8: backend_clusters[0].bootstrap_servers[4]: expected host:port, got "
                    "\"[not-v6]:9092\" (bad host 'not-v6')");
    ck_assert_error("9: backend_clusters[0].bootstrap_servers[5]: expected host:port, got \"bad "
                    "host:9092\" (bad host 'bad host')");
}
END_TEST

START_TEST(test_backend_authentication_rules)
{
    int rc = load_yaml("backend_clusters:\n"
                       "  - name: a\n"
                       "    bootstrap_servers: [\"127.0.0.1:9092\"]\n"
                       "    authentication: {type: sasl_plain, username: u, algorithm: sha256}\n"
                       "  - name: b\n"
                       "    bootstrap_servers: [\"127.0.0.1:9092\"]\n"
                       "    authentication: {type: anonymous, username: u}\n"
                       "  - name: local\n"
                       "    bootstrap_servers: [\"127.0.0.1:9092\"]\n"
                       "    tls: {client_key_file: k.pem}\n" MINIMAL_VC MINIMAL_LISTENER);
    ck_assert_failed_with(rc, 5);
    ck_assert_error("4: backend_clusters[0].authentication.password: missing required key "
                    "'password'");
    ck_assert_error("4: backend_clusters[0].authentication.algorithm: 'algorithm' is only used "
                    "with type sasl_scram");
    ck_assert_error("7: backend_clusters[1].authentication.username: 'username' is not used with "
                    "type anonymous");
    char want[PATH_MAX + 200];
    snprintf(want, sizeof(want),
             "10: backend_clusters[2].tls.client_key_file: cannot read file '%s/k.pem': No such "
             "file or directory",
             tmp_dir);
    ck_assert_error(want);
    ck_assert_error("10: backend_clusters[2].tls.client_certificate_file: missing required key "
                    "'client_certificate_file' (client_key_file needs its certificate)");
}
END_TEST

START_TEST(test_client_authentication_rules)
{
    int rc = load_yaml(MINIMAL_BACKEND "virtual_clusters:\n"
                                       "  - name: app\n"
                                       "    destination: local\n"
                                       "    authentication:\n"
                                       "      - {type: sasl_plain, mediation: validate_forward, "
                                       "principals: [{username: a, password: b}]}\n"
                                       "      - {type: sasl_scram}\n"
                                       "      - {type: oauth_bearer, issuer: x}\n"
                                       "      - {type: oauth_bearer, mediation: passthrough}\n"
                                       "      - {type: sasl_plain, mediation: passthrough, "
                                       "principals: []}\n"
                                       "      - {type: oauth_bearer, jwks_file: keys.json}\n"
                                       "      - {type: password}\n" MINIMAL_LISTENER);
    ck_assert_int_eq(rc, -1);
    ck_assert_error("8: virtual_clusters[0].authentication[0].mediation: validate_forward is only "
                    "available for oauth_bearer (expected terminate | passthrough for "
                    "sasl_plain)");
    ck_assert_error("9: virtual_clusters[0].authentication[1].principals: missing required key "
                    "'principals'");
    ck_assert_error("10: virtual_clusters[0].authentication[2].jwks_file: missing required key "
                    "'jwks_file'");
    ck_assert_error("11: virtual_clusters[0].authentication[3].type: authentication type "
                    "'oauth_bearer' is listed twice (first at line 10)");
    ck_assert_error("12: virtual_clusters[0].authentication[4].principals: principals are only "
                    "used with mediation: terminate (with passthrough the backend cluster checks "
                    "credentials)");
    char want[PATH_MAX + 200];
    snprintf(want, sizeof(want),
             "13: virtual_clusters[0].authentication[5].jwks_file: cannot read file "
             "'%s/keys.json': No such file or directory",
             tmp_dir);
    ck_assert_error(want);
    ck_assert_error("14: virtual_clusters[0].authentication[6].type: expected one of anonymous | "
                    "sasl_plain | sasl_scram | oauth_bearer | client_certificate, got "
                    "\"password\"");
}
END_TEST

START_TEST(test_policies)
{
    int rc = load_yaml(MINIMAL_BACKEND "virtual_clusters:\n"
                                       "  - name: app\n"
                                       "    destination: local\n"
                                       "    cluster_policies:\n"
                                       "      - {plugin: ../evil}\n"
                                       "      - {name: nameless}\n"
                                       "      - {plugin: acls, confg: {}}\n" MINIMAL_LISTENER);
    ck_assert_failed_with(rc, 4);
    ck_assert_error("8: virtual_clusters[0].cluster_policies[0].plugin: bad plugin name "
                    "'../evil' (expected lower-case letters, digits and '_'; it names the file "
                    "kgw_<plugin>.so)");
    ck_assert_error("8: virtual_clusters[0].cluster_policies[0]: plugin '../evil' needs "
                    "plugins_dir to be set at the top level");
    ck_assert_error("9: virtual_clusters[0].cluster_policies[1].plugin: missing required key "
                    "'plugin'");
    ck_assert_error("10: virtual_clusters[0].cluster_policies[2].confg: unknown key 'confg' "
                    "(allowed: plugin, name, config)");
}
END_TEST

START_TEST(test_admin_listen)
{
    int rc = load_yaml(
        "admin: {listen: \"127.0.0.1:19093\"}\n" MINIMAL_BACKEND MINIMAL_VC MINIMAL_LISTENER);
    ck_assert_failed_with(rc, 1);
    ck_assert_error("11: listeners[0].ports: port 19093 on address '127.0.0.1' is also "
                    "admin.listen");
    kgw_config_errors_free(&errs);
    rc = load_yaml(
        "admin: {listen: \"localhost\", port: 1}\n" MINIMAL_BACKEND MINIMAL_VC MINIMAL_LISTENER);
    ck_assert_failed_with(rc, 2);
    ck_assert_error("1: admin.listen: expected host:port, got \"localhost\" (no port)");
    ck_assert_error("1: admin.port: unknown key 'port' (allowed: listen)");
}
END_TEST

/* ---- YAML itself -------------------------------------------------------------------- */

START_TEST(test_yaml_syntax_error)
{
    snprintf(cfg_path, sizeof(cfg_path), "%s/bad/syntax.yaml", FIXTURES);
    ck_assert_failed_with(kgw_config_load(cfg_path, &cfg, &errs), 1);
    ck_assert_error("4:10: YAML syntax error: mapping values are not allowed in this context");
    ck_assert_uint_eq(errs.items[0].line, 4);
    ck_assert_uint_eq(errs.items[0].column, 10);
}
END_TEST

START_TEST(test_yaml_flow_syntax_error)
{
    ck_assert_failed_with(load_yaml("workers: 2\nlog: {level: info\nbackend_clusters: []\n"), 1);
    ck_assert_error("3:17: YAML syntax error: did not find expected ',' or '}' (while parsing a "
                    "flow mapping at line 2)");
}
END_TEST

START_TEST(test_yaml_duplicate_key)
{
    ck_assert_failed_with(
        load_yaml("workers: 1\n" MINIMAL_BACKEND MINIMAL_VC MINIMAL_LISTENER "workers: 2\n"), 1);
    ck_assert_error("14: workers: duplicate key 'workers' (first given at line 1)");
}
END_TEST

START_TEST(test_yaml_shapes)
{
    ck_assert_failed_with(load_yaml("- a\n- b\n"), 1);
    ck_assert_error("1: expected a mapping at the top level (with backend_clusters, "
                    "virtual_clusters and listeners), got a list");
    kgw_config_errors_free(&errs);
    ck_assert_failed_with(load_yaml(""), 1);
    ck_assert_error("1: expected a mapping at the top level (with backend_clusters, "
                    "virtual_clusters and listeners), got an empty value");
    kgw_config_errors_free(&errs);
    ck_assert_failed_with(load_yaml("workers: 1\n---\nworkers: 2\n"), 1);
    ck_assert_error("2: more than one YAML document (expected exactly one)");
}
END_TEST

START_TEST(test_yaml_alias_bomb_is_bounded)
{
    ck_assert_failed_with(load_yaml("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                                    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                                    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                                    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                                    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                                    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"),
                          1);
    ck_assert_ptr_nonnull(strstr(errs.items[0].text, "document too large or too deeply nested"));
    kgw_config_errors_free(&errs);
    ck_assert_failed_with(load_yaml("a: &x [*x]\n"), 1);
    ck_assert_ptr_nonnull(strstr(errs.items[0].text, "check for recursive aliases"));
}
END_TEST

START_TEST(test_missing_file)
{
    snprintf(cfg_path, sizeof(cfg_path), "%s/does-not-exist.yaml", tmp_dir);
    ck_assert_failed_with(kgw_config_load(cfg_path, &cfg, &errs), 1);
    char want[PATH_MAX + 100];
    snprintf(want, sizeof(want), "%s: cannot open configuration file: No such file or directory",
             cfg_path);
    ck_assert_str_eq(errs.items[0].text, want);
    kgw_config_errors_free(&errs);
    ck_assert_failed_with(kgw_config_load(tmp_dir, &cfg, &errs), 1);
    /* errs may be NULL: the caller only wants the verdict. */
    ck_assert_int_eq(kgw_config_load(cfg_path, &cfg, NULL), -1);
}
END_TEST

START_TEST(test_many_errors_reported_together)
{
    snprintf(cfg_path, sizeof(cfg_path), "%s/bad/many-errors.yaml", FIXTURES);
    char dir[PATH_MAX + 16];
    snprintf(dir, sizeof(dir), "%s/bad", FIXTURES);
    int rc = kgw_config_load(cfg_path, &cfg, &errs);
    ck_assert_failed_with(rc, 11);
    ck_assert_error("1: workers: 0 is out of range (expected 1..256)");
    ck_assert_error("2: log.level: expected one of error | warn | info | debug, got \"loud\"");
    ck_assert_error("2: log.format: expected one of text | json, got \"xml\"");
    ck_assert_error("5: backend_clusters[0].bootstrap_servers[0]: expected host:port, got "
                    "\"127.0.0.1\" (no port)");
    ck_assert_error("8: virtual_clusters[0].destination: unknown backend cluster 'locl' (known: "
                    "local)");
    ck_assert_error("9: virtual_clusters[0].acl_mode: expected one of passthrough | "
                    "enforce_on_gateway, got \"strict\"");
    ck_assert_error("13: listeners[0].ports[0]: range \"19095-19092\" is empty (expected first <= "
                    "last, e.g. \"19092-19095\")");
    char want[PATH_MAX * 2];
    snprintf(want, sizeof(want),
             "14: listeners[0].tls.certificate_file: cannot read file '%s/missing.pem': No such "
             "file or directory",
             dir);
    ck_assert_error(want);
    ck_assert_error("14: listeners[0].tls.min_version: expected one of tls12 | tls13, got "
                    "\"tls11\"");
    ck_assert_error("16: listeners[0].forward[0].colour: unknown key 'colour' for type "
                    "port_mapping (allowed: type, virtual_cluster, advertised_host, "
                    "bootstrap_port, min_broker_id)");
    snprintf(want, sizeof(want),
             "14: listeners[0].tls.key_file: cannot read file '%s/missing.key': No such file or "
             "directory",
             dir);
    ck_assert_error(want);
    /* The list is ordered by line, the order a reader fixes them in. */
    for (size_t i = 1; i < errs.count; i++)
        ck_assert_uint_le(errs.items[i - 1].line, errs.items[i].line);
}
END_TEST

/* ---- the generic tree, as a plugin loader reads it ------------------------------- */

START_TEST(test_node_accessors)
{
    ck_assert_int_eq(setenv("KGW_TEST_KAFKA_PASSWORD", "k", 1), 0);
    ck_assert_int_eq(setenv("KGW_TEST_ALICE_PASSWORD", "a", 1), 0);
    snprintf(cfg_path, sizeof(cfg_path), "%s/good/full.yaml", FIXTURES);
    ck_assert_loaded(kgw_config_load(cfg_path, &cfg, &errs));
    const kgw_config_node_t *c = cfg->virtual_clusters[0].cluster_policies[0].config;
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->type, KGW_CONFIG_NODE_MAP);

    const char *s = NULL;
    int64_t i = 0;
    bool b = false;
    char err[256];
    ck_assert_int_eq(
        kgw_config_node_as_string(kgw_config_node_get(c, "default"), &s, err, sizeof(err)), 0);
    ck_assert_str_eq(s, "deny");
    ck_assert_int_eq(
        kgw_config_node_as_int(kgw_config_node_get(c, "max_rules"), 0, 100, &i, err, sizeof(err)),
        0);
    ck_assert_int_eq(i, 10);
    ck_assert_int_eq(
        kgw_config_node_as_bool(kgw_config_node_get(c, "strict"), &b, err, sizeof(err)), 0);
    ck_assert(b);

    const kgw_config_node_t *rules = kgw_config_node_get(c, "rules");
    ck_assert_int_eq(rules->type, KGW_CONFIG_NODE_SEQ);
    ck_assert_uint_eq(rules->n_children, 1);
    const kgw_config_node_t *name = kgw_config_node_get(&rules->children[0], "resource_name");
    ck_assert_str_eq(name->value, "orders-*");
    ck_assert_str_eq(name->path, "virtual_clusters[0].cluster_policies[0].config.rules[0]."
                                 "resource_name");
    ck_assert_uint_eq(name->line, 62);
    ck_assert_uint_eq(name->column, 42);

    /* Failures name file, line and path. */
    char want[PATH_MAX + 200];
    ck_assert_int_eq(
        kgw_config_node_as_int(kgw_config_node_get(c, "max_rules"), 0, 5, &i, err, sizeof(err)),
        -1);
    snprintf(want, sizeof(want),
             "%s:60: virtual_clusters[0].cluster_policies[0].config.max_rules: expected an "
             "integer in 0..5, got \"10\"",
             cfg_path);
    ck_assert_str_eq(err, want);
    ck_assert_int_eq(
        kgw_config_node_as_bool(kgw_config_node_get(c, "default"), &b, err, sizeof(err)), -1);
    snprintf(want, sizeof(want),
             "%s:59: virtual_clusters[0].cluster_policies[0].config.default: expected true or "
             "false, got \"deny\"",
             cfg_path);
    ck_assert_str_eq(err, want);
    ck_assert_int_eq(kgw_config_node_as_string(rules, &s, err, sizeof(err)), -1);
    snprintf(want, sizeof(want),
             "%s:62: virtual_clusters[0].cluster_policies[0].config.rules: expected a string, got "
             "a list",
             cfg_path);
    ck_assert_str_eq(err, want);
    ck_assert_ptr_null(kgw_config_node_get(c, "absent"));
    ck_assert_ptr_null(kgw_config_node_get(rules, "x"));
    ck_assert_int_eq(kgw_config_node_as_string(NULL, &s, err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_lookup_helpers)
{
    ck_assert_loaded(load_yaml(MINIMAL_BACKEND MINIMAL_VC MINIMAL_LISTENER));
    ck_assert_ptr_eq(kgw_config_find_backend_cluster(cfg, "local"), &cfg->backend_clusters[0]);
    ck_assert_ptr_null(kgw_config_find_backend_cluster(cfg, "nope"));
    ck_assert_ptr_eq(kgw_config_find_virtual_cluster(cfg, "app"), &cfg->virtual_clusters[0]);
    ck_assert_str_eq(kgw_config_client_auth_type_name(KGW_CONFIG_CLIENT_AUTH_OAUTH_BEARER),
                     "oauth_bearer");
    ck_assert_str_eq(kgw_config_forward_type_name(KGW_CONFIG_FORWARD_SNI), "sni");
    ck_assert_str_eq(kgw_config_log_level_name((kgw_config_log_level_t)99), "?");
    ck_assert_str_eq(kgw_config_namespace_mode_name(KGW_CONFIG_NAMESPACE_NONE), "none");
    ck_assert_str_eq(kgw_config_namespace_mode_name(KGW_CONFIG_NAMESPACE_ENFORCE_PREFIX),
                     "enforce_prefix");
    ck_assert_str_eq(kgw_config_client_cert_mode_name(KGW_CONFIG_CLIENT_CERT_REQUESTED),
                     "requested");
    ck_assert_str_eq(kgw_config_broker_host_format_name(KGW_CONFIG_SNI_SHARED_SUFFIX),
                     "shared_suffix");
    ck_assert_str_eq(kgw_config_scram_algorithm_name(KGW_CONFIG_SCRAM_SHA256), "sha256");
}
END_TEST

static Suite *
config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *good = tcase_create("good");
    TCase *env = tcase_create("env");
    TCase *rules = tcase_create("rules");
    TCase *yaml = tcase_create("yaml");
    TCase *tree = tcase_create("tree");
    TCase *all[] = {good, env, rules, yaml, tree};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        tcase_add_checked_fixture(all[i], setup, teardown);
        suite_add_tcase(s, all[i]);
    }
    tcase_add_test(good, test_examples_load);
    tcase_add_test(good, test_quickstart_values);
    tcase_add_test(good, test_full_fixture);
    tcase_add_test(good, test_defaults);
    tcase_add_test(good, test_default_authentication_is_anonymous);
    tcase_add_test(good, test_relative_paths_resolve_against_config_dir);
    tcase_add_test(good, test_port_ranges_expand);
    tcase_add_test(env, test_env_substitution);
    tcase_add_test(env, test_env_unset_is_an_error);
    tcase_add_test(env, test_env_malformed_reference);
    tcase_add_test(env, test_secrets_never_printed);
    tcase_add_test(rules, test_tls_file_missing);
    tcase_add_test(rules, test_port_range_errors);
    tcase_add_test(rules, test_port_repeated_across_listeners);
    tcase_add_test(rules, test_port_ranges_large_and_overlapping);
    tcase_add_test(rules, test_at_start_needs_two_ports);
    tcase_add_test(rules, test_duplicate_names);
    tcase_add_test(rules, test_unknown_destination);
    tcase_add_test(rules, test_unknown_forward_virtual_cluster);
    tcase_add_test(rules, test_two_port_mappings);
    tcase_add_test(rules, test_sni_needs_tls);
    tcase_add_test(rules, test_dns_labels);
    tcase_add_test(rules, test_sni_rules_must_differ);
    tcase_add_test(rules, test_unknown_keys);
    tcase_add_test(rules, test_unknown_key_for_type);
    tcase_add_test(rules, test_wrong_types);
    tcase_add_test(rules, test_required_keys);
    tcase_add_test(rules, test_required_sections);
    tcase_add_test(rules, test_enums_and_ranges);
    tcase_add_test(rules, test_bootstrap_servers);
    tcase_add_test(rules, test_backend_authentication_rules);
    tcase_add_test(rules, test_client_authentication_rules);
    tcase_add_test(rules, test_policies);
    tcase_add_test(rules, test_admin_listen);
    tcase_add_test(rules, test_many_errors_reported_together);
    tcase_add_test(yaml, test_yaml_syntax_error);
    tcase_add_test(yaml, test_yaml_flow_syntax_error);
    tcase_add_test(yaml, test_yaml_duplicate_key);
    tcase_add_test(yaml, test_yaml_shapes);
    tcase_add_test(yaml, test_yaml_alias_bomb_is_bounded);
    tcase_add_test(yaml, test_missing_file);
    tcase_add_test(tree, test_node_accessors);
    tcase_add_test(tree, test_lookup_helpers);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(config_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
