/* Strict JSON parser: values and lookups, escapes and UTF-8, and the
 * documents a strict parser must refuse (with the byte offset named). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static kgw_arena_t *arena;

static void
setup(void)
{
    arena = kgw_arena_new(0);
    ck_assert_ptr_nonnull(arena);
}

static void
teardown(void)
{
    kgw_arena_free(arena);
}

static kgw_json_t *
ok(const char *text)
{
    kgw_json_t *v = NULL;
    char err[200] = "";
    ck_assert_msg(kgw_json_parse(arena, text, strlen(text), &v, err, sizeof(err)) == 0, "%s: %s",
                  text, err);
    return v;
}

START_TEST(test_values_and_lookup)
{
    kgw_json_t *v = ok(" {\"iss\":\"https://idp\",\"exp\":1700000000,\"aud\":[\"a\",\"b\"],"
                       "\"f\":-1.5e2,\"t\":true,\"n\":null,\"o\":{}} \n");
    ck_assert_int_eq(v->type, KGW_JSON_OBJECT);
    ck_assert_uint_eq(v->len, 7);
    ck_assert_str_eq(kgw_json_get_string(v, "iss"), "https://idp");
    const kgw_json_t *exp = kgw_json_get(v, "exp");
    ck_assert_int_eq(exp->type, KGW_JSON_NUMBER);
    ck_assert(exp->is_integer);
    ck_assert_int_eq(exp->integer, 1700000000);
    const kgw_json_t *aud = kgw_json_get(v, "aud");
    ck_assert_int_eq(aud->type, KGW_JSON_ARRAY);
    ck_assert_uint_eq(aud->len, 2);
    ck_assert_str_eq(aud->child->str, "a");
    ck_assert_str_eq(aud->child->next->str, "b");
    ck_assert_ptr_null(aud->child->next->next);
    const kgw_json_t *f = kgw_json_get(v, "f");
    ck_assert(!f->is_integer);
    ck_assert(f->number == -150.0);
    ck_assert(kgw_json_get(v, "t")->boolean);
    ck_assert_int_eq(kgw_json_get(v, "n")->type, KGW_JSON_NULL);
    ck_assert_int_eq(kgw_json_get(v, "o")->type, KGW_JSON_OBJECT);
    ck_assert_ptr_null(kgw_json_get(v, "missing"));
    ck_assert_ptr_null(kgw_json_get_string(v, "exp")); /* not a string */
    ck_assert_ptr_null(kgw_json_get(aud, "a"));        /* not an object */

    /* Scalars at the top level, and integers beyond int64 stay doubles. */
    ck_assert_int_eq(ok("0")->integer, 0);
    ck_assert_int_eq(ok("-9223372036854775808")->integer, INT64_MIN);
    ck_assert(!ok("9223372036854775808")->is_integer);
    ck_assert_str_eq(ok("\"\"")->str, "");
    ck_assert(!ok("false")->boolean);
    ck_assert_str_eq(kgw_json_type_name(KGW_JSON_ARRAY), "array");
}
END_TEST

