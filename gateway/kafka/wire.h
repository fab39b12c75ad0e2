/*
 * Kafka wire primitives: a bounds-checked reader over an input buffer and a
 * growable writer (kgw_wbuf_t).
 *
 * Readers never read past the reader's len and never trust a length read from
 * the input: a string, bytes or array length larger than what remains is an
 * error. Every reader returns 0 on success and -1 on failure; on failure the
 * reader's error (if r->err is set) names the problem and the offset, and
 * r->off is left where the failing primitive started.
 *
 * Writers append big-endian values and return 0, or -1 when memory runs out
 * (the error is recorded in w->err when set, and w->failed stays true).
 */
#ifndef KGW_KAFKA_WIRE_H
#define KGW_KAFKA_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KGW_WARN_UNUSED __attribute__((warn_unused_result))

/* A Kafka string: ptr/len into the input buffer or an arena; len -1 = null. */
typedef struct {
    const char *ptr;
    int32_t len;
} kgw_str_t;

/* Kafka bytes or records: ptr/len; len -1 = null. */
typedef struct {
    const uint8_t *ptr;
    int32_t len;
} kgw_bytes_t;

typedef struct {
    uint8_t b[16];
} kgw_uuid_t;

/* One unknown tagged field kept verbatim to re-emit it on encode. */
typedef struct {
    uint32_t tag;
    kgw_bytes_t data;
} kgw_tagged_field_t;

/* The unknown tagged fields of one struct, in the order they were read. */
typedef struct {
    int32_t count;
    kgw_tagged_field_t *items;
} kgw_tagged_t;

/*
 * A codec error. msg is a complete sentence such as "MetadataResponse v12:
 * field Brokers[3].Host: string length 70000 exceeds remaining 12 bytes at
 * offset 431". field is the leaf schema field name (static storage) or NULL;
 * offset is the byte offset in the input (decode) or output (encode).
 */
typedef struct {
    char msg[256];
    int16_t api_key;
    int16_t version;
    size_t offset;
    const char *field;
} kgw_codec_error_t;

/* Clears err to "no error" (empty msg, api key and version -1). */
void kgw_codec_error_clear(kgw_codec_error_t *err);

