/* JWT (JWS compact) validation against a JWKS; see jwt.h. */
#include "jwt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "arena.h"
#include "json.h"

typedef enum jwk_type {
    JWK_RSA,
    JWK_EC,
} jwk_type_t;

typedef struct jwk {
    char *kid; /* NULL when the key has none */
    char alg[16];
    jwk_type_t type;
    EVP_PKEY *pkey;
} jwk_t;

struct kgw_jwt_keys {
    jwk_t *v;
    size_t n;
};

/* ---- base64url -------------------------------------------------------------------------- */

static int
b64url_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

long
kgw_jwt_base64url_decode(const char *in, size_t n, uint8_t *out, size_t cap)
{
    if (n % 4 == 1)
        return -1;
    size_t olen = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
    if (olen > cap)
        return -1;
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64url_value(in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0) /* unused trailing bits must be zero (canonical form) */
        return -1;
    return (long)o;
}

/* Decodes into a fresh arena buffer (NUL-terminated for JSON convenience). */
static uint8_t *
b64url_dup(kgw_arena_t *a, const char *in, size_t n, size_t *out_len)
{
    uint8_t *buf = kgw_arena_alloc(a, n / 4 * 3 + 3);
    if (buf == NULL)
        return NULL;
    long k = kgw_jwt_base64url_decode(in, n, buf, n / 4 * 3 + 2);
    if (k < 0)
        return NULL;
    buf[k] = 0;
    *out_len = (size_t)k;
    return buf;
}

/* Copies a claim value for an error message: printable ASCII only, bounded. */
static const char *
printable(const char *s, size_t n, char *buf, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 2 < cap; i++)
        buf[o++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    if (n + 1 > cap && o >= 3) {
        buf[o - 1] = '.';
        buf[o - 2] = '.';
    }
    buf[o] = '\0';
    return buf;
}

/* ---- JWKS ------------------------------------------------------------------------------- */

