/* SCRAM-SHA-256/512 server and client; see sasl_scram.h. */
#include "sasl_scram.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "json.h"

#define NONCE_RANDOM_BYTES 24
#define MAX_NONCE 256
#define MAX_USER 256

/* ---- primitives ------------------------------------------------------------------------- */

static const EVP_MD *
alg_md(kgw_scram_alg_t alg)
{
    return alg == KGW_SCRAM_SHA_512 ? EVP_sha512() : EVP_sha256();
}

static size_t
alg_len(kgw_scram_alg_t alg)
{
    return alg == KGW_SCRAM_SHA_512 ? 64 : 32;
}

const char *
kgw_scram_mechanism(kgw_scram_alg_t alg)
{
    return alg == KGW_SCRAM_SHA_512 ? "SCRAM-SHA-512" : "SCRAM-SHA-256";
}

int
kgw_scram_alg_parse(const char *name, kgw_scram_alg_t *out)
{
    if (name == NULL)
        return -1;
    if (strcmp(name, "sha256") == 0 || strcasecmp(name, "SCRAM-SHA-256") == 0) {
        *out = KGW_SCRAM_SHA_256;
        return 0;
    }
    if (strcmp(name, "sha512") == 0 || strcasecmp(name, "SCRAM-SHA-512") == 0) {
        *out = KGW_SCRAM_SHA_512;
        return 0;
    }
    return -1;
}

static int
hmac(kgw_scram_alg_t alg, const uint8_t *key, size_t key_len, const void *data, size_t n,
     uint8_t *out)
{
    unsigned int len = 0;
    if (HMAC(alg_md(alg), key, (int)key_len, data, n, out, &len) == NULL || len != alg_len(alg))
        return -1;
    return 0;
}

static int
hash(kgw_scram_alg_t alg, const uint8_t *data, size_t n, uint8_t *out)
{
    unsigned int len = 0;
    if (EVP_Digest(data, n, out, &len, alg_md(alg), NULL) != 1 || len != alg_len(alg))
        return -1;
    return 0;
}

/* Standard base64 with padding; out must hold 4 * ((n + 2) / 3) + 1 bytes. */
static size_t
b64_encode(const uint8_t *in, size_t n, char *out)
{
    return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

static int
b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Strict standard base64 (length a multiple of 4, '=' only as final padding,
 * unused bits zero). Returns the decoded length, or -1. */
static long
b64_decode(const char *in, size_t n, uint8_t *out, size_t cap)
{
    if (n % 4 != 0)
        return -1;
    size_t pad = 0;
    if (n >= 1 && in[n - 1] == '=')
        pad++;
    if (n >= 2 && in[n - 2] == '=')
        pad++;
    size_t olen = n / 4 * 3 - pad;
    if (olen > cap)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++) {
            bool is_pad = i + 4 == n && (size_t)k >= 4 - pad;
            v[k] = is_pad ? 0 : b64_value(in[i + k]);
            if (v[k] < 0)
                return -1;
        }
        uint32_t w =
            (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        uint8_t b[3] = {(uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w};
        size_t take = i + 4 == n ? 3 - pad : 3;
        if (i + 4 == n && ((pad == 1 && b[2] != 0) || (pad == 2 && b[1] != 0)))
            return -1;
        memcpy(out + o, b, take);
        o += take;
    }
    return (long)o;
}

static void
xor_into(uint8_t *dst, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] ^= src[i];
}

int
kgw_scram_credential_derive(kgw_scram_alg_t alg, const char *password, const uint8_t *salt,
                            size_t salt_len, int iterations, kgw_scram_credential_t *out, char *err,
                            size_t errlen)
{
    uint8_t salted[KGW_SCRAM_MAX_DIGEST];
    uint8_t client_key[KGW_SCRAM_MAX_DIGEST];
    int rc = -1;
    memset(out, 0, sizeof(*out));
    if (password == NULL || password[0] == '\0') {
        snprintf(err, errlen, "%s: empty password", kgw_scram_mechanism(alg));
        return -1;
    }
    if (iterations < KGW_SCRAM_MIN_ITERATIONS || iterations > KGW_SCRAM_MAX_ITERATIONS) {
        snprintf(err, errlen, "%s: iterations %d outside [%d, %d]", kgw_scram_mechanism(alg),
                 iterations, KGW_SCRAM_MIN_ITERATIONS, KGW_SCRAM_MAX_ITERATIONS);
        return -1;
    }
    if (salt == NULL) {
        out->salt_len = 24;
        if (RAND_bytes(out->salt, (int)out->salt_len) != 1) {
            snprintf(err, errlen, "%s: RAND_bytes failed for the salt", kgw_scram_mechanism(alg));
            return -1;
        }
    } else {
        if (salt_len == 0 || salt_len > KGW_SCRAM_MAX_SALT) {
            snprintf(err, errlen, "%s: salt length %zu outside [1, %d]", kgw_scram_mechanism(alg),
                     salt_len, KGW_SCRAM_MAX_SALT);
            return -1;
        }
        out->salt_len = salt_len;
        memcpy(out->salt, salt, salt_len);
    }
    out->alg = alg;
    out->iterations = iterations;
    size_t dl = alg_len(alg);
    if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), out->salt, (int)out->salt_len,
                          iterations, alg_md(alg), (int)dl, salted) != 1) {
        snprintf(err, errlen, "%s: PBKDF2 failed", kgw_scram_mechanism(alg));
        goto done;
    }
    if (hmac(alg, salted, dl, "Client Key", 10, client_key) != 0 ||
        hash(alg, client_key, dl, out->stored_key) != 0 ||
        hmac(alg, salted, dl, "Server Key", 10, out->server_key) != 0) {
        snprintf(err, errlen, "%s: HMAC failed", kgw_scram_mechanism(alg));
        goto done;
    }
    rc = 0;
