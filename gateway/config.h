/*
 * kgw configuration: the typed model of one YAML file (DESIGN.md section 3),
 * how to load and fully validate it, and how to free it.
 *
 * Ownership: one kgw_config_t owns everything reachable from it (strings,
 * arrays, the generic YAML tree that policy `config:` subtrees point into);
 * kgw_config_free() releases all of it. A loaded configuration is never
 * modified, so worker threads may read it concurrently; a reload builds a new
 * kgw_config_t and swaps it in.
 *
 * Every array is a pointer plus an `n_` count. Every struct carries `line`,
 * the 1-based line of the YAML node it was read from (0 when it was
 * defaulted), for later error messages ("FILE:LINE: ...").
 *
 * Paths (plugins_dir, TLS files, jwks_file) are already resolved against the
 * configuration file's directory; they are absolute when the configuration
 * path was absolute, otherwise relative to the current directory.
 *
 * Secrets (passwords) are kept in memory as loaded; no function in this
 * module ever prints them.
 */
#ifndef KGW_CONFIG_H
#define KGW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config_node.h"

/* ---- enums ------------------------------------------------------------ */

typedef enum kgw_config_log_level {
    KGW_CONFIG_LOG_ERROR,
    KGW_CONFIG_LOG_WARN,
    KGW_CONFIG_LOG_INFO, /* default */
    KGW_CONFIG_LOG_DEBUG,
} kgw_config_log_level_t;

typedef enum kgw_config_log_format {
    KGW_CONFIG_LOG_TEXT, /* default */
    KGW_CONFIG_LOG_JSON,
} kgw_config_log_format_t;

/* Backend authentication (gateway -> Kafka). */
typedef enum kgw_config_backend_auth_type {
    KGW_CONFIG_BACKEND_AUTH_ANONYMOUS, /* default */
    KGW_CONFIG_BACKEND_AUTH_SASL_PLAIN,
    KGW_CONFIG_BACKEND_AUTH_SASL_SCRAM,
} kgw_config_backend_auth_type_t;

typedef enum kgw_config_scram_algorithm {
    KGW_CONFIG_SCRAM_SHA256,
    KGW_CONFIG_SCRAM_SHA512, /* default */
} kgw_config_scram_algorithm_t;

/* Client authentication (client -> gateway), per virtual cluster. */
typedef enum kgw_config_client_auth_type {
    KGW_CONFIG_CLIENT_AUTH_ANONYMOUS,
    KGW_CONFIG_CLIENT_AUTH_SASL_PLAIN,
    KGW_CONFIG_CLIENT_AUTH_SASL_SCRAM,
    KGW_CONFIG_CLIENT_AUTH_OAUTH_BEARER,
    KGW_CONFIG_CLIENT_AUTH_CLIENT_CERTIFICATE,
} kgw_config_client_auth_type_t;

typedef enum kgw_config_mediation {
    KGW_CONFIG_MEDIATION_TERMINATE,        /* default: the gateway authenticates */
    KGW_CONFIG_MEDIATION_PASSTHROUGH,      /* the client's SASL goes to the backend */
    KGW_CONFIG_MEDIATION_VALIDATE_FORWARD, /* oauth_bearer only: validate, then forward */
} kgw_config_mediation_t;

typedef enum kgw_config_principal_from {
    KGW_CONFIG_PRINCIPAL_FROM_CN, /* default: subject common name */
    KGW_CONFIG_PRINCIPAL_FROM_DN, /* the full subject distinguished name (RFC 4514) */
} kgw_config_principal_from_t;

typedef enum kgw_config_acl_mode {
    KGW_CONFIG_ACL_PASSTHROUGH, /* default: the backend's ACLs decide */
    KGW_CONFIG_ACL_ENFORCE_ON_GATEWAY,
} kgw_config_acl_mode_t;

typedef enum kgw_config_namespace_mode {
    KGW_CONFIG_NAMESPACE_NONE, /* no `namespace:` key */
    KGW_CONFIG_NAMESPACE_HIDE_PREFIX,
    KGW_CONFIG_NAMESPACE_ENFORCE_PREFIX,
} kgw_config_namespace_mode_t;