static EVP_PKEY *
rsa_key(kgw_arena_t *a, const kgw_json_t *k, char *why, size_t whylen)
{
    const char *n64 = kgw_json_get_string(k, "n");
    const char *e64 = kgw_json_get_string(k, "e");
    size_t nl = 0;
    size_t el = 0;
    uint8_t *nb = NULL;
    uint8_t *eb = NULL;
    BIGNUM *n = NULL;
    BIGNUM *e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    if (n64 == NULL || e64 == NULL) {
        snprintf(why, whylen, "RSA key needs string members \"n\" and \"e\"");
        return NULL;
    }
    nb = b64url_dup(a, n64, strlen(n64), &nl);
    eb = b64url_dup(a, e64, strlen(e64), &el);
    if (nb == NULL || eb == NULL || nl == 0 || el == 0) {
        snprintf(why, whylen, "RSA \"%s\" is not valid base64url", nb == NULL ? "n" : "e");
        return NULL;
    }
    n = BN_bin2bn(nb, (int)nl, NULL);
    e = BN_bin2bn(eb, (int)el, NULL);
    bld = OSSL_PARAM_BLD_new();
    if (n == NULL || e == NULL || bld == NULL ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1 ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
        (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
        EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        snprintf(why, whylen, "OpenSSL rejected the RSA key");
        goto done;
    }
    if (EVP_PKEY_get_bits(pkey) < 2048) {
        snprintf(why, whylen, "RSA key has %d bits, at least 2048 required",
                 EVP_PKEY_get_bits(pkey));
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
done:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return pkey;
}

static EVP_PKEY *
ec_key(kgw_arena_t *a, const kgw_json_t *k, char *why, size_t whylen)
{
    const char *x64 = kgw_json_get_string(k, "x");
    const char *y64 = kgw_json_get_string(k, "y");
    size_t xl = 0;
    size_t yl = 0;
    uint8_t *xb;
    uint8_t *yb;
    uint8_t pub[65];
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY_CTX *check = NULL;
    EVP_PKEY *pkey = NULL;
    if (x64 == NULL || y64 == NULL) {
        snprintf(why, whylen, "EC key needs string members \"x\" and \"y\"");
        return NULL;
    }
    xb = b64url_dup(a, x64, strlen(x64), &xl);
    yb = b64url_dup(a, y64, strlen(y64), &yl);
    if (xb == NULL || yb == NULL || xl != 32 || yl != 32) {
        snprintf(why, whylen, "EC P-256 \"%s\" is not base64url of 32 bytes",
                 xb == NULL || xl != 32 ? "x" : "y");
        return NULL;
    }
    pub[0] = 0x04; /* uncompressed point */
    memcpy(pub + 1, xb, 32);
    memcpy(pub + 33, yb, 32);
    char group[] = "prime256v1";
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)),
        OSSL_PARAM_END,
    };
    if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
        EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        snprintf(why, whylen, "OpenSSL rejected the EC point (not on P-256?)");
        goto done;
    }
    if ((check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
        EVP_PKEY_public_check(check) != 1) {
        snprintf(why, whylen, "EC point is not a valid P-256 public key");
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
done:
    EVP_PKEY_CTX_free(check);
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

void
kgw_jwt_keys_free(kgw_jwt_keys_t *keys)
{
    if (keys == NULL)
        return;
    for (size_t i = 0; i < keys->n; i++) {
        free(keys->v[i].kid);
        EVP_PKEY_free(keys->v[i].pkey);
    }
    free(keys->v);
    free(keys);
}

size_t
kgw_jwt_keys_count(const kgw_jwt_keys_t *keys)
{
    return keys == NULL ? 0 : keys->n;
}

kgw_jwt_keys_t *
kgw_jwt_keys_parse(const char *json, size_t len, char *err, size_t errlen)
{
    kgw_arena_t *a = kgw_arena_new(0);
    kgw_jwt_keys_t *keys = calloc(1, sizeof(*keys));
    kgw_json_t *root;
    char jerr[160];
    if (a == NULL || keys == NULL) {
        snprintf(err, errlen, "JWKS: out of memory");
        goto fail;
    }
    if (kgw_json_parse(a, json, len, &root, jerr, sizeof(jerr)) != 0) {
        snprintf(err, errlen, "JWKS: %s", jerr);
        goto fail;
    }
    const kgw_json_t *arr = kgw_json_get(root, "keys");
    if (arr == NULL || arr->type != KGW_JSON_ARRAY) {
        snprintf(err, errlen, "JWKS: expected an object with a \"keys\" array");
        goto fail;
    }
    keys->v = calloc(arr->len == 0 ? 1 : arr->len, sizeof(*keys->v));
    if (keys->v == NULL) {
        snprintf(err, errlen, "JWKS: out of memory for %zu keys", arr->len);
        goto fail;
    }
    size_t idx = 0;
    for (const kgw_json_t *k = arr->child; k != NULL; k = k->next, idx++) {
        char why[128];
        char kbuf[80];
        if (k->type != KGW_JSON_OBJECT) {
            snprintf(err, errlen, "JWKS: keys[%zu] is a %s, expected an object", idx,
                     kgw_json_type_name(k->type));
            goto fail;
        }
        const char *kty = kgw_json_get_string(k, "kty");
        const char *kid = kgw_json_get_string(k, "kid");
        const char *use = kgw_json_get_string(k, "use");
        const char *alg = kgw_json_get_string(k, "alg");
        const char *kid_shown =
            kid != NULL ? printable(kid, strlen(kid), kbuf, sizeof(kbuf)) : "(none)";
        if (kty == NULL) {
            snprintf(err, errlen, "JWKS: keys[%zu] (kid %s) has no string \"kty\"", idx, kid_shown);
            goto fail;
        }
        if (use != NULL && strcmp(use, "sig") != 0)
            continue;
        jwk_t *j = &keys->v[keys->n];
        if (strcmp(kty, "RSA") == 0) {
            if (alg != NULL && strcmp(alg, "RS256") != 0)
                continue;
            j->type = JWK_RSA;
            j->pkey = rsa_key(a, k, why, sizeof(why));
        } else if (strcmp(kty, "EC") == 0) {
            const char *crv = kgw_json_get_string(k, "crv");
            if (crv == NULL || strcmp(crv, "P-256") != 0 ||
                (alg != NULL && strcmp(alg, "ES256") != 0))
                continue;
            j->type = JWK_EC;
            j->pkey = ec_key(a, k, why, sizeof(why));
        } else {
            continue;
        }
        if (j->pkey == NULL) {
            snprintf(err, errlen, "JWKS: keys[%zu] (kid %s): %s", idx, kid_shown, why);
            goto fail;
        }
        if (kid != NULL) {
            for (size_t i = 0; i < keys->n; i++) {
                if (keys->v[i].kid != NULL && strcmp(keys->v[i].kid, kid) == 0) {
                    EVP_PKEY_free(j->pkey);
                    j->pkey = NULL;
                    snprintf(err, errlen, "JWKS: keys[%zu]: duplicate kid %s", idx, kid_shown);
                    goto fail;
                }
            }
            j->kid = strdup(kid);
            if (j->kid == NULL) {
                EVP_PKEY_free(j->pkey);
                j->pkey = NULL;
                snprintf(err, errlen, "JWKS: out of memory");
                goto fail;
            }
        }
        snprintf(j->alg, sizeof(j->alg), "%s", j->type == JWK_RSA ? "RS256" : "ES256");
        keys->n++;
    }
    if (keys->n == 0) {
        snprintf(err, errlen,
                 "JWKS: no usable key among %zu (need kty RSA or EC P-256 with use \"sig\")",
                 arr->len);
        goto fail;
    }
    kgw_arena_free(a);
    return keys;
fail:
    kgw_arena_free(a);
    kgw_jwt_keys_free(keys);
    return NULL;
}

kgw_jwt_keys_t *
kgw_jwt_keys_load_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "JWKS file %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(KGW_JWT_MAX_JWKS + 1);
    if (buf == NULL) {
        fclose(f);
        snprintf(err, errlen, "JWKS file %s: out of memory", path);
        return NULL;
    }
    size_t n = fread(buf, 1, KGW_JWT_MAX_JWKS + 1, f);
    int read_error = ferror(f);
    fclose(f);
    kgw_jwt_keys_t *keys = NULL;
    if (read_error) {
        snprintf(err, errlen, "JWKS file %s: read error", path);
    } else if (n > KGW_JWT_MAX_JWKS) {
        snprintf(err, errlen, "JWKS file %s: larger than %d bytes", path, KGW_JWT_MAX_JWKS);
    } else {
        char inner[256];
        keys = kgw_jwt_keys_parse(buf, n, inner, sizeof(inner));
        if (keys == NULL)
            snprintf(err, errlen, "JWKS file %s: %s", path, inner);
    }
    free(buf);
    return keys;
}

/* ---- validation ------------------------------------------------------------------------- */

static int
verify_signature(const jwk_t *key, const char *signing_input, size_t n, const uint8_t *sig,
                 size_t sig_len, char *err, size_t errlen)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    ECDSA_SIG *es = NULL;
    BIGNUM *r = NULL;
    BIGNUM *s = NULL;
    unsigned char *der = NULL;
    const uint8_t *check = sig;
    size_t check_len = sig_len;
    int rc = -1;
    if (md == NULL) {
        snprintf(err, errlen, "JWT: out of memory");
        return -1;
    }
    if (key->type == JWK_EC) {
        /* JOSE carries r||s (32 bytes each); OpenSSL verifies DER. */
        if (sig_len != 64) {
            snprintf(err, errlen, "JWT: ES256 signature is %zu bytes, expected 64", sig_len);
            goto done;
        }
        es = ECDSA_SIG_new();
        r = BN_bin2bn(sig, 32, NULL);
        s = BN_bin2bn(sig + 32, 32, NULL);
        if (es == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
            snprintf(err, errlen, "JWT: out of memory");
            goto done;
        }
        r = s = NULL; /* owned by es */
        int dl = i2d_ECDSA_SIG(es, &der);
        if (dl <= 0) {
            snprintf(err, errlen, "JWT: could not encode the ES256 signature");
            goto done;
        }
        check = der;
        check_len = (size_t)dl;
    }
    if (EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, key->pkey, NULL) != 1) {
        snprintf(err, errlen, "JWT: could not set up %s verification", key->alg);
        goto done;
    }
    if (EVP_DigestVerify(md, check, check_len, (const unsigned char *)signing_input, n) != 1) {
        snprintf(err, errlen, "JWT: %s signature does not verify with key %s", key->alg,
                 key->kid != NULL ? key->kid : "(no kid)");
        goto done;
    }
    rc = 0;
