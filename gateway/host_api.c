/*
 * The host function table for plugins: logging, counters, config access and
 * scratch memory. The message accessors are placeholders returning
 * KGW_ERR_UNSUPPORTED until the session data path hands plugins messages.
 */
#include "host_api.h"

#include <ctype.h>
#include <errno.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static kgw_host_ctx_t *
ctx_of(const kgw_host_t *host)
{
    /* The table is the first member of its context (see host_api.h). */
    return (kgw_host_ctx_t *)(void *)host;
}

static const kgw_config_node_t *
node_of(const kgw_plugin_config_t *node)
{
    return (const kgw_config_node_t *)(const void *)node;
}

const kgw_plugin_config_t *
kgw_host_config(const kgw_config_node_t *node)
{
    return (const kgw_plugin_config_t *)(const void *)node;
}

const kgw_host_t *
kgw_host_ctx_table(const kgw_host_ctx_t *ctx)
{
    return &ctx->table;
}

/* ---- Logging ------------------------------------------------------------ */

static void
host_log(const kgw_host_t *host, int level, const char *fmt, ...)
{
    kgw_log_level_t lvl;
    switch (level) {
    case KGW_PLUGIN_LOG_WARN:
        lvl = KGW_LOG_WARN;
        break;
    case KGW_PLUGIN_LOG_INFO:
        lvl = KGW_LOG_INFO;
        break;
    case KGW_PLUGIN_LOG_DEBUG:
        lvl = KGW_LOG_DEBUG;
        break;
    default:
        lvl = KGW_LOG_ERROR;
        break;
    }
    if (!kgw_log_enabled(lvl))
        return;
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt != NULL ? fmt : "(null format)", ap);
    va_end(ap);
    if (n < 0)
        snprintf(msg, sizeof msg, "(unformattable message %s)", fmt);
    const char *prefix = host != NULL ? ctx_of(host)->log_prefix : "plugin";
    kgw_log(lvl, "%s: %s", prefix, msg);
}

/* ---- Counters ----------------------------------------------------------- */

static bool
counter_name_valid(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > 64 || len < 6 || strcmp(name + len - 6, "_total") != 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!(islower(c) || isdigit(c) || c == '_'))
            return false;
    }
    return true;
}

static int
host_counter_register(const kgw_host_t *host, const char *name, const char *help)
{
    kgw_host_ctx_t *ctx = ctx_of(host);
    if (!ctx->in_create) {
        host_log(host, KGW_PLUGIN_LOG_ERROR, "counter_register(\"%s\") called outside create",
                 name != NULL ? name : "(null)");
        return KGW_ERR_INVALID;
    }
    if (name == NULL || !counter_name_valid(name)) {
        host_log(host, KGW_PLUGIN_LOG_ERROR,
                 "counter_register: name \"%s\" must be [a-z0-9_]{1,64} ending in _total",
                 name != NULL ? name : "(null)");
        return KGW_ERR_INVALID;
    }
    if (help == NULL || help[0] == '\0' || strchr(help, '\n') != NULL) {
        host_log(host, KGW_PLUGIN_LOG_ERROR, "counter_register(\"%s\"): help must be one line",
                 name);
        return KGW_ERR_INVALID;
    }
    if (ctx->n_counters == KGW_HOST_MAX_COUNTERS) {
        host_log(host, KGW_PLUGIN_LOG_ERROR,
                 "counter_register(\"%s\"): at most %d counters per instance", name,
                 KGW_HOST_MAX_COUNTERS);
        return KGW_ERR_INVALID;
    }
    char metric[160];
    int n = snprintf(metric, sizeof metric, "kgw_plugin_%s_%s", ctx->plugin, name);
    if (n < 0 || (size_t)n >= sizeof metric)
        return KGW_ERR_INVALID;
    for (char *p = metric; *p != '\0'; p++) {
        if (*p == '-')
            *p = '_'; /* plugin names allow '-', metric names do not */
    }
    char labels[512];
    if (kgw_metrics_labels(labels, sizeof labels, "virtual_cluster", ctx->virtual_cluster, "policy",
                           ctx->policy, NULL) != 0) {
        host_log(host, KGW_PLUGIN_LOG_ERROR, "counter_register(\"%s\"): %s", name,
                 kgw_metrics_error());
        return KGW_ERR_INVALID;
    }
    kgw_counter_t *c = kgw_metrics_registry_counter(ctx->metrics, metric, help, labels);
    if (c == NULL) {
        host_log(host, KGW_PLUGIN_LOG_ERROR, "counter_register(\"%s\"): %s", name,
                 kgw_metrics_error());
        return KGW_ERR_INVALID;
    }
    ctx->counters[ctx->n_counters] = c;
    return (int)ctx->n_counters++;
}