/* Formats msg into err (when err is non-NULL), recording offset. */
void kgw_codec_error_set(kgw_codec_error_t *err, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

typedef struct {
    const uint8_t *p;       /* input; not owned */
    size_t len;             /* bytes readable from p */
    size_t off;             /* next byte to read */
    kgw_codec_error_t *err; /* where failures are described; may be NULL */
} kgw_wire_reader_t;

/* Initialises r over p[0..len). err may be NULL. */
void kgw_wire_reader_init(kgw_wire_reader_t *r, const uint8_t *p, size_t len,
                          kgw_codec_error_t *err);

static inline size_t
kgw_wire_remaining(const kgw_wire_reader_t *r)
{
    return r->len - r->off;
}

int kgw_wire_read_int8(kgw_wire_reader_t *r, int8_t *v) KGW_WARN_UNUSED;
int kgw_wire_read_bool(kgw_wire_reader_t *r, bool *v) KGW_WARN_UNUSED;
int kgw_wire_read_int16(kgw_wire_reader_t *r, int16_t *v) KGW_WARN_UNUSED;
int kgw_wire_read_uint16(kgw_wire_reader_t *r, uint16_t *v) KGW_WARN_UNUSED;
int kgw_wire_read_int32(kgw_wire_reader_t *r, int32_t *v) KGW_WARN_UNUSED;
int kgw_wire_read_uint32(kgw_wire_reader_t *r, uint32_t *v) KGW_WARN_UNUSED;
int kgw_wire_read_int64(kgw_wire_reader_t *r, int64_t *v) KGW_WARN_UNUSED;
int kgw_wire_read_float64(kgw_wire_reader_t *r, double *v) KGW_WARN_UNUSED;
int kgw_wire_read_uuid(kgw_wire_reader_t *r, kgw_uuid_t *v) KGW_WARN_UNUSED;
/* Unsigned varint of at most 5 bytes (32 bits); a longer one is an error. */
int kgw_wire_read_uvarint(kgw_wire_reader_t *r, uint32_t *v) KGW_WARN_UNUSED;
/* Zigzag varint (32 bits, at most 5 bytes) and varlong (64 bits, 10 bytes). */
int kgw_wire_read_varint(kgw_wire_reader_t *r, int32_t *v) KGW_WARN_UNUSED;
int kgw_wire_read_varlong(kgw_wire_reader_t *r, int64_t *v) KGW_WARN_UNUSED;
/* Unsigned varlong of at most 10 bytes. */
int kgw_wire_read_uvarlong(kgw_wire_reader_t *r, uint64_t *v) KGW_WARN_UNUSED;

/*
 * Strings and bytes point into the reader's input (zero copy). compact selects
 * the flexible-version encoding (uvarint N+1, 0 = null) over the classic one
 * (int16 length for strings, int32 for bytes, -1 = null). A null value when
 * nullable is false is an error, as is any length exceeding what remains.
 * Strings longer than 32767 bytes are refused in both encodings, as Kafka does.
 */
int kgw_wire_read_string(kgw_wire_reader_t *r, bool compact, bool nullable,
                         kgw_str_t *v) KGW_WARN_UNUSED;
int kgw_wire_read_bytes(kgw_wire_reader_t *r, bool compact, bool nullable,
                        kgw_bytes_t *v) KGW_WARN_UNUSED;
/*
 * Reads an array length (int32, or compact uvarint N+1) into *count (-1 for
 * null). The count must not exceed the remaining bytes (every element takes at
 * least a byte, as in Kafka's own reader); a null when nullable is false is an
 * error.
 */
int kgw_wire_read_array_len(kgw_wire_reader_t *r, bool compact, bool nullable,
                            int32_t *count) KGW_WARN_UNUSED;
/* Advances n bytes; fails when fewer remain. */
int kgw_wire_skip(kgw_wire_reader_t *r, size_t n) KGW_WARN_UNUSED;
/* Points *v at the next n bytes and advances. */
int kgw_wire_read_raw(kgw_wire_reader_t *r, size_t n, const uint8_t **v) KGW_WARN_UNUSED;

/* A growable output buffer. Zero-initialise or use kgw_wbuf_init. */
typedef struct {
    uint8_t *buf;
    size_t len;
    size_t cap;
    bool failed;            /* an allocation or encode failed */
    kgw_codec_error_t *err; /* may be NULL */
} kgw_wbuf_t;

void kgw_wbuf_init(kgw_wbuf_t *w, kgw_codec_error_t *err);
/* Frees the buffer; w can be reused after kgw_wbuf_init. */
void kgw_wbuf_free(kgw_wbuf_t *w);
/* Empties the buffer keeping its memory and clears failed. */
void kgw_wbuf_reset(kgw_wbuf_t *w);
/* Ensures room for n more bytes. */
int kgw_wbuf_reserve(kgw_wbuf_t *w, size_t n) KGW_WARN_UNUSED;
int kgw_wbuf_append(kgw_wbuf_t *w, const void *p, size_t n) KGW_WARN_UNUSED;
/* Inserts n bytes at offset at (<= len), moving what follows. */
int kgw_wbuf_insert(kgw_wbuf_t *w, size_t at, const void *p, size_t n) KGW_WARN_UNUSED;
/* Overwrites 4 bytes at offset at (at + 4 <= len) with v, big-endian. */
int kgw_wbuf_put_int32_at(kgw_wbuf_t *w, size_t at, int32_t v) KGW_WARN_UNUSED;

int kgw_wbuf_put_int8(kgw_wbuf_t *w, int8_t v) KGW_WARN_UNUSED;
int kgw_wbuf_put_int16(kgw_wbuf_t *w, int16_t v) KGW_WARN_UNUSED;
int kgw_wbuf_put_uint16(kgw_wbuf_t *w, uint16_t v) KGW_WARN_UNUSED;
int kgw_wbuf_put_int32(kgw_wbuf_t *w, int32_t v) KGW_WARN_UNUSED;
int kgw_wbuf_put_uint32(kgw_wbuf_t *w, uint32_t v) KGW_WARN_UNUSED;
int kgw_wbuf_put_int64(kgw_wbuf_t *w, int64_t v) KGW_WARN_UNUSED;
int kgw_wbuf_put_float64(kgw_wbuf_t *w, double v) KGW_WARN_UNUSED;
int kgw_wbuf_put_uuid(kgw_wbuf_t *w, const kgw_uuid_t *v) KGW_WARN_UNUSED;
int kgw_wbuf_put_uvarint(kgw_wbuf_t *w, uint32_t v) KGW_WARN_UNUSED;
int kgw_wbuf_put_varint(kgw_wbuf_t *w, int32_t v) KGW_WARN_UNUSED;
int kgw_wbuf_put_varlong(kgw_wbuf_t *w, int64_t v) KGW_WARN_UNUSED;
int kgw_wbuf_put_uvarlong(kgw_wbuf_t *w, uint64_t v) KGW_WARN_UNUSED;
/* Number of bytes kgw_wbuf_put_uvarint would write for v (1-5). */
size_t kgw_uvarint_size(uint32_t v);
/*
 * Strings/bytes: compact = flexible encoding. A null (len -1) is written as
 * null; callers check nullability. Fails when a string is longer than 32767
 * bytes (Kafka's limit in both encodings).
 */
int kgw_wbuf_put_string(kgw_wbuf_t *w, bool compact, kgw_str_t v) KGW_WARN_UNUSED;
int kgw_wbuf_put_bytes(kgw_wbuf_t *w, bool compact, kgw_bytes_t v) KGW_WARN_UNUSED;
/* Array length: count -1 = null. */
int kgw_wbuf_put_array_len(kgw_wbuf_t *w, bool compact, int32_t count) KGW_WARN_UNUSED;

#endif
