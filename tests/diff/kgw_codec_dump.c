/*
 * kgw_codec_dump: the C side of the differential codec test (tools/codec-diff.sh).
 *
 *   kgw_codec_dump messages IN.tsv OUT.tsv
 *   kgw_codec_dump batches IN.tsv OUT.tsv
 *
 * IN is what tests/codec-java writes (messages.tsv, batches.tsv). For every
 * message line (seq apiKey version request|response Name base64(body) json
 * base64(frame) headerJson) kgw decodes the body, prints kgw's JSON of it and
 * re-encodes it, then decodes and re-encodes the whole frame (size, header,
 * body); OUT gets
 *
 *   seq  status  detail  json  headerJson
 *
 * status: "ok" (re-encoded body and frame equal Kafka's, and the body cut
 * short or with a byte appended is refused), "bytes-differ" (detail names the
 * first differing offset and both lengths), "size-accepted" (kgw decoded a cut
 * body, or one with a byte appended), "decode-error", "encode-error",
 * "json-error", "frame-decode-error", "frame-encode-error",
 * "frame-bytes-differ" (detail is kgw's message); json is kgw's JSON of the
 * body or null, headerJson what kgw read from the frame's header or null.
 *
 * For every batch line (seq codec kind base64 javaDump) OUT gets
 *
 *   seq  status  detail  origDump  rebuiltDump  editedDump  rebuiltB64  editedB64
 *
 * origDump: kgw's iteration of Kafka's bytes (CRC verified), in the shape of
 * Batches.dump on the Java side. rebuiltDump: kgw_batch_build() from those
 * records with the same codec and batch fields, iterated again (null for
 * control batches and batches with a delete horizon, which kgw never builds). editedDump:
 * kgw_batch_edit_headers() adding header "kgw-diff" = "1" to every record (decompress, edit,
 * recompress with the same codec), iterated again. status "ok" or
 * "error" (detail says which step failed); for uncompressed batches whose
 * offsets are contiguous and that use create time, the rebuilt bytes must
 * equal Kafka's ("rebuild-bytes-differ" otherwise). Compressed bytes are not
 * compared: two correct compressors need not produce the same bytes.
 *
 * Exit status: 0 when every line was processed (whatever the statuses), 1 on
 * an I/O or usage error, or a malformed input line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "codec.h"
#include "compression.h"
#include "record_batch.h"
#include "wire.h"

/* Most tab-separated fields a line of either input has. */
#define FIELDS_MAX 10

/* A growable text buffer for the output dumps; failed latches allocation errors. */
typedef struct {
    char *p;
    size_t len;
    size_t cap;
    bool failed;
} text_t;

static void
text_free(text_t *t)
{
    free(t->p);
    memset(t, 0, sizeof *t);
}

static void
text_put(text_t *t, const char *s, size_t n)
{
    if (t->failed) {
        return;
    }
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1) {
            cap *= 2;
        }
        char *p = realloc(t->p, cap);
        if (p == NULL) {
            t->failed = true;
            return;
        }
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void
text_str(text_t *t, const char *s)
{
    text_put(t, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3))) text_fmt(text_t *t, const char *fmt, ...)
{
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf) {
        t->failed = true;
        return;
    }
    text_put(t, buf, (size_t)n);
}

static const char B64_ALPHABET[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Appends "base64 of p[0..n)" (quoted JSON string), or null when p is NULL. */
static void
text_b64(text_t *t, const uint8_t *p, size_t n)
{
    if (p == NULL) {
        text_str(t, "null");
        return;
    }
    text_put(t, "\"", 1);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n) {
            v |= (uint32_t)p[i + 1] << 8;
        }
        if (i + 2 < n) {
            v |= p[i + 2];
        }
        char out[4] = {B64_ALPHABET[(v >> 18) & 63], B64_ALPHABET[(v >> 12) & 63],
                       i + 1 < n ? B64_ALPHABET[(v >> 6) & 63] : '=',
                       i + 2 < n ? B64_ALPHABET[v & 63] : '='};
        text_put(t, out, 4);
    }
    text_put(t, "\"", 1);
}