static int
host_counter_add(const kgw_host_t *host, int id, uint64_t n)
{
    kgw_host_ctx_t *ctx = ctx_of(host);
    if (id < 0 || (size_t)id >= ctx->n_counters)
        return KGW_ERR_INVALID;
    kgw_counter_add(ctx->counters[id], n);
    return KGW_OK;
}

/* ---- Configuration ------------------------------------------------------ */

static const kgw_plugin_config_t *
host_config_get(const kgw_host_t *host, const kgw_plugin_config_t *node, const char *key)
{
    (void)host;
    if (key == NULL)
        return NULL;
    return kgw_host_config(kgw_config_node_get(node_of(node), key));
}

static int
host_config_type(const kgw_host_t *host, const kgw_plugin_config_t *node)
{
    (void)host;
    const kgw_config_node_t *n = node_of(node);
    if (n == NULL)
        return KGW_ERR_INVALID;
    switch (n->type) {
    case KGW_CONFIG_NODE_NULL:
        return KGW_PLUGIN_CONFIG_NULL;
    case KGW_CONFIG_NODE_SCALAR:
        return KGW_PLUGIN_CONFIG_SCALAR;
    case KGW_CONFIG_NODE_MAP:
        return KGW_PLUGIN_CONFIG_MAP;
    case KGW_CONFIG_NODE_SEQ:
        return KGW_PLUGIN_CONFIG_LIST;
    }
    return KGW_ERR_INVALID;
}

/* The scalar `key` of map `node` (or `node` itself when key is NULL). */
static int
config_scalar(const kgw_plugin_config_t *node, const char *key, const kgw_config_node_t **out)
{
    const kgw_config_node_t *n = node_of(node);
    if (n == NULL)
        return KGW_ERR_NOT_FOUND; /* no `config:` at all: every key is absent */
    if (key != NULL) {
        if (n->type != KGW_CONFIG_NODE_MAP)
            return KGW_ERR_TYPE;
        n = kgw_config_node_get(n, key);
        if (n == NULL)
            return KGW_ERR_NOT_FOUND;
    }
    if (n->failed)
        return KGW_ERR_INVALID; /* the loader already reported the bad ${env:} */
    if (n->type != KGW_CONFIG_NODE_SCALAR)
        return KGW_ERR_TYPE;
    *out = n;
    return KGW_OK;
}

static int
host_config_get_string(const kgw_host_t *host, const kgw_plugin_config_t *node, const char *key,
                       const char **out)
{
    (void)host;
    const kgw_config_node_t *n;
    if (out == NULL)
        return KGW_ERR_INVALID;
    int rc = config_scalar(node, key, &n);
    if (rc != KGW_OK)
        return rc;
    *out = n->value;
    return KGW_OK;
}

