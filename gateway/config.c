/*
 * Loading and validating kgw's YAML configuration (DESIGN.md section 3).
 *
 * The file is first read into a generic tree (config_yaml.c), then every
 * section is read into the typed model here. Reading never stops at the
 * first problem: each is recorded as "FILE:LINE: KEY.PATH: what (expected
 * ...)" and reading carries on with defaults, so one run shows all of them.
 * Cross-checks (names, references, ports) run once every section is read.
 */
#include "config_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KGW_CONFIG_MAX_WORKERS 256

typedef struct load_ctx {
    kgw_config_t *cfg;
    kgw_config_errors_t *errs;
    size_t n_errors;
    bool oom;
    bool no_plugins_dir_reported;
} load_ctx_t;

/* ---- error helpers ------------------------------------------------------ */

__attribute__((format(printf, 3, 4))) static void
err_at(load_ctx_t *ctx, const kgw_config_node_t *node, const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;

    ctx->n_errors++;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    if (msg == NULL) {
        ctx->oom = true;
        return;
    }
    kgw__config_node_error(ctx->errs, node, "%s", msg);
    free(msg);
}

/* An error about `key` of `map` (absent or wrong), reported at the map's line. */
__attribute__((format(printf, 4, 5))) static void
err_key(load_ctx_t *ctx, const kgw_config_node_t *map, const char *key, const char *fmt, ...)
{
    char *msg = NULL, *path = NULL;
    va_list ap;
    int n;

    ctx->n_errors++;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    if (map->path[0] == '\0')
        n = asprintf(&path, "%s", key);
    else
        n = asprintf(&path, "%s.%s", map->path, key);
    if (msg == NULL || n < 0) {
        ctx->oom = true;
        free(msg);
        return;
    }
    kgw__config_error(ctx->errs, map->file, map->line, 0, path, "%s", msg);
    free(msg);
    free(path);
}

/* Describes a node's value for "got ..." (a scalar's text, else its type). */
static void
got(const kgw_config_node_t *node, char *buf, size_t len)
{
    if (node->type == KGW_CONFIG_NODE_SCALAR)
        snprintf(buf, len, "\"%.64s%s\"", node->value, strlen(node->value) > 64 ? "..." : "");
    else
        snprintf(buf, len, "%s", kgw_config_node_type_name(node));
}

static char *
dup_str(load_ctx_t *ctx, const char *s)
{
    char *d = strdup(s);
    if (d == NULL)
        ctx->oom = true;
    return d;
}

static void *
alloc_array(load_ctx_t *ctx, size_t n, size_t size)
{
    void *p = calloc(n == 0 ? 1 : n, size);
    if (p == NULL)
        ctx->oom = true;
    return p;
}

/* "a, b, c" from a NULL-terminated list, into buf. */
static void
join(const char *const *names, const char *sep, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; names[i] != NULL && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? sep : "", names[i]);
        if (n < 0)
            return;
        used += (size_t)n;
    }
}

/* ---- typed readers -------------------------------------------------------- */

/*
 * Checks that `node` is a mapping; reports "expected a mapping" otherwise.
 * `what` names what the mapping holds, for the message.
 */
static bool
expect_map(load_ctx_t *ctx, const kgw_config_node_t *node, const char *what)
{
    char g[96];
    if (node->type == KGW_CONFIG_NODE_MAP)
        return true;
    got(node, g, sizeof(g));
    err_at(ctx, node, "expected a mapping (%s), got %s", what, g);
    return false;
}

/* Reports every key of `map` that is not in `allowed` (NULL-terminated). */
static void
check_keys(load_ctx_t *ctx, const kgw_config_node_t *map, const char *const *allowed,
           const char *context)
{
    char list[512];
    for (size_t i = 0; i < map->n_children; i++) {
        const kgw_config_node_t *c = &map->children[i];
        bool ok = false;
        for (size_t j = 0; allowed[j] != NULL && !ok; j++)
            ok = strcmp(c->key, allowed[j]) == 0;
        if (ok)
            continue;
        join(allowed, ", ", list, sizeof(list));
        err_at(ctx, c, "unknown key '%s'%s%s (allowed: %s)", c->key, context ? " " : "",
               context ? context : "", list);
    }
}

/* Returns the entry `key` of `map` unless absent or null; reports it when required. */
static const kgw_config_node_t *
get(load_ctx_t *ctx, const kgw_config_node_t *map, const char *key, bool required)
{
    const kgw_config_node_t *n = kgw_config_node_get(map, key);
    if (n != NULL && n->failed)
        return NULL; /* already reported: a bad ${env:...} */
    if (n != NULL && n->type != KGW_CONFIG_NODE_NULL)
        return n;
    if (required)
        err_key(ctx, map, key, "missing required key '%s'", key);
    return NULL;
}

/* Reads a non-empty string into a new *out. Returns true when stored. */
static bool
read_str(load_ctx_t *ctx, const kgw_config_node_t *map, const char *key, bool required, char **out)
{
    const kgw_config_node_t *n = get(ctx, map, key, required);
    char g[96];
    if (n == NULL)
        return false;
    if (n->type != KGW_CONFIG_NODE_SCALAR) {
        got(n, g, sizeof(g));
        err_at(ctx, n, "expected a string, got %s", g);
        return false;
    }
    if (n->value[0] == '\0') {
        err_at(ctx, n, "expected a non-empty string");
        return false;
    }
    char *s = dup_str(ctx, n->value);
    if (s == NULL)
        return false;
    free(*out);
    *out = s;
    return true;
}

/* Reads an integer in [min, max]; *out keeps its default when absent or bad. */
static bool
read_int(load_ctx_t *ctx, const kgw_config_node_t *map, const char *key, bool required, int64_t min,
         int64_t max, int64_t *out)
{
    const kgw_config_node_t *n = get(ctx, map, key, required);
    char g[96];
    int64_t v;
    if (n == NULL)
        return false;
    if (kgw_config_node_as_int(n, INT64_MIN, INT64_MAX, &v, NULL, 0) != 0) {
        got(n, g, sizeof(g));
        err_at(ctx, n, "expected an integer, got %s", g);
        return false;
    }
    if (v < min || v > max) {
        err_at(ctx, n, "%" PRId64 " is out of range (expected %" PRId64 "..%" PRId64 ")", v, min,
               max);
        return false;
    }
    *out = v;
    return true;
}

static void
read_bool(load_ctx_t *ctx, const kgw_config_node_t *map, const char *key, bool *out)
{
    const kgw_config_node_t *n = get(ctx, map, key, false);
    char g[96];
    if (n == NULL)
        return;
    if (kgw_config_node_as_bool(n, out, NULL, 0) != 0) {
        got(n, g, sizeof(g));
        err_at(ctx, n, "expected true or false, got %s", g);
    }
}

/*
 * Reads one of `names` (NULL-terminated); stores its index plus `base` in
 * *out. *out keeps its default when absent or bad.
 */
static bool
read_enum(load_ctx_t *ctx, const kgw_config_node_t *map, const char *key, bool required,
          const char *const *names, int base, int *out)
{
    const kgw_config_node_t *n = get(ctx, map, key, required);
    char list[256], g[96];
    if (n == NULL)
        return false;
    if (n->type == KGW_CONFIG_NODE_SCALAR) {
        for (int i = 0; names[i] != NULL; i++) {
            if (strcmp(n->value, names[i]) == 0) {
                *out = base + i;
                return true;
            }
        }
    }
    join(names, " | ", list, sizeof(list));
    got(n, g, sizeof(g));
    err_at(ctx, n, "expected one of %s, got %s", list, g);
    return false;
}

/* `rel` resolved against the configuration file's directory, in a new string. */
static char *
resolve_path(load_ctx_t *ctx, const char *rel)
{
    char *s = NULL;
    if (rel[0] == '/' || strcmp(ctx->cfg->dir, ".") == 0)
        return dup_str(ctx, rel);
    if (asprintf(&s, "%s/%s", ctx->cfg->dir, rel) < 0) {
        ctx->oom = true;
        return NULL;
    }
    return s;
}

