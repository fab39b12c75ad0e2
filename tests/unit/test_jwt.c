/* JWT validation: keys generated and tokens signed here with OpenSSL, a JWKS
 * written to a temporary directory; valid RS256/ES256 tokens pass and every
 * defect is refused with its own reason, never echoing the token. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "jwt.h"

static EVP_PKEY *rsa_key;   /* kid "rsa-1" */
static EVP_PKEY *rsa_other; /* not in the JWKS */
static EVP_PKEY *ec_key;    /* kid "ec-1" */
static char dir[64];
static char jwks_path[128];
static int64_t now;

/* ---- helpers: base64url, JWK export, signing -------------------------------------------- */

/* Helpers that also run in main() (outside a Check test) cannot use ck_assert. */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: %s failed\n", __FILE__, __LINE__, #cond);                      \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static char *
b64url(const uint8_t *p, size_t n)
{
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    REQUIRE(out != NULL);
    int k = EVP_EncodeBlock((unsigned char *)out, p, (int)n);
    while (k > 0 && out[k - 1] == '=')
        k--;
    out[k] = '\0';
    for (char *c = out; *c; c++)
        *c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
    return out;
}

static char *
bn_b64url(EVP_PKEY *k, const char *param, int pad)
{
    BIGNUM *bn = NULL;
    REQUIRE(EVP_PKEY_get_bn_param(k, param, &bn) == 1);
    uint8_t buf[512];
    int n = pad > 0 ? BN_bn2binpad(bn, buf, pad) : BN_bn2bin(bn, buf);
    REQUIRE(n > 0);
    BN_free(bn);
    return b64url(buf, (size_t)n);
}

static char *
rsa_jwk(EVP_PKEY *k, const char *kid)
{
    char *n = bn_b64url(k, OSSL_PKEY_PARAM_RSA_N, 0);
    char *e = bn_b64url(k, OSSL_PKEY_PARAM_RSA_E, 0);
    char *out = malloc(4096);
    REQUIRE(out != NULL);
    snprintf(out, 4096,
             "{\"kty\":\"RSA\",\"kid\":\"%s\",\"use\":\"sig\",\"alg\":\"RS256\","
             "\"n\":\"%s\",\"e\":\"%s\"}",
             kid, n, e);
    free(n);
    free(e);
    return out;
}

static char *
ec_jwk(EVP_PKEY *k, const char *kid)
{
    char *x = bn_b64url(k, OSSL_PKEY_PARAM_EC_PUB_X, 32);
    char *y = bn_b64url(k, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
    char *out = malloc(1024);
    REQUIRE(out != NULL);
    snprintf(out, 1024,
             "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"%s\",\"x\":\"%s\",\"y\":\"%s\"}", kid, x,
             y);
    free(x);
    free(y);
    return out;
}

/* Returns header.payload.signature signed with key (RS256 or ES256 by key type). */
static char *
sign(EVP_PKEY *key, const char *header, const char *payload)
{
    char *h = b64url((const uint8_t *)header, strlen(header));
    char *p = b64url((const uint8_t *)payload, strlen(payload));
    size_t in_len = strlen(h) + 1 + strlen(p);
    char *input = malloc(in_len + 1);
    snprintf(input, in_len + 1, "%s.%s", h, p);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    ck_assert_int_eq(EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, key, NULL), 1);
    size_t sl = 0;
    ck_assert_int_eq(EVP_DigestSign(md, NULL, &sl, (const uint8_t *)input, in_len), 1);
    uint8_t *sig = malloc(sl);
    ck_assert_int_eq(EVP_DigestSign(md, sig, &sl, (const uint8_t *)input, in_len), 1);
    EVP_MD_CTX_free(md);
    if (EVP_PKEY_is_a(key, "EC")) {
        const uint8_t *q = sig;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)sl);
        ck_assert_ptr_nonnull(es);
        const BIGNUM *r;
        const BIGNUM *s;
        ECDSA_SIG_get0(es, &r, &s);
        ck_assert_int_eq(BN_bn2binpad(r, sig, 32), 32);
        ck_assert_int_eq(BN_bn2binpad(s, sig + 32, 32), 32);
        sl = 64;
        ECDSA_SIG_free(es);
    }
    char *s64 = b64url(sig, sl);
    size_t tl = in_len + 1 + strlen(s64);
    char *tok = malloc(tl + 1);
    snprintf(tok, tl + 1, "%s.%s", input, s64);
    free(h);
    free(p);
    free(input);
    free(sig);
    free(s64);
    return tok;
}

