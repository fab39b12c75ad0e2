/* TLS: contexts from certificates generated here (a CA, a server certificate
 * with a wildcard SAN, a client certificate), clear errors for unreadable,
 * garbage, expired and mismatched files, real in-memory handshakes (mTLS,
 * host-name checks, minimum version), the SNI name table and client
 * certificate principals. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tls.h"

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: %s failed\n", __FILE__, __LINE__, #cond);                      \
            ERR_print_errors_fp(stderr);                                                           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static char dir[64];
static char path_ca[128], path_server_chain[128], path_server_key[128], path_other_key[128];
static char path_client_cert[128], path_client_key[128], path_garbage[128], path_expired[128];
static X509 *client_cert;  /* CN alice, SANs */
static X509 *nocn_cert;    /* no CN, no SAN */
static X509 *multicn_cert; /* two CNs */

/* ---- certificate factory (runs in main, outside Check tests) ---------------------------- */

static void
add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    REQUIRE(e != NULL);
    REQUIRE(X509_add_ext(x, e, -1) == 1);
    X509_EXTENSION_free(e);
}

static X509 *
make_cert(EVP_PKEY *key, const char *cn, const char *cn2, X509 *issuer, EVP_PKEY *issuer_key,
          int ca, const char *san, long not_after_seconds)
{
    static long serial = 1;
    X509 *x = X509_new();
    REQUIRE(x != NULL);
    REQUIRE(X509_set_version(x, 2) == 1);
    REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++) == 1);
    REQUIRE(X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL);
    REQUIRE(X509_gmtime_adj(X509_getm_notAfter(x), not_after_seconds) != NULL);
    REQUIRE(X509_set_pubkey(x, key) == 1);
    X509_NAME *name = X509_get_subject_name(x);
    REQUIRE(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"kgw tests",
                                       -1, -1, 0) == 1);
    if (cn != NULL)
        REQUIRE(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
                                           -1, 0) == 1);
    if (cn2 != NULL)
        REQUIRE(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn2, -1,
                                           -1, 0) == 1);
    REQUIRE(X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name) == 1);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    add_ext(x, &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
    if (ca)
        add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(x, &ctx, NID_subject_key_identifier, "hash");
    if (san != NULL)
        add_ext(x, &ctx, NID_subject_alt_name, san);
    REQUIRE(X509_sign(x, issuer_key != NULL ? issuer_key : key, EVP_sha256()) > 0);
    return x;
}

static EVP_PKEY *
new_key(void)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    REQUIRE(k != NULL);
    return k;
}

static void
write_pem(const char *path, X509 *c1, X509 *c2, EVP_PKEY *key)
{
    FILE *f = fopen(path, "w");
    REQUIRE(f != NULL);
    if (c1 != NULL)
        REQUIRE(PEM_write_X509(f, c1) == 1);
    if (c2 != NULL)
        REQUIRE(PEM_write_X509(f, c2) == 1);
    if (key != NULL)
        REQUIRE(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1);
    REQUIRE(fclose(f) == 0);
}

static void
make_files(void)
{
    snprintf(dir, sizeof(dir), "/tmp/kgw-tls-XXXXXX");
    REQUIRE(mkdtemp(dir) != NULL);
#define P(var, name) snprintf(var, sizeof(var), "%s/%s", dir, name)
    P(path_ca, "ca.pem");
    P(path_server_chain, "server-chain.pem");
    P(path_server_key, "server.key");
    P(path_other_key, "other.key");
    P(path_client_cert, "client.pem");
    P(path_client_key, "client.key");
    P(path_garbage, "garbage.pem");
    P(path_expired, "expired.pem");
#undef P
    EVP_PKEY *ca_key = new_key();
    EVP_PKEY *server_key = new_key();
    EVP_PKEY *other_key = new_key();
    EVP_PKEY *client_key = new_key();
    X509 *ca = make_cert(ca_key, "kgw test CA", NULL, NULL, NULL, 1, NULL, 86400);
    X509 *server = make_cert(server_key, "gateway", NULL, ca, ca_key, 0,
                             "DNS:*.team-a.gw.example.com,DNS:localhost,IP:127.0.0.1", 86400);
    client_cert = make_cert(client_key, "alice", NULL, ca, ca_key, 0,
                            "email:alice@example.com,URI:spiffe://example.com/alice,"
                            "DNS:alice.clients.example.com",
                            86400);
    nocn_cert = make_cert(client_key, NULL, NULL, ca, ca_key, 0, NULL, 86400);
    multicn_cert = make_cert(client_key, "alice", "bob", ca, ca_key, 0, NULL, 86400);
    X509 *expired = make_cert(server_key, "old", NULL, ca, ca_key, 0, NULL, -60);
    write_pem(path_ca, ca, NULL, NULL);
    write_pem(path_server_chain, server, ca, NULL);
    write_pem(path_server_key, NULL, NULL, server_key);
    write_pem(path_other_key, NULL, NULL, other_key);
    write_pem(path_client_cert, client_cert, NULL, NULL);
    write_pem(path_client_key, NULL, NULL, client_key);
    write_pem(path_expired, expired, NULL, NULL);
    FILE *f = fopen(path_garbage, "w");
    REQUIRE(f != NULL && fputs("this is not PEM\n", f) >= 0 && fclose(f) == 0);
    X509_free(ca);
    X509_free(server);
    X509_free(expired);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(server_key);
    EVP_PKEY_free(other_key);
    EVP_PKEY_free(client_key);
}