/* Decodes standard base64 (with = padding) s[0..n) into a malloc'd buffer.
 * Returns 0 with the buffer in *out and its length in *outlen, or -1 naming the bad character in
 * err. An empty input gives a non-NULL empty buffer. */
static int
b64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
    uint8_t *buf = malloc(n / 4 * 3 + 3);
    if (buf == NULL) {
        snprintf(err, errlen, "out of memory decoding %zu base64 characters", n);
        return -1;
    }
    size_t len = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int v;
        if (c >= 'A' && c <= 'Z') {
            v = c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            v = c - 'a' + 26;
        } else if (c >= '0' && c <= '9') {
            v = c - '0' + 52;
        } else if (c == '+') {
            v = 62;
        } else if (c == '/') {
            v = 63;
        } else if (c == '=') {
            break;
        } else {
            snprintf(err, errlen, "bad base64 character 0x%02x at position %zu", (unsigned char)c,
                     i);
            free(buf);
            return -1;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[len++] = (uint8_t)(acc >> bits);
        }
    }
    *out = buf;
    *outlen = len;
    return 0;
}

/* Splits line (modified in place) at tabs into at most max fields; returns the count. */
static int
split_tabs(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        fields[n++] = p;
        char *tab = strchr(p, '\t');
        if (tab == NULL) {
            break;
        }
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

/* Replaces tabs and line breaks in a detail message so that OUT stays one line per record. */
static void
flatten(char *s)
{
    for (; *s; s++) {
        if (*s == '\t' || *s == '\n' || *s == '\r') {
            *s = ' ';
        }
    }
}

static int
parse_int(const char *s, long min, long max, long *v)
{
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || x < min || x > max) {
        return -1;
    }
    *v = x;
    return 0;
}

/* ---- messages ------------------------------------------------------------ */

/* Decodes a copy of body[0..len) extended or cut to n bytes (extra bytes are
 * 0x00), in its own allocation so that a sanitizer build catches reads past
 * it. Returns the decode result (0 = accepted), or 0 with *oom set. */
static int
decode_resized(int16_t key, int16_t version, bool is_response, const uint8_t *body, size_t len,
               size_t n, bool *oom)
{
    uint8_t *copy = malloc(n ? n : 1);
    kgw_arena_t *arena = kgw_arena_new(0);
    if (copy == NULL || arena == NULL) {
        free(copy);
        kgw_arena_free(arena);
        *oom = true;
        return 0;
    }
    memset(copy, 0, n ? n : 1);
    memcpy(copy, body, n < len ? n : len);
    kgw_codec_error_t cerr;
    kgw_codec_error_clear(&cerr);
    void *msg = NULL;
    int rc = is_response ? kgw_response_body_decode(arena, key, version, copy, n, &msg, &cerr)
                         : kgw_request_body_decode(arena, key, version, copy, n, &msg, &cerr);
    kgw_arena_free(arena);
    free(copy);
    return rc;
}

/* Checks that kgw refuses the body cut short (0, len/2, len-1 bytes: Kafka's
 * reader runs out of bytes too) and with a trailing byte (codec.h: a body must
 * be consumed exactly). Returns NULL
 * or a description of the first size kgw accepted. */
static const char *
check_sizes(int16_t key, int16_t version, bool is_response, const uint8_t *body, size_t len,
            char *buf, size_t buflen)
{
    size_t sizes[4] = {len + 1, 0, len / 2, len - 1};
    size_t count = len == 0 ? 1 : 4;
    for (size_t i = 0; i < count; i++) {
        bool oom = false;
        int rc = decode_resized(key, version, is_response, body, len, sizes[i], &oom);
        if (oom) {
            snprintf(buf, buflen, "out of memory checking %zu bytes", sizes[i]);
            return buf;
        }
        if (rc == 0) {
            snprintf(buf, buflen, "kgw accepted the %zu-byte body %s to %zu bytes", len,
                     sizes[i] > len ? "extended with a zero byte" : "cut", sizes[i]);
            return buf;
        }
    }
    return NULL;
}