done:
    OPENSSL_cleanse(salted, sizeof(salted));
    OPENSSL_cleanse(client_key, sizeof(client_key));
    if (rc != 0)
        OPENSSL_cleanse(out, sizeof(*out));
    return rc;
}

/* ---- message parsing -------------------------------------------------------------------- */

/* A cursor over "k=v,k=v" attribute lists. */
typedef struct cursor {
    const char *p;
    const char *end;
} cursor_t;

/* Reads attribute `name` (a single letter) at the cursor: its value is
 * [*v, *v + *vn). Consumes the ',' after it if any. */
static int
expect_attr(cursor_t *c, char name, const char **v, size_t *vn)
{
    if (c->end - c->p < 2 || c->p[0] != name || c->p[1] != '=')
        return -1;
    const char *s = c->p + 2;
    const char *e = memchr(s, ',', (size_t)(c->end - s));
    if (e == NULL)
        e = c->end;
    *v = s;
    *vn = (size_t)(e - s);
    c->p = e < c->end ? e + 1 : e;
    return 0;
}

static bool
at_end(const cursor_t *c)
{
    return c->p >= c->end;
}

/* A message read whole: no NUL, valid UTF-8, bounded size. */
static int
check_message(const char *mech, const char *what, const uint8_t *msg, size_t len, char *err,
              size_t errlen)
{
    if (msg == NULL || len == 0) {
        snprintf(err, errlen, "%s: empty %s", mech, what);
        return -1;
    }
    if (len > KGW_SCRAM_MAX_MESSAGE) {
        snprintf(err, errlen, "%s: %s is %zu bytes, at most %d allowed", mech, what, len,
                 KGW_SCRAM_MAX_MESSAGE);
        return -1;
    }
    if (memchr(msg, 0, len) != NULL) {
        snprintf(err, errlen, "%s: %s contains a NUL byte", mech, what);
        return -1;
    }
    if (!kgw_json_utf8_valid(msg, len)) {
        snprintf(err, errlen, "%s: %s is not valid UTF-8", mech, what);
        return -1;
    }
    return 0;
}

/* Unescapes a saslname (=2C -> ',', =3D -> '='); any other '=' is an error. */
static int
unescape_name(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '=') {
            if (i + 2 >= n)
                return -1;
            if (s[i + 1] == '2' && s[i + 2] == 'C')
                ch = ',';
            else if (s[i + 1] == '3' && s[i + 2] == 'D')
                ch = '=';
            else
                return -1;
            i += 2;
        } else if (ch == ',') {
            return -1;
        }
        if (o + 1 >= cap)
            return -1;
        out[o++] = ch;
    }
    out[o] = '\0';
    return 0;
}

/* Escapes a user name into a saslname; returns its length or -1 if cap is short. */
static long
escape_name(const char *user, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = user; *p != '\0'; p++) {
        const char *rep = *p == ',' ? "=2C" : *p == '=' ? "=3D" : NULL;
        size_t k = rep != NULL ? 3 : 1;
        if (o + k >= cap)
            return -1;
        if (rep != NULL)
            memcpy(out + o, rep, 3);
        else
            out[o] = *p;
        o += k;
    }
    out[o] = '\0';
    return (long)o;
}

/* A nonce is printable ASCII without ','. */
static bool
nonce_valid(const char *s, size_t n)
{
    if (n == 0 || n > MAX_NONCE)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x21 || s[i] > 0x7e || s[i] == ',')
            return false;
    return true;
}

