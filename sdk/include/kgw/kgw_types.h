/*
 * kgw SDK: the small types shared by the plugin descriptor (kgw_plugin.h) and
 * the host function table (kgw_host.h). C standard library only.
 *
 * ABI rules (see sdk/README.md): this header is part of ABI 1.x. Enumerator
 * values are fixed forever; new values may be appended (minor bump), none is
 * renumbered or removed (that would be a major bump).
 */
#ifndef KGW_SDK_TYPES_H
#define KGW_SDK_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Status codes returned by host functions (and by a plugin's create hook).
 * KGW_OK is 0; every failure is negative, so `if (rc < 0)` checks them all.
 * Functions that return a count or a key return it as a non-negative int and
 * one of these on failure.
 */
#define KGW_OK 0
#define KGW_ERR_INVALID (-1)     /* a NULL or out-of-range argument */
#define KGW_ERR_NOT_FOUND (-2)   /* no such key, topic, header or index */
#define KGW_ERR_NO_MEMORY (-3)   /* allocation failed */
#define KGW_ERR_UNSUPPORTED (-4) /* this host does not implement the call (yet) */
#define KGW_ERR_TYPE (-5)        /* a config value has another type */
#define KGW_ERR_RANGE (-6)       /* a config integer is out of range */
#define KGW_ERR_STATE (-7)       /* not allowed now (e.g. respond on a response) */

/* Results of the message hooks. Any other value is treated as KGW_ERROR. */
typedef enum kgw_plugin_result {
    KGW_CONTINUE = 0, /* pass the message on to the next policy */
    KGW_STOP = 1,     /* the plugin answered (msg_respond_error) or dropped (msg_drop) it */
    KGW_ERROR = 2,    /* fail closed: the gateway answers with a Kafka error and logs */
} kgw_plugin_result_t;

/* Log levels for kgw_host_t.log. */
#define KGW_PLUGIN_LOG_ERROR 0
#define KGW_PLUGIN_LOG_WARN 1
#define KGW_PLUGIN_LOG_INFO 2
#define KGW_PLUGIN_LOG_DEBUG 3

/* Types of a configuration node (kgw_host_t.config_type). */
#define KGW_PLUGIN_CONFIG_NULL 0
#define KGW_PLUGIN_CONFIG_SCALAR 1
#define KGW_PLUGIN_CONFIG_MAP 2
#define KGW_PLUGIN_CONFIG_LIST 3

/*
 * Opaque handles. The host owns all of them; a plugin only ever holds
 * pointers it was given, and only for the duration of the call that gave them
 * (kgw_plugin_config_t: until its create hook returns).
 */
typedef struct kgw_host kgw_host_t;                   /* the host table, see kgw_host.h */
typedef struct kgw_plugin_config kgw_plugin_config_t; /* a node of the policy's `config:` */
typedef struct kgw_msg kgw_msg_t;                     /* a Kafka request or response */
typedef struct kgw_msg_batch kgw_msg_batch_t;         /* one record batch of a Produce/Fetch */
typedef struct kgw_msg_record kgw_msg_record_t;       /* one record of a batch */

#ifdef __cplusplus
}
#endif

#endif /* KGW_SDK_TYPES_H */
