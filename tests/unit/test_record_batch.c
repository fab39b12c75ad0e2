/* Record batch v2: build -> iterate round trips for every codec, header
 * edits that keep every other field, CRC checks, partial/legacy/control
 * batches passed as is, and malformed input named precisely. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compression.h"
#include "crc32c.h"
#include "record_batch.h"

static const kgw_compression_t all_codecs[] = {KGW_COMPRESSION_NONE, KGW_COMPRESSION_GZIP,
                                               KGW_COMPRESSION_SNAPPY, KGW_COMPRESSION_LZ4,
                                               KGW_COMPRESSION_ZSTD};

#define NREC 40

/* Test data for record i: key "key-i" (null for i % 5 == 4), value of i * 7
 * bytes (null for i % 6 == 5), headers: i % 4 of them, with "trace" (null
 * value when i is odd), "dup" twice when i % 4 == 3. */
typedef struct {
    char key[16];
    uint8_t value[NREC * 7 + 1];
    kgw_header_t headers[4];
    kgw_record_spec_t spec;
} test_rec_t;

static const char *hkeys[] = {"trace", "dup", "dup", "x"};

static void
make_rec(test_rec_t *t, int i, int64_t ts0)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->key, sizeof(t->key), "key-%d", i);
    for (int k = 0; k < i * 7; k++)
        t->value[k] = (uint8_t)(i + k);
    kgw_record_spec_t *s = &t->spec;
    /* Timestamps go up and down: maxTimestamp is not the last one. */
    s->timestamp = ts0 + (i % 3 == 0 ? 1000 + i : i);
    if (i % 5 != 4) {
        s->key = (const uint8_t *)t->key;
        s->key_len = strlen(t->key);
    }
    if (i % 6 != 5) {
        s->value = t->value;
        s->value_len = (size_t)i * 7;
    }
    int nh = i % 4;
    for (int h = 0; h < nh; h++) {
        t->headers[h].key = (const uint8_t *)hkeys[h];
        t->headers[h].key_len = (int32_t)strlen(hkeys[h]);
        if (h == 0 && i % 2 == 1) {
            t->headers[h].value = NULL;
            t->headers[h].value_len = -1;
        } else {
            t->headers[h].value = (const uint8_t *)"v";
            t->headers[h].value_len = 1;
        }
    }
    s->headers = t->headers;
    s->header_count = (size_t)nh;
}

static test_rec_t recs[NREC];
static kgw_record_spec_t specs[NREC];
static const int64_t TS0 = 1700000000000LL;

static void
build(kgw_compression_t codec, kgw_buf_t *out, kgw_batch_scratch_t *scratch)
{
    kgw_batch_options_t o;
    kgw_batch_options_default(&o);
    o.codec = codec;
    o.base_offset = 1234;
    o.partition_leader_epoch = 7;
    o.producer_id = 99;
    o.producer_epoch = 3;
    o.base_sequence = 42;
    o.transactional = true;
    for (int i = 0; i < NREC; i++) {
        make_rec(&recs[i], i, TS0);
        specs[i] = recs[i].spec;
    }
    char err[256] = "";
    ck_assert_msg(kgw_batch_build(&o, specs, NREC, scratch, out, err, sizeof(err)) == 0, "%s", err);
}

static kgw_batch_t
only_batch(const kgw_buf_t *b)
{
    kgw_batch_iter_t it;
    kgw_batch_t batch;
    char err[256] = "";
    kgw_batch_iter_init(&it, b->data, b->len);
    ck_assert_int_eq(kgw_batch_iter_next(&it, &batch, err, sizeof(err)), KGW_BATCH_V2);
    kgw_batch_t end;
    ck_assert_int_eq(kgw_batch_iter_next(&it, &end, err, sizeof(err)), KGW_BATCH_END);
    ck_assert_uint_eq(batch.len, b->len);
    ck_assert_msg(kgw_batch_verify_crc(&batch, err, sizeof(err)) == 0, "%s", err);
    return batch;
}

/* Checks every record against recs[], with headers as `expect_headers`
 * describes for record i (NULL: as built). */
typedef int (*header_check_fn)(int i, const kgw_record_t *r);

static void
check_records(const kgw_batch_t *b, kgw_batch_scratch_t *scratch, header_check_fn hc)
{
    kgw_record_iter_t it;
    kgw_record_t r;
    char err[256] = "";
    ck_assert_msg(kgw_record_iter_init(&it, b, &scratch->plain, 0, err, sizeof(err)) == 0, "%s",
                  err);
    int i = 0, rc;
    while ((rc = kgw_record_iter_next(&it, &r, err, sizeof(err))) == 1) {
        ck_assert_int_lt(i, NREC);
        const kgw_record_spec_t *s = &recs[i].spec;
        ck_assert_int_eq(r.attributes, 0);
        ck_assert_int_eq(r.offset_delta, i);
        ck_assert_int_eq(b->hdr.base_timestamp + r.timestamp_delta, s->timestamp);
        if (s->key == NULL) {
            ck_assert_ptr_null(r.key);
            ck_assert_int_eq(r.key_len, -1);
        } else {
            ck_assert_int_eq(r.key_len, (int32_t)s->key_len);
            ck_assert_mem_eq(r.key, s->key, s->key_len);
        }
        if (s->value == NULL) {
            ck_assert_ptr_null(r.value);
            ck_assert_int_eq(r.value_len, -1);
        } else {
            ck_assert_int_eq(r.value_len, (int32_t)s->value_len);
            if (s->value_len > 0)
                ck_assert_mem_eq(r.value, s->value, s->value_len);
        }
        if (hc != NULL) {
            ck_assert_int_eq(hc(i, &r), 0);
        } else {
            ck_assert_int_eq(r.header_count, (int32_t)s->header_count);
            kgw_header_iter_t hi;
            kgw_header_t h;
            kgw_header_iter_init(&hi, &r);
            size_t k = 0;
            while (kgw_header_iter_next(&hi, &h)) {
                const kgw_header_t *e = &s->headers[k++];
                ck_assert_int_eq(h.key_len, e->key_len);
                ck_assert_mem_eq(h.key, e->key, (size_t)e->key_len);
                ck_assert_int_eq(h.value_len, e->value_len);
                if (e->value == NULL)
                    ck_assert_ptr_null(h.value);
                else
                    ck_assert_mem_eq(h.value, e->value, (size_t)e->value_len);
            }
            ck_assert_uint_eq(k, s->header_count);
        }
        i++;
    }
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_int_eq(i, NREC);
}

