/* SCRAM-SHA-256/512: the RFC 7677 test vector on both sides, full client <->
 * server exchanges in both algorithms, and every way a login must fail:
 * wrong password, unknown user, tampered proof, bad nonce, malformed
 * messages, weak iteration counts, a server that does not know the key. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sasl_scram.h"

#define RFC_CLIENT_NONCE "rOprNGfwEbeRWgbNEkqO"
#define RFC_SERVER_NONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
#define RFC_SALT "W22ZaJ0SNY7soEsUEjb6gQ=="
#define RFC_CLIENT_FIRST "n,,n=user,r=" RFC_CLIENT_NONCE
#define RFC_SERVER_FIRST "r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=" RFC_SALT ",i=4096"
#define RFC_CLIENT_FINAL                                                                           \
    "c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",p=dHzbZapWIk4jUhN+"                            \
    "Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define RFC_SERVER_FINAL "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

/* A tiny user table for the server's lookup callback. */
typedef struct users {
    const char *names[4];
    kgw_scram_credential_t creds[4];
    size_t n;
    int lookups;
} users_t;

static const kgw_scram_credential_t *
lookup(void *ctx, const char *user)
{
    users_t *u = ctx;
    u->lookups++;
    for (size_t i = 0; i < u->n; i++)
        if (strcmp(u->names[i], user) == 0)
            return &u->creds[i];
    return NULL;
}

static void
add_user(users_t *u, kgw_scram_alg_t alg, const char *name, const char *password)
{
    char err[256] = "";
    u->names[u->n] = name;
    ck_assert_msg(kgw_scram_credential_derive(alg, password, NULL, 0, 4096, &u->creds[u->n], err,
                                              sizeof(err)) == 0,
                  "%s", err);
    u->n++;
}

static const uint8_t *
b(const char *s)
{
    return (const uint8_t *)s;
}

START_TEST(test_rfc7677_vector_server)
{
    uint8_t salt[32];
    int n = EVP_DecodeBlock(salt, b(RFC_SALT), (int)strlen(RFC_SALT));
    ck_assert_int_eq(n, 18); /* 16 bytes + 2 padding */
    users_t u = {.names = {"user"}, .n = 1};
    char err[256] = "";
    ck_assert_int_eq(kgw_scram_credential_derive(KGW_SCRAM_SHA_256, "pencil", salt, 16, 4096,
                                                 &u.creds[0], err, sizeof(err)),
                     0);
    kgw_scram_server_t *srv = kgw_scram_server_new(KGW_SCRAM_SHA_256, lookup, &u);
    ck_assert_ptr_nonnull(srv);
    const char *out = NULL;
    size_t out_len = 0;
    ck_assert_msg(kgw_scram_server_first(srv, b(RFC_CLIENT_FIRST), strlen(RFC_CLIENT_FIRST),
                                         RFC_SERVER_NONCE, &out, &out_len, err, sizeof(err)) == 0,
                  "%s", err);
    ck_assert_str_eq(out, RFC_SERVER_FIRST);
    ck_assert_uint_eq(out_len, strlen(RFC_SERVER_FIRST));
    ck_assert(!kgw_scram_server_authenticated(srv));
    ck_assert_msg(kgw_scram_server_final(srv, b(RFC_CLIENT_FINAL), strlen(RFC_CLIENT_FINAL), &out,
                                         &out_len, err, sizeof(err)) == 0,
                  "%s", err);
    ck_assert_str_eq(out, RFC_SERVER_FINAL);
    ck_assert(kgw_scram_server_authenticated(srv));
    ck_assert_str_eq(kgw_scram_server_user(srv), "user");
    kgw_scram_server_free(srv);
}
END_TEST

START_TEST(test_rfc7677_vector_client)
{
    char err[256] = "";
    kgw_scram_client_t *c =
        kgw_scram_client_new(KGW_SCRAM_SHA_256, "user", "pencil", err, sizeof(err));
    ck_assert_ptr_nonnull(c);
    const char *out = NULL;
    size_t out_len = 0;
    ck_assert_int_eq(kgw_scram_client_first(c, RFC_CLIENT_NONCE, &out, &out_len, err, sizeof(err)),
                     0);
    ck_assert_str_eq(out, RFC_CLIENT_FIRST);
    ck_assert_msg(kgw_scram_client_final(c, b(RFC_SERVER_FIRST), strlen(RFC_SERVER_FIRST), &out,
                                         &out_len, err, sizeof(err)) == 0,
                  "%s", err);
    ck_assert_str_eq(out, RFC_CLIENT_FINAL);
    ck_assert_int_eq(
        kgw_scram_client_verify(c, b(RFC_SERVER_FINAL), strlen(RFC_SERVER_FINAL), err, sizeof(err)),
        0);
    kgw_scram_client_free(c);
}
END_TEST

