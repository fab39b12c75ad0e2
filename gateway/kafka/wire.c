/* Bounds-checked Kafka wire primitives (see wire.h). */
#include "wire.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
kgw_codec_error_clear(kgw_codec_error_t *err)
{
    if (err == NULL) {
        return;
    }
    err->msg[0] = '\0';
    err->api_key = -1;
    err->version = -1;
    err->offset = 0;
    err->field = NULL;
}

void
kgw_codec_error_set(kgw_codec_error_t *err, size_t offset, const char *fmt, ...)
{
    if (err == NULL) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    err->offset = offset;
}

void
kgw_wire_reader_init(kgw_wire_reader_t *r, const uint8_t *p, size_t len, kgw_codec_error_t *err)
{
    r->p = p;
    r->len = len;
    r->off = 0;
    r->err = err;
}

static int
need(kgw_wire_reader_t *r, size_t n, const char *what)
{
    if (r->len - r->off < n) {
        kgw_codec_error_set(r->err, r->off, "%s needs %zu bytes but %zu remain at offset %zu", what,
                            n, r->len - r->off, r->off);
        return -1;
    }
    return 0;
}

static uint64_t
load_be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

int
kgw_wire_read_int8(kgw_wire_reader_t *r, int8_t *v)
{
    if (need(r, 1, "int8") != 0) {
        return -1;
    }
    *v = (int8_t)r->p[r->off++];
    return 0;
}

int
kgw_wire_read_bool(kgw_wire_reader_t *r, bool *v)
{
    if (need(r, 1, "bool") != 0) {
        return -1;
    }
    /* Kafka reads any non-zero byte as true. */
    *v = r->p[r->off++] != 0;
    return 0;
}

int
kgw_wire_read_int16(kgw_wire_reader_t *r, int16_t *v)
{
    if (need(r, 2, "int16") != 0) {
        return -1;
    }
    *v = (int16_t)(uint16_t)load_be(r->p + r->off, 2);
    r->off += 2;
    return 0;
}

int
kgw_wire_read_uint16(kgw_wire_reader_t *r, uint16_t *v)
{
    if (need(r, 2, "uint16") != 0) {
        return -1;
    }
    *v = (uint16_t)load_be(r->p + r->off, 2);
    r->off += 2;
    return 0;
}

int
kgw_wire_read_int32(kgw_wire_reader_t *r, int32_t *v)
{
    if (need(r, 4, "int32") != 0) {
        return -1;
    }
    *v = (int32_t)(uint32_t)load_be(r->p + r->off, 4);
    r->off += 4;
    return 0;
}

int
kgw_wire_read_uint32(kgw_wire_reader_t *r, uint32_t *v)
{
    if (need(r, 4, "uint32") != 0) {
        return -1;
    }
    *v = (uint32_t)load_be(r->p + r->off, 4);
    r->off += 4;
    return 0;
}

int
kgw_wire_read_int64(kgw_wire_reader_t *r, int64_t *v)
{
    if (need(r, 8, "int64") != 0) {
        return -1;
    }
    *v = (int64_t)load_be(r->p + r->off, 8);
    r->off += 8;
    return 0;
}

int
kgw_wire_read_float64(kgw_wire_reader_t *r, double *v)
{
    if (need(r, 8, "float64") != 0) {
        return -1;
    }
    uint64_t bits = load_be(r->p + r->off, 8);
    memcpy(v, &bits, sizeof(*v));
    r->off += 8;
    return 0;
}

int
kgw_wire_read_uuid(kgw_wire_reader_t *r, kgw_uuid_t *v)
{
    if (need(r, 16, "uuid") != 0) {
        return -1;
    }
    memcpy(v->b, r->p + r->off, 16);
    r->off += 16;
    return 0;
}

int
kgw_wire_read_uvarlong(kgw_wire_reader_t *r, uint64_t *v)
{
    uint64_t value = 0;
    size_t start = r->off;
    for (unsigned i = 0; i < 10; i++) {
        if (r->off >= r->len) {
            kgw_codec_error_set(r->err, start, "varint truncated after %u bytes at offset %zu", i,
                                start);
            r->off = start;
            return -1;
        }
        uint8_t b = r->p[r->off++];
        if (i == 9 && (b & 0xfe) != 0) {
            break;
        }
        value |= (uint64_t)(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) {
            *v = value;
            return 0;
        }
    }
    kgw_codec_error_set(r->err, start, "varlong longer than 10 bytes at offset %zu", start);
    r->off = start;
    return -1;
}