/* Appends s[0..len) as a JSON string (or null when len < 0). Bytes >= 0x80 are
 * copied as they are (Kafka wrote UTF-8). */
static void
text_json_string(text_t *t, const char *s, int32_t len)
{
    if (len < 0) {
        text_str(t, "null");
        return;
    }
    text_put(t, "\"", 1);
    for (int32_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            text_put(t, e, 2);
        } else if (c < 0x20) {
            text_fmt(t, "\\u%04x", c);
        } else {
            text_put(t, (const char *)&c, 1);
        }
    }
    text_put(t, "\"", 1);
}

/* Decodes the whole frame (size prefix, header, body) with kgw's frame entry
 * points, describes its header in *hdr (JSON, as the Java side does) and
 * re-encodes the frame, which must equal Kafka's. Returns NULL when all is
 * well, else the status ("frame-decode-error", "frame-encode-error",
 * "frame-bytes-differ") with detail filled. */
static const char *
check_frame(int16_t key, int16_t version, bool is_response, const uint8_t *frame, size_t flen,
            text_t *hdr, char *detail, size_t detail_len)
{
    const char *status = NULL;
    kgw_codec_error_t cerr;
    kgw_codec_error_clear(&cerr);
    kgw_wbuf_t w;
    kgw_wbuf_init(&w, &cerr);
    kgw_arena_t *arena = kgw_arena_new(0);
    if (arena == NULL) {
        snprintf(detail, detail_len, "out of memory creating an arena");
        return "frame-decode-error";
    }
    if (flen < 4) {
        snprintf(detail, detail_len, "Kafka's frame has only %zu bytes", flen);
        status = "frame-decode-error";
        goto done;
    }
    int rc;
    if (is_response) {
        kgw_response_t resp;
        rc = kgw_response_decode(arena, key, version, frame + 4, flen - 4, &resp, &cerr);
        if (rc == 0) {
            text_fmt(hdr, "{\"headerVersion\":%d,\"correlationId\":%" PRId32 "}",
                     resp.header_version, resp.header.correlation_id);
            rc = kgw_response_encode(&w, key, version, &resp.header, resp.body, &cerr);
            if (rc != 0) {
                status = "frame-encode-error";
            }
        } else {
            status = "frame-decode-error";
        }
    } else {
        kgw_request_t req;
        rc = kgw_request_decode(arena, frame + 4, flen - 4, &req, &cerr);
        if (rc == 0) {
            text_fmt(
                hdr,
                "{\"headerVersion\":%d,\"apiKey\":%d,\"apiVersion\":%d,\"correlationId\":%" PRId32
                ",\"clientId\":",
                req.header_version, req.header.api_key, req.header.api_version,
                req.header.correlation_id);
            text_json_string(hdr, req.header.client_id.ptr,
                             req.header_version >= 1 ? req.header.client_id.len : -1);
            text_str(hdr, "}");
            rc = kgw_request_encode(&w, &req.header, req.body, &cerr);
            if (rc != 0) {
                status = "frame-encode-error";
            }
        } else {
            status = "frame-decode-error";
        }
    }
    if (status != NULL) {
        snprintf(detail, detail_len, "%s", cerr.msg);
    } else if (w.len != flen || memcmp(w.buf, frame, flen) != 0) {
        size_t i = 0;
        while (i < flen && i < w.len && w.buf[i] == frame[i]) {
            i++;
        }
        status = "frame-bytes-differ";
        snprintf(detail, detail_len,
                 "re-encoded frame of %zu bytes vs Kafka's %zu; first difference at byte %zu",
                 w.len, flen, i);
    }
done:
    kgw_wbuf_free(&w);
    kgw_arena_free(arena);
    return status;
}

/* Processes one message line; writes one OUT line. Returns 0, or -1 for a
 * malformed input line (message in err). */