/* SCRAM-SHA-512 has no RFC vector: these messages were computed with an
 * independent implementation (Python hashlib.pbkdf2_hmac + hmac, RFC 5802
 * formulas) for the RFC 7677 inputs with SHA-512. */
#define SHA512_CLIENT_FINAL                                                                        \
    "c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE                                                  \
    ",p=gMGXRcevScNtxZ6/8lQYpGtnsNAc3mGcmNomv+xnoOMw+3R2xNJdMNnzMlTN8PPC6wdp6dybEmDYXYTxwnYPJQ=="
#define SHA512_SERVER_FINAL                                                                        \
    "v=ZQnYEgWQMFmmsM8aQMF0nDDCy/AgCzkwk8CmMZYcMg0vSVlKDanekLtifDSeVGT4+5ZxXnJq199RVG2rR7N7Zw=="

START_TEST(test_sha512_known_answer)
{
    uint8_t salt[32];
    ck_assert_int_eq(EVP_DecodeBlock(salt, b(RFC_SALT), (int)strlen(RFC_SALT)), 18);
    users_t u = {.names = {"user"}, .n = 1};
    char err[256] = "";
    ck_assert_int_eq(kgw_scram_credential_derive(KGW_SCRAM_SHA_512, "pencil", salt, 16, 4096,
                                                 &u.creds[0], err, sizeof(err)),
                     0);
    kgw_scram_server_t *srv = kgw_scram_server_new(KGW_SCRAM_SHA_512, lookup, &u);
    const char *out;
    size_t n;
    ck_assert_int_eq(kgw_scram_server_first(srv, b(RFC_CLIENT_FIRST), strlen(RFC_CLIENT_FIRST),
                                            RFC_SERVER_NONCE, &out, &n, err, sizeof(err)),
                     0);
    ck_assert_str_eq(out, RFC_SERVER_FIRST);
    ck_assert_msg(kgw_scram_server_final(srv, b(SHA512_CLIENT_FINAL), strlen(SHA512_CLIENT_FINAL),
                                         &out, &n, err, sizeof(err)) == 0,
                  "%s", err);
    ck_assert_str_eq(out, SHA512_SERVER_FINAL);
    kgw_scram_server_free(srv);

    kgw_scram_client_t *c =
        kgw_scram_client_new(KGW_SCRAM_SHA_512, "user", "pencil", err, sizeof(err));
    ck_assert_int_eq(kgw_scram_client_first(c, RFC_CLIENT_NONCE, &out, &n, err, sizeof(err)), 0);
    ck_assert_int_eq(kgw_scram_client_final(c, b(RFC_SERVER_FIRST), strlen(RFC_SERVER_FIRST), &out,
                                            &n, err, sizeof(err)),
                     0);
    ck_assert_str_eq(out, SHA512_CLIENT_FINAL);
    ck_assert_int_eq(kgw_scram_client_verify(c, b(SHA512_SERVER_FINAL), strlen(SHA512_SERVER_FINAL),
                                             err, sizeof(err)),
                     0);
    kgw_scram_client_free(c);
}
END_TEST

/* Runs a whole exchange; returns 0 when both sides accept, else -1 with the
 * failing side's reason in err. */
static int
exchange(kgw_scram_alg_t server_alg, users_t *u, kgw_scram_alg_t client_alg, const char *user,
         const char *password, char *err, size_t errlen, char *authed, size_t authed_cap)
{
    const char *m1;
    const char *m2;
    const char *m3;
    const char *m4;
    size_t n1;
    size_t n2;
    size_t n3;
    size_t n4;
    int rc = -1;
    kgw_scram_client_t *c = kgw_scram_client_new(client_alg, user, password, err, errlen);
    kgw_scram_server_t *s = kgw_scram_server_new(server_alg, lookup, u);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_nonnull(s);
    if (kgw_scram_client_first(c, NULL, &m1, &n1, err, errlen) != 0 ||
        kgw_scram_server_first(s, b(m1), n1, NULL, &m2, &n2, err, errlen) != 0 ||
        kgw_scram_client_final(c, b(m2), n2, &m3, &n3, err, errlen) != 0 ||
        kgw_scram_server_final(s, b(m3), n3, &m4, &n4, err, errlen) != 0 ||
        kgw_scram_client_verify(c, b(m4), n4, err, errlen) != 0)
        goto done;
    if (authed != NULL)
        snprintf(authed, authed_cap, "%s", kgw_scram_server_user(s));
    rc = 0;
done:
    kgw_scram_client_free(c);
    kgw_scram_server_free(s);
    return rc;
}