static int
random_nonce(char *out, size_t cap)
{
    uint8_t raw[NONCE_RANDOM_BYTES];
    if (cap < 4 * ((sizeof(raw) + 2) / 3) + 1 || RAND_bytes(raw, sizeof(raw)) != 1)
        return -1;
    b64_encode(raw, sizeof(raw), out);
    return 0;
}

/* Extensions after the mandatory attributes: "key=value" with an alphanumeric key. */
static int
check_extensions(cursor_t *c, const char *mech, const char *what, char stop, char *err,
                 size_t errlen)
{
    while (!at_end(c) && !(c->end - c->p >= 2 && c->p[0] == stop && c->p[1] == '=')) {
        const char *eq = memchr(c->p, '=', (size_t)(c->end - c->p));
        const char *comma = memchr(c->p, ',', (size_t)(c->end - c->p));
        if (eq == NULL || eq == c->p || (comma != NULL && comma < eq)) {
            snprintf(err, errlen, "%s: malformed extension (expected key=value) in %s", mech, what);
            return -1;
        }
        for (const char *k = c->p; k < eq; k++) {
            if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
                  (*k >= '0' && *k <= '9'))) {
                snprintf(err, errlen, "%s: malformed extension name in %s", mech, what);
                return -1;
            }
        }
        size_t kn = (size_t)(eq - c->p);
        if (kn == 1 && c->p[0] == 'm') {
            snprintf(err, errlen, "%s: mandatory extension 'm' in %s is not supported", mech, what);
            return -1;
        }
        if (kn == 9 && memcmp(c->p, "tokenauth", 9) == 0) {
            snprintf(err, errlen,
                     "%s: delegation-token authentication (tokenauth) is not supported by "
                     "the gateway",
                     mech);
            return -1;
        }
        c->p = comma != NULL ? comma + 1 : c->end;
    }
    return 0;
}

/* ---- server ----------------------------------------------------------------------------- */

typedef enum server_state {
    SERVER_START,
    SERVER_SENT_FIRST,
    SERVER_DONE,
    SERVER_FAILED,
} server_state_t;

struct kgw_scram_server {
    kgw_scram_alg_t alg;
    kgw_scram_lookup_fn lookup;
    void *lookup_ctx;
    server_state_t state;
    bool known_user;
    kgw_scram_credential_t cred;
    char user[MAX_USER];
    char gs2_header[MAX_USER + 8];
    char nonce[2 * MAX_NONCE + 1]; /* client nonce + server nonce */
    char client_first_bare[KGW_SCRAM_MAX_MESSAGE + 1];
    char server_first[2 * MAX_NONCE + 128];
    char server_final[8 + 4 * ((KGW_SCRAM_MAX_DIGEST + 2) / 3) + 1];
};

static uint8_t fake_secret[32];
static bool fake_secret_ok;
static pthread_once_t fake_once = PTHREAD_ONCE_INIT;

static void
fake_secret_init(void)
{
    fake_secret_ok = RAND_bytes(fake_secret, sizeof(fake_secret)) == 1;
}

/* A credential for an unknown user: its salt is stable for a user name within
 * the process (so two attempts look like a real user's) and its keys are
 * random, so no proof can match. */
static int
fake_credential(kgw_scram_server_t *srv)
{
    uint8_t mac[32];
    if (pthread_once(&fake_once, fake_secret_init) != 0 || !fake_secret_ok)
        return -1;
    if (hmac(KGW_SCRAM_SHA_256, fake_secret, sizeof(fake_secret), srv->user, strlen(srv->user),
             mac) != 0)
        return -1;
    memset(&srv->cred, 0, sizeof(srv->cred));
    srv->cred.alg = srv->alg;
    srv->cred.iterations = KGW_SCRAM_MIN_ITERATIONS;
    srv->cred.salt_len = 24;
    memcpy(srv->cred.salt, mac, 24);
    if (RAND_bytes(srv->cred.stored_key, sizeof(srv->cred.stored_key)) != 1 ||
        RAND_bytes(srv->cred.server_key, sizeof(srv->cred.server_key)) != 1)
        return -1;
    return 0;
}

kgw_scram_server_t *
kgw_scram_server_new(kgw_scram_alg_t alg, kgw_scram_lookup_fn lookup, void *lookup_ctx)
{
    kgw_scram_server_t *srv = calloc(1, sizeof(*srv));
    if (srv == NULL)
        return NULL;
    srv->alg = alg;
    srv->lookup = lookup;
    srv->lookup_ctx = lookup_ctx;
    srv->state = SERVER_START;
    return srv;
}

