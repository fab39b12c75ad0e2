/* libFuzzer target: iterate the batches, records and headers of arbitrary
 * bytes (as a partition's records field); for batches whose records parse,
 * edit headers, and check that the result iterates again with the same
 * record count, valid CRC and the edits applied. The CRC is not required to
 * match on input (a fuzzer cannot forge it), so record parsing gets
 * exercised. The first byte picks the mode: bit 7 set feeds the rest to the
 * decompressor of codec (byte & 7) alone; otherwise (byte & 3) picks how many
 * header operations to apply.
 *
 * With KGW_FUZZ_WRITE_CORPUS=DIR set, the target writes valid batches (every
 * codec, with keys, values, null values and headers) into DIR and exits
 * (tools/fuzz.sh seeds its corpus that way). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compression.h"
#include "crc32c.h"
#include "record_batch.h"

#define FUZZ_MAX_DECOMPRESSED (1u << 20)

static kgw_batch_scratch_t scratch = {.max_decompressed = FUZZ_MAX_DECOMPRESSED};
static kgw_buf_t out;
static kgw_batch_scratch_t scratch2 = {.max_decompressed = 4 * FUZZ_MAX_DECOMPRESSED};
static volatile uint32_t sink;

static void
touch(const uint8_t *p, int32_t n)
{
    uint32_t s = 0;
    for (int32_t i = 0; i < n; i++)
        s += p[i];
    sink += s;
}

/* Iterates all records of b; returns their count or -1 when malformed. */
static int
walk_records(const kgw_batch_t *b, kgw_batch_scratch_t *s, const char *must_have)
{
    kgw_record_iter_t it;
    kgw_record_t r;
    char err[256];
    if (kgw_record_iter_init(&it, b, &s->plain, s->max_decompressed, err, sizeof(err)) != 0)
        return -1;
    int n = 0, rc;
    while ((rc = kgw_record_iter_next(&it, &r, err, sizeof(err))) == 1) {
        if (r.key != NULL)
            touch(r.key, r.key_len);
        if (r.value != NULL)
            touch(r.value, r.value_len);
        kgw_header_iter_t hi;
        kgw_header_t h;
        int found = 0, count = 0;
        kgw_header_iter_init(&hi, &r);
        while (kgw_header_iter_next(&hi, &h)) {
            touch(h.key, h.key_len);
            if (h.value != NULL)
                touch(h.value, h.value_len);
            if (must_have != NULL && (size_t)h.key_len == strlen(must_have) &&
                memcmp(h.key, must_have, (size_t)h.key_len) == 0)
                found++;
            count++;
        }
        if (count != r.header_count)
            abort();
        if (must_have != NULL && found != 1)
            abort(); /* SET must leave exactly one header with its key */
        n++;
    }
    return rc < 0 ? -1 : n;
}

