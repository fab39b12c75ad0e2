/*
 * kgw_rewrite: responses encoded the way a broker would, rewritten, decoded
 * again: every broker address must be a gateway address, and brokers
 * without a gateway port must be gone.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "kgw_api.h"
#include "kgw_messages.h"
#include "rewrite.h"

#define BACKEND_HOST "kafka-internal.example"

static kgw_broker_map_t *map;
static kgw_rewrite_ctx_t ctx;
static kgw_arena_t *arena;

static void
setup(void)
{
    /* bootstrap 29092, brokers 0..2 on 29093..29095 */
    const uint16_t ports[] = {29092, 29093, 29094, 29095};
    map = kgw_broker_map_new(ports, 4, true, "gw.example.com", 0);
    ck_assert_ptr_nonnull(map);
    ctx =
        (kgw_rewrite_ctx_t){.map = map, .backend = NULL, .virtual_cluster = "vc", .client = "test"};
    arena = kgw_arena_new(0);
    ck_assert_ptr_nonnull(arena);
}

static void
teardown(void)
{
    kgw_broker_map_free(map);
    kgw_arena_free(arena);
}

static kgw_str_t
str(const char *s)
{
    return (kgw_str_t){.ptr = s, .len = (int32_t)strlen(s)};
}

static void
assert_str(kgw_str_t s, const char *want)
{
    ck_assert_int_eq(s.len, (int32_t)strlen(want));
    ck_assert(memcmp(s.ptr, want, strlen(want)) == 0);
}

/* Encodes body as a broker's response frame, rewrites it, decodes the
 * result. Returns the decoded body (in the arena). */
static void *
roundtrip(int16_t api_key, int16_t version, const void *body, kgw_wbuf_t *out)
{
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_wbuf_t in;
    kgw_wbuf_init(&in, &err);
    kgw_response_header_t h = {.correlation_id = 99};
    ck_assert_msg(kgw_response_encode(&in, api_key, version, &h, body, &err) == 0, "%s", err.msg);
    kgw_wbuf_init(out, &err);
    ck_assert_msg(kgw_rewrite_response(&ctx, api_key, version, in.buf + 4, in.len - 4, out, &err) ==
                      0,
                  "%s", err.msg);
    kgw_wbuf_free(&in);
    /* The output is size-prefixed and its size is right. */
    uint32_t size = ((uint32_t)out->buf[0] << 24) | ((uint32_t)out->buf[1] << 16) |
                    ((uint32_t)out->buf[2] << 8) | out->buf[3];
    ck_assert_uint_eq(size, out->len - 4);
    kgw_response_t resp;
    ck_assert_msg(
        kgw_response_decode(arena, api_key, version, out->buf + 4, out->len - 4, &resp, &err) == 0,
        "%s", err.msg);
    ck_assert_int_eq(resp.header.correlation_id, 99);
    return resp.body;
}

START_TEST(metadata_brokers_get_gateway_addresses_in_every_version)
{
    for (int16_t v = 0; v <= 13; v++) {
        kgw_metadata_response_t m;
        ck_assert_int_eq(kgw_metadata_response_init(arena, &m), 0);
        kgw_metadata_response_broker_t brokers[4] = {
            {.node_id = 0, .host = str(BACKEND_HOST), .port = 9092, .rack = str("r1")},
            {.node_id = 1, .host = str(BACKEND_HOST), .port = 9093, .rack = {NULL, -1}},
            {.node_id = 2, .host = str(BACKEND_HOST), .port = 9094, .rack = {NULL, -1}},
            {.node_id = 7, .host = str(BACKEND_HOST), .port = 9099, .rack = {NULL, -1}},
        };
        m.brokers.count = 4;
        m.brokers.items = brokers;
        m.controller_id = 1;
        kgw_wbuf_t out;
        kgw_metadata_response_t *r = roundtrip(KGW_API_METADATA, v, &m, &out);
        /* Broker 7 has no port (29092 + 1 + 7 is not listed): removed. */
        ck_assert_int_eq(r->brokers.count, 3);
        for (int i = 0; i < 3; i++) {
            ck_assert_int_eq(r->brokers.items[i].node_id, i);
            assert_str(r->brokers.items[i].host, "gw.example.com");
            ck_assert_int_eq(r->brokers.items[i].port, 29093 + i);
        }
        if (v >= 1)
            assert_str(r->brokers.items[0].rack, "r1");
        ck_assert_ptr_null(memmem(out.buf, out.len, BACKEND_HOST, strlen(BACKEND_HOST)));
        kgw_wbuf_free(&out);
    }
}
END_TEST

