/* SASL PLAIN parse/build; see sasl_plain.h. */
#include "sasl_plain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "json.h"

static const char *const field_names[3] = {"authzid", "authcid (user)", "password"};

int
kgw_sasl_plain_parse(const uint8_t *msg, size_t len, kgw_sasl_plain_t *out, char *err,
                     size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (msg == NULL || len == 0) {
        snprintf(err, errlen, "SASL PLAIN: empty message (expected authzid NUL user NUL password)");
        return -1;
    }
    char *dest[3] = {out->authzid, out->user, out->password};
    size_t field = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && msg[i] != 0)
            continue;
        if (field > 2) {
            snprintf(err, errlen,
                     "SASL PLAIN: more than two NUL separators (extra one at byte %zu)", start - 1);
            goto fail;
        }
        size_t n = i - start;
        if (n > KGW_SASL_PLAIN_MAX_FIELD) {
            snprintf(err, errlen, "SASL PLAIN: %s is %zu bytes, at most %d allowed",
                     field_names[field], n, KGW_SASL_PLAIN_MAX_FIELD);
            goto fail;
        }
        if (!kgw_json_utf8_valid(msg + start, n)) {
            snprintf(err, errlen, "SASL PLAIN: %s is not valid UTF-8", field_names[field]);
            goto fail;
        }
        memcpy(dest[field], msg + start, n);
        dest[field][n] = '\0';
        field++;
        start = i + 1;
    }
    if (field != 3) {
        snprintf(err, errlen,
                 "SASL PLAIN: expected authzid NUL user NUL password, found %zu NUL separator(s)",
                 field == 0 ? (size_t)0 : field - 1);
        goto fail;
    }
    if (out->user[0] == '\0') {
        snprintf(err, errlen, "SASL PLAIN: empty user");
        goto fail;
    }
    if (out->password[0] == '\0') {
        snprintf(err, errlen, "SASL PLAIN: empty password for user \"%s\"", out->user);
        goto fail;
    }
    if (out->authzid[0] != '\0' && strcmp(out->authzid, out->user) != 0) {
        snprintf(err, errlen, "SASL PLAIN: authzid \"%s\" differs from user \"%s\"", out->authzid,
                 out->user);
        goto fail;
    }
    return 0;
fail:
    kgw_sasl_plain_wipe(out, sizeof(*out));
    return -1;
}

uint8_t *
kgw_sasl_plain_build(const char *user, const char *password, size_t *out_len, char *err,
                     size_t errlen)
{
    if (user == NULL || password == NULL || user[0] == '\0' || password[0] == '\0') {
        snprintf(err, errlen, "SASL PLAIN: user and password must be non-empty");
        return NULL;
    }
    size_t ul = strlen(user);
    size_t pl = strlen(password);
    if (ul > KGW_SASL_PLAIN_MAX_FIELD || pl > KGW_SASL_PLAIN_MAX_FIELD) {
        snprintf(err, errlen, "SASL PLAIN: %s is longer than %d bytes",
                 ul > KGW_SASL_PLAIN_MAX_FIELD ? "user" : "password", KGW_SASL_PLAIN_MAX_FIELD);
        return NULL;
    }
    size_t n = 1 + ul + 1 + pl;
    uint8_t *buf = malloc(n);
    if (buf == NULL) {
        snprintf(err, errlen, "SASL PLAIN: out of memory for a %zu-byte message", n);
        return NULL;
    }
    buf[0] = 0;
    memcpy(buf + 1, user, ul);
    buf[1 + ul] = 0;
    memcpy(buf + 2 + ul, password, pl);
    *out_len = n;
    return buf;
}

bool
kgw_sasl_plain_password_equal(const char *given, const char *expected)
{
    unsigned char a[32];
    unsigned char b[32];
    unsigned int al = 0;
    unsigned int bl = 0;
    if (given == NULL || expected == NULL)
        return false;
    if (EVP_Digest(given, strlen(given), a, &al, EVP_sha256(), NULL) != 1 ||
        EVP_Digest(expected, strlen(expected), b, &bl, EVP_sha256(), NULL) != 1 || al != 32 ||
        bl != 32)
        return false;
    bool eq = CRYPTO_memcmp(a, b, sizeof(a)) == 0;
    OPENSSL_cleanse(a, sizeof(a));
    OPENSSL_cleanse(b, sizeof(b));
    return eq;
}

void
kgw_sasl_plain_wipe(void *p, size_t n)
{
    if (p != NULL)
        OPENSSL_cleanse(p, n);
}
