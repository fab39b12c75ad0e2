/* Kafka record batches (magic 2): reading, verifying, editing headers and
 * building batches. Depends only on libc and the codec libraries.
 *
 * A partition's `records` field (Produce request, Fetch response) is a
 * sequence of batches. Layout of a magic 2 batch (big-endian):
 *
 *   @0  baseOffset int64        @8  batchLength int32 (bytes after this field)
 *   @12 partitionLeaderEpoch    @16 magic int8 (2)
 *   @17 crc uint32 (CRC-32C of bytes @21..end)
 *   @21 attributes int16        @23 lastOffsetDelta int32
 *   @27 baseTimestamp int64     @35 maxTimestamp int64
 *   @43 producerId int64        @51 producerEpoch int16
 *   @53 baseSequence int32      @57 recordsCount int32
 *   @61 records (compressed as a whole when attributes bits 0-2 != 0)
 *
 * Each record: length varint, attributes int8, timestampDelta varlong,
 * offsetDelta varint, keyLength varint (-1 = null), key, valueLength varint
 * (-1 = null), value, headerCount varint, then headers (keyLength varint,
 * key, valueLength varint (-1 = null), value). All varints are zigzag.
 *
 * Reading (no allocation for uncompressed batches; every view points into the
 * caller's bytes or the caller's scratch buffer):
 *
 *   kgw_batch_iter_t it;  kgw_batch_t b;  char err[256];
 *   kgw_batch_iter_init(&it, records, len);
 *   while ((kind = kgw_batch_iter_next(&it, &b, err, sizeof err)) != KGW_BATCH_END) {
 *       if (kind == KGW_BATCH_ERROR) fail(err);
 *       if (kind != KGW_BATCH_V2) continue;      // LEGACY or PARTIAL: pass as is
 *       kgw_batch_verify_crc(&b, err, sizeof err);
 *       kgw_record_iter_t ri;  kgw_record_t r;
 *       kgw_record_iter_init(&ri, &b, &scratch, err, sizeof err);
 *       while ((rc = kgw_record_iter_next(&ri, &r, err, sizeof err)) == 1) {
 *           kgw_header_iter_t hi;  kgw_header_t h;
 *           kgw_header_iter_init(&hi, &r);
 *           while (kgw_header_iter_next(&hi, &h)) ...
 *       }
 *   }
 *
 * Editing: kgw_batch_edit_headers() applies a list of header operations to
 * every record of one batch; kgw_records_edit_headers() does it for a whole
 * records blob (legacy, partial and control batches are copied untouched).
 * A batch in which no header changes is copied byte for byte: it is never
 * re-encoded or recompressed. For per-record edits (the plugin layer, which
 * presents records and headers through opaque handles that wrap kgw_record_t
 * and kgw_header_t), use the writer directly: kgw_batch_writer_begin_edit(),
 * then kgw_batch_writer_edit_record() per record with that record's own
 * operations (or kgw_batch_writer_add_raw() to keep a record as is), then
 * kgw_batch_writer_finish(), which falls back to the original bytes when no
 * record changed (the writer's dirty flag).
 *
 * Building: kgw_batch_build() or kgw_batch_writer_begin_build() +
 * kgw_batch_writer_add() per record + kgw_batch_writer_finish().
 *
 * Memory: none of these functions keeps pointers after returning, except the
 * iterators, which point into the input and the scratch buffers the caller
 * passed. No function allocates per record; buffers grow geometrically and can
 * be reused across batches. Not thread-safe per object; distinct objects may
 * be used from distinct threads. */
#ifndef KGW_RECORD_BATCH_H
#define KGW_RECORD_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compression.h"

#define KGW_BATCH_HEADER_SIZE 61
/* Bytes of the batch header counted by batchLength (61 - 12). */
#define KGW_BATCH_LENGTH_MIN 49
#define KGW_BATCH_LOG_OVERHEAD 12 /* baseOffset + batchLength */