done:
    EVP_MD_CTX_free(md);
    ECDSA_SIG_free(es);
    BN_free(r);
    BN_free(s);
    OPENSSL_free(der);
    return rc;
}

static const jwk_t *
find_key(const kgw_jwt_keys_t *keys, const char *kid, jwk_type_t type, char *err, size_t errlen)
{
    char kbuf[80];
    if (kid != NULL) {
        for (size_t i = 0; i < keys->n; i++) {
            if (keys->v[i].kid != NULL && strcmp(keys->v[i].kid, kid) == 0) {
                if (keys->v[i].type != type) {
                    snprintf(err, errlen, "JWT: key %s is a %s key, the token's alg needs %s",
                             printable(kid, strlen(kid), kbuf, sizeof(kbuf)), keys->v[i].alg,
                             type == JWK_RSA ? "RS256" : "ES256");
                    return NULL;
                }
                return &keys->v[i];
            }
        }
        snprintf(err, errlen, "JWT: unknown kid %s",
                 printable(kid, strlen(kid), kbuf, sizeof(kbuf)));
        return NULL;
    }
    /* No kid: acceptable only when exactly one key can verify this alg. */
    const jwk_t *only = NULL;
    for (size_t i = 0; i < keys->n; i++) {
        if (keys->v[i].type != type)
            continue;
        if (only != NULL) {
            snprintf(err, errlen, "JWT: header has no kid and several keys could match");
            return NULL;
        }
        only = &keys->v[i];
    }
    if (only == NULL)
        snprintf(err, errlen, "JWT: header has no kid and no key of its alg exists");
    return only;
}