static char *
claims(const char *iss, const char *aud_json, int64_t exp, const char *extra)
{
    char *out = malloc(1024);
    snprintf(out, 1024, "{\"iss\":\"%s\",\"aud\":%s,\"sub\":\"alice\",\"exp\":%lld%s}", iss,
             aud_json, (long long)exp, extra);
    return out;
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
}

static const char *const audiences[] = {"kafka", "other-api"};

static kgw_jwt_policy_t
policy(void)
{
    kgw_jwt_policy_t p = {.issuer = "https://idp.example",
                          .audiences = audiences,
                          .n_audiences = 2,
                          .principal_claim = NULL,
                          .clock_skew_seconds = 30};
    return p;
}

static kgw_jwt_keys_t *
load(void)
{
    char err[256] = "";
    kgw_jwt_keys_t *k = kgw_jwt_keys_load_file(jwks_path, err, sizeof(err));
    ck_assert_msg(k != NULL, "%s", err);
    return k;
}

/* Validates and, on failure, checks the reason and that the token is absent. */
static int
check(const char *token, const kgw_jwt_policy_t *p, kgw_jwt_result_t *res, const char *reason)
{
    kgw_jwt_keys_t *keys = load();
    char err[512] = "";
    int rc = kgw_jwt_validate(keys, p, token, strlen(token), now, res, err, sizeof(err));
    kgw_jwt_keys_free(keys);
    if (reason == NULL) {
        ck_assert_msg(rc == 0, "expected success, got: %s", err);
    } else {
        ck_assert_msg(rc == -1, "expected failure \"%s\"", reason);
        ck_assert_msg(strstr(err, reason) != NULL, "\"%s\" lacks \"%s\"", err, reason);
        const char *sig = strrchr(token, '.');
        ck_assert_msg(token[0] == '\0' || strstr(err, token) == NULL, "token leaked: %s", err);
        if (sig != NULL && strlen(sig) > 8)
            ck_assert_msg(strstr(err, sig + 1) == NULL, "signature leaked: %s", err);
        ck_assert_msg(strstr(err, "eyJ") == NULL, "token part leaked: %s", err);
    }
    return rc;
}

/* ---- tests ------------------------------------------------------------------------------ */

START_TEST(test_valid_rs256_and_es256)
{
    kgw_jwt_policy_t p = policy();
    kgw_jwt_result_t res;
    char *c = claims("https://idp.example", "\"kafka\"", now + 300, "");
    char *t = sign(rsa_key, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"rsa-1\"}", c);
    check(t, &p, &res, NULL);
    ck_assert_str_eq(res.principal, "alice");
    ck_assert_int_eq(res.expires_at, now + 300);
    free(t);
    t = sign(ec_key, "{\"alg\":\"ES256\",\"kid\":\"ec-1\"}", c);
    check(t, &p, &res, NULL);
    ck_assert_str_eq(res.principal, "alice");
    free(t);
    free(c);

    /* aud as an array holding one accepted audience; a configurable principal claim. */
    c = claims("https://idp.example", "[\"x\",\"other-api\"]", now + 60,
               ",\"preferred_username\":\"svc-orders\"");
    t = sign(ec_key, "{\"alg\":\"ES256\",\"kid\":\"ec-1\"}", c);
    p.principal_claim = "preferred_username";
    check(t, &p, &res, NULL);
    ck_assert_str_eq(res.principal, "svc-orders");
    p.principal_claim = "email";
    check(t, &p, &res, "principal claim \"email\" is missing");
    free(t);
    free(c);
}
END_TEST