#define KGW_BATCH_OFF_BASE_OFFSET 0
#define KGW_BATCH_OFF_LENGTH 8
#define KGW_BATCH_OFF_LEADER_EPOCH 12
#define KGW_BATCH_OFF_MAGIC 16
#define KGW_BATCH_OFF_CRC 17
#define KGW_BATCH_OFF_ATTRIBUTES 21
#define KGW_BATCH_OFF_LAST_OFFSET_DELTA 23
#define KGW_BATCH_OFF_BASE_TIMESTAMP 27
#define KGW_BATCH_OFF_MAX_TIMESTAMP 35
#define KGW_BATCH_OFF_PRODUCER_ID 43
#define KGW_BATCH_OFF_PRODUCER_EPOCH 51
#define KGW_BATCH_OFF_BASE_SEQUENCE 53
#define KGW_BATCH_OFF_RECORDS_COUNT 57
#define KGW_BATCH_OFF_RECORDS 61

/* Attribute bits. */
#define KGW_BATCH_ATTR_CODEC_MASK 0x07
#define KGW_BATCH_ATTR_LOG_APPEND_TIME 0x08
#define KGW_BATCH_ATTR_TRANSACTIONAL 0x10
#define KGW_BATCH_ATTR_CONTROL 0x20
#define KGW_BATCH_ATTR_DELETE_HORIZON 0x40

/* Default cap on the decompressed size of one batch (decompression bombs). */
#define KGW_BATCH_MAX_DECOMPRESSED_DEFAULT (64u * 1024u * 1024u)

/* Most header operations one edit call accepts. */
#define KGW_HEADER_OPS_MAX 64

/* The decoded fixed header of a magic 2 batch. */
typedef struct kgw_batch_header {
    int64_t base_offset;
    int32_t batch_length;
    int32_t partition_leader_epoch;
    int8_t magic;
    uint32_t crc;
    int16_t attributes;
    int32_t last_offset_delta;
    int64_t base_timestamp;
    int64_t max_timestamp;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t base_sequence;
    int32_t records_count;
} kgw_batch_header_t;

typedef enum kgw_batch_kind {
    KGW_BATCH_END = 0, /* no more bytes */
    KGW_BATCH_V2,      /* a complete magic 2 batch: header decoded */
    KGW_BATCH_LEGACY,  /* a complete magic 0/1 message (set entry): pass as is */
    KGW_BATCH_PARTIAL, /* trailing bytes shorter than the batch they start: pass as is;
                          always the last item */
    KGW_BATCH_ERROR,   /* malformed: err names the field and its offset; iteration stops */
} kgw_batch_kind_t;

/* One item of a records blob. data/len cover the whole item (for PARTIAL, the
 * rest of the blob); offset is its position in the blob. hdr is valid for
 * KGW_BATCH_V2 only (for LEGACY, base_offset, batch_length and magic). */
typedef struct kgw_batch {
    kgw_batch_kind_t kind;
    const uint8_t *data;
    size_t len;
    size_t offset;
    kgw_batch_header_t hdr;
} kgw_batch_t;

typedef struct kgw_batch_iter {
    const uint8_t *data;
    size_t len;
    size_t pos;
    bool done;
} kgw_batch_iter_t;

/* Starts iterating records[0..len) (records may be NULL when len is 0). */
void kgw_batch_iter_init(kgw_batch_iter_t *it, const uint8_t *records, size_t len);

/* Fills *b with the next item and returns its kind. A complete V2 batch has
 * its header checked: batchLength >= 49, magic 2, codec <= 4, recordsCount
 * >= 0 (the CRC is NOT checked here: kgw_batch_verify_crc). Any other value
 * (also magic not 0-2, batchLength under 14) returns KGW_BATCH_ERROR with a
 * message such as "batch at offset 0: batchLength 30 at byte 8 is less than
 * 49"; after END, PARTIAL or ERROR every further call returns END.
 * A batch whose batchLength runs past the end of the bytes is PARTIAL: normal
 * at the end of a Fetch response, a malformed request in a Produce request
 * (the caller decides). */