static int
host_config_get_int(const kgw_host_t *host, const kgw_plugin_config_t *node, const char *key,
                    int64_t *out)
{
    (void)host;
    const kgw_config_node_t *n;
    if (out == NULL)
        return KGW_ERR_INVALID;
    int rc = config_scalar(node, key, &n);
    if (rc != KGW_OK)
        return rc;
    const char *s = n->value;
    if (n->quoted || s[0] == '\0' || isspace((unsigned char)s[0]))
        return KGW_ERR_TYPE;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end != '\0')
        return KGW_ERR_TYPE;
    if (errno == ERANGE)
        return KGW_ERR_RANGE;
    *out = (int64_t)v;
    return KGW_OK;
}

static int
host_config_get_bool(const kgw_host_t *host, const kgw_plugin_config_t *node, const char *key,
                     int *out)
{
    (void)host;
    const kgw_config_node_t *n;
    if (out == NULL)
        return KGW_ERR_INVALID;
    int rc = config_scalar(node, key, &n);
    if (rc != KGW_OK)
        return rc;
    if (!n->quoted && strcasecmp(n->value, "true") == 0)
        *out = 1;
    else if (!n->quoted && strcasecmp(n->value, "false") == 0)
        *out = 0;
    else
        return KGW_ERR_TYPE;
    return KGW_OK;
}

static int
host_config_count(const kgw_host_t *host, const kgw_plugin_config_t *node)
{
    (void)host;
    const kgw_config_node_t *n = node_of(node);
    if (n == NULL)
        return KGW_ERR_INVALID;
    if (n->type != KGW_CONFIG_NODE_MAP && n->type != KGW_CONFIG_NODE_SEQ)
        return KGW_ERR_TYPE;
    return n->n_children > (size_t)INT32_MAX ? KGW_ERR_RANGE : (int)n->n_children;
}

static const kgw_plugin_config_t *
host_config_at(const kgw_host_t *host, const kgw_plugin_config_t *node, size_t index)
{
    (void)host;
    const kgw_config_node_t *n = node_of(node);
    if (n == NULL || (n->type != KGW_CONFIG_NODE_MAP && n->type != KGW_CONFIG_NODE_SEQ) ||
        index >= n->n_children)
        return NULL;
    return kgw_host_config(&n->children[index]);
}

static const char *
host_config_key(const kgw_host_t *host, const kgw_plugin_config_t *node)
{
    (void)host;
    const kgw_config_node_t *n = node_of(node);
    return n != NULL ? n->key : NULL;
}

static int
host_config_where(const kgw_host_t *host, const kgw_plugin_config_t *node, char *buf, size_t len)
{
    (void)host;
    const kgw_config_node_t *n = node_of(node);
    if (buf == NULL || len == 0)
        return KGW_ERR_INVALID;
    if (n == NULL) {
        buf[0] = '\0';
        return KGW_ERR_INVALID;
    }
    snprintf(buf, len, "%s:%u: %s", n->file != NULL ? n->file : "(config)", n->line,
             n->path != NULL ? n->path : "");
    return KGW_OK;
}

/* ---- Scratch memory ----------------------------------------------------- */

typedef struct scratch_block {
    struct scratch_block *next;
    size_t size;
    alignas(max_align_t) unsigned char data[];
} scratch_block_t;

static _Thread_local scratch_block_t *scratch_blocks;
static _Thread_local size_t scratch_used;

static void *
host_scratch_alloc(const kgw_host_t *host, size_t size)
{
    (void)host;
    if (size == 0 || size > KGW_HOST_SCRATCH_MAX - scratch_used)
        return NULL;
    /* One block per allocation: plugins allocate rarely and small, and the
     * whole list goes at once when the hook returns. */
    scratch_block_t *b = malloc(sizeof *b + size);
    if (b == NULL)
        return NULL;
    b->size = size;
    b->next = scratch_blocks;
    scratch_blocks = b;
    scratch_used += size;
    return b->data;
}

void
kgw_host_scratch_release(void)
{
    while (scratch_blocks != NULL) {
        scratch_block_t *next = scratch_blocks->next;
        free(scratch_blocks);
        scratch_blocks = next;
    }
    scratch_used = 0;
}