/* Reads a path, resolves it; when `must_read`, checks the file can be read. */
static bool
read_path(load_ctx_t *ctx, const kgw_config_node_t *map, const char *key, bool required,
          bool must_read, char **out)
{
    char *raw = NULL, *resolved;
    if (!read_str(ctx, map, key, required, &raw))
        return false;
    resolved = resolve_path(ctx, raw);
    free(raw);
    if (resolved == NULL)
        return false;
    if (must_read && access(resolved, R_OK) != 0) {
        err_at(ctx, kgw_config_node_get(map, key), "cannot read file '%s': %s", resolved,
               strerror(errno));
        free(resolved);
        return false;
    }
    free(*out);
    *out = resolved;
    return true;
}

/*
 * Returns the list under `key` (or NULL when absent/null/wrong, reported).
 * A required list must have at least one entry.
 */
static const kgw_config_node_t *
get_list(load_ctx_t *ctx, const kgw_config_node_t *map, const char *key, bool required)
{
    const kgw_config_node_t *n = get(ctx, map, key, required);
    char g[96];
    if (n == NULL)
        return NULL;
    if (n->type != KGW_CONFIG_NODE_SEQ) {
        got(n, g, sizeof(g));
        err_at(ctx, n, "expected a list, got %s", g);
        return NULL;
    }
    if (required && n->n_children == 0) {
        err_at(ctx, n, "expected at least one entry");
        return NULL;
    }
    return n;
}

/* Reads a list of non-empty strings into a new array. */
static void
read_str_list(load_ctx_t *ctx, const kgw_config_node_t *map, const char *key, bool required,
              char ***out, size_t *n_out)
{
    const kgw_config_node_t *list = get_list(ctx, map, key, required);
    char g[96];
    if (list == NULL)
        return;
    *out = alloc_array(ctx, list->n_children, sizeof(char *));
    if (*out == NULL)
        return;
    for (size_t i = 0; i < list->n_children; i++) {
        const kgw_config_node_t *item = &list->children[i];
        if (item->failed)
            continue;
        if (item->type != KGW_CONFIG_NODE_SCALAR || item->value[0] == '\0') {
            got(item, g, sizeof(g));
            err_at(ctx, item, "expected a non-empty string, got %s", g);
            continue;
        }
        char *s = dup_str(ctx, item->value);
        if (s == NULL)
            return;
        (*out)[(*n_out)++] = s;
    }
}

/* ---- value syntax -------------------------------------------------------- */

static bool
is_hostname(const char *s)
{
    size_t label = 0;
    if (*s == '\0' || strlen(s) > 253)
        return false;
    for (; *s; s++) {
        char c = *s;
        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
        if (++label > 63)
            return false;
    }
    return true;
}

static bool
is_ip_literal(const char *s, int family)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(family, s, buf) == 1;
}

/* A DNS label: 1-63 of [a-z0-9-], not starting or ending with '-'. */
static bool
is_dns_label(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

/* Plugin names become file names (kgw_<name>.so): [a-z0-9_] only. */
static bool
is_plugin_name(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/*
 * Parses "host:port" or "[v6]:port" from `text` (reported against `node`).
 * Returns true and fills *out (host in a new string, without brackets).
 */
static bool
parse_host_port(load_ctx_t *ctx, const kgw_config_node_t *node, const char *text,
                kgw_config_host_port_t *out)
{
    const char *colon, *host = text;
    size_t host_len;
    char *end = NULL;
    long port;

    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (close == NULL || close[1] != ':') {
            err_at(ctx, node, "expected [IPv6]:port, got \"%s\"", text);
            return false;
        }
        host = text + 1;
        host_len = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (colon == NULL) {
            err_at(ctx, node, "expected host:port, got \"%s\" (no port)", text);
            return false;
        }
        if (memchr(text, ':', (size_t)(colon - text)) != NULL) {
            err_at(ctx, node,
                   "expected host:port, got \"%s\" (write IPv6 addresses in brackets: "
                   "[::1]:9092)",
                   text);
            return false;
        }
        host_len = (size_t)(colon - text);
    }
    char *h = strndup(host, host_len);
    if (h == NULL) {
        ctx->oom = true;
        return false;
    }
    bool host_ok = text[0] == '[' ? is_ip_literal(h, AF_INET6) : is_hostname(h);
    if (!host_ok) {
        err_at(ctx, node, "expected host:port, got \"%s\" (bad host '%s')", text, h);
        free(h);
        return false;
    }
    errno = 0;
    port = strtol(colon + 1, &end, 10);
    if (colon[1] < '0' || colon[1] > '9' || errno != 0 || *end != '\0' || port < 1 ||
        port > 65535) {
        err_at(ctx, node, "expected host:port with a port in 1..65535, got \"%s\"", text);
        free(h);
        return false;
    }
    out->host = h;
    out->port = (uint16_t)port;
    out->line = node->line;
    return true;
}

/* ---- top level: plugins_dir, workers, admin, log --------------------------- */

static const char *const ROOT_KEYS[] = {"plugins_dir",      "workers",          "admin",     "log",
                                        "backend_clusters", "virtual_clusters", "listeners", NULL};
static const char *const ADMIN_KEYS[] = {"listen", NULL};
static const char *const LOG_KEYS[] = {"level", "format", NULL};

static unsigned
default_workers(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > KGW_CONFIG_MAX_WORKERS ? KGW_CONFIG_MAX_WORKERS : (unsigned)n;
}

static void
read_globals(load_ctx_t *ctx, const kgw_config_node_t *root)
{
    kgw_config_t *cfg = ctx->cfg;
    const kgw_config_node_t *n;
    int64_t workers = cfg->workers;
    int v;

    read_path(ctx, root, "plugins_dir", false, false, &cfg->plugins_dir);
    if (read_int(ctx, root, "workers", false, 1, KGW_CONFIG_MAX_WORKERS, &workers))
        cfg->workers = (unsigned)workers;

    if ((n = get(ctx, root, "admin", false)) != NULL && expect_map(ctx, n, "admin settings")) {
        check_keys(ctx, n, ADMIN_KEYS, NULL);
        const kgw_config_node_t *l = get(ctx, n, "listen", true);
        char g[96];
        if (l != NULL && l->type != KGW_CONFIG_NODE_SCALAR) {
            got(l, g, sizeof(g));
            err_at(ctx, l, "expected host:port, got %s", g);
        } else if (l != NULL) {
            kgw_config_host_port_t hp = {0};
            if (parse_host_port(ctx, l, l->value, &hp)) {
                cfg->admin_enabled = true;
                cfg->admin_host = hp.host;
                cfg->admin_port = hp.port;
            }
        }
    }
    if ((n = get(ctx, root, "log", false)) != NULL && expect_map(ctx, n, "log settings")) {
        check_keys(ctx, n, LOG_KEYS, NULL);
        v = (int)cfg->log_level;
        if (read_enum(ctx, n, "level", false, kgw__config_log_levels, 0, &v))
            cfg->log_level = (kgw_config_log_level_t)v;
        v = (int)cfg->log_format;
        if (read_enum(ctx, n, "format", false, kgw__config_log_formats, 0, &v))
            cfg->log_format = (kgw_config_log_format_t)v;
    }
}

/* ---- backend clusters ----------------------------------------------------- */

static const char *const BACKEND_KEYS[] = {
    "name", "bootstrap_servers", "metadata_update_interval_seconds", "tls", "authentication", NULL};
static const char *const BACKEND_TLS_KEYS[] = {
    "enabled",         "ca_file", "insecure_skip_verify", "client_certificate_file",
    "client_key_file", NULL};
static const char *const BACKEND_AUTH_KEYS[] = {"type", "algorithm", "username", "password", NULL};

static void
read_bootstrap_servers(load_ctx_t *ctx, const kgw_config_node_t *map,
                       kgw_config_backend_cluster_t *bc)
{
    const kgw_config_node_t *n = get(ctx, map, "bootstrap_servers", true);
    char g[96];
    if (n == NULL)
        return;
    if (n->type == KGW_CONFIG_NODE_SCALAR) {
        /* Kafka's own form: "host1:9092,host2:9092". */
        size_t count = 1;
        for (const char *p = n->value; *p; p++)
            count += *p == ',';
        bc->bootstrap_servers = alloc_array(ctx, count, sizeof(*bc->bootstrap_servers));
        char *copy = dup_str(ctx, n->value);
        if (bc->bootstrap_servers == NULL || copy == NULL) {
            free(copy);
            return;
        }
        char *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            while (*tok == ' ')
                tok++;
            char *e = tok + strlen(tok);
            while (e > tok && e[-1] == ' ')
                *--e = '\0';
            if (parse_host_port(ctx, n, tok, &bc->bootstrap_servers[bc->n_bootstrap_servers]))
                bc->n_bootstrap_servers++;
        }
        free(copy);
        if (bc->n_bootstrap_servers == 0 && ctx->n_errors == 0)
            err_at(ctx, n, "expected at least one host:port");
        return;
    }
    const kgw_config_node_t *list = get_list(ctx, map, "bootstrap_servers", true);
    if (list == NULL)
        return;
    bc->bootstrap_servers = alloc_array(ctx, list->n_children, sizeof(*bc->bootstrap_servers));
    if (bc->bootstrap_servers == NULL)
        return;
    for (size_t i = 0; i < list->n_children; i++) {
        const kgw_config_node_t *item = &list->children[i];
        if (item->failed)
            continue;
        if (item->type != KGW_CONFIG_NODE_SCALAR) {
            got(item, g, sizeof(g));
            err_at(ctx, item, "expected host:port, got %s", g);
            continue;
        }
        if (parse_host_port(ctx, item, item->value,
                            &bc->bootstrap_servers[bc->n_bootstrap_servers]))
            bc->n_bootstrap_servers++;
    }
}

