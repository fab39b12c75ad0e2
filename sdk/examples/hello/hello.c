/*
 * hello: an example kgw policy plugin, written against the SDK alone.
 *
 * Config (all optional):
 *   greeting: "hello"        the value of the record header it adds
 *   header: "x-greeting"     the header key
 *
 * cluster_policies: counts Metadata and ApiVersions requests
 *   (kgw_plugin_hello_requests_total) and logs them at debug level.
 * produce_policies / consume_policies: sets header `header: greeting` on every
 *   record of every batch.
 *
 * The plugin only adds a greeting, which is not a security decision, so when
 * the host cannot give it a message (KGW_ERR_UNSUPPORTED from an ABI 1.0 host
 * that does not implement the accessors yet) it lets the message through. A
 * policy that enforces something must return KGW_ERROR instead (fail closed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kgw/kgw_plugin.h>

#ifndef HELLO_VERSION
#define HELLO_VERSION "0.1.0"
#endif

typedef struct hello {
    const kgw_host_t *host; /* valid until destroy returns */
    char *greeting;         /* our copy: config strings only live during create */
    char *header;
    int requests; /* counter id */
} hello_t;

static void
hello_free(hello_t *h)
{
    if (h == NULL)
        return;
    free(h->greeting);
    free(h->header);
    free(h);
}

/* Reads an optional string `key`, copying it (or `fallback`) into *out. */
static int
read_string(const kgw_host_t *host, const kgw_plugin_config_t *config, const char *key,
            const char *fallback, char **out, char *err, size_t err_len)
{
    const char *value = fallback;
    int rc = host->config_get_string(host, config, key, &value);
    if (rc != KGW_OK && rc != KGW_ERR_NOT_FOUND) {
        char where[256];
        (void)host->config_where(host, host->config_get(host, config, key), where, sizeof where);
        snprintf(err, err_len, "%s: expected a string", where);
        return rc;
    }
    *out = malloc(strlen(value) + 1);
    if (*out == NULL) {
        snprintf(err, err_len, "out of memory");
        return KGW_ERR_NO_MEMORY;
    }
    strcpy(*out, value);
    return KGW_OK;
}

static int
hello_create(const kgw_host_t *host, const kgw_plugin_config_t *config, void **instance, char *err,
             size_t err_len)
{
    /* Unknown keys are errors, as everywhere in a kgw configuration. */
    int n = config != NULL ? host->config_count(host, config) : 0;
    if (n < 0) {
        snprintf(err, err_len, "config: expected a mapping");
        return KGW_ERR_TYPE;
    }
    for (int i = 0; i < n; i++) {
        const kgw_plugin_config_t *entry = host->config_at(host, config, (size_t)i);
        const char *key = host->config_key(host, entry);
        if (strcmp(key, "greeting") != 0 && strcmp(key, "header") != 0) {
            char where[256];
            (void)host->config_where(host, entry, where, sizeof where);
            snprintf(err, err_len, "%s: unknown key '%s' (expected greeting, header)", where, key);
            return KGW_ERR_INVALID;
        }
    }

    hello_t *h = calloc(1, sizeof *h);
    if (h == NULL) {
        snprintf(err, err_len, "out of memory");
        return KGW_ERR_NO_MEMORY;
    }
    h->host = host;
    int rc = read_string(host, config, "greeting", "hello", &h->greeting, err, err_len);
    if (rc == KGW_OK)
        rc = read_string(host, config, "header", "x-greeting", &h->header, err, err_len);
    if (rc == KGW_OK && h->header[0] == '\0') {
        snprintf(err, err_len, "header: must not be empty");
        rc = KGW_ERR_INVALID;
    }
    if (rc == KGW_OK) {
        h->requests = host->counter_register(host, "requests_total",
                                             "Metadata and ApiVersions requests seen by hello.");
        if (h->requests < 0) {
            snprintf(err, err_len, "cannot register counter requests_total (status %d)",
                     h->requests);
            rc = h->requests;
        }
    }
    if (rc != KGW_OK) {
        hello_free(h);
        return rc;
    }
    host->log(host, KGW_PLUGIN_LOG_INFO, "will set header '%s: %s'", h->header, h->greeting);
    *instance = h;
    return KGW_OK;
}

static void
hello_destroy(void *instance)
{
    hello_free(instance);
}

static kgw_plugin_result_t
hello_on_request(void *instance, kgw_msg_t *msg)
{
    hello_t *h = instance;
    (void)h->host->counter_add(h->host, h->requests, 1);
    int api_key = h->host->msg_api_key(h->host, msg);
    if (api_key >= 0)
        h->host->log(h->host, KGW_PLUGIN_LOG_DEBUG, "request with API key %d", api_key);
    return KGW_CONTINUE;
}

static kgw_plugin_result_t
hello_on_batch(void *instance, kgw_msg_t *msg, kgw_msg_batch_t *batch)
{
    hello_t *h = instance;
    const kgw_host_t *host = h->host;
    (void)msg;
    int n = host->batch_record_count(host, batch);
    if (n == KGW_ERR_UNSUPPORTED)
        return KGW_CONTINUE; /* see the comment at the top */
    if (n < 0)
        return KGW_ERROR;
    for (int i = 0; i < n; i++) {
        kgw_msg_record_t *record;
        if (host->batch_record_at(host, batch, (size_t)i, &record) != KGW_OK)
            return KGW_ERROR;
        /* The host copies key and value. */
        if (host->record_header_set(host, record, h->header, h->greeting, strlen(h->greeting)) !=
            KGW_OK)
            return KGW_ERROR;
    }
    return KGW_CONTINUE;
}

static const int16_t hello_api_keys[] = {3 /* Metadata */, 18 /* ApiVersions */};

static const kgw_plugin_descriptor_t hello_descriptor = {
    KGW_PLUGIN_DESCRIPTOR_HEADER,
    .name = "hello",
    .version = HELLO_VERSION,
    .api_keys = hello_api_keys,
    .n_api_keys = sizeof hello_api_keys / sizeof hello_api_keys[0],
    .create = hello_create,
    .destroy = hello_destroy,
    .on_request = hello_on_request,
    .on_produce_batch = hello_on_batch,
    .on_fetch_batch = hello_on_batch,
};

KGW_PLUGIN_EXPORT const kgw_plugin_descriptor_t *
KGW_PLUGIN_ENTRY(void)
{
    return &hello_descriptor;
}
