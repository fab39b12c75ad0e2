/*
 * Kafka wire primitives: big-endian integers, varints (edge values, overlong
 * and truncated encodings), strings, bytes and array lengths (negative,
 * null, longer than the input), the growable writer and the arena.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "wire.h"

static kgw_codec_error_t err;

static kgw_wire_reader_t
reader(const uint8_t *p, size_t len)
{
    kgw_wire_reader_t r;
    kgw_codec_error_clear(&err);
    kgw_wire_reader_init(&r, p, len, &err);
    return r;
}

START_TEST(test_fixed_width_integers)
{
    const uint8_t in[] = {0xff, 0x80, 0x01, 0xfe, 0xdc, 0xba, 0x98, 0x01, 0x02, 0x03, 0x04, 0x05,
                          0x06, 0x07, 0x08, 0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    kgw_wire_reader_t r = reader(in, sizeof(in));
    int8_t i8;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    double d;
    ck_assert_int_eq(kgw_wire_read_int8(&r, &i8), 0);
    ck_assert_int_eq(i8, -1);
    ck_assert_int_eq(kgw_wire_read_int16(&r, &i16), 0);
    ck_assert_int_eq(i16, (int16_t)0x8001);
    ck_assert_int_eq(kgw_wire_read_int32(&r, &i32), 0);
    ck_assert_int_eq(i32, (int32_t)0xfedcba98);
    ck_assert_int_eq(kgw_wire_read_int64(&r, &i64), 0);
    ck_assert(i64 == 0x0102030405060708LL);
    ck_assert_int_eq(kgw_wire_read_float64(&r, &d), 0);
    ck_assert(d == 1.5);
    ck_assert_uint_eq(kgw_wire_remaining(&r), 0);
    /* Nothing left: every reader fails, names the need and leaves off alone. */
    ck_assert_int_eq(kgw_wire_read_int8(&r, &i8), -1);
    ck_assert_str_eq(err.msg, "int8 needs 1 bytes but 0 remain at offset 23");
    ck_assert_int_eq(kgw_wire_read_int64(&r, &i64), -1);
    ck_assert_uint_eq(r.off, 23);

    r = reader(in, 3);
    uint16_t u16;
    uint32_t u32;
    ck_assert_int_eq(kgw_wire_read_uint16(&r, &u16), 0);
    ck_assert_uint_eq(u16, 0xff80);
    ck_assert_int_eq(kgw_wire_read_uint32(&r, &u32), -1);
    ck_assert_uint_eq(err.offset, 2);
    bool b;
    r = reader((const uint8_t *)"\x00\x02", 2);
    ck_assert_int_eq(kgw_wire_read_bool(&r, &b), 0);
    ck_assert(!b);
    ck_assert_int_eq(kgw_wire_read_bool(&r, &b), 0);
    ck_assert(b); /* any non-zero byte is true, as in Kafka */
}
END_TEST

static void
uvarint_round_trip(uint32_t v, size_t expect_len)
{
    kgw_wbuf_t w;
    kgw_wbuf_init(&w, &err);
    ck_assert_int_eq(kgw_wbuf_put_uvarint(&w, v), 0);
    ck_assert_uint_eq(w.len, expect_len);
    ck_assert_uint_eq(kgw_uvarint_size(v), expect_len);
    kgw_wire_reader_t r = reader(w.buf, w.len);
    uint32_t back;
    ck_assert_int_eq(kgw_wire_read_uvarint(&r, &back), 0);
    ck_assert_uint_eq(back, v);
    ck_assert_uint_eq(r.off, expect_len);
    /* Every truncation fails without moving. */
    for (size_t cut = 0; cut < w.len; cut++) {
        r = reader(w.buf, cut);
        ck_assert_int_eq(kgw_wire_read_uvarint(&r, &back), -1);
        ck_assert_uint_eq(r.off, 0);
    }
    kgw_wbuf_free(&w);
}