static void
read_backend_tls(load_ctx_t *ctx, const kgw_config_node_t *map, kgw_config_backend_tls_t *tls)
{
    const kgw_config_node_t *n = get(ctx, map, "tls", false);
    if (n == NULL || !expect_map(ctx, n, "backend TLS settings"))
        return;
    check_keys(ctx, n, BACKEND_TLS_KEYS, NULL);
    tls->line = n->line;
    tls->enabled = true; /* writing a tls: block means TLS unless enabled: false */
    read_bool(ctx, n, "enabled", &tls->enabled);
    read_path(ctx, n, "ca_file", false, true, &tls->ca_file);
    read_bool(ctx, n, "insecure_skip_verify", &tls->insecure_skip_verify);
    read_path(ctx, n, "client_certificate_file", false, true, &tls->client_certificate_file);
    read_path(ctx, n, "client_key_file", false, true, &tls->client_key_file);
    if (kgw_config_node_get(n, "client_certificate_file") != NULL &&
        kgw_config_node_get(n, "client_key_file") == NULL)
        err_key(ctx, n, "client_key_file",
                "missing required key 'client_key_file' (client_certificate_file needs its key)");
    if (kgw_config_node_get(n, "client_key_file") != NULL &&
        kgw_config_node_get(n, "client_certificate_file") == NULL)
        err_key(ctx, n, "client_certificate_file",
                "missing required key 'client_certificate_file' (client_key_file needs its "
                "certificate)");
}

static void
read_backend_auth(load_ctx_t *ctx, const kgw_config_node_t *map, kgw_config_backend_auth_t *auth)
{
    const kgw_config_node_t *n = get(ctx, map, "authentication", false);
    int v;
    auth->type = KGW_CONFIG_BACKEND_AUTH_ANONYMOUS;
    auth->algorithm = KGW_CONFIG_SCRAM_SHA512;
    if (n == NULL || !expect_map(ctx, n, "backend authentication"))
        return;
    check_keys(ctx, n, BACKEND_AUTH_KEYS, NULL);
    auth->line = n->line;
    v = (int)auth->type;
    if (!read_enum(ctx, n, "type", true, kgw__config_backend_auth_types, 0, &v))
        return;
    auth->type = (kgw_config_backend_auth_type_t)v;
    if (auth->type == KGW_CONFIG_BACKEND_AUTH_ANONYMOUS) {
        static const char *const sasl_only[] = {"algorithm", "username", "password", NULL};
        for (size_t i = 0; sasl_only[i]; i++) {
            const kgw_config_node_t *k = kgw_config_node_get(n, sasl_only[i]);
            if (k != NULL)
                err_at(ctx, k, "'%s' is not used with type anonymous", sasl_only[i]);
        }
        return;
    }
    read_str(ctx, n, "username", true, &auth->username);
    read_str(ctx, n, "password", true, &auth->password);
    if (auth->type == KGW_CONFIG_BACKEND_AUTH_SASL_SCRAM) {
        v = (int)auth->algorithm;
        if (read_enum(ctx, n, "algorithm", false, kgw__config_scram_algorithms, 0, &v))
            auth->algorithm = (kgw_config_scram_algorithm_t)v;
    } else if (kgw_config_node_get(n, "algorithm") != NULL) {
        err_at(ctx, kgw_config_node_get(n, "algorithm"),
               "'algorithm' is only used with type sasl_scram");
    }
}

static void
read_backend_cluster(load_ctx_t *ctx, const kgw_config_node_t *map,
                     kgw_config_backend_cluster_t *bc)
{
    int64_t interval = 60;
    bc->line = map->line;
    bc->metadata_update_interval_seconds = 60;
    bc->authentication.type = KGW_CONFIG_BACKEND_AUTH_ANONYMOUS;
    bc->authentication.algorithm = KGW_CONFIG_SCRAM_SHA512;
    if (!expect_map(ctx, map, "a backend cluster"))
        return;
    check_keys(ctx, map, BACKEND_KEYS, NULL);
    read_str(ctx, map, "name", true, &bc->name);
    read_bootstrap_servers(ctx, map, bc);
    if (read_int(ctx, map, "metadata_update_interval_seconds", false, 1, 86400, &interval))
        bc->metadata_update_interval_seconds = (uint32_t)interval;
    read_backend_tls(ctx, map, &bc->tls);
    read_backend_auth(ctx, map, &bc->authentication);
}

/* ---- virtual clusters ----------------------------------------------------- */

static const char *const VC_KEYS[] = {
    "name",      "destination",      "dns_label",        "authentication",   "acl_mode",
    "namespace", "cluster_policies", "produce_policies", "consume_policies", NULL};
static const char *const ANON_KEYS[] = {"type", NULL};
static const char *const SASL_KEYS[] = {"type", "mediation", "principals", NULL};
static const char *const OAUTH_KEYS[] = {"type",      "mediation",       "jwks_file", "issuer",
                                         "audiences", "principal_claim", NULL};
static const char *const CERT_KEYS[] = {"type", "principal_from", NULL};
static const char *const PRINCIPAL_KEYS[] = {"username", "password", NULL};
static const char *const NAMESPACE_KEYS[] = {"mode", "prefix", NULL};
static const char *const POLICY_KEYS[] = {"plugin", "name", "config", NULL};

static void
read_principals(load_ctx_t *ctx, const kgw_config_node_t *map, kgw_config_client_auth_t *a)
{
    const kgw_config_node_t *list = get_list(ctx, map, "principals", true);
    if (list == NULL)
        return;
    a->principals = alloc_array(ctx, list->n_children, sizeof(*a->principals));
    if (a->principals == NULL)
        return;
    a->n_principals = list->n_children;
    for (size_t i = 0; i < list->n_children; i++) {
        const kgw_config_node_t *p = &list->children[i];
        kgw_config_principal_t *pr = &a->principals[i];
        pr->line = p->line;
        if (!expect_map(ctx, p, "a principal: {username, password}"))
            continue;
        check_keys(ctx, p, PRINCIPAL_KEYS, NULL);
        read_str(ctx, p, "username", true, &pr->username);
        read_str(ctx, p, "password", true, &pr->password);
        for (size_t j = 0; j < i && pr->username; j++) {
            if (a->principals[j].username && strcmp(a->principals[j].username, pr->username) == 0)
                err_at(ctx, kgw_config_node_get(p, "username"),
                       "duplicate username '%s' (first at line %u)", pr->username,
                       a->principals[j].line);
        }
    }
}