/* Reads a NumericDate claim; -1 for a wrong type. Absent: *present = false. */
static int
numeric_date(const kgw_json_t *claims, const char *name, int64_t *out, bool *present, char *err,
             size_t errlen)
{
    const kgw_json_t *v = kgw_json_get(claims, name);
    *present = v != NULL;
    if (v == NULL)
        return 0;
    if (v->type != KGW_JSON_NUMBER || v->number < 0 || v->number > 1e15) {
        snprintf(err, errlen, "JWT: claim \"%s\" is a %s, expected a non-negative NumericDate",
                 name, kgw_json_type_name(v->type));
        return -1;
    }
    *out = v->is_integer ? v->integer : (int64_t)v->number;
    return 0;
}

static bool
audience_ok(const kgw_json_t *aud, const kgw_jwt_policy_t *p)
{
    for (size_t i = 0; i < p->n_audiences; i++) {
        size_t n = strlen(p->audiences[i]);
        if (aud->type == KGW_JSON_STRING) {
            if (aud->len == n && memcmp(aud->str, p->audiences[i], n) == 0)
                return true;
            continue;
        }
        for (const kgw_json_t *a = aud->child; a != NULL; a = a->next)
            if (a->type == KGW_JSON_STRING && a->len == n &&
                memcmp(a->str, p->audiences[i], n) == 0)
                return true;
    }
    return false;
}

