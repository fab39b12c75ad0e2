/*
 * kgw_tls: OpenSSL 3 contexts for listeners (TLS termination, optional mTLS)
 * and for backend connections, SNI host-name parsing and building (DESIGN.md
 * section 3, `forward: sni`), and the principal of a client certificate.
 *
 * Contexts are built once per configuration load and are shareable between
 * worker threads (SSL_CTX is reference counted and thread-safe once set up).
 * Every failure returns NULL / -1 with a message naming the file and what is
 * wrong with it, suitable for --check-config; no key material is printed.
 */
#ifndef KGW_TLS_H
#define KGW_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

typedef enum kgw_tls_version {
    KGW_TLS_V12 = 0,
    KGW_TLS_V13 = 1,
} kgw_tls_version_t;

typedef enum kgw_tls_client_auth {
    KGW_TLS_CLIENT_AUTH_NONE = 0,
    KGW_TLS_CLIENT_AUTH_REQUESTED, /* verified when sent, optional */
    KGW_TLS_CLIENT_AUTH_REQUIRED,  /* handshake fails without a valid one */
} kgw_tls_client_auth_t;

/* Parses "tls12" | "tls13". Returns 0 or -1. */
int kgw_tls_version_parse(const char *name, kgw_tls_version_t *out)
    __attribute__((warn_unused_result));

/* Parses "required" | "requested". Returns 0 or -1. */
int kgw_tls_client_auth_parse(const char *name, kgw_tls_client_auth_t *out)
    __attribute__((warn_unused_result));

typedef struct kgw_tls_server_config {
    const char *certificate_file; /* PEM: leaf first, then the chain */
    const char *key_file;         /* PEM private key matching the leaf */
    kgw_tls_version_t min_version;
    kgw_tls_client_auth_t client_auth;
    const char *client_ca_file; /* PEM CAs for client certificates; needed with client_auth */
} kgw_tls_server_config_t;

/* Builds a listener context: certificate chain, key (checked against the
 * leaf), minimum version, renegotiation off, and client verification when
 * asked. Returns NULL with the reason in err: unreadable file (with errno
 * text), no certificate in the file, key that does not match the
 * certificate, bad CA file, missing client CA. */
SSL_CTX *kgw_tls_server_ctx_new(const kgw_tls_server_config_t *cfg, char *err, size_t errlen);

typedef struct kgw_tls_client_config {
    const char *ca_file;          /* NULL: the system's default trust store */
    bool insecure_skip_verify;    /* no certificate or host-name check (tests only) */
    const char *certificate_file; /* mTLS to the backend; NULL: none */
    const char *key_file;
    kgw_tls_version_t min_version;
} kgw_tls_client_config_t;

/* Builds a backend context. Returns NULL with the reason in err. */
SSL_CTX *kgw_tls_client_ctx_new(const kgw_tls_client_config_t *cfg, char *err, size_t errlen);

/* Prepares one backend connection: sets SNI (for a host name, not for an IP
 * literal) and, unless the context skips verification, the expected host
 * name or IP address. Returns 0 or -1 with the reason in err. */
int kgw_tls_client_prepare(SSL *ssl, const char *host, bool verify, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* ---- SNI -------------------------------------------------------------------------------- */

typedef enum kgw_tls_sni_format {
    KGW_TLS_SNI_PER_CLUSTER_SUFFIX = 0, /* bootstrap.<label><sfx>, broker-<id>.<label><sfx> */
    KGW_TLS_SNI_SHARED_SUFFIX,          /* bootstrap-<label><sfx>, broker-<id>-<label><sfx> */
} kgw_tls_sni_format_t;

/* Parses "per_cluster_suffix" | "shared_suffix". Returns 0 or -1. */
int kgw_tls_sni_format_parse(const char *name, kgw_tls_sni_format_t *out)
    __attribute__((warn_unused_result));

#define KGW_TLS_DNS_LABEL_MAX 63
#define KGW_TLS_BOOTSTRAP (-1)

typedef struct kgw_tls_sni_target {
    char dns_label[KGW_TLS_DNS_LABEL_MAX + 1]; /* lower case */
    int32_t broker_id;                         /* KGW_TLS_BOOTSTRAP or >= 0 */
} kgw_tls_sni_target_t;

/* Splits a TLS server name under `suffix` in `format` into the virtual
 * cluster's dns_label and the bootstrap or a broker id. Comparison is case
 * insensitive; the label comes out in lower case and must be a DNS label
 * (1..63 of [a-z0-9-], not starting or ending with '-'); the broker id is a
 * decimal int32 without leading zeros. Returns 0, or -1 when the name does
 * not have that shape (the caller then tries the next rule or refuses the
 * handshake). */
int kgw_tls_sni_parse(const char *server_name, const char *suffix, kgw_tls_sni_format_t format,
                      kgw_tls_sni_target_t *out) __attribute__((warn_unused_result));

/* Builds the host name of a target (for Metadata) into buf. Returns the
 * length, or -1 when buf is too small or the label is not a DNS label. */
int kgw_tls_sni_host(const char *dns_label, const char *suffix, kgw_tls_sni_format_t format,
                     int32_t broker_id, char *buf, size_t cap);

/* True when s is a DNS label as described above (case-insensitive). */
bool kgw_tls_dns_label_valid(const char *s, size_t n);

/* ---- client certificate principal ------------------------------------------------------- */

typedef enum kgw_tls_principal_source {
    KGW_TLS_PRINCIPAL_SUBJECT_CN = 0, /* default */
    KGW_TLS_PRINCIPAL_SAN_DNS,
    KGW_TLS_PRINCIPAL_SAN_EMAIL,
    KGW_TLS_PRINCIPAL_SAN_URI,
    KGW_TLS_PRINCIPAL_SUBJECT, /* the whole subject, RFC 2253 form */
} kgw_tls_principal_source_t;

/* Parses "subject_cn" | "san_dns" | "san_email" | "san_uri" | "subject", and
 * the configuration's `principal_from` names "cn" (= subject_cn) and "dn"
 * (= subject, printed in RFC 2253/4514 form). */
int kgw_tls_principal_source_parse(const char *name, kgw_tls_principal_source_t *out)
    __attribute__((warn_unused_result));

/* Writes the principal taken from cert into buf: the subject CN (exactly one
 * CN required), the first SAN of the given type, or the whole subject.
 * Refuses values with NUL or control characters. Returns 0, or -1 with the
 * reason in err. */
int kgw_tls_peer_principal(X509 *cert, kgw_tls_principal_source_t source, char *buf, size_t cap,
                           char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
