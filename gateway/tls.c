/* TLS contexts, SNI names and certificate principals; see tls.h. */
#include "tls.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

/* ---- small parsers ---------------------------------------------------------------------- */

int
kgw_tls_version_parse(const char *name, kgw_tls_version_t *out)
{
    if (name != NULL && strcmp(name, "tls12") == 0) {
        *out = KGW_TLS_V12;
        return 0;
    }
    if (name != NULL && strcmp(name, "tls13") == 0) {
        *out = KGW_TLS_V13;
        return 0;
    }
    return -1;
}

int
kgw_tls_client_auth_parse(const char *name, kgw_tls_client_auth_t *out)
{
    if (name != NULL && strcmp(name, "required") == 0) {
        *out = KGW_TLS_CLIENT_AUTH_REQUIRED;
        return 0;
    }
    if (name != NULL && strcmp(name, "requested") == 0) {
        *out = KGW_TLS_CLIENT_AUTH_REQUESTED;
        return 0;
    }
    return -1;
}

int
kgw_tls_sni_format_parse(const char *name, kgw_tls_sni_format_t *out)
{
    if (name != NULL && strcmp(name, "per_cluster_suffix") == 0) {
        *out = KGW_TLS_SNI_PER_CLUSTER_SUFFIX;
        return 0;
    }
    if (name != NULL && strcmp(name, "shared_suffix") == 0) {
        *out = KGW_TLS_SNI_SHARED_SUFFIX;
        return 0;
    }
    return -1;
}

int
kgw_tls_principal_source_parse(const char *name, kgw_tls_principal_source_t *out)
{
    static const struct {
        const char *name;
        kgw_tls_principal_source_t v;
    } t[] = {
        {"subject_cn", KGW_TLS_PRINCIPAL_SUBJECT_CN},
        {"san_dns", KGW_TLS_PRINCIPAL_SAN_DNS},
        {"san_email", KGW_TLS_PRINCIPAL_SAN_EMAIL},
        {"san_uri", KGW_TLS_PRINCIPAL_SAN_URI},
        {"subject", KGW_TLS_PRINCIPAL_SUBJECT},
        /* the names config.c accepts for `principal_from` */
        {"cn", KGW_TLS_PRINCIPAL_SUBJECT_CN},
        {"dn", KGW_TLS_PRINCIPAL_SUBJECT},
    };
    for (size_t i = 0; name != NULL && i < sizeof(t) / sizeof(t[0]); i++) {
        if (strcmp(name, t[i].name) == 0) {
            *out = t[i].v;
            return 0;
        }
    }
    return -1;
}

/* ---- contexts --------------------------------------------------------------------------- */

/* Appends the oldest queued OpenSSL error (reason text only) and clears the queue. */
static void
ssl_reason(char *buf, size_t cap)
{
    unsigned long e = ERR_peek_error();
    const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;
    snprintf(buf, cap, "%s", r != NULL ? r : "unknown OpenSSL error");
    ERR_clear_error();
}

static int
readable(const char *what, const char *path, char *err, size_t errlen)
{
    if (path == NULL || path[0] == '\0') {
        snprintf(err, errlen, "%s: no file given", what);
        return -1;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "%s %s: cannot read: %s", what, path, strerror(errno));
        return -1;
    }
    fclose(f);
    return 0;
}

/* Never prompts for a pass phrase: encrypted keys are refused. */
static int
no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

/* Loads certificate chain + key into ctx, checking that they match. */
static int
load_pair(SSL_CTX *ctx, const char *what, const char *cert_file, const char *key_file, char *err,
          size_t errlen)
{
    char why[160];
    EVP_PKEY *key = NULL;
    BIO *bio = NULL;
    int rc = -1;
    if (readable(what, cert_file, err, errlen) != 0 ||
        readable("key_file", key_file, err, errlen) != 0)
        return -1;
    ERR_clear_error();
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
        ssl_reason(why, sizeof(why));
        snprintf(err, errlen, "%s %s: no usable PEM certificate (%s)", what, cert_file, why);
        return -1;
    }
    X509 *leaf = SSL_CTX_get0_certificate(ctx);
    if (leaf == NULL) {
        snprintf(err, errlen, "%s %s: no certificate found", what, cert_file);
        return -1;
    }
    if (X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0) {
        snprintf(err, errlen, "%s %s: the certificate has expired", what, cert_file);
        return -1;
    }
    bio = BIO_new_file(key_file, "rb");
    if (bio == NULL) {
        snprintf(err, errlen, "key_file %s: cannot open", key_file);
        goto done;
    }
    key = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
    if (key == NULL) {
        ssl_reason(why, sizeof(why));
        snprintf(err, errlen,
                 "key_file %s: no usable PEM private key (%s; encrypted keys are not "
                 "supported)",
                 key_file, why);
        goto done;
    }
    if (X509_check_private_key(leaf, key) != 1) {
        ERR_clear_error();
        snprintf(err, errlen, "key_file %s does not match the certificate in %s %s", key_file, what,
                 cert_file);
        goto done;
    }
    if (SSL_CTX_use_PrivateKey(ctx, key) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        ssl_reason(why, sizeof(why));
        snprintf(err, errlen, "key_file %s: OpenSSL refused the key (%s)", key_file, why);
        goto done;
    }
    rc = 0;