static int
message_line(char *line, FILE *out, char *err, size_t errlen)
{
    char *f[FIELDS_MAX];
    int nf = split_tabs(line, f, FIELDS_MAX);
    long key, version;
    if (nf < 9 || parse_int(f[1], 0, INT16_MAX, &key) != 0 ||
        parse_int(f[2], 0, INT16_MAX, &version) != 0 ||
        (strcmp(f[3], "request") != 0 && strcmp(f[3], "response") != 0)) {
        snprintf(err, errlen,
                 "expected 9 tab-separated fields (seq apiKey version request|response "
                 "Name base64(body) json base64(frame) headerJson), got %d starting '%.40s'",
                 nf, f[0]);
        return -1;
    }
    bool is_response = strcmp(f[3], "response") == 0;
    uint8_t *body;
    size_t len;
    if (b64_decode(f[5], strlen(f[5]), &body, &len, err, errlen) != 0) {
        return -1;
    }
    kgw_arena_t *arena = kgw_arena_new(0);
    if (arena == NULL) {
        free(body);
        snprintf(err, errlen, "out of memory creating an arena");
        return -1;
    }
    kgw_codec_error_t cerr;
    kgw_codec_error_clear(&cerr);
    kgw_wbuf_t json, enc;
    kgw_wbuf_init(&json, &cerr);
    kgw_wbuf_init(&enc, &cerr);
    const char *status = "ok";
    char detail[512] = "";
    void *msg = NULL;
    bool have_json = false;
    text_t hdr = {0};

    int rc = is_response ? kgw_response_body_decode(arena, (int16_t)key, (int16_t)version, body,
                                                    len, &msg, &cerr)
                         : kgw_request_body_decode(arena, (int16_t)key, (int16_t)version, body, len,
                                                   &msg, &cerr);
    if (rc != 0) {
        status = "decode-error";
        snprintf(detail, sizeof detail, "%s", cerr.msg);
        goto done;
    }
    if (kgw_body_to_json(&json, (int16_t)key, (int16_t)version, is_response, msg, &cerr) != 0) {
        status = "json-error";
        snprintf(detail, sizeof detail, "%s", cerr.msg);
    } else {
        have_json = true;
        for (size_t i = 0; i < json.len; i++) {
            if (json.buf[i] < 0x20) {
                status = "json-error";
                snprintf(detail, sizeof detail,
                         "kgw's JSON holds raw control byte 0x%02x at offset %zu (JSON requires "
                         "\\u escapes)",
                         json.buf[i], i);
                have_json = false;
                break;
            }
        }
    }
    rc = is_response ? kgw_response_body_encode(&enc, (int16_t)key, (int16_t)version, msg, &cerr)
                     : kgw_request_body_encode(&enc, (int16_t)key, (int16_t)version, msg, &cerr);
    if (rc != 0) {
        status = "encode-error";
        snprintf(detail, sizeof detail, "%s", cerr.msg);
    } else if (enc.len != len || (len > 0 && memcmp(enc.buf, body, len) != 0)) {
        size_t i = 0;
        while (i < len && i < enc.len && enc.buf[i] == body[i]) {
            i++;
        }
        status = "bytes-differ";
        snprintf(detail, sizeof detail,
                 "re-encoded %zu bytes vs Kafka's %zu; first difference at offset %zu "
                 "(kgw 0x%02x, Kafka 0x%02x)",
                 enc.len, len, i, i < enc.len ? enc.buf[i] : 0, i < len ? body[i] : 0);
    }

    if (strcmp(status, "ok") == 0) {
        uint8_t *frame;
        size_t flen;
        if (b64_decode(f[7], strlen(f[7]), &frame, &flen, err, errlen) != 0) {
            kgw_wbuf_free(&json);
            kgw_wbuf_free(&enc);
            kgw_arena_free(arena);
            free(body);
            return -1;
        }
        const char *fs = check_frame((int16_t)key, (int16_t)version, is_response, frame, flen, &hdr,
                                     detail, sizeof detail);
        free(frame);
        if (fs != NULL) {
            status = fs;
        }
    }
    if (strcmp(status, "ok") == 0) {
        char why[256];
        const char *bad =
            check_sizes((int16_t)key, (int16_t)version, is_response, body, len, why, sizeof why);
        if (bad != NULL) {
            status = "size-accepted";
            snprintf(detail, sizeof detail, "%s", bad);
        }
    }

done:
    flatten(detail);
    fprintf(out, "%s\t%s\t%s\t", f[0], status, detail);
    if (have_json) {
        fwrite(json.buf, 1, json.len, out);
    } else {
        fputs("null", out);
    }
    fprintf(out, "\t%s\n", hdr.p != NULL && !hdr.failed ? hdr.p : "null");
    text_free(&hdr);
    kgw_wbuf_free(&json);
    kgw_wbuf_free(&enc);
    kgw_arena_free(arena);
    free(body);
    return 0;
}