typedef enum kgw_config_tls_version {
    KGW_CONFIG_TLS12, /* default */
    KGW_CONFIG_TLS13,
} kgw_config_tls_version_t;

typedef enum kgw_config_client_cert_mode {
    KGW_CONFIG_CLIENT_CERT_NONE, /* no `client_authentication:` */
    KGW_CONFIG_CLIENT_CERT_REQUIRED,
    KGW_CONFIG_CLIENT_CERT_REQUESTED,
} kgw_config_client_cert_mode_t;

typedef enum kgw_config_forward_type {
    KGW_CONFIG_FORWARD_PORT_MAPPING,
    KGW_CONFIG_FORWARD_SNI,
} kgw_config_forward_type_t;

typedef enum kgw_config_bootstrap_port {
    KGW_CONFIG_BOOTSTRAP_AT_START, /* default: first port is the bootstrap port */
    KGW_CONFIG_BOOTSTRAP_NONE,     /* every port is a broker port */
} kgw_config_bootstrap_port_t;

typedef enum kgw_config_broker_host_format {
    KGW_CONFIG_SNI_PER_CLUSTER_SUFFIX, /* default: broker-<id>.<dns_label><suffix> */
    KGW_CONFIG_SNI_SHARED_SUFFIX,      /* broker-<id>-<dns_label><suffix> */
} kgw_config_broker_host_format_t;

/* ---- shared pieces ---------------------------------------------------- */

/* host:port. IPv6 literals are stored without brackets ("::1"). */
typedef struct kgw_config_host_port {
    char *host;
    uint16_t port; /* 1..65535 */
    unsigned line;
} kgw_config_host_port_t;

/* ---- backend clusters ------------------------------------------------- */

typedef struct kgw_config_backend_tls {
    bool enabled;                  /* default false */
    char *ca_file;                 /* NULL: system trust store */
    bool insecure_skip_verify;     /* default false */
    char *client_certificate_file; /* NULL unless mTLS to the backend */
    char *client_key_file;         /* set iff client_certificate_file is */
    unsigned line;
} kgw_config_backend_tls_t;

typedef struct kgw_config_backend_auth {
    kgw_config_backend_auth_type_t type;
    kgw_config_scram_algorithm_t algorithm; /* sasl_scram only */
    char *username;                         /* NULL for anonymous */
    char *password;                         /* secret; NULL for anonymous */
    unsigned line;
} kgw_config_backend_auth_t;

typedef struct kgw_config_backend_cluster {
    char *name;
    kgw_config_host_port_t *bootstrap_servers;
    size_t n_bootstrap_servers;                /* >= 1 */
    uint32_t metadata_update_interval_seconds; /* default 60, >= 1 */
    kgw_config_backend_tls_t tls;
    kgw_config_backend_auth_t authentication;
    unsigned line;
} kgw_config_backend_cluster_t;

/* ---- virtual clusters ------------------------------------------------- */

typedef struct kgw_config_principal {
    char *username;
    char *password; /* secret */
    unsigned line;
} kgw_config_principal_t;

typedef struct kgw_config_client_auth {
    kgw_config_client_auth_type_t type;
    kgw_config_mediation_t mediation;
    /* sasl_plain / sasl_scram with mediation terminate */
    kgw_config_principal_t *principals;
    size_t n_principals;
    /* oauth_bearer */
    char *jwks_file; /* resolved path; required for oauth_bearer */
    char *issuer;    /* NULL: not checked */
    char **audiences;
    size_t n_audiences;    /* 0: not checked */
    char *principal_claim; /* default "sub" (always set for oauth_bearer) */
    /* client_certificate */
    kgw_config_principal_from_t principal_from;
    unsigned line;
} kgw_config_client_auth_t;