static void
read_client_auth(load_ctx_t *ctx, const kgw_config_node_t *map, kgw_config_client_auth_t *a)
{
    int v = 0;
    a->line = map->line;
    if (!expect_map(ctx, map, "an authentication method"))
        return;
    if (!read_enum(ctx, map, "type", true, kgw__config_client_auth_types, 0, &v)) {
        check_keys(ctx, map,
                   (const char *const[]){"type", "mediation", "principals", "jwks_file", "issuer",
                                         "audiences", "principal_claim", "principal_from", NULL},
                   NULL);
        return;
    }
    a->type = (kgw_config_client_auth_type_t)v;
    const char *tname = kgw__config_client_auth_types[v];
    char context[64];
    snprintf(context, sizeof(context), "for type %s", tname);
    const char *const *keys = a->type == KGW_CONFIG_CLIENT_AUTH_ANONYMOUS            ? ANON_KEYS
                              : a->type == KGW_CONFIG_CLIENT_AUTH_OAUTH_BEARER       ? OAUTH_KEYS
                              : a->type == KGW_CONFIG_CLIENT_AUTH_CLIENT_CERTIFICATE ? CERT_KEYS
                                                                                     : SASL_KEYS;
    check_keys(ctx, map, keys, context);

    a->mediation = KGW_CONFIG_MEDIATION_TERMINATE;
    v = (int)a->mediation;
    if (kgw_config_node_get(map, "mediation") != NULL &&
        read_enum(ctx, map, "mediation", false, kgw__config_mediations, 0, &v)) {
        a->mediation = (kgw_config_mediation_t)v;
        if (a->mediation == KGW_CONFIG_MEDIATION_VALIDATE_FORWARD &&
            a->type != KGW_CONFIG_CLIENT_AUTH_OAUTH_BEARER) {
            err_at(ctx, kgw_config_node_get(map, "mediation"),
                   "validate_forward is only available for oauth_bearer (expected terminate | "
                   "passthrough for %s)",
                   tname);
            a->mediation = KGW_CONFIG_MEDIATION_TERMINATE;
        }
    }
    switch (a->type) {
    case KGW_CONFIG_CLIENT_AUTH_ANONYMOUS:
        break;
    case KGW_CONFIG_CLIENT_AUTH_SASL_PLAIN:
    case KGW_CONFIG_CLIENT_AUTH_SASL_SCRAM:
        if (a->mediation == KGW_CONFIG_MEDIATION_TERMINATE)
            read_principals(ctx, map, a);
        else if (kgw_config_node_get(map, "principals") != NULL)
            err_at(ctx, kgw_config_node_get(map, "principals"),
                   "principals are only used with mediation: terminate (with passthrough the "
                   "backend cluster checks credentials)");
        break;
    case KGW_CONFIG_CLIENT_AUTH_OAUTH_BEARER:
        if (a->mediation != KGW_CONFIG_MEDIATION_PASSTHROUGH)
            read_path(ctx, map, "jwks_file", true, true, &a->jwks_file);
        else
            read_path(ctx, map, "jwks_file", false, true, &a->jwks_file);
        read_str(ctx, map, "issuer", false, &a->issuer);
        read_str_list(ctx, map, "audiences", false, &a->audiences, &a->n_audiences);
        if (!read_str(ctx, map, "principal_claim", false, &a->principal_claim) &&
            a->principal_claim == NULL)
            a->principal_claim = dup_str(ctx, "sub");
        break;
    case KGW_CONFIG_CLIENT_AUTH_CLIENT_CERTIFICATE:
        v = (int)KGW_CONFIG_PRINCIPAL_FROM_CN;
        if (read_enum(ctx, map, "principal_from", false, kgw__config_principal_from, 0, &v))
            a->principal_from = (kgw_config_principal_from_t)v;
        break;
    }
}

static void
read_vc_authentication(load_ctx_t *ctx, const kgw_config_node_t *map,
                       kgw_config_virtual_cluster_t *vc)
{
    const kgw_config_node_t *list = get_list(ctx, map, "authentication", false);
    if (list == NULL || list->n_children == 0) {
        if (list != NULL)
            err_at(ctx, list, "expected at least one entry (omit the key for [anonymous])");
        vc->authentication = alloc_array(ctx, 1, sizeof(*vc->authentication));
        if (vc->authentication == NULL)
            return;
        vc->n_authentication = 1;
        vc->authentication[0].type = KGW_CONFIG_CLIENT_AUTH_ANONYMOUS;
        return;
    }
    vc->authentication = alloc_array(ctx, list->n_children, sizeof(*vc->authentication));
    if (vc->authentication == NULL)
        return;
    vc->n_authentication = list->n_children;
    for (size_t i = 0; i < list->n_children; i++) {
        read_client_auth(ctx, &list->children[i], &vc->authentication[i]);
        for (size_t j = 0; j < i; j++) {
            if (kgw_config_node_get(&list->children[i], "type") != NULL &&
                kgw_config_node_get(&list->children[j], "type") != NULL &&
                vc->authentication[j].type == vc->authentication[i].type &&
                list->children[i].type == KGW_CONFIG_NODE_MAP &&
                list->children[j].type == KGW_CONFIG_NODE_MAP) {
                err_at(ctx, kgw_config_node_get(&list->children[i], "type"),
                       "authentication type '%s' is listed twice (first at line %u)",
                       kgw__config_client_auth_types[vc->authentication[i].type],
                       list->children[j].line);
                break;
            }
        }
    }
}

static void
read_namespace(load_ctx_t *ctx, const kgw_config_node_t *map, kgw_config_namespace_t *ns)
{
    const kgw_config_node_t *n = get(ctx, map, "namespace", false);
    int v = 0;
    if (n == NULL || !expect_map(ctx, n, "namespace settings: {mode, prefix}"))
        return;
    check_keys(ctx, n, NAMESPACE_KEYS, NULL);
    ns->line = n->line;
    if (read_enum(ctx, n, "mode", true, kgw__config_namespace_modes, 1, &v))
        ns->mode = (kgw_config_namespace_mode_t)v;
    read_str(ctx, n, "prefix", true, &ns->prefix);
}

static void
read_policies(load_ctx_t *ctx, const kgw_config_node_t *map, const char *key,
              kgw_config_policy_t **out, size_t *n_out)
{
    const kgw_config_node_t *list = get_list(ctx, map, key, false);
    if (list == NULL || list->n_children == 0)
        return;
    *out = alloc_array(ctx, list->n_children, sizeof(**out));
    if (*out == NULL)
        return;
    *n_out = list->n_children;
    for (size_t i = 0; i < list->n_children; i++) {
        const kgw_config_node_t *p = &list->children[i];
        kgw_config_policy_t *pol = &(*out)[i];
        pol->line = p->line;
        if (!expect_map(ctx, p, "a policy: {plugin, name, config}"))
            continue;
        check_keys(ctx, p, POLICY_KEYS, NULL);
        if (read_str(ctx, p, "plugin", true, &pol->plugin) && !is_plugin_name(pol->plugin))
            err_at(ctx, kgw_config_node_get(p, "plugin"),
                   "bad plugin name '%s' (expected lower-case letters, digits and '_'; it "
                   "names the file kgw_<plugin>.so)",
                   pol->plugin);
        if (!read_str(ctx, p, "name", false, &pol->name) && pol->plugin != NULL)
            pol->name = dup_str(ctx, pol->plugin);
        const kgw_config_node_t *c = kgw_config_node_get(p, "config");
        pol->config = c != NULL && c->type != KGW_CONFIG_NODE_NULL ? c : NULL;
        if (ctx->cfg->plugins_dir == NULL && pol->plugin != NULL && !ctx->no_plugins_dir_reported) {
            err_at(ctx, p, "plugin '%s' needs plugins_dir to be set at the top level", pol->plugin);
            ctx->no_plugins_dir_reported = true;
        }
    }
}