kgw_batch_kind_t kgw_batch_iter_next(kgw_batch_iter_t *it, kgw_batch_t *b, char *err,
                                     size_t errlen);

/* Decodes the 61-byte header at p (n >= 61) without validating it. */
void kgw_batch_header_decode(const uint8_t *p, kgw_batch_header_t *h);

/* Codec of a V2 batch (attributes bits 0-2). */
kgw_compression_t kgw_batch_codec(const kgw_batch_t *b);

/* True for control batches (attribute bit 5): never edit them. */
bool kgw_batch_is_control(const kgw_batch_t *b);

/* True for transactional batches (attribute bit 4). */
bool kgw_batch_is_transactional(const kgw_batch_t *b);

/* Checks the stored CRC of a V2 batch against the CRC-32C of bytes @21..end.
 * Returns 0, or -1 with "batch at offset N: crc 0x... at byte 17 does not
 * match computed 0x...". */
__attribute__((warn_unused_result)) int kgw_batch_verify_crc(const kgw_batch_t *b, char *err,
                                                             size_t errlen);

/* A record: views into the batch bytes (uncompressed) or the scratch buffer
 * (compressed). key/value are NULL when null (key_len/value_len -1). raw
 * covers the whole record including its length varint; body starts after it;
 * headers/headers_len cover the header bytes after the header count. */
typedef struct kgw_record {
    int32_t length;
    int8_t attributes;
    int64_t timestamp_delta;
    int32_t offset_delta;
    const uint8_t *key;
    int32_t key_len;
    const uint8_t *value;
    int32_t value_len;
    int32_t header_count;
    const uint8_t *headers;
    size_t headers_len;
    const uint8_t *raw;
    size_t raw_len;
    const uint8_t *body;
    /* Bytes of body before the header count (attributes .. end of value). */
    size_t prefix_len;
} kgw_record_t;

typedef struct kgw_header {
    const uint8_t *key;
    int32_t key_len;
    const uint8_t *value; /* NULL when value_len is -1 */
    int32_t value_len;
} kgw_header_t;

typedef struct kgw_record_iter {
    const uint8_t *base; /* start of the record area */
    const uint8_t *p;
    const uint8_t *end;
    int32_t remaining;
    int32_t count;
    size_t batch_offset; /* for error messages */
    bool compressed;
} kgw_record_iter_t;

/* Prepares to iterate the records of V2 batch b. For a compressed batch the
 * records are decompressed into *scratch (its previous content is discarded;
 * at most max_decompressed bytes, 0 meaning KGW_BATCH_MAX_DECOMPRESSED_DEFAULT);
 * scratch may be NULL for uncompressed batches. The record views stay valid
 * while b's bytes and *scratch are unchanged. Returns 0 or -1 with a message. */
__attribute__((warn_unused_result)) int
kgw_record_iter_init(kgw_record_iter_t *it, const kgw_batch_t *b, kgw_buf_t *scratch,
                     size_t max_decompressed, char *err, size_t errlen);

/* Next record: returns 1 and fills *r, 0 after recordsCount records (when the
 * record bytes are exactly used up), -1 on malformed data with a message
 * naming the field, the record index and its byte offset (in the record area),
 * e.g. "record 3 at byte 120: length 90 disagrees with its content (85
 * bytes)". Headers are fully validated here. */
__attribute__((warn_unused_result)) int kgw_record_iter_next(kgw_record_iter_t *it, kgw_record_t *r,
                                                             char *err, size_t errlen);

typedef struct kgw_header_iter {
    const uint8_t *p;
    const uint8_t *end;
    int32_t remaining;
} kgw_header_iter_t;

/* Iterates the headers of a record returned by kgw_record_iter_next() (which
 * validated them, so this cannot fail). */
