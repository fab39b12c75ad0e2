/* Record batch micro-benchmarks (one thread): record iteration, header
 * set+remove rebuild on uncompressed, zstd and lz4 batches, and CRC-32C with
 * the SSE4.2 instruction vs the table. Prints MB/s (1 MB = 1e6 bytes);
 * rebuild figures are given per uncompressed record byte. Each figure uses
 * the fastest of many repetitions, measured in thread CPU time, so that a
 * shared, loaded machine disturbs it less. Not a test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compression.h"
#include "crc32c.h"
#include "record_batch.h"

#define BATCH_BYTES (1u << 20)
#define MIN_SECONDS 0.4
#define MAX_ROUNDS 100000

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, const char *err)
{
    fprintf(stderr, "bench_records: %s: %s\n", what, err);
    exit(1);
}

/* A ~1 MB batch of records with value_size-byte values, a 16-byte key and two
 * headers (trace-id, internal). Values are hex digits from a pseudo-random
 * generator (4 bits of entropy per byte: compressors get about 2:1), each
 * record a different slice. Returns the uncompressed records size. */
static size_t
make_batch(kgw_compression_t codec, size_t value_size, kgw_buf_t *out)
{
    size_t per = value_size + 60;
    size_t n = BATCH_BYTES / per;
    kgw_record_spec_t *specs = calloc(n, sizeof(*specs));
    size_t pool = BATCH_BYTES + value_size;
    uint8_t *values = malloc(pool);
    if (specs == NULL || values == NULL)
        die("make_batch", "out of memory");
    uint32_t x = 12345;
    for (size_t i = 0; i < pool; i++) {
        x = x * 1103515245u + 12345u;
        values[i] = (uint8_t) "0123456789abcdef"[(x >> 16) & 15];
    }
    static const kgw_header_t headers[2] = {
        {(const uint8_t *)"trace-id", 8, (const uint8_t *)"0123456789abcdef", 16},
        {(const uint8_t *)"internal", 8, (const uint8_t *)"yes", 3}};
    for (size_t i = 0; i < n; i++) {
        specs[i].timestamp = 1700000000000LL + (int64_t)i;
        specs[i].key = (const uint8_t *)"key-0123456789ab";
        specs[i].key_len = 16;
        specs[i].value = values + (i * 997) % BATCH_BYTES;
        specs[i].value_len = value_size;
        specs[i].headers = headers;
        specs[i].header_count = 2;
    }
    kgw_batch_options_t o;
    kgw_batch_options_default(&o);
    o.codec = codec;
    kgw_batch_scratch_t scratch = {0};
    char err[256];
    if (kgw_batch_build(&o, specs, n, &scratch, out, err, sizeof(err)) != 0)
        die("build", err);
    size_t plain = scratch.edit.len;
    if (codec == KGW_COMPRESSION_NONE)
        plain = out->len - KGW_BATCH_HEADER_SIZE;
    kgw_batch_scratch_free(&scratch);
    free(specs);
    free(values);
    return plain;
}

static void
bench_iterate(size_t value_size)
{
    kgw_buf_t batch = {0};
    make_batch(KGW_COMPRESSION_NONE, value_size, &batch);
    kgw_batch_iter_t bi;
    kgw_batch_t b;
    char err[256];
    kgw_batch_iter_init(&bi, batch.data, batch.len);
    if (kgw_batch_iter_next(&bi, &b, err, sizeof(err)) != KGW_BATCH_V2)
        die("iterate", err);
    double start = now(), best = 1e9, sum = 0;
    long rounds = 0;
    uint64_t sink = 0;
    do {
        double t0 = now();
        kgw_record_iter_t it;
        kgw_record_t r;
        if (kgw_record_iter_init(&it, &b, NULL, 0, err, sizeof(err)) != 0)
            die("iterate", err);
        int rc;
        while ((rc = kgw_record_iter_next(&it, &r, err, sizeof(err))) == 1) {
            kgw_header_iter_t hi;
            kgw_header_t h;
            kgw_header_iter_init(&hi, &r);
            while (kgw_header_iter_next(&hi, &h))
                sink += (uint64_t)h.key_len;
            sink += (uint64_t)r.value_len;
        }
        if (rc < 0)
            die("iterate", err);
        rounds++;
        double t = now() - t0;
        best = t < best ? t : best;
        sum += t;
    } while (now() - start < MIN_SECONDS && rounds < MAX_ROUNDS);
    printf("iterate records+headers, %4zu B values, %5d records/batch: %6.0f MB/s best, %6.0f "
           "avg (%.1f M records/s)%s\n",
           value_size, b.hdr.records_count, (double)batch.len / best / 1e6,
           (double)batch.len * (double)rounds / sum / 1e6, (double)b.hdr.records_count / best / 1e6,
           sink == 0 ? "?" : "");
    kgw_buf_free(&batch);
}