START_TEST(test_build_then_iterate_every_codec)
{
    for (size_t c = 0; c < 5; c++) {
        kgw_buf_t out = {0};
        kgw_batch_scratch_t scratch = {0};
        build(all_codecs[c], &out, &scratch);
        kgw_batch_t b = only_batch(&out);
        ck_assert_int_eq(kgw_batch_codec(&b), all_codecs[c]);
        ck_assert_int_eq(b.hdr.base_offset, 1234);
        ck_assert_int_eq(b.hdr.partition_leader_epoch, 7);
        ck_assert_int_eq(b.hdr.magic, 2);
        ck_assert_int_eq(b.hdr.batch_length, (int32_t)out.len - 12);
        ck_assert_int_eq(b.hdr.last_offset_delta, NREC - 1);
        ck_assert_int_eq(b.hdr.records_count, NREC);
        ck_assert_int_eq(b.hdr.base_timestamp, TS0 + 1000);
        ck_assert_int_eq(b.hdr.max_timestamp, TS0 + 1000 + 39);
        ck_assert_int_eq(b.hdr.producer_id, 99);
        ck_assert_int_eq(b.hdr.producer_epoch, 3);
        ck_assert_int_eq(b.hdr.base_sequence, 42);
        ck_assert(kgw_batch_is_transactional(&b));
        ck_assert(!kgw_batch_is_control(&b));
        check_records(&b, &scratch, NULL);
        kgw_buf_free(&out);
        kgw_batch_scratch_free(&scratch);
    }
}
END_TEST

/* One record, key "k", value "val", header ("h", "x"), written out by hand
 * from the layout in KAFKA-PROTOCOL-NOTES.md. */
START_TEST(test_builder_bytes_match_the_layout)
{
    kgw_header_t h = {(const uint8_t *)"h", 1, (const uint8_t *)"x", 1};
    kgw_record_spec_t s = {.timestamp = 1000,
                           .key = (const uint8_t *)"k",
                           .key_len = 1,
                           .value = (const uint8_t *)"val",
                           .value_len = 3,
                           .headers = &h,
                           .header_count = 1};
    kgw_batch_options_t o;
    kgw_batch_options_default(&o);
    kgw_buf_t out = {0};
    char err[256] = "";
    ck_assert_msg(kgw_batch_build(&o, &s, 1, NULL, &out, err, sizeof(err)) == 0, "%s", err);
    static const uint8_t record[] = {0x1c,                 /* length 14, zigzag */
                                     0x00,                 /* attributes */
                                     0x00,                 /* timestampDelta 0 */
                                     0x00,                 /* offsetDelta 0 */
                                     0x02, 'k',            /* key */
                                     0x06, 'v', 'a',  'l', /* value */
                                     0x02,                 /* 1 header */
                                     0x02, 'h', 0x02, 'x'};
    uint8_t expect[61 + sizeof(record)];
    memset(expect, 0, sizeof(expect));
    /* baseOffset 0 */
    expect[11] = (uint8_t)(sizeof(expect) - 12); /* batchLength */
    memset(expect + 12, 0xff, 4);                /* partitionLeaderEpoch -1 */
    expect[16] = 2;                              /* magic */
    /* attributes 0, lastOffsetDelta 0 */
    expect[33] = 0x03; /* baseTimestamp 1000 = 0x3e8 */
    expect[34] = 0xe8;
    expect[41] = 0x03; /* maxTimestamp 1000 */
    expect[42] = 0xe8;
    memset(expect + 43, 0xff, 8); /* producerId -1 */
    memset(expect + 51, 0xff, 2); /* producerEpoch -1 */
    memset(expect + 53, 0xff, 4); /* baseSequence -1 */
    expect[60] = 1;               /* recordsCount */
    memcpy(expect + 61, record, sizeof(record));
    uint32_t crc = kgw_crc32c(0, expect + 21, sizeof(expect) - 21);
    expect[17] = (uint8_t)(crc >> 24);
    expect[18] = (uint8_t)(crc >> 16);
    expect[19] = (uint8_t)(crc >> 8);
    expect[20] = (uint8_t)crc;
    ck_assert_uint_eq(out.len, sizeof(expect));
    ck_assert_mem_eq(out.data, expect, sizeof(expect));
    kgw_buf_free(&out);
}
END_TEST

START_TEST(test_same_batch_twice_is_identical)
{
    for (size_t c = 0; c < 5; c++) {
        kgw_buf_t a = {0}, b = {0};
        kgw_batch_scratch_t scratch = {0};
        build(all_codecs[c], &a, &scratch);
        build(all_codecs[c], &b, &scratch);
        ck_assert_uint_eq(a.len, b.len);
        ck_assert_mem_eq(a.data, b.data, a.len);
        kgw_buf_free(&a);
        kgw_buf_free(&b);
        kgw_batch_scratch_free(&scratch);
    }
}
END_TEST

/* After ops {SET trace=gw, REMOVE dup, ADD added=1}, every record (built
 * with no headers, [trace], [trace, dup] or [trace, dup, dup]) ends with
 * exactly [trace=gw, added=1]: trace set in place or appended, dup removed,
 * added appended last. */
static int
edited_headers(int i, const kgw_record_t *r)
{
    static const char *want[] = {"trace", "added"};
    static const char *wval[] = {"gw", "1"};
    (void)i;
    if (r->header_count != 2)
        return -1;
    kgw_header_iter_t hi;
    kgw_header_t h;
    kgw_header_iter_init(&hi, r);
    for (int k = 0; k < 2; k++) {
        if (!kgw_header_iter_next(&hi, &h))
            return -1;
        if ((size_t)h.key_len != strlen(want[k]) || memcmp(h.key, want[k], strlen(want[k])) != 0)
            return -1;
        if (h.value == NULL || (size_t)h.value_len != strlen(wval[k]) ||
            memcmp(h.value, wval[k], strlen(wval[k])) != 0)
            return -1;
    }
    return kgw_header_iter_next(&hi, &h) ? -1 : 0;
}

static const kgw_header_op_t edit_ops[] = {
    {KGW_HEADER_SET, (const uint8_t *)"trace", 5, (const uint8_t *)"gw", 2},
    {KGW_HEADER_REMOVE, (const uint8_t *)"dup", 3, NULL, 0},
    {KGW_HEADER_ADD, (const uint8_t *)"added", 5, (const uint8_t *)"1", 1},
};

/* Record batches written by Apache Kafka 4.4.0's Java MemoryRecordsBuilder
 * (MemoryRecords.builder, magic 2, create time, producer id 77, epoch 2,
 * base sequence 5, records i = 0..3 at 1700000000000 + i: key "key-i" (null
 * for i = 3), value of i * 13 bytes 'a' + (k + i) % 26, headers: i % 3 of
 * (trace = "v<i>", dup = null)), one per codec. */