void kgw_header_iter_init(kgw_header_iter_t *it, const kgw_record_t *r);
bool kgw_header_iter_next(kgw_header_iter_t *it, kgw_header_t *h);

/* Header operations, applied to each record's header list:
 *  SET key=value:  the first header with this key gets the value (in place);
 *                  later headers with the key are removed; appended at the
 *                  end when absent.
 *  REMOVE key:     every header with this key is removed.
 *  ADD key=value:  a header is appended at the end (duplicates allowed).
 * For one key, only the LAST SET/REMOVE in the list counts; ADDs are applied
 * after it, in list order. value NULL means a null value (value_len ignored).
 * Keys are compared byte for byte. */
typedef enum kgw_header_op_kind {
    KGW_HEADER_SET,
    KGW_HEADER_REMOVE,
    KGW_HEADER_ADD,
} kgw_header_op_kind_t;

typedef struct kgw_header_op {
    kgw_header_op_kind_t op;
    const uint8_t *key;
    size_t key_len;
    const uint8_t *value;
    size_t value_len;
} kgw_header_op_t;

/* Caller-owned buffers reused across batches: `plain` holds decompressed
 * input records, `edit` the new records before compression. Zero-initialise;
 * release with kgw_batch_scratch_free(). max_decompressed: 0 means
 * KGW_BATCH_MAX_DECOMPRESSED_DEFAULT. */
typedef struct kgw_batch_scratch {
    kgw_buf_t plain;
    kgw_buf_t edit;
    size_t max_decompressed;
} kgw_batch_scratch_t;

void kgw_batch_scratch_free(kgw_batch_scratch_t *s);

/* A record to build: timestamp is absolute (ms); key/value NULL means null. */
typedef struct kgw_record_spec {
    int64_t timestamp;
    const uint8_t *key;
    size_t key_len;
    const uint8_t *value;
    size_t value_len;
    const kgw_header_t *headers; /* header_count entries; value NULL = null */
    size_t header_count;
} kgw_record_spec_t;

/* Batch-level settings of a new batch. */
typedef struct kgw_batch_options {
    kgw_compression_t codec;
    int64_t base_offset;            /* producers send 0 */
    int32_t partition_leader_epoch; /* producers send -1 */
    int64_t producer_id;            /* -1 when not idempotent */
    int16_t producer_epoch;         /* -1 when not idempotent */
    int32_t base_sequence;          /* -1 when not idempotent */
    bool transactional;
    bool log_append_time;
} kgw_batch_options_t;

/* Fills *o with producer defaults: codec none, base offset 0, epochs,
 * producer id and sequence -1, not transactional, create time. */
void kgw_batch_options_default(kgw_batch_options_t *o);

/* Writes one batch into out (appending). Use begin_build (+ add) or
 * begin_edit (+ edit_record/add_raw), then finish; after an error call
 * kgw_batch_writer_abort() (finish also aborts on its own error). The fields
 * are private: the struct is public only so that it can live on the stack. */
typedef struct kgw_batch_writer {
    kgw_buf_t *out;
    size_t start;         /* where the batch starts in out */
    kgw_buf_t *records;   /* where records go: out or scratch->edit */
    size_t records_start; /* where records start in *records */
    kgw_batch_header_t hdr;
    kgw_compression_t codec;
    int32_t count;
    bool building;
    bool dirty; /* a record differs from the original */
    bool have_ts;
    int64_t max_ts;
    const kgw_batch_t *orig; /* edit mode */
    uint64_t decisive;       /* edit: ops bitmask, op i is the last SET/REMOVE of its key */
    const kgw_header_op_t *ops;
    size_t nops;
} kgw_batch_writer_t;

/* Starts a new batch. scratch is needed when o->codec is not none. Returns 0 or
 * -1 (bad codec, out of memory). */
