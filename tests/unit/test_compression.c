/* Compression codecs: round trips, the wire formats Kafka clients expect
 * (gzip wrapper, xerial snappy, independent-block lz4 frames), raw snappy
 * and content-size-less zstd input, corrupt input and decompression bombs. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
/* For ZSTD_getFrameHeader(), to check the window of the frames made here. */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include "compression.h"

static const kgw_compression_t all_codecs[] = {KGW_COMPRESSION_NONE, KGW_COMPRESSION_GZIP,
                                               KGW_COMPRESSION_SNAPPY, KGW_COMPRESSION_LZ4,
                                               KGW_COMPRESSION_ZSTD};

/* Text-like data: compressible but not trivial. */
static uint8_t *
sample(size_t n, unsigned seed)
{
    uint8_t *p = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(p);
    static const char *words[] = {"kafka ", "record ", "batch ", "header ", "gateway ", "zstd "};
    srand(seed);
    size_t i = 0;
    while (i < n) {
        const char *w = words[rand() % 6];
        for (size_t k = 0; w[k] != 0 && i < n; k++)
            p[i++] = (uint8_t)w[k];
        if (i < n && rand() % 7 == 0)
            p[i++] = (uint8_t)rand();
    }
    return p;
}

static void
round_trip(kgw_compression_t codec, const uint8_t *data, size_t n)
{
    kgw_buf_t c = {0}, d = {0};
    char err[256] = "";
    ck_assert_msg(kgw_compress(codec, data, n, &c, err, sizeof(err)) == 0, "%s: %s",
                  kgw_compression_name(codec), err);
    /* Decompression appends: a prefix already in the buffer is kept. */
    ck_assert_int_eq(kgw_buf_append(&d, "PFX", 3), 0);
    ck_assert_msg(kgw_decompress(codec, c.data, c.len, &d, n, err, sizeof(err)) == 0,
                  "%s n=%zu: %s", kgw_compression_name(codec), n, err);
    ck_assert_uint_eq(d.len, n + 3);
    ck_assert_mem_eq(d.data, "PFX", 3);
    if (n > 0)
        ck_assert_mem_eq(d.data + 3, data, n);
    kgw_buf_free(&c);
    kgw_buf_free(&d);
}

START_TEST(test_round_trip_every_codec)
{
    static const size_t sizes[] = {1, 7, 1000, 32768, 32769, 65536 + 5, 300000};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        uint8_t *p = sample(sizes[s], (unsigned)s);
        for (size_t c = 0; c < 5; c++)
            round_trip(all_codecs[c], p, sizes[s]);
        free(p);
    }
    /* Random (incompressible) bytes. */
    uint8_t *r = malloc(100000);
    ck_assert_ptr_nonnull(r);
    for (size_t i = 0; i < 100000; i++)
        r[i] = (uint8_t)(rand() >> 3);
    for (size_t c = 0; c < 5; c++)
        round_trip(all_codecs[c], r, 100000);
    free(r);
}
END_TEST

START_TEST(test_gzip_is_gzip_and_members_concatenate)
{
    kgw_buf_t c = {0}, d = {0};
    char err[256];
    ck_assert_int_eq(
        kgw_compress(KGW_COMPRESSION_GZIP, (const uint8_t *)"hello ", 6, &c, err, sizeof(err)), 0);
    ck_assert_uint_eq(c.data[0], 0x1f); /* gzip magic, as GZIPOutputStream writes */
    ck_assert_uint_eq(c.data[1], 0x8b);
    ck_assert_int_eq(
        kgw_compress(KGW_COMPRESSION_GZIP, (const uint8_t *)"world", 5, &c, err, sizeof(err)), 0);
    ck_assert_int_eq(kgw_decompress(KGW_COMPRESSION_GZIP, c.data, c.len, &d, 100, err, sizeof(err)),
                     0);
    ck_assert_uint_eq(d.len, 11);
    ck_assert_mem_eq(d.data, "hello world", 11);
    kgw_buf_free(&c);
    kgw_buf_free(&d);
}
END_TEST

