/*
 * Helpers shared by the configuration loader's files (config*.c) and nothing
 * else: recording errors and turning a YAML file into a kgw_config_node_t tree.
 */
#ifndef KGW_CONFIG_INTERNAL_H
#define KGW_CONFIG_INTERNAL_H

#include "config.h"

/* Upper bounds that keep a hostile file (alias bombs, deep nesting) cheap. */
#define KGW_CONFIG_MAX_DEPTH 64
#define KGW_CONFIG_MAX_NODES 200000

/*
 * Appends "FILE:LINE: PATH: message" (or "FILE:LINE:COLUMN: message" when
 * `column` is non-zero and `path` is NULL, or "FILE: message" when `line` is
 * 0) to `errs`. `errs` may be NULL (discarded). Never fails: when memory runs
 * out, errs->out_of_memory is set instead.
 */
void kgw__config_error(kgw_config_errors_t *errs, const char *file, unsigned line, unsigned column,
                       const char *path, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* The same, about a node: its file, line and path. */
void kgw__config_node_error(kgw_config_errors_t *errs, const kgw_config_node_t *node,
                            const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Parses the single YAML document in the file at `path` into a heap tree
 * rooted at *root (its nodes' `file` points to `file_label`, which must
 * outlive the tree). `${env:NAME}` is substituted in every scalar value.
 * Returns 0 on success. Returns -1 when the file cannot be read or is not
 * valid YAML (*root is NULL), or when some substitution failed (*root is set
 * and the caller may keep validating to report more errors); every problem
 * is appended to `errs`.
 */
__attribute__((warn_unused_result)) int kgw__config_yaml_load(const char *path,
                                                              const char *file_label,
                                                              kgw_config_node_t **root,
                                                              kgw_config_errors_t *errs);

/*
 * The YAML spelling of each enum, indexed by the enum value and
 * NULL-terminated (config_names.c). For namespace modes and client
 * certificate modes the table starts at the first value after NONE.
 */
extern const char *const kgw__config_log_levels[];
extern const char *const kgw__config_log_formats[];
extern const char *const kgw__config_backend_auth_types[];
extern const char *const kgw__config_scram_algorithms[];
extern const char *const kgw__config_client_auth_types[];
extern const char *const kgw__config_mediations[];
extern const char *const kgw__config_principal_from[];
extern const char *const kgw__config_acl_modes[];
extern const char *const kgw__config_namespace_modes[];
extern const char *const kgw__config_tls_versions[];
extern const char *const kgw__config_client_cert_modes[];
extern const char *const kgw__config_forward_types[];
extern const char *const kgw__config_bootstrap_ports[];
extern const char *const kgw__config_broker_host_formats[];

#endif
