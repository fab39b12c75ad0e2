/*
 * kgw_jwt: validation of OAUTHBEARER tokens (RFC 7628) that are compact JWS
 * JSON Web Tokens (RFC 7515, RFC 7519), against public keys from a JWKS file
 * (RFC 7517).
 *
 * Accepted algorithms: RS256 (RSA >= 2048 bits, PKCS#1 v1.5, SHA-256) and
 * ES256 (P-256, SHA-256, JOSE raw r||s signature). "none", HS* and anything
 * else are refused: an HMAC "alg" would let a client sign with a public key.
 * A header with "crit" is refused (no extension is understood).
 *
 * Order of checks: size and shape, header (alg, kid), key lookup, signature,
 * then claims (exp required, nbf, iss, aud, principal claim). A token that
 * fails any check is refused with a reason naming the check and the bad
 * value where it is not secret (a claim value, a kid); the token itself and
 * the signature never appear in a reason, so reasons may be logged.
 */
#ifndef KGW_JWT_H
#define KGW_JWT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KGW_JWT_MAX_TOKEN 16384
#define KGW_JWT_MAX_PRINCIPAL 256
#define KGW_JWT_MAX_JWKS (1024 * 1024)
#define KGW_JWT_MAX_CLOCK_SKEW 86400 /* larger configured skews are clamped */

typedef struct kgw_jwt_keys kgw_jwt_keys_t;

/* Parses a JWKS document {"keys": [...]}. RSA keys (n, e) and EC P-256 keys
 * (x, y) with "use" absent or "sig" are kept; other key types, curves and
 * uses are skipped. A malformed RSA or EC key, a duplicate "kid", or a
 * document without one usable key is an error naming the key's index and
 * kid. Returns the key set or NULL with the reason in err. */
kgw_jwt_keys_t *kgw_jwt_keys_parse(const char *json, size_t len, char *err, size_t errlen);

/* Reads and parses a JWKS file (at most KGW_JWT_MAX_JWKS bytes); errors name
 * the path (and errno text when it cannot be read). */
kgw_jwt_keys_t *kgw_jwt_keys_load_file(const char *path, char *err, size_t errlen);

/* Number of usable keys. */
size_t kgw_jwt_keys_count(const kgw_jwt_keys_t *keys);

/* Frees the key set. NULL is accepted. */
void kgw_jwt_keys_free(kgw_jwt_keys_t *keys);

/* What a valid token must satisfy. */
typedef struct kgw_jwt_policy {
    const char *issuer;           /* "iss" must equal it; NULL: not checked */
    const char *const *audiences; /* "aud" (string or array) must hold one; */
    size_t n_audiences;           /*   0: not checked */
    const char *principal_claim;  /* claim naming the principal; NULL: "sub" */
    int64_t clock_skew_seconds;   /* tolerance on exp and nbf, 0..KGW_JWT_MAX_CLOCK_SKEW */
} kgw_jwt_policy_t;

typedef struct kgw_jwt_result {
    char principal[KGW_JWT_MAX_PRINCIPAL + 1];
    int64_t expires_at; /* "exp", seconds since the epoch: ends the session */
} kgw_jwt_result_t;

/* Validates token[0..len) at time `now` (seconds since the epoch). Returns 0
 * and fills *out, or -1 with the reason in err. */
int kgw_jwt_validate(const kgw_jwt_keys_t *keys, const kgw_jwt_policy_t *policy, const char *token,
                     size_t len, int64_t now, kgw_jwt_result_t *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Extracts the bearer token from an OAUTHBEARER client initial response
 *   "n,[a=authzid]," %x01 "auth=Bearer " token %x01 [key=value %x01]* %x01
 * Returns 0 with *token pointing into msg, or -1 with the reason in err. */
int kgw_jwt_oauthbearer_token(const uint8_t *msg, size_t len, const char **token, size_t *token_len,
                              char *err, size_t errlen) __attribute__((warn_unused_result));

/* Strict unpadded base64url (RFC 7515 section 2): returns the decoded length
 * or -1 for a bad character, padding, a bad length, non-zero unused bits or
 * an output longer than cap. */
long kgw_jwt_base64url_decode(const char *in, size_t n, uint8_t *out, size_t cap);

#endif