static int
check_claims(const kgw_json_t *claims, const kgw_jwt_policy_t *p, int64_t now,
             kgw_jwt_result_t *out, char *err, size_t errlen)
{
    char buf[80];
    int64_t exp = 0;
    int64_t nbf = 0;
    bool has_exp;
    bool has_nbf;
    /* Clamped so that exp + skew cannot overflow (NumericDates are <= 1e15). */
    int64_t skew = p->clock_skew_seconds > 0 ? p->clock_skew_seconds : 0;
    if (skew > KGW_JWT_MAX_CLOCK_SKEW)
        skew = KGW_JWT_MAX_CLOCK_SKEW;
    if (numeric_date(claims, "exp", &exp, &has_exp, err, errlen) != 0 ||
        numeric_date(claims, "nbf", &nbf, &has_nbf, err, errlen) != 0)
        return -1;
    if (!has_exp) {
        snprintf(err, errlen, "JWT: no \"exp\" claim (tokens must expire)");
        return -1;
    }
    if (now > exp + skew) {
        snprintf(err, errlen, "JWT: expired at %lld, now %lld (clock skew %lld s)", (long long)exp,
                 (long long)now, (long long)skew);
        return -1;
    }
    if (has_nbf && now + skew < nbf) {
        snprintf(err, errlen, "JWT: not valid before %lld, now %lld (clock skew %lld s)",
                 (long long)nbf, (long long)now, (long long)skew);
        return -1;
    }
    if (p->issuer != NULL) {
        const kgw_json_t *iss = kgw_json_get(claims, "iss");
        if (iss == NULL || iss->type != KGW_JSON_STRING) {
            snprintf(err, errlen, "JWT: no string \"iss\" claim, expected \"%s\"", p->issuer);
            return -1;
        }
        if (iss->len != strlen(p->issuer) || memcmp(iss->str, p->issuer, iss->len) != 0) {
            snprintf(err, errlen, "JWT: issuer \"%s\" is not the expected \"%s\"",
                     printable(iss->str, iss->len, buf, sizeof(buf)), p->issuer);
            return -1;
        }
    }
    if (p->n_audiences > 0) {
        const kgw_json_t *aud = kgw_json_get(claims, "aud");
        if (aud == NULL || (aud->type != KGW_JSON_STRING && aud->type != KGW_JSON_ARRAY)) {
            snprintf(err, errlen, "JWT: no \"aud\" claim (string or array), expected \"%s\"%s",
                     p->audiences[0], p->n_audiences > 1 ? " or another configured audience" : "");
            return -1;
        }
        if (!audience_ok(aud, p)) {
            snprintf(err, errlen, "JWT: audience %s does not include \"%s\"%s",
                     aud->type == KGW_JSON_STRING ? printable(aud->str, aud->len, buf, sizeof(buf))
                                                  : "(array)",
                     p->audiences[0], p->n_audiences > 1 ? " or another configured audience" : "");
            return -1;
        }
    }
    const char *pc = p->principal_claim != NULL ? p->principal_claim : "sub";
    const kgw_json_t *who = kgw_json_get(claims, pc);
    if (who == NULL || who->type != KGW_JSON_STRING || who->len == 0) {
        snprintf(err, errlen, "JWT: principal claim \"%s\" is missing or not a non-empty string",
                 pc);
        return -1;
    }
    if (who->len > KGW_JWT_MAX_PRINCIPAL) {
        snprintf(err, errlen, "JWT: principal claim \"%s\" is %zu bytes, at most %d allowed", pc,
                 who->len, KGW_JWT_MAX_PRINCIPAL);
        return -1;
    }
    for (size_t i = 0; i < who->len; i++) {
        if ((unsigned char)who->str[i] < 0x20 || who->str[i] == 0x7f) {
            snprintf(err, errlen, "JWT: principal claim \"%s\" holds a control character", pc);
            return -1;
        }
    }
    memcpy(out->principal, who->str, who->len);
    out->principal[who->len] = '\0';
    out->expires_at = exp;
    return 0;
}