/* Policy names are unique across the three lists of one virtual cluster. */
static void
check_policy_names(load_ctx_t *ctx, const kgw_config_node_t *vc_map,
                   const kgw_config_virtual_cluster_t *vc)
{
    const char *const lists[] = {"cluster_policies", "produce_policies", "consume_policies"};
    const kgw_config_policy_t *arrays[] = {vc->cluster_policies, vc->produce_policies,
                                           vc->consume_policies};
    const size_t counts[] = {vc->n_cluster_policies, vc->n_produce_policies,
                             vc->n_consume_policies};
    for (size_t l = 0; l < 3; l++) {
        for (size_t i = 0; i < counts[l]; i++) {
            const kgw_config_policy_t *p = &arrays[l][i];
            bool dup = false;
            if (p->name == NULL)
                continue;
            for (size_t m = 0; m <= l && !dup; m++) {
                for (size_t j = 0; j < (m == l ? i : counts[m]) && !dup; j++) {
                    const kgw_config_policy_t *q = &arrays[m][j];
                    if (q->name == NULL || strcmp(q->name, p->name) != 0)
                        continue;
                    const kgw_config_node_t *list = kgw_config_node_get(vc_map, lists[l]);
                    err_at(ctx, &list->children[i],
                           "duplicate policy name '%s' (also %s[%zu] at line %u; set a distinct "
                           "'name')",
                           p->name, lists[m], j, q->line);
                    dup = true;
                }
            }
        }
    }
}

static void
read_virtual_cluster(load_ctx_t *ctx, const kgw_config_node_t *map,
                     kgw_config_virtual_cluster_t *vc)
{
    int v = 0;
    vc->line = map->line;
    vc->destination_index = SIZE_MAX;
    if (!expect_map(ctx, map, "a virtual cluster"))
        return;
    check_keys(ctx, map, VC_KEYS, NULL);
    read_str(ctx, map, "name", true, &vc->name);
    read_str(ctx, map, "destination", true, &vc->destination_name);
    if (read_str(ctx, map, "dns_label", false, &vc->dns_label)) {
        if (!is_dns_label(vc->dns_label))
            err_at(ctx, kgw_config_node_get(map, "dns_label"),
                   "'%s' is not a DNS label (expected 1-63 of a-z, 0-9 and '-', not starting "
                   "or ending with '-')",
                   vc->dns_label);
    } else if (vc->name != NULL) {
        vc->dns_label = dup_str(ctx, vc->name);
    }
    read_vc_authentication(ctx, map, vc);
    if (read_enum(ctx, map, "acl_mode", false, kgw__config_acl_modes, 0, &v))
        vc->acl_mode = (kgw_config_acl_mode_t)v;
    read_namespace(ctx, map, &vc->namespace_);
    read_policies(ctx, map, "cluster_policies", &vc->cluster_policies, &vc->n_cluster_policies);
    read_policies(ctx, map, "produce_policies", &vc->produce_policies, &vc->n_produce_policies);
    read_policies(ctx, map, "consume_policies", &vc->consume_policies, &vc->n_consume_policies);
    check_policy_names(ctx, map, vc);
}

/* ---- listeners ------------------------------------------------------------ */

static const char *const LISTENER_KEYS[] = {"name", "addresses", "ports", "tls", "forward", NULL};
static const char *const LISTENER_TLS_KEYS[] = {"certificate_file", "key_file", "min_version",
                                                "client_authentication", NULL};
static const char *const CLIENT_AUTHN_KEYS[] = {"mode", "ca_file", NULL};
static const char *const PORT_MAPPING_KEYS[] = {
    "type", "virtual_cluster", "advertised_host", "bootstrap_port", "min_broker_id", NULL};
static const char *const SNI_KEYS[] = {
    "type", "virtual_cluster", "sni_suffix", "advertised_port", "broker_host_format", NULL};

static void
read_addresses(load_ctx_t *ctx, const kgw_config_node_t *map, kgw_config_listener_t *l)
{
    const kgw_config_node_t *list = get_list(ctx, map, "addresses", true);
    char g[96];
    if (list == NULL)
        return;
    l->addresses = alloc_array(ctx, list->n_children, sizeof(char *));
    if (l->addresses == NULL)
        return;
    for (size_t i = 0; i < list->n_children; i++) {
        const kgw_config_node_t *item = &list->children[i];
        const char *a;
        size_t len;
        if (item->failed)
            continue;
        if (item->type != KGW_CONFIG_NODE_SCALAR) {
            got(item, g, sizeof(g));
            err_at(ctx, item, "expected an address, got %s", g);
            continue;
        }
        a = item->value;
        len = strlen(a);
        if (len >= 2 && a[0] == '[' && a[len - 1] == ']') {
            a++;
            len -= 2;
        }
        char *addr = strndup(a, len);
        if (addr == NULL) {
            ctx->oom = true;
            return;
        }
        if (!is_ip_literal(addr, AF_INET) && !is_ip_literal(addr, AF_INET6) && !is_hostname(addr)) {
            err_at(ctx, item, "expected an IPv4 address, IPv6 address or host name, got \"%s\"",
                   item->value);
            free(addr);
            continue;
        }
        for (size_t j = 0; j < l->n_addresses; j++) {
            if (strcmp(l->addresses[j], addr) == 0) {
                err_at(ctx, item, "address '%s' is listed twice", addr);
                free(addr);
                addr = NULL;
                break;
            }
        }
        if (addr != NULL)
            l->addresses[l->n_addresses++] = addr;
    }
}

/* Parses "N" or "A-B" (strict decimal); returns false when malformed. */
static bool
parse_port_item(const char *s, long *lo, long *hi)
{
    char *end = NULL;
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    *lo = strtol(s, &end, 10);
    if (errno != 0)
        return false;
    if (*end == '\0') {
        *hi = *lo;
        return true;
    }
    if (*end != '-' || end[1] < '0' || end[1] > '9')
        return false;
    s = end + 1;
    *hi = strtol(s, &end, 10);
    return errno == 0 && *end == '\0';
}

static void
read_ports(load_ctx_t *ctx, const kgw_config_node_t *map, kgw_config_listener_t *l)
{
    const kgw_config_node_t *n = get(ctx, map, "ports", true);
    const kgw_config_node_t *items;
    size_t n_items, total = 0;
    uint8_t *seen;
    if (n == NULL)
        return;
    if (n->type == KGW_CONFIG_NODE_SCALAR) { /* ports: 9092 or ports: "9092-9095" */
        items = n;
        n_items = 1;
    } else if ((n = get_list(ctx, map, "ports", true)) != NULL) {
        items = n->children;
        n_items = n->n_children;
    } else {
        return;
    }
    seen = alloc_array(ctx, 65536, 1);
    if (seen == NULL)
        return;
    /* First pass validates and counts; second pass fills. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n_items; i++) {
            const kgw_config_node_t *item = &items[i];
            long lo, hi;
            char g[96];
            if (item->failed)
                continue;
            if (item->type != KGW_CONFIG_NODE_SCALAR || !parse_port_item(item->value, &lo, &hi)) {
                if (pass == 0) {
                    got(item, g, sizeof(g));
                    err_at(ctx, item, "expected a port or a range \"first-last\", got %s", g);
                }
                continue;
            }
            if (lo < 1 || lo > 65535 || hi < 1 || hi > 65535) {
                if (pass == 0)
                    err_at(ctx, item, "port %s is out of range (expected 1..65535)", item->value);
                continue;
            }
            if (lo > hi) {
                if (pass == 0)
                    err_at(ctx, item,
                           "range \"%s\" is empty (expected first <= last, e.g. \"%ld-%ld\")",
                           item->value, hi, lo);
                continue;
            }
            long first_dup = 0, n_dup = 0;
            for (long p = lo; p <= hi; p++) {
                if (pass == 0) {
                    if (seen[p] != 0 && n_dup++ == 0)
                        first_dup = p;
                    else if (seen[p] == 0)
                        total++;
                    seen[p] = 1;
                } else if (seen[p] != 0) {
                    l->ports[l->n_ports++] = (uint16_t)p;
                    seen[p] = 0; /* keep the first occurrence only */
                }
            }
            if (n_dup == 1)
                err_at(ctx, item, "port %ld is listed more than once in this listener", first_dup);
            else if (n_dup > 1)
                err_at(ctx, item,
                       "ports %ld and %ld more in this range are listed more than once in this "
                       "listener",
                       first_dup, n_dup - 1);
        }
        if (pass == 0) {
            if (total == 0)
                break;
            l->ports = alloc_array(ctx, total, sizeof(*l->ports));
            if (l->ports == NULL)
                break;
        }
    }
    free(seen);
}

