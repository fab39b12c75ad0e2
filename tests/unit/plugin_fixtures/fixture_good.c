/*
 * A well-behaved fixture plugin, "fixture_good", driven by its config so the
 * loader tests can exercise the host API and every hook result:
 *   result:   continue | stop | error | bogus   what every hook returns
 *             (bogus: 7, which the host must turn into KGW_ERROR)
 *   refuse:   "text"    create refuses the config with this text
 *   greeting: "text"    logged at create
 *   limit:    integer   read with config_get_int
 *   enabled:  boolean   read with config_get_bool
 *   tags:     [strings] read with config_count / config_at
 * Any other key is refused, naming the key and where it is.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <kgw/kgw_plugin.h>

typedef struct fixture {
    const kgw_host_t *host;
    int result;
    int calls; /* counter id */
} fixture_t;

static int
create(const kgw_host_t *host, const kgw_plugin_config_t *config, void **instance, char *err,
       size_t err_len)
{
    static const char *const known[] = {"result", "refuse", "greeting", "limit", "enabled", "tags"};
    char where[256];
    const char *s;
    int n = config != NULL ? host->config_count(host, config) : 0;
    for (int i = 0; i < n; i++) {
        const kgw_plugin_config_t *entry = host->config_at(host, config, (size_t)i);
        const char *key = host->config_key(host, entry);
        size_t k = 0;
        while (k < sizeof known / sizeof known[0] && strcmp(known[k], key) != 0)
            k++;
        if (k == sizeof known / sizeof known[0]) {
            (void)host->config_where(host, entry, where, sizeof where);
            snprintf(err, err_len, "%s: unknown key '%s'", where, key);
            return KGW_ERR_INVALID;
        }
    }
    if (host->config_get_string(host, config, "refuse", &s) == KGW_OK) {
        snprintf(err, err_len, "refused on request: %s", s);
        return KGW_ERR_INVALID;
    }
    int result = KGW_CONTINUE;
    if (host->config_get_string(host, config, "result", &s) == KGW_OK) {
        if (strcmp(s, "continue") == 0)
            result = KGW_CONTINUE;
        else if (strcmp(s, "stop") == 0)
            result = KGW_STOP;
        else if (strcmp(s, "error") == 0)
            result = KGW_ERROR;
        else if (strcmp(s, "bogus") == 0)
            result = 7;
        else {
            snprintf(err, err_len, "result: '%s' is not continue, stop, error or bogus", s);
            return KGW_ERR_INVALID;
        }
    }
    int64_t limit = 0;
    int rc = host->config_get_int(host, config, "limit", &limit);
    if (rc != KGW_OK && rc != KGW_ERR_NOT_FOUND) {
        snprintf(err, err_len, "limit: not an integer (status %d)", rc);
        return rc;
    }
    int enabled = 1;
    rc = host->config_get_bool(host, config, "enabled", &enabled);
    if (rc != KGW_OK && rc != KGW_ERR_NOT_FOUND) {
        snprintf(err, err_len, "enabled: not a boolean (status %d)", rc);
        return rc;
    }
    const kgw_plugin_config_t *tags = host->config_get(host, config, "tags");
    if (tags != NULL && host->config_type(host, tags) != KGW_PLUGIN_CONFIG_LIST) {
        snprintf(err, err_len, "tags: expected a list");
        return KGW_ERR_TYPE;
    }
    int n_tags = tags != NULL ? host->config_count(host, tags) : 0;
    for (int i = 0; i < n_tags; i++) {
        if (host->config_get_string(host, host->config_at(host, tags, (size_t)i), NULL, &s) !=
            KGW_OK) {
            snprintf(err, err_len, "tags[%d]: expected a string", i);
            return KGW_ERR_TYPE;
        }
    }
    char *scratch = host->scratch_alloc(host, 32);
    if (scratch == NULL) {
        snprintf(err, err_len, "scratch_alloc(32) failed in create");
        return KGW_ERR_NO_MEMORY;
    }
    fixture_t *f = calloc(1, sizeof *f);
    if (f == NULL) {
        snprintf(err, err_len, "out of memory");
        return KGW_ERR_NO_MEMORY;
    }
    f->host = host;
    f->result = result;
    f->calls = host->counter_register(host, "calls_total", "Hook calls seen by the fixture.");
    if (f->calls < 0) {
        snprintf(err, err_len, "counter_register failed: %d", f->calls);
        free(f);
        return KGW_ERR_INVALID;
    }
    const char *greeting = "hello";
    (void)host->config_get_string(host, config, "greeting", &greeting);
    host->log(host, KGW_PLUGIN_LOG_INFO, "%s: limit=%lld enabled=%d tags=%d", greeting,
              (long long)limit, enabled, n_tags);
    *instance = f;
    return KGW_OK;
}

static void
destroy(void *instance)
{
    free(instance);
}

static kgw_plugin_result_t
hook(fixture_t *f)
{
    /* Scratch memory must be usable in every hook; the host frees it. */
    char *tmp = f->host->scratch_alloc(f->host, 128);
    if (tmp == NULL)
        return KGW_ERROR;
    memset(tmp, 'x', 128);
    (void)f->host->counter_add(f->host, f->calls, 1);
    return (kgw_plugin_result_t)f->result;
}

static kgw_plugin_result_t
on_request(void *instance, kgw_msg_t *msg)
{
    (void)msg;
    return hook(instance);
}

static kgw_plugin_result_t
on_response(void *instance, kgw_msg_t *msg)
{
    (void)msg;
    return hook(instance);
}

static kgw_plugin_result_t
on_batch(void *instance, kgw_msg_t *msg, kgw_msg_batch_t *batch)
{
    (void)msg, (void)batch;
    return hook(instance);
}

static const int16_t api_keys[] = {0, 3}; /* Produce, Metadata */

static const kgw_plugin_descriptor_t descriptor = {
    KGW_PLUGIN_DESCRIPTOR_HEADER,
    .name = "fixture_good",
    .version = "1.2.3",
    .api_keys = api_keys,
    .n_api_keys = sizeof api_keys / sizeof api_keys[0],
    .create = create,
    .destroy = destroy,
    .on_request = on_request,
    .on_response = on_response,
    .on_produce_batch = on_batch,
    .on_fetch_batch = on_batch,
};

KGW_PLUGIN_EXPORT const kgw_plugin_descriptor_t *
KGW_PLUGIN_ENTRY(void)
{
    return &descriptor;
}