int
kgw_jwt_validate(const kgw_jwt_keys_t *keys, const kgw_jwt_policy_t *policy, const char *token,
                 size_t len, int64_t now, kgw_jwt_result_t *out, char *err, size_t errlen)
{
    kgw_arena_t *a = NULL;
    int rc = -1;
    char jerr[160];
    char buf[40];
    memset(out, 0, sizeof(*out));
    if (keys == NULL || policy == NULL || token == NULL) {
        snprintf(err, errlen, "JWT: no keys, policy or token");
        return -1;
    }
    if (len == 0 || len > KGW_JWT_MAX_TOKEN) {
        snprintf(err, errlen, "JWT: token is %zu bytes, expected 1..%d", len, KGW_JWT_MAX_TOKEN);
        return -1;
    }
    const char *d1 = memchr(token, '.', len);
    const char *d2 = d1 != NULL ? memchr(d1 + 1, '.', (size_t)(token + len - d1 - 1)) : NULL;
    if (d1 == NULL || d2 == NULL || memchr(d2 + 1, '.', (size_t)(token + len - d2 - 1)) != NULL) {
        snprintf(err, errlen, "JWT: not a compact JWS (expected 3 parts separated by '.')");
        return -1;
    }
    a = kgw_arena_new(0);
    if (a == NULL) {
        snprintf(err, errlen, "JWT: out of memory");
        return -1;
    }
    size_t hl;
    size_t pl;
    size_t sl;
    uint8_t *hdr = b64url_dup(a, token, (size_t)(d1 - token), &hl);
    if (hdr == NULL) {
        snprintf(err, errlen, "JWT: header is not valid base64url");
        goto done;
    }
    kgw_json_t *header;
    if (kgw_json_parse(a, (const char *)hdr, hl, &header, jerr, sizeof(jerr)) != 0) {
        snprintf(err, errlen, "JWT: header: %s", jerr);
        goto done;
    }
    if (header->type != KGW_JSON_OBJECT) {
        snprintf(err, errlen, "JWT: header is a JSON %s, expected an object",
                 kgw_json_type_name(header->type));
        goto done;
    }
    const kgw_json_t *alg = kgw_json_get(header, "alg");
    if (alg == NULL || alg->type != KGW_JSON_STRING) {
        snprintf(err, errlen, "JWT: header has no string \"alg\"");
        goto done;
    }
    jwk_type_t type;
    if (alg->len == 5 && memcmp(alg->str, "RS256", 5) == 0) {
        type = JWK_RSA;
    } else if (alg->len == 5 && memcmp(alg->str, "ES256", 5) == 0) {
        type = JWK_EC;
    } else {
        snprintf(err, errlen, "JWT: alg \"%s\" is not accepted (only RS256 and ES256)",
                 printable(alg->str, alg->len, buf, sizeof(buf)));
        goto done;
    }
    if (kgw_json_get(header, "crit") != NULL) {
        snprintf(err, errlen, "JWT: header has \"crit\" extensions, none is supported");
        goto done;
    }
    const kgw_json_t *kid = kgw_json_get(header, "kid");
    if (kid != NULL && (kid->type != KGW_JSON_STRING || strlen(kid->str) != kid->len)) {
        snprintf(err, errlen, "JWT: header \"kid\" is not a string");
        goto done;
    }
    const jwk_t *key = find_key(keys, kid != NULL ? kid->str : NULL, type, err, errlen);
    if (key == NULL)
        goto done;
    uint8_t *sig = b64url_dup(a, d2 + 1, (size_t)(token + len - d2 - 1), &sl);
    if (sig == NULL || sl == 0) {
        snprintf(err, errlen, "JWT: signature is empty or not valid base64url");
        goto done;
    }
    if (verify_signature(key, token, (size_t)(d2 - token), sig, sl, err, errlen) != 0)
        goto done;
    uint8_t *payload = b64url_dup(a, d1 + 1, (size_t)(d2 - d1 - 1), &pl);
    if (payload == NULL) {
        snprintf(err, errlen, "JWT: payload is not valid base64url");
        goto done;
    }
    kgw_json_t *claims;
    if (kgw_json_parse(a, (const char *)payload, pl, &claims, jerr, sizeof(jerr)) != 0) {
        snprintf(err, errlen, "JWT: claims: %s", jerr);
        goto done;
    }
    if (claims->type != KGW_JSON_OBJECT) {
        snprintf(err, errlen, "JWT: claims are a JSON %s, expected an object",
                 kgw_json_type_name(claims->type));
        goto done;
    }
    rc = check_claims(claims, policy, now, out, err, errlen);
done:
    kgw_arena_free(a);
    return rc;
}