START_TEST(test_snappy_writes_xerial_and_reads_raw)
{
    size_t n = 100000;
    uint8_t *p = sample(n, 7);
    kgw_buf_t c = {0}, d = {0};
    char err[256];
    ck_assert_int_eq(kgw_compress(KGW_COMPRESSION_SNAPPY, p, n, &c, err, sizeof(err)), 0);
    static const uint8_t hdr[16] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
    ck_assert_mem_eq(c.data, hdr, 16);
    /* 100000 bytes in 32 KiB blocks: 4 blocks, each int32 BE length + raw. */
    size_t pos = 16, blocks = 0, total = 0;
    while (pos < c.len) {
        uint32_t bl = (uint32_t)c.data[pos] << 24 | (uint32_t)c.data[pos + 1] << 16 |
                      (uint32_t)c.data[pos + 2] << 8 | c.data[pos + 3];
        size_t ul = 0;
        ck_assert_int_eq(snappy_uncompressed_length((const char *)c.data + pos + 4, bl, &ul),
                         SNAPPY_OK);
        total += ul;
        pos += 4 + bl;
        blocks++;
    }
    ck_assert_uint_eq(pos, c.len);
    ck_assert_uint_eq(blocks, 4);
    ck_assert_uint_eq(total, n);

    /* Raw snappy, as librdkafka producers write it. */
    size_t rl = snappy_max_compressed_length(n);
    char *raw = malloc(rl);
    ck_assert_ptr_nonnull(raw);
    ck_assert_int_eq(snappy_compress((const char *)p, n, raw, &rl), SNAPPY_OK);
    ck_assert_int_eq(
        kgw_decompress(KGW_COMPRESSION_SNAPPY, (uint8_t *)raw, rl, &d, n, err, sizeof(err)), 0);
    ck_assert_uint_eq(d.len, n);
    ck_assert_mem_eq(d.data, p, n);

    /* A xerial block length running past the end is named. */
    c.data[16] = 0x7f;
    d.len = 0;
    ck_assert_int_eq(kgw_decompress(KGW_COMPRESSION_SNAPPY, c.data, c.len, &d, n, err, sizeof(err)),
                     -1);
    ck_assert_msg(strstr(err, "xerial block length") != NULL, "%s", err);
    ck_assert_uint_eq(d.len, 0);
    free(raw);
    free(p);
    kgw_buf_free(&c);
    kgw_buf_free(&d);
}
END_TEST

START_TEST(test_lz4_frame_is_what_kafka_reads)
{
    uint8_t *p = sample(200000, 3);
    kgw_buf_t c = {0};
    char err[256];
    ck_assert_int_eq(kgw_compress(KGW_COMPRESSION_LZ4, p, 200000, &c, err, sizeof(err)), 0);
    ck_assert_uint_eq(c.data[0], 0x04); /* magic 0x184D2204, little-endian */
    ck_assert_uint_eq(c.data[1], 0x22);
    ck_assert_uint_eq(c.data[2], 0x4d);
    ck_assert_uint_eq(c.data[3], 0x18);
    /* FLG: version 01, independent blocks, no checksums, no content size,
     * no dictionary; BD: 64 KiB blocks. */
    ck_assert_uint_eq(c.data[4], 0x60);
    ck_assert_uint_eq(c.data[5], 0x40);
    free(p);
    kgw_buf_free(&c);
}
END_TEST

START_TEST(test_zstd_without_content_size)
{
    size_t n = 500000;
    uint8_t *p = sample(n, 11);
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    ck_assert_ptr_nonnull(cctx);
    ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0)));
    size_t cap = ZSTD_compressBound(n);
    uint8_t *z = malloc(cap);
    ck_assert_ptr_nonnull(z);
    /* Streamed in pieces, as a Java ZstdOutputStream does. */
    ZSTD_outBuffer ob = {z, cap, 0};
    for (size_t off = 0; off < n; off += 10000) {
        ZSTD_inBuffer ib = {p + off, 10000, 0};
        while (ib.pos < ib.size)
            ck_assert(!ZSTD_isError(ZSTD_compressStream2(cctx, &ob, &ib, ZSTD_e_continue)));
    }
    ZSTD_inBuffer empty = {NULL, 0, 0};
    size_t left;
    do {
        left = ZSTD_compressStream2(cctx, &ob, &empty, ZSTD_e_end);
        ck_assert(!ZSTD_isError(left));
    } while (left != 0);
    ck_assert(ZSTD_getFrameContentSize(z, ob.pos) == ZSTD_CONTENTSIZE_UNKNOWN);
    kgw_buf_t d = {0};
    char err[256];
    ck_assert_msg(kgw_decompress(KGW_COMPRESSION_ZSTD, z, ob.pos, &d, n, err, sizeof(err)) == 0,
                  "%s", err);
    ck_assert_uint_eq(d.len, n);
    ck_assert_mem_eq(d.data, p, n);
    ZSTD_freeCCtx(cctx);
    free(z);
    free(p);
    kgw_buf_free(&d);
}
END_TEST

