/*
 * A minimal plugin whose descriptor is broken in one way chosen at build time
 * (see CMakeLists.txt), so that the loader's refusals can each be tested:
 *   FIXTURE_NO_ENTRY    no kgw_plugin_entry exported
 *   FIXTURE_MAGIC=x     magic x
 *   FIXTURE_SIZE=n      descriptor size n
 *   FIXTURE_MAJOR=n     abi_major n
 *   FIXTURE_MINOR=n     abi_minor n
 *   FIXTURE_NAME="s"    name s
 *   FIXTURE_NO_CREATE   create hook NULL
 *   FIXTURE_NO_HOOKS    no message hook
 * With no option it is a valid plugin named "fixture_broken".
 */
#include <kgw/kgw_plugin.h>

#ifndef FIXTURE_MAGIC
#define FIXTURE_MAGIC KGW_PLUGIN_MAGIC
#endif
#ifndef FIXTURE_SIZE
#define FIXTURE_SIZE sizeof(kgw_plugin_descriptor_t)
#endif
#ifndef FIXTURE_MAJOR
#define FIXTURE_MAJOR KGW_ABI_MAJOR
#endif
#ifndef FIXTURE_MINOR
#define FIXTURE_MINOR KGW_ABI_MINOR
#endif
#ifndef FIXTURE_NAME
#define FIXTURE_NAME "fixture_broken"
#endif

__attribute__((unused)) static int
create(const kgw_host_t *host, const kgw_plugin_config_t *config, void **instance, char *err,
       size_t err_len)
{
    (void)host, (void)config, (void)instance, (void)err, (void)err_len;
    return KGW_OK;
}

static void
destroy(void *instance)
{
    (void)instance;
}

__attribute__((unused)) static kgw_plugin_result_t
on_request(void *instance, kgw_msg_t *msg)
{
    (void)instance, (void)msg;
    return KGW_CONTINUE;
}

__attribute__((unused)) static const int16_t api_keys[] = {3};

static const kgw_plugin_descriptor_t descriptor = {
    .magic = FIXTURE_MAGIC,
    .size = (uint32_t)(FIXTURE_SIZE),
    .abi_major = FIXTURE_MAJOR,
    .abi_minor = FIXTURE_MINOR,
    .name = FIXTURE_NAME,
    .version = "0.0.1",
#ifndef FIXTURE_NO_HOOKS
    .api_keys = api_keys,
    .n_api_keys = 1,
    .on_request = on_request,
#endif
#ifndef FIXTURE_NO_CREATE
    .create = create,
#endif
    .destroy = destroy,
};

#ifdef FIXTURE_NO_ENTRY
/* Exported, but under another name than KGW_PLUGIN_ENTRY_NAME. */
KGW_PLUGIN_EXPORT const kgw_plugin_descriptor_t *fixture_entry(void);
KGW_PLUGIN_EXPORT const kgw_plugin_descriptor_t *
fixture_entry(void)
{
    return &descriptor;
}
#else
KGW_PLUGIN_EXPORT const kgw_plugin_descriptor_t *
KGW_PLUGIN_ENTRY(void)
{
    return &descriptor;
}
#endif