int
kgw_scram_server_first(kgw_scram_server_t *srv, const uint8_t *msg, size_t len,
                       const char *server_nonce, const char **out, size_t *out_len, char *err,
                       size_t errlen)
{
    const char *mech = kgw_scram_mechanism(srv->alg);
    const char *m = (const char *)msg;
    if (srv->state != SERVER_START) {
        snprintf(err, errlen, "%s: client-first received out of order", mech);
        goto fail;
    }
    if (check_message(mech, "client-first message", msg, len, err, errlen) != 0)
        goto fail;
    cursor_t c = {m, m + len};
    /* gs2-header = gs2-cbind-flag "," [ authzid ] "," */
    if (len >= 2 && m[0] == 'p' && m[1] == '=') {
        snprintf(err, errlen, "%s: channel binding requested (gs2 flag 'p') but not supported",
                 mech);
        goto fail;
    }
    if (len < 2 || (m[0] != 'n' && m[0] != 'y') || m[1] != ',') {
        snprintf(err, errlen, "%s: client-first must start with gs2 flag \"n,\" or \"y,\"", mech);
        goto fail;
    }
    c.p += 2;
    const char *authz = NULL;
    size_t authz_n = 0;
    if (!at_end(&c) && c.p[0] != ',') {
        if (expect_attr(&c, 'a', &authz, &authz_n) != 0) {
            snprintf(err, errlen, "%s: client-first gs2 header has a malformed authzid", mech);
            goto fail;
        }
    } else if (!at_end(&c)) {
        c.p++;
    } else {
        snprintf(err, errlen, "%s: client-first ends inside the gs2 header", mech);
        goto fail;
    }
    size_t gs2_len = (size_t)(c.p - m);
    if (gs2_len >= sizeof(srv->gs2_header)) {
        snprintf(err, errlen, "%s: client-first gs2 header is %zu bytes, too long", mech, gs2_len);
        goto fail;
    }
    memcpy(srv->gs2_header, m, gs2_len);
    srv->gs2_header[gs2_len] = '\0';
    const char *bare = c.p;
    const char *name;
    size_t name_n;
    const char *cnonce;
    size_t cnonce_n;
    if (c.end - c.p >= 2 && c.p[0] == 'm' && c.p[1] == '=') {
        snprintf(err, errlen, "%s: mandatory extension 'm' in client-first is not supported", mech);
        goto fail;
    }
    if (expect_attr(&c, 'n', &name, &name_n) != 0) {
        snprintf(err, errlen, "%s: client-first has no 'n=' user attribute", mech);
        goto fail;
    }
    if (unescape_name(name, name_n, srv->user, sizeof(srv->user)) != 0) {
        snprintf(err, errlen,
                 "%s: client-first user name is empty, longer than %d bytes or badly escaped "
                 "(only =2C and =3D are allowed)",
                 mech, MAX_USER - 1);
        goto fail;
    }
    if (authz != NULL) {
        char az[MAX_USER];
        if (unescape_name(authz, authz_n, az, sizeof(az)) != 0 || strcmp(az, srv->user) != 0) {
            snprintf(err, errlen, "%s: authzid differs from user \"%s\"", mech, srv->user);
            goto fail;
        }
    }
    if (expect_attr(&c, 'r', &cnonce, &cnonce_n) != 0 || !nonce_valid(cnonce, cnonce_n)) {
        snprintf(err, errlen,
                 "%s: client-first needs 'r=' with a nonce of 1..%d printable characters", mech,
                 MAX_NONCE);
        goto fail;
    }
    if (check_extensions(&c, mech, "client-first", '\0', err, errlen) != 0)
        goto fail;
    size_t bare_len = (size_t)(m + len - bare);
    memcpy(srv->client_first_bare, bare, bare_len);
    srv->client_first_bare[bare_len] = '\0';

    char snonce[MAX_NONCE + 1];
    if (server_nonce != NULL) {
        size_t sn = strlen(server_nonce);
        if (!nonce_valid(server_nonce, sn)) {
            snprintf(err, errlen, "%s: the given server nonce is empty, too long or not printable",
                     mech);
            goto fail;
        }
        memcpy(snonce, server_nonce, sn + 1);
    } else if (random_nonce(snonce, sizeof(snonce)) != 0) {
        snprintf(err, errlen, "%s: RAND_bytes failed for the server nonce", mech);
        goto fail;
    }
    snprintf(srv->nonce, sizeof(srv->nonce), "%.*s%s", (int)cnonce_n, cnonce, snonce);

    const kgw_scram_credential_t *cred =
        srv->lookup != NULL ? srv->lookup(srv->lookup_ctx, srv->user) : NULL;
    if (cred != NULL && cred->alg == srv->alg) {
        srv->cred = *cred;
        srv->known_user = true;
    } else if (fake_credential(srv) != 0) {
        snprintf(err, errlen, "%s: could not make a stand-in credential (RAND_bytes failed)", mech);
        goto fail;
    }
    char salt64[4 * ((KGW_SCRAM_MAX_SALT + 2) / 3) + 1];
    b64_encode(srv->cred.salt, srv->cred.salt_len, salt64);
    int n = snprintf(srv->server_first, sizeof(srv->server_first), "r=%s,s=%s,i=%d", srv->nonce,
                     salt64, srv->cred.iterations);
    if (n < 0 || (size_t)n >= sizeof(srv->server_first)) {
        snprintf(err, errlen, "%s: server-first does not fit", mech);
        goto fail;
    }
    srv->state = SERVER_SENT_FIRST;
    *out = srv->server_first;
    *out_len = (size_t)n;
    return 0;
fail:
    srv->state = SERVER_FAILED;
    return -1;
}