START_TEST(test_uvarint_edges)
{
    uvarint_round_trip(0, 1);
    uvarint_round_trip(1, 1);
    uvarint_round_trip(127, 1);
    uvarint_round_trip(128, 2);
    uvarint_round_trip(16383, 2);
    uvarint_round_trip(16384, 3);
    uvarint_round_trip(2097151, 3);
    uvarint_round_trip(2097152, 4);
    uvarint_round_trip(268435455, 4);
    uvarint_round_trip(268435456, 5);
    uvarint_round_trip(UINT32_MAX, 5);
    const uint8_t known[] = {0xac, 0x02}; /* 300 */
    kgw_wire_reader_t r = reader(known, sizeof(known));
    uint32_t v;
    ck_assert_int_eq(kgw_wire_read_uvarint(&r, &v), 0);
    ck_assert_uint_eq(v, 300);
}
END_TEST

START_TEST(test_overlong_varints)
{
    uint32_t v;
    /* Six bytes for a 32-bit varint. */
    const uint8_t six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    kgw_wire_reader_t r = reader(six, sizeof(six));
    ck_assert_int_eq(kgw_wire_read_uvarint(&r, &v), -1);
    ck_assert_str_eq(err.msg, "varint longer than 5 bytes (or above 32 bits) at offset 0");
    ck_assert_uint_eq(r.off, 0);
    /* Five bytes whose last carries bits above 32. */
    const uint8_t big[] = {0xff, 0xff, 0xff, 0xff, 0x1f};
    r = reader(big, sizeof(big));
    ck_assert_int_eq(kgw_wire_read_uvarint(&r, &v), -1);
    /* Truncated: continuation bit on the last byte present. */
    const uint8_t cut[] = {0x80, 0x80};
    r = reader(cut, sizeof(cut));
    ck_assert_int_eq(kgw_wire_read_uvarint(&r, &v), -1);
    ck_assert_str_eq(err.msg, "varint truncated after 2 bytes at offset 0");
    /* varlong: 10 bytes max, the tenth may only carry one bit. */
    uint8_t eleven[11];
    memset(eleven, 0x80, sizeof(eleven));
    eleven[10] = 0x01;
    uint64_t u64;
    r = reader(eleven, sizeof(eleven));
    ck_assert_int_eq(kgw_wire_read_uvarlong(&r, &u64), -1);
    uint8_t ten[10];
    memset(ten, 0xff, sizeof(ten));
    ten[9] = 0x01;
    r = reader(ten, sizeof(ten));
    ck_assert_int_eq(kgw_wire_read_uvarlong(&r, &u64), 0);
    ck_assert(u64 == UINT64_MAX);
    ten[9] = 0x02;
    r = reader(ten, sizeof(ten));
    ck_assert_int_eq(kgw_wire_read_uvarlong(&r, &u64), -1);
}
END_TEST

START_TEST(test_zigzag)
{
    const int32_t ints[] = {0, -1, 1, -2, 63, -64, 64, INT32_MAX, INT32_MIN};
    const size_t int_lens[] = {1, 1, 1, 1, 1, 1, 2, 5, 5};
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        kgw_wbuf_t w;
        kgw_wbuf_init(&w, &err);
        ck_assert_int_eq(kgw_wbuf_put_varint(&w, ints[i]), 0);
        ck_assert_uint_eq(w.len, int_lens[i]);
        kgw_wire_reader_t r = reader(w.buf, w.len);
        int32_t back;
        ck_assert_int_eq(kgw_wire_read_varint(&r, &back), 0);
        ck_assert_int_eq(back, ints[i]);
        kgw_wbuf_free(&w);
    }
    const int64_t longs[] = {0, -1, 1, INT64_MAX, INT64_MIN, -1234567890123LL};
    for (size_t i = 0; i < sizeof(longs) / sizeof(longs[0]); i++) {
        kgw_wbuf_t w;
        kgw_wbuf_init(&w, &err);
        ck_assert_int_eq(kgw_wbuf_put_varlong(&w, longs[i]), 0);
        kgw_wire_reader_t r = reader(w.buf, w.len);
        int64_t back;
        ck_assert_int_eq(kgw_wire_read_varlong(&r, &back), 0);
        ck_assert(back == longs[i]);
        ck_assert_uint_eq(r.off, w.len);
        kgw_wbuf_free(&w);
    }
    /* -1 is a single 0x01 byte. */
    const uint8_t one[] = {0x01};
    kgw_wire_reader_t r = reader(one, 1);
    int32_t v;
    ck_assert_int_eq(kgw_wire_read_varint(&r, &v), 0);
    ck_assert_int_eq(v, -1);
}
END_TEST