START_TEST(test_string_escapes_and_utf8)
{
    kgw_json_t *v = ok("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00\"");
    ck_assert_str_eq(v->str, "a\"b\\c/d\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    /* Raw UTF-8 passes through; \u0000 is kept and counted in len. */
    v = ok("\"J\xc3\xbcrgen\"");
    ck_assert_str_eq(v->str, "J\xc3\xbcrgen");
    v = ok("{\"k\":\"a\\u0000b\"}");
    const kgw_json_t *k = kgw_json_get(v, "k");
    ck_assert_uint_eq(k->len, 3);
    ck_assert_ptr_null(kgw_json_get_string(v, "k")); /* embedded NUL: not a C string */

    ck_assert(kgw_json_utf8_valid((const uint8_t *)"plain", 5));
    ck_assert(kgw_json_utf8_valid((const uint8_t *)"\xf4\x8f\xbf\xbf", 4));  /* U+10FFFF */
    ck_assert(!kgw_json_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    ck_assert(!kgw_json_utf8_valid((const uint8_t *)"\xc0\xaf", 2));         /* overlong */
    ck_assert(!kgw_json_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3));     /* surrogate */
    ck_assert(!kgw_json_utf8_valid((const uint8_t *)"\xe2\x82", 2));         /* truncated */
}
END_TEST

START_TEST(test_rejects)
{
    static const struct {
        const char *text;
        const char *reason;
    } bad[] = {
        {"", "byte 0: unexpected end of input"},
        {"   ", "unexpected end of input"},
        {"{\"a\":1,}", "expected a string key"},
        {"[1,2,]", "unexpected character 0x5d"},
        {"[1 2]", "expected ',' or ']'"},
        {"{\"a\" 1}", "expected ':'"},
        {"{\"a\":1 \"b\":2}", "expected ',' or '}'"},
        {"{a:1}", "expected a string key"},
        {"{'a':1}", "expected a string key"},
        {"// c\n{}", "unexpected character 0x2f"},
        {"{} x", "byte 3: trailing data"},
        {"{}{}", "trailing data"},
        {"01", "leading zero"},
        {"-", "number needs a digit"},
        {"1.", "digit after '.'"},
        {"1e", "digit in its exponent"},
        {"+1", "unexpected character 0x2b"},
        {"NaN", "unexpected character 0x4e"},
        {"1e999", "out of range"},
        {"tru", "unknown literal"},
        {"nul", "unknown literal"},
        {"\"abc", "unterminated string"},
        {"\"a\tb\"", "raw control character 0x09"},
        {"\"\\x\"", "unknown escape \\x"},
        {"\"\\u12G4\"", "4 hex digits"},
        {"\"\\ud800\"", "without a low surrogate"},
        {"\"\\ud800\\u0041\"", "high surrogate followed by \\u0041"},
        {"\"\\udc00\"", "lone low surrogate"},
        {"\"\xff\"", "invalid UTF-8"},
        {"\"\xc0\xaf\"", "invalid UTF-8"},
        {"{\"exp\":1,\"exp\":2}", "byte 9: duplicate key \"exp\""},
        {"\xef\xbb\xbf{}", "unexpected character 0xef"}, /* no BOM */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        kgw_json_t *v = NULL;
        char err[200] = "";
        ck_assert_int_eq(
            kgw_json_parse(arena, bad[i].text, strlen(bad[i].text), &v, err, sizeof(err)), -1);
        ck_assert_msg(strstr(err, bad[i].reason) != NULL, "case %zu: \"%s\" lacks \"%s\"", i, err,
                      bad[i].reason);
        ck_assert_ptr_null(v);
    }
}
END_TEST

START_TEST(test_depth_limit_and_length)
{
    char deep[2 * (KGW_JSON_MAX_DEPTH + 2) + 1];
    size_t n = 0;
    for (int i = 0; i <= KGW_JSON_MAX_DEPTH; i++)
        deep[n++] = '[';
    for (int i = 0; i <= KGW_JSON_MAX_DEPTH; i++)
        deep[n++] = ']';
    deep[n] = '\0';
    ok(deep); /* exactly the limit */
    char deeper[sizeof(deep) + 2];
    snprintf(deeper, sizeof(deeper), "[%s]", deep);
    kgw_json_t *v;
    char err[200];
    ck_assert_int_eq(kgw_json_parse(arena, deeper, strlen(deeper), &v, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "nesting deeper than 64"));
    /* The length bounds the parse: no reading past it, no NUL needed. */
    const char buf[] = {'[', '1', ']', '9'};
    ck_assert_int_eq(kgw_json_parse(arena, buf, 3, &v, err, sizeof(err)), 0);
    ck_assert_int_eq(v->child->integer, 1);
    ck_assert_int_eq(kgw_json_parse(arena, buf, 2, &v, err, sizeof(err)), -1);
}
END_TEST

static Suite *
json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_values_and_lookup);
    tcase_add_test(tc, test_string_escapes_and_utf8);
    tcase_add_test(tc, test_rejects);
    tcase_add_test(tc, test_depth_limit_and_length);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(json_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