START_TEST(find_coordinator_v0_to_v3_single_coordinator)
{
    for (int16_t v = 0; v <= 3; v++) {
        kgw_find_coordinator_response_t m;
        ck_assert_int_eq(kgw_find_coordinator_response_init(arena, &m), 0);
        m.node_id = 2;
        m.host = str(BACKEND_HOST);
        m.port = 9094;
        kgw_wbuf_t out;
        kgw_find_coordinator_response_t *r = roundtrip(KGW_API_FIND_COORDINATOR, v, &m, &out);
        ck_assert_int_eq(r->error_code, 0);
        ck_assert_int_eq(r->node_id, 2);
        assert_str(r->host, "gw.example.com");
        ck_assert_int_eq(r->port, 29095);
        kgw_wbuf_free(&out);

        /* A coordinator without a gateway port becomes "not available". */
        m.node_id = 40;
        r = roundtrip(KGW_API_FIND_COORDINATOR, v, &m, &out);
        ck_assert_int_eq(r->error_code, 15);
        ck_assert_int_eq(r->node_id, -1);
        ck_assert_ptr_null(memmem(out.buf, out.len, BACKEND_HOST, strlen(BACKEND_HOST)));
        kgw_wbuf_free(&out);
    }
}
END_TEST

START_TEST(find_coordinator_v4_plus_batched)
{
    for (int16_t v = 4; v <= 6; v++) {
        kgw_find_coordinator_response_t m;
        ck_assert_int_eq(kgw_find_coordinator_response_init(arena, &m), 0);
        kgw_find_coordinator_response_coordinator_t c[3] = {
            {.key = str("group-a"), .node_id = 0, .host = str(BACKEND_HOST), .port = 1},
            {.key = str("group-b"), .node_id = 9, .host = str(BACKEND_HOST), .port = 2},
            {.key = str("group-c"), .node_id = -1, .host = str(""), .port = -1, .error_code = 15},
        };
        m.coordinators.count = 3;
        m.coordinators.items = c;
        kgw_wbuf_t out;
        kgw_find_coordinator_response_t *r = roundtrip(KGW_API_FIND_COORDINATOR, v, &m, &out);
        ck_assert_int_eq(r->coordinators.count, 3);
        assert_str(r->coordinators.items[0].key, "group-a");
        assert_str(r->coordinators.items[0].host, "gw.example.com");
        ck_assert_int_eq(r->coordinators.items[0].port, 29093);
        ck_assert_int_eq(r->coordinators.items[1].error_code, 15);
        ck_assert_int_eq(r->coordinators.items[1].node_id, -1);
        ck_assert_int_eq(r->coordinators.items[2].error_code, 15);
        ck_assert_ptr_null(memmem(out.buf, out.len, BACKEND_HOST, strlen(BACKEND_HOST)));
        kgw_wbuf_free(&out);
    }
}
END_TEST

START_TEST(describe_cluster_brokers_and_controllers)
{
    for (int16_t v = 0; v <= 2; v++) {
        kgw_describe_cluster_response_t m;
        ck_assert_int_eq(kgw_describe_cluster_response_init(arena, &m), 0);
        kgw_describe_cluster_response_describe_cluster_broker_t b[2] = {
            {.broker_id = 1, .host = str(BACKEND_HOST), .port = 9093, .rack = {NULL, -1}},
            {.broker_id = 5, .host = str(BACKEND_HOST), .port = 9097, .rack = {NULL, -1}},
        };
        m.cluster_id = str("cluster");
        m.brokers.count = 2;
        m.brokers.items = b;
        m.endpoint_type = 1;
        kgw_wbuf_t out;
        kgw_describe_cluster_response_t *r = roundtrip(KGW_API_DESCRIBE_CLUSTER, v, &m, &out);
        ck_assert_int_eq(r->brokers.count, 1);
        ck_assert_int_eq(r->brokers.items[0].broker_id, 1);
        assert_str(r->brokers.items[0].host, "gw.example.com");
        ck_assert_int_eq(r->brokers.items[0].port, 29094);
        kgw_wbuf_free(&out);
        if (v >= 1) {
            m.endpoint_type = 2; /* controllers: never reachable through kgw */
            r = roundtrip(KGW_API_DESCRIBE_CLUSTER, v, &m, &out);
            ck_assert_int_eq(r->brokers.count, 0);
            ck_assert_ptr_null(memmem(out.buf, out.len, BACKEND_HOST, strlen(BACKEND_HOST)));
            kgw_wbuf_free(&out);
        }
    }
}
END_TEST