static void
read_listener_tls(load_ctx_t *ctx, const kgw_config_node_t *map, kgw_config_listener_tls_t *tls)
{
    const kgw_config_node_t *n = get(ctx, map, "tls", false);
    int v = 0;
    if (n == NULL || !expect_map(ctx, n, "listener TLS settings"))
        return;
    check_keys(ctx, n, LISTENER_TLS_KEYS, NULL);
    tls->enabled = true;
    tls->line = n->line;
    read_path(ctx, n, "certificate_file", true, true, &tls->certificate_file);
    read_path(ctx, n, "key_file", true, true, &tls->key_file);
    if (read_enum(ctx, n, "min_version", false, kgw__config_tls_versions, 0, &v))
        tls->min_version = (kgw_config_tls_version_t)v;
    const kgw_config_node_t *ca = get(ctx, n, "client_authentication", false);
    if (ca == NULL || !expect_map(ctx, ca, "client_authentication: {mode, ca_file}"))
        return;
    check_keys(ctx, ca, CLIENT_AUTHN_KEYS, NULL);
    tls->client_auth_mode = KGW_CONFIG_CLIENT_CERT_REQUIRED;
    v = 1;
    if (read_enum(ctx, ca, "mode", false, kgw__config_client_cert_modes, 1, &v))
        tls->client_auth_mode = (kgw_config_client_cert_mode_t)v;
    read_path(ctx, ca, "ca_file", true, true, &tls->client_ca_file);
}

static void
read_forward(load_ctx_t *ctx, const kgw_config_node_t *map, kgw_config_forward_t *f)
{
    int v = 0;
    int64_t i64;
    f->line = map->line;
    f->virtual_cluster_index = SIZE_MAX;
    if (!expect_map(ctx, map, "a forward rule"))
        return;
    if (!read_enum(ctx, map, "type", true, kgw__config_forward_types, 0, &v))
        return;
    f->type = (kgw_config_forward_type_t)v;
    check_keys(ctx, map, f->type == KGW_CONFIG_FORWARD_SNI ? SNI_KEYS : PORT_MAPPING_KEYS,
               f->type == KGW_CONFIG_FORWARD_SNI ? "for type sni" : "for type port_mapping");
    read_str(ctx, map, "virtual_cluster", true, &f->virtual_cluster_name);
    if (f->type == KGW_CONFIG_FORWARD_PORT_MAPPING) {
        if (read_str(ctx, map, "advertised_host", true, &f->advertised_host)) {
            const char *h = f->advertised_host;
            if (!is_hostname(h) && !is_ip_literal(h, AF_INET) && !is_ip_literal(h, AF_INET6))
                err_at(ctx, kgw_config_node_get(map, "advertised_host"),
                       "expected a host name or IP address, got \"%s\"", h);
        }
        v = 0;
        if (read_enum(ctx, map, "bootstrap_port", false, kgw__config_bootstrap_ports, 0, &v))
            f->bootstrap_port = (kgw_config_bootstrap_port_t)v;
        i64 = 0;
        if (read_int(ctx, map, "min_broker_id", false, 0, INT32_MAX, &i64))
            f->min_broker_id = (int32_t)i64;
    } else {
        if (read_str(ctx, map, "sni_suffix", true, &f->sni_suffix)) {
            for (char *p = f->sni_suffix; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p - 'A' + 'a');
            if (f->sni_suffix[0] != '.' || !is_hostname(f->sni_suffix + 1))
                err_at(ctx, kgw_config_node_get(map, "sni_suffix"),
                       "expected a domain starting with '.', e.g. \".gw.example.com\", got "
                       "\"%s\"",
                       kgw_config_node_get(map, "sni_suffix")->value);
        }
        i64 = 0;
        if (read_int(ctx, map, "advertised_port", false, 0, 65535, &i64))
            f->advertised_port = (uint16_t)i64;
        v = 0;
        if (read_enum(ctx, map, "broker_host_format", false, kgw__config_broker_host_formats, 0,
                      &v))
            f->broker_host_format = (kgw_config_broker_host_format_t)v;
    }
}

static void
read_listener(load_ctx_t *ctx, const kgw_config_node_t *map, kgw_config_listener_t *l)
{
    l->line = map->line;
    if (!expect_map(ctx, map, "a listener"))
        return;
    check_keys(ctx, map, LISTENER_KEYS, NULL);
    read_str(ctx, map, "name", true, &l->name);
    read_addresses(ctx, map, l);
    read_ports(ctx, map, l);
    read_listener_tls(ctx, map, &l->tls);
    const kgw_config_node_t *list = get_list(ctx, map, "forward", true);
    if (list == NULL)
        return;
    l->forward = alloc_array(ctx, list->n_children, sizeof(*l->forward));
    if (l->forward == NULL)
        return;
    l->n_forward = list->n_children;
    for (size_t i = 0; i < list->n_children; i++)
        read_forward(ctx, &list->children[i], &l->forward[i]);
}

/* ---- sections and cross-checks -------------------------------------------- */

/* Reads a required top-level list of maps with `reader`, into a calloc'd array. */
#define READ_SECTION(ctx, root, key, arr, count, reader)                                           \
    do {                                                                                           \
        const kgw_config_node_t *list_ = get_list((ctx), (root), (key), true);                     \
        if (list_ == NULL)                                                                         \
            break;                                                                                 \
        (arr) = alloc_array((ctx), list_->n_children, sizeof(*(arr)));                             \
        if ((arr) == NULL)                                                                         \
            break;                                                                                 \
        (count) = list_->n_children;                                                               \
        for (size_t i_ = 0; i_ < list_->n_children; i_++)                                          \
            reader((ctx), &list_->children[i_], &(arr)[i_]);                                       \
    } while (0)

/* Reports a name used twice within `list` (a top-level section). */
static void
check_unique_names(load_ctx_t *ctx, const kgw_config_node_t *root, const char *section,
                   const char *what, char *(*name_at)(const kgw_config_t *, size_t), size_t count)
{
    const kgw_config_node_t *list = kgw_config_node_get(root, section);
    for (size_t i = 0; i < count; i++) {
        const char *a = name_at(ctx->cfg, i);
        for (size_t j = 0; a != NULL && j < i; j++) {
            const char *b = name_at(ctx->cfg, j);
            if (b != NULL && strcmp(a, b) == 0) {
                const kgw_config_node_t *item = &list->children[i];
                const kgw_config_node_t *nm = kgw_config_node_get(item, "name");
                err_at(ctx, nm ? nm : item,
                       "duplicate %s name '%s' (first used by %s[%zu] at line %u)", what, a,
                       section, j, list->children[j].line);
                break;
            }
        }
    }
}

static char *
backend_name_at(const kgw_config_t *cfg, size_t i)
{
    return cfg->backend_clusters[i].name;
}

static char *
vc_name_at(const kgw_config_t *cfg, size_t i)
{
    return cfg->virtual_clusters[i].name;
}

static char *
listener_name_at(const kgw_config_t *cfg, size_t i)
{
    return cfg->listeners[i].name;
}