done:
    EVP_PKEY_free(key);
    BIO_free(bio);
    return rc;
}

static int
proto_version(kgw_tls_version_t v)
{
    return v == KGW_TLS_V13 ? TLS1_3_VERSION : TLS1_2_VERSION;
}

SSL_CTX *
kgw_tls_server_ctx_new(const kgw_tls_server_config_t *cfg, char *err, size_t errlen)
{
    char why[160];
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) {
        ssl_reason(why, sizeof(why));
        snprintf(err, errlen, "TLS: cannot create a server context (%s)", why);
        return NULL;
    }
    if (SSL_CTX_set_min_proto_version(ctx, proto_version(cfg->min_version)) != 1) {
        snprintf(err, errlen, "TLS: cannot set the minimum version");
        goto fail;
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                 SSL_OP_NO_COMPRESSION);
    if (load_pair(ctx, "certificate_file", cfg->certificate_file, cfg->key_file, err, errlen) != 0)
        goto fail;
    if (cfg->client_auth != KGW_TLS_CLIENT_AUTH_NONE) {
        if (cfg->client_ca_file == NULL) {
            snprintf(err, errlen, "client_authentication: ca_file is required");
            goto fail;
        }
        if (readable("client_authentication ca_file", cfg->client_ca_file, err, errlen) != 0)
            goto fail;
        if (SSL_CTX_load_verify_locations(ctx, cfg->client_ca_file, NULL) != 1) {
            ssl_reason(why, sizeof(why));
            snprintf(err, errlen, "client_authentication ca_file %s: no usable PEM CA (%s)",
                     cfg->client_ca_file, why);
            goto fail;
        }
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(cfg->client_ca_file);
        if (names == NULL) {
            ssl_reason(why, sizeof(why));
            snprintf(err, errlen, "client_authentication ca_file %s: no CA names (%s)",
                     cfg->client_ca_file, why);
            goto fail;
        }
        SSL_CTX_set_client_CA_list(ctx, names);
        int mode = SSL_VERIFY_PEER;
        if (cfg->client_auth == KGW_TLS_CLIENT_AUTH_REQUIRED)
            mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        SSL_CTX_set_verify(ctx, mode, NULL);
        static const unsigned char sid[] = "kgw";
        if (SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1) != 1) {
            snprintf(err, errlen, "TLS: cannot set the session id context");
            goto fail;
        }
    }
    return ctx;
fail:
    SSL_CTX_free(ctx);
    return NULL;
}

SSL_CTX *
kgw_tls_client_ctx_new(const kgw_tls_client_config_t *cfg, char *err, size_t errlen)
{
    char why[160];
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) {
        ssl_reason(why, sizeof(why));
        snprintf(err, errlen, "TLS: cannot create a client context (%s)", why);
        return NULL;
    }
    if (SSL_CTX_set_min_proto_version(ctx, proto_version(cfg->min_version)) != 1) {
        snprintf(err, errlen, "TLS: cannot set the minimum version");
        goto fail;
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    if (cfg->insecure_skip_verify) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    } else {
        if (cfg->ca_file != NULL) {
            if (readable("ca_file", cfg->ca_file, err, errlen) != 0)
                goto fail;
            if (SSL_CTX_load_verify_locations(ctx, cfg->ca_file, NULL) != 1) {
                ssl_reason(why, sizeof(why));
                snprintf(err, errlen, "ca_file %s: no usable PEM CA (%s)", cfg->ca_file, why);
                goto fail;
            }
        } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
            ssl_reason(why, sizeof(why));
            snprintf(err, errlen, "TLS: cannot load the system trust store (%s)", why);
            goto fail;
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    }
    if (cfg->certificate_file != NULL || cfg->key_file != NULL) {
        if (cfg->certificate_file == NULL || cfg->key_file == NULL) {
            snprintf(err, errlen, "client_certificate_file and client_key_file go together");
            goto fail;
        }
        if (load_pair(ctx, "client_certificate_file", cfg->certificate_file, cfg->key_file, err,
                      errlen) != 0)
            goto fail;
    }
    return ctx;
