/*
 * kgw_api_versions: intersection with what the gateway decodes, Produce
 * min 0 kept, unknown keys untouched, KIP-511 downgrade answer.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "api_versions.h"
#include "codec.h"
#include "kgw_api.h"
#include "kgw_messages.h"

START_TEST(intersects_apis_the_gateway_decodes)
{
    int16_t mn, mx;
    const kgw_api_info_t *md = kgw_api_info(KGW_API_METADATA);
    /* A broker newer than the codec: max capped at what kgw decodes. */
    ck_assert(kgw_api_versions_intersect(KGW_API_METADATA, 0, md->max_version + 5, &mn, &mx));
    ck_assert_int_eq(mn, 0);
    ck_assert_int_eq(mx, md->max_version);
    /* An older broker: its own max. */
    ck_assert(kgw_api_versions_intersect(KGW_API_METADATA, 0, 2, &mn, &mx));
    ck_assert_int_eq(mx, 2);
    /* A broker range entirely above the codec's: removed. */
    ck_assert(!kgw_api_versions_intersect(KGW_API_METADATA, md->max_version + 1,
                                          md->max_version + 3, &mn, &mx));
}
END_TEST

START_TEST(keeps_produce_min_zero)
{
    int16_t mn, mx;
    ck_assert(kgw_api_versions_intersect(KGW_API_PRODUCE, 0, 13, &mn, &mx));
    ck_assert_int_eq(mn, 0);
    ck_assert_int_eq(mx, 13);
    const kgw_api_info_t *p = kgw_api_info(KGW_API_PRODUCE);
    ck_assert(kgw_api_versions_intersect(KGW_API_PRODUCE, 0, p->max_version + 4, &mn, &mx));
    ck_assert_int_eq(mn, 0);
    ck_assert_int_eq(mx, p->max_version);
}
END_TEST

START_TEST(leaves_other_and_unknown_apis_alone)
{
    int16_t mn, mx;
    ck_assert(kgw_api_versions_intersect(KGW_API_LIST_OFFSETS, 1, 99, &mn, &mx));
    ck_assert_int_eq(mn, 1);
    ck_assert_int_eq(mx, 99);
    ck_assert(kgw_api_versions_intersect(1234, 0, 7, &mn, &mx));
    ck_assert_int_eq(mn, 0);
    ck_assert_int_eq(mx, 7);
}
END_TEST

/* Encodes a broker ApiVersions response at version, rewrites it and
 * decodes the result. */
static kgw_api_versions_response_t *
rewrite(kgw_arena_t *a, int16_t version, kgw_api_versions_response_api_version_t *keys, int n)
{
    kgw_api_versions_response_t m;
    ck_assert_int_eq(kgw_api_versions_response_init(a, &m), 0);
    m.api_keys.count = n;
    m.api_keys.items = keys;
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_wbuf_t in, out;
    kgw_wbuf_init(&in, &err);
    kgw_wbuf_init(&out, &err);
    kgw_response_header_t h = {.correlation_id = 5};
    ck_assert_msg(kgw_response_encode(&in, KGW_API_API_VERSIONS, version, &h, &m, &err) == 0, "%s",
                  err.msg);
    ck_assert_msg(kgw_api_versions_rewrite(version, in.buf + 4, in.len - 4, &out, &err) == 0, "%s",
                  err.msg);
    kgw_response_t resp;
    uint8_t *copy = kgw_arena_memdup(a, out.buf + 4, out.len - 4);
    ck_assert_ptr_nonnull(copy);
    ck_assert_msg(
        kgw_response_decode(a, KGW_API_API_VERSIONS, version, copy, out.len - 4, &resp, &err) == 0,
        "%s", err.msg);
    ck_assert_int_eq(resp.header.correlation_id, 5);
    kgw_wbuf_free(&in);
    kgw_wbuf_free(&out);
    return resp.body;
}

START_TEST(rewrites_a_broker_response_in_every_version)
{
    const kgw_api_info_t *md = kgw_api_info(KGW_API_METADATA);
    for (int16_t v = 0; v <= kgw_api_versions_max(); v++) {
        kgw_arena_t *a = kgw_arena_new(0);
        kgw_api_versions_response_api_version_t keys[] = {
            {.api_key = KGW_API_PRODUCE, .min_version = 0, .max_version = 13},
            {.api_key = KGW_API_METADATA, .min_version = 0, .max_version = md->max_version + 2},
            {.api_key = 4321, .min_version = 0, .max_version = 3},
        };
        kgw_api_versions_response_t *r = rewrite(a, v, keys, 3);
        ck_assert_int_eq(r->error_code, 0);
        ck_assert_int_eq(r->api_keys.count, 3);
        ck_assert_int_eq(r->api_keys.items[0].min_version, 0);
        ck_assert_int_eq(r->api_keys.items[1].max_version, md->max_version);
        ck_assert_int_eq(r->api_keys.items[2].api_key, 4321);
        ck_assert_int_eq(r->api_keys.items[2].max_version, 3);
        kgw_arena_free(a);
    }
}
END_TEST

START_TEST(removes_an_api_the_gateway_cannot_decode_at_all)
{
    const kgw_api_info_t *md = kgw_api_info(KGW_API_METADATA);
    kgw_arena_t *a = kgw_arena_new(0);
    kgw_api_versions_response_api_version_t keys[] = {
        {.api_key = KGW_API_FETCH, .min_version = 4, .max_version = 17},
        {.api_key = KGW_API_METADATA,
         .min_version = md->max_version + 1,
         .max_version = md->max_version + 2},
    };
    /* v2: no tagged fields, so this path works whatever the codec's state. */
    kgw_api_versions_response_t *r = rewrite(a, 2, keys, 2);
    ck_assert_int_eq(r->api_keys.count, 1);
    ck_assert_int_eq(r->api_keys.items[0].api_key, KGW_API_FETCH);
    kgw_arena_free(a);
}
END_TEST

START_TEST(kip_511_answer_is_a_v0_body_with_unsupported_version)
{
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_wbuf_t out;
    kgw_wbuf_init(&out, &err);
    ck_assert_int_eq(kgw_api_versions_unsupported(77, &out, &err), 0);
    /* size | correlation id 77 (header v0) | error 35 | 1 key: 18 0..max */
    ck_assert_uint_eq(out.len, 4 + 4 + 2 + 4 + 6);
    const uint8_t want[] = {0, 0, 0, 16, 0, 0,  0, 77, 0, 35,
                            0, 0, 0, 1,  0, 18, 0, 0,  0, (uint8_t)kgw_api_versions_max()};
    ck_assert_mem_eq(out.buf, want, sizeof(want));
    kgw_wbuf_free(&out);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("api_versions");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, intersects_apis_the_gateway_decodes);
    tcase_add_test(tc, keeps_produce_min_zero);
    tcase_add_test(tc, leaves_other_and_unknown_apis_alone);
    tcase_add_test(tc, rewrites_a_broker_response_in_every_version);
    tcase_add_test(tc, removes_an_api_the_gateway_cannot_decode_at_all);
    tcase_add_test(tc, kip_511_answer_is_a_v0_body_with_unsupported_version);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