START_TEST(test_time_claims)
{
    kgw_jwt_policy_t p = policy();
    kgw_jwt_result_t res;
    const char *h = "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}";
    char *c = claims("https://idp.example", "\"kafka\"", now - 100, "");
    char *t = sign(rsa_key, h, c);
    check(t, &p, &res, "expired at");
    free(t);
    free(c);
    /* Within the clock skew it still passes. */
    c = claims("https://idp.example", "\"kafka\"", now - 10, "");
    t = sign(rsa_key, h, c);
    check(t, &p, &res, NULL);
    free(t);
    free(c);
    char extra[64];
    snprintf(extra, sizeof(extra), ",\"nbf\":%lld", (long long)(now + 600));
    c = claims("https://idp.example", "\"kafka\"", now + 900, extra);
    t = sign(rsa_key, h, c);
    check(t, &p, &res, "not valid before");
    free(t);
    free(c);
    snprintf(extra, sizeof(extra), ",\"nbf\":%lld", (long long)(now + 20));
    c = claims("https://idp.example", "\"kafka\"", now + 900, extra);
    t = sign(rsa_key, h, c);
    check(t, &p, &res, NULL);
    free(t);
    free(c);
    t = sign(rsa_key, h, "{\"iss\":\"https://idp.example\",\"aud\":\"kafka\",\"sub\":\"a\"}");
    check(t, &p, &res, "no \"exp\" claim");
    free(t);
    t = sign(rsa_key, h,
             "{\"iss\":\"https://idp.example\",\"aud\":\"kafka\",\"sub\":\"a\",\"exp\":\"soon\"}");
    check(t, &p, &res, "claim \"exp\" is a string");
    free(t);
}
END_TEST

START_TEST(test_issuer_and_audience)
{
    kgw_jwt_policy_t p = policy();
    kgw_jwt_result_t res;
    const char *h = "{\"alg\":\"ES256\",\"kid\":\"ec-1\"}";
    char *c = claims("https://evil.example", "\"kafka\"", now + 300, "");
    char *t = sign(ec_key, h, c);
    check(t, &p, &res,
          "issuer \"https://evil.example\" is not the expected \"https://idp.example\"");
    free(t);
    free(c);
    c = claims("https://idp.example", "\"billing\"", now + 300, "");
    t = sign(ec_key, h, c);
    check(t, &p, &res, "audience billing does not include \"kafka\"");
    free(t);
    free(c);
    c = claims("https://idp.example", "[\"billing\",\"crm\"]", now + 300, "");
    t = sign(ec_key, h, c);
    check(t, &p, &res, "audience (array) does not include");
    /* With no audience configured, aud is not checked. */
    p.n_audiences = 0;
    check(t, &p, &res, NULL);
    free(t);
    free(c);
}
END_TEST