int
kgw_scram_server_final(kgw_scram_server_t *srv, const uint8_t *msg, size_t len, const char **out,
                       size_t *out_len, char *err, size_t errlen)
{
    const char *mech = kgw_scram_mechanism(srv->alg);
    const char *m = (const char *)msg;
    size_t dl = alg_len(srv->alg);
    uint8_t proof[KGW_SCRAM_MAX_DIGEST];
    uint8_t sig[KGW_SCRAM_MAX_DIGEST];
    uint8_t stored[KGW_SCRAM_MAX_DIGEST];
    char *auth_msg = NULL;
    int rc = -1;
    if (srv->state != SERVER_SENT_FIRST) {
        snprintf(err, errlen, "%s: client-final received out of order", mech);
        goto done;
    }
    if (check_message(mech, "client-final message", msg, len, err, errlen) != 0)
        goto done;
    cursor_t c = {m, m + len};
    const char *cb;
    size_t cb_n;
    const char *nonce;
    size_t nonce_n;
    const char *p;
    size_t p_n;
    if (expect_attr(&c, 'c', &cb, &cb_n) != 0) {
        snprintf(err, errlen, "%s: client-final has no 'c=' channel-binding attribute", mech);
        goto done;
    }
    uint8_t cbind[sizeof(srv->gs2_header)];
    long cbl = b64_decode(cb, cb_n, cbind, sizeof(cbind));
    size_t gl = strlen(srv->gs2_header);
    if (cbl < 0 || (size_t)cbl != gl || memcmp(cbind, srv->gs2_header, gl) != 0) {
        snprintf(err, errlen,
                 "%s: client-final 'c=' does not encode the gs2 header of client-first", mech);
        goto done;
    }
    if (expect_attr(&c, 'r', &nonce, &nonce_n) != 0) {
        snprintf(err, errlen, "%s: client-final has no 'r=' nonce attribute", mech);
        goto done;
    }
    if (nonce_n != strlen(srv->nonce) || memcmp(nonce, srv->nonce, nonce_n) != 0) {
        snprintf(err, errlen, "%s: client-final nonce differs from the one the server sent", mech);
        goto done;
    }
    if (check_extensions(&c, mech, "client-final", 'p', err, errlen) != 0)
        goto done;
    const char *proof_attr = c.p;
    if (expect_attr(&c, 'p', &p, &p_n) != 0 || !at_end(&c)) {
        snprintf(err, errlen, "%s: client-final must end with the 'p=' proof attribute", mech);
        goto done;
    }
    if (b64_decode(p, p_n, proof, sizeof(proof)) != (long)dl) {
        snprintf(err, errlen, "%s: client-final proof is not base64 of %zu bytes", mech, dl);
        goto done;
    }
    /* AuthMessage = client-first-bare "," server-first "," client-final-without-proof */
    size_t without_proof = (size_t)(proof_attr - m) - 1;
    size_t am_len =
        strlen(srv->client_first_bare) + 1 + strlen(srv->server_first) + 1 + without_proof;
    auth_msg = malloc(am_len + 1);
    if (auth_msg == NULL) {
        snprintf(err, errlen, "%s: out of memory for a %zu-byte auth message", mech, am_len);
        goto done;
    }
    snprintf(auth_msg, am_len + 1, "%s,%s,%.*s", srv->client_first_bare, srv->server_first,
             (int)without_proof, m);
    /* ClientKey = proof XOR HMAC(StoredKey, AuthMessage); valid when H(ClientKey) == StoredKey */
    if (hmac(srv->alg, srv->cred.stored_key, dl, auth_msg, am_len, sig) != 0) {
        snprintf(err, errlen, "%s: HMAC failed", mech);
        goto done;
    }
    xor_into(proof, sig, dl);
    if (hash(srv->alg, proof, dl, stored) != 0) {
        snprintf(err, errlen, "%s: hash failed", mech);
        goto done;
    }
    bool proof_ok = CRYPTO_memcmp(stored, srv->cred.stored_key, dl) == 0;
    if (!srv->known_user) {
        snprintf(err, errlen, "%s: unknown user \"%s\"", mech, srv->user);
        goto done;
    }
    if (!proof_ok) {
        snprintf(err, errlen, "%s: wrong proof for user \"%s\" (wrong password)", mech, srv->user);
        goto done;
    }
    if (hmac(srv->alg, srv->cred.server_key, dl, auth_msg, am_len, sig) != 0) {
        snprintf(err, errlen, "%s: HMAC failed", mech);
        goto done;
    }
    memcpy(srv->server_final, "v=", 2);
    size_t n = b64_encode(sig, dl, srv->server_final + 2);
    *out = srv->server_final;
    *out_len = n + 2;
    rc = 0;
done:
    srv->state = rc == 0 ? SERVER_DONE : SERVER_FAILED;
    OPENSSL_cleanse(proof, sizeof(proof));
    OPENSSL_cleanse(sig, sizeof(sig));
    OPENSSL_cleanse(stored, sizeof(stored));
    free(auth_msg);
    return rc;
}

