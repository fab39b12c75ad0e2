/* SASL PLAIN: well-formed messages, every malformed shape refused with a
 * reason that never contains the password, builder round trip, and the
 * constant-time password comparison. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sasl_plain.h"

static int
parse(const char *msg, size_t len, kgw_sasl_plain_t *out, char *err, size_t errlen)
{
    return kgw_sasl_plain_parse((const uint8_t *)msg, len, out, err, errlen);
}

START_TEST(test_parse_valid)
{
    kgw_sasl_plain_t p;
    char err[256] = "";
    ck_assert_int_eq(parse("\0alice\0s3cret", 13, &p, err, sizeof(err)), 0);
    ck_assert_str_eq(p.authzid, "");
    ck_assert_str_eq(p.user, "alice");
    ck_assert_str_eq(p.password, "s3cret");

    /* authzid equal to the user is accepted; UTF-8 names are kept as is. */
    ck_assert_int_eq(parse("alice\0alice\0pw", 14, &p, err, sizeof(err)), 0);
    ck_assert_str_eq(p.authzid, "alice");
    const char utf8[] = "\0J\xc3\xbcrgen\0p\xc3\xa4ss";
    ck_assert_int_eq(parse(utf8, sizeof(utf8) - 1, &p, err, sizeof(err)), 0);
    ck_assert_str_eq(p.user, "J\xc3\xbcrgen");
    ck_assert_str_eq(p.password, "p\xc3\xa4ss");
}
END_TEST

START_TEST(test_parse_malformed)
{
    static const struct {
        const char *msg;
        size_t len;
        const char *reason;
    } cases[] = {
        {"", 0, "empty message"},
        {"alicehunter2", 12, "found 0 NUL"},
        {"\0alicehunter2", 13, "found 1 NUL"},
        {"\0alice\0hunter2\0", 15, "more than two NUL"},
        {"\0alice\0hunter2\0x", 16, "more than two NUL"},
        {"\0\0hunter2", 9, "empty user"},
        {"\0alice\0", 7, "empty password"},
        {"bob\0alice\0hunter2", 17, "authzid \"bob\" differs from user \"alice\""},
        {"\0al\xffice\0hunter2", 14, "authcid (user) is not valid UTF-8"},
        {"\0alice\0hunt\xc0\xafr2", 15, "password is not valid UTF-8"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        kgw_sasl_plain_t p;
        char err[256] = "";
        ck_assert_int_eq(parse(cases[i].msg, cases[i].len, &p, err, sizeof(err)), -1);
        ck_assert_msg(strstr(err, cases[i].reason) != NULL, "case %zu: \"%s\" lacks \"%s\"", i, err,
                      cases[i].reason);
        ck_assert_msg(strstr(err, "hunter2") == NULL, "case %zu leaks the password: %s", i, err);
        ck_assert_str_eq(p.user, ""); /* nothing left behind on failure */
        ck_assert_str_eq(p.password, "");
    }
}
END_TEST

START_TEST(test_parse_length_bounds)
{
    char msg[2 + 2 * 300];
    kgw_sasl_plain_t p;
    char err[256] = "";
    /* 255-byte user is fine, 256 is refused naming the length. */
    memset(msg, 'u', sizeof(msg));
    msg[0] = '\0';
    msg[1 + 255] = '\0';
    ck_assert_int_eq(parse(msg, 1 + 255 + 1 + 3, &p, err, sizeof(err)), 0);
    ck_assert_uint_eq(strlen(p.user), 255);
    memset(msg, 'u', sizeof(msg));
    msg[0] = '\0';
    msg[1 + 256] = '\0';
    ck_assert_int_eq(parse(msg, 1 + 256 + 1 + 3, &p, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "authcid (user) is 256 bytes, at most 255"));
    /* A 300-byte password is refused without being quoted. */
    memset(msg, 'p', sizeof(msg));
    msg[0] = '\0';
    msg[1] = 'a';
    msg[2] = '\0';
    ck_assert_int_eq(parse(msg, 3 + 300, &p, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "password is 300 bytes"));
    ck_assert_ptr_null(strstr(err, "ppp"));
}
END_TEST

START_TEST(test_build_round_trip)
{
    char err[256] = "";
    size_t n = 0;
    uint8_t *tok = kgw_sasl_plain_build("gateway", "pa ss,=", &n, err, sizeof(err));
    ck_assert_ptr_nonnull(tok);
    ck_assert_uint_eq(n, 1 + 7 + 1 + 7);
    ck_assert_int_eq(memcmp(tok, "\0gateway\0pa ss,=", n), 0);
    kgw_sasl_plain_t p;
    ck_assert_int_eq(kgw_sasl_plain_parse(tok, n, &p, err, sizeof(err)), 0);
    ck_assert_str_eq(p.user, "gateway");
    ck_assert_str_eq(p.password, "pa ss,=");
    kgw_sasl_plain_wipe(tok, n);
    free(tok);

    ck_assert_ptr_null(kgw_sasl_plain_build("", "x", &n, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "non-empty"));
    ck_assert_ptr_null(kgw_sasl_plain_build("u", "", &n, err, sizeof(err)));
    char longpw[300];
    memset(longpw, 'x', sizeof(longpw) - 1);
    longpw[sizeof(longpw) - 1] = '\0';
    ck_assert_ptr_null(kgw_sasl_plain_build("u", longpw, &n, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "password is longer than 255"));
}
END_TEST

START_TEST(test_password_equal)
{
    ck_assert(kgw_sasl_plain_password_equal("hunter2", "hunter2"));
    ck_assert(!kgw_sasl_plain_password_equal("hunter2", "hunter3"));
    ck_assert(!kgw_sasl_plain_password_equal("hunter", "hunter2"));
    ck_assert(!kgw_sasl_plain_password_equal("", "hunter2"));
    ck_assert(!kgw_sasl_plain_password_equal(NULL, "hunter2"));
}
END_TEST

static Suite *
sasl_plain_suite(void)
{
    Suite *s = suite_create("sasl_plain");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_parse_valid);
    tcase_add_test(tc, test_parse_malformed);
    tcase_add_test(tc, test_parse_length_bounds);
    tcase_add_test(tc, test_build_round_trip);
    tcase_add_test(tc, test_password_equal);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(sasl_plain_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
