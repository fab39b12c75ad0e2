/*
 * kgw_request_peek: header fields, Produce acks, malformed input.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "request_peek.h"

typedef struct {
    uint8_t b[512];
    size_t n;
} buf_t;

static void
put16(buf_t *b, int16_t v)
{
    b->b[b->n++] = (uint8_t)((uint16_t)v >> 8);
    b->b[b->n++] = (uint8_t)v;
}

static void
put32(buf_t *b, int32_t v)
{
    for (int i = 3; i >= 0; i--)
        b->b[b->n++] = (uint8_t)((uint32_t)v >> (8 * i));
}

static void
put_str16(buf_t *b, const char *s)
{
    put16(b, (int16_t)strlen(s));
    memcpy(b->b + b->n, s, strlen(s));
    b->n += strlen(s);
}

static void
put_bytes(buf_t *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

/* A Produce request prefix: header v1 (v2 from v9) then transactional id
 * and acks, then some filler body. */
static buf_t
produce(int16_t version, const char *txn, int16_t acks)
{
    buf_t b = {.n = 0};
    put16(&b, 0);
    put16(&b, version);
    put32(&b, 42);
    put_str16(&b, "client-1");
    if (version >= 9)
        b.b[b.n++] = 0; /* no tagged fields */
    if (version >= 3) {
        if (version >= 9) {
            if (txn == NULL) {
                b.b[b.n++] = 0;
            } else {
                b.b[b.n++] = (uint8_t)(strlen(txn) + 1);
                put_bytes(&b, txn, strlen(txn));
            }
        } else if (txn == NULL) {
            put16(&b, -1);
        } else {
            put_str16(&b, txn);
        }
    }
    put16(&b, acks);
    put32(&b, 30000); /* timeout */
    return b;
}

START_TEST(reads_the_header_of_any_request)
{
    buf_t b = {.n = 0};
    put16(&b, 3); /* Metadata */
    put16(&b, 12);
    put32(&b, 7);
    put_str16(&b, "x");
    kgw_request_info_t info;
    const char *why;
    ck_assert_int_eq(kgw_request_peek(b.b, b.n, b.n, &info, &why), KGW_PEEK_OK);
    ck_assert_int_eq(info.api_key, 3);
    ck_assert_int_eq(info.api_version, 12);
    ck_assert_int_eq(info.correlation_id, 7);
    ck_assert(info.expects_response);
}
END_TEST

START_TEST(finds_acks_in_every_produce_layout)
{
    const int16_t versions[] = {0, 2, 3, 8, 9, 11, 13};
    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        for (int txn = 0; txn < 2; txn++) {
            for (int16_t acks = -1; acks <= 1; acks++) {
                buf_t b = produce(versions[i], txn ? "my-transaction" : NULL, acks);
                kgw_request_info_t info;
                const char *why;
                ck_assert_int_eq(kgw_request_peek(b.b, b.n, b.n + 100, &info, &why), KGW_PEEK_OK);
                ck_assert_int_eq(info.api_version, versions[i]);
                ck_assert_msg(info.expects_response == (acks != 0),
                              "Produce v%d txn=%d acks=%d: expects_response=%d", versions[i], txn,
                              acks, info.expects_response);
            }
        }
    }
}
END_TEST

START_TEST(asks_for_more_bytes_until_acks_is_there)
{
    buf_t b = produce(9, "txn", 0);
    kgw_request_info_t info;
    const char *why;
    for (size_t n = 0; n < b.n - 4 /* acks ends 4 bytes before the end */; n++)
        ck_assert_int_eq(kgw_request_peek(b.b, n, 1000, &info, &why), KGW_PEEK_NEED_MORE);
    ck_assert_int_eq(kgw_request_peek(b.b, b.n - 4, 1000, &info, &why), KGW_PEEK_OK);
    ck_assert(!info.expects_response);
}
END_TEST

START_TEST(rejects_malformed_frames)
{
    kgw_request_info_t info;
    const char *why = NULL;
    uint8_t small[4] = {0, 3, 0, 1};
    ck_assert_int_eq(kgw_request_peek(small, 4, 4, &info, &why), KGW_PEEK_MALFORMED);
    ck_assert_ptr_nonnull(strstr(why, "8 bytes"));

    buf_t b = {.n = 0};
    put16(&b, -5);
    put16(&b, 0);
    put32(&b, 1);
    ck_assert_int_eq(kgw_request_peek(b.b, b.n, b.n, &info, &why), KGW_PEEK_MALFORMED);
    ck_assert_str_eq(why, "negative api key");

    /* A Produce whose client id claims more bytes than the frame holds. */
    buf_t p = {.n = 0};
    put16(&p, 0);
    put16(&p, 7);
    put32(&p, 1);
    put16(&p, 300);
    ck_assert_int_eq(kgw_request_peek(p.b, p.n, p.n, &info, &why), KGW_PEEK_MALFORMED);

    /* ApiVersions v0 whose client id claims 1000 bytes in a 10-byte frame. */
    buf_t a = {.n = 0};
    put16(&a, 18);
    put16(&a, 0);
    put32(&a, 7);
    put16(&a, 1000);
    ck_assert_int_eq(kgw_request_peek(a.b, a.n, a.n, &info, &why), KGW_PEEK_MALFORMED);
    ck_assert_str_eq(why, "client id longer than the frame");

    /* A client id length below -1. */
    buf_t q = {.n = 0};
    put16(&q, 0);
    put16(&q, 7);
    put32(&q, 1);
    put16(&q, -2);
    ck_assert_int_eq(kgw_request_peek(q.b, q.n, 100, &info, &why), KGW_PEEK_MALFORMED);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("request_peek");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, reads_the_header_of_any_request);
    tcase_add_test(tc, finds_acks_in_every_produce_layout);
    tcase_add_test(tc, asks_for_more_bytes_until_acks_is_there);
    tcase_add_test(tc, rejects_malformed_frames);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