START_TEST(test_full_exchange_both_algorithms)
{
    static const kgw_scram_alg_t algs[] = {KGW_SCRAM_SHA_256, KGW_SCRAM_SHA_512};
    for (size_t i = 0; i < 2; i++) {
        users_t u = {0};
        add_user(&u, algs[i], "alice", "alice-secret");
        add_user(&u, algs[i], "a,b=c", "odd name");
        char err[256] = "";
        char who[256] = "";
        ck_assert_msg(exchange(algs[i], &u, algs[i], "alice", "alice-secret", err, sizeof(err), who,
                               sizeof(who)) == 0,
                      "%s: %s", kgw_scram_mechanism(algs[i]), err);
        ck_assert_str_eq(who, "alice");
        /* ',' and '=' in a user name travel as =2C and =3D and come back unescaped. */
        ck_assert_msg(exchange(algs[i], &u, algs[i], "a,b=c", "odd name", err, sizeof(err), who,
                               sizeof(who)) == 0,
                      "%s", err);
        ck_assert_str_eq(who, "a,b=c");
    }
}
END_TEST

START_TEST(test_wrong_password)
{
    static const kgw_scram_alg_t algs[] = {KGW_SCRAM_SHA_256, KGW_SCRAM_SHA_512};
    for (size_t i = 0; i < 2; i++) {
        users_t u = {0};
        add_user(&u, algs[i], "alice", "alice-secret");
        char err[256] = "";
        ck_assert_int_eq(
            exchange(algs[i], &u, algs[i], "alice", "not-her-secret", err, sizeof(err), NULL, 0),
            -1);
        ck_assert_msg(strstr(err, "wrong proof for user \"alice\"") != NULL, "%s", err);
        ck_assert_ptr_null(strstr(err, "secret"));
    }
    /* A credential of the other algorithm never validates. */
    users_t u = {0};
    add_user(&u, KGW_SCRAM_SHA_512, "alice", "alice-secret");
    char err[256] = "";
    ck_assert_int_eq(exchange(KGW_SCRAM_SHA_256, &u, KGW_SCRAM_SHA_256, "alice", "alice-secret",
                              err, sizeof(err), NULL, 0),
                     -1);
}
END_TEST

START_TEST(test_unknown_user_looks_like_a_real_one)
{
    users_t u = {0};
    add_user(&u, KGW_SCRAM_SHA_256, "alice", "alice-secret");
    char err[256] = "";
    ck_assert_int_eq(exchange(KGW_SCRAM_SHA_256, &u, KGW_SCRAM_SHA_256, "mallory", "guess", err,
                              sizeof(err), NULL, 0),
                     -1);
    ck_assert_msg(strstr(err, "unknown user \"mallory\"") != NULL, "%s", err);

    /* The server-first for an unknown user has the same shape, and the same
     * salt on a second attempt, so the client cannot tell. */
    const char *out;
    size_t n;
    char first[2][512];
    for (int k = 0; k < 2; k++) {
        kgw_scram_server_t *s = kgw_scram_server_new(KGW_SCRAM_SHA_256, lookup, &u);
        const char *cf = "n,,n=mallory,r=abcdef";
        ck_assert_int_eq(
            kgw_scram_server_first(s, b(cf), strlen(cf), "XYZ", &out, &n, err, sizeof(err)), 0);
        snprintf(first[k], sizeof(first[k]), "%s", out);
        kgw_scram_server_free(s);
    }
    ck_assert_str_eq(first[0], first[1]);
    ck_assert_ptr_nonnull(strstr(first[0], "r=abcdefXYZ,s="));
    ck_assert_ptr_nonnull(strstr(first[0], ",i=4096"));
}
END_TEST