int
kgw_wire_read_uvarint(kgw_wire_reader_t *r, uint32_t *v)
{
    uint32_t value = 0;
    size_t start = r->off;
    for (unsigned i = 0; i < 5; i++) {
        if (r->off >= r->len) {
            kgw_codec_error_set(r->err, start, "varint truncated after %u bytes at offset %zu", i,
                                start);
            r->off = start;
            return -1;
        }
        uint8_t b = r->p[r->off++];
        if (i == 4 && (b & 0xf0) != 0) {
            break;
        }
        value |= (uint32_t)(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) {
            *v = value;
            return 0;
        }
    }
    kgw_codec_error_set(r->err, start,
                        "varint longer than 5 bytes (or above 32 bits) at offset %zu", start);
    r->off = start;
    return -1;
}

int
kgw_wire_read_varint(kgw_wire_reader_t *r, int32_t *v)
{
    uint32_t u;
    if (kgw_wire_read_uvarint(r, &u) != 0) {
        return -1;
    }
    *v = (int32_t)((u >> 1) ^ (~(u & 1) + 1));
    return 0;
}

int
kgw_wire_read_varlong(kgw_wire_reader_t *r, int64_t *v)
{
    uint64_t u;
    if (kgw_wire_read_uvarlong(r, &u) != 0) {
        return -1;
    }
    *v = (int64_t)((u >> 1) ^ (~(u & 1) + 1));
    return 0;
}

/* Reads a length prefix: compact uvarint N+1 or a classic int16/int32.
 * Stores -1 for null. */
static int
read_len(kgw_wire_reader_t *r, bool compact, bool wide, int32_t *len)
{
    if (compact) {
        uint32_t u;
        if (kgw_wire_read_uvarint(r, &u) != 0) {
            return -1;
        }
        if (u > (uint32_t)INT32_MAX) {
            kgw_codec_error_set(r->err, r->off, "compact length %u too large at offset %zu", u,
                                r->off);
            return -1;
        }
        *len = (int32_t)u - 1;
        return 0;
    }
    if (wide) {
        return kgw_wire_read_int32(r, len);
    }
    int16_t l16;
    if (kgw_wire_read_int16(r, &l16) != 0) {
        return -1;
    }
    *len = l16;
    return 0;
}

static int
read_sized(kgw_wire_reader_t *r, bool compact, bool wide, bool nullable, const char *what,
           const uint8_t **ptr, int32_t *out_len)
{
    size_t start = r->off;
    int32_t len;
    if (read_len(r, compact, wide, &len) != 0) {
        return -1;
    }
    if (len < -1) {
        kgw_codec_error_set(r->err, start, "negative %s length %d at offset %zu", what, len, start);
        r->off = start;
        return -1;
    }
    if (len == -1) {
        if (!nullable) {
            kgw_codec_error_set(r->err, start, "null %s in a non-nullable field at offset %zu",
                                what, start);
            r->off = start;
            return -1;
        }
        *ptr = NULL;
        *out_len = -1;
        return 0;
    }
    if ((size_t)len > r->len - r->off) {
        kgw_codec_error_set(r->err, start, "%s length %d exceeds remaining %zu bytes at offset %zu",
                            what, len, r->len - r->off, start);
        r->off = start;
        return -1;
    }
    *ptr = r->p + r->off;
    *out_len = len;
    r->off += (size_t)len;
    return 0;
}

int
kgw_wire_read_string(kgw_wire_reader_t *r, bool compact, bool nullable, kgw_str_t *v)
{
    const uint8_t *p;
    int32_t len;
    size_t start = r->off;
    if (read_sized(r, compact, false, nullable, "string", &p, &len) != 0) {
        return -1;
    }
    /* Kafka refuses strings longer than 32767 bytes in compact form too. */
    if (len > INT16_MAX) {
        kgw_codec_error_set(r->err, start, "string length %d exceeds 32767 at offset %zu", len,
                            start);
        r->off = start;
        return -1;
    }
    v->ptr = (const char *)p;
    v->len = len;
    return 0;
}