/* ---- record batches ------------------------------------------------------ */

/* The records of one batch, collected to rebuild it. Views point into the
 * batch bytes or the iteration's scratch buffer. */
typedef struct {
    kgw_record_spec_t *specs;
    kgw_header_t *headers;
    size_t n, cap;
    size_t nh, hcap;
    bool contiguous; /* offsetDelta == index and first timestampDelta == 0 */
} collected_t;

static void
collected_free(collected_t *c)
{
    free(c->specs);
    free(c->headers);
    memset(c, 0, sizeof *c);
}

static int
grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) {
        return 0;
    }
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need) {
        n *= 2;
    }
    void *q = realloc(*p, n * elem);
    if (q == NULL) {
        return -1;
    }
    *p = q;
    *cap = n;
    return 0;
}

/* Appends the dump of every V2 batch of records[0..len) to t (a JSON array, the
 * shape of Batches.dump in the Java generator); verifies every CRC. When c is
 * non-NULL, collects the records of the last batch into it. scratch must
 * outlive c's use. Returns 0 or -1 with a message. */
static int
dump_batches(const uint8_t *records, size_t len, text_t *t, collected_t *c,
             kgw_batch_header_t *last_hdr, kgw_buf_t *scratch, char *err, size_t errlen)
{
    kgw_batch_iter_t it;
    kgw_batch_t b;
    kgw_batch_iter_init(&it, records, len);
    text_put(t, "[", 1);
    bool first = true;
    for (;;) {
        kgw_batch_kind_t kind = kgw_batch_iter_next(&it, &b, err, errlen);
        if (kind == KGW_BATCH_END) {
            break;
        }
        if (kind != KGW_BATCH_V2) {
            if (kind != KGW_BATCH_ERROR) {
                snprintf(err, errlen, "batch at offset %zu: kgw sees kind %d, not a v2 batch",
                         b.offset, (int)kind);
            }
            return -1;
        }
        if (kgw_batch_verify_crc(&b, err, errlen) != 0) {
            return -1;
        }
        const kgw_batch_header_t *h = &b.hdr;
        bool log_append = (h->attributes & KGW_BATCH_ATTR_LOG_APPEND_TIME) != 0;
        if (!first) {
            text_put(t, ",", 1);
        }
        first = false;
        text_fmt(t, "{\"baseOffset\":%" PRId64 ",\"attributes\":%d", h->base_offset, h->attributes);
        text_fmt(t, ",\"baseTimestamp\":%" PRId64 ",\"batchLength\":%" PRId32, h->base_timestamp,
                 h->batch_length);
        text_fmt(t, ",\"partitionLeaderEpoch\":%" PRId32 ",\"magic\":%d,\"crc\":%" PRIu32,
                 h->partition_leader_epoch, h->magic, h->crc);
        text_fmt(t, ",\"compression\":\"%s\"", kgw_compression_name(kgw_batch_codec(&b)));
        text_fmt(t, ",\"timestampType\":\"%s\"", log_append ? "LogAppendTime" : "CreateTime");
        text_fmt(t, ",\"transactional\":%s,\"control\":%s",
                 kgw_batch_is_transactional(&b) ? "true" : "false",
                 kgw_batch_is_control(&b) ? "true" : "false");
        text_fmt(t, ",\"lastOffsetDelta\":%" PRId32 ",\"maxTimestamp\":%" PRId64,
                 h->last_offset_delta, h->max_timestamp);
        text_fmt(t, ",\"producerId\":%" PRId64 ",\"producerEpoch\":%d", h->producer_id,
                 h->producer_epoch);
        text_fmt(t, ",\"baseSequence\":%" PRId32 ",\"recordsCount\":%" PRId32, h->base_sequence,
                 h->records_count);
        /* Compaction's delete horizon lives in baseTimestamp when bit 6 is set. */
        if (h->attributes & KGW_BATCH_ATTR_DELETE_HORIZON) {
            text_fmt(t, ",\"deleteHorizonMs\":%" PRId64 ",\"records\":[", h->base_timestamp);
        } else {
            text_str(t, ",\"deleteHorizonMs\":null,\"records\":[");
        }
        if (last_hdr != NULL) {
            *last_hdr = *h;
        }
        if (c != NULL) {
            c->n = 0;
            c->nh = 0;
            c->contiguous = true;
        }
        kgw_record_iter_t ri;
        kgw_record_t r;
        if (kgw_record_iter_init(&ri, &b, scratch, 0, err, errlen) != 0) {
            return -1;
        }
        int rc;
        int32_t index = 0;
        while ((rc = kgw_record_iter_next(&ri, &r, err, errlen)) == 1) {
            int64_t ts = log_append ? h->max_timestamp : h->base_timestamp + r.timestamp_delta;
            text_fmt(t, "%s{\"offset\":%" PRId64 ",\"timestamp\":%" PRId64 ",\"key\":",
                     index > 0 ? "," : "", h->base_offset + r.offset_delta, ts);
            text_b64(t, r.key, r.key_len < 0 ? 0 : (size_t)r.key_len);
            text_str(t, ",\"value\":");
            text_b64(t, r.value, r.value_len < 0 ? 0 : (size_t)r.value_len);
            text_str(t, ",\"headers\":[");
            if (c != NULL) {
                if (grow((void **)&c->specs, &c->cap, c->n + 1, sizeof *c->specs) != 0) {
                    snprintf(err, errlen, "out of memory collecting record %d", (int)index);
                    return -1;
                }
                if (r.offset_delta != index || (index == 0 && r.timestamp_delta != 0)) {
                    c->contiguous = false;
                }
                kgw_record_spec_t *s = &c->specs[c->n++];
                s->timestamp = h->base_timestamp + r.timestamp_delta;
                s->key = r.key;
                s->key_len = r.key_len < 0 ? 0 : (size_t)r.key_len;
                s->value = r.value;
                s->value_len = r.value_len < 0 ? 0 : (size_t)r.value_len;
                s->headers = NULL; /* set below: c->headers may move while growing */
                s->header_count = (size_t)r.header_count;
            }
            kgw_header_iter_t hi;
            kgw_header_t hd;
            kgw_header_iter_init(&hi, &r);
            int hn = 0;
            while (kgw_header_iter_next(&hi, &hd)) {
                text_str(t, hn++ > 0 ? ",{\"key\":" : "{\"key\":");
                text_b64(t, hd.key, (size_t)hd.key_len);
                text_str(t, ",\"value\":");
                text_b64(t, hd.value, hd.value_len < 0 ? 0 : (size_t)hd.value_len);
                text_str(t, "}");
                if (c != NULL) {
                    if (grow((void **)&c->headers, &c->hcap, c->nh + 1, sizeof *c->headers) != 0) {
                        snprintf(err, errlen, "out of memory collecting headers");
                        return -1;
                    }
                    c->headers[c->nh++] = hd;
                }
            }
            text_str(t, "]}");
            index++;
        }
        if (rc < 0) {
            return -1;
        }
        text_str(t, "]}");
    }
    text_put(t, "]", 1);
    if (c != NULL) {
        size_t k = 0;
        for (size_t i = 0; i < c->n; i++) {
            c->specs[i].headers = c->specs[i].header_count ? &c->headers[k] : NULL;
            k += c->specs[i].header_count;
        }
    }
    if (t->failed) {
        snprintf(err, errlen, "out of memory writing the dump");
        return -1;
    }
    return 0;
}