START_TEST(produce_and_fetch_node_endpoints)
{
    for (int16_t v = 10; v <= 13; v++) {
        kgw_produce_response_t m;
        ck_assert_int_eq(kgw_produce_response_init(arena, &m), 0);
        kgw_produce_response_node_endpoint_t e[2] = {
            {.node_id = 2, .host = str(BACKEND_HOST), .port = 9094, .rack = {NULL, -1}},
            {.node_id = 11, .host = str(BACKEND_HOST), .port = 9103, .rack = {NULL, -1}},
        };
        m.node_endpoints.count = 2;
        m.node_endpoints.items = e;
        kgw_wbuf_t out;
        kgw_produce_response_t *r = roundtrip(KGW_API_PRODUCE, v, &m, &out);
        ck_assert_int_eq(r->node_endpoints.count, 1);
        assert_str(r->node_endpoints.items[0].host, "gw.example.com");
        ck_assert_int_eq(r->node_endpoints.items[0].port, 29095);
        ck_assert_ptr_null(memmem(out.buf, out.len, BACKEND_HOST, strlen(BACKEND_HOST)));
        kgw_wbuf_free(&out);
    }
    for (int16_t v = 16; v <= 18; v++) {
        kgw_fetch_response_t m;
        ck_assert_int_eq(kgw_fetch_response_init(arena, &m), 0);
        kgw_fetch_response_node_endpoint_t e[1] = {
            {.node_id = 0, .host = str(BACKEND_HOST), .port = 9092, .rack = str("rack-a")},
        };
        m.node_endpoints.count = 1;
        m.node_endpoints.items = e;
        kgw_wbuf_t out;
        kgw_fetch_response_t *r = roundtrip(KGW_API_FETCH, v, &m, &out);
        ck_assert_int_eq(r->node_endpoints.count, 1);
        assert_str(r->node_endpoints.items[0].host, "gw.example.com");
        assert_str(r->node_endpoints.items[0].rack, "rack-a");
        ck_assert_int_eq(r->node_endpoints.items[0].port, 29093);
        ck_assert_ptr_null(memmem(out.buf, out.len, BACKEND_HOST, strlen(BACKEND_HOST)));
        kgw_wbuf_free(&out);
    }
}
END_TEST

START_TEST(many_node_endpoints_in_a_large_tagged_field)
{
    /* Eight brokers behind a long advertised host: the broker's field is
     * under 128 bytes, the rewritten one well over, so its size needs a
     * multi-byte varint. */
    const uint16_t ports[] = {29092, 29093, 29094, 29095, 29096, 29097, 29098, 29099, 29100};
    kgw_broker_map_t *big =
        kgw_broker_map_new(ports, 9, true, "gateway.big-cluster.example.com", 0);
    ck_assert_ptr_nonnull(big);
    kgw_rewrite_ctx_t saved = ctx;
    ctx.map = big;
    kgw_fetch_response_t m;
    ck_assert_int_eq(kgw_fetch_response_init(arena, &m), 0);
    kgw_fetch_response_node_endpoint_t e[8];
    for (int i = 0; i < 8; i++)
        e[i] = (kgw_fetch_response_node_endpoint_t){
            .node_id = i, .host = str("b"), .port = 9092 + i, .rack = {NULL, -1}};
    m.node_endpoints.count = 8;
    m.node_endpoints.items = e;
    kgw_wbuf_t out;
    kgw_fetch_response_t *r = roundtrip(KGW_API_FETCH, 17, &m, &out);
    ck_assert_int_eq(r->node_endpoints.count, 8);
    for (int i = 0; i < 8; i++) {
        assert_str(r->node_endpoints.items[i].host, "gateway.big-cluster.example.com");
        ck_assert_int_eq(r->node_endpoints.items[i].port, 29093 + i);
        ck_assert_int_eq(r->node_endpoints.items[i].rack.len, -1);
    }
    kgw_wbuf_free(&out);
    ctx = saved;
    kgw_broker_map_free(big);
}
END_TEST