static const uint8_t java_none[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc1, 0xff, 0xff, 0xff, 0xff,
    0x02, 0x70, 0xbc, 0x6b, 0xf7, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x01, 0x8b, 0xcf,
    0xe5, 0x68, 0x00, 0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x4d, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x04, 0x16, 0x00, 0x00,
    0x00, 0x0a, 0x6b, 0x65, 0x79, 0x2d, 0x30, 0x00, 0x00, 0x42, 0x00, 0x02, 0x02, 0x0a, 0x6b, 0x65,
    0x79, 0x2d, 0x31, 0x1a, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d,
    0x6e, 0x02, 0x0a, 0x74, 0x72, 0x61, 0x63, 0x65, 0x04, 0x76, 0x31, 0x66, 0x00, 0x04, 0x04, 0x0a,
    0x6b, 0x65, 0x79, 0x2d, 0x32, 0x34, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c,
    0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x61, 0x62,
    0x04, 0x0a, 0x74, 0x72, 0x61, 0x63, 0x65, 0x04, 0x76, 0x32, 0x06, 0x64, 0x75, 0x70, 0x01, 0x5a,
    0x00, 0x06, 0x06, 0x01, 0x4e, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e,
    0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x61, 0x62, 0x63, 0x64,
    0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x00,
};
static const uint8_t java_gzip[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0xff, 0xff, 0xff, 0xff,
    0x02, 0xf5, 0xdb, 0x88, 0x26, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x01, 0x8b, 0xcf,
    0xe5, 0x68, 0x00, 0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x4d, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x04, 0x1f, 0x8b, 0x08,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x13, 0x63, 0x60, 0x60, 0xe0, 0xca, 0x4e, 0xad, 0xd4,
    0x35, 0x60, 0x60, 0x70, 0x62, 0x60, 0x62, 0x02, 0xb3, 0x0d, 0xa5, 0x92, 0x92, 0x53, 0x52, 0xd3,
    0xd2, 0x33, 0x32, 0xb3, 0xb2, 0x73, 0x72, 0xf3, 0x98, 0xb8, 0x4a, 0x8a, 0x12, 0x93, 0x53, 0x59,
    0xca, 0x0c, 0xd3, 0x18, 0x58, 0x58, 0xc0, 0x2a, 0x8c, 0x4c, 0x90, 0x15, 0xe4, 0x17, 0x14, 0x16,
    0x15, 0x97, 0x94, 0x96, 0x95, 0x57, 0x54, 0x56, 0x25, 0x26, 0xb1, 0xc0, 0x94, 0x1b, 0xb1, 0xa5,
    0x94, 0x16, 0x30, 0x46, 0x31, 0xb0, 0xb1, 0x31, 0xfa, 0xe1, 0x54, 0x8d, 0x6a, 0x0e, 0x03, 0x00,
    0xd7, 0xef, 0x0b, 0x0e, 0x90, 0x00, 0x00, 0x00,
};
static const uint8_t java_snappy[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb2, 0xff, 0xff, 0xff, 0xff,
    0x02, 0xd9, 0x9f, 0x6a, 0x9c, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x01, 0x8b, 0xcf,
    0xe5, 0x68, 0x00, 0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x4d, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x04, 0x82, 0x53, 0x4e,
    0x41, 0x50, 0x50, 0x59, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x6d, 0x90, 0x01, 0x3c, 0x16, 0x00, 0x00, 0x00, 0x0a, 0x6b, 0x65, 0x79, 0x2d, 0x30, 0x00, 0x00,
    0x42, 0x00, 0x02, 0x02, 0x05, 0x0c, 0x70, 0x31, 0x1a, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
    0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x02, 0x0a, 0x74, 0x72, 0x61, 0x63, 0x65, 0x04, 0x76, 0x31,
    0x66, 0x00, 0x04, 0x04, 0x05, 0x22, 0x08, 0x32, 0x34, 0x63, 0x1d, 0x21, 0x38, 0x6f, 0x70, 0x71,
    0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x61, 0x62, 0x04, 0x11, 0x2f, 0x2c, 0x32,
    0x06, 0x64, 0x75, 0x70, 0x01, 0x5a, 0x00, 0x06, 0x06, 0x01, 0x4e, 0x62, 0x2e, 0x00, 0x38, 0x63,
    0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x00,
};
static const uint8_t java_lz4[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xa8, 0xff, 0xff, 0xff,
    0xff, 0x02, 0xe7, 0x3d, 0xda, 0x4d, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x01,
    0x8b, 0xcf, 0xe5, 0x68, 0x00, 0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x03, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x4d, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
    0x04, 0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, 0x68, 0x00, 0x00, 0x00, 0xf1, 0x01, 0x16,
    0x00, 0x00, 0x00, 0x0a, 0x6b, 0x65, 0x79, 0x2d, 0x30, 0x00, 0x00, 0x42, 0x00, 0x02, 0x02,
    0x0c, 0x00, 0xf1, 0x0e, 0x31, 0x1a, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a,
    0x6b, 0x6c, 0x6d, 0x6e, 0x02, 0x0a, 0x74, 0x72, 0x61, 0x63, 0x65, 0x04, 0x76, 0x31, 0x66,
    0x00, 0x04, 0x04, 0x22, 0x00, 0x28, 0x32, 0x34, 0x21, 0x00, 0xf4, 0x00, 0x6f, 0x70, 0x71,
    0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x61, 0x62, 0x04, 0x2f, 0x00, 0xc7,
    0x32, 0x06, 0x64, 0x75, 0x70, 0x01, 0x5a, 0x00, 0x06, 0x06, 0x01, 0x4e, 0x4f, 0x00, 0x0a,
    0x2e, 0x00, 0x06, 0x48, 0x00, 0x50, 0x6d, 0x6e, 0x6f, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t java_zstd[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0xff, 0xff, 0xff, 0xff,
    0x02, 0x09, 0x3e, 0x3f, 0x18, 0x00, 0x04, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x01, 0x8b, 0xcf,
    0xe5, 0x68, 0x00, 0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x4d, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x04, 0x28, 0xb5, 0x2f,
    0xfd, 0x00, 0x58, 0xfc, 0x02, 0x00, 0xb4, 0x04, 0x16, 0x00, 0x00, 0x00, 0x0a, 0x6b, 0x65, 0x79,
    0x2d, 0x30, 0x00, 0x00, 0x42, 0x00, 0x02, 0x02, 0x31, 0x1a, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
    0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x02, 0x0a, 0x74, 0x72, 0x61, 0x63, 0x65, 0x04, 0x76,
    0x31, 0x66, 0x00, 0x04, 0x04, 0x32, 0x34, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77,
    0x78, 0x79, 0x7a, 0x61, 0x62, 0x04, 0x32, 0x06, 0x64, 0x75, 0x70, 0x01, 0x5a, 0x00, 0x06, 0x06,
    0x01, 0x4e, 0x00, 0x06, 0x00, 0x4b, 0x90, 0x41, 0x54, 0x2b, 0x91, 0x8a, 0xa8, 0x44, 0x71, 0xab,
    0xa8, 0x96, 0x5d, 0x28, 0x60, 0x01, 0x00, 0x00,
};

static const struct {
    kgw_compression_t codec;
    const uint8_t *bytes;
    size_t len;
} java_batches[] = {
    {KGW_COMPRESSION_NONE, java_none, sizeof(java_none)},
    {KGW_COMPRESSION_GZIP, java_gzip, sizeof(java_gzip)},
    {KGW_COMPRESSION_SNAPPY, java_snappy, sizeof(java_snappy)},
    {KGW_COMPRESSION_LZ4, java_lz4, sizeof(java_lz4)},
    {KGW_COMPRESSION_ZSTD, java_zstd, sizeof(java_zstd)},
};

/* Checks record i of a Java fixture; with_edits: after edit_ops. */
static void
check_java_record(int i, const kgw_batch_t *b, const kgw_record_t *r, bool with_edits)
{
    char key[16];
    snprintf(key, sizeof(key), "key-%d", i);
    ck_assert_int_eq(r->offset_delta, i);
    ck_assert_int_eq(b->hdr.base_timestamp + r->timestamp_delta, 1700000000000LL + i);
    if (i == 3) {
        ck_assert_ptr_null(r->key);
    } else {
        ck_assert_int_eq(r->key_len, (int32_t)strlen(key));
        ck_assert_mem_eq(r->key, key, strlen(key));
    }
    ck_assert_int_eq(r->value_len, i * 13);
    for (int k = 0; k < i * 13; k++)
        ck_assert_int_eq(r->value[k], 'a' + (k + i) % 26);
    if (with_edits) {
        ck_assert_int_eq(edited_headers(i, r), 0);
        return;
    }
    ck_assert_int_eq(r->header_count, i % 3);
    kgw_header_iter_t hi;
    kgw_header_t h;
    kgw_header_iter_init(&hi, r);
    char v[16];
    snprintf(v, sizeof(v), "v%d", i);
    for (int k = 0; k < i % 3; k++) {
        ck_assert(kgw_header_iter_next(&hi, &h));
        if (k == 0) {
            ck_assert_int_eq(h.key_len, 5);
            ck_assert_mem_eq(h.key, "trace", 5);
            ck_assert_int_eq(h.value_len, (int32_t)strlen(v));
            ck_assert_mem_eq(h.value, v, strlen(v));
        } else {
            ck_assert_int_eq(h.key_len, 3);
            ck_assert_mem_eq(h.key, "dup", 3);
            ck_assert_ptr_null(h.value);
        }
    }
    ck_assert(!kgw_header_iter_next(&hi, &h));
}

static void
check_java_batch(const uint8_t *p, size_t n, kgw_compression_t codec, bool with_edits)
{
    kgw_batch_scratch_t scratch = {0};
    kgw_batch_iter_t it;
    kgw_batch_t b;
    char err[256] = "";
    kgw_batch_iter_init(&it, p, n);
    ck_assert_int_eq(kgw_batch_iter_next(&it, &b, err, sizeof(err)), KGW_BATCH_V2);
    ck_assert_uint_eq(b.len, n);
    ck_assert_msg(kgw_batch_verify_crc(&b, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(kgw_batch_codec(&b), codec);
    ck_assert_int_eq(b.hdr.records_count, 4);
    ck_assert_int_eq(b.hdr.last_offset_delta, 3);
    ck_assert_int_eq(b.hdr.producer_id, 77);
    ck_assert_int_eq(b.hdr.producer_epoch, 2);
    ck_assert_int_eq(b.hdr.base_sequence, 5);
    ck_assert_int_eq(b.hdr.partition_leader_epoch, -1);
    ck_assert_int_eq(b.hdr.max_timestamp, 1700000000003LL);
    kgw_record_iter_t ri;
    kgw_record_t r;
    ck_assert_msg(kgw_record_iter_init(&ri, &b, &scratch.plain, 0, err, sizeof(err)) == 0, "%s",
                  err);
    int i = 0, rc;
    while ((rc = kgw_record_iter_next(&ri, &r, err, sizeof(err))) == 1)
        check_java_record(i++, &b, &r, with_edits);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_int_eq(i, 4);
    kgw_batch_scratch_free(&scratch);
}

START_TEST(test_java_batches_decode_and_edit)
{
    for (size_t c = 0; c < 5; c++) {
        check_java_batch(java_batches[c].bytes, java_batches[c].len, java_batches[c].codec, false);
        kgw_batch_scratch_t scratch = {0};
        kgw_buf_t out = {0};
        bool changed = false;
        char err[256] = "";
        ck_assert_msg(kgw_records_edit_headers(java_batches[c].bytes, java_batches[c].len, edit_ops,
                                               3, &scratch, &out, &changed, err, sizeof(err)) == 0,
                      "%s", err);
        ck_assert(changed);
        check_java_batch(out.data, out.len, java_batches[c].codec, true);
        kgw_buf_free(&out);
        kgw_batch_scratch_free(&scratch);
    }
}
END_TEST

/* kgw's builder writes the same bytes as Java's for the same records. */
START_TEST(test_builder_matches_java_bytes)
{
    kgw_batch_options_t o;
    kgw_batch_options_default(&o);
    o.producer_id = 77;
    o.producer_epoch = 2;
    o.base_sequence = 5;
    kgw_batch_writer_t w;
    kgw_buf_t out = {0};
    char err[256] = "";
    ck_assert_int_eq(kgw_batch_writer_begin_build(&w, &o, &out, NULL, err, sizeof(err)), 0);
    for (int i = 0; i < 4; i++) {
        char key[16], v[16];
        uint8_t value[64];
        kgw_header_t hs[2] = {{(const uint8_t *)"trace", 5, (const uint8_t *)v, 0},
                              {(const uint8_t *)"dup", 3, NULL, -1}};
        snprintf(key, sizeof(key), "key-%d", i);
        snprintf(v, sizeof(v), "v%d", i);
        hs[0].value_len = (int32_t)strlen(v);
        for (int k = 0; k < i * 13; k++)
            value[k] = (uint8_t)('a' + (k + i) % 26);
        kgw_record_spec_t r = {.timestamp = 1700000000000LL + i,
                               .key = i == 3 ? NULL : (const uint8_t *)key,
                               .key_len = strlen(key),
                               .value = value,
                               .value_len = (size_t)i * 13,
                               .headers = hs,
                               .header_count = (size_t)(i % 3)};
        ck_assert_msg(kgw_batch_writer_add(&w, &r, err, sizeof(err)) == 0, "%s", err);
    }
    ck_assert_msg(kgw_batch_writer_finish(&w, NULL, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(out.len, sizeof(java_none));
    ck_assert_mem_eq(out.data, java_none, sizeof(java_none));
    kgw_buf_free(&out);
}
END_TEST

START_TEST(test_edit_headers_keeps_everything_else)
{
    for (size_t c = 0; c < 5; c++) {
        kgw_buf_t in = {0}, out = {0};
        kgw_batch_scratch_t scratch = {0};
        build(all_codecs[c], &in, &scratch);
        kgw_batch_t b = only_batch(&in);
        bool changed = false;
        char err[256] = "";
        ck_assert_msg(kgw_batch_edit_headers(&b, edit_ops, 3, &scratch, &out, &changed, err,
                                             sizeof(err)) == 0,
                      "%s", err);
        ck_assert(changed);
        kgw_batch_t e = only_batch(&out); /* also checks the new CRC */
        ck_assert_int_eq(kgw_batch_codec(&e), all_codecs[c]);
        ck_assert_int_eq(e.hdr.base_offset, b.hdr.base_offset);
        ck_assert_int_eq(e.hdr.partition_leader_epoch, b.hdr.partition_leader_epoch);
        ck_assert_int_eq(e.hdr.attributes, b.hdr.attributes);
        ck_assert_int_eq(e.hdr.last_offset_delta, b.hdr.last_offset_delta);
        ck_assert_int_eq(e.hdr.base_timestamp, b.hdr.base_timestamp);
        ck_assert_int_eq(e.hdr.max_timestamp, b.hdr.max_timestamp);
        ck_assert_int_eq(e.hdr.producer_id, b.hdr.producer_id);
        ck_assert_int_eq(e.hdr.producer_epoch, b.hdr.producer_epoch);
        ck_assert_int_eq(e.hdr.base_sequence, b.hdr.base_sequence);
        ck_assert_int_eq(e.hdr.records_count, b.hdr.records_count);
        ck_assert_int_eq(e.hdr.batch_length, (int32_t)out.len - 12);
        check_records(&e, &scratch, edited_headers);

        /* Editing the edited batch with the same ops changes nothing: the
         * bytes are passed through, not re-encoded. */
        kgw_buf_t again = {0};
        ck_assert_int_eq(kgw_batch_edit_headers(&e, edit_ops + 0, 2, &scratch, &again, &changed,
                                                err, sizeof(err)),
                         0);
        ck_assert(!changed);
        ck_assert_uint_eq(again.len, out.len);
        ck_assert_mem_eq(again.data, out.data, out.len);
        kgw_buf_free(&again);
        kgw_buf_free(&in);
        kgw_buf_free(&out);
        kgw_batch_scratch_free(&scratch);
    }
}
END_TEST

START_TEST(test_unchanged_batch_is_copied_not_reencoded)
{
    /* A gzip batch written at level 9 would come out different if it were
     * recompressed (kgw writes level 1): removing an absent header must give
     * the very same bytes. */
    kgw_buf_t in = {0}, out = {0};
    kgw_batch_scratch_t scratch = {0};
    build(KGW_COMPRESSION_NONE, &in, &scratch);
    kgw_batch_t b = only_batch(&in);
    /* Re-wrap the records with gzip -9 by hand. */
    kgw_buf_t gz = {0};
    char err[256] = "";
    ck_assert_int_eq(kgw_buf_append(&gz, in.data, 61), 0);
    ck_assert_int_eq(kgw_compress_level(KGW_COMPRESSION_GZIP, 9, in.data + 61, in.len - 61, &gz,
                                        err, sizeof(err)),
                     0);
    gz.data[22] |= KGW_BATCH_ATTR_CODEC_MASK & KGW_COMPRESSION_GZIP;
    uint32_t blen = (uint32_t)(gz.len - 12);
    gz.data[8] = (uint8_t)(blen >> 24);
    gz.data[9] = (uint8_t)(blen >> 16);
    gz.data[10] = (uint8_t)(blen >> 8);
    gz.data[11] = (uint8_t)blen;
    uint32_t crc = kgw_crc32c(0, gz.data + 21, gz.len - 21);
    gz.data[17] = (uint8_t)(crc >> 24);
    gz.data[18] = (uint8_t)(crc >> 16);
    gz.data[19] = (uint8_t)(crc >> 8);
    gz.data[20] = (uint8_t)crc;
    b = only_batch(&gz);
    ck_assert_int_eq(kgw_batch_codec(&b), KGW_COMPRESSION_GZIP);
    check_records(&b, &scratch, NULL);
    kgw_header_op_t rm = {KGW_HEADER_REMOVE, (const uint8_t *)"absent", 6, NULL, 0};
    bool changed = true;
    ck_assert_int_eq(kgw_batch_edit_headers(&b, &rm, 1, &scratch, &out, &changed, err, sizeof(err)),
                     0);
    ck_assert(!changed);
    ck_assert_uint_eq(out.len, gz.len);
    ck_assert_mem_eq(out.data, gz.data, gz.len);
    kgw_buf_free(&gz);
    kgw_buf_free(&in);
    kgw_buf_free(&out);
    kgw_batch_scratch_free(&scratch);
}
END_TEST

static int
count_key(const kgw_record_t *r, const char *key, const char **last_value)
{
    kgw_header_iter_t hi;
    kgw_header_t h;
    int n = 0;
    kgw_header_iter_init(&hi, r);
    while (kgw_header_iter_next(&hi, &h)) {
        if ((size_t)h.key_len == strlen(key) && memcmp(h.key, key, strlen(key)) == 0) {
            n++;
            if (last_value != NULL)
                *last_value = (const char *)h.value;
        }
    }
    return n;
}

START_TEST(test_op_semantics_and_per_record_writer)
{
    kgw_buf_t in = {0}, out = {0};
    kgw_batch_scratch_t scratch = {0};
    build(KGW_COMPRESSION_LZ4, &in, &scratch);
    kgw_batch_t b = only_batch(&in);
    /* Record 3 has headers trace, dup, dup. */
    kgw_header_op_t set_dup = {KGW_HEADER_SET, (const uint8_t *)"dup", 3, (const uint8_t *)"Z", 1};
    kgw_header_op_t rm_then_set[] = {{KGW_HEADER_REMOVE, (const uint8_t *)"dup", 3, NULL, 0},
                                     set_dup};
    kgw_header_op_t set_then_rm[] = {set_dup,
                                     {KGW_HEADER_REMOVE, (const uint8_t *)"dup", 3, NULL, 0}};
    kgw_header_op_t add2[] = {{KGW_HEADER_ADD, (const uint8_t *)"dup", 3, NULL, 0},
                              {KGW_HEADER_ADD, (const uint8_t *)"dup", 3, NULL, 0}};
    kgw_batch_writer_t w;
    char err[256] = "";
    ck_assert_int_eq(kgw_batch_writer_begin_edit(&w, &b, &out, &scratch, err, sizeof(err)), 0);
    kgw_record_iter_t it;
    kgw_record_t r;
    ck_assert_int_eq(kgw_record_iter_init(&it, &b, &scratch.plain, 0, err, sizeof(err)), 0);
    int i = 0;
    while (kgw_record_iter_next(&it, &r, err, sizeof(err)) == 1) {
        int rc;
        if (i == 3)
            rc = kgw_batch_writer_edit_record(&w, &r, &set_dup, 1, err, sizeof(err));
        else if (i == 7)
            rc = kgw_batch_writer_edit_record(&w, &r, rm_then_set, 2, err, sizeof(err));
        else if (i == 11)
            rc = kgw_batch_writer_edit_record(&w, &r, set_then_rm, 2, err, sizeof(err));
        else if (i == 15)
            rc = kgw_batch_writer_edit_record(&w, &r, add2, 2, err, sizeof(err));
        else
            rc = kgw_batch_writer_add_raw(&w, &r, err, sizeof(err));
        ck_assert_msg(rc == 0, "%s", err);
        i++;
    }
    bool changed = false;
    ck_assert_msg(kgw_batch_writer_finish(&w, &changed, err, sizeof(err)) == 0, "%s", err);
    ck_assert(changed);
    kgw_batch_t e = only_batch(&out);
    kgw_batch_scratch_t s2 = {0};
    ck_assert_int_eq(kgw_record_iter_init(&it, &e, &s2.plain, 0, err, sizeof(err)), 0);
    i = 0;
    while (kgw_record_iter_next(&it, &r, err, sizeof(err)) == 1) {
        const char *v = NULL;
        int n = count_key(&r, "dup", &v);
        if (i == 3 || i == 7) {
            ck_assert_int_eq(n, 1); /* set: first kept with new value, second dropped */
            ck_assert_mem_eq(v, "Z", 1);
            ck_assert_int_eq(r.header_count, 2);
        } else if (i == 11) {
            ck_assert_int_eq(n, 0);
            ck_assert_int_eq(r.header_count, 1);
        } else if (i == 15) {
            ck_assert_int_eq(n, 4); /* two kept + two added */
            ck_assert_ptr_null(v);
        } else {
            ck_assert_int_eq(n, i % 4 == 3 ? 2 : (i % 4 == 2 ? 1 : 0));
        }
        i++;
    }
    ck_assert_int_eq(i, NREC);

    /* A writer that only copies records gives back the original bytes. */
    kgw_buf_t same = {0};
    ck_assert_int_eq(kgw_batch_writer_begin_edit(&w, &b, &same, &scratch, err, sizeof(err)), 0);
    ck_assert_int_eq(kgw_record_iter_init(&it, &b, &scratch.plain, 0, err, sizeof(err)), 0);
    while (kgw_record_iter_next(&it, &r, err, sizeof(err)) == 1)
        ck_assert_int_eq(kgw_batch_writer_add_raw(&w, &r, err, sizeof(err)), 0);
    ck_assert_int_eq(kgw_batch_writer_finish(&w, &changed, err, sizeof(err)), 0);
    ck_assert(!changed);
    ck_assert_uint_eq(same.len, in.len);
    ck_assert_mem_eq(same.data, in.data, in.len);
    kgw_buf_free(&same);
    kgw_buf_free(&in);
    kgw_buf_free(&out);
    kgw_batch_scratch_free(&scratch);
    kgw_batch_scratch_free(&s2);
}
END_TEST

static void
put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void
fix_crc(uint8_t *batch, size_t len)
{
    put32(batch + 17, kgw_crc32c(0, batch + 21, len - 21));
}

START_TEST(test_partial_legacy_and_control_pass_through)
{
    kgw_buf_t blob = {0}, one = {0}, out = {0};
    kgw_batch_scratch_t scratch = {0};
    char err[256] = "";
    /* 1: a legacy magic 1 message: offset, size, crc, magic, attributes,
     * timestamp, key -1, value "abc". */
    static const uint8_t legacy[] = {0,    0,    0,    0,    0, 0, 0, 5, 0,   0,   0,  25, 0xde,
                                     0xad, 0xbe, 0xef, 1,    0, 0, 0, 0, 0,   0,   0,  0,  9,
                                     0xff, 0xff, 0xff, 0xff, 0, 0, 0, 3, 'a', 'b', 'c'};
    ck_assert_int_eq(kgw_buf_append(&blob, legacy, sizeof(legacy)), 0);
    /* 2: a control batch (commit marker) */
    build(KGW_COMPRESSION_NONE, &one, &scratch);
    one.data[22] |= KGW_BATCH_ATTR_CONTROL;
    fix_crc(one.data, one.len);
    size_t control_at = blob.len;
    ck_assert_int_eq(kgw_buf_append(&blob, one.data, one.len), 0);
    /* 3: a normal zstd batch */
    one.len = 0;
    build(KGW_COMPRESSION_ZSTD, &one, &scratch);
    size_t normal_at = blob.len;
    ck_assert_int_eq(kgw_buf_append(&blob, one.data, one.len), 0);
    /* 4: the first 40 bytes of another batch (a fetch response cut it). */
    size_t partial_at = blob.len;
    ck_assert_int_eq(kgw_buf_append(&blob, one.data, 40), 0);

    kgw_batch_iter_t it;
    kgw_batch_t b;
    kgw_batch_iter_init(&it, blob.data, blob.len);
    ck_assert_int_eq(kgw_batch_iter_next(&it, &b, err, sizeof(err)), KGW_BATCH_LEGACY);
    ck_assert_uint_eq(b.len, sizeof(legacy));
    ck_assert_int_eq(b.hdr.magic, 1);
    ck_assert_int_eq(kgw_batch_iter_next(&it, &b, err, sizeof(err)), KGW_BATCH_V2);
    ck_assert_uint_eq(b.offset, control_at);
    ck_assert(kgw_batch_is_control(&b));
    kgw_batch_writer_t w;
    ck_assert_int_eq(kgw_batch_writer_begin_edit(&w, &b, &out, &scratch, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "control batches are never edited") != NULL, "%s", err);
    ck_assert_int_eq(kgw_batch_iter_next(&it, &b, err, sizeof(err)), KGW_BATCH_V2);
    ck_assert_uint_eq(b.offset, normal_at);
    ck_assert_int_eq(kgw_batch_iter_next(&it, &b, err, sizeof(err)), KGW_BATCH_PARTIAL);
    ck_assert_uint_eq(b.offset, partial_at);
    ck_assert_uint_eq(b.len, 40);
    ck_assert_int_eq(kgw_batch_iter_next(&it, &b, err, sizeof(err)), KGW_BATCH_END);

    bool changed = false;
    ck_assert_msg(kgw_records_edit_headers(blob.data, blob.len, edit_ops, 3, &scratch, &out,
                                           &changed, err, sizeof(err)) == 0,
                  "%s", err);
    ck_assert(changed);
    /* Legacy and control bytes untouched, partial tail untouched. */
    ck_assert_mem_eq(out.data, blob.data, normal_at);
    ck_assert_mem_eq(out.data + out.len - 40, blob.data + partial_at, 40);
    kgw_batch_iter_init(&it, out.data, out.len);
    ck_assert_int_eq(kgw_batch_iter_next(&it, &b, err, sizeof(err)), KGW_BATCH_LEGACY);
    ck_assert_int_eq(kgw_batch_iter_next(&it, &b, err, sizeof(err)), KGW_BATCH_V2);
    ck_assert_int_eq(kgw_batch_iter_next(&it, &b, err, sizeof(err)), KGW_BATCH_V2);
    ck_assert_int_eq(kgw_batch_verify_crc(&b, err, sizeof(err)), 0);
    check_records(&b, &scratch, edited_headers);
    ck_assert_int_eq(kgw_batch_iter_next(&it, &b, err, sizeof(err)), KGW_BATCH_PARTIAL);

    /* Fewer bytes than a length field: partial too. */
    kgw_batch_iter_init(&it, blob.data + partial_at, 11);
    ck_assert_int_eq(kgw_batch_iter_next(&it, &b, err, sizeof(err)), KGW_BATCH_PARTIAL);
    ck_assert_uint_eq(b.len, 11);
    kgw_buf_free(&blob);
    kgw_buf_free(&one);
    kgw_buf_free(&out);
    kgw_batch_scratch_free(&scratch);
}
END_TEST

/* Iterates batch + records of buf; returns the first error (or "" if none). */
static const char *
first_error(const uint8_t *p, size_t n, size_t max_decompressed)
{
    static char err[512];
    kgw_batch_scratch_t scratch = {0};
    kgw_batch_iter_t it;
    kgw_batch_t b;
    kgw_batch_kind_t k;
    err[0] = 0;
    kgw_batch_iter_init(&it, p, n);
    while ((k = kgw_batch_iter_next(&it, &b, err, sizeof(err))) != KGW_BATCH_END) {
        if (k == KGW_BATCH_ERROR)
            goto out;
        if (k != KGW_BATCH_V2)
            continue;
        if (kgw_batch_verify_crc(&b, err, sizeof(err)) != 0)
            goto out;
        kgw_record_iter_t ri;
        kgw_record_t r;
        int rc;
        if (kgw_record_iter_init(&ri, &b, &scratch.plain, max_decompressed, err, sizeof(err)) != 0)
            goto out;
        while ((rc = kgw_record_iter_next(&ri, &r, err, sizeof(err))) == 1)
            ;
        if (rc < 0)
            goto out;
    }
    err[0] = 0;
out:
    kgw_batch_scratch_free(&scratch);
    return err;
}

#define ASSERT_ERR(buf, n, needle)                                                                 \
    do {                                                                                           \
        const char *e_ = first_error((buf), (n), 0);                                               \
        ck_assert_msg(strstr(e_, (needle)) != NULL, "expected \"%s\", got \"%s\"", (needle), e_);  \
    } while (0)

/* A one-record batch with value "val" and no headers; the record starts at
 * byte 61: 14 00 00 00 02 'k' 06 'v' 'a' 'l' 00 (length 10). */
static size_t
small_batch(uint8_t *buf)
{
    kgw_record_spec_t s = {.timestamp = 5,
                           .key = (const uint8_t *)"k",
                           .key_len = 1,
                           .value = (const uint8_t *)"val",
                           .value_len = 3};
    kgw_batch_options_t o;
    kgw_batch_options_default(&o);
    kgw_buf_t out = {0};
    char err[256];
    ck_assert_int_eq(kgw_batch_build(&o, &s, 1, NULL, &out, err, sizeof(err)), 0);
    ck_assert_uint_eq(out.len, 72);
    memcpy(buf, out.data, out.len);
    kgw_buf_free(&out);
    return 72;
}

START_TEST(test_malformed_batches_are_named)
{
    uint8_t b[128];
    size_t n = small_batch(b);
    ck_assert_str_eq(first_error(b, n, 0), "");
    ck_assert_uint_eq(b[61], 0x14);

    small_batch(b);
    put32(b + 8, 0xfffffffb); /* batchLength -5 */
    ASSERT_ERR(b, n, "batch at offset 0: batchLength -5 at byte 8 is less than 14");
    small_batch(b);
    put32(b + 8, 30);
    ASSERT_ERR(b, n, "batchLength 30 at byte 8 is less than 49");
    small_batch(b);
    b[16] = 3;
    ASSERT_ERR(b, n, "magic 3 at byte 16 is not 0, 1 or 2");
    small_batch(b);
    b[22] = 7;
    ASSERT_ERR(b, n, "attributes 0x0007 at byte 21 name unknown codec 7");
    small_batch(b);
    put32(b + 57, 0xffffffff);
    ASSERT_ERR(b, n, "recordsCount -1 at byte 57 is negative");
    small_batch(b);
    b[70] ^= 1; /* a value byte: CRC no longer matches */
    ASSERT_ERR(b, n, "crc 0x");
    ASSERT_ERR(b, n, "at byte 17 does not match computed 0x");

    /* Record length longer than the content: the header count varint is
     * followed by the batch end. */
    small_batch(b);
    b[61] = 0x16; /* 11 */
    fix_crc(b, n);
    ASSERT_ERR(b, n, "record 0 at byte 0: length 11 exceeds the 10 bytes left");
    /* Shorter than the content. */
    small_batch(b);
    b[61] = 0x12; /* 9: headerCount falls outside */
    fix_crc(b, n);
    ASSERT_ERR(b, n, "record 0 at byte 0: headerCount at byte 10 runs past the record length 9");
    /* Length that fits but content ends early: value length 2 leaves a byte. */
    small_batch(b);
    b[67] = 0x04; /* valueLength 2 */
    b[70] = 0x00; /* 'l' becomes headerCount 0, old headerCount is extra */
    fix_crc(b, n);
    ASSERT_ERR(b, n, "record 0 at byte 0: length 10 disagrees with its content (9 bytes)");
    /* Negative record length. */
    small_batch(b);
    b[61] = 0x01; /* -1 */
    fix_crc(b, n);
    ASSERT_ERR(b, n, "length -1 is negative");
    /* Truncated varint: the record's last byte is a continuation byte. */
    small_batch(b);
    b[71] = 0x80; /* headerCount 0x80 ... needs more bytes */
    fix_crc(b, n);
    ASSERT_ERR(b, n, "headerCount at byte 10 runs past the record length 10");
    /* Varint with too many continuation bytes. */
    small_batch(b);
    memset(b + 64, 0xff, 8); /* offsetDelta: 8 continuation bytes, 5 allowed */
    fix_crc(b, n);
    ASSERT_ERR(b, n, "offsetDelta at byte 3 is a varint longer than allowed");
    /* Invalid key length. */
    small_batch(b);
    b[65] = 0x03; /* -2 */
    fix_crc(b, n);
    ASSERT_ERR(b, n, "keyLength -2 is invalid");
    /* recordsCount larger / smaller than the records. */
    small_batch(b);
    put32(b + 57, 2);
    fix_crc(b, n);
    ASSERT_ERR(b, n, "records end at record byte 11 after 1 of recordsCount 2 records");
    small_batch(b);
    put32(b + 57, 0);
    fix_crc(b, n);
    ASSERT_ERR(b, n, "11 bytes left at record byte 0 after recordsCount 0 records");
}
END_TEST

START_TEST(test_header_errors_are_named)
{
    kgw_header_t h = {(const uint8_t *)"hk", 2, (const uint8_t *)"hv", 2};
    kgw_record_spec_t s = {.timestamp = 5, .headers = &h, .header_count = 1};
    kgw_batch_options_t o;
    kgw_batch_options_default(&o);
    kgw_buf_t out = {0};
    char err[256];
    ck_assert_int_eq(kgw_batch_build(&o, &s, 1, NULL, &out, err, sizeof(err)), 0);
    /* record: len attr ts od key(-1) value(-1) count=1 klen 'h' 'k' vlen 'h' 'v' */
    ck_assert_uint_eq(out.data[61 + 6], 0x02); /* header count 1 */
    out.data[61 + 7] = 0x01;                   /* header key length -1 */
    fix_crc(out.data, out.len);
    ASSERT_ERR(out.data, out.len, "header 0 key length -1 is negative");
    out.data[61 + 7] = 0x04;
    out.data[61 + 10] = 0x0a; /* value length 5: past the end */
    fix_crc(out.data, out.len);
    ASSERT_ERR(out.data, out.len, "header value at byte 11 runs past the record length 12");
    kgw_buf_free(&out);
}
END_TEST

START_TEST(test_decompression_bomb_in_batch_is_capped)
{
    size_t vn = 8u << 20;
    uint8_t *zeros = calloc(1, vn);
    ck_assert_ptr_nonnull(zeros);
    kgw_record_spec_t s = {.timestamp = 1, .value = zeros, .value_len = vn};
    kgw_batch_options_t o;
    kgw_batch_options_default(&o);
    o.codec = KGW_COMPRESSION_ZSTD;
    kgw_buf_t out = {0};
    kgw_batch_scratch_t scratch = {0};
    char err[256];
    ck_assert_int_eq(kgw_batch_build(&o, &s, 1, &scratch, &out, err, sizeof(err)), 0);
    ck_assert_uint_lt(out.len, 10000); /* 8 MiB of zeros compress very well */
    const char *e = first_error(out.data, out.len, 1u << 20);
    ck_assert_msg(strstr(e, "batch at offset 0: records at byte 61: zstd: decompressed data "
                            "exceeds the limit of 1048576 bytes") != NULL,
                  "%s", e);
    ck_assert_str_eq(first_error(out.data, out.len, 0), "");
    /* The same through the editor, with the cap in the scratch. */
    kgw_buf_t edited = {0};
    scratch.max_decompressed = 1u << 20;
    bool changed;
    ck_assert_int_eq(kgw_records_edit_headers(out.data, out.len, edit_ops, 3, &scratch, &edited,
                                              &changed, err, sizeof(err)),
                     -1);
    ck_assert_msg(strstr(err, "exceeds the limit of 1048576 bytes") != NULL, "%s", err);
    ck_assert_uint_eq(edited.len, 0);
    free(zeros);
    kgw_buf_free(&out);
    kgw_buf_free(&edited);
    kgw_batch_scratch_free(&scratch);
}
END_TEST

START_TEST(test_edit_rejects_bad_crc_and_bad_ops)
{
    uint8_t b[128];
    size_t n = small_batch(b);
    kgw_batch_scratch_t scratch = {0};
    kgw_buf_t out = {0};
    char err[256];
    bool changed;
    b[70] ^= 1;
    ck_assert_int_eq(
        kgw_records_edit_headers(b, n, edit_ops, 3, &scratch, &out, &changed, err, sizeof(err)),
        -1);
    ck_assert_msg(strstr(err, "does not match computed") != NULL, "%s", err);
    ck_assert_uint_eq(out.len, 0);
    b[70] ^= 1;
    kgw_header_op_t many[KGW_HEADER_OPS_MAX + 1];
    for (size_t i = 0; i <= KGW_HEADER_OPS_MAX; i++)
        many[i] = edit_ops[1];
    ck_assert_int_eq(kgw_records_edit_headers(b, n, many, KGW_HEADER_OPS_MAX + 1, &scratch, &out,
                                              &changed, err, sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "65 header operations exceed the maximum of 64");
    kgw_buf_free(&out);
    kgw_batch_scratch_free(&scratch);
}
END_TEST

static Suite *
record_batch_suite(void)
{
    Suite *s = suite_create("record_batch");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_build_then_iterate_every_codec);
    tcase_add_test(tc, test_builder_bytes_match_the_layout);
    tcase_add_test(tc, test_same_batch_twice_is_identical);
    tcase_add_test(tc, test_edit_headers_keeps_everything_else);
    tcase_add_test(tc, test_unchanged_batch_is_copied_not_reencoded);
    tcase_add_test(tc, test_op_semantics_and_per_record_writer);
    tcase_add_test(tc, test_partial_legacy_and_control_pass_through);
    tcase_add_test(tc, test_malformed_batches_are_named);
    tcase_add_test(tc, test_header_errors_are_named);
    tcase_add_test(tc, test_decompression_bomb_in_batch_is_capped);
    tcase_add_test(tc, test_edit_rejects_bad_crc_and_bad_ops);
    tcase_add_test(tc, test_java_batches_decode_and_edit);
    tcase_add_test(tc, test_builder_matches_java_bytes);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(record_batch_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    kgw_compression_thread_cleanup();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