size_t
kgw_host_scratch_in_use(void)
{
    return scratch_used;
}

/* ---- Messages: not implemented in this host version --------------------- */

static int
msg_api_key(const kgw_host_t *host, const kgw_msg_t *msg)
{
    (void)host, (void)msg;
    return KGW_ERR_UNSUPPORTED;
}

static int
msg_api_version(const kgw_host_t *host, const kgw_msg_t *msg)
{
    (void)host, (void)msg;
    return KGW_ERR_UNSUPPORTED;
}

static int
msg_topic_count(const kgw_host_t *host, const kgw_msg_t *msg)
{
    (void)host, (void)msg;
    return KGW_ERR_UNSUPPORTED;
}

static int
msg_auth_type(const kgw_host_t *host, const kgw_msg_t *msg, const char **out)
{
    (void)host, (void)msg, (void)out;
    return KGW_ERR_UNSUPPORTED;
}

static int
record_value(const kgw_host_t *host, const kgw_msg_record_t *record, const void **data, size_t *len)
{
    (void)host, (void)record, (void)data, (void)len;
    return KGW_ERR_UNSUPPORTED;
}

static int
msg_principal(const kgw_host_t *host, const kgw_msg_t *msg, const char **out)
{
    (void)host, (void)msg, (void)out;
    return KGW_ERR_UNSUPPORTED;
}

static int
msg_topic_name(const kgw_host_t *host, const kgw_msg_t *msg, size_t index, const char **out)
{
    (void)host, (void)msg, (void)index, (void)out;
    return KGW_ERR_UNSUPPORTED;
}

static int
msg_topic_remove(const kgw_host_t *host, kgw_msg_t *msg, size_t index)
{
    (void)host, (void)msg, (void)index;
    return KGW_ERR_UNSUPPORTED;
}

static int
msg_topic_rename(const kgw_host_t *host, kgw_msg_t *msg, size_t index, const char *name)
{
    (void)host, (void)msg, (void)index, (void)name;
    return KGW_ERR_UNSUPPORTED;
}

static int
batch_record_count(const kgw_host_t *host, const kgw_msg_batch_t *batch)
{
    (void)host, (void)batch;
    return KGW_ERR_UNSUPPORTED;
}

static int
batch_record_at(const kgw_host_t *host, kgw_msg_batch_t *batch, size_t index,
                kgw_msg_record_t **out)
{
    (void)host, (void)batch, (void)index, (void)out;
    return KGW_ERR_UNSUPPORTED;
}

static int
record_key(const kgw_host_t *host, const kgw_msg_record_t *record, const void **data, size_t *len)
{
    (void)host, (void)record, (void)data, (void)len;
    return KGW_ERR_UNSUPPORTED;
}

static int
record_header_count(const kgw_host_t *host, const kgw_msg_record_t *record)
{
    (void)host, (void)record;
    return KGW_ERR_UNSUPPORTED;
}

static int
record_header_at(const kgw_host_t *host, const kgw_msg_record_t *record, size_t index,
                 const char **key, const void **value, size_t *value_len)
{
    (void)host, (void)record, (void)index, (void)key, (void)value, (void)value_len;
    return KGW_ERR_UNSUPPORTED;
}

static int
record_header_get(const kgw_host_t *host, const kgw_msg_record_t *record, const char *key,
                  const void **value, size_t *value_len)
{
    (void)host, (void)record, (void)key, (void)value, (void)value_len;
    return KGW_ERR_UNSUPPORTED;
}

static int
record_header_set(const kgw_host_t *host, kgw_msg_record_t *record, const char *key,
                  const void *value, size_t value_len)
{
    (void)host, (void)record, (void)key, (void)value, (void)value_len;
    return KGW_ERR_UNSUPPORTED;
}