/* Drives a server to the final step with the RFC credential and returns the
 * result of server_final on `final`. */
static int
rfc_server_final(const char *final, char *err, size_t errlen)
{
    uint8_t salt[32];
    ck_assert_int_eq(EVP_DecodeBlock(salt, b(RFC_SALT), (int)strlen(RFC_SALT)), 18);
    users_t u = {.names = {"user"}, .n = 1};
    ck_assert_int_eq(kgw_scram_credential_derive(KGW_SCRAM_SHA_256, "pencil", salt, 16, 4096,
                                                 &u.creds[0], err, errlen),
                     0);
    kgw_scram_server_t *s = kgw_scram_server_new(KGW_SCRAM_SHA_256, lookup, &u);
    const char *out;
    size_t n;
    ck_assert_int_eq(kgw_scram_server_first(s, b(RFC_CLIENT_FIRST), strlen(RFC_CLIENT_FIRST),
                                            RFC_SERVER_NONCE, &out, &n, err, errlen),
                     0);
    int rc = kgw_scram_server_final(s, b(final), strlen(final), &out, &n, err, errlen);
    ck_assert(kgw_scram_server_authenticated(s) == (rc == 0));
    kgw_scram_server_free(s);
    return rc;
}

START_TEST(test_tampered_proof_and_bad_nonce)
{
    char err[256] = "";
    ck_assert_int_eq(rfc_server_final(RFC_CLIENT_FINAL, err, sizeof(err)), 0);
    static const struct {
        const char *final;
        const char *reason;
    } cases[] = {
        /* one proof character changed */
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE
         ",p=dHzbYapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "wrong proof"},
        /* non-canonical base64 (unused bits set) is malformed, not a proof */
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE
         ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVR=",
         "not base64"},
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE
         ",p=eHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "wrong proof"},
        /* nonce: server part altered, missing, or only the client part */
        {"c=biws,r=" RFC_CLIENT_NONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k1"
         ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "nonce differs"},
        {"c=biws,r=" RFC_CLIENT_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "nonce differs"},
        {"c=biws,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", "no 'r=' nonce"},
        /* channel binding not matching the gs2 header "n,," */
        {"c=eSws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE
         ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "'c=' does not encode"},
        {"r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "no 'c='"},
        /* proof: missing, not last, bad base64, wrong length */
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE, "must end with the 'p='"},
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE
         ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=,x=1",
         "must end with the 'p='"},
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE
         ",p=dHzb*apWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "not base64"},
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",p=dHzbZapW", "not base64 of 32"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ck_assert_int_eq(rfc_server_final(cases[i].final, err, sizeof(err)), -1);
        ck_assert_msg(strstr(err, cases[i].reason) != NULL, "case %zu: \"%s\" lacks \"%s\"", i, err,
                      cases[i].reason);
    }
}
END_TEST