/* ---- OAUTHBEARER ------------------------------------------------------------------------ */

int
kgw_jwt_oauthbearer_token(const uint8_t *msg, size_t len, const char **token, size_t *token_len,
                          char *err, size_t errlen)
{
    const char *m = (const char *)msg;
    const char *end = m + len;
    if (msg == NULL || len < 3 || (m[0] != 'n' && m[0] != 'y') || m[1] != ',') {
        snprintf(err, errlen, "OAUTHBEARER: message must start with gs2 header \"n,\"");
        return -1;
    }
    const char *p = memchr(m + 2, ',', len - 2);
    if (p == NULL || (p != m + 2 && (m[2] != 'a' || m[3] != '='))) {
        snprintf(err, errlen, "OAUTHBEARER: malformed gs2 header");
        return -1;
    }
    p++;
    if (p >= end || *p != 0x01) {
        snprintf(err, errlen, "OAUTHBEARER: expected %%x01 after the gs2 header");
        return -1;
    }
    p++;
    const char *tok = NULL;
    size_t tok_n = 0;
    for (;;) {
        if (p >= end) {
            snprintf(err, errlen, "OAUTHBEARER: message does not end with %%x01%%x01");
            return -1;
        }
        if (*p == 0x01) {
            if (p + 1 != end) {
                snprintf(err, errlen, "OAUTHBEARER: data after the final %%x01");
                return -1;
            }
            break;
        }
        const char *kv_end = memchr(p, 0x01, (size_t)(end - p));
        if (kv_end == NULL) {
            snprintf(err, errlen, "OAUTHBEARER: key=value pair without a closing %%x01");
            return -1;
        }
        const char *eq = memchr(p, '=', (size_t)(kv_end - p));
        if (eq == NULL || eq == p) {
            snprintf(err, errlen, "OAUTHBEARER: malformed key=value pair");
            return -1;
        }
        if (eq - p == 4 && memcmp(p, "auth", 4) == 0) {
            const char *v = eq + 1;
            if (tok != NULL) {
                snprintf(err, errlen, "OAUTHBEARER: more than one auth= pair");
                return -1;
            }
            if (kv_end - v < 7 || strncasecmp(v, "Bearer", 6) != 0 || v[6] != ' ') {
                snprintf(err, errlen, "OAUTHBEARER: auth= value must be \"Bearer <token>\"");
                return -1;
            }
            v += 7;
            while (v < kv_end && *v == ' ')
                v++;
            tok = v;
            tok_n = (size_t)(kv_end - v);
            for (size_t i = 0; i < tok_n; i++) {
                char c = tok[i];
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '/' ||
                      c == '=')) {
                    snprintf(err, errlen,
                             "OAUTHBEARER: token holds a character outside the b64token set "
                             "at offset %zu",
                             i);
                    return -1;
                }
            }
        }
        p = kv_end + 1;
    }
    if (tok == NULL || tok_n == 0) {
        snprintf(err, errlen, "OAUTHBEARER: no auth=Bearer token");
        return -1;
    }
    *token = tok;
    *token_len = tok_n;
    return 0;
}
