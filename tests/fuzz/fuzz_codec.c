/*
 * libFuzzer target for the generated message codec. Input: int16 api key
 * (taken modulo the number of keys), int8 version, one byte whose low bit
 * picks the direction (0 request, 1 response), then the body. A body that
 * decodes is encoded, decoded again and re-encoded: both encodings and both
 * JSON prints must be identical, else the target aborts.
 *
 * With KGW_FUZZ_WRITE_CORPUS=DIR set, the target writes sample inputs for
 * every API key, version and direction into DIR and exits (tools/fuzz.sh
 * seeds its corpus that way).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "kgw_api.h"

static kgw_arena_t *arena;

static void
write_corpus(const char *dir)
{
    kgw_arena_t *a = kgw_arena_new(0);
    kgw_wbuf_t w;
    kgw_wbuf_init(&w, NULL);
    int n = 0;
    for (int16_t key = 0; key <= KGW_API_KEY_MAX; key++) {
        const kgw_api_info_t *info = kgw_api_info(key);
        for (int16_t v = info->min_version; v >= 0 && v <= info->max_version; v++) {
            for (int dir_bit = 0; dir_bit < 2; dir_bit++) {
                const kgw_message_desc_t *md = dir_bit ? info->response : info->request;
                kgw_arena_reset(a);
                kgw_wbuf_reset(&w);
                void *m = kgw_msg_sample(md, a, v, 42);
                uint8_t head[4] = {(uint8_t)(key >> 8), (uint8_t)key, (uint8_t)v, (uint8_t)dir_bit};
                if (m == NULL || kgw_wbuf_append(&w, head, 4) != 0 ||
                    kgw_msg_encode(md, &w, v, m) != 0) {
                    fprintf(stderr, "fuzz_codec: cannot build sample %s v%d\n", md->name, v);
                    exit(1);
                }
                char path[4096];
                snprintf(path, sizeof(path), "%s/%s-v%d", dir, md->name, v);
                FILE *f = fopen(path, "wb");
                if (f == NULL || fwrite(w.buf, 1, w.len, f) != w.len || fclose(f) != 0) {
                    fprintf(stderr, "fuzz_codec: cannot write %s\n", path);
                    exit(1);
                }
                n++;
            }
        }
    }
    kgw_wbuf_free(&w);
    kgw_arena_free(a);
    fprintf(stderr, "fuzz_codec: wrote %d corpus files to %s\n", n, dir);
    exit(0);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("KGW_FUZZ_WRITE_CORPUS");
    if (dir != NULL) {
        write_corpus(dir);
    }
    arena = kgw_arena_new(0);
    return arena == NULL ? -1 : 0;
}

static void
check_same(const kgw_wbuf_t *a, const kgw_wbuf_t *b, const char *what, const char *name, int v)
{
    if (a->len != b->len || (a->len != 0 && memcmp(a->buf, b->buf, a->len) != 0)) {
        fprintf(stderr, "fuzz_codec: %s v%d: %s differ (%zu vs %zu bytes)\n", name, v, what, a->len,
                b->len);
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) {
        return 0;
    }
    int16_t key = (int16_t)(((data[0] << 8) | data[1]) % (KGW_API_KEY_MAX + 1));
    int16_t version = (int8_t)data[2];
    bool is_response = (data[3] & 1) != 0;
    const kgw_message_desc_t *md = kgw_message_desc(key, is_response);
    const uint8_t *body = data + 4;
    size_t len = size - 4;

    kgw_arena_reset(arena);
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    void *m1 = NULL;
    int rc = is_response ? kgw_response_body_decode(arena, key, version, body, len, &m1, &err)
                         : kgw_request_body_decode(arena, key, version, body, len, &m1, &err);
    if (rc != 0) {
        if (err.msg[0] == '\0') {
            fprintf(stderr, "fuzz_codec: decode failed without a message\n");
            abort();
        }
        return 0;
    }
    kgw_wbuf_t e1, e2, j1, j2;
    kgw_wbuf_init(&e1, &err);
    kgw_wbuf_init(&e2, &err);
    kgw_wbuf_init(&j1, &err);
    kgw_wbuf_init(&j2, &err);
    if (kgw_msg_encode(md, &e1, version, m1) != 0) {
        /* Only values the encoder cannot represent may fail (e.g. a string
         * longer than int16 can say); the decoder never produces those. */
        fprintf(stderr, "fuzz_codec: re-encode of a decoded %s v%d failed: %s\n", md->name, version,
                err.msg);
        abort();
    }
    void *m2 = NULL;
    rc = is_response ? kgw_response_body_decode(arena, key, version, e1.buf, e1.len, &m2, &err)
                     : kgw_request_body_decode(arena, key, version, e1.buf, e1.len, &m2, &err);
    if (rc != 0) {
        fprintf(stderr, "fuzz_codec: own encoding of %s v%d does not decode: %s\n", md->name,
                version, err.msg);
        abort();
    }
    if (kgw_msg_encode(md, &e2, version, m2) != 0 || kgw_msg_to_json(md, &j1, version, m1) != 0 ||
        kgw_msg_to_json(md, &j2, version, m2) != 0) {
        fprintf(stderr, "fuzz_codec: %s v%d: second encode or JSON failed: %s\n", md->name, version,
                err.msg);
        abort();
    }
    check_same(&e1, &e2, "encodings", md->name, version);
    check_same(&j1, &j2, "JSON prints", md->name, version);
    kgw_wbuf_free(&e1);
    kgw_wbuf_free(&e2);
    kgw_wbuf_free(&j1);
    kgw_wbuf_free(&j2);
    return 0;
}