const char *
kgw_scram_server_user(const kgw_scram_server_t *srv)
{
    if (srv == NULL || srv->state == SERVER_START || srv->user[0] == '\0')
        return NULL;
    return srv->user;
}

bool
kgw_scram_server_authenticated(const kgw_scram_server_t *srv)
{
    return srv != NULL && srv->state == SERVER_DONE;
}

void
kgw_scram_server_free(kgw_scram_server_t *srv)
{
    if (srv == NULL)
        return;
    OPENSSL_cleanse(srv, sizeof(*srv));
    free(srv);
}

/* ---- client ----------------------------------------------------------------------------- */

typedef enum client_state {
    CLIENT_START,
    CLIENT_SENT_FIRST,
    CLIENT_SENT_FINAL,
    CLIENT_DONE,
    CLIENT_FAILED,
} client_state_t;

struct kgw_scram_client {
    kgw_scram_alg_t alg;
    client_state_t state;
    char *password;
    char user[MAX_USER];
    char client_first[3 * MAX_USER + MAX_NONCE + 16];
    char nonce[MAX_NONCE + 1];
    char client_final[2 * MAX_NONCE + 4 * ((KGW_SCRAM_MAX_DIGEST + 2) / 3) + 32];
    uint8_t server_signature[KGW_SCRAM_MAX_DIGEST];
};

kgw_scram_client_t *
kgw_scram_client_new(kgw_scram_alg_t alg, const char *user, const char *password, char *err,
                     size_t errlen)
{
    const char *mech = kgw_scram_mechanism(alg);
    if (user == NULL || user[0] == '\0' || strlen(user) >= MAX_USER) {
        snprintf(err, errlen, "%s: user name must be 1..%d bytes", mech, MAX_USER - 1);
        return NULL;
    }
    if (password == NULL || password[0] == '\0') {
        snprintf(err, errlen, "%s: empty password for user \"%s\"", mech, user);
        return NULL;
    }
    kgw_scram_client_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        snprintf(err, errlen, "%s: out of memory", mech);
        return NULL;
    }
    c->password = strdup(password);
    if (c->password == NULL) {
        free(c);
        snprintf(err, errlen, "%s: out of memory", mech);
        return NULL;
    }
    c->alg = alg;
    snprintf(c->user, sizeof(c->user), "%s", user);
    return c;
}

int
kgw_scram_client_first(kgw_scram_client_t *c, const char *nonce, const char **out, size_t *out_len,
                       char *err, size_t errlen)
{
    const char *mech = kgw_scram_mechanism(c->alg);
    char name[3 * MAX_USER];
    if (c->state != CLIENT_START) {
        snprintf(err, errlen, "%s: client-first already sent", mech);
        return -1;
    }
    if (nonce != NULL) {
        if (!nonce_valid(nonce, strlen(nonce))) {
            snprintf(err, errlen, "%s: the given client nonce is empty, too long or not printable",
                     mech);
            return -1;
        }
        snprintf(c->nonce, sizeof(c->nonce), "%s", nonce);
    } else if (random_nonce(c->nonce, sizeof(c->nonce)) != 0) {
        snprintf(err, errlen, "%s: RAND_bytes failed for the client nonce", mech);
        return -1;
    }
    if (escape_name(c->user, name, sizeof(name)) < 0) {
        snprintf(err, errlen, "%s: user name too long once escaped", mech);
        return -1;
    }
    int n = snprintf(c->client_first, sizeof(c->client_first), "n,,n=%s,r=%s", name, c->nonce);
    if (n < 0 || (size_t)n >= sizeof(c->client_first)) {
        snprintf(err, errlen, "%s: client-first does not fit", mech);
        return -1;
    }
    c->state = CLIENT_SENT_FIRST;
    *out = c->client_first;
    *out_len = (size_t)n;
    return 0;
}