/* Compresses n bytes of p as one streamed zstd frame with the given window
 * log and no content size; returns malloc'd bytes and sets *zn. */
static uint8_t *
zstd_stream_frame(const uint8_t *p, size_t n, int wlog, size_t *zn)
{
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    ck_assert_ptr_nonnull(cctx);
    ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0)));
    ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, wlog)));
    size_t cap = ZSTD_compressBound(n) + 64;
    uint8_t *z = malloc(cap);
    ck_assert_ptr_nonnull(z);
    ZSTD_outBuffer ob = {z, cap, 0};
    /* Fed in pieces, so zstd cannot shrink the window to the input size. */
    for (size_t off = 0; off < n; off += 1000) {
        ZSTD_inBuffer ib = {p + off, n - off < 1000 ? n - off : 1000, 0};
        while (ib.pos < ib.size)
            ck_assert(!ZSTD_isError(ZSTD_compressStream2(cctx, &ob, &ib, ZSTD_e_continue)));
    }
    ZSTD_inBuffer empty = {NULL, 0, 0};
    size_t left;
    do {
        left = ZSTD_compressStream2(cctx, &ob, &empty, ZSTD_e_end);
        ck_assert(!ZSTD_isError(left));
    } while (left != 0);
    ZSTD_freeCCtx(cctx);
    ZSTD_frameHeader fh;
    ck_assert_uint_eq(ZSTD_getFrameHeader(&fh, z, ob.pos), 0);
    ck_assert_uint_eq(fh.windowSize, (unsigned long long)1 << wlog);
    *zn = ob.pos;
    return z;
}

START_TEST(test_zstd_window_is_bounded)
{
    uint8_t *p = sample(5000, 2);
    kgw_buf_t d = {0};
    char err[256] = "";
    size_t zn;
    /* A 128 MiB window for 5000 bytes: refused under a 1 MiB cap before zstd
     * allocates it. */
    uint8_t *z = zstd_stream_frame(p, 5000, 27, &zn);
    ck_assert_int_eq(kgw_decompress(KGW_COMPRESSION_ZSTD, z, zn, &d, 1 << 20, err, sizeof(err)),
                     -1);
    ck_assert_str_eq(err,
                     "zstd: frame at input byte 0 needs a window over the limit of 2^23 bytes");
    free(z);
    /* An 8 MiB window (levels up to 19) is accepted even under a 1 MiB cap. */
    z = zstd_stream_frame(p, 5000, 23, &zn);
    ck_assert_msg(kgw_decompress(KGW_COMPRESSION_ZSTD, z, zn, &d, 1 << 20, err, sizeof(err)) == 0,
                  "%s", err);
    ck_assert_uint_eq(d.len, 5000);
    ck_assert_mem_eq(d.data, p, 5000);
    free(z);
    free(p);
    kgw_buf_free(&d);
}
END_TEST

START_TEST(test_gzip_ignores_trailing_garbage_like_java)
{
    kgw_buf_t c = {0}, d = {0};
    char err[256] = "";
    ck_assert_int_eq(
        kgw_compress(KGW_COMPRESSION_GZIP, (const uint8_t *)"payload", 7, &c, err, sizeof(err)), 0);
    ck_assert_int_eq(kgw_buf_append(&c, "\0\0garbage", 9), 0);
    ck_assert_msg(kgw_decompress(KGW_COMPRESSION_GZIP, c.data, c.len, &d, 100, err, sizeof(err)) ==
                      0,
                  "%s", err);
    ck_assert_uint_eq(d.len, 7);
    ck_assert_mem_eq(d.data, "payload", 7);
    kgw_buf_free(&c);
    kgw_buf_free(&d);
}
END_TEST

