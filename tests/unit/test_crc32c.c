/* CRC-32C: known vectors (RFC 3720) on both implementations, and the SSE4.2
 * and table paths agreeing on random data of every length and alignment. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"

static uint32_t
both(const void *p, size_t n)
{
    uint32_t sw = kgw_crc32c_sw(0, p, n);
    if (kgw_crc32c_hw_available())
        ck_assert_uint_eq(kgw_crc32c_hw(0, p, n), sw);
    kgw_crc32c_force_software(true);
    ck_assert_str_eq(kgw_crc32c_impl(), "table");
    ck_assert_uint_eq(kgw_crc32c(0, p, n), sw);
    kgw_crc32c_force_software(false);
    ck_assert_uint_eq(kgw_crc32c(0, p, n), sw);
    return sw;
}

START_TEST(test_rfc3720_vectors)
{
    uint8_t buf[32];
    memset(buf, 0, sizeof(buf));
    ck_assert_uint_eq(both(buf, 32), 0x8A9136AAu);
    memset(buf, 0xff, sizeof(buf));
    ck_assert_uint_eq(both(buf, 32), 0x62A8AB43u);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)i;
    ck_assert_uint_eq(both(buf, 32), 0x46DD794Eu);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)(31 - i);
    ck_assert_uint_eq(both(buf, 32), 0x113FDB5Cu);
    ck_assert_uint_eq(both("123456789", 9), 0xE3069283u);
    ck_assert_uint_eq(both("", 0), 0u);
}
END_TEST

START_TEST(test_hw_matches_table_on_random_data)
{
    /* Covers the 3-stream blocks of 3 x 256 and 3 x 8192 bytes and their edges. */
    enum { N = 3 * 3 * 8192 + 1000 };
    static const size_t big[] = {767,   768,   769,   1535,  1536,         2000,
                                 24575, 24576, 24577, 50000, 3 * 3 * 8192, N};
    uint8_t *buf = malloc(N + 16);
    ck_assert_ptr_nonnull(buf);
    srand(12345);
    for (int i = 0; i < N + 16; i++)
        buf[i] = (uint8_t)rand();
    for (size_t off = 0; off < 9; off++) {
        for (size_t n = 0; n <= 300; n++)
            both(buf + off, n);
        for (size_t k = 0; k < sizeof(big) / sizeof(big[0]); k++)
            both(buf + off, big[k]);
    }
    free(buf);
}
END_TEST

START_TEST(test_incremental_equals_one_shot)
{
    const char *s = "The quick brown fox jumps over the lazy dog";
    size_t n = strlen(s);
    uint32_t whole = kgw_crc32c(0, s, n);
    for (size_t cut = 0; cut <= n; cut++) {
        uint32_t c = kgw_crc32c(0, s, cut);
        ck_assert_uint_eq(kgw_crc32c(c, s + cut, n - cut), whole);
        c = kgw_crc32c_sw(0, s, cut);
        ck_assert_uint_eq(kgw_crc32c_sw(c, s + cut, n - cut), whole);
    }
    ck_assert_uint_eq(whole, 0x22620404u);
}
END_TEST

static Suite *
crc32c_suite(void)
{
    Suite *s = suite_create("crc32c");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_rfc3720_vectors);
    tcase_add_test(tc, test_hw_matches_table_on_random_data);
    tcase_add_test(tc, test_incremental_equals_one_shot);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(crc32c_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