int
kgw_scram_client_final(kgw_scram_client_t *c, const uint8_t *msg, size_t len, const char **out,
                       size_t *out_len, char *err, size_t errlen)
{
    const char *mech = kgw_scram_mechanism(c->alg);
    const char *m = (const char *)msg;
    size_t dl = alg_len(c->alg);
    kgw_scram_credential_t cred;
    uint8_t salted[KGW_SCRAM_MAX_DIGEST];
    uint8_t client_key[KGW_SCRAM_MAX_DIGEST];
    uint8_t sig[KGW_SCRAM_MAX_DIGEST];
    uint8_t salt[KGW_SCRAM_MAX_SALT];
    char *auth_msg = NULL;
    int rc = -1;
    memset(&cred, 0, sizeof(cred));
    if (c->state != CLIENT_SENT_FIRST) {
        snprintf(err, errlen, "%s: server-first received out of order", mech);
        goto done;
    }
    if (check_message(mech, "server-first message", msg, len, err, errlen) != 0)
        goto done;
    cursor_t cur = {m, m + len};
    const char *r;
    size_t r_n;
    const char *s;
    size_t s_n;
    const char *i;
    size_t i_n;
    if (len >= 2 && m[0] == 'e' && m[1] == '=') {
        snprintf(err, errlen, "%s: server error \"%.*s\"", mech, (int)(len > 100 ? 100 : len - 2),
                 m + 2);
        goto done;
    }
    if (cur.end - cur.p >= 2 && cur.p[0] == 'm' && cur.p[1] == '=') {
        snprintf(err, errlen, "%s: mandatory extension 'm' in server-first is not supported", mech);
        goto done;
    }
    if (expect_attr(&cur, 'r', &r, &r_n) != 0 || !nonce_valid(r, r_n)) {
        snprintf(err, errlen, "%s: server-first has no valid 'r=' nonce", mech);
        goto done;
    }
    size_t cn = strlen(c->nonce);
    if (r_n <= cn || memcmp(r, c->nonce, cn) != 0) {
        snprintf(err, errlen,
                 "%s: server-first nonce does not extend the client nonce with a server part",
                 mech);
        goto done;
    }
    if (expect_attr(&cur, 's', &s, &s_n) != 0) {
        snprintf(err, errlen, "%s: server-first has no 's=' salt", mech);
        goto done;
    }
    long salt_n = b64_decode(s, s_n, salt, sizeof(salt));
    if (salt_n <= 0) {
        snprintf(err, errlen, "%s: server-first salt is not base64 of 1..%d bytes", mech,
                 KGW_SCRAM_MAX_SALT);
        goto done;
    }
    if (expect_attr(&cur, 'i', &i, &i_n) != 0 || i_n == 0 || i_n > 9) {
        snprintf(err, errlen, "%s: server-first has no valid 'i=' iteration count", mech);
        goto done;
    }
    long iters = 0;
    for (size_t k = 0; k < i_n; k++) {
        if (i[k] < '0' || i[k] > '9' || (k == 0 && i[k] == '0')) {
            snprintf(err, errlen, "%s: server-first iteration count \"%.*s\" is not a number", mech,
                     (int)i_n, i);
            goto done;
        }
        iters = iters * 10 + (i[k] - '0');
    }
    if (iters < KGW_SCRAM_MIN_ITERATIONS || iters > KGW_SCRAM_MAX_ITERATIONS) {
        snprintf(err, errlen, "%s: server-first iteration count %ld outside [%d, %d]", mech, iters,
                 KGW_SCRAM_MIN_ITERATIONS, KGW_SCRAM_MAX_ITERATIONS);
        goto done;
    }
    if (check_extensions(&cur, mech, "server-first", '\0', err, errlen) != 0)
        goto done;
    /* SaltedPassword, ClientKey, StoredKey, ServerKey */
    cred.alg = c->alg;
    if (PKCS5_PBKDF2_HMAC(c->password, (int)strlen(c->password), salt, (int)salt_n, (int)iters,
                          alg_md(c->alg), (int)dl, salted) != 1 ||
        hmac(c->alg, salted, dl, "Client Key", 10, client_key) != 0 ||
        hash(c->alg, client_key, dl, cred.stored_key) != 0 ||
        hmac(c->alg, salted, dl, "Server Key", 10, cred.server_key) != 0) {
        snprintf(err, errlen, "%s: key derivation failed", mech);
        goto done;
    }
    char without_proof[2 * MAX_NONCE + 16];
    int wn = snprintf(without_proof, sizeof(without_proof), "c=biws,r=%.*s", (int)r_n, r);
    if (wn < 0 || (size_t)wn >= sizeof(without_proof)) {
        snprintf(err, errlen, "%s: client-final does not fit", mech);
        goto done;
    }
    const char *bare = c->client_first + 3; /* after "n,," */
    size_t am_len = strlen(bare) + 1 + len + 1 + (size_t)wn;
    auth_msg = malloc(am_len + 1);
    if (auth_msg == NULL) {
        snprintf(err, errlen, "%s: out of memory", mech);
        goto done;
    }
    snprintf(auth_msg, am_len + 1, "%s,%.*s,%s", bare, (int)len, m, without_proof);
    if (hmac(c->alg, cred.stored_key, dl, auth_msg, am_len, sig) != 0 ||
        hmac(c->alg, cred.server_key, dl, auth_msg, am_len, c->server_signature) != 0) {
        snprintf(err, errlen, "%s: HMAC failed", mech);
        goto done;
    }
    xor_into(client_key, sig, dl); /* ClientProof */
    char proof64[4 * ((KGW_SCRAM_MAX_DIGEST + 2) / 3) + 1];
    b64_encode(client_key, dl, proof64);
    int n = snprintf(c->client_final, sizeof(c->client_final), "%s,p=%s", without_proof, proof64);
    if (n < 0 || (size_t)n >= sizeof(c->client_final)) {
        snprintf(err, errlen, "%s: client-final does not fit", mech);
        goto done;
    }
    *out = c->client_final;
    *out_len = (size_t)n;
    rc = 0;
done:
    c->state = rc == 0 ? CLIENT_SENT_FINAL : CLIENT_FAILED;
    OPENSSL_cleanse(&cred, sizeof(cred));
    OPENSSL_cleanse(salted, sizeof(salted));
    OPENSSL_cleanse(client_key, sizeof(client_key));
    OPENSSL_cleanse(sig, sizeof(sig));
    free(auth_msg);
    return rc;
}