/* ---- contexts --------------------------------------------------------------------------- */

static SSL_CTX *
server_ctx(kgw_tls_client_auth_t auth, kgw_tls_version_t min)
{
    kgw_tls_server_config_t cfg = {.certificate_file = path_server_chain,
                                   .key_file = path_server_key,
                                   .min_version = min,
                                   .client_auth = auth,
                                   .client_ca_file = path_ca};
    char err[512] = "";
    SSL_CTX *ctx = kgw_tls_server_ctx_new(&cfg, err, sizeof(err));
    ck_assert_msg(ctx != NULL, "%s", err);
    return ctx;
}

static SSL_CTX *
client_ctx(bool with_cert, bool skip_verify)
{
    kgw_tls_client_config_t cfg = {.ca_file = path_ca,
                                   .insecure_skip_verify = skip_verify,
                                   .certificate_file = with_cert ? path_client_cert : NULL,
                                   .key_file = with_cert ? path_client_key : NULL,
                                   .min_version = KGW_TLS_V12};
    char err[512] = "";
    SSL_CTX *ctx = kgw_tls_client_ctx_new(&cfg, err, sizeof(err));
    ck_assert_msg(ctx != NULL, "%s", err);
    return ctx;
}

static const char *
server_error(const char *cert, const char *key, kgw_tls_client_auth_t auth, const char *ca,
             char *err, size_t errlen)
{
    kgw_tls_server_config_t cfg = {.certificate_file = cert,
                                   .key_file = key,
                                   .min_version = KGW_TLS_V12,
                                   .client_auth = auth,
                                   .client_ca_file = ca};
    err[0] = '\0';
    SSL_CTX *ctx = kgw_tls_server_ctx_new(&cfg, err, errlen);
    ck_assert_ptr_null(ctx);
    return err;
}