static void
write_file(const char *dir, const char *name, uint8_t mode, const kgw_buf_t *b)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    if (fputc(mode, f) == EOF || fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void
write_corpus(const char *dir)
{
    static const kgw_header_t h[3] = {
        {(const uint8_t *)"a", 1, (const uint8_t *)"1", 1},
        {(const uint8_t *)"fz", 2, NULL, -1},
        {(const uint8_t *)"fz", 2, (const uint8_t *)"x", 1},
    };
    static const kgw_record_spec_t r[3] = {
        {1000, (const uint8_t *)"k", 1, (const uint8_t *)"value", 5, h, 3},
        {999, NULL, 0, (const uint8_t *)"v2", 2, h, 1},
        {1005, (const uint8_t *)"kk", 2, NULL, 0, NULL, 0},
    };
    char err[256];
    for (int c = 0; c <= KGW_COMPRESSION_MAX; c++) {
        kgw_batch_options_t o;
        kgw_batch_options_default(&o);
        o.codec = (kgw_compression_t)c;
        o.producer_id = 5;
        o.transactional = c % 2 == 1;
        kgw_buf_t b = {0}, z = {0};
        /* Two batches, then a partial third. */
        if (kgw_batch_build(&o, r, 3, &scratch, &b, err, sizeof(err)) != 0 ||
            kgw_batch_build(&o, r, 2, &scratch, &b, err, sizeof(err)) != 0 ||
            kgw_buf_append(&b, b.data, 30) != 0) {
            fprintf(stderr, "fuzz_record_batch: seed: %s\n", err);
            exit(1);
        }
        char name[64];
        for (uint8_t mode = 0; mode < 4; mode++) {
            snprintf(name, sizeof(name), "batches_%s_%u", kgw_compression_name(c), mode);
            write_file(dir, name, mode, &b);
        }
        if (c != KGW_COMPRESSION_NONE) {
            if (kgw_compress((kgw_compression_t)c, b.data, b.len, &z, err, sizeof(err)) != 0) {
                fprintf(stderr, "fuzz_record_batch: seed: %s\n", err);
                exit(1);
            }
            snprintf(name, sizeof(name), "codec_%s", kgw_compression_name(c));
            write_file(dir, name, (uint8_t)(0x80 | c), &z);
        }
        kgw_buf_free(&b);
        kgw_buf_free(&z);
    }
    exit(0);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("KGW_FUZZ_WRITE_CORPUS");
    if (dir != NULL)
        write_corpus(dir);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;

    /* The codecs alone, on the raw input, with a small cap. */
    if ((mode & 0x80) != 0) {
        char err[256];
        scratch.plain.len = 0;
        (void)kgw_decompress((kgw_compression_t)(mode & 7), data, size, &scratch.plain,
                             FUZZ_MAX_DECOMPRESSED, err, sizeof(err));
        return 0;
    }

    static const kgw_header_op_t ops[] = {
        {KGW_HEADER_SET, (const uint8_t *)"fz", 2, (const uint8_t *)"set", 3},
        {KGW_HEADER_REMOVE, (const uint8_t *)"a", 1, NULL, 0},
        {KGW_HEADER_ADD, (const uint8_t *)"b", 1, NULL, 0},
        {KGW_HEADER_REMOVE, (const uint8_t *)"", 0, NULL, 0},
    };
    size_t nops = 1 + (mode & 3);

    kgw_batch_iter_t it;
    kgw_batch_t b;
    kgw_batch_kind_t k;
    char err[256];
    kgw_batch_iter_init(&it, data, size);
    while ((k = kgw_batch_iter_next(&it, &b, err, sizeof(err))) != KGW_BATCH_END) {
        if (k != KGW_BATCH_V2)
            continue;
        (void)kgw_batch_verify_crc(&b, err, sizeof(err));
        int n = walk_records(&b, &scratch, NULL);
        if (n < 0 || kgw_batch_is_control(&b))
            continue;
        bool changed = false;
        out.len = 0;
        if (kgw_batch_edit_headers(&b, ops, nops, &scratch, &out, &changed, err, sizeof(err)) !=
            0) {
            /* Only the codec can fail on a batch whose records parsed. */
            if (kgw_batch_codec(&b) == KGW_COMPRESSION_NONE)
                abort();
            continue;
        }
        if (!changed) {
            if (out.len != b.len || memcmp(out.data, b.data, b.len) != 0)
                abort();
            continue;
        }
        kgw_batch_iter_t it2;
        kgw_batch_t e;
        kgw_batch_iter_init(&it2, out.data, out.len);
        if (kgw_batch_iter_next(&it2, &e, err, sizeof(err)) != KGW_BATCH_V2)
            abort();
        if (e.len != out.len || kgw_batch_verify_crc(&e, err, sizeof(err)) != 0)
            abort();
        if (e.hdr.records_count != b.hdr.records_count || e.hdr.attributes != b.hdr.attributes ||
            e.hdr.base_offset != b.hdr.base_offset)
            abort();
        if (walk_records(&e, &scratch2, "fz") != n)
            abort();
    }
    return 0;
}