START_TEST(share_apis_and_describe_quorum)
{
    for (int16_t v = 1; v <= 2; v++) {
        kgw_share_fetch_response_t m;
        ck_assert_int_eq(kgw_share_fetch_response_init(arena, &m), 0);
        kgw_share_fetch_response_node_endpoint_t e[1] = {
            {.node_id = 1, .host = str(BACKEND_HOST), .port = 9093, .rack = {NULL, -1}},
        };
        m.node_endpoints.count = 1;
        m.node_endpoints.items = e;
        kgw_wbuf_t out;
        kgw_share_fetch_response_t *r = roundtrip(KGW_API_SHARE_FETCH, v, &m, &out);
        assert_str(r->node_endpoints.items[0].host, "gw.example.com");
        ck_assert_int_eq(r->node_endpoints.items[0].port, 29094);
        kgw_wbuf_free(&out);

        kgw_share_acknowledge_response_t a;
        ck_assert_int_eq(kgw_share_acknowledge_response_init(arena, &a), 0);
        kgw_share_acknowledge_response_node_endpoint_t ea[1] = {
            {.node_id = 0, .host = str(BACKEND_HOST), .port = 9092, .rack = {NULL, -1}},
        };
        a.node_endpoints.count = 1;
        a.node_endpoints.items = ea;
        kgw_share_acknowledge_response_t *ra = roundtrip(KGW_API_SHARE_ACKNOWLEDGE, v, &a, &out);
        assert_str(ra->node_endpoints.items[0].host, "gw.example.com");
        ck_assert_int_eq(ra->node_endpoints.items[0].port, 29093);
        kgw_wbuf_free(&out);
    }

    kgw_describe_quorum_response_t q;
    ck_assert_int_eq(kgw_describe_quorum_response_init(arena, &q), 0);
    kgw_describe_quorum_response_listener_t l[1] = {
        {.name = str("CONTROLLER"), .host = str(BACKEND_HOST), .port = 9192}};
    kgw_describe_quorum_response_node_t n[1] = {
        {.node_id = 1, .listeners = {.count = 1, .items = l}}};
    q.nodes.count = 1;
    q.nodes.items = n;
    kgw_wbuf_t out;
    kgw_describe_quorum_response_t *rq = roundtrip(KGW_API_DESCRIBE_QUORUM, 2, &q, &out);
    ck_assert_int_eq(rq->nodes.count, 1);
    ck_assert_int_eq(rq->nodes.items[0].node_id, 1);
    ck_assert_int_eq(rq->nodes.items[0].listeners.count, 0);
    ck_assert_ptr_null(memmem(out.buf, out.len, BACKEND_HOST, strlen(BACKEND_HOST)));
    kgw_wbuf_free(&out);
}
END_TEST

START_TEST(responses_without_endpoints_pass_byte_for_byte)
{
    kgw_fetch_response_t m;
    ck_assert_int_eq(kgw_fetch_response_init(arena, &m), 0);
    m.session_id = 1234;
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_wbuf_t in, out;
    kgw_wbuf_init(&in, &err);
    kgw_wbuf_init(&out, &err);
    kgw_response_header_t h = {.correlation_id = 3};
    ck_assert_int_eq(kgw_response_encode(&in, KGW_API_FETCH, 17, &h, &m, &err), 0);
    ck_assert_int_eq(
        kgw_rewrite_response(&ctx, KGW_API_FETCH, 17, in.buf + 4, in.len - 4, &out, &err),
        KGW_REWRITE_UNCHANGED);
    ck_assert_uint_eq(out.len, 0); /* the caller sends the original bytes */
    kgw_wbuf_free(&in);
    kgw_wbuf_free(&out);
}
END_TEST

START_TEST(which_responses_need_a_rewrite)
{
    ck_assert(kgw_rewrite_needed(KGW_API_METADATA, 0));
    ck_assert(kgw_rewrite_needed(KGW_API_API_VERSIONS, 3));
    ck_assert(!kgw_rewrite_needed(KGW_API_PRODUCE, 9));
    ck_assert(kgw_rewrite_needed(KGW_API_PRODUCE, 10));
    ck_assert(!kgw_rewrite_needed(KGW_API_FETCH, 15));
    ck_assert(kgw_rewrite_needed(KGW_API_FETCH, 16));
    ck_assert(!kgw_rewrite_needed(KGW_API_DESCRIBE_QUORUM, 1));
    ck_assert(!kgw_rewrite_needed(KGW_API_LIST_OFFSETS, 9));
    ck_assert(!kgw_rewrite_needed(9999, 0));
    ck_assert(!kgw_rewrite_possible(KGW_API_METADATA, 99));
}
END_TEST

START_TEST(garbage_is_an_error_not_a_crash)
{
    static const uint8_t junk[] = {0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 1, 2};
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_wbuf_t out;
    kgw_wbuf_init(&out, &err);
    ck_assert_int_eq(
        kgw_rewrite_response(&ctx, KGW_API_METADATA, 12, junk, sizeof(junk), &out, &err), -1);
    ck_assert(strlen(err.msg) > 0);
    kgw_wbuf_free(&out);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("rewrite");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, metadata_brokers_get_gateway_addresses_in_every_version);
    tcase_add_test(tc, find_coordinator_v0_to_v3_single_coordinator);
    tcase_add_test(tc, find_coordinator_v4_plus_batched);
    tcase_add_test(tc, describe_cluster_brokers_and_controllers);
    tcase_add_test(tc, produce_and_fetch_node_endpoints);
    tcase_add_test(tc, many_node_endpoints_in_a_large_tagged_field);
    tcase_add_test(tc, share_apis_and_describe_quorum);
    tcase_add_test(tc, responses_without_endpoints_pass_byte_for_byte);
    tcase_add_test(tc, which_responses_need_a_rewrite);
    tcase_add_test(tc, garbage_is_an_error_not_a_crash);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