START_TEST(test_server_ctx_errors)
{
    char err[512];
    char exp[512];
    SSL_CTX_free(server_ctx(KGW_TLS_CLIENT_AUTH_NONE, KGW_TLS_V12));
    SSL_CTX_free(server_ctx(KGW_TLS_CLIENT_AUTH_REQUIRED, KGW_TLS_V13));

    server_error(path_server_chain, path_other_key, KGW_TLS_CLIENT_AUTH_NONE, NULL, err,
                 sizeof(err));
    snprintf(exp, sizeof(exp), "key_file %s does not match the certificate in certificate_file %s",
             path_other_key, path_server_chain);
    ck_assert_str_eq(err, exp);

    char missing[160];
    snprintf(missing, sizeof(missing), "%s/nope.pem", dir);
    server_error(missing, path_server_key, KGW_TLS_CLIENT_AUTH_NONE, NULL, err, sizeof(err));
    snprintf(exp, sizeof(exp), "certificate_file %s: cannot read: No such file or directory",
             missing);
    ck_assert_str_eq(err, exp);
    server_error(path_server_chain, missing, KGW_TLS_CLIENT_AUTH_NONE, NULL, err, sizeof(err));
    snprintf(exp, sizeof(exp), "key_file %s: cannot read: No such file or directory", missing);
    ck_assert_str_eq(err, exp);

    server_error(path_garbage, path_server_key, KGW_TLS_CLIENT_AUTH_NONE, NULL, err, sizeof(err));
    ck_assert_msg(strstr(err, path_garbage) && strstr(err, "no usable PEM certificate"), "%s", err);
    server_error(path_server_chain, path_garbage, KGW_TLS_CLIENT_AUTH_NONE, NULL, err, sizeof(err));
    ck_assert_msg(strstr(err, path_garbage) && strstr(err, "no usable PEM private key"), "%s", err);
    /* A certificate file given as the key: still a clear "no private key". */
    server_error(path_server_chain, path_ca, KGW_TLS_CLIENT_AUTH_NONE, NULL, err, sizeof(err));
    ck_assert_msg(strstr(err, "no usable PEM private key"), "%s", err);
    server_error(path_expired, path_server_key, KGW_TLS_CLIENT_AUTH_NONE, NULL, err, sizeof(err));
    ck_assert_msg(strstr(err, path_expired) && strstr(err, "has expired"), "%s", err);

    server_error(path_server_chain, path_server_key, KGW_TLS_CLIENT_AUTH_REQUIRED, NULL, err,
                 sizeof(err));
    ck_assert_str_eq(err, "client_authentication: ca_file is required");
    server_error(path_server_chain, path_server_key, KGW_TLS_CLIENT_AUTH_REQUESTED, path_garbage,
                 err, sizeof(err));
    ck_assert_msg(strstr(err, "client_authentication ca_file") && strstr(err, path_garbage), "%s",
                  err);

    kgw_tls_client_config_t cc = {.ca_file = missing};
    ck_assert_ptr_null(kgw_tls_client_ctx_new(&cc, err, sizeof(err)));
    ck_assert_msg(strstr(err, "ca_file") && strstr(err, "No such file"), "%s", err);
    kgw_tls_client_config_t cc2 = {.ca_file = path_ca, .certificate_file = path_client_cert};
    ck_assert_ptr_null(kgw_tls_client_ctx_new(&cc2, err, sizeof(err)));
    ck_assert_str_eq(err, "client_certificate_file and client_key_file go together");
    kgw_tls_client_config_t cc3 = {
        .ca_file = path_ca, .certificate_file = path_client_cert, .key_file = path_server_key};
    ck_assert_ptr_null(kgw_tls_client_ctx_new(&cc3, err, sizeof(err)));
    ck_assert_msg(strstr(err, "does not match the certificate in client_certificate_file"), "%s",
                  err);
}
END_TEST

/* Runs a handshake over a BIO pair, bounded in rounds. Returns 1 when both
 * sides completed, 0 otherwise. */
static int
handshake(SSL *client, SSL *server)
{
    BIO *cb = NULL;
    BIO *sb = NULL;
    ck_assert_int_eq(BIO_new_bio_pair(&cb, 0, &sb, 0), 1);
    SSL_set_bio(client, cb, cb);
    SSL_set_bio(server, sb, sb);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    int c_done = 0;
    int s_done = 0;
    for (int round = 0; round < 50 && !(c_done && s_done); round++) {
        if (!c_done) {
            int r = SSL_do_handshake(client);
            if (r == 1)
                c_done = 1;
            else if (SSL_get_error(client, r) != SSL_ERROR_WANT_READ)
                return 0;
        }
        if (!s_done) {
            int r = SSL_do_handshake(server);
            if (r == 1)
                s_done = 1;
            else if (SSL_get_error(server, r) != SSL_ERROR_WANT_READ)
                return 0;
        }
    }
    if (c_done && s_done) {
        /* TLS 1.3: the server's verdict on the client certificate arrives
         * after the client finished; a round of data settles it. */
        char buf[8];
        if (SSL_write(client, "ping", 4) != 4 || SSL_read(server, buf, sizeof(buf)) != 4)
            return 0;
        if (SSL_write(server, "pong", 4) != 4 || SSL_read(client, buf, sizeof(buf)) != 4)
            return 0;
        return 1;
    }
    return 0;
}