int
kgw_wire_read_bytes(kgw_wire_reader_t *r, bool compact, bool nullable, kgw_bytes_t *v)
{
    const uint8_t *p;
    int32_t len;
    if (read_sized(r, compact, true, nullable, "bytes", &p, &len) != 0) {
        return -1;
    }
    v->ptr = p;
    v->len = len;
    return 0;
}

int
kgw_wire_read_array_len(kgw_wire_reader_t *r, bool compact, bool nullable, int32_t *count)
{
    size_t start = r->off;
    int32_t n;
    if (read_len(r, compact, true, &n) != 0) {
        return -1;
    }
    if (n < -1) {
        kgw_codec_error_set(r->err, start, "negative array length %d at offset %zu", n, start);
        r->off = start;
        return -1;
    }
    if (n == -1 && !nullable) {
        kgw_codec_error_set(r->err, start, "null array in a non-nullable field at offset %zu",
                            start);
        r->off = start;
        return -1;
    }
    if (n > 0 && (size_t)n > r->len - r->off) {
        kgw_codec_error_set(r->err, start,
                            "array length %d exceeds remaining %zu bytes at offset %zu", n,
                            r->len - r->off, start);
        r->off = start;
        return -1;
    }
    *count = n;
    return 0;
}

int
kgw_wire_skip(kgw_wire_reader_t *r, size_t n)
{
    if (need(r, n, "skip") != 0) {
        return -1;
    }
    r->off += n;
    return 0;
}

int
kgw_wire_read_raw(kgw_wire_reader_t *r, size_t n, const uint8_t **v)
{
    if (need(r, n, "raw bytes") != 0) {
        return -1;
    }
    *v = r->p + r->off;
    r->off += n;
    return 0;
}

/* ---- writer ------------------------------------------------------------- */

void
kgw_wbuf_init(kgw_wbuf_t *w, kgw_codec_error_t *err)
{
    w->buf = NULL;
    w->len = 0;
    w->cap = 0;
    w->failed = false;
    w->err = err;
}

void
kgw_wbuf_free(kgw_wbuf_t *w)
{
    free(w->buf);
    w->buf = NULL;
    w->len = 0;
    w->cap = 0;
}

void
kgw_wbuf_reset(kgw_wbuf_t *w)
{
    w->len = 0;
    w->failed = false;
}

int
kgw_wbuf_reserve(kgw_wbuf_t *w, size_t n)
{
    if (w->cap - w->len >= n) {
        return 0;
    }
    if (n > SIZE_MAX / 2 - w->len) {
        w->failed = true;
        kgw_codec_error_set(w->err, w->len, "output buffer of %zu bytes cannot grow by %zu", w->len,
                            n);
        return -1;
    }
    size_t cap = w->cap != 0 ? w->cap : 256;
    while (cap - w->len < n) {
        cap *= 2;
    }
    uint8_t *p = realloc(w->buf, cap);
    if (p == NULL) {
        w->failed = true;
        kgw_codec_error_set(w->err, w->len, "out of memory growing output buffer to %zu bytes",
                            cap);
        return -1;
    }
    w->buf = p;
    w->cap = cap;
    return 0;
}

int
kgw_wbuf_append(kgw_wbuf_t *w, const void *p, size_t n)
{
    if (kgw_wbuf_reserve(w, n) != 0) {
        return -1;
    }
    if (n != 0) {
        memcpy(w->buf + w->len, p, n);
    }
    w->len += n;
    return 0;
}

int
kgw_wbuf_insert(kgw_wbuf_t *w, size_t at, const void *p, size_t n)
{
    if (at > w->len) {
        w->failed = true;
        kgw_codec_error_set(w->err, at, "insert at %zu past the end %zu", at, w->len);
        return -1;
    }
    if (kgw_wbuf_reserve(w, n) != 0) {
        return -1;
    }
    memmove(w->buf + at + n, w->buf + at, w->len - at);
    memcpy(w->buf + at, p, n);
    w->len += n;
    return 0;
}

static void
store_be(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[n - 1 - i] = (uint8_t)(v >> (8 * i));
    }
}

int
kgw_wbuf_put_int32_at(kgw_wbuf_t *w, size_t at, int32_t v)
{
    if (at > w->len || w->len - at < 4) {
        w->failed = true;
        kgw_codec_error_set(w->err, at, "int32 patch at %zu past the end %zu", at, w->len);
        return -1;
    }
    store_be(w->buf + at, (uint32_t)v, 4);
    return 0;
}