__attribute__((warn_unused_result)) int
kgw_batch_writer_begin_build(kgw_batch_writer_t *w, const kgw_batch_options_t *o, kgw_buf_t *out,
                             kgw_batch_scratch_t *scratch, char *err, size_t errlen);

/* Appends a record; offsetDelta is the record's index, timestampDelta is
 * relative to the first record's timestamp. Returns 0 or -1 (sizes over
 * INT32_MAX, out of memory). */
__attribute__((warn_unused_result)) int
kgw_batch_writer_add(kgw_batch_writer_t *w, const kgw_record_spec_t *r, char *err, size_t errlen);

/* Starts a copy of V2 batch orig (not a control batch) in which records may
 * get edited headers; every other field of orig is kept. Feed it every record
 * of orig in order, from kgw_record_iter_init(&it, orig, &scratch->plain, ...)
 * (the writer uses scratch->edit for compressed batches); out must not hold
 * orig's bytes. Returns 0 or -1 (legacy or control batch, out of memory). */
__attribute__((warn_unused_result)) int
kgw_batch_writer_begin_edit(kgw_batch_writer_t *w, const kgw_batch_t *orig, kgw_buf_t *out,
                            kgw_batch_scratch_t *scratch, char *err, size_t errlen);

/* Writes record r of the original batch with ops (nops <= KGW_HEADER_OPS_MAX;
 * ops may differ per record) applied to its headers (semantics above); the
 * record is copied verbatim when ops change nothing. Returns 0 or -1. */
__attribute__((warn_unused_result)) int
kgw_batch_writer_edit_record(kgw_batch_writer_t *w, const kgw_record_t *r,
                             const kgw_header_op_t *ops, size_t nops, char *err, size_t errlen);

/* Writes record r of the original batch unchanged. Returns 0 or -1. */
__attribute__((warn_unused_result)) int
kgw_batch_writer_add_raw(kgw_batch_writer_t *w, const kgw_record_t *r, char *err, size_t errlen);

/* Completes the batch: recordsCount, lastOffsetDelta/maxTimestamp (build),
 * batchLength, compression (same codec), CRC. In edit mode, when no record
 * changed, out receives the original bytes instead (and *changed, if not NULL,
 * is false). Returns 0 or -1 (then out is restored to its length at begin). */
__attribute__((warn_unused_result)) int
kgw_batch_writer_finish(kgw_batch_writer_t *w, bool *changed, char *err, size_t errlen);

/* Drops what the writer appended to out. */
void kgw_batch_writer_abort(kgw_batch_writer_t *w);

/* Builds a batch of n >= 1 records in one call (appended to out). */
__attribute__((warn_unused_result)) int kgw_batch_build(const kgw_batch_options_t *o,
                                                        const kgw_record_spec_t *recs, size_t n,
                                                        kgw_batch_scratch_t *scratch,
                                                        kgw_buf_t *out, char *err, size_t errlen);

/* Applies ops to the headers of every record of V2 batch b and appends the
 * result to out. Control batches and batches where nothing changes are
 * copied byte for byte (*changed = false). Returns 0 or -1 (malformed batch,
 * memory, codec errors; out restored). */
__attribute__((warn_unused_result)) int
kgw_batch_edit_headers(const kgw_batch_t *b, const kgw_header_op_t *ops, size_t nops,
                       kgw_batch_scratch_t *scratch, kgw_buf_t *out, bool *changed, char *err,
                       size_t errlen);

/* kgw_batch_edit_headers() over a whole records blob: V2 batches are edited
 * (CRCs are verified first: a bad CRC is an error), legacy and partial items
 * and control batches are copied as is. *changed tells whether any byte
 * differs. Returns 0 or -1 (out restored). */
__attribute__((warn_unused_result)) int
kgw_records_edit_headers(const uint8_t *records, size_t len, const kgw_header_op_t *ops,
                         size_t nops, kgw_batch_scratch_t *scratch, kgw_buf_t *out, bool *changed,
                         char *err, size_t errlen);

#endif