START_TEST(test_handshake_sni_and_mtls)
{
    SSL_CTX *sctx = server_ctx(KGW_TLS_CLIENT_AUTH_REQUIRED, KGW_TLS_V12);
    SSL_CTX *cctx = client_ctx(true, false);
    SSL *s = SSL_new(sctx);
    SSL *c = SSL_new(cctx);
    char err[256] = "";
    ck_assert_int_eq(
        kgw_tls_client_prepare(c, "Broker-2.team-a.gw.example.com", true, err, sizeof(err)), 0);
    ck_assert_int_eq(handshake(c, s), 1);
    ck_assert_int_eq(SSL_get_verify_result(c), X509_V_OK);
    ck_assert_int_eq(SSL_get_verify_result(s), X509_V_OK);
    /* The server sees the name and routes it. */
    const char *sni = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
    ck_assert_str_eq(sni, "Broker-2.team-a.gw.example.com");
    kgw_tls_sni_target_t t;
    ck_assert_int_eq(kgw_tls_sni_parse(sni, ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX, &t),
                     0);
    ck_assert_str_eq(t.dns_label, "team-a");
    ck_assert_int_eq(t.broker_id, 2);
    /* And the principal of the client certificate. */
    X509 *peer = SSL_get0_peer_certificate(s);
    ck_assert_ptr_nonnull(peer);
    char who[256];
    ck_assert_int_eq(kgw_tls_peer_principal(peer, KGW_TLS_PRINCIPAL_SUBJECT_CN, who, sizeof(who),
                                            err, sizeof(err)),
                     0);
    ck_assert_str_eq(who, "alice");
    SSL_free(c);
    SSL_free(s);

    /* Required client certificate missing: the handshake fails. */
    SSL_CTX *nocert = client_ctx(false, false);
    s = SSL_new(sctx);
    c = SSL_new(nocert);
    ck_assert_int_eq(kgw_tls_client_prepare(c, "localhost", true, err, sizeof(err)), 0);
    ck_assert_int_eq(handshake(c, s), 0);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    ERR_clear_error();

    /* Requested: no certificate is fine, there is just no peer certificate. */
    sctx = server_ctx(KGW_TLS_CLIENT_AUTH_REQUESTED, KGW_TLS_V12);
    s = SSL_new(sctx);
    c = SSL_new(nocert);
    ck_assert_int_eq(kgw_tls_client_prepare(c, "127.0.0.1", true, err, sizeof(err)), 0);
    ck_assert_int_eq(handshake(c, s), 1); /* IP SAN verified */
    ck_assert_ptr_null(SSL_get0_peer_certificate(s));
    ck_assert_int_eq(kgw_tls_peer_principal(NULL, KGW_TLS_PRINCIPAL_SUBJECT_CN, who, sizeof(who),
                                            err, sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "no client certificate");
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(nocert);
    SSL_CTX_free(cctx);
}
END_TEST

START_TEST(test_handshake_verification_failures)
{
    SSL_CTX *sctx = server_ctx(KGW_TLS_CLIENT_AUTH_NONE, KGW_TLS_V13);
    SSL_CTX *cctx = client_ctx(false, false);
    char err[256];
    /* A name the certificate does not cover (the wildcard covers one label). */
    SSL *s = SSL_new(sctx);
    SSL *c = SSL_new(cctx);
    ck_assert_int_eq(
        kgw_tls_client_prepare(c, "x.broker.team-a.gw.example.com", true, err, sizeof(err)), 0);
    ck_assert_int_eq(handshake(c, s), 0);
    ck_assert_int_eq(SSL_get_verify_result(c), X509_V_ERR_HOSTNAME_MISMATCH);
    SSL_free(c);
    SSL_free(s);
    ERR_clear_error();
    /* insecure_skip_verify accepts it. */
    SSL_CTX *insecure = client_ctx(false, true);
    s = SSL_new(sctx);
    c = SSL_new(insecure);
    ck_assert_int_eq(
        kgw_tls_client_prepare(c, "x.broker.team-a.gw.example.com", false, err, sizeof(err)), 0);
    ck_assert_int_eq(handshake(c, s), 1);
    SSL_free(c);
    SSL_free(s);
    /* min_version tls13 refuses a TLS 1.2-only client. */
    ck_assert_int_eq(SSL_CTX_set_max_proto_version(cctx, TLS1_2_VERSION), 1);
    s = SSL_new(sctx);
    c = SSL_new(cctx);
    ck_assert_int_eq(kgw_tls_client_prepare(c, "localhost", true, err, sizeof(err)), 0);
    ck_assert_int_eq(handshake(c, s), 0);
    SSL_free(c);
    SSL_free(s);
    ERR_clear_error();
    SSL_CTX_free(insecure);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}
END_TEST

START_TEST(test_sni_table)
{
    static const struct {
        const char *name;
        const char *suffix;
        kgw_tls_sni_format_t fmt;
        int rc;
        const char *label;
        int32_t id;
    } t[] = {
        {"bootstrap.team-a.gw.example.com", ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX, 0,
         "team-a", KGW_TLS_BOOTSTRAP},
        {"broker-0.team-a.gw.example.com", ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX, 0,
         "team-a", 0},
        {"BROKER-17.Team-A.GW.Example.COM", ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX, 0,
         "team-a", 17},
        {"broker-2147483647.t1.gw.example.com", ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX,
         0, "t1", 2147483647},
        {"bootstrap-team-a.gw.example.com", ".gw.example.com", KGW_TLS_SNI_SHARED_SUFFIX, 0,
         "team-a", KGW_TLS_BOOTSTRAP},
        {"broker-3-team-a.gw.example.com", ".gw.example.com", KGW_TLS_SNI_SHARED_SUFFIX, 0,
         "team-a", 3},
        {"Broker-3-Team-A.gw.example.com", ".GW.example.com", KGW_TLS_SNI_SHARED_SUFFIX, 0,
         "team-a", 3},
        {"broker-3-4-x.gw.example.com", ".gw.example.com", KGW_TLS_SNI_SHARED_SUFFIX, 0, "4-x", 3},
        {"bootstrap-broker-1-x.gw.example.com", ".gw.example.com", KGW_TLS_SNI_SHARED_SUFFIX, 0,
         "broker-1-x", KGW_TLS_BOOTSTRAP},
        /* refused shapes */
        {"bootstrap.team-a.gw.example.org", ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX, -1,
         "", 0},
        {"bootstrap-team-a.gw.example.com", ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX, -1,
         "", 0},
        {"bootstrap.team-a.gw.example.com", ".gw.example.com", KGW_TLS_SNI_SHARED_SUFFIX, -1, "",
         0},
        {"bootstrap..gw.example.com", ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX, -1, "", 0},
        {"bootstrap.a.b.gw.example.com", ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX, -1, "",
         0},
        {"broker-.team-a.gw.example.com", ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX, -1, "",
         0},
        {"broker-01.team-a.gw.example.com", ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX, -1,
         "", 0},
        {"broker-2147483648.t.gw.example.com", ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX,
         -1, "", 0},
        {"broker--1.t.gw.example.com", ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX, -1, "",
         0},
        {"broker-1x.t.gw.example.com", ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX, -1, "",
         0},
        {"broker-1.-t.gw.example.com", ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX, -1, "",
         0},
        {"broker-1.t_x.gw.example.com", ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX, -1, "",
         0},
        {"kafka.team-a.gw.example.com", ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX, -1, "",
         0},
        {".gw.example.com", ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX, -1, "", 0},
        {"bootstrap.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.gw.example."
         "com",
         ".gw.example.com", KGW_TLS_SNI_PER_CLUSTER_SUFFIX, -1, "", 0}, /* 64-char label */
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        kgw_tls_sni_target_t out;
        int rc = kgw_tls_sni_parse(t[i].name, t[i].suffix, t[i].fmt, &out);
        ck_assert_msg(rc == t[i].rc, "case %zu (%s): rc %d", i, t[i].name, rc);
        if (rc == 0) {
            ck_assert_str_eq(out.dns_label, t[i].label);
            ck_assert_int_eq(out.broker_id, t[i].id);
            /* Building the name back gives the canonical lower-case form. */
            char host[300];
            ck_assert_int_gt(kgw_tls_sni_host(out.dns_label, t[i].suffix, t[i].fmt, out.broker_id,
                                              host, sizeof(host)),
                             0);
            ck_assert_int_eq(strcasecmp(host, t[i].name), 0);
        }
    }
    char host[64];
    ck_assert_int_eq(kgw_tls_sni_host("team-a", ".gw.example.com", KGW_TLS_SNI_SHARED_SUFFIX, 5,
                                      host, sizeof(host)),
                     (int)strlen("broker-5-team-a.gw.example.com"));
    ck_assert_str_eq(host, "broker-5-team-a.gw.example.com");
    ck_assert_int_eq(
        kgw_tls_sni_host("team_a", ".x", KGW_TLS_SNI_SHARED_SUFFIX, 5, host, sizeof(host)), -1);
    ck_assert_int_eq(
        kgw_tls_sni_host("team-a", ".gw.example.com", KGW_TLS_SNI_SHARED_SUFFIX, 5, host, 10), -1);
    kgw_tls_sni_format_t f;
    ck_assert_int_eq(kgw_tls_sni_format_parse("shared_suffix", &f), 0);
    ck_assert_int_eq(f, KGW_TLS_SNI_SHARED_SUFFIX);
    ck_assert_int_eq(kgw_tls_sni_format_parse("shared", &f), -1);
}
END_TEST

START_TEST(test_principals)
{
    char who[256];
    char err[256];
    static const struct {
        kgw_tls_principal_source_t src;
        const char *want;
    } ok[] = {
        {KGW_TLS_PRINCIPAL_SUBJECT_CN, "alice"},
        {KGW_TLS_PRINCIPAL_SAN_EMAIL, "alice@example.com"},
        {KGW_TLS_PRINCIPAL_SAN_URI, "spiffe://example.com/alice"},
        {KGW_TLS_PRINCIPAL_SAN_DNS, "alice.clients.example.com"},
        {KGW_TLS_PRINCIPAL_SUBJECT, "CN=alice,O=kgw tests"},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        ck_assert_msg(
            kgw_tls_peer_principal(client_cert, ok[i].src, who, sizeof(who), err, sizeof(err)) == 0,
            "%s", err);
        ck_assert_str_eq(who, ok[i].want);
    }
    ck_assert_int_eq(kgw_tls_peer_principal(nocn_cert, KGW_TLS_PRINCIPAL_SUBJECT_CN, who,
                                            sizeof(who), err, sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "client certificate: subject has no CN");
    ck_assert_int_eq(kgw_tls_peer_principal(nocn_cert, KGW_TLS_PRINCIPAL_SAN_EMAIL, who,
                                            sizeof(who), err, sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "client certificate: no email subject alternative name");
    ck_assert_int_eq(kgw_tls_peer_principal(multicn_cert, KGW_TLS_PRINCIPAL_SUBJECT_CN, who,
                                            sizeof(who), err, sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "client certificate: subject has several CNs (ambiguous)");
    ck_assert_int_eq(
        kgw_tls_peer_principal(client_cert, KGW_TLS_PRINCIPAL_SAN_EMAIL, who, 5, err, sizeof(err)),
        -1);
    ck_assert_str_eq(err, "client certificate: email is 17 bytes, at most 4 allowed");

    kgw_tls_principal_source_t src;
    ck_assert_int_eq(kgw_tls_principal_source_parse("san_uri", &src), 0);
    ck_assert_int_eq(src, KGW_TLS_PRINCIPAL_SAN_URI);
    ck_assert_int_eq(kgw_tls_principal_source_parse("dn", &src), 0);
    ck_assert_int_eq(src, KGW_TLS_PRINCIPAL_SUBJECT);
    ck_assert_int_eq(kgw_tls_principal_source_parse("cn", &src), 0);
    ck_assert_int_eq(src, KGW_TLS_PRINCIPAL_SUBJECT_CN);
    ck_assert_int_eq(kgw_tls_principal_source_parse("common_name", &src), -1);
    kgw_tls_version_t v;
    ck_assert_int_eq(kgw_tls_version_parse("tls13", &v), 0);
    ck_assert_int_eq(v, KGW_TLS_V13);
    ck_assert_int_eq(kgw_tls_version_parse("tls11", &v), -1);
    kgw_tls_client_auth_t a;
    ck_assert_int_eq(kgw_tls_client_auth_parse("requested", &a), 0);
    ck_assert_int_eq(a, KGW_TLS_CLIENT_AUTH_REQUESTED);
    ck_assert_int_eq(kgw_tls_client_auth_parse("optional", &a), -1);
}
END_TEST

static Suite *
tls_suite(void)
{
    Suite *s = suite_create("tls");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_server_ctx_errors);
    tcase_add_test(tc, test_handshake_sni_and_mtls);
    tcase_add_test(tc, test_handshake_verification_failures);
    tcase_add_test(tc, test_sni_table);
    tcase_add_test(tc, test_principals);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    make_files();
    SRunner *sr = srunner_create(tls_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    const char *const files[] = {path_ca,        path_server_chain, path_server_key,
                                 path_other_key, path_client_cert,  path_client_key,
                                 path_garbage,   path_expired};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        unlink(files[i]);
    rmdir(dir);
    X509_free(client_cert);
    X509_free(nocn_cert);
    X509_free(multicn_cert);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
