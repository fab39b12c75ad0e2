/*
 * libFuzzer target for the cheap frame path and headers: request and
 * response peeks, the request body offset for every header version,
 * Produce's acks, header decode/encode round trips and the full-frame
 * request decoder. Input is a frame starting at its int32 size.
 *
 * With KGW_FUZZ_WRITE_CORPUS=DIR set, the target writes one sample request
 * frame per API key and version into DIR and exits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "frame.h"
#include "header.h"
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
            kgw_arena_reset(a);
            kgw_wbuf_reset(&w);
            void *m = kgw_msg_sample(info->request, a, v, 7);
            kgw_request_header_t h = {
                .api_key = key, .api_version = v, .correlation_id = n, .client_id = {"fuzz", 4}};
            if (m == NULL || kgw_request_encode(&w, &h, m, NULL) != 0) {
                fprintf(stderr, "fuzz_frame: cannot build a %s v%d frame\n", info->name, v);
                exit(1);
            }
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s-v%d", dir, info->name, v);
            FILE *f = fopen(path, "wb");
            if (f == NULL || fwrite(w.buf, 1, w.len, f) != w.len || fclose(f) != 0) {
                fprintf(stderr, "fuzz_frame: cannot write %s\n", path);
                exit(1);
            }
            n++;
        }
    }
    kgw_wbuf_free(&w);
    kgw_arena_free(a);
    fprintf(stderr, "fuzz_frame: wrote %d corpus files to %s\n", n, dir);
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

/* Decodes a request header, encodes it and checks the bytes match what was
 * read (a decoded header re-encodes to its input, tag order aside). */
static void
header_round_trip(const uint8_t *p, size_t len, int hv)
{
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_wire_reader_t r;
    kgw_wire_reader_init(&r, p, len, &err);
    kgw_request_header_t h;
    if (kgw_request_header_decode(arena, &r, hv, &h) != 0) {
        if (err.msg[0] == '\0') {
            abort();
        }
        return;
    }
    size_t off;
    if (kgw_frame_request_body_offset(p, len, hv, &off) != 0 || off != r.off) {
        fprintf(stderr, "fuzz_frame: body offset disagrees with the header decoder\n");
        abort();
    }
    kgw_wbuf_t w;
    kgw_wbuf_init(&w, &err);
    if (kgw_request_header_encode(&w, hv, &h) != 0) {
        abort();
    }
    kgw_wire_reader_t r2;
    kgw_wire_reader_init(&r2, w.buf, w.len, &err);
    kgw_request_header_t h2;
    if (kgw_request_header_decode(arena, &r2, hv, &h2) != 0 || r2.off != w.len ||
        h2.api_key != h.api_key || h2.correlation_id != h.correlation_id ||
        h2.client_id.len != h.client_id.len || h2.unknown_tagged.count != h.unknown_tagged.count) {
        fprintf(stderr, "fuzz_frame: header v%d does not round-trip\n", hv);
        abort();
    }
    kgw_wbuf_free(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kgw_arena_reset(arena);
    kgw_request_peek_t rq;
    kgw_response_peek_t rs;
    int rc = kgw_frame_peek_request(data, size, &rq);
    if (rc == 0 && (rq.size < 8)) {
        abort();
    }
    rc = kgw_frame_peek_response(data, size, &rs);
    if (rc == 0 && rs.size < 4) {
        abort();
    }
    if (size < 4) {
        return 0;
    }
    const uint8_t *frame = data + 4;
    size_t len = size - 4;
    for (int hv = 0; hv <= 2; hv++) {
        header_round_trip(frame, len, hv);
        size_t off;
        if (kgw_frame_request_body_offset(frame, len, hv, &off) == 0) {
            if (off > len) {
                abort();
            }
            int16_t acks;
            (void)kgw_produce_request_acks(frame + off, len - off, (int16_t)(frame[3] % 16), &acks);
        }
    }
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_request_t req;
    if (kgw_request_decode(arena, frame, len, &req, &err) == 0) {
        kgw_wbuf_t w;
        kgw_wbuf_init(&w, &err);
        if (kgw_request_encode(&w, &req.header, req.body, &err) != 0) {
            fprintf(stderr, "fuzz_frame: decoded request does not encode: %s\n", err.msg);
            abort();
        }
        kgw_request_t again;
        if (kgw_request_decode(arena, w.buf + 4, w.len - 4, &again, &err) != 0 ||
            again.header.correlation_id != req.header.correlation_id) {
            fprintf(stderr, "fuzz_frame: re-encoded request does not decode: %s\n", err.msg);
            abort();
        }
        kgw_wbuf_free(&w);
    } else if (err.msg[0] == '\0') {
        abort();
    }
    return 0;
}