START_TEST(test_strings)
{
    kgw_str_t s;
    /* Classic: int16 length. */
    const uint8_t classic[] = {0x00, 0x02, 'h', 'i', 0xff, 0xff};
    kgw_wire_reader_t r = reader(classic, sizeof(classic));
    ck_assert_int_eq(kgw_wire_read_string(&r, false, false, &s), 0);
    ck_assert_int_eq(s.len, 2);
    ck_assert_ptr_eq(s.ptr, (const char *)classic + 2); /* zero copy */
    /* -1 is null only where nullable. */
    size_t at = r.off;
    ck_assert_int_eq(kgw_wire_read_string(&r, false, false, &s), -1);
    ck_assert_str_eq(err.msg, "null string in a non-nullable field at offset 4");
    ck_assert_uint_eq(r.off, at);
    ck_assert_int_eq(kgw_wire_read_string(&r, false, true, &s), 0);
    ck_assert_int_eq(s.len, -1);
    ck_assert_ptr_null(s.ptr);
    /* Negative lengths other than -1 are errors. */
    const uint8_t neg[] = {0xff, 0xfe};
    r = reader(neg, sizeof(neg));
    ck_assert_int_eq(kgw_wire_read_string(&r, false, true, &s), -1);
    ck_assert_str_eq(err.msg, "negative string length -2 at offset 0");
    /* A length beyond the input is never trusted. */
    const uint8_t longer[] = {0x7f, 0xff, 'a'};
    r = reader(longer, sizeof(longer));
    ck_assert_int_eq(kgw_wire_read_string(&r, false, true, &s), -1);
    ck_assert_str_eq(err.msg, "string length 32767 exceeds remaining 1 bytes at offset 0");
    /* Compact: uvarint N+1, 0 = null. */
    const uint8_t compact[] = {0x03, 'o', 'k', 0x00, 0x01};
    r = reader(compact, sizeof(compact));
    ck_assert_int_eq(kgw_wire_read_string(&r, true, false, &s), 0);
    ck_assert_int_eq(s.len, 2);
    ck_assert_int_eq(kgw_wire_read_string(&r, true, false, &s), -1);
    ck_assert_int_eq(kgw_wire_read_string(&r, true, true, &s), 0);
    ck_assert_int_eq(s.len, -1);
    ck_assert_int_eq(kgw_wire_read_string(&r, true, true, &s), 0);
    ck_assert_int_eq(s.len, 0);
    /* Compact length with a huge varint. */
    const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    r = reader(huge, sizeof(huge));
    ck_assert_int_eq(kgw_wire_read_string(&r, true, true, &s), -1);

    /* Writing: classic strings above the int16 range are refused. */
    kgw_wbuf_t w;
    kgw_wbuf_init(&w, &err);
    ck_assert_int_eq(kgw_wbuf_put_string(&w, false, (kgw_str_t){"x", 40000}), -1);
    ck_assert(w.failed);
    ck_assert_int_eq(kgw_wbuf_put_string(&w, true, (kgw_str_t){"x", 32768}), -1);
    /* Compact strings above 32767 bytes are refused on read as well. */
    uint8_t *big = calloc(1, 32772);
    ck_assert_ptr_nonnull(big);
    big[0] = 0x82; /* uvarint 32770 = 0x82 0x80 0x02 -> length 32769 */
    big[1] = 0x80;
    big[2] = 0x02;
    r = reader(big, 32772);
    ck_assert_int_eq(kgw_wire_read_string(&r, true, true, &s), -1);
    ck_assert_str_eq(err.msg, "string length 32769 exceeds 32767 at offset 0");
    ck_assert_uint_eq(r.off, 0);
    big[0] = 0x80; /* 32768 -> length 32767 is fine */
    r = reader(big, 32772);
    ck_assert_int_eq(kgw_wire_read_string(&r, true, true, &s), 0);
    ck_assert_int_eq(s.len, 32767);
    free(big);
    kgw_wbuf_reset(&w);
    ck_assert_int_eq(kgw_wbuf_put_string(&w, true, (kgw_str_t){NULL, -1}), 0);
    ck_assert_int_eq(kgw_wbuf_put_string(&w, false, (kgw_str_t){"ab", 2}), 0);
    ck_assert_uint_eq(w.len, 5);
    ck_assert(memcmp(w.buf,
                     "\x00\x00\x02"
                     "ab",
                     5) == 0);
    kgw_wbuf_free(&w);
}
END_TEST