/* "a, b, c" of the names of a section, in a new string (NULL on OOM). */
static char *
known_names(load_ctx_t *ctx, char *(*name_at)(const kgw_config_t *, size_t), size_t count)
{
    size_t len = 1;
    for (size_t i = 0; i < count; i++)
        len += (name_at(ctx->cfg, i) ? strlen(name_at(ctx->cfg, i)) : 0) + 2;
    char *s = malloc(len);
    if (s == NULL) {
        ctx->oom = true;
        return NULL;
    }
    s[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        bool seen = false;
        if (name_at(ctx->cfg, i) == NULL)
            continue;
        for (size_t j = 0; j < i && !seen; j++)
            seen = name_at(ctx->cfg, j) && strcmp(name_at(ctx->cfg, j), name_at(ctx->cfg, i)) == 0;
        if (seen)
            continue;
        if (s[0] != '\0')
            strcat(s, ", ");
        strcat(s, name_at(ctx->cfg, i));
    }
    return s;
}

static void
resolve_destinations(load_ctx_t *ctx, const kgw_config_node_t *root)
{
    kgw_config_t *cfg = ctx->cfg;
    const kgw_config_node_t *list = kgw_config_node_get(root, "virtual_clusters");
    for (size_t i = 0; i < cfg->n_virtual_clusters; i++) {
        kgw_config_virtual_cluster_t *vc = &cfg->virtual_clusters[i];
        if (vc->destination_name == NULL)
            continue;
        for (size_t j = 0; j < cfg->n_backend_clusters; j++) {
            const char *n = cfg->backend_clusters[j].name;
            if (n != NULL && strcmp(n, vc->destination_name) == 0) {
                vc->destination_index = j;
                vc->destination = &cfg->backend_clusters[j];
                break;
            }
        }
        if (vc->destination == NULL) {
            char *known = known_names(ctx, backend_name_at, cfg->n_backend_clusters);
            err_at(ctx, kgw_config_node_get(&list->children[i], "destination"),
                   "unknown backend cluster '%s' (known: %s)", vc->destination_name,
                   known && known[0] ? known : "none");
            free(known);
        }
    }
}

static bool
addresses_overlap(const char *a, const char *b)
{
    if (strcmp(a, b) == 0 || strcmp(a, "::") == 0 || strcmp(b, "::") == 0)
        return true;
    /* 0.0.0.0 takes the port on every IPv4 address (and host names resolve to some). */
    return (strcmp(a, "0.0.0.0") == 0 && !is_ip_literal(b, AF_INET6)) ||
           (strcmp(b, "0.0.0.0") == 0 && !is_ip_literal(a, AF_INET6));
}

/* The first port of `l` that `o` also has; 0 when none, -1 when out of memory. */
static int
common_port(load_ctx_t *ctx, const kgw_config_listener_t *l, const kgw_config_listener_t *o)
{
    uint8_t *in_o = alloc_array(ctx, 65536, 1);
    int found = 0;
    if (in_o == NULL)
        return -1;
    for (size_t q = 0; q < o->n_ports; q++)
        in_o[o->ports[q]] = 1;
    for (size_t p = 0; p < l->n_ports && found == 0; p++)
        if (in_o[l->ports[p]])
            found = l->ports[p];
    free(in_o);
    return found;
}

static void
check_listeners(load_ctx_t *ctx, const kgw_config_node_t *root)
{
    kgw_config_t *cfg = ctx->cfg;
    const kgw_config_node_t *list = kgw_config_node_get(root, "listeners");
    for (size_t i = 0; i < cfg->n_listeners; i++) {
        kgw_config_listener_t *l = &cfg->listeners[i];
        const kgw_config_node_t *lmap = &list->children[i];
        const kgw_config_node_t *fwd = kgw_config_node_get(lmap, "forward");
        size_t first_pm = SIZE_MAX;
        for (size_t k = 0; k < l->n_forward; k++) {
            kgw_config_forward_t *f = &l->forward[k];
            const kgw_config_node_t *fmap = &fwd->children[k];
            if (f->virtual_cluster_name != NULL) {
                for (size_t j = 0; j < cfg->n_virtual_clusters; j++) {
                    const char *n = cfg->virtual_clusters[j].name;
                    if (n != NULL && strcmp(n, f->virtual_cluster_name) == 0) {
                        f->virtual_cluster_index = j;
                        f->virtual_cluster = &cfg->virtual_clusters[j];
                        break;
                    }
                }
                if (f->virtual_cluster == NULL) {
                    char *known = known_names(ctx, vc_name_at, cfg->n_virtual_clusters);
                    err_at(ctx, kgw_config_node_get(fmap, "virtual_cluster"),
                           "unknown virtual cluster '%s' (known: %s)", f->virtual_cluster_name,
                           known && known[0] ? known : "none");
                    free(known);
                }
            }
            if (kgw_config_node_get(fmap, "type") == NULL || fmap->type != KGW_CONFIG_NODE_MAP)
                continue;
            if (f->type == KGW_CONFIG_FORWARD_PORT_MAPPING) {
                if (first_pm != SIZE_MAX) {
                    err_at(ctx, fmap,
                           "a second port_mapping rule (the first is forward[%zu] at line %u; at "
                           "most one per listener)",
                           first_pm, fwd->children[first_pm].line);
                    continue;
                }
                first_pm = k;
                if (f->bootstrap_port == KGW_CONFIG_BOOTSTRAP_AT_START && l->ports != NULL &&
                    l->n_ports < 2)
                    err_at(ctx, fmap,
                           "bootstrap_port: at_start needs at least 2 ports on listener '%s' "
                           "(one bootstrap port and one per broker), it has %zu",
                           l->name ? l->name : "?", l->n_ports);
            } else {
                if (!l->tls.enabled)
                    err_at(ctx, fmap,
                           "type sni needs TLS on listener '%s' (add a tls: section with "
                           "certificate_file and key_file)",
                           l->name ? l->name : "?");
                const kgw_config_virtual_cluster_t *vc = f->virtual_cluster;
                if (vc != NULL && vc->dns_label != NULL && !is_dns_label(vc->dns_label) &&
                    kgw_config_node_get(&kgw_config_node_get(root, "virtual_clusters")
                                             ->children[f->virtual_cluster_index],
                                        "dns_label") == NULL)
                    err_at(ctx, kgw_config_node_get(fmap, "virtual_cluster"),
                           "virtual cluster '%s' is used with SNI but its name is not a DNS "
                           "label (set dns_label: 1-63 of a-z, 0-9 and '-')",
                           vc->name);
                /* Same suffix and label as an earlier rule: this one could never match. */
                for (size_t j = 0; vc != NULL && f->sni_suffix != NULL && j < k; j++) {
                    const kgw_config_forward_t *e = &l->forward[j];
                    if (e->type != KGW_CONFIG_FORWARD_SNI || e->virtual_cluster == NULL ||
                        e->sni_suffix == NULL || strcmp(e->sni_suffix, f->sni_suffix) != 0 ||
                        e->virtual_cluster->dns_label == NULL || vc->dns_label == NULL ||
                        strcmp(e->virtual_cluster->dns_label, vc->dns_label) != 0)
                        continue;
                    err_at(ctx, fmap,
                           "SNI host names of this rule (dns_label '%s', suffix '%s') are the "
                           "same as forward[%zu] at line %u, so it would never match (give each "
                           "virtual cluster its own dns_label)",
                           vc->dns_label, f->sni_suffix, j, fwd->children[j].line);
                    break;
                }
            }
        }
        /* No port used twice on overlapping addresses (one error per pair of listeners). */
        for (size_t j = 0; j < i; j++) {
            const kgw_config_listener_t *o = &cfg->listeners[j];
            bool reported = false;
            for (size_t a = 0; a < l->n_addresses && !reported; a++) {
                for (size_t b = 0; b < o->n_addresses && !reported; b++) {
                    if (!addresses_overlap(l->addresses[a], o->addresses[b]))
                        continue;
                    int port = common_port(ctx, l, o);
                    if (port <= 0)
                        break; /* the same ports on every address: no need to look again */
                    err_at(ctx, kgw_config_node_get(lmap, "ports"),
                           "port %d on address '%s' is also used by listener '%s' "
                           "(listeners[%zu] at line %u, address '%s')",
                           port, l->addresses[a], o->name ? o->name : "?", j,
                           list->children[j].line, o->addresses[b]);
                    reported = true;
                }
            }
        }
        if (cfg->admin_enabled) {
            for (size_t a = 0; a < l->n_addresses; a++) {
                bool hit = false;
                for (size_t p = 0; p < l->n_ports && !hit; p++)
                    hit = l->ports[p] == cfg->admin_port &&
                          addresses_overlap(l->addresses[a], cfg->admin_host);
                if (hit) {
                    err_at(ctx, kgw_config_node_get(lmap, "ports"),
                           "port %u on address '%s' is also admin.listen", cfg->admin_port,
                           l->addresses[a]);
                    break;
                }
            }
        }
    }
}

