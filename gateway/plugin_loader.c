/*
 * The plugin loader: dlopen, descriptor validation, instances and the
 * counted hook calls. See plugin_loader.h for the rules.
 */
#include "plugin_loader.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "host_api.h"
#include "log.h"

/* The descriptor of ABI 1.0 ends after on_fetch_batch; later minors append. */
#define KGW__DESCRIPTOR_SIZE_1_0                                                                   \
    (offsetof(kgw_plugin_descriptor_t, on_fetch_batch) + sizeof(kgw_plugin_batch_fn))

struct kgw_plugin {
    kgw_plugin_t *next;
    kgw_plugin_loader_t *loader;
    char *path;
    dev_t dev; /* the file's identity: the same file under two paths loads once */
    ino_t ino;
    void *dl;
    /* A copy of the descriptor, zero-filled past the plugin's size. Its
     * strings and api_keys point into the shared object. */
    kgw_plugin_descriptor_t desc;
    atomic_size_t live_instances;
};

struct kgw_plugin_loader {
    char *plugins_dir;
    kgw_metrics_registry_t *metrics;
    kgw_plugin_t *plugins;
    size_t n_plugins;
};

struct kgw_plugin_instance {
    kgw_host_ctx_t host; /* first: the plugin holds &host.table */
    const kgw_plugin_t *plugin;
    void *state;               /* what the plugin's create returned */
    kgw_counter_t *results[3]; /* indexed by kgw_plugin_result_t */
    kgw_histogram_t *duration;
};

kgw_plugin_loader_t *
kgw_plugin_loader_new(const char *plugins_dir, kgw_metrics_registry_t *metrics)
{
    kgw_plugin_loader_t *loader = calloc(1, sizeof *loader);
    if (loader == NULL)
        return NULL;
    if (plugins_dir != NULL) {
        loader->plugins_dir = strdup(plugins_dir);
        if (loader->plugins_dir == NULL) {
            free(loader);
            return NULL;
        }
    }
    loader->metrics = metrics;
    return loader;
}

void
kgw_plugin_loader_free(kgw_plugin_loader_t *loader)
{
    if (loader == NULL)
        return;
    kgw_plugin_t *p = loader->plugins;
    while (p != NULL) {
        kgw_plugin_t *next = p->next;
        size_t live = atomic_load(&p->live_instances);
        if (live != 0) {
            kgw_log_error("plugin '%s' (%s): %zu instance(s) still alive at unload; "
                          "leaving it mapped",
                          p->desc.name, p->path, live);
        } else {
            dlclose(p->dl);
            free(p->path);
            free(p);
        }
        p = next;
    }
    free(loader->plugins_dir);
    free(loader);
}

size_t
kgw_plugin_loader_count(const kgw_plugin_loader_t *loader)
{
    return loader != NULL ? loader->n_plugins : 0;
}