typedef struct kgw_config_policy {
    char *plugin; /* loads <plugins_dir>/kgw_<plugin>.so */
    char *name;   /* default: plugin; unique within the virtual cluster */
    /* The `config:` subtree for the plugin, borrowed from the config's tree;
     * NULL when absent or null. */
    const kgw_config_node_t *config;
    unsigned line;
} kgw_config_policy_t;

typedef struct kgw_config_namespace {
    kgw_config_namespace_mode_t mode; /* NONE: no namespace */
    char *prefix;                     /* non-empty when mode != NONE */
    unsigned line;
} kgw_config_namespace_t;

typedef struct kgw_config_virtual_cluster {
    char *name;
    char *destination_name;                          /* as written */
    size_t destination_index;                        /* into cfg->backend_clusters */
    const kgw_config_backend_cluster_t *destination; /* == &backend_clusters[index] */
    char *dns_label;                                 /* default: name */
    kgw_config_client_auth_t *authentication;        /* tried in order */
    size_t n_authentication;                         /* >= 1; default [anonymous] */
    kgw_config_acl_mode_t acl_mode;
    kgw_config_namespace_t namespace_;
    kgw_config_policy_t *cluster_policies;
    size_t n_cluster_policies;
    kgw_config_policy_t *produce_policies;
    size_t n_produce_policies;
    kgw_config_policy_t *consume_policies;
    size_t n_consume_policies;
    unsigned line;
} kgw_config_virtual_cluster_t;

/* ---- listeners -------------------------------------------------------- */

typedef struct kgw_config_listener_tls {
    bool enabled; /* true iff the listener has a `tls:` key */
    char *certificate_file;
    char *key_file;
    kgw_config_tls_version_t min_version;
    kgw_config_client_cert_mode_t client_auth_mode;
    char *client_ca_file; /* set iff client_auth_mode != NONE */
    unsigned line;
} kgw_config_listener_tls_t;

typedef struct kgw_config_forward {
    kgw_config_forward_type_t type;
    char *virtual_cluster_name;                          /* as written */
    size_t virtual_cluster_index;                        /* into cfg->virtual_clusters */
    const kgw_config_virtual_cluster_t *virtual_cluster; /* resolved */
    /* port_mapping */
    char *advertised_host;
    kgw_config_bootstrap_port_t bootstrap_port;
    int32_t min_broker_id; /* default 0, >= 0 */
    /* sni */
    char *sni_suffix;         /* starts with '.', lower case */
    uint16_t advertised_port; /* 0: the port the client connected to */
    kgw_config_broker_host_format_t broker_host_format;
    unsigned line;
} kgw_config_forward_t;

typedef struct kgw_config_listener {
    char *name;
    char **addresses; /* IPv4, IPv6 (no brackets) or host names; >= 1 */
    size_t n_addresses;
    uint16_t *ports; /* expanded from integers and "a-b" ranges, in order given; >= 1 */
    size_t n_ports;
    kgw_config_listener_tls_t tls;
    kgw_config_forward_t *forward; /* ordered, first match wins; >= 1 */
    size_t n_forward;
    unsigned line;
} kgw_config_listener_t;

/* ---- the whole file --------------------------------------------------- */

typedef struct kgw_config {
    char *path;          /* as given to kgw_config_load */
    char *dir;           /* directory of path ("." when it has none) */
    char *plugins_dir;   /* resolved; NULL when not set (then no policy may be configured) */
    unsigned workers;    /* 1..256; default: online CPU count (clamped) */
    bool admin_enabled;  /* `admin.listen` given */
    char *admin_host;    /* NULL unless admin_enabled */
    uint16_t admin_port; /* 0 unless admin_enabled */
    kgw_config_log_level_t log_level;
    kgw_config_log_format_t log_format;
    kgw_config_backend_cluster_t *backend_clusters;
    size_t n_backend_clusters; /* >= 1 */
    kgw_config_virtual_cluster_t *virtual_clusters;
    size_t n_virtual_clusters; /* >= 1 */
    kgw_config_listener_t *listeners;
    size_t n_listeners;      /* >= 1 */
    kgw_config_node_t *root; /* the whole file as a generic tree (policy configs point here) */
} kgw_config_t;