static void
read_config(load_ctx_t *ctx, const kgw_config_node_t *root)
{
    kgw_config_t *cfg = ctx->cfg;
    if (root->type != KGW_CONFIG_NODE_MAP) {
        char g[96];
        got(root, g, sizeof(g));
        ctx->n_errors++;
        kgw__config_error(ctx->errs, cfg->path, root->line, 0, NULL,
                          "expected a mapping at the top level (with backend_clusters, "
                          "virtual_clusters and listeners), got %s",
                          g);
        return;
    }
    check_keys(ctx, root, ROOT_KEYS, NULL);
    read_globals(ctx, root);
    READ_SECTION(ctx, root, "backend_clusters", cfg->backend_clusters, cfg->n_backend_clusters,
                 read_backend_cluster);
    READ_SECTION(ctx, root, "virtual_clusters", cfg->virtual_clusters, cfg->n_virtual_clusters,
                 read_virtual_cluster);
    READ_SECTION(ctx, root, "listeners", cfg->listeners, cfg->n_listeners, read_listener);
    check_unique_names(ctx, root, "backend_clusters", "backend cluster", backend_name_at,
                       cfg->n_backend_clusters);
    check_unique_names(ctx, root, "virtual_clusters", "virtual cluster", vc_name_at,
                       cfg->n_virtual_clusters);
    check_unique_names(ctx, root, "listeners", "listener", listener_name_at, cfg->n_listeners);
    resolve_destinations(ctx, root);
    check_listeners(ctx, root);
}

/* ---- public API ------------------------------------------------------------ */

/* Orders the errors from `first` on by line (stable): the order a reader fixes them in. */
static void
sort_errors(kgw_config_errors_t *errs, size_t first)
{
    if (errs == NULL)
        return;
    for (size_t i = first + 1; i < errs->count; i++) {
        kgw_config_error_t e = errs->items[i];
        size_t j = i;
        while (j > first && errs->items[j - 1].line > e.line) {
            errs->items[j] = errs->items[j - 1];
            j--;
        }
        errs->items[j] = e;
    }
}

int
kgw_config_load(const char *path, kgw_config_t **out, kgw_config_errors_t *errs)
{
    kgw_config_t *cfg;
    load_ctx_t ctx = {.errs = errs};
    size_t first_error;
    int yrc;

    *out = NULL;
    cfg = calloc(1, sizeof(*cfg));
    if (cfg == NULL || (cfg->path = strdup(path)) == NULL) {
        free(cfg);
        kgw__config_error(errs, path, 0, 0, NULL, "out of memory");
        return -1;
    }
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        cfg->dir = strdup(".");
    else if (slash == path)
        cfg->dir = strdup("/");
    else
        cfg->dir = strndup(path, (size_t)(slash - path));
    if (cfg->dir == NULL) {
        kgw__config_error(errs, path, 0, 0, NULL, "out of memory");
        kgw_config_free(cfg);
        return -1;
    }
    cfg->workers = default_workers();
    cfg->log_level = KGW_CONFIG_LOG_INFO;
    cfg->log_format = KGW_CONFIG_LOG_TEXT;
    ctx.cfg = cfg;

    first_error = errs != NULL ? errs->count : 0;
    yrc = kgw__config_yaml_load(path, cfg->path, &cfg->root, errs);
    if (cfg->root == NULL) {
        kgw_config_free(cfg);
        return -1;
    }
    read_config(&ctx, cfg->root);
    if (ctx.oom)
        kgw__config_error(errs, path, 0, 0, NULL, "out of memory while reading the file");
    if (yrc != 0 || ctx.n_errors != 0 || ctx.oom) {
        sort_errors(errs, first_error);
        kgw_config_free(cfg);
        return -1;
    }
    *out = cfg;
    return 0;
}

static void
free_policies(kgw_config_policy_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(p[i].plugin);
        free(p[i].name);
    }
    free(p);
}

static void
free_secret(char *s)
{
    if (s == NULL)
        return;
    explicit_bzero(s, strlen(s));
    free(s);
}

void
kgw_config_free(kgw_config_t *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; cfg->backend_clusters && i < cfg->n_backend_clusters; i++) {
        kgw_config_backend_cluster_t *b = &cfg->backend_clusters[i];
        free(b->name);
        for (size_t j = 0; j < b->n_bootstrap_servers; j++)
            free(b->bootstrap_servers[j].host);
        free(b->bootstrap_servers);
        free(b->tls.ca_file);
        free(b->tls.client_certificate_file);
        free(b->tls.client_key_file);
        free(b->authentication.username);
        free_secret(b->authentication.password);
    }
    free(cfg->backend_clusters);
    for (size_t i = 0; cfg->virtual_clusters && i < cfg->n_virtual_clusters; i++) {
        kgw_config_virtual_cluster_t *v = &cfg->virtual_clusters[i];
        free(v->name);
        free(v->destination_name);
        free(v->dns_label);
        for (size_t j = 0; v->authentication && j < v->n_authentication; j++) {
            kgw_config_client_auth_t *a = &v->authentication[j];
            for (size_t k = 0; a->principals && k < a->n_principals; k++) {
                free(a->principals[k].username);
                free_secret(a->principals[k].password);
            }
            free(a->principals);
            free(a->jwks_file);
            free(a->issuer);
            for (size_t k = 0; k < a->n_audiences; k++)
                free(a->audiences[k]);
            free(a->audiences);
            free(a->principal_claim);
        }
        free(v->authentication);
        free(v->namespace_.prefix);
        free_policies(v->cluster_policies, v->n_cluster_policies);
        free_policies(v->produce_policies, v->n_produce_policies);
        free_policies(v->consume_policies, v->n_consume_policies);
    }
    free(cfg->virtual_clusters);
    for (size_t i = 0; cfg->listeners && i < cfg->n_listeners; i++) {
        kgw_config_listener_t *l = &cfg->listeners[i];
        free(l->name);
        for (size_t j = 0; j < l->n_addresses; j++)
            free(l->addresses[j]);
        free(l->addresses);
        free(l->ports);
        free(l->tls.certificate_file);
        free(l->tls.key_file);
        free(l->tls.client_ca_file);
        for (size_t j = 0; l->forward && j < l->n_forward; j++) {
            free(l->forward[j].virtual_cluster_name);
            free(l->forward[j].advertised_host);
            free(l->forward[j].sni_suffix);
        }
        free(l->forward);
    }
    free(cfg->listeners);
    free(cfg->admin_host);
    free(cfg->plugins_dir);
    free(cfg->dir);
    free(cfg->path);
    kgw_config_node_free(cfg->root);
    free(cfg);
}

const kgw_config_backend_cluster_t *
kgw_config_find_backend_cluster(const kgw_config_t *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_backend_clusters; i++)
        if (strcmp(cfg->backend_clusters[i].name, name) == 0)
            return &cfg->backend_clusters[i];
    return NULL;
}

const kgw_config_virtual_cluster_t *
kgw_config_find_virtual_cluster(const kgw_config_t *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_virtual_clusters; i++)
        if (strcmp(cfg->virtual_clusters[i].name, name) == 0)
            return &cfg->virtual_clusters[i];
    return NULL;
}
