/* Kafka record batch v2: iteration, CRC, header edits and building. */
#include "record_batch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crc32c.h"

__attribute__((format(printf, 3, 4))) static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- big-endian fixed-width fields ---- */

static inline uint16_t
rd16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t
rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

static inline void
wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void
wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void
wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)(v >> 32));
    wr32(p + 4, (uint32_t)v);
}

/* ---- zigzag varints ---- */

enum { VARINT_OK = 0, VARINT_TRUNCATED = -1, VARINT_TOO_LONG = -2 };

/* Reads an unsigned LEB128 of at most max_bytes (5 or 10), as Java's
 * ByteUtils does: a continuation bit on the last allowed byte is an error. */
static inline int
rd_uvar(const uint8_t **pp, const uint8_t *end, int max_bytes, uint64_t *out)
{
    const uint8_t *p = *pp;
    if (p < end && p[0] < 0x80) {
        *out = p[0];
        *pp = p + 1;
        return VARINT_OK;
    }
    uint64_t v = 0;
    for (int i = 0; i < max_bytes; i++) {
        if (p >= end)
            return VARINT_TRUNCATED;
        uint8_t c = *p++;
        v |= (uint64_t)(c & 0x7f) << (7 * i);
        if ((c & 0x80) == 0) {
            *out = v;
            *pp = p;
            return VARINT_OK;
        }
    }
    return VARINT_TOO_LONG;
}

static inline int
rd_varint(const uint8_t **pp, const uint8_t *end, int32_t *out)
{
    uint64_t u;
    int rc = rd_uvar(pp, end, 5, &u);
    if (rc != VARINT_OK)
        return rc;
    uint32_t v = (uint32_t)u;
    *out = (int32_t)((v >> 1) ^ (0u - (v & 1u)));
    return VARINT_OK;
}

static inline int
rd_varlong(const uint8_t **pp, const uint8_t *end, int64_t *out)
{
    uint64_t u;
    int rc = rd_uvar(pp, end, 10, &u);
    if (rc != VARINT_OK)
        return rc;
    *out = (int64_t)((u >> 1) ^ (0u - (u & 1u)));
    return VARINT_OK;
}

static inline uint32_t
zz32(int32_t v)
{
    return ((uint32_t)v << 1) ^ (uint32_t)(v >> 31);
}