fail:
    SSL_CTX_free(ctx);
    return NULL;
}

int
kgw_tls_client_prepare(SSL *ssl, const char *host, bool verify, char *err, size_t errlen)
{
    unsigned char addr[16];
    if (host == NULL || host[0] == '\0') {
        snprintf(err, errlen, "TLS: no backend host name");
        return -1;
    }
    bool is_ip = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
    if (!is_ip && SSL_set_tlsext_host_name(ssl, host) != 1) {
        snprintf(err, errlen, "TLS: cannot set SNI \"%s\"", host);
        ERR_clear_error();
        return -1;
    }
    if (!verify)
        return 0;
    int ok =
        is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) : SSL_set1_host(ssl, host);
    if (ok != 1) {
        snprintf(err, errlen, "TLS: cannot set the expected peer name \"%s\"", host);
        ERR_clear_error();
        return -1;
    }
    return 0;
}

/* ---- SNI -------------------------------------------------------------------------------- */

bool
kgw_tls_dns_label_valid(const char *s, size_t n)
{
    if (n == 0 || n > KGW_TLS_DNS_LABEL_MAX || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = (char)tolower((unsigned char)s[i]);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

/* Parses a broker id: decimal, no sign, no leading zero, <= INT32_MAX. */
static int
broker_id(const char *s, size_t n, int32_t *out)
{
    if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v > INT32_MAX)
        return -1;
    *out = (int32_t)v;
    return 0;
}

static int
set_label(kgw_tls_sni_target_t *out, const char *s, size_t n)
{
    if (!kgw_tls_dns_label_valid(s, n))
        return -1;
    for (size_t i = 0; i < n; i++)
        out->dns_label[i] = (char)tolower((unsigned char)s[i]);
    out->dns_label[n] = '\0';
    return 0;
}

int
kgw_tls_sni_parse(const char *server_name, const char *suffix, kgw_tls_sni_format_t format,
                  kgw_tls_sni_target_t *out)
{
    memset(out, 0, sizeof(*out));
    if (server_name == NULL || suffix == NULL)
        return -1;
    size_t n = strlen(server_name);
    size_t sn = strlen(suffix);
    if (n > 253 || n <= sn || strcasecmp(server_name + n - sn, suffix) != 0)
        return -1;
    const char *s = server_name;
    size_t rest = n - sn; /* "bootstrap.<label>" etc. */
    char sep = format == KGW_TLS_SNI_PER_CLUSTER_SUFFIX ? '.' : '-';
    if (rest > 10 && strncasecmp(s, "bootstrap", 9) == 0 && s[9] == sep) {
        out->broker_id = KGW_TLS_BOOTSTRAP;
        return set_label(out, s + 10, rest - 10);
    }
    if (rest > 7 && strncasecmp(s, "broker-", 7) == 0) {
        const char *id = s + 7;
        const char *p = id;
        while (p < s + rest && *p >= '0' && *p <= '9')
            p++;
        if (p >= s + rest || *p != sep || broker_id(id, (size_t)(p - id), &out->broker_id) != 0)
            return -1;
        p++;
        return set_label(out, p, (size_t)(s + rest - p));
    }
    return -1;
}

int
kgw_tls_sni_host(const char *dns_label, const char *suffix, kgw_tls_sni_format_t format,
                 int32_t broker_id, char *buf, size_t cap)
{
    if (dns_label == NULL || suffix == NULL ||
        !kgw_tls_dns_label_valid(dns_label, strlen(dns_label)) ||
        (broker_id < 0 && broker_id != KGW_TLS_BOOTSTRAP))
        return -1;
    char sep = format == KGW_TLS_SNI_PER_CLUSTER_SUFFIX ? '.' : '-';
    int n;
    if (broker_id == KGW_TLS_BOOTSTRAP)
        n = snprintf(buf, cap, "bootstrap%c%s%s", sep, dns_label, suffix);
    else
        n = snprintf(buf, cap, "broker-%d%c%s%s", (int)broker_id, sep, dns_label, suffix);
    if (n < 0 || (size_t)n >= cap)
        return -1;
    for (int i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)buf[i]);
    return n;
}