START_TEST(test_malformed_client_first)
{
    users_t u = {0};
    add_user(&u, KGW_SCRAM_SHA_256, "user", "pencil");
    static const struct {
        const char *msg;
        size_t len; /* 0: strlen */
        const char *reason;
    } cases[] = {
        {"", 0, "empty client-first"},
        {"x,,n=user,r=abc", 0, "gs2 flag"},
        {"n,n=user,r=abc", 0, "malformed authzid"},
        {"p=tls-unique,,n=user,r=abc", 0, "channel binding requested"},
        {"n,,r=abc", 0, "no 'n=' user"},
        {"n,,n=,r=abc", 0, "badly escaped"},
        {"n,,n=us=er,r=abc", 0, "badly escaped"},
        {"n,,n=us=2,r=abc", 0, "badly escaped"},
        {"n,,n=user", 0, "needs 'r='"},
        {"n,,n=user,r=", 0, "needs 'r='"},
        {"n,,n=user,r=ab\x7f", 0, "needs 'r='"},
        {"n,,m=ext,n=user,r=abc", 0, "mandatory extension"},
        {"n,a=other,n=user,r=abc", 0, "authzid differs"},
        {"n,,n=user,r=abc,tokenauth=true", 0, "tokenauth"},
        {"n,,n=user,r=abc,=x", 0, "malformed extension"},
        {"n,,n=user\0x,r=abc", 17, "NUL byte"},
        {"n,,n=\xff\xfe,r=abc", 0, "not valid UTF-8"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        kgw_scram_server_t *s = kgw_scram_server_new(KGW_SCRAM_SHA_256, lookup, &u);
        const char *out;
        size_t n;
        char err[256] = "";
        size_t len = cases[i].len != 0 ? cases[i].len : strlen(cases[i].msg);
        ck_assert_int_eq(
            kgw_scram_server_first(s, b(cases[i].msg), len, NULL, &out, &n, err, sizeof(err)), -1);
        ck_assert_msg(strstr(err, cases[i].reason) != NULL, "case %zu: \"%s\" lacks \"%s\"", i, err,
                      cases[i].reason);
        /* After a failure the exchange is over. */
        ck_assert_int_eq(kgw_scram_server_final(s, b("c=biws"), 6, &out, &n, err, sizeof(err)), -1);
        ck_assert_ptr_nonnull(strstr(err, "out of order"));
        kgw_scram_server_free(s);
    }
    /* Accepted variants: authzid equal to the user, "y" flag, unknown extensions. */
    static const char *const ok[] = {"n,a=user,n=user,r=abc", "y,,n=user,r=abc",
                                     "n,,n=user,r=abc,foo=bar"};
    for (size_t i = 0; i < 3; i++) {
        kgw_scram_server_t *s = kgw_scram_server_new(KGW_SCRAM_SHA_256, lookup, &u);
        const char *out;
        size_t n;
        char err[256] = "";
        ck_assert_msg(kgw_scram_server_first(s, b(ok[i]), strlen(ok[i]), NULL, &out, &n, err,
                                             sizeof(err)) == 0,
                      "%s: %s", ok[i], err);
        kgw_scram_server_free(s);
    }
}
END_TEST

START_TEST(test_client_rejects_bad_server)
{
    static const struct {
        const char *server_first;
        const char *reason;
    } cases[] = {
        {"r=someoneelse,s=" RFC_SALT ",i=4096", "does not extend the client nonce"},
        {"r=" RFC_CLIENT_NONCE ",s=" RFC_SALT ",i=4096", "does not extend the client nonce"},
        {"r=" RFC_CLIENT_NONCE "xyz,s=" RFC_SALT ",i=1000", "iteration count 1000 outside"},
        {"r=" RFC_CLIENT_NONCE "xyz,s=" RFC_SALT ",i=99999999", "outside"},
        {"r=" RFC_CLIENT_NONCE "xyz,s=" RFC_SALT ",i=04096", "not a number"},
        {"r=" RFC_CLIENT_NONCE "xyz,s=" RFC_SALT, "no valid 'i='"},
        {"r=" RFC_CLIENT_NONCE "xyz,s=###,i=4096", "salt is not base64"},
        {"r=" RFC_CLIENT_NONCE "xyz,i=4096", "no 's=' salt"},
        {"e=other-error", "server error \"other-error\""},
        {"m=x,r=" RFC_CLIENT_NONCE "xyz,s=" RFC_SALT ",i=4096", "mandatory extension"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char err[256] = "";
        const char *out;
        size_t n;
        kgw_scram_client_t *c =
            kgw_scram_client_new(KGW_SCRAM_SHA_256, "user", "pencil", err, sizeof(err));
        ck_assert_int_eq(kgw_scram_client_first(c, RFC_CLIENT_NONCE, &out, &n, err, sizeof(err)),
                         0);
        ck_assert_int_eq(kgw_scram_client_final(c, b(cases[i].server_first),
                                                strlen(cases[i].server_first), &out, &n, err,
                                                sizeof(err)),
                         -1);
        ck_assert_msg(strstr(err, cases[i].reason) != NULL, "case %zu: \"%s\" lacks \"%s\"", i, err,
                      cases[i].reason);
        kgw_scram_client_free(c);
    }
    /* A server-final with a wrong signature or an error means the server is
     * not the one holding our credential. */
    static const struct {
        const char *final;
        const char *reason;
    } finals[] = {
        {"v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", "does not match"},
        {"v=6rriTRBi23WpRR", "not base64 of 32"},
        {"e=invalid-proof", "server error \"invalid-proof\""},
        {"x=1", "no 'v='"},
    };
    for (size_t i = 0; i < sizeof(finals) / sizeof(finals[0]); i++) {
        char err[256] = "";
        const char *out;
        size_t n;
        kgw_scram_client_t *c =
            kgw_scram_client_new(KGW_SCRAM_SHA_256, "user", "pencil", err, sizeof(err));
        ck_assert_int_eq(kgw_scram_client_first(c, RFC_CLIENT_NONCE, &out, &n, err, sizeof(err)),
                         0);
        ck_assert_int_eq(kgw_scram_client_final(c, b(RFC_SERVER_FIRST), strlen(RFC_SERVER_FIRST),
                                                &out, &n, err, sizeof(err)),
                         0);
        ck_assert_int_eq(kgw_scram_client_verify(c, b(finals[i].final), strlen(finals[i].final),
                                                 err, sizeof(err)),
                         -1);
        ck_assert_msg(strstr(err, finals[i].reason) != NULL, "case %zu: \"%s\" lacks \"%s\"", i,
                      err, finals[i].reason);
        ck_assert_ptr_null(strstr(err, "pencil"));
        kgw_scram_client_free(c);
    }
}
END_TEST

START_TEST(test_credential_and_names)
{
    kgw_scram_credential_t cred;
    char err[256] = "";
    ck_assert_int_eq(kgw_scram_credential_derive(KGW_SCRAM_SHA_256, "pw", NULL, 0, 1000, &cred, err,
                                                 sizeof(err)),
                     -1);
    ck_assert_ptr_nonnull(strstr(err, "iterations 1000 outside [4096, 16384]"));
    ck_assert_int_eq(
        kgw_scram_credential_derive(KGW_SCRAM_SHA_512, "", NULL, 0, 4096, &cred, err, sizeof(err)),
        -1);
    ck_assert_ptr_nonnull(strstr(err, "SCRAM-SHA-512: empty password"));
    /* Random salts differ between two derivations of the same password. */
    kgw_scram_credential_t c2;
    ck_assert_int_eq(kgw_scram_credential_derive(KGW_SCRAM_SHA_512, "pw", NULL, 0, 4096, &cred, err,
                                                 sizeof(err)),
                     0);
    ck_assert_int_eq(
        kgw_scram_credential_derive(KGW_SCRAM_SHA_512, "pw", NULL, 0, 4096, &c2, err, sizeof(err)),
        0);
    ck_assert_uint_eq(cred.salt_len, 24);
    ck_assert_int_ne(memcmp(cred.salt, c2.salt, 24), 0);
    ck_assert_int_ne(memcmp(cred.stored_key, c2.stored_key, 64), 0);

    kgw_scram_alg_t alg;
    ck_assert_int_eq(kgw_scram_alg_parse("sha256", &alg), 0);
    ck_assert_int_eq(alg, KGW_SCRAM_SHA_256);
    ck_assert_int_eq(kgw_scram_alg_parse("SCRAM-SHA-512", &alg), 0);
    ck_assert_int_eq(alg, KGW_SCRAM_SHA_512);
    ck_assert_int_eq(kgw_scram_alg_parse("sha1", &alg), -1);
    ck_assert_str_eq(kgw_scram_mechanism(KGW_SCRAM_SHA_512), "SCRAM-SHA-512");

    /* The client escapes ',' and '=' in the user name. */
    kgw_scram_client_t *c =
        kgw_scram_client_new(KGW_SCRAM_SHA_256, "a,b=c", "pw", err, sizeof(err));
    const char *out;
    size_t n;
    ck_assert_int_eq(kgw_scram_client_first(c, "nonce", &out, &n, err, sizeof(err)), 0);
    ck_assert_str_eq(out, "n,,n=a=2Cb=3Dc,r=nonce");
    kgw_scram_client_free(c);
    ck_assert_ptr_null(kgw_scram_client_new(KGW_SCRAM_SHA_256, "u", "", err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "empty password for user \"u\""));
}
END_TEST

static Suite *
sasl_scram_suite(void)
{
    Suite *s = suite_create("sasl_scram");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_rfc7677_vector_server);
    tcase_add_test(tc, test_rfc7677_vector_client);
    tcase_add_test(tc, test_sha512_known_answer);
    tcase_add_test(tc, test_full_exchange_both_algorithms);
    tcase_add_test(tc, test_wrong_password);
    tcase_add_test(tc, test_unknown_user_looks_like_a_real_one);
    tcase_add_test(tc, test_tampered_proof_and_bad_nonce);
    tcase_add_test(tc, test_malformed_client_first);
    tcase_add_test(tc, test_client_rejects_bad_server);
    tcase_add_test(tc, test_credential_and_names);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(sasl_scram_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