START_TEST(test_bytes_and_arrays)
{
    kgw_bytes_t b;
    const uint8_t classic[] = {0x00, 0x00, 0x00, 0x01, 0xaa, 0xff, 0xff, 0xff, 0xff};
    kgw_wire_reader_t r = reader(classic, sizeof(classic));
    ck_assert_int_eq(kgw_wire_read_bytes(&r, false, false, &b), 0);
    ck_assert_int_eq(b.len, 1);
    ck_assert_int_eq(b.ptr[0], 0xaa);
    ck_assert_int_eq(kgw_wire_read_bytes(&r, false, true, &b), 0);
    ck_assert_int_eq(b.len, -1);
    const uint8_t neg[] = {0x80, 0x00, 0x00, 0x00};
    r = reader(neg, sizeof(neg));
    ck_assert_int_eq(kgw_wire_read_bytes(&r, false, true, &b), -1);
    ck_assert_str_eq(err.msg, "negative bytes length -2147483648 at offset 0");

    int32_t n;
    /* Array counts are bounded by the remaining bytes. */
    const uint8_t arr[] = {0x00, 0x00, 0x00, 0x03, 0x01, 0x02};
    r = reader(arr, sizeof(arr));
    ck_assert_int_eq(kgw_wire_read_array_len(&r, false, false, &n), -1);
    ck_assert_str_eq(err.msg, "array length 3 exceeds remaining 2 bytes at offset 0");
    const uint8_t two[] = {0x00, 0x00, 0x00, 0x02, 0x01, 0x02};
    r = reader(two, sizeof(two));
    ck_assert_int_eq(kgw_wire_read_array_len(&r, false, false, &n), 0);
    ck_assert_int_eq(n, 2);
    const uint8_t null_arr[] = {0xff, 0xff, 0xff, 0xff};
    r = reader(null_arr, sizeof(null_arr));
    ck_assert_int_eq(kgw_wire_read_array_len(&r, false, false, &n), -1);
    ck_assert_int_eq(kgw_wire_read_array_len(&r, false, true, &n), 0);
    ck_assert_int_eq(n, -1);
    const uint8_t neg_arr[] = {0xff, 0xff, 0xff, 0xfe};
    r = reader(neg_arr, sizeof(neg_arr));
    ck_assert_int_eq(kgw_wire_read_array_len(&r, false, true, &n), -1);
    ck_assert_str_eq(err.msg, "negative array length -2 at offset 0");
    /* Compact: 0 null, 1 empty, N+1. */
    const uint8_t compact[] = {0x00, 0x01, 0x02, 0x09};
    r = reader(compact, sizeof(compact));
    ck_assert_int_eq(kgw_wire_read_array_len(&r, true, true, &n), 0);
    ck_assert_int_eq(n, -1);
    ck_assert_int_eq(kgw_wire_read_array_len(&r, true, true, &n), 0);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(kgw_wire_read_array_len(&r, true, true, &n), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(kgw_wire_read_array_len(&r, true, true, &n), -1);
}
END_TEST

START_TEST(test_wbuf_growth_and_patch)
{
    kgw_wbuf_t w;
    kgw_wbuf_init(&w, &err);
    ck_assert_int_eq(kgw_wbuf_put_int32(&w, 0), 0);
    for (int i = 0; i < 100000; i++) {
        ck_assert_int_eq(kgw_wbuf_put_int8(&w, (int8_t)i), 0);
    }
    ck_assert_int_eq(kgw_wbuf_put_int32_at(&w, 0, (int32_t)(w.len - 4)), 0);
    kgw_wire_reader_t r = reader(w.buf, w.len);
    int32_t size;
    ck_assert_int_eq(kgw_wire_read_int32(&r, &size), 0);
    ck_assert_int_eq(size, 100000);
    ck_assert_int_eq(w.buf[4 + 99999], (uint8_t)99999);
    /* Patching past the end is refused. */
    ck_assert_int_eq(kgw_wbuf_put_int32_at(&w, w.len - 3, 1), -1);
    ck_assert(w.failed);
    /* Insert moves the tail. */
    kgw_wbuf_reset(&w);
    ck_assert_int_eq(kgw_wbuf_append(&w, "acd", 3), 0);
    ck_assert_int_eq(kgw_wbuf_insert(&w, 1, "b", 1), 0);
    ck_assert(memcmp(w.buf, "abcd", 4) == 0);
    ck_assert_int_eq(kgw_wbuf_insert(&w, 9, "x", 1), -1);
    kgw_uuid_t u;
    for (int i = 0; i < 16; i++) {
        u.b[i] = (uint8_t)i;
    }
    kgw_wbuf_reset(&w);
    ck_assert_int_eq(kgw_wbuf_put_uuid(&w, &u), 0);
    r = reader(w.buf, w.len);
    kgw_uuid_t back;
    ck_assert_int_eq(kgw_wire_read_uuid(&r, &back), 0);
    ck_assert(memcmp(&u, &back, 16) == 0);
    kgw_wbuf_free(&w);
}
END_TEST

START_TEST(test_arena)
{
    kgw_arena_t *a = kgw_arena_new(64);
    ck_assert_ptr_nonnull(a);
    /* Many allocations across blocks, each aligned and independent. */
    uint64_t *ptrs[1000];
    for (int i = 0; i < 1000; i++) {
        ptrs[i] = kgw_arena_alloc(a, sizeof(uint64_t) * (size_t)(1 + i % 7));
        ck_assert_ptr_nonnull(ptrs[i]);
        ck_assert_uint_eq((uintptr_t)ptrs[i] % _Alignof(max_align_t), 0);
        ptrs[i][0] = (uint64_t)i;
    }
    for (int i = 0; i < 1000; i++) {
        ck_assert_uint_eq(ptrs[i][0], (uint64_t)i);
    }
    ck_assert_uint_gt(kgw_arena_footprint(a), 64);
    void *big = kgw_arena_alloc(a, 1 << 20);
    ck_assert_ptr_nonnull(big);
    memset(big, 1, 1 << 20);
    ck_assert_ptr_null(kgw_arena_alloc(a, (size_t)1 << 40));
    ck_assert_ptr_null(kgw_arena_calloc(a, SIZE_MAX / 2, 4));
    uint8_t *z = kgw_arena_calloc(a, 10, 10);
    ck_assert_ptr_nonnull(z);
    for (int i = 0; i < 100; i++) {
        ck_assert_int_eq(z[i], 0);
    }
    char *dup = kgw_arena_memdup(a, "hello", 6);
    ck_assert_str_eq(dup, "hello");
    kgw_arena_reset(a);
    ck_assert_uint_eq(kgw_arena_footprint(a), 64);
    ck_assert_ptr_nonnull(kgw_arena_alloc(a, 0));
    kgw_arena_free(a);
    kgw_arena_free(NULL);
}
END_TEST

static Suite *
wire_suite(void)
{
    Suite *s = suite_create("wire");
    TCase *tc = tcase_create("wire");
    tcase_add_test(tc, test_fixed_width_integers);
    tcase_add_test(tc, test_uvarint_edges);
    tcase_add_test(tc, test_overlong_varints);
    tcase_add_test(tc, test_zigzag);
    tcase_add_test(tc, test_strings);
    tcase_add_test(tc, test_bytes_and_arrays);
    tcase_add_test(tc, test_wbuf_growth_and_patch);
    tcase_add_test(tc, test_arena);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(wire_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