/* Processes one batch line; writes one OUT line. Returns 0, or -1 for a
 * malformed input line. */
static int
batch_line(char *line, FILE *out, char *err, size_t errlen)
{
    char *f[FIELDS_MAX];
    int nf = split_tabs(line, f, FIELDS_MAX);
    if (nf < 5) {
        snprintf(err, errlen,
                 "expected 5 tab-separated fields (seq codec kind base64 dump), got "
                 "%d starting '%.40s'",
                 nf, f[0]);
        return -1;
    }
    uint8_t *bytes;
    size_t len;
    if (b64_decode(f[3], strlen(f[3]), &bytes, &len, err, errlen) != 0) {
        return -1;
    }
    const char *status = "ok";
    char detail[512] = "";
    text_t orig = {0}, rebuilt = {0}, edited = {0};
    collected_t c = {0};
    kgw_buf_t plain = {0}, scratch2 = {0}, built = {0}, edit = {0};
    kgw_batch_scratch_t bs = {0};
    kgw_batch_header_t h;

    if (dump_batches(bytes, len, &orig, &c, &h, &plain, detail, sizeof detail) != 0) {
        status = "error";
        goto done;
    }
    bool control = (h.attributes & KGW_BATCH_ATTR_CONTROL) != 0;
    /* kgw builds neither control batches nor batches with a delete horizon. */
    if (!control && !(h.attributes & KGW_BATCH_ATTR_DELETE_HORIZON)) {
        kgw_batch_options_t o;
        kgw_batch_options_default(&o);
        o.codec = (kgw_compression_t)(h.attributes & KGW_BATCH_ATTR_CODEC_MASK);
        o.base_offset = h.base_offset;
        o.partition_leader_epoch = h.partition_leader_epoch;
        o.producer_id = h.producer_id;
        o.producer_epoch = h.producer_epoch;
        o.base_sequence = h.base_sequence;
        o.transactional = (h.attributes & KGW_BATCH_ATTR_TRANSACTIONAL) != 0;
        o.log_append_time = (h.attributes & KGW_BATCH_ATTR_LOG_APPEND_TIME) != 0;
        char e[256];
        if (kgw_batch_build(&o, c.specs, c.n, &bs, &built, e, sizeof e) != 0) {
            status = "error";
            snprintf(detail, sizeof detail, "rebuild: %s", e);
            goto done;
        }
        if (dump_batches(built.data, built.len, &rebuilt, NULL, NULL, &scratch2, e, sizeof e) !=
            0) {
            status = "error";
            snprintf(detail, sizeof detail, "iterating the rebuilt batch: %s", e);
            goto done;
        }
        if (o.codec == KGW_COMPRESSION_NONE && c.contiguous && !o.log_append_time &&
            (built.len != len || memcmp(built.data, bytes, len) != 0)) {
            size_t i = 0;
            while (i < len && i < built.len && built.data[i] == bytes[i]) {
                i++;
            }
            status = "rebuild-bytes-differ";
            snprintf(detail, sizeof detail,
                     "rebuilt %zu bytes vs Kafka's %zu; first difference at byte %zu", built.len,
                     len, i);
        }
    } else {
        text_str(&rebuilt, "null");
    }

    {
        static const uint8_t hkey[] = "kgw-diff", hval[] = "1";
        kgw_header_op_t op = {KGW_HEADER_ADD, hkey, sizeof hkey - 1, hval, sizeof hval - 1};
        kgw_batch_iter_t it;
        kgw_batch_t b;
        char e[256];
        kgw_batch_iter_init(&it, bytes, len);
        if (kgw_batch_iter_next(&it, &b, e, sizeof e) != KGW_BATCH_V2) {
            status = "error";
            snprintf(detail, sizeof detail, "edit: the batch is no longer readable");
            goto done;
        }
        bool changed = false;
        if (kgw_batch_edit_headers(&b, &op, 1, &bs, &edit, &changed, e, sizeof e) != 0) {
            status = "error";
            snprintf(detail, sizeof detail, "edit: %s", e);
            goto done;
        }
        if (control && (changed || edit.len != len || memcmp(edit.data, bytes, len) != 0)) {
            status = "error";
            snprintf(detail, sizeof detail, "edit: a control batch was changed");
            goto done;
        }
        if (!control && !changed) {
            status = "error";
            snprintf(detail, sizeof detail, "edit: adding a header reported no change");
            goto done;
        }
        if (dump_batches(edit.data, edit.len, &edited, NULL, NULL, &scratch2, e, sizeof e) != 0) {
            status = "error";
            snprintf(detail, sizeof detail, "iterating the edited batch: %s", e);
            goto done;
        }
    }

done:
    flatten(detail);
    {
        bool ok = strcmp(status, "error") != 0;
        text_t raw = {0};
        /* The rebuilt and edited bytes, for Kafka to read back (Verify.java). */
        if (ok && built.len > 0) {
            text_b64(&raw, built.data, built.len);
        } else {
            text_str(&raw, "null");
        }
        text_put(&raw, "\t", 1);
        if (ok && edit.len > 0) {
            text_b64(&raw, edit.data, edit.len);
        } else {
            text_str(&raw, "null");
        }
        fprintf(out, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f[0], status, detail,
                ok && orig.p ? orig.p : "null", ok && rebuilt.p ? rebuilt.p : "null",
                ok && edited.p ? edited.p : "null", raw.failed ? "null\tnull" : raw.p);
        text_free(&raw);
    }
    text_free(&orig);
    text_free(&rebuilt);
    text_free(&edited);
    collected_free(&c);
    kgw_buf_free(&plain);
    kgw_buf_free(&scratch2);
    kgw_buf_free(&built);
    kgw_buf_free(&edit);
    kgw_batch_scratch_free(&bs);
    free(bytes);
    return 0;
}