/* ---- errors ----------------------------------------------------------- */

/* One problem found while loading. `text` is the full message:
 *   "FILE:LINE: KEY.PATH: what was wrong (expected ...)"
 * or, for YAML syntax errors, "FILE:LINE:COLUMN: libyaml's problem text". */
typedef struct kgw_config_error {
    unsigned line;   /* 0 when not tied to a line (e.g. the file cannot be opened) */
    unsigned column; /* 0 unless known */
    char *path;      /* key path, e.g. "virtual_clusters[0].destination"; may be "" */
    char *text;
} kgw_config_error_t;

typedef struct kgw_config_errors {
    kgw_config_error_t *items;
    size_t count;
    size_t cap;
    bool out_of_memory; /* an error could not be recorded */
} kgw_config_errors_t;

/* Prepares an empty list (the same as zero-initialising it). */
void kgw_config_errors_init(kgw_config_errors_t *errs);
/* Frees every message; the list is empty and reusable afterwards. NULL is a no-op. */
void kgw_config_errors_free(kgw_config_errors_t *errs);
/* Writes each error's text on its own line to `out`. */
void kgw_config_errors_print(const kgw_config_errors_t *errs, FILE *out);

/* ---- API -------------------------------------------------------------- */

/*
 * Reads, parses and fully validates the YAML file at `path`.
 * On success returns 0 and stores a new configuration in *out (free it with
 * kgw_config_free). On failure returns -1, stores NULL in *out and appends
 * every problem found (not just the first) to `errs` (which may be NULL to
 * discard them). TLS and JWKS files are checked for existence and
 * readability only.
 */
__attribute__((warn_unused_result)) int kgw_config_load(const char *path, kgw_config_t **out,
                                                        kgw_config_errors_t *errs);

/* Frees a configuration and everything it owns. NULL is a no-op. */
void kgw_config_free(kgw_config_t *cfg);

/*
 * Writes a normalised, human-readable view of the configuration (every
 * default filled in, every path resolved) to `out`. Passwords are printed as
 * "<redacted>". For `kgw --check-config` and debugging.
 */
void kgw_config_dump(const kgw_config_t *cfg, FILE *out);

/* Lookups by name; NULL when absent. */
const kgw_config_backend_cluster_t *kgw_config_find_backend_cluster(const kgw_config_t *cfg,
                                                                    const char *name);
const kgw_config_virtual_cluster_t *kgw_config_find_virtual_cluster(const kgw_config_t *cfg,
                                                                    const char *name);

/*
 * Enum names as written in YAML ("sasl_scram", "tls13", ...); "none" for the
 * NONE values; "?" for out-of-range values. Never NULL.
 */
const char *kgw_config_log_level_name(kgw_config_log_level_t v);
const char *kgw_config_log_format_name(kgw_config_log_format_t v);
const char *kgw_config_backend_auth_type_name(kgw_config_backend_auth_type_t v);
const char *kgw_config_scram_algorithm_name(kgw_config_scram_algorithm_t v);
const char *kgw_config_client_auth_type_name(kgw_config_client_auth_type_t v);
const char *kgw_config_mediation_name(kgw_config_mediation_t v);
const char *kgw_config_principal_from_name(kgw_config_principal_from_t v);
const char *kgw_config_acl_mode_name(kgw_config_acl_mode_t v);
const char *kgw_config_namespace_mode_name(kgw_config_namespace_mode_t v);
const char *kgw_config_tls_version_name(kgw_config_tls_version_t v);
const char *kgw_config_client_cert_mode_name(kgw_config_client_cert_mode_t v);
const char *kgw_config_forward_type_name(kgw_config_forward_type_t v);
const char *kgw_config_bootstrap_port_name(kgw_config_bootstrap_port_t v);
const char *kgw_config_broker_host_format_name(kgw_config_broker_host_format_t v);

#endif