START_TEST(test_wrong_signature)
{
    kgw_jwt_policy_t p = policy();
    kgw_jwt_result_t res;
    char *c = claims("https://idp.example", "\"kafka\"", now + 300, "");
    /* Signed by a key that is not in the JWKS but claims its kid. */
    char *t = sign(rsa_other, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", c);
    check(t, &p, &res, "RS256 signature does not verify with key rsa-1");
    free(t);
    /* A payload swapped under a valid signature. */
    char *good = sign(ec_key, "{\"alg\":\"ES256\",\"kid\":\"ec-1\"}", c);
    char *c2 =
        claims("https://idp.example", "\"kafka\"", now + 300, ",\"preferred_username\":\"root\"");
    char *other = sign(ec_key, "{\"alg\":\"ES256\",\"kid\":\"ec-1\"}", c2);
    char spliced[4096];
    const char *d1 = strchr(other, '.');
    const char *d2 = strrchr(other, '.');
    const char *g2 = strrchr(good, '.');
    snprintf(spliced, sizeof(spliced), "%.*s%.*s%s", (int)(d1 - other), other, (int)(d2 - d1), d1,
             g2);
    check(spliced, &p, &res, "ES256 signature does not verify");
    /* An ES256 signature of the wrong length. */
    snprintf(spliced, sizeof(spliced), "%.*sAAAA", (int)(g2 - good + 1), good);
    check(spliced, &p, &res, "ES256 signature is 3 bytes, expected 64");
    /* A key of the other type under the same kid. */
    t = sign(rsa_key, "{\"alg\":\"RS256\",\"kid\":\"ec-1\"}", c);
    check(t, &p, &res, "key ec-1 is a ES256 key");
    free(t);
    free(good);
    free(other);
    free(c);
    free(c2);
}
END_TEST

START_TEST(test_refused_algorithms_and_kids)
{
    kgw_jwt_policy_t p = policy();
    kgw_jwt_result_t res;
    char *c = claims("https://idp.example", "\"kafka\"", now + 300, "");
    char *pl = b64url((const uint8_t *)c, strlen(c));
    char tok[2048];
    /* alg none, with and without a signature part */
    char *h = b64url((const uint8_t *)"{\"alg\":\"none\"}", 14);
    snprintf(tok, sizeof(tok), "%s.%s.", h, pl);
    check(tok, &p, &res, "alg \"none\" is not accepted (only RS256 and ES256)");
    snprintf(tok, sizeof(tok), "%s.%s.c2ln", h, pl);
    check(tok, &p, &res, "alg \"none\" is not accepted");
    free(h);
    h = b64url((const uint8_t *)"{\"alg\":\"HS256\",\"kid\":\"rsa-1\"}", 29);
    snprintf(tok, sizeof(tok), "%s.%s.c2ln", h, pl);
    check(tok, &p, &res, "alg \"HS256\" is not accepted");
    free(h);
    char *t = sign(rsa_key, "{\"alg\":\"RS256\",\"kid\":\"nope\"}", c);
    check(t, &p, &res, "unknown kid nope");
    free(t);
    t = sign(rsa_key, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"crit\":[\"exp\"]}", c);
    check(t, &p, &res, "\"crit\"");
    free(t);
    /* No kid: the only RSA key in the JWKS is used. */
    t = sign(rsa_key, "{\"alg\":\"RS256\"}", c);
    check(t, &p, &res, NULL);
    free(t);
    t = sign(rsa_key, "{\"alg\":\"RS256\",\"kid\":7}", c);
    check(t, &p, &res, "\"kid\" is not a string");
    free(t);
    free(pl);
    free(c);
}
END_TEST

START_TEST(test_malformed_tokens)
{
    kgw_jwt_policy_t p = policy();
    kgw_jwt_result_t res;
    check("abc", &p, &res, "expected 3 parts");
    check("a.b", &p, &res, "expected 3 parts");
    check("a.b.c.d", &p, &res, "expected 3 parts");
    check("", &p, &res, "token is 0 bytes");
    check("e*J.eyJ.c2ln", &p, &res, "header is not valid base64url");
    check("eyJhbGciOiJSUzI1NiJ9=.e30.c2ln", &p, &res, "header is not valid base64url");
    /* "{alg:RS256}" is not JSON */
    char *h = b64url((const uint8_t *)"{alg:RS256}", 11);
    char tok[4096];
    snprintf(tok, sizeof(tok), "%s.e30.c2ln", h);
    check(tok, &p, &res, "header: invalid JSON at byte 1");
    free(h);
    h = b64url((const uint8_t *)"[\"RS256\"]", 9);
    snprintf(tok, sizeof(tok), "%s.e30.c2ln", h);
    check(tok, &p, &res, "header is a JSON array");
    free(h);
    /* A correctly signed payload that is not JSON, or not an object. */
    char *t = sign(rsa_key, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", "{\"exp\":1,}");
    check(t, &p, &res, "claims: invalid JSON");
    free(t);
    t = sign(rsa_key, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", "42");
    check(t, &p, &res, "claims are a JSON number");
    free(t);
    /* Duplicate claims are ambiguous. */
    t = sign(rsa_key, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}",
             "{\"sub\":\"a\",\"exp\":99999999999,\"sub\":\"root\"}");
    check(t, &p, &res, "duplicate key \"sub\"");
    free(t);
    /* Too long. */
    char *big = malloc(KGW_JWT_MAX_TOKEN + 2);
    memset(big, 'a', KGW_JWT_MAX_TOKEN + 1);
    big[KGW_JWT_MAX_TOKEN + 1] = '\0';
    check(big, &p, &res, "token is 16385 bytes");
    free(big);
}
END_TEST

START_TEST(test_jwks_errors)
{
    char err[512];
    char path[192];
    snprintf(path, sizeof(path), "%s/missing.json", dir);
    ck_assert_ptr_null(kgw_jwt_keys_load_file(path, err, sizeof(err)));
    ck_assert_msg(strstr(err, path) != NULL && strstr(err, "No such file") != NULL, "%s", err);
    static const struct {
        const char *doc;
        const char *reason;
    } bad[] = {
        {"{\"keys\":[", "invalid JSON at byte 9"},
        {"[]", "expected an object with a \"keys\" array"},
        {"{\"keys\":[]}", "no usable key among 0"},
        {"{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}", "no usable key among 1"},
        {"{\"keys\":[7]}", "keys[0] is a number"},
        {"{\"keys\":[{\"kid\":\"a\"}]}", "keys[0] (kid a) has no string \"kty\""},
        {"{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r\",\"e\":\"AQAB\"}]}",
         "keys[0] (kid r): RSA key needs string members"},
        {"{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r\",\"n\":\"*\",\"e\":\"AQAB\"}]}",
         "RSA \"n\" is not valid base64url"},
        {"{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}",
         "at least 2048 required"},
        {"{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"e\",\"x\":\"AQAB\",\"y\":\"AQAB\"}"
         "]}",
         "EC P-256 \"x\" is not base64url of 32 bytes"},
        {"{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"e\","
         "\"x\":\"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
         "\"y\":\"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}]}",
         "keys[0] (kid e): "},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        ck_assert_ptr_null(kgw_jwt_keys_parse(bad[i].doc, strlen(bad[i].doc), err, sizeof(err)));
        ck_assert_msg(strstr(err, bad[i].reason) != NULL, "case %zu: \"%s\" lacks \"%s\"", i, err,
                      bad[i].reason);
    }
    /* Duplicate kid, and the file form naming the path. */
    char *j1 = ec_jwk(ec_key, "same");
    char doc[4096];
    snprintf(doc, sizeof(doc), "{\"keys\":[%s,%s]}", j1, j1);
    snprintf(path, sizeof(path), "%s/dup.json", dir);
    write_file(path, doc);
    ck_assert_ptr_null(kgw_jwt_keys_load_file(path, err, sizeof(err)));
    ck_assert_msg(strstr(err, path) != NULL && strstr(err, "keys[1]: duplicate kid same"), "%s",
                  err);
    /* Keys for encryption and other curves are skipped, not errors. */
    snprintf(doc, sizeof(doc),
             "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"AA\",\"y\":\"AA\"},"
             "{\"kty\":\"RSA\",\"use\":\"enc\",\"n\":\"AA\",\"e\":\"AA\"},%s]}",
             j1);
    kgw_jwt_keys_t *k = kgw_jwt_keys_parse(doc, strlen(doc), err, sizeof(err));
    ck_assert_msg(k != NULL, "%s", err);
    ck_assert_uint_eq(kgw_jwt_keys_count(k), 1);
    kgw_jwt_keys_free(k);
    free(j1);
}
END_TEST

START_TEST(test_oauthbearer_message)
{
    char err[256];
    const char *tok;
    size_t n;
    const char m1[] = "n,,\x01"
                      "auth=Bearer abc.DEF-_.ghi\x01\x01";
    ck_assert_int_eq(
        kgw_jwt_oauthbearer_token((const uint8_t *)m1, sizeof(m1) - 1, &tok, &n, err, sizeof(err)),
        0);
    ck_assert_uint_eq(n, 13);
    ck_assert_int_eq(memcmp(tok, "abc.DEF-_.ghi", 13), 0);
    const char m2[] = "n,a=alice,\x01host=kafka\x01"
                      "auth=bearer t.u.v\x01"
                      "port=9092\x01\x01";
    ck_assert_int_eq(
        kgw_jwt_oauthbearer_token((const uint8_t *)m2, sizeof(m2) - 1, &tok, &n, err, sizeof(err)),
        0);
    ck_assert_uint_eq(n, 5);
    static const struct {
        const char *m;
        const char *reason;
    } bad[] = {
        {"", "gs2 header"},
        {"n,,auth=Bearer x\x01\x01", "expected %x01 after the gs2 header"},
        {"n,,\x01"
         "auth=Bearer x\x01",
         "does not end with %x01%x01"},
        {"n,,\x01"
         "auth=Bearer x\x01\x01junk",
         "data after the final"},
        {"n,,\x01"
         "auth=Basic x\x01\x01",
         "must be \"Bearer <token>\""},
        {"n,,\x01"
         "auth=Bearer a b\x01\x01",
         "outside the b64token set"},
        {"n,,\x01"
         "host=x\x01\x01",
         "no auth=Bearer token"},
        {"n,,\x01"
         "auth=Bearer x\x01"
         "auth=Bearer y\x01\x01",
         "more than one auth="},
        {"n,,\x01"
         "noequals\x01\x01",
         "malformed key=value"},
        {"n,b=x,\x01"
         "auth=Bearer x\x01\x01",
         "malformed gs2 header"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        ck_assert_int_eq(kgw_jwt_oauthbearer_token((const uint8_t *)bad[i].m, strlen(bad[i].m),
                                                   &tok, &n, err, sizeof(err)),
                         -1);
        ck_assert_msg(strstr(err, bad[i].reason) != NULL, "case %zu: \"%s\" lacks \"%s\"", i, err,
                      bad[i].reason);
    }
}
END_TEST

START_TEST(test_base64url)
{
    uint8_t out[16];
    ck_assert_int_eq(kgw_jwt_base64url_decode("", 0, out, sizeof(out)), 0);
    ck_assert_int_eq(kgw_jwt_base64url_decode("QQ", 2, out, sizeof(out)), 1);
    ck_assert_int_eq(out[0], 'A');
    ck_assert_int_eq(kgw_jwt_base64url_decode("QUI", 3, out, sizeof(out)), 2);
    ck_assert_int_eq(kgw_jwt_base64url_decode("_-8", 3, out, sizeof(out)), 2);
    ck_assert_int_eq(out[0], 0xff);
    ck_assert_int_eq(out[1], 0xef);
    ck_assert_int_eq(kgw_jwt_base64url_decode("QR", 2, out, sizeof(out)), -1);   /* unused bits */
    ck_assert_int_eq(kgw_jwt_base64url_decode("Q", 1, out, sizeof(out)), -1);    /* length */
    ck_assert_int_eq(kgw_jwt_base64url_decode("QQ==", 4, out, sizeof(out)), -1); /* padding */
    ck_assert_int_eq(kgw_jwt_base64url_decode("+/8", 3, out, sizeof(out)), -1);  /* std alphabet */
    ck_assert_int_eq(kgw_jwt_base64url_decode("QUJD", 4, out, 2), -1);           /* capacity */
}
END_TEST

static Suite *
jwt_suite(void)
{
    Suite *s = suite_create("jwt");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_valid_rs256_and_es256);
    tcase_add_test(tc, test_time_claims);
    tcase_add_test(tc, test_issuer_and_audience);
    tcase_add_test(tc, test_wrong_signature);
    tcase_add_test(tc, test_refused_algorithms_and_kids);
    tcase_add_test(tc, test_malformed_tokens);
    tcase_add_test(tc, test_jwks_errors);
    tcase_add_test(tc, test_oauthbearer_message);
    tcase_add_test(tc, test_base64url);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    /* Keys and the JWKS file are made once; every forked test inherits them. */
    rsa_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    rsa_other = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    ec_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (rsa_key == NULL || rsa_other == NULL || ec_key == NULL) {
        fprintf(stderr, "key generation failed\n");
        return EXIT_FAILURE;
    }
    snprintf(dir, sizeof(dir), "/tmp/kgw-jwt-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    snprintf(jwks_path, sizeof(jwks_path), "%s/jwks.json", dir);
    char *r = rsa_jwk(rsa_key, "rsa-1");
    char *e = ec_jwk(ec_key, "ec-1");
    char doc[8192];
    snprintf(doc, sizeof(doc), "{\"keys\":[%s,\n%s]}\n", r, e);
    FILE *f = fopen(jwks_path, "w");
    if (f == NULL || fputs(doc, f) < 0 || fclose(f) != 0) {
        perror(jwks_path);
        return EXIT_FAILURE;
    }
    free(r);
    free(e);
    now = (int64_t)time(NULL);

    SRunner *sr = srunner_create(jwt_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);

    char path[192];
    snprintf(path, sizeof(path), "%s/dup.json", dir);
    unlink(path);
    unlink(jwks_path);
    rmdir(dir);
    EVP_PKEY_free(rsa_key);
    EVP_PKEY_free(rsa_other);
    EVP_PKEY_free(ec_key);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