static int
put_be(kgw_wbuf_t *w, uint64_t v, size_t n)
{
    if (kgw_wbuf_reserve(w, n) != 0) {
        return -1;
    }
    store_be(w->buf + w->len, v, n);
    w->len += n;
    return 0;
}

int
kgw_wbuf_put_int8(kgw_wbuf_t *w, int8_t v)
{
    return put_be(w, (uint8_t)v, 1);
}

int
kgw_wbuf_put_int16(kgw_wbuf_t *w, int16_t v)
{
    return put_be(w, (uint16_t)v, 2);
}

int
kgw_wbuf_put_uint16(kgw_wbuf_t *w, uint16_t v)
{
    return put_be(w, v, 2);
}

int
kgw_wbuf_put_int32(kgw_wbuf_t *w, int32_t v)
{
    return put_be(w, (uint32_t)v, 4);
}

int
kgw_wbuf_put_uint32(kgw_wbuf_t *w, uint32_t v)
{
    return put_be(w, v, 4);
}

int
kgw_wbuf_put_int64(kgw_wbuf_t *w, int64_t v)
{
    return put_be(w, (uint64_t)v, 8);
}

int
kgw_wbuf_put_float64(kgw_wbuf_t *w, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    return put_be(w, bits, 8);
}

int
kgw_wbuf_put_uuid(kgw_wbuf_t *w, const kgw_uuid_t *v)
{
    return kgw_wbuf_append(w, v->b, 16);
}

int
kgw_wbuf_put_uvarlong(kgw_wbuf_t *w, uint64_t v)
{
    if (kgw_wbuf_reserve(w, 10) != 0) {
        return -1;
    }
    while (v >= 0x80) {
        w->buf[w->len++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    w->buf[w->len++] = (uint8_t)v;
    return 0;
}

int
kgw_wbuf_put_uvarint(kgw_wbuf_t *w, uint32_t v)
{
    if (v < 0x80 && w->cap - w->len >= 1) {
        w->buf[w->len++] = (uint8_t)v;
        return 0;
    }
    return kgw_wbuf_put_uvarlong(w, v);
}

int
kgw_wbuf_put_varint(kgw_wbuf_t *w, int32_t v)
{
    return kgw_wbuf_put_uvarint(w, ((uint32_t)v << 1) ^ (uint32_t)(v >> 31));
}

int
kgw_wbuf_put_varlong(kgw_wbuf_t *w, int64_t v)
{
    return kgw_wbuf_put_uvarlong(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

size_t
kgw_uvarint_size(uint32_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

int
kgw_wbuf_put_string(kgw_wbuf_t *w, bool compact, kgw_str_t v)
{
    if (v.len < -1 || v.len > INT16_MAX) {
        w->failed = true;
        kgw_codec_error_set(w->err, w->len, "string length %d out of range at offset %zu", v.len,
                            w->len);
        return -1;
    }
    int rc = compact ? kgw_wbuf_put_uvarint(w, (uint32_t)(v.len + 1))
                     : kgw_wbuf_put_int16(w, (int16_t)v.len);
    if (rc != 0) {
        return -1;
    }
    return v.len > 0 ? kgw_wbuf_append(w, v.ptr, (size_t)v.len) : 0;
}

int
kgw_wbuf_put_bytes(kgw_wbuf_t *w, bool compact, kgw_bytes_t v)
{
    if (v.len < -1 || (compact && v.len == INT32_MAX)) {
        w->failed = true;
        kgw_codec_error_set(w->err, w->len, "bytes length %d out of range at offset %zu", v.len,
                            w->len);
        return -1;
    }
    int rc =
        compact ? kgw_wbuf_put_uvarint(w, (uint32_t)(v.len + 1)) : kgw_wbuf_put_int32(w, v.len);
    if (rc != 0) {
        return -1;
    }
    return v.len > 0 ? kgw_wbuf_append(w, v.ptr, (size_t)v.len) : 0;
}

int
kgw_wbuf_put_array_len(kgw_wbuf_t *w, bool compact, int32_t count)
{
    if (count < -1 || (compact && count == INT32_MAX)) {
        w->failed = true;
        kgw_codec_error_set(w->err, w->len, "array length %d out of range at offset %zu", count,
                            w->len);
        return -1;
    }
    return compact ? kgw_wbuf_put_uvarint(w, (uint32_t)(count + 1)) : kgw_wbuf_put_int32(w, count);
}