START_TEST(test_decompression_bomb_is_capped)
{
    size_t n = 16u << 20; /* 16 MiB of zeros */
    uint8_t *zeros = calloc(1, n);
    ck_assert_ptr_nonnull(zeros);
    for (size_t c = 0; c < 5; c++) {
        kgw_compression_t codec = all_codecs[c];
        kgw_buf_t z = {0}, d = {0};
        char err[256] = "";
        ck_assert_int_eq(kgw_compress(codec, zeros, n, &z, err, sizeof(err)), 0);
        size_t cap = 1u << 20;
        ck_assert_int_eq(kgw_decompress(codec, z.data, z.len, &d, cap, err, sizeof(err)), -1);
        ck_assert_msg(strstr(err, "exceeds the limit of 1048576 bytes") != NULL, "%s: %s",
                      kgw_compression_name(codec), err);
        ck_assert_uint_eq(d.len, 0);
        /* Memory stayed near the cap, not the 16 MiB the data claims. */
        ck_assert_msg(d.cap <= 2 * cap + 65536, "%s grew to %zu", kgw_compression_name(codec),
                      d.cap);
        /* The exact size passes. */
        kgw_buf_free(&d);
        ck_assert_msg(kgw_decompress(codec, z.data, z.len, &d, n, err, sizeof(err)) == 0, "%s: %s",
                      kgw_compression_name(codec), err);
        ck_assert_uint_eq(d.len, n);
        kgw_buf_free(&z);
        kgw_buf_free(&d);
    }
    free(zeros);
}
END_TEST

START_TEST(test_truncated_and_corrupt_input)
{
    uint8_t *p = sample(50000, 5);
    for (size_t c = 1; c < 5; c++) {
        kgw_compression_t codec = all_codecs[c];
        kgw_buf_t z = {0}, d = {0};
        char err[256] = "";
        ck_assert_int_eq(kgw_compress(codec, p, 50000, &z, err, sizeof(err)), 0);
        /* Truncated by half. */
        ck_assert_int_eq(kgw_decompress(codec, z.data, z.len / 2, &d, 1 << 20, err, sizeof(err)),
                         -1);
        ck_assert_msg(strstr(err, kgw_compression_name(codec)) == err, "%s", err);
        ck_assert_uint_eq(d.len, 0);
        /* Garbage. */
        uint8_t junk[64];
        memset(junk, 0xA5, sizeof(junk));
        ck_assert_int_eq(kgw_decompress(codec, junk, sizeof(junk), &d, 1 << 20, err, sizeof(err)),
                         -1);
        ck_assert_uint_eq(d.len, 0);
        /* Empty. */
        ck_assert_int_eq(kgw_decompress(codec, junk, 0, &d, 1 << 20, err, sizeof(err)), -1);
        kgw_buf_free(&z);
        kgw_buf_free(&d);
    }
    kgw_buf_t d = {0};
    char err[256];
    ck_assert_int_eq(kgw_decompress((kgw_compression_t)6, p, 10, &d, 100, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "unknown compression codec 6");
    ck_assert_str_eq(kgw_compression_name(6), "unknown");
    free(p);
}
END_TEST

START_TEST(test_buf_append_from_itself)
{
    kgw_buf_t b = {0};
    for (int i = 0; i < 256; i++) {
        uint8_t c = (uint8_t)i;
        ck_assert_int_eq(kgw_buf_append(&b, &c, 1), 0);
    }
    ck_assert_uint_eq(b.cap, 256);
    /* Doubling from its own bytes forces a realloc while the source is b. */
    ck_assert_int_eq(kgw_buf_append(&b, b.data, b.len), 0);
    ck_assert_uint_eq(b.len, 512);
    for (int i = 0; i < 512; i++)
        ck_assert_uint_eq(b.data[i], (uint8_t)(i % 256));
    kgw_buf_free(&b);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
}
END_TEST

static Suite *
compression_suite(void)
{
    Suite *s = suite_create("compression");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_round_trip_every_codec);
    tcase_add_test(tc, test_gzip_is_gzip_and_members_concatenate);
    tcase_add_test(tc, test_snappy_writes_xerial_and_reads_raw);
    tcase_add_test(tc, test_lz4_frame_is_what_kafka_reads);
    tcase_add_test(tc, test_zstd_without_content_size);
    tcase_add_test(tc, test_decompression_bomb_is_capped);
    tcase_add_test(tc, test_truncated_and_corrupt_input);
    tcase_add_test(tc, test_buf_append_from_itself);
    tcase_add_test(tc, test_zstd_window_is_bounded);
    tcase_add_test(tc, test_gzip_ignores_trailing_garbage_like_java);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(compression_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    kgw_compression_thread_cleanup();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