static int
record_header_remove(const kgw_host_t *host, kgw_msg_record_t *record, const char *key)
{
    (void)host, (void)record, (void)key;
    return KGW_ERR_UNSUPPORTED;
}

static int
msg_respond_error(const kgw_host_t *host, kgw_msg_t *msg, int16_t error_code)
{
    (void)host, (void)msg, (void)error_code;
    return KGW_ERR_UNSUPPORTED;
}

static int
msg_drop(const kgw_host_t *host, kgw_msg_t *msg)
{
    (void)host, (void)msg;
    return KGW_ERR_UNSUPPORTED;
}

/* ---- Context ------------------------------------------------------------ */

static const kgw_host_t host_table_1_0 = {
    .size = (uint32_t)sizeof(kgw_host_t),
    .abi_major = KGW_ABI_MAJOR,
    .abi_minor = KGW_ABI_MINOR,
    .log = host_log,
    .counter_register = host_counter_register,
    .counter_add = host_counter_add,
    .config_get = host_config_get,
    .config_type = host_config_type,
    .config_get_string = host_config_get_string,
    .config_get_int = host_config_get_int,
    .config_get_bool = host_config_get_bool,
    .config_count = host_config_count,
    .config_at = host_config_at,
    .config_key = host_config_key,
    .config_where = host_config_where,
    .scratch_alloc = host_scratch_alloc,
    .msg_api_key = msg_api_key,
    .msg_api_version = msg_api_version,
    .msg_principal = msg_principal,
    .msg_auth_type = msg_auth_type,
    .msg_topic_count = msg_topic_count,
    .msg_topic_name = msg_topic_name,
    .msg_topic_remove = msg_topic_remove,
    .msg_topic_rename = msg_topic_rename,
    .batch_record_count = batch_record_count,
    .batch_record_at = batch_record_at,
    .record_key = record_key,
    .record_value = record_value,
    .record_header_count = record_header_count,
    .record_header_at = record_header_at,
    .record_header_get = record_header_get,
    .record_header_set = record_header_set,
    .record_header_remove = record_header_remove,
    .msg_respond_error = msg_respond_error,
    .msg_drop = msg_drop,
};

int
kgw_host_ctx_init(kgw_host_ctx_t *ctx, const char *plugin, const char *virtual_cluster,
                  const char *policy, kgw_metrics_registry_t *metrics, char *err, size_t errlen)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->table = host_table_1_0;
    ctx->metrics = metrics != NULL ? metrics : kgw_metrics_global();
    if (plugin == NULL)
        plugin = "";
    if (virtual_cluster == NULL)
        virtual_cluster = "";
    if (policy == NULL || policy[0] == '\0')
        policy = plugin;
    ctx->plugin = strdup(plugin);
    ctx->virtual_cluster = strdup(virtual_cluster);
    ctx->policy = strdup(policy);
    int n = strcmp(policy, plugin) == 0
                ? asprintf(&ctx->log_prefix, "%s/%s", plugin, virtual_cluster)
                : asprintf(&ctx->log_prefix, "%s[%s]/%s", plugin, policy, virtual_cluster);
    if (n < 0)
        ctx->log_prefix = NULL;
    if (ctx->plugin == NULL || ctx->virtual_cluster == NULL || ctx->policy == NULL ||
        ctx->log_prefix == NULL || ctx->metrics == NULL) {
        snprintf(err, errlen, "out of memory setting up plugin '%s' for virtual cluster '%s'",
                 plugin, virtual_cluster);
        kgw_host_ctx_clear(ctx);
        return -1;
    }
    return 0;
}

void
kgw_host_ctx_clear(kgw_host_ctx_t *ctx)
{
    if (ctx == NULL)
        return;
    free(ctx->plugin);
    free(ctx->virtual_cluster);
    free(ctx->policy);
    free(ctx->log_prefix);
    ctx->plugin = ctx->virtual_cluster = ctx->policy = ctx->log_prefix = NULL;
    ctx->n_counters = 0;
}
