/*
 * kgw_scram: SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka
 * uses them in SaslAuthenticate, on both sides:
 *
 *  - server side, for virtual clusters that terminate SCRAM: credentials are
 *    derived once when the configuration loads (kgw_scram_credential_derive,
 *    PBKDF2 with at least KGW_SCRAM_MIN_ITERATIONS), so a login costs two
 *    HMACs and a hash, not a PBKDF2; the proof is checked with CRYPTO_memcmp;
 *  - client side, for the gateway authenticating to a backend cluster.
 *
 * Exchange, server side:
 *   client-first  --kgw_scram_server_first-->  server-first
 *   client-final  --kgw_scram_server_final-->  server-final (authenticated)
 * Client side:
 *   kgw_scram_client_first  -> client-first
 *   kgw_scram_client_final(server-first) -> client-final
 *   kgw_scram_client_verify(server-final) -> 0 when the server proved itself
 *
 * Decisions: no channel binding (the gs2 flag must be "n" or "y"; "p=" is
 * refused), the authzid must be empty or equal to the user, the "m"
 * mandatory extension and Kafka's "tokenauth" (delegation tokens) are refused
 * and other extensions are ignored. Passwords are used as their UTF-8 bytes
 * without SASLprep, as Kafka's Java client does (identical for ASCII). An
 * unknown user gets a server-first with a deterministic fake salt so that a
 * client cannot tell unknown users from wrong passwords; the failure is
 * reported at the final step (err names it for the operator's log).
 *
 * Error strings name the exact malformed attribute and never contain a
 * password, a proof, a salted password or a key. Objects are not
 * thread-safe; one object serves one exchange on one connection.
 */
#ifndef KGW_SASL_SCRAM_H
#define KGW_SASL_SCRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KGW_SCRAM_MIN_ITERATIONS 4096
#define KGW_SCRAM_MAX_ITERATIONS 16384 /* Kafka's own upper bound */
#define KGW_SCRAM_MAX_DIGEST 64
#define KGW_SCRAM_MAX_SALT 64
#define KGW_SCRAM_MAX_MESSAGE 4096

typedef enum kgw_scram_alg {
    KGW_SCRAM_SHA_256 = 0,
    KGW_SCRAM_SHA_512 = 1,
} kgw_scram_alg_t;

/* "SCRAM-SHA-256" or "SCRAM-SHA-512" (the SaslHandshake mechanism name). */
const char *kgw_scram_mechanism(kgw_scram_alg_t alg);

/* Accepts "sha256"/"sha512" (configuration) and "SCRAM-SHA-256"/
 * "SCRAM-SHA-512" (mechanism names, case-insensitive). Returns 0 or -1. */
int kgw_scram_alg_parse(const char *name, kgw_scram_alg_t *out) __attribute__((warn_unused_result));

/* What the server stores per user: never the password. */
typedef struct kgw_scram_credential {
    kgw_scram_alg_t alg;
    int iterations;
    size_t salt_len;
    uint8_t salt[KGW_SCRAM_MAX_SALT];
    uint8_t stored_key[KGW_SCRAM_MAX_DIGEST];
    uint8_t server_key[KGW_SCRAM_MAX_DIGEST];
} kgw_scram_credential_t;

/* Derives a credential from a password. salt NULL picks 24 random bytes;
 * otherwise salt_len must be 1..KGW_SCRAM_MAX_SALT. iterations must lie in
 * [KGW_SCRAM_MIN_ITERATIONS, KGW_SCRAM_MAX_ITERATIONS]. Returns 0, or -1 with
 * the reason in err. */
int kgw_scram_credential_derive(kgw_scram_alg_t alg, const char *password, const uint8_t *salt,
                                size_t salt_len, int iterations, kgw_scram_credential_t *out,
                                char *err, size_t errlen) __attribute__((warn_unused_result));

/* Finds the credential of a (unescaped) user name; NULL when unknown. The
 * server copies what it returns, so it only has to stay valid for the call. */
typedef const kgw_scram_credential_t *(*kgw_scram_lookup_fn)(void *ctx, const char *user);

typedef struct kgw_scram_server kgw_scram_server_t;

/* Returns a server for one exchange, or NULL when memory runs out. */
kgw_scram_server_t *kgw_scram_server_new(kgw_scram_alg_t alg, kgw_scram_lookup_fn lookup,
                                         void *lookup_ctx);

/* Consumes client-first and produces server-first in *out (NUL-terminated,
 * owned by srv, valid until the next call or free). server_nonce NULL draws
 * a random one (RAND_bytes); a fixed one is for test vectors and must be
 * printable ASCII without ','. Returns 0, or -1 with the reason in err; after
 * a failure the exchange is over. */
int kgw_scram_server_first(kgw_scram_server_t *srv, const uint8_t *msg, size_t len,
                           const char *server_nonce, const char **out, size_t *out_len, char *err,
                           size_t errlen) __attribute__((warn_unused_result));

/* Consumes client-final; on a valid proof produces server-final ("v=...") in
 * *out and returns 0. Returns -1 with the reason in err for a malformed
 * message, a nonce or channel-binding mismatch, an unknown user or a wrong
 * proof (wrong password). */
int kgw_scram_server_final(kgw_scram_server_t *srv, const uint8_t *msg, size_t len,
                           const char **out, size_t *out_len, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* The unescaped user name once client-first was parsed, else NULL. Only an
 * authenticated name after kgw_scram_server_final returned 0. */
const char *kgw_scram_server_user(const kgw_scram_server_t *srv);

/* True once kgw_scram_server_final succeeded. */
bool kgw_scram_server_authenticated(const kgw_scram_server_t *srv);

/* Wipes and frees. NULL is accepted. */
void kgw_scram_server_free(kgw_scram_server_t *srv);

typedef struct kgw_scram_client kgw_scram_client_t;

/* Returns a client for user/password (both non-empty; copied), or NULL with
 * the reason in err. */
kgw_scram_client_t *kgw_scram_client_new(kgw_scram_alg_t alg, const char *user,
                                         const char *password, char *err, size_t errlen);

/* Produces client-first ("n,,n=<escaped user>,r=<nonce>"). nonce NULL draws
 * a random one. Output owned by c, valid until the next call. */
int kgw_scram_client_first(kgw_scram_client_t *c, const char *nonce, const char **out,
                           size_t *out_len, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Consumes server-first (checking the nonce extends ours and the iteration
 * count is within bounds) and produces client-final with the proof. */
int kgw_scram_client_final(kgw_scram_client_t *c, const uint8_t *msg, size_t len, const char **out,
                           size_t *out_len, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Checks server-final: 0 when its signature proves the server knows our
 * credential, -1 for "e=" errors, malformed input or a wrong signature. */
int kgw_scram_client_verify(kgw_scram_client_t *c, const uint8_t *msg, size_t len, char *err,
                            size_t errlen) __attribute__((warn_unused_result));

/* Wipes and frees. NULL is accepted. */
void kgw_scram_client_free(kgw_scram_client_t *c);

#endif
