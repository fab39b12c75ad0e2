/*
 * kgw_sasl_plain: the SASL PLAIN message (RFC 4616),
 *   message = [authzid] NUL authcid NUL passwd
 * parsed strictly on the server side and built on the client side. Kafka
 * carries it as the auth_bytes of SaslAuthenticate (or as the raw token after
 * a v0 SaslHandshake).
 *
 * Rules enforced by the parser: exactly two NUL separators, a non-empty
 * authcid (user) and password, each field at most KGW_SASL_PLAIN_MAX_FIELD
 * bytes of valid UTF-8, and an authzid that is empty or equal to the authcid
 * (the gateway does not let one user act for another). The password never
 * appears in an error message.
 */
#ifndef KGW_SASL_PLAIN_H
#define KGW_SASL_PLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KGW_SASL_PLAIN_MAX_FIELD 255

/* Fields of a parsed message, each NUL-terminated (copied out of the
 * message, which is never modified). */
typedef struct kgw_sasl_plain {
    char authzid[KGW_SASL_PLAIN_MAX_FIELD + 1];
    char user[KGW_SASL_PLAIN_MAX_FIELD + 1];
    char password[KGW_SASL_PLAIN_MAX_FIELD + 1];
} kgw_sasl_plain_t;

/* Parses msg[0..len). Returns 0 and fills *out, or -1 with the reason in err
 * (naming the field and the offending length or byte offset, never the
 * password). On failure *out is zeroed. */
int kgw_sasl_plain_parse(const uint8_t *msg, size_t len, kgw_sasl_plain_t *out, char *err,
                         size_t errlen) __attribute__((warn_unused_result));

/* Builds the client message for user/password (authzid empty) into a new
 * malloc'd buffer of *out_len bytes; the caller frees it after wiping it with
 * kgw_sasl_plain_wipe. Returns NULL with the reason in err for an empty or
 * too long field, a field holding NUL, or no memory. */
uint8_t *kgw_sasl_plain_build(const char *user, const char *password, size_t *out_len, char *err,
                              size_t errlen) __attribute__((warn_unused_result));

/* Compares a received password with the configured one without leaking,
 * through timing, where they differ or how long the configured one is: both
 * are hashed with SHA-256 and the digests compared with CRYPTO_memcmp. */
bool kgw_sasl_plain_password_equal(const char *given, const char *expected);

/* Overwrites a buffer holding secrets (parsed message or built token) in a
 * way the compiler may not remove. NULL is accepted. */
void kgw_sasl_plain_wipe(void *p, size_t n);

#endif