static bool
plugin_name_valid(const char *name)
{
    size_t len = strnlen(name, KGW_PLUGIN_NAME_MAX + 1);
    if (len == 0 || len > KGW_PLUGIN_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!(islower(c) || isdigit(c) || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* Checks a descriptor copied from `path`. Returns 0, or -1 with err. */
static int
validate_descriptor(const char *path, const kgw_plugin_descriptor_t *raw,
                    kgw_plugin_descriptor_t *copy, char *err, size_t errlen)
{
    if (raw->magic != KGW_PLUGIN_MAGIC) {
        snprintf(err, errlen,
                 "%s: descriptor field 'magic' is 0x%08x, expected 0x%08x (KGW_PLUGIN_MAGIC): "
                 "not a kgw plugin descriptor",
                 path, (unsigned)raw->magic, (unsigned)KGW_PLUGIN_MAGIC);
        return -1;
    }
    if (raw->size < KGW__DESCRIPTOR_SIZE_1_0) {
        snprintf(err, errlen,
                 "%s: descriptor field 'size' is %u bytes, expected at least %zu "
                 "(the ABI %d.0 descriptor)",
                 path, (unsigned)raw->size, (size_t)KGW__DESCRIPTOR_SIZE_1_0, KGW_ABI_MAJOR);
        return -1;
    }
    if (raw->abi_major != KGW_ABI_MAJOR) {
        snprintf(err, errlen,
                 "%s: descriptor field 'abi_major' is %u (plugin built for ABI %u.%u), expected "
                 "%d (this kgw implements ABI %d.%d); rebuild the plugin against this SDK",
                 path, (unsigned)raw->abi_major, (unsigned)raw->abi_major, (unsigned)raw->abi_minor,
                 KGW_ABI_MAJOR, KGW_ABI_MAJOR, KGW_ABI_MINOR);
        return -1;
    }
    if (raw->abi_minor > KGW_ABI_MINOR) {
        snprintf(err, errlen,
                 "%s: descriptor field 'abi_minor' is %u (plugin built for ABI %u.%u), expected "
                 "at most %d (this kgw implements ABI %d.%d); upgrade kgw or rebuild the plugin",
                 path, (unsigned)raw->abi_minor, (unsigned)raw->abi_major, (unsigned)raw->abi_minor,
                 KGW_ABI_MINOR, KGW_ABI_MAJOR, KGW_ABI_MINOR);
        return -1;
    }
    /* Same major and a minor no newer than ours: the plugin's descriptor is
     * at most as long as ours; copy what it has, zero the rest. */
    memset(copy, 0, sizeof *copy);
    memcpy(copy, raw, raw->size < sizeof *copy ? raw->size : sizeof *copy);

    if (copy->name == NULL || !plugin_name_valid(copy->name)) {
        snprintf(err, errlen,
                 "%s: descriptor field 'name' is \"%.80s\", expected 1 to %d characters of "
                 "[a-z0-9_-]",
                 path, copy->name != NULL ? copy->name : "(null)", KGW_PLUGIN_NAME_MAX);
        return -1;
    }
    const char *hook = copy->create == NULL ? "create" : copy->destroy == NULL ? "destroy" : NULL;
    if (hook != NULL) {
        snprintf(err, errlen,
                 "%s: plugin '%s': descriptor field '%s' is NULL, expected a function "
                 "(create and destroy are required)",
                 path, copy->name, hook);
        return -1;
    }
    if (copy->on_request == NULL && copy->on_response == NULL && copy->on_produce_batch == NULL &&
        copy->on_fetch_batch == NULL) {
        snprintf(err, errlen,
                 "%s: plugin '%s': descriptor fields 'on_request', 'on_response', "
                 "'on_produce_batch' and 'on_fetch_batch' are all NULL, expected at least one "
                 "hook",
                 path, copy->name);
        return -1;
    }
    if (copy->n_api_keys > KGW_PLUGIN_API_KEYS_MAX ||
        (copy->n_api_keys > 0 && copy->api_keys == NULL)) {
        snprintf(err, errlen,
                 "%s: plugin '%s': descriptor field 'n_api_keys' is %zu with api_keys %s, "
                 "expected at most %d entries in a non-NULL array",
                 path, copy->name, copy->n_api_keys, copy->api_keys == NULL ? "NULL" : "set",
                 KGW_PLUGIN_API_KEYS_MAX);
        return -1;
    }
    for (size_t i = 0; i < copy->n_api_keys; i++) {
        if (copy->api_keys[i] < 0) {
            snprintf(err, errlen,
                     "%s: plugin '%s': descriptor field 'api_keys[%zu]' is %d, expected an API "
                     "key in 0..32767",
                     path, copy->name, i, (int)copy->api_keys[i]);
            return -1;
        }
    }
    if (copy->n_api_keys > 0 && copy->on_request == NULL && copy->on_response == NULL) {
        snprintf(err, errlen,
                 "%s: plugin '%s': descriptor field 'api_keys' lists %zu key(s) but "
                 "'on_request' and 'on_response' are NULL, expected at least one of them",
                 path, copy->name, copy->n_api_keys);
        return -1;
    }
    return 0;
}

/* Opens and validates `path`; `expected_name` (may be NULL) is the name the
 * descriptor must have. */
static int
open_plugin(kgw_plugin_loader_t *loader, const char *path, const char *expected_name,
            const kgw_plugin_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (path == NULL || strchr(path, '/') == NULL) {
        /* dlopen would search LD_LIBRARY_PATH and the system for a bare name. */
        snprintf(err, errlen, "plugin path \"%s\" has no '/': give a path such as ./%s",
                 path != NULL ? path : "(null)", path != NULL ? path : "kgw_x.so");
        return -1;
    }
    /* RTLD_NOW: an unresolved symbol fails here, not in the middle of a
     * request. RTLD_LOCAL: two plugins' symbols never bind to each other. */
    dlerror();
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) {
        const char *why = dlerror();
        snprintf(err, errlen, "%s: cannot load plugin: %s", path,
                 why != NULL ? why : "dlopen failed");
        return -1;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: cannot load plugin: %s", path, strerror(errno));
        dlclose(dl);
        return -1;
    }
    for (kgw_plugin_t *p = loader->plugins; p != NULL; p = p->next) {
        if (p->dev == st.st_dev && p->ino == st.st_ino) {
            dlclose(dl); /* drop the reference this call added */
            if (expected_name != NULL && strcmp(p->desc.name, expected_name) != 0) {
                snprintf(err, errlen,
                         "%s: descriptor field 'name' is '%s', expected '%s' (the file name)", path,
                         p->desc.name, expected_name);
                return -1;
            }
            *out = p;
            return 0;
        }
    }
    dlerror();
    void *sym = dlsym(dl, KGW_PLUGIN_ENTRY_NAME);
    if (sym == NULL) {
        const char *why = dlerror();
        snprintf(err, errlen,
                 "%s: entry function '%s' not found (%s): not a kgw plugin, or built without "
                 "KGW_PLUGIN_EXPORT",
                 path, KGW_PLUGIN_ENTRY_NAME, why != NULL ? why : "symbol is NULL");
        dlclose(dl);
        return -1;
    }
    kgw_plugin_entry_fn entry;
    /* POSIX guarantees a function pointer round-trips through void *. */
    memcpy(&entry, &sym, sizeof entry);
    const kgw_plugin_descriptor_t *raw = entry();
    if (raw == NULL) {
        snprintf(err, errlen, "%s: entry function '%s' returned NULL, expected a descriptor", path,
                 KGW_PLUGIN_ENTRY_NAME);
        dlclose(dl);
        return -1;
    }

    kgw_plugin_t *plugin = calloc(1, sizeof *plugin);
    if (plugin == NULL || (plugin->path = strdup(path)) == NULL) {
        snprintf(err, errlen, "%s: out of memory loading plugin", path);
        free(plugin);
        dlclose(dl);
        return -1;
    }
    if (validate_descriptor(path, raw, &plugin->desc, err, errlen) != 0)
        goto fail;
    if (expected_name != NULL && strcmp(plugin->desc.name, expected_name) != 0) {
        snprintf(err, errlen, "%s: descriptor field 'name' is '%s', expected '%s' (the file name)",
                 path, plugin->desc.name, expected_name);
        goto fail;
    }
    for (kgw_plugin_t *p = loader->plugins; p != NULL; p = p->next) {
        if (strcmp(p->desc.name, plugin->desc.name) == 0) {
            snprintf(err, errlen,
                     "%s: descriptor field 'name' is '%s', which is already loaded from %s: "
                     "plugin names must be unique",
                     path, plugin->desc.name, p->path);
            goto fail;
        }
    }
    plugin->loader = loader;
    plugin->dl = dl;
    plugin->dev = st.st_dev;
    plugin->ino = st.st_ino;
    atomic_init(&plugin->live_instances, 0);
    plugin->next = loader->plugins;
    loader->plugins = plugin;
    loader->n_plugins++;
    kgw_log_info("loaded plugin '%s' version %s (ABI %u.%u) from %s", plugin->desc.name,
                 plugin->desc.version != NULL ? plugin->desc.version : "(none)",
                 (unsigned)plugin->desc.abi_major, (unsigned)plugin->desc.abi_minor, path);
    *out = plugin;
    return 0;

fail:
    free(plugin->path);
    free(plugin);
    dlclose(dl);
    return -1;
}

int
kgw_plugin_loader_open(kgw_plugin_loader_t *loader, const char *path, const kgw_plugin_t **out,
                       char *err, size_t errlen)
{
    return open_plugin(loader, path, NULL, out, err, errlen);
}

int
kgw_plugin_loader_open_named(kgw_plugin_loader_t *loader, const char *name,
                             const kgw_plugin_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (name == NULL || !plugin_name_valid(name)) {
        snprintf(err, errlen, "plugin name \"%.80s\" is invalid: expected 1 to %d of [a-z0-9_-]",
                 name != NULL ? name : "(null)", KGW_PLUGIN_NAME_MAX);
        return -1;
    }
    if (loader->plugins_dir == NULL) {
        snprintf(err, errlen, "plugin '%s': plugins_dir is not set", name);
        return -1;
    }
    char *path = NULL;
    if (asprintf(&path, "%s/kgw_%s.so", loader->plugins_dir, name) < 0) {
        snprintf(err, errlen, "plugin '%s': out of memory", name);
        return -1;
    }
    int rc = open_plugin(loader, path, name, out, err, errlen);
    free(path);
    return rc;
}

const char *
kgw_plugin_name(const kgw_plugin_t *plugin)
{
    return plugin->desc.name;
}

const char *
kgw_plugin_version(const kgw_plugin_t *plugin)
{
    return plugin->desc.version != NULL ? plugin->desc.version : "";
}

const char *
kgw_plugin_path(const kgw_plugin_t *plugin)
{
    return plugin->path;
}

void
kgw_plugin_abi(const kgw_plugin_t *plugin, unsigned *major, unsigned *minor)
{
    *major = plugin->desc.abi_major;
    *minor = plugin->desc.abi_minor;
}

bool
kgw_plugin_wants_api_key(const kgw_plugin_t *plugin, int api_key)
{
    for (size_t i = 0; i < plugin->desc.n_api_keys; i++) {
        if (plugin->desc.api_keys[i] == api_key)
            return true;
    }
    return false;
}

bool
kgw_plugin_has_request_hooks(const kgw_plugin_t *plugin)
{
    return plugin->desc.on_request != NULL || plugin->desc.on_response != NULL;
}

bool
kgw_plugin_has_produce_hook(const kgw_plugin_t *plugin)
{
    return plugin->desc.on_produce_batch != NULL;
}

bool
kgw_plugin_has_fetch_hook(const kgw_plugin_t *plugin)
{
    return plugin->desc.on_fetch_batch != NULL;
}

/* ---- Instances ---------------------------------------------------------- */

static const char *const result_names[3] = {"continue", "stop", "error"};

static int
register_metrics(kgw_plugin_instance_t *inst, char *err, size_t errlen)
{
    kgw_metrics_registry_t *reg = inst->host.metrics;
    char labels[512];
    for (int r = 0; r < 3; r++) {
        if (kgw_metrics_labels(labels, sizeof labels, "virtual_cluster", inst->host.virtual_cluster,
                               "policy", inst->host.policy, "result", result_names[r], NULL) != 0)
            goto fail;
        inst->results[r] = kgw_metrics_registry_counter(
            reg, KGW_METRIC_POLICY_INVOCATIONS,
            "Policy hook invocations by virtual cluster, policy and result.", labels);
        if (inst->results[r] == NULL)
            goto fail;
    }
    if (kgw_metrics_labels(labels, sizeof labels, "virtual_cluster", inst->host.virtual_cluster,
                           "policy", inst->host.policy, NULL) != 0)
        goto fail;
    inst->duration = kgw_metrics_registry_histogram(
        reg, KGW_METRIC_POLICY_DURATION, "Time spent in policy hooks, in seconds.", labels);
    if (inst->duration == NULL)
        goto fail;
    return 0;
fail:
    snprintf(err, errlen, "virtual cluster '%s', policy '%s': cannot register metrics: %s",
             inst->host.virtual_cluster, inst->host.policy, kgw_metrics_error());
    return -1;
}

int
kgw_plugin_instance_create(const kgw_plugin_t *plugin, const char *virtual_cluster,
                           const char *policy, const kgw_config_node_t *config,
                           kgw_plugin_instance_t **out, char *err, size_t errlen)
{
    *out = NULL;
    kgw_plugin_instance_t *inst = calloc(1, sizeof *inst);
    if (inst == NULL) {
        snprintf(err, errlen, "plugin '%s': out of memory creating an instance", plugin->desc.name);
        return -1;
    }
    if (kgw_host_ctx_init(&inst->host, plugin->desc.name, virtual_cluster, policy,
                          plugin->loader->metrics, err, errlen) != 0) {
        free(inst);
        return -1;
    }
    inst->plugin = plugin;
    if (register_metrics(inst, err, errlen) != 0)
        goto fail;

    char perr[1024] = "";
    inst->host.in_create = true;
    int rc = plugin->desc.create(&inst->host.table, kgw_host_config(config), &inst->state, perr,
                                 sizeof perr);
    inst->host.in_create = false;
    kgw_host_scratch_release();
    perr[sizeof perr - 1] = '\0';
    if (rc != KGW_OK) {
        if (perr[0] == '\0')
            snprintf(perr, sizeof perr, "create returned %d without a message", rc);
        snprintf(err, errlen, "virtual cluster '%s', policy '%s' (plugin '%s'): config refused: %s",
                 inst->host.virtual_cluster, inst->host.policy, plugin->desc.name, perr);
        goto fail;
    }
    atomic_fetch_add(&((kgw_plugin_t *)plugin)->live_instances, 1);
    *out = inst;
    return 0;

fail:
    kgw_host_ctx_clear(&inst->host);
    free(inst);
    return -1;
}

void
kgw_plugin_instance_destroy(kgw_plugin_instance_t *inst)
{
    if (inst == NULL)
        return;
    inst->plugin->desc.destroy(inst->state);
    kgw_host_scratch_release();
    atomic_fetch_sub(&((kgw_plugin_t *)inst->plugin)->live_instances, 1);
    kgw_host_ctx_clear(&inst->host);
    free(inst);
}

const kgw_plugin_t *
kgw_plugin_instance_plugin(const kgw_plugin_instance_t *inst)
{
    return inst->plugin;
}

const char *
kgw_plugin_instance_policy(const kgw_plugin_instance_t *inst)
{
    return inst->host.policy;
}

static uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Counts, times and normalises one hook result. */
static kgw_plugin_result_t
finish_call(kgw_plugin_instance_t *inst, const char *hook, int result, uint64_t start)
{
    kgw_histogram_observe_ns(inst->duration, now_ns() - start);
    kgw_host_scratch_release();
    if (result != KGW_CONTINUE && result != KGW_STOP && result != KGW_ERROR) {
        kgw_log_error("%s: %s returned %d, expected KGW_CONTINUE (0), KGW_STOP (1) or "
                      "KGW_ERROR (2); treating it as KGW_ERROR",
                      inst->host.log_prefix, hook, result);
        result = KGW_ERROR;
    }
    kgw_counter_inc(inst->results[result]);
    return (kgw_plugin_result_t)result;
}

kgw_plugin_result_t
kgw_plugin_instance_on_request(kgw_plugin_instance_t *inst, kgw_msg_t *msg)
{
    if (inst->plugin->desc.on_request == NULL)
        return KGW_CONTINUE;
    uint64_t start = now_ns();
    int r = (int)inst->plugin->desc.on_request(inst->state, msg);
    return finish_call(inst, "on_request", r, start);
}

kgw_plugin_result_t
kgw_plugin_instance_on_response(kgw_plugin_instance_t *inst, kgw_msg_t *msg)
{
    if (inst->plugin->desc.on_response == NULL)
        return KGW_CONTINUE;
    uint64_t start = now_ns();
    int r = (int)inst->plugin->desc.on_response(inst->state, msg);
    return finish_call(inst, "on_response", r, start);
}

kgw_plugin_result_t
kgw_plugin_instance_on_produce_batch(kgw_plugin_instance_t *inst, kgw_msg_t *msg,
                                     kgw_msg_batch_t *batch)
{
    if (inst->plugin->desc.on_produce_batch == NULL)
        return KGW_CONTINUE;
    uint64_t start = now_ns();
    int r = (int)inst->plugin->desc.on_produce_batch(inst->state, msg, batch);
    return finish_call(inst, "on_produce_batch", r, start);
}

kgw_plugin_result_t
kgw_plugin_instance_on_fetch_batch(kgw_plugin_instance_t *inst, kgw_msg_t *msg,
                                   kgw_msg_batch_t *batch)
{
    if (inst->plugin->desc.on_fetch_batch == NULL)
        return KGW_CONTINUE;
    uint64_t start = now_ns();
    int r = (int)inst->plugin->desc.on_fetch_batch(inst->state, msg, batch);
    return finish_call(inst, "on_fetch_batch", r, start);
}