/* ---- main ---------------------------------------------------------------- */

static int
usage(void)
{
    fprintf(stderr, "usage: kgw_codec_dump messages|batches IN.tsv OUT.tsv\n");
    return 1;
}

int
main(int argc, char **argv)
{
    if (argc != 4) {
        return usage();
    }
    int (*fn)(char *, FILE *, char *, size_t);
    if (strcmp(argv[1], "messages") == 0) {
        fn = message_line;
    } else if (strcmp(argv[1], "batches") == 0) {
        fn = batch_line;
    } else {
        fprintf(stderr, "kgw_codec_dump: unknown mode '%s'\n", argv[1]);
        return usage();
    }
    FILE *in = fopen(argv[2], "r");
    if (in == NULL) {
        fprintf(stderr, "kgw_codec_dump: cannot open %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    FILE *out = fopen(argv[3], "w");
    if (out == NULL) {
        fprintf(stderr, "kgw_codec_dump: cannot create %s: %s\n", argv[3], strerror(errno));
        fclose(in);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int status = 0;
    char err[512];
    while ((n = getline(&line, &cap, in)) > 0) {
        lineno++;
        if (line[n - 1] == '\n') {
            line[n - 1] = '\0';
        }
        /* Flushed per line: when the codec crashes, OUT ends at the line before. */
        int rc = fn(line, out, err, sizeof err);
        fflush(out);
        if (rc != 0) {
            fprintf(stderr, "kgw_codec_dump: %s line %ld: %s\n", argv[2], lineno, err);
            status = 1;
            break;
        }
    }
    if (status == 0 && ferror(in)) {
        fprintf(stderr, "kgw_codec_dump: reading %s: %s\n", argv[2], strerror(errno));
        status = 1;
    }
    free(line);
    fclose(in);
    if (fclose(out) != 0) {
        fprintf(stderr, "kgw_codec_dump: writing %s: %s\n", argv[3], strerror(errno));
        status = 1;
    }
    return status;
}