/* ---- principal -------------------------------------------------------------------------- */

static int
copy_value(const unsigned char *s, int n, const char *what, char *buf, size_t cap, char *err,
           size_t errlen)
{
    if (n <= 0) {
        snprintf(err, errlen, "client certificate: %s is empty", what);
        return -1;
    }
    if ((size_t)n >= cap) {
        snprintf(err, errlen, "client certificate: %s is %d bytes, at most %zu allowed", what, n,
                 cap - 1);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (s[i] < 0x20 || s[i] == 0x7f) {
            snprintf(err, errlen, "client certificate: %s holds a NUL or control character", what);
            return -1;
        }
    }
    memcpy(buf, s, (size_t)n);
    buf[n] = '\0';
    return 0;
}

static int
principal_cn(X509 *cert, char *buf, size_t cap, char *err, size_t errlen)
{
    X509_NAME *name = X509_get_subject_name(cert);
    int idx = name != NULL ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;
    if (idx < 0) {
        snprintf(err, errlen, "client certificate: subject has no CN");
        return -1;
    }
    if (X509_NAME_get_index_by_NID(name, NID_commonName, idx) >= 0) {
        snprintf(err, errlen, "client certificate: subject has several CNs (ambiguous)");
        return -1;
    }
    ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char *utf8 = NULL;
    int n = ASN1_STRING_to_UTF8(&utf8, data);
    if (n < 0) {
        ERR_clear_error();
        snprintf(err, errlen, "client certificate: subject CN is not convertible to UTF-8");
        return -1;
    }
    int rc = copy_value(utf8, n, "subject CN", buf, cap, err, errlen);
    OPENSSL_free(utf8);
    return rc;
}

static int
principal_san(X509 *cert, int type, const char *what, char *buf, size_t cap, char *err,
              size_t errlen)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    int rc = -1;
    bool found = false;
    for (int i = 0; names != NULL && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        if (g->type != type)
            continue;
        const ASN1_IA5STRING *s = g->d.ia5;
        rc = copy_value(ASN1_STRING_get0_data(s), ASN1_STRING_length(s), what, buf, cap, err,
                        errlen);
        found = true;
        break;
    }
    if (!found)
        snprintf(err, errlen, "client certificate: no %s subject alternative name", what);
    GENERAL_NAMES_free(names);
    return rc;
}

static int
principal_subject(X509 *cert, char *buf, size_t cap, char *err, size_t errlen)
{
    BIO *mem = BIO_new(BIO_s_mem());
    char *p = NULL;
    int rc = -1;
    if (mem == NULL ||
        X509_NAME_print_ex(mem, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0) {
        snprintf(err, errlen, "client certificate: cannot print the subject");
        goto done;
    }
    long n = BIO_get_mem_data(mem, &p);
    rc = copy_value((const unsigned char *)p, (int)n, "subject", buf, cap, err, errlen);
done:
    BIO_free(mem);
    return rc;
}

int
kgw_tls_peer_principal(X509 *cert, kgw_tls_principal_source_t source, char *buf, size_t cap,
                       char *err, size_t errlen)
{
    if (cert == NULL) {
        snprintf(err, errlen, "no client certificate");
        return -1;
    }
    if (buf == NULL || cap == 0) {
        snprintf(err, errlen, "no room for the principal");
        return -1;
    }
    switch (source) {
    case KGW_TLS_PRINCIPAL_SUBJECT_CN:
        return principal_cn(cert, buf, cap, err, errlen);
    case KGW_TLS_PRINCIPAL_SAN_DNS:
        return principal_san(cert, GEN_DNS, "DNS", buf, cap, err, errlen);
    case KGW_TLS_PRINCIPAL_SAN_EMAIL:
        return principal_san(cert, GEN_EMAIL, "email", buf, cap, err, errlen);
    case KGW_TLS_PRINCIPAL_SAN_URI:
        return principal_san(cert, GEN_URI, "URI", buf, cap, err, errlen);
    case KGW_TLS_PRINCIPAL_SUBJECT:
        return principal_subject(cert, buf, cap, err, errlen);
    }
    snprintf(err, errlen, "unknown principal source %d", (int)source);
    return -1;
}