static void
bench_edit(kgw_compression_t codec, size_t value_size)
{
    kgw_buf_t batch = {0}, out = {0};
    size_t plain = make_batch(codec, value_size, &batch);
    kgw_batch_iter_t bi;
    kgw_batch_t b;
    char err[256];
    kgw_batch_iter_init(&bi, batch.data, batch.len);
    if (kgw_batch_iter_next(&bi, &b, err, sizeof(err)) != KGW_BATCH_V2)
        die("edit", err);
    static const kgw_header_op_t ops[] = {
        {KGW_HEADER_SET, (const uint8_t *)"origin", 6, (const uint8_t *)"gateway", 7},
        {KGW_HEADER_REMOVE, (const uint8_t *)"internal", 8, NULL, 0},
    };
    kgw_batch_scratch_t scratch = {0};
    double start = now(), best = 1e9, sum = 0;
    long rounds = 0;
    do {
        double t0 = now();
        bool changed = false;
        out.len = 0;
        if (kgw_batch_edit_headers(&b, ops, 2, &scratch, &out, &changed, err, sizeof(err)) != 0)
            die("edit", err);
        if (!changed)
            die("edit", "nothing changed");
        rounds++;
        double t = now() - t0;
        best = t < best ? t : best;
        sum += t;
    } while (now() - start < MIN_SECONDS && rounds < MAX_ROUNDS);
    printf("set+remove header rebuild, %-4s %4zu B values: %6.0f MB/s best, %6.0f avg of records "
           "(%zu B batch, %.2f ms/batch)\n",
           kgw_compression_name(codec), value_size, (double)plain / best / 1e6,
           (double)plain * (double)rounds / sum / 1e6, batch.len, best * 1e3);
    kgw_buf_free(&batch);
    kgw_buf_free(&out);
    kgw_batch_scratch_free(&scratch);
}

static void
bench_crc(const char *name, uint32_t (*fn)(uint32_t, const void *, size_t))
{
    size_t n = BATCH_BYTES;
    uint8_t *buf = malloc(n);
    if (buf == NULL)
        die("crc", "out of memory");
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(i * 131 + 7);
    double start = now(), best = 1e9, sum = 0;
    long rounds = 0;
    uint32_t c = 0;
    do {
        double t0 = now();
        c ^= fn(c, buf, n);
        rounds++;
        double t = now() - t0;
        best = t < best ? t : best;
        sum += t;
    } while (now() - start < MIN_SECONDS && rounds < MAX_ROUNDS);
    printf("crc32c %-6s: %6.2f GB/s best, %6.2f avg (%08x)\n", name, (double)n / best / 1e9,
           (double)n * (double)rounds / sum / 1e9, c);
    free(buf);
}

int
main(void)
{
    bench_iterate(100);
    bench_iterate(1000);
    bench_edit(KGW_COMPRESSION_NONE, 100);
    bench_edit(KGW_COMPRESSION_NONE, 1000);
    bench_edit(KGW_COMPRESSION_ZSTD, 100);
    bench_edit(KGW_COMPRESSION_ZSTD, 1000);
    bench_edit(KGW_COMPRESSION_LZ4, 100);
    bench_edit(KGW_COMPRESSION_LZ4, 1000);
    if (kgw_crc32c_hw_available())
        bench_crc("sse4.2", kgw_crc32c_hw);
    else
        printf("crc32c sse4.2: not available on this CPU\n");
    bench_crc("table", kgw_crc32c_sw);
    kgw_compression_thread_cleanup();
    return 0;
}