static inline uint64_t
zz64(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline size_t
uvar_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static inline uint8_t *
wr_uvar(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* ---- batches ---- */

void
kgw_batch_iter_init(kgw_batch_iter_t *it, const uint8_t *records, size_t len)
{
    it->data = records;
    it->len = len;
    it->pos = 0;
    it->done = false;
}

void
kgw_batch_header_decode(const uint8_t *p, kgw_batch_header_t *h)
{
    h->base_offset = (int64_t)rd64(p + KGW_BATCH_OFF_BASE_OFFSET);
    h->batch_length = (int32_t)rd32(p + KGW_BATCH_OFF_LENGTH);
    h->partition_leader_epoch = (int32_t)rd32(p + KGW_BATCH_OFF_LEADER_EPOCH);
    h->magic = (int8_t)p[KGW_BATCH_OFF_MAGIC];
    h->crc = rd32(p + KGW_BATCH_OFF_CRC);
    h->attributes = (int16_t)rd16(p + KGW_BATCH_OFF_ATTRIBUTES);
    h->last_offset_delta = (int32_t)rd32(p + KGW_BATCH_OFF_LAST_OFFSET_DELTA);
    h->base_timestamp = (int64_t)rd64(p + KGW_BATCH_OFF_BASE_TIMESTAMP);
    h->max_timestamp = (int64_t)rd64(p + KGW_BATCH_OFF_MAX_TIMESTAMP);
    h->producer_id = (int64_t)rd64(p + KGW_BATCH_OFF_PRODUCER_ID);
    h->producer_epoch = (int16_t)rd16(p + KGW_BATCH_OFF_PRODUCER_EPOCH);
    h->base_sequence = (int32_t)rd32(p + KGW_BATCH_OFF_BASE_SEQUENCE);
    h->records_count = (int32_t)rd32(p + KGW_BATCH_OFF_RECORDS_COUNT);
}

static void
header_encode(uint8_t *p, const kgw_batch_header_t *h)
{
    wr64(p + KGW_BATCH_OFF_BASE_OFFSET, (uint64_t)h->base_offset);
    wr32(p + KGW_BATCH_OFF_LENGTH, (uint32_t)h->batch_length);
    wr32(p + KGW_BATCH_OFF_LEADER_EPOCH, (uint32_t)h->partition_leader_epoch);
    p[KGW_BATCH_OFF_MAGIC] = (uint8_t)h->magic;
    wr32(p + KGW_BATCH_OFF_CRC, h->crc);
    wr16(p + KGW_BATCH_OFF_ATTRIBUTES, (uint16_t)h->attributes);
    wr32(p + KGW_BATCH_OFF_LAST_OFFSET_DELTA, (uint32_t)h->last_offset_delta);
    wr64(p + KGW_BATCH_OFF_BASE_TIMESTAMP, (uint64_t)h->base_timestamp);
    wr64(p + KGW_BATCH_OFF_MAX_TIMESTAMP, (uint64_t)h->max_timestamp);
    wr64(p + KGW_BATCH_OFF_PRODUCER_ID, (uint64_t)h->producer_id);
    wr16(p + KGW_BATCH_OFF_PRODUCER_EPOCH, (uint16_t)h->producer_epoch);
    wr32(p + KGW_BATCH_OFF_BASE_SEQUENCE, (uint32_t)h->base_sequence);
    wr32(p + KGW_BATCH_OFF_RECORDS_COUNT, (uint32_t)h->records_count);
}

static kgw_batch_kind_t
iter_stop(kgw_batch_iter_t *it, kgw_batch_kind_t kind)
{
    it->done = true;
    return kind;
}

kgw_batch_kind_t
kgw_batch_iter_next(kgw_batch_iter_t *it, kgw_batch_t *b, char *err, size_t errlen)
{
    memset(b, 0, sizeof(*b));
    if (it->done || it->pos >= it->len)
        return iter_stop(it, KGW_BATCH_END);
    size_t at = it->pos;
    const uint8_t *p = it->data + at;
    size_t left = it->len - at;
    b->data = p;
    b->offset = at;
    b->len = left;
    /* Not even the length field: a partial batch (fetch responses may cut
     * the last batch anywhere). */
    if (left < KGW_BATCH_LOG_OVERHEAD) {
        b->kind = KGW_BATCH_PARTIAL;
        return iter_stop(it, KGW_BATCH_PARTIAL);
    }
    int32_t blen = (int32_t)rd32(p + KGW_BATCH_OFF_LENGTH);
    b->hdr.base_offset = (int64_t)rd64(p);
    b->hdr.batch_length = blen;
    /* The smallest legacy message (magic 0) is 14 bytes after the length. */
    if (blen < 14) {
        set_err(err, errlen, "batch at offset %zu: batchLength %d at byte %zu is less than %d", at,
                blen, at + KGW_BATCH_OFF_LENGTH, 14);
        b->kind = KGW_BATCH_ERROR;
        return iter_stop(it, KGW_BATCH_ERROR);
    }
    if ((size_t)blen > left - KGW_BATCH_LOG_OVERHEAD) {
        b->kind = KGW_BATCH_PARTIAL;
        if (left > KGW_BATCH_OFF_MAGIC)
            b->hdr.magic = (int8_t)p[KGW_BATCH_OFF_MAGIC];
        return iter_stop(it, KGW_BATCH_PARTIAL);
    }
    size_t total = KGW_BATCH_LOG_OVERHEAD + (size_t)blen;
    int8_t magic = (int8_t)p[KGW_BATCH_OFF_MAGIC];
    b->len = total;
    b->hdr.magic = magic;
    if (magic == 0 || magic == 1) {
        b->kind = KGW_BATCH_LEGACY;
        it->pos += total;
        return KGW_BATCH_LEGACY;
    }
    if (magic != 2) {
        set_err(err, errlen, "batch at offset %zu: magic %d at byte %zu is not 0, 1 or 2", at,
                magic, at + KGW_BATCH_OFF_MAGIC);
        b->kind = KGW_BATCH_ERROR;
        return iter_stop(it, KGW_BATCH_ERROR);
    }
    if (blen < KGW_BATCH_LENGTH_MIN) {
        set_err(err, errlen, "batch at offset %zu: batchLength %d at byte %zu is less than %d", at,
                blen, at + KGW_BATCH_OFF_LENGTH, KGW_BATCH_LENGTH_MIN);
        b->kind = KGW_BATCH_ERROR;
        return iter_stop(it, KGW_BATCH_ERROR);
    }
    kgw_batch_header_decode(p, &b->hdr);
    int codec = b->hdr.attributes & KGW_BATCH_ATTR_CODEC_MASK;
    if (codec > KGW_COMPRESSION_MAX) {
        set_err(err, errlen,
                "batch at offset %zu: attributes 0x%04x at byte %zu name unknown codec %d", at,
                (unsigned)(uint16_t)b->hdr.attributes, at + KGW_BATCH_OFF_ATTRIBUTES, codec);
        b->kind = KGW_BATCH_ERROR;
        return iter_stop(it, KGW_BATCH_ERROR);
    }
    if (b->hdr.records_count < 0) {
        set_err(err, errlen, "batch at offset %zu: recordsCount %d at byte %zu is negative", at,
                b->hdr.records_count, at + KGW_BATCH_OFF_RECORDS_COUNT);
        b->kind = KGW_BATCH_ERROR;
        return iter_stop(it, KGW_BATCH_ERROR);
    }
    b->kind = KGW_BATCH_V2;
    it->pos += total;
    return KGW_BATCH_V2;
}

kgw_compression_t
kgw_batch_codec(const kgw_batch_t *b)
{
    return (kgw_compression_t)(b->hdr.attributes & KGW_BATCH_ATTR_CODEC_MASK);
}

bool
kgw_batch_is_control(const kgw_batch_t *b)
{
    return (b->hdr.attributes & KGW_BATCH_ATTR_CONTROL) != 0;
}

bool
kgw_batch_is_transactional(const kgw_batch_t *b)
{
    return (b->hdr.attributes & KGW_BATCH_ATTR_TRANSACTIONAL) != 0;
}

int
kgw_batch_verify_crc(const kgw_batch_t *b, char *err, size_t errlen)
{
    if (b->kind != KGW_BATCH_V2 || b->len < KGW_BATCH_HEADER_SIZE) {
        set_err(err, errlen, "batch at offset %zu: not a complete magic 2 batch", b->offset);
        return -1;
    }
    uint32_t stored = rd32(b->data + KGW_BATCH_OFF_CRC);
    uint32_t computed =
        kgw_crc32c(0, b->data + KGW_BATCH_OFF_ATTRIBUTES, b->len - KGW_BATCH_OFF_ATTRIBUTES);
    if (stored != computed) {
        set_err(err, errlen,
                "batch at offset %zu: crc 0x%08x at byte %zu does not match computed 0x%08x",
                b->offset, stored, b->offset + KGW_BATCH_OFF_CRC, computed);
        return -1;
    }
    return 0;
}

/* ---- records ---- */

int
kgw_record_iter_init(kgw_record_iter_t *it, const kgw_batch_t *b, kgw_buf_t *scratch,
                     size_t max_decompressed, char *err, size_t errlen)
{
    memset(it, 0, sizeof(*it));
    if (b->kind != KGW_BATCH_V2 || b->len < KGW_BATCH_HEADER_SIZE) {
        set_err(err, errlen, "batch at offset %zu: not a complete magic 2 batch", b->offset);
        return -1;
    }
    const uint8_t *recs = b->data + KGW_BATCH_OFF_RECORDS;
    size_t n = b->len - KGW_BATCH_OFF_RECORDS;
    kgw_compression_t codec = kgw_batch_codec(b);
    it->batch_offset = b->offset;
    it->remaining = b->hdr.records_count;
    if (codec == KGW_COMPRESSION_NONE) {
        it->base = recs;
        it->p = recs;
        it->end = recs + n;
        return 0;
    }
    if (scratch == NULL) {
        set_err(err, errlen, "batch at offset %zu: %s batch needs a scratch buffer", b->offset,
                kgw_compression_name(codec));
        return -1;
    }
    if (max_decompressed == 0)
        max_decompressed = KGW_BATCH_MAX_DECOMPRESSED_DEFAULT;
    scratch->len = 0;
    char why[200];
    if (kgw_decompress(codec, recs, n, scratch, max_decompressed, why, sizeof(why)) != 0) {
        set_err(err, errlen, "batch at offset %zu: records at byte %zu: %s", b->offset,
                b->offset + KGW_BATCH_OFF_RECORDS, why);
        return -1;
    }
    it->compressed = true;
    it->base = scratch->data;
    it->p = scratch->data;
    it->end = scratch->data + scratch->len;
    return 0;
}

static const char *
varint_problem(int rc)
{
    return rc == VARINT_TOO_LONG ? "is a varint longer than allowed" : "is truncated";
}

/* Parses one record at p (bounded by end), validating every field. Returns
 * the bytes used or 0 with a message. */
static size_t
parse_record(const uint8_t *p, const uint8_t *end, kgw_record_t *r, int32_t idx, size_t at,
             char *err, size_t errlen)
{
    const uint8_t *q = p;
    int32_t len;
    int rc = rd_varint(&q, end, &len);
    if (rc != VARINT_OK) {
        set_err(err, errlen, "record %d at byte %zu: length %s", idx, at, varint_problem(rc));
        return 0;
    }
    if (len < 0) {
        set_err(err, errlen, "record %d at byte %zu: length %d is negative", idx, at, len);
        return 0;
    }
    if ((size_t)len > (size_t)(end - q)) {
        set_err(err, errlen, "record %d at byte %zu: length %d exceeds the %zu bytes left", idx, at,
                len, (size_t)(end - q));
        return 0;
    }
    const uint8_t *body = q;
    const uint8_t *bend = q + len;
    const char *field;
    r->length = len;
    r->body = body;
    if (q >= bend) {
        field = "attributes";
        rc = VARINT_TRUNCATED;
        goto overrun;
    }
    r->attributes = (int8_t)*q++;
    field = "timestampDelta";
    if ((rc = rd_varlong(&q, bend, &r->timestamp_delta)) != VARINT_OK)
        goto overrun;
    field = "offsetDelta";
    if ((rc = rd_varint(&q, bend, &r->offset_delta)) != VARINT_OK)
        goto overrun;
    field = "keyLength";
    if ((rc = rd_varint(&q, bend, &r->key_len)) != VARINT_OK)
        goto overrun;
    if (r->key_len < -1) {
        set_err(err, errlen, "record %d at byte %zu: keyLength %d is invalid", idx, at, r->key_len);
        return 0;
    }
    field = "key";
    if (r->key_len > bend - q) {
        rc = VARINT_TRUNCATED;
        goto overrun;
    }
    r->key = r->key_len < 0 ? NULL : q;
    if (r->key_len > 0)
        q += r->key_len;
    field = "valueLength";
    if ((rc = rd_varint(&q, bend, &r->value_len)) != VARINT_OK)
        goto overrun;
    if (r->value_len < -1) {
        set_err(err, errlen, "record %d at byte %zu: valueLength %d is invalid", idx, at,
                r->value_len);
        return 0;
    }
    field = "value";
    if (r->value_len > bend - q) {
        rc = VARINT_TRUNCATED;
        goto overrun;
    }
    r->value = r->value_len < 0 ? NULL : q;
    if (r->value_len > 0)
        q += r->value_len;
    r->prefix_len = (size_t)(q - body);
    field = "headerCount";
    if ((rc = rd_varint(&q, bend, &r->header_count)) != VARINT_OK)
        goto overrun;
    if (r->header_count < 0) {
        set_err(err, errlen, "record %d at byte %zu: headerCount %d is negative", idx, at,
                r->header_count);
        return 0;
    }
    r->headers = q;
    for (int32_t h = 0; h < r->header_count; h++) {
        int32_t kl, vl;
        field = "header key length";
        if ((rc = rd_varint(&q, bend, &kl)) != VARINT_OK)
            goto overrun;
        if (kl < 0) {
            set_err(err, errlen, "record %d at byte %zu: header %d key length %d is negative", idx,
                    at, h, kl);
            return 0;
        }
        field = "header key";
        if (kl > bend - q) {
            rc = VARINT_TRUNCATED;
            goto overrun;
        }
        q += kl;
        field = "header value length";
        if ((rc = rd_varint(&q, bend, &vl)) != VARINT_OK)
            goto overrun;
        if (vl < -1) {
            set_err(err, errlen, "record %d at byte %zu: header %d value length %d is invalid", idx,
                    at, h, vl);
            return 0;
        }
        field = "header value";
        if (vl > bend - q) {
            rc = VARINT_TRUNCATED;
            goto overrun;
        }
        if (vl > 0)
            q += vl;
    }
    r->headers_len = (size_t)(q - r->headers);
    if (q != bend) {
        set_err(err, errlen,
                "record %d at byte %zu: length %d disagrees with its content (%zu bytes)", idx, at,
                len, (size_t)(q - body));
        return 0;
    }
    r->raw = p;
    r->raw_len = (size_t)(bend - p);
    return r->raw_len;
overrun:
    if (rc == VARINT_TOO_LONG)
        set_err(err, errlen, "record %d at byte %zu: %s at byte %zu %s", idx, at, field,
                at + (size_t)(q - p), varint_problem(rc));
    else
        set_err(err, errlen,
                "record %d at byte %zu: %s at byte %zu runs past the record length %d "
                "(length disagrees with its content)",
                idx, at, field, at + (size_t)(q - p), len);
    return 0;
}

int
kgw_record_iter_next(kgw_record_iter_t *it, kgw_record_t *r, char *err, size_t errlen)
{
    size_t at = (size_t)(it->p - it->base);
    if (it->remaining == 0) {
        if (it->p != it->end) {
            set_err(err, errlen,
                    "batch at offset %zu: %zu bytes left at record byte %zu after recordsCount %d "
                    "records",
                    it->batch_offset, (size_t)(it->end - it->p), at, it->count);
            return -1;
        }
        return 0;
    }
    if (it->p >= it->end) {
        set_err(err, errlen,
                "batch at offset %zu: records end at record byte %zu after %d of recordsCount %d "
                "records",
                it->batch_offset, at, it->count, it->count + it->remaining);
        return -1;
    }
    char why[200];
    size_t used = parse_record(it->p, it->end, r, it->count, at, why, sizeof(why));
    if (used == 0) {
        set_err(err, errlen, "batch at offset %zu: %s", it->batch_offset, why);
        return -1;
    }
    it->p += used;
    it->remaining--;
    it->count++;
    return 1;
}

void
kgw_header_iter_init(kgw_header_iter_t *it, const kgw_record_t *r)
{
    it->p = r->headers;
    it->end = r->headers + r->headers_len;
    it->remaining = r->header_count;
}

bool
kgw_header_iter_next(kgw_header_iter_t *it, kgw_header_t *h)
{
    if (it->remaining <= 0)
        return false;
    /* The record iterator validated these bytes. */
    if (rd_varint(&it->p, it->end, &h->key_len) != VARINT_OK)
        return false;
    h->key = it->p;
    it->p += h->key_len;
    if (rd_varint(&it->p, it->end, &h->value_len) != VARINT_OK)
        return false;
    h->value = h->value_len < 0 ? NULL : it->p;
    if (h->value_len > 0)
        it->p += h->value_len;
    it->remaining--;
    return true;
}

/* ---- writing ---- */

void
kgw_batch_scratch_free(kgw_batch_scratch_t *s)
{
    if (s == NULL)
        return;
    kgw_buf_free(&s->plain);
    kgw_buf_free(&s->edit);
}

void
kgw_batch_options_default(kgw_batch_options_t *o)
{
    memset(o, 0, sizeof(*o));
    o->codec = KGW_COMPRESSION_NONE;
    o->partition_leader_epoch = -1;
    o->producer_id = -1;
    o->producer_epoch = -1;
    o->base_sequence = -1;
}

static int
writer_start(kgw_batch_writer_t *w, kgw_compression_t codec, kgw_buf_t *out,
             kgw_batch_scratch_t *scratch, char *err, size_t errlen)
{
    if ((unsigned)codec > KGW_COMPRESSION_MAX) {
        set_err(err, errlen, "unknown compression codec %d", (int)codec);
        return -1;
    }
    w->out = out;
    w->start = out->len;
    w->codec = codec;
    if (kgw_buf_reserve(out, KGW_BATCH_HEADER_SIZE) != 0) {
        set_err(err, errlen, "out of memory reserving a batch header");
        return -1;
    }
    memset(out->data + out->len, 0, KGW_BATCH_HEADER_SIZE);
    out->len += KGW_BATCH_HEADER_SIZE;
    if (codec == KGW_COMPRESSION_NONE) {
        w->records = out;
    } else {
        if (scratch == NULL) {
            out->len = w->start;
            set_err(err, errlen, "a %s batch needs a scratch buffer", kgw_compression_name(codec));
            return -1;
        }
        w->records = &scratch->edit;
        w->records->len = 0;
    }
    w->records_start = w->records->len;
    return 0;
}

int
kgw_batch_writer_begin_build(kgw_batch_writer_t *w, const kgw_batch_options_t *o, kgw_buf_t *out,
                             kgw_batch_scratch_t *scratch, char *err, size_t errlen)
{
    memset(w, 0, sizeof(*w));
    if (writer_start(w, o->codec, out, scratch, err, errlen) != 0)
        return -1;
    w->building = true;
    w->dirty = true;
    kgw_batch_header_t *h = &w->hdr;
    h->base_offset = o->base_offset;
    h->partition_leader_epoch = o->partition_leader_epoch;
    h->magic = 2;
    h->attributes = (int16_t)(o->codec | (o->transactional ? KGW_BATCH_ATTR_TRANSACTIONAL : 0) |
                              (o->log_append_time ? KGW_BATCH_ATTR_LOG_APPEND_TIME : 0));
    h->producer_id = o->producer_id;
    h->producer_epoch = o->producer_epoch;
    h->base_sequence = o->base_sequence;
    return 0;
}

static inline size_t
bytes_field_size(const uint8_t *p, size_t n)
{
    return p == NULL ? 1 : uvar_size(zz32((int32_t)n)) + n;
}

static inline uint8_t *
wr_bytes_field(uint8_t *q, const uint8_t *p, size_t n)
{
    if (p == NULL)
        return wr_uvar(q, zz32(-1));
    q = wr_uvar(q, zz32((int32_t)n));
    if (n > 0)
        memcpy(q, p, n);
    return q + n;
}

int
kgw_batch_writer_add(kgw_batch_writer_t *w, const kgw_record_spec_t *r, char *err, size_t errlen)
{
    if (!w->building) {
        set_err(err, errlen, "kgw_batch_writer_add: the writer is not building a new batch");
        return -1;
    }
    if (w->count == INT32_MAX) {
        set_err(err, errlen, "batch already holds %d records", w->count);
        return -1;
    }
    if (!w->have_ts) {
        w->hdr.base_timestamp = r->timestamp;
        w->max_ts = r->timestamp;
        w->have_ts = true;
    }
    if (r->timestamp > w->max_ts)
        w->max_ts = r->timestamp;
    int64_t tsd = (int64_t)((uint64_t)r->timestamp - (uint64_t)w->hdr.base_timestamp);
    if ((r->key != NULL && r->key_len > INT32_MAX) ||
        (r->value != NULL && r->value_len > INT32_MAX)) {
        set_err(err, errlen, "record %d: key (%zu bytes) or value (%zu bytes) over %d bytes",
                w->count, r->key_len, r->value_len, INT32_MAX);
        return -1;
    }
    if (r->header_count > INT32_MAX) {
        set_err(err, errlen, "record %d: %zu headers is too many", w->count, r->header_count);
        return -1;
    }
    uint64_t size = 1 + uvar_size(zz64(tsd)) + uvar_size(zz32(w->count)) +
                    bytes_field_size(r->key, r->key_len) +
                    bytes_field_size(r->value, r->value_len) +
                    uvar_size(zz32((int32_t)r->header_count));
    for (size_t i = 0; i < r->header_count; i++) {
        const kgw_header_t *h = &r->headers[i];
        if (h->key == NULL || h->key_len < 0 || (h->value != NULL && h->value_len < 0)) {
            set_err(err, errlen, "record %d: header %zu has a null key or a negative length",
                    w->count, i);
            return -1;
        }
        size += bytes_field_size(h->key, (size_t)h->key_len) +
                bytes_field_size(h->value, h->value != NULL ? (size_t)h->value_len : 0);
    }
    if (size > INT32_MAX) {
        set_err(err, errlen, "record %d: %llu bytes is over %d", w->count, (unsigned long long)size,
                INT32_MAX);
        return -1;
    }
    kgw_buf_t *b = w->records;
    if (kgw_buf_reserve(b, 5 + (size_t)size) != 0) {
        set_err(err, errlen, "record %d: out of memory reserving %llu bytes", w->count,
                (unsigned long long)size);
        return -1;
    }
    uint8_t *q = b->data + b->len;
    q = wr_uvar(q, zz32((int32_t)size));
    *q++ = 0; /* record attributes: unused, always 0 */
    q = wr_uvar(q, zz64(tsd));
    q = wr_uvar(q, zz32(w->count));
    q = wr_bytes_field(q, r->key, r->key_len);
    q = wr_bytes_field(q, r->value, r->value_len);
    q = wr_uvar(q, zz32((int32_t)r->header_count));
    for (size_t i = 0; i < r->header_count; i++) {
        const kgw_header_t *h = &r->headers[i];
        q = wr_bytes_field(q, h->key, (size_t)h->key_len);
        q = wr_bytes_field(q, h->value, h->value != NULL ? (size_t)h->value_len : 0);
    }
    b->len = (size_t)(q - b->data);
    w->count++;
    return 0;
}

/* Bitmask of ops that decide their key: the last SET/REMOVE per key. */
static uint64_t
decisive_ops(const kgw_header_op_t *ops, size_t nops)
{
    uint64_t mask = 0;
    for (size_t i = 0; i < nops; i++) {
        if (ops[i].op == KGW_HEADER_ADD)
            continue;
        bool later = false;
        for (size_t j = i + 1; j < nops && !later; j++)
            later = ops[j].op != KGW_HEADER_ADD && ops[j].key_len == ops[i].key_len &&
                    memcmp(ops[j].key, ops[i].key, ops[i].key_len) == 0;
        if (!later)
            mask |= (uint64_t)1 << i;
    }
    return mask;
}

static int
check_ops(const kgw_header_op_t *ops, size_t nops, char *err, size_t errlen)
{
    if (nops > KGW_HEADER_OPS_MAX) {
        set_err(err, errlen, "%zu header operations exceed the maximum of %d", nops,
                KGW_HEADER_OPS_MAX);
        return -1;
    }
    for (size_t i = 0; i < nops; i++) {
        if (ops[i].op != KGW_HEADER_SET && ops[i].op != KGW_HEADER_REMOVE &&
            ops[i].op != KGW_HEADER_ADD) {
            set_err(err, errlen, "header operation %zu: unknown kind %d", i, (int)ops[i].op);
            return -1;
        }
        if (ops[i].key == NULL && ops[i].key_len > 0) {
            set_err(err, errlen, "header operation %zu: NULL key of length %zu", i, ops[i].key_len);
            return -1;
        }
        if (ops[i].key_len > INT32_MAX / 4 ||
            (ops[i].value != NULL && ops[i].value_len > INT32_MAX / 4)) {
            set_err(err, errlen, "header operation %zu: key or value too long", i);
            return -1;
        }
    }
    return 0;
}

int
kgw_batch_writer_begin_edit(kgw_batch_writer_t *w, const kgw_batch_t *orig, kgw_buf_t *out,
                            kgw_batch_scratch_t *scratch, char *err, size_t errlen)
{
    memset(w, 0, sizeof(*w));
    if (orig->kind != KGW_BATCH_V2) {
        set_err(err, errlen, "batch at offset %zu: only magic 2 batches can be edited",
                orig->offset);
        return -1;
    }
    if (kgw_batch_is_control(orig)) {
        set_err(err, errlen, "batch at offset %zu: control batches are never edited", orig->offset);
        return -1;
    }
    if (orig->data >= out->data && out->data != NULL && orig->data < out->data + out->cap) {
        set_err(err, errlen, "batch at offset %zu: the output buffer holds the batch itself",
                orig->offset);
        return -1;
    }
    if (writer_start(w, kgw_batch_codec(orig), out, scratch, err, errlen) != 0)
        return -1;
    w->hdr = orig->hdr;
    w->orig = orig;
    return 0;
}

/* Headers per record whose op match pass 1 keeps for pass 2. */
#define KGW_EDIT_MATCH_CACHE 32

static inline bool
key_eq(const kgw_header_op_t *op, const uint8_t *k, int32_t kl)
{
    if (op->key_len != (size_t)kl)
        return false;
    /* Header keys are short: a byte loop beats a call to memcmp. */
    for (int32_t i = 0; i < kl; i++) {
        if (op->key[i] != k[i])
            return false;
    }
    return true;
}

static inline size_t
op_header_size(const kgw_header_op_t *op)
{
    return bytes_field_size(op->key != NULL ? op->key : (const uint8_t *)"", op->key_len) +
           bytes_field_size(op->value, op->value_len);
}

static inline uint8_t *
wr_op_header(uint8_t *q, const kgw_header_op_t *op)
{
    q = wr_bytes_field(q, op->key != NULL ? op->key : (const uint8_t *)"", op->key_len);
    return wr_bytes_field(q, op->value, op->value_len);
}

/* The decisive SET/REMOVE op for header key k, or -1. */
static inline int
match_op(const kgw_header_op_t *ops, size_t nops, uint64_t decisive, const uint8_t *k, int32_t kl)
{
    for (size_t i = 0; i < nops; i++) {
        if (((decisive >> i) & 1) != 0 && key_eq(&ops[i], k, kl))
            return (int)i;
    }
    return -1;
}

/* Reads one validated header at *pp: returns its key/value and advances. */
static inline void
next_header(const uint8_t **pp, const uint8_t *end, kgw_header_t *h)
{
    if (rd_varint(pp, end, &h->key_len) != VARINT_OK)
        h->key_len = 0;
    h->key = *pp;
    *pp += h->key_len;
    if (rd_varint(pp, end, &h->value_len) != VARINT_OK)
        h->value_len = -1;
    h->value = h->value_len < 0 ? NULL : *pp;
    if (h->value_len > 0)
        *pp += h->value_len;
}

static int
append_raw(kgw_batch_writer_t *w, const kgw_record_t *r, char *err, size_t errlen)
{
    if (kgw_buf_append(w->records, r->raw, r->raw_len) != 0) {
        set_err(err, errlen, "record %d: out of memory copying %zu bytes", w->count, r->raw_len);
        return -1;
    }
    w->count++;
    return 0;
}

int
kgw_batch_writer_add_raw(kgw_batch_writer_t *w, const kgw_record_t *r, char *err, size_t errlen)
{
    if (w->building || w->orig == NULL) {
        set_err(err, errlen, "kgw_batch_writer_add_raw: the writer is not editing a batch");
        return -1;
    }
    return append_raw(w, r, err, errlen);
}

int
kgw_batch_writer_edit_record(kgw_batch_writer_t *w, const kgw_record_t *r,
                             const kgw_header_op_t *ops, size_t nops, char *err, size_t errlen)
{
    if (w->building || w->orig == NULL) {
        set_err(err, errlen, "kgw_batch_writer_edit_record: the writer is not editing a batch");
        return -1;
    }
    uint64_t decisive;
    if (ops == w->ops && nops == w->nops) {
        decisive = w->decisive;
    } else {
        if (check_ops(ops, nops, err, errlen) != 0)
            return -1;
        decisive = decisive_ops(ops, nops);
    }
    if (nops == 0)
        return append_raw(w, r, err, errlen);

    /* Pass 1: what changes, the new header count and size. */
    const uint8_t *hp = r->headers;
    const uint8_t *hend = r->headers + r->headers_len;
    uint64_t set_seen = 0;
    bool changed = false;
    size_t hsize = 0;
    int64_t hcount = 0;
    /* Pass 1 remembers its matches for the first headers so pass 2 need not
     * compare keys again. */
    int8_t match[KGW_EDIT_MATCH_CACHE];
    for (int32_t i = 0; i < r->header_count; i++) {
        const uint8_t *hstart = hp;
        kgw_header_t h;
        next_header(&hp, hend, &h);
        int m = match_op(ops, nops, decisive, h.key, h.key_len);
        if (i < KGW_EDIT_MATCH_CACHE)
            match[i] = (int8_t)m;
        if (m < 0) {
            hsize += (size_t)(hp - hstart);
            hcount++;
            continue;
        }
        const kgw_header_op_t *op = &ops[m];
        if (op->op == KGW_HEADER_REMOVE || ((set_seen >> m) & 1) != 0) {
            changed = true;
            continue;
        }
        set_seen |= (uint64_t)1 << m;
        hsize += op_header_size(op);
        hcount++;
        if ((op->value == NULL) != (h.value == NULL) ||
            (op->value != NULL &&
             (op->value_len != (size_t)h.value_len ||
              (op->value_len > 0 && memcmp(op->value, h.value, op->value_len) != 0))))
            changed = true;
    }
    for (size_t i = 0; i < nops; i++) {
        bool append = ops[i].op == KGW_HEADER_ADD ||
                      (ops[i].op == KGW_HEADER_SET && ((decisive >> i) & 1) != 0 &&
                       ((set_seen >> i) & 1) == 0);
        if (append) {
            hsize += op_header_size(&ops[i]);
            hcount++;
            changed = true;
        }
    }
    if (!changed)
        return append_raw(w, r, err, errlen);

    uint64_t body = (uint64_t)r->prefix_len + uvar_size(zz32((int32_t)hcount)) + hsize;
    if (hcount > INT32_MAX || body > INT32_MAX) {
        set_err(err, errlen, "record %d: edited record of %llu bytes is too large", w->count,
                (unsigned long long)body);
        return -1;
    }
    kgw_buf_t *b = w->records;
    if (kgw_buf_reserve(b, 5 + (size_t)body) != 0) {
        set_err(err, errlen, "record %d: out of memory reserving %llu bytes", w->count,
                (unsigned long long)body);
        return -1;
    }

    /* Pass 2: write, taking the same decisions. */
    uint8_t *q = b->data + b->len;
    q = wr_uvar(q, zz32((int32_t)body));
    memcpy(q, r->body, r->prefix_len);
    q += r->prefix_len;
    q = wr_uvar(q, zz32((int32_t)hcount));
    hp = r->headers;
    set_seen = 0;
    for (int32_t i = 0; i < r->header_count; i++) {
        const uint8_t *hstart = hp;
        kgw_header_t h;
        next_header(&hp, hend, &h);
        int m =
            i < KGW_EDIT_MATCH_CACHE ? match[i] : match_op(ops, nops, decisive, h.key, h.key_len);
        if (m < 0) {
            memcpy(q, hstart, (size_t)(hp - hstart));
            q += hp - hstart;
            continue;
        }
        const kgw_header_op_t *op = &ops[m];
        if (op->op == KGW_HEADER_REMOVE || ((set_seen >> m) & 1) != 0)
            continue;
        set_seen |= (uint64_t)1 << m;
        q = wr_op_header(q, op);
    }
    for (size_t i = 0; i < nops; i++) {
        if (ops[i].op == KGW_HEADER_SET && ((decisive >> i) & 1) != 0 && ((set_seen >> i) & 1) == 0)
            q = wr_op_header(q, &ops[i]);
    }
    for (size_t i = 0; i < nops; i++) {
        if (ops[i].op == KGW_HEADER_ADD)
            q = wr_op_header(q, &ops[i]);
    }
    b->len = (size_t)(q - b->data);
    w->count++;
    w->dirty = true;
    return 0;
}

void
kgw_batch_writer_abort(kgw_batch_writer_t *w)
{
    if (w->out != NULL)
        w->out->len = w->start;
}

int
kgw_batch_writer_finish(kgw_batch_writer_t *w, bool *changed, char *err, size_t errlen)
{
    kgw_buf_t *out = w->out;
    if (changed != NULL)
        *changed = false;
    if (w->building && w->count == 0) {
        set_err(err, errlen, "a batch needs at least one record");
        goto fail;
    }
    if (!w->building) {
        if (w->count != w->orig->hdr.records_count) {
            set_err(err, errlen, "batch at offset %zu: %d records written, recordsCount is %d",
                    w->orig->offset, w->count, w->orig->hdr.records_count);
            goto fail;
        }
        if (!w->dirty) {
            out->len = w->start;
            if (kgw_buf_append(out, w->orig->data, w->orig->len) != 0) {
                set_err(err, errlen, "out of memory copying a batch of %zu bytes", w->orig->len);
                goto fail;
            }
            return 0;
        }
    }
    if (w->codec != KGW_COMPRESSION_NONE) {
        char why[200];
        kgw_buf_t *recs = w->records;
        if (kgw_compress(w->codec, recs->data + w->records_start, recs->len - w->records_start, out,
                         why, sizeof(why)) != 0) {
            set_err(err, errlen, "compressing the batch's records: %s", why);
            goto fail;
        }
    }
    size_t total = out->len - w->start;
    if (total - KGW_BATCH_LOG_OVERHEAD > INT32_MAX) {
        set_err(err, errlen, "batch of %zu bytes exceeds the batchLength range", total);
        goto fail;
    }
    kgw_batch_header_t *h = &w->hdr;
    if (w->building) {
        h->last_offset_delta = w->count - 1;
        h->max_timestamp = w->max_ts;
    }
    h->records_count = w->count;
    h->magic = 2;
    h->batch_length = (int32_t)(total - KGW_BATCH_LOG_OVERHEAD);
    h->crc = 0;
    uint8_t *p = out->data + w->start;
    header_encode(p, h);
    h->crc = kgw_crc32c(0, p + KGW_BATCH_OFF_ATTRIBUTES, total - KGW_BATCH_OFF_ATTRIBUTES);
    wr32(p + KGW_BATCH_OFF_CRC, h->crc);
    if (changed != NULL)
        *changed = true;
    return 0;
fail:
    kgw_batch_writer_abort(w);
    return -1;
}

int
kgw_batch_build(const kgw_batch_options_t *o, const kgw_record_spec_t *recs, size_t n,
                kgw_batch_scratch_t *scratch, kgw_buf_t *out, char *err, size_t errlen)
{
    kgw_batch_writer_t w;
    if (kgw_batch_writer_begin_build(&w, o, out, scratch, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (kgw_batch_writer_add(&w, &recs[i], err, errlen) != 0) {
            kgw_batch_writer_abort(&w);
            return -1;
        }
    }
    return kgw_batch_writer_finish(&w, NULL, err, errlen);
}

int
kgw_batch_edit_headers(const kgw_batch_t *b, const kgw_header_op_t *ops, size_t nops,
                       kgw_batch_scratch_t *scratch, kgw_buf_t *out, bool *changed, char *err,
                       size_t errlen)
{
    if (changed != NULL)
        *changed = false;
    if (b->kind != KGW_BATCH_V2) {
        set_err(err, errlen, "batch at offset %zu: only magic 2 batches can be edited", b->offset);
        return -1;
    }
    if (check_ops(ops, nops, err, errlen) != 0)
        return -1;
    if (nops == 0 || kgw_batch_is_control(b)) {
        if (kgw_buf_append(out, b->data, b->len) != 0) {
            set_err(err, errlen, "out of memory copying a batch of %zu bytes", b->len);
            return -1;
        }
        return 0;
    }
    kgw_batch_writer_t w;
    if (kgw_batch_writer_begin_edit(&w, b, out, scratch, err, errlen) != 0)
        return -1;
    w.ops = ops;
    w.nops = nops;
    w.decisive = decisive_ops(ops, nops);
    kgw_record_iter_t it;
    kgw_buf_t *plain = scratch != NULL ? &scratch->plain : NULL;
    size_t max = scratch != NULL ? scratch->max_decompressed : 0;
    if (kgw_record_iter_init(&it, b, plain, max, err, errlen) != 0)
        goto fail;
    kgw_record_t r;
    int rc;
    while ((rc = kgw_record_iter_next(&it, &r, err, errlen)) == 1) {
        if (kgw_batch_writer_edit_record(&w, &r, ops, nops, err, errlen) != 0)
            goto fail;
    }
    if (rc < 0)
        goto fail;
    return kgw_batch_writer_finish(&w, changed, err, errlen);
fail:
    kgw_batch_writer_abort(&w);
    return -1;
}

int
kgw_records_edit_headers(const uint8_t *records, size_t len, const kgw_header_op_t *ops,
                         size_t nops, kgw_batch_scratch_t *scratch, kgw_buf_t *out, bool *changed,
                         char *err, size_t errlen)
{
    size_t start = out->len;
    bool any = false;
    kgw_batch_iter_t it;
    kgw_batch_t b;
    kgw_batch_kind_t kind;
    if (changed != NULL)
        *changed = false;
    kgw_batch_iter_init(&it, records, len);
    while ((kind = kgw_batch_iter_next(&it, &b, err, errlen)) != KGW_BATCH_END) {
        if (kind == KGW_BATCH_ERROR)
            goto fail;
        if (kind == KGW_BATCH_V2 && !kgw_batch_is_control(&b)) {
            bool c = false;
            if (kgw_batch_verify_crc(&b, err, errlen) != 0)
                goto fail;
            if (kgw_batch_edit_headers(&b, ops, nops, scratch, out, &c, err, errlen) != 0)
                goto fail;
            any = any || c;
            continue;
        }
        if (kgw_buf_append(out, b.data, b.len) != 0) {
            set_err(err, errlen, "out of memory copying %zu bytes at offset %zu", b.len, b.offset);
            goto fail;
        }
    }
    if (changed != NULL)
        *changed = any;
    return 0;
fail:
    out->len = start;
    return -1;
}