int
kgw_scram_client_verify(kgw_scram_client_t *c, const uint8_t *msg, size_t len, char *err,
                        size_t errlen)
{
    const char *mech = kgw_scram_mechanism(c->alg);
    const char *m = (const char *)msg;
    size_t dl = alg_len(c->alg);
    uint8_t sig[KGW_SCRAM_MAX_DIGEST];
    int rc = -1;
    if (c->state != CLIENT_SENT_FINAL) {
        snprintf(err, errlen, "%s: server-final received out of order", mech);
        goto done;
    }
    if (check_message(mech, "server-final message", msg, len, err, errlen) != 0)
        goto done;
    cursor_t cur = {m, m + len};
    const char *v;
    size_t v_n;
    if (len >= 2 && m[0] == 'e' && m[1] == '=') {
        snprintf(err, errlen, "%s: server error \"%.*s\"", mech, (int)(len > 100 ? 98 : len - 2),
                 m + 2);
        goto done;
    }
    if (expect_attr(&cur, 'v', &v, &v_n) != 0) {
        snprintf(err, errlen, "%s: server-final has no 'v=' signature", mech);
        goto done;
    }
    if (check_extensions(&cur, mech, "server-final", '\0', err, errlen) != 0)
        goto done;
    if (b64_decode(v, v_n, sig, sizeof(sig)) != (long)dl) {
        snprintf(err, errlen, "%s: server-final signature is not base64 of %zu bytes", mech, dl);
        goto done;
    }
    if (CRYPTO_memcmp(sig, c->server_signature, dl) != 0) {
        snprintf(err, errlen,
                 "%s: server signature does not match: the server does not know "
                 "the credential of user \"%s\"",
                 mech, c->user);
        goto done;
    }
    rc = 0;
done:
    c->state = rc == 0 ? CLIENT_DONE : CLIENT_FAILED;
    OPENSSL_cleanse(sig, sizeof(sig));
    return rc;
}

void
kgw_scram_client_free(kgw_scram_client_t *c)
{
    if (c == NULL)
        return;
    if (c->password != NULL) {
        OPENSSL_cleanse(c->password, strlen(c->password));
        free(c->password);
    }
    OPENSSL_cleanse(c, sizeof(*c));
    free(c);
}
