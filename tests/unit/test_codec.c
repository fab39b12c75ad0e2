/*
 * The generated Kafka codec: every API key and version, requests and
 * responses, round-trips byte for byte; every truncation fails cleanly;
 * headers, frames, JSON, error messages and the entity visitor behave as a
 * gateway needs.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "codec_internal.h"
#include "frame.h"
#include "header.h"
#include "kgw_api.h"
#include "kgw_messages.h"

#define SEEDS_PER_VERSION 3

static char *
json_of(const kgw_message_desc_t *md, int16_t v, const void *msg)
{
    kgw_codec_error_t err;
    kgw_wbuf_t w;
    kgw_codec_error_clear(&err);
    kgw_wbuf_init(&w, &err);
    ck_assert_msg(kgw_msg_to_json(md, &w, v, msg) == 0, "%s v%d json: %s", md->name, v, err.msg);
    ck_assert_int_eq(kgw_wbuf_append(&w, "", 1), 0);
    return (char *)w.buf;
}

/* Encodes a sample, decodes it, re-encodes it: the bytes and JSON must match,
 * and every strict prefix must fail to decode with an error message. */
static void
round_trip(const kgw_message_desc_t *md, int16_t v, uint64_t seed, long *bytes_checked)
{
    kgw_arena_t *a = kgw_arena_new(0);
    ck_assert_ptr_nonnull(a);
    void *sample = kgw_msg_sample(md, a, v, seed);
    ck_assert_msg(sample != NULL, "%s v%d: sample failed", md->name, v);

    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_wbuf_t e1, e2;
    kgw_wbuf_init(&e1, &err);
    kgw_wbuf_init(&e2, &err);
    ck_assert_msg(kgw_msg_encode(md, &e1, v, sample) == 0, "%s v%d encode: %s", md->name, v,
                  err.msg);

    void *decoded = NULL;
    int rc = md->is_response
                 ? kgw_response_body_decode(a, md->api_key, v, e1.buf, e1.len, &decoded, &err)
                 : kgw_request_body_decode(a, md->api_key, v, e1.buf, e1.len, &decoded, &err);
    ck_assert_msg(rc == 0, "%s v%d seed %llu decode: %s", md->name, v, (unsigned long long)seed,
                  err.msg);
    ck_assert_msg(kgw_msg_encode(md, &e2, v, decoded) == 0, "%s v%d re-encode: %s", md->name, v,
                  err.msg);
    ck_assert_msg(e1.len == e2.len && (e1.len == 0 || memcmp(e1.buf, e2.buf, e1.len) == 0),
                  "%s v%d seed %llu: re-encoded %zu bytes differ from %zu", md->name, v,
                  (unsigned long long)seed, e2.len, e1.len);

    char *j1 = json_of(md, v, sample);
    char *j2 = json_of(md, v, decoded);
    ck_assert_msg(strcmp(j1, j2) == 0, "%s v%d: JSON differs:\n%s\n%s", md->name, v, j1, j2);
    free(j1);
    free(j2);

    for (size_t cut = 0; cut < e1.len; cut++) {
        kgw_arena_reset(a);
        kgw_codec_error_t perr;
        kgw_codec_error_clear(&perr);
        void *out = NULL;
        rc = md->is_response ? kgw_response_body_decode(a, md->api_key, v, e1.buf, cut, &out, &perr)
                             : kgw_request_body_decode(a, md->api_key, v, e1.buf, cut, &out, &perr);
        ck_assert_msg(rc == -1, "%s v%d: prefix of %zu/%zu bytes decoded", md->name, v, cut,
                      e1.len);
        ck_assert_msg(perr.msg[0] != '\0', "%s v%d: prefix %zu failed without a message", md->name,
                      v, cut);
        ck_assert_int_eq(perr.api_key, md->api_key);
    }
    *bytes_checked += (long)e1.len;
    kgw_wbuf_free(&e1);
    kgw_wbuf_free(&e2);
    kgw_arena_free(a);
}

START_TEST(test_every_api_version_round_trips)
{
    int combos = 0, keys = 0;
    long bytes = 0;
    for (int16_t key = 0; key <= KGW_API_KEY_MAX; key++) {
        const kgw_api_info_t *info = kgw_api_info(key);
        ck_assert_ptr_nonnull(info);
        keys++;
        if (info->min_version < 0) {
            continue; /* no valid version left in this Kafka release */
        }
        for (int16_t v = info->min_version; v <= info->max_version; v++) {
            for (int dir = 0; dir < 2; dir++) {
                const kgw_message_desc_t *md = dir ? info->response : info->request;
                for (uint64_t seed = 1; seed <= SEEDS_PER_VERSION; seed++) {
                    round_trip(md, v, seed * 7919u, &bytes);
                }
                combos++;
            }
        }
    }
    printf("codec: %d api keys, %d (api key, version, direction) combinations round-tripped "
           "(%d seeds each, %ld encoded bytes, every truncation rejected)\n",
           keys, combos, SEEDS_PER_VERSION, bytes);
    ck_assert_int_eq(keys, KGW_API_COUNT);
    ck_assert_int_gt(combos, 600);
}
END_TEST

/* For every array-of-struct field below obj (present and not tagged at v),
 * one default element must add exactly the element's minimum size. */
static int
check_nested_min_sizes(const kgw_message_desc_t *md, void *root, int16_t v, bool flexible,
                       const kgw_struct_desc_t *sd, void *obj, size_t base, kgw_arena_t *a,
                       kgw_wbuf_t *w)
{
    int checked = 0;
    for (uint16_t i = 0; i < sd->nfields; i++) {
        const kgw_field_desc_t *f = &sd->fields[i];
        if (f->type != KGW_FT_STRUCT || f->layout != KGW_FL_ARRAY || v < f->ver_min ||
            v > f->ver_max ||
            (flexible && f->tag >= 0 && v >= f->tagged_min && v <= f->tagged_max)) {
            continue;
        }
        void *elem = kgw_arena_alloc(a, f->sub->size);
        ck_assert_ptr_nonnull(elem);
        ck_assert_int_eq(kgw__struct_init(f->sub, a, elem), 0);
        void *member = (char *)obj + f->offset;
        kgw__array_set(member, 1, elem);
        kgw_wbuf_reset(w);
        ck_assert_int_eq(kgw_msg_encode(md, w, v, root), 0);
        ck_assert_msg(w->len == base + f->sub->min_size[v], "%s v%d: %s element adds %zu, min %u",
                      md->name, v, f->name, w->len - base, f->sub->min_size[v]);
        checked += 1 + check_nested_min_sizes(md, root, v, flexible, f->sub, elem, w->len, a, w);
        kgw__array_set(member, 0, NULL);
    }
    return checked;
}

/* The generated minimum wire sizes (which bound array allocations) are what
 * a message of defaults (empty strings and arrays) encodes to, and arrays
 * claiming more elements than the remaining bytes can hold are refused
 * before anything is allocated. */
START_TEST(test_min_wire_sizes)
{
    kgw_arena_t *a = kgw_arena_new(0);
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_wbuf_t w;
    kgw_wbuf_init(&w, &err);
    int checked = 0, nested = 0;
    for (int16_t key = 0; key <= KGW_API_KEY_MAX; key++) {
        const kgw_api_info_t *info = kgw_api_info(key);
        for (int16_t v = info->min_version; v >= 0 && v <= info->max_version; v++) {
            for (int dir = 0; dir < 2; dir++) {
                const kgw_message_desc_t *md = dir ? info->response : info->request;
                void *msg = kgw_arena_alloc(a, md->root->size);
                ck_assert_ptr_nonnull(msg);
                ck_assert_int_eq(kgw_msg_init(md, a, msg), 0);
                kgw_wbuf_reset(&w);
                ck_assert_msg(kgw_msg_encode(md, &w, v, msg) == 0, "%s", err.msg);
                ck_assert_int_gt(md->root->nmin_size, v);
                ck_assert_msg(w.len == md->root->min_size[v],
                              "%s v%d: defaults encode to %zu, "
                              "min size %u",
                              md->name, v, w.len, md->root->min_size[v]);
                checked++;
                nested += check_nested_min_sizes(md, msg, v, md->flex_min >= 0 && v >= md->flex_min,
                                                 md->root, msg, w.len, a, &w);
            }
        }
    }
    ck_assert_int_eq(checked, 618);
    ck_assert_int_gt(nested, 800);
    printf("codec: minimum wire sizes checked for %d messages and %d nested arrays\n", checked,
           nested);

    /* MetadataRequest v12: 10 topics of at least 18 bytes in 20 bytes. */
    uint8_t body[21] = {11}; /* compact array length 10 + 1 */
    void *out;
    ck_assert_int_eq(
        kgw_request_body_decode(a, KGW_API_METADATA, 12, body, sizeof(body), &out, &err), -1);
    ck_assert_str_eq(err.msg, "MetadataRequest v12: field Topics: array length 10 of elements of "
                              "at least 18 bytes exceeds remaining 20 bytes at offset 1");
    kgw_wbuf_free(&w);
    kgw_arena_free(a);
}
END_TEST

START_TEST(test_api_table)
{
    ck_assert_str_eq(kgw_api_name(KGW_API_METADATA), "Metadata");
    ck_assert_str_eq(kgw_api_name(KGW_API_PRODUCE), "Produce");
    ck_assert_str_eq(kgw_api_name(-1), "Unknown");
    ck_assert_str_eq(kgw_api_name(KGW_API_KEY_MAX + 1), "Unknown");
    const kgw_api_info_t *md = kgw_api_info(KGW_API_METADATA);
    ck_assert_int_eq(md->flexible_from, 9);
    ck_assert_int_eq(kgw_api_info(KGW_API_PRODUCE)->flexible_from, 9);
    ck_assert_int_eq(kgw_api_info(KGW_API_FETCH)->flexible_from, 12);
    ck_assert_int_eq(kgw_api_info(KGW_API_API_VERSIONS)->flexible_from, 3);
    ck_assert_int_eq(kgw_api_info(KGW_API_SASL_HANDSHAKE)->flexible_from, -1);
    ck_assert(kgw_api_supported(KGW_API_METADATA, 0));
    ck_assert(!kgw_api_supported(KGW_API_METADATA, (int16_t)(md->max_version + 1)));
    ck_assert(!kgw_api_supported(7, 0)); /* ControlledShutdown: no valid version in 4.4 */
    ck_assert(!kgw_api_supported(999, 0));
    /* Request headers: v1 before flexible, v2 after. */
    ck_assert_int_eq(kgw_api_request_header_version(KGW_API_METADATA, 8), 1);
    ck_assert_int_eq(kgw_api_request_header_version(KGW_API_METADATA, 9), 2);
    ck_assert_int_eq(kgw_api_request_header_version(KGW_API_SASL_HANDSHAKE, 1), 1);
    /* Response headers: v0/v1, ApiVersions always v0. */
    ck_assert_int_eq(kgw_api_response_header_version(KGW_API_METADATA, 8), 0);
    ck_assert_int_eq(kgw_api_response_header_version(KGW_API_METADATA, 9), 1);
    ck_assert_int_eq(kgw_api_response_header_version(KGW_API_API_VERSIONS, 3), 0);
    ck_assert_int_eq(kgw_api_request_header_version(KGW_API_API_VERSIONS, 3), 2);
    ck_assert_int_eq(kgw_api_response_header_version(999, 0), -1);
    ck_assert_int_eq(kgw_api_request_header_version(KGW_API_METADATA, 99), -1);
    ck_assert_int_gt((int)kgw_api_entity_path_count, 50);
}
END_TEST

static const uint8_t req_v1[] = {0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00,
                                 0x2a, 0x00, 0x03, 'c',  'l',  'i'};

START_TEST(test_request_headers)
{
    kgw_arena_t *a = kgw_arena_new(0);
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_wire_reader_t r;
    kgw_request_header_t h;

    /* v0: no client id. */
    kgw_wire_reader_init(&r, req_v1, 8, &err);
    ck_assert_int_eq(kgw_request_header_decode(a, &r, 0, &h), 0);
    ck_assert_int_eq(h.api_key, 3);
    ck_assert_int_eq(h.api_version, 4);
    ck_assert_int_eq(h.correlation_id, 42);
    ck_assert_int_eq(h.client_id.len, -1);
    ck_assert_uint_eq(r.off, 8);

    /* v1: int16 client id. */
    kgw_wire_reader_init(&r, req_v1, sizeof(req_v1), &err);
    ck_assert_int_eq(kgw_request_header_decode(a, &r, 1, &h), 0);
    ck_assert_int_eq(h.client_id.len, 3);
    ck_assert(memcmp(h.client_id.ptr, "cli", 3) == 0);

    /* v2: the client id keeps its int16 length, then tagged fields. */
    uint8_t v2[sizeof(req_v1) + 5];
    memcpy(v2, req_v1, sizeof(req_v1));
    const uint8_t tags[] = {0x01, 0x05, 0x02, 0xab, 0xcd};
    memcpy(v2 + sizeof(req_v1), tags, sizeof(tags));
    kgw_wire_reader_init(&r, v2, sizeof(v2), &err);
    ck_assert_int_eq(kgw_request_header_decode(a, &r, 2, &h), 0);
    ck_assert_int_eq(h.unknown_tagged.count, 1);
    ck_assert_uint_eq(h.unknown_tagged.items[0].tag, 5);
    ck_assert_int_eq(h.unknown_tagged.items[0].data.len, 2);
    kgw_wbuf_t w;
    kgw_wbuf_init(&w, &err);
    ck_assert_int_eq(kgw_request_header_encode(&w, 2, &h), 0);
    ck_assert_uint_eq(w.len, sizeof(v2));
    ck_assert(memcmp(w.buf, v2, sizeof(v2)) == 0);

    size_t off;
    ck_assert_int_eq(kgw_frame_request_body_offset(v2, sizeof(v2), 2, &off), 0);
    ck_assert_uint_eq(off, sizeof(v2));
    ck_assert_int_eq(kgw_frame_request_body_offset(v2, sizeof(v2), 1, &off), 0);
    ck_assert_uint_eq(off, sizeof(req_v1));
    ck_assert_int_eq(kgw_frame_request_body_offset(v2, sizeof(v2), 0, &off), 0);
    ck_assert_uint_eq(off, 8);
    ck_assert_int_eq(kgw_frame_request_body_offset(v2, 9, 1, &off), -1);

    /* A truncated client id fails with a message. */
    kgw_codec_error_clear(&err);
    kgw_wire_reader_init(&r, req_v1, sizeof(req_v1) - 1, &err);
    ck_assert_int_eq(kgw_request_header_decode(a, &r, 1, &h), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "string length 3 exceeds remaining 2 bytes"));
    kgw_wbuf_free(&w);
    kgw_arena_free(a);
}
END_TEST

START_TEST(test_response_headers)
{
    kgw_arena_t *a = kgw_arena_new(0);
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    const uint8_t v1[] = {0x00, 0x00, 0x01, 0x00, 0x00};
    kgw_wire_reader_t r;
    kgw_response_header_t h;
    kgw_wire_reader_init(&r, v1, sizeof(v1), &err);
    ck_assert_int_eq(kgw_response_header_decode(a, &r, 0, &h), 0);
    ck_assert_int_eq(h.correlation_id, 256);
    ck_assert_uint_eq(r.off, 4);
    kgw_wire_reader_init(&r, v1, sizeof(v1), &err);
    ck_assert_int_eq(kgw_response_header_decode(a, &r, 1, &h), 0);
    ck_assert_uint_eq(r.off, 5);
    ck_assert_int_eq(h.unknown_tagged.count, 0);
    kgw_wire_reader_init(&r, v1, 4, &err);
    ck_assert_int_eq(kgw_response_header_decode(a, &r, 1, &h), -1);
    ck_assert_int_eq(kgw_response_header_decode(a, &r, 2, &h), -1);
    kgw_arena_free(a);
}
END_TEST

/* An ApiVersions v3 response frame goes out with header v0 (no tagged
 * section after the correlation id) although the body is flexible. */
START_TEST(test_api_versions_response_header_v0)
{
    kgw_arena_t *a = kgw_arena_new(0);
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_api_versions_response_t *m = kgw_api_versions_response_sample(a, 3, 5);
    ck_assert_ptr_nonnull(m);
    kgw_response_header_t h = {.correlation_id = 7};
    kgw_wbuf_t w;
    kgw_wbuf_init(&w, &err);
    ck_assert_int_eq(kgw_response_encode(&w, KGW_API_API_VERSIONS, 3, &h, m, &err), 0);
    kgw_wbuf_t body;
    kgw_wbuf_init(&body, &err);
    ck_assert_int_eq(kgw_api_versions_response_encode(&body, 3, m), 0);
    ck_assert_uint_eq(w.len, 4 + 4 + body.len);
    ck_assert(memcmp(w.buf + 8, body.buf, body.len) == 0);

    kgw_response_peek_t pk;
    ck_assert_int_eq(kgw_frame_peek_response(w.buf, w.len, &pk), 0);
    ck_assert_int_eq(pk.correlation_id, 7);
    ck_assert_int_eq(pk.size, (int32_t)(w.len - 4));

    kgw_response_t resp;
    ck_assert_int_eq(
        kgw_response_decode(a, KGW_API_API_VERSIONS, 3, w.buf + 4, w.len - 4, &resp, &err), 0);
    ck_assert_int_eq(resp.header_version, 0);
    ck_assert_int_eq(resp.header.correlation_id, 7);
    kgw_api_versions_response_t *d = resp.body;
    ck_assert_int_eq(d->error_code, m->error_code);
    ck_assert_int_eq(d->api_keys.count, m->api_keys.count);

    /* Metadata v12 responses carry the flexible header v1: one more byte. */
    kgw_metadata_response_t *mr = kgw_metadata_response_sample(a, 12, 9);
    kgw_wbuf_reset(&w);
    kgw_wbuf_reset(&body);
    ck_assert_int_eq(kgw_response_encode(&w, KGW_API_METADATA, 12, &h, mr, &err), 0);
    ck_assert_int_eq(kgw_metadata_response_encode(&body, 12, mr), 0);
    ck_assert_uint_eq(w.len, 4 + 5 + body.len);
    kgw_wbuf_free(&w);
    kgw_wbuf_free(&body);
    kgw_arena_free(a);
}
END_TEST

START_TEST(test_request_frame_round_trip)
{
    kgw_arena_t *a = kgw_arena_new(0);
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    for (int16_t v = 0; v <= kgw_api_info(KGW_API_PRODUCE)->max_version; v++) {
        if (!kgw_api_supported(KGW_API_PRODUCE, v)) {
            continue;
        }
        kgw_produce_request_t *m = kgw_produce_request_sample(a, v, 11);
        ck_assert_ptr_nonnull(m);
        m->acks = -1;
        kgw_request_header_t h = {.api_key = KGW_API_PRODUCE,
                                  .api_version = v,
                                  .correlation_id = 1234,
                                  .client_id = {"producer-1", 10}};
        kgw_wbuf_t w;
        kgw_wbuf_init(&w, &err);
        ck_assert_int_eq(kgw_request_encode(&w, &h, m, &err), 0);

        kgw_request_peek_t pk;
        ck_assert_int_eq(kgw_frame_peek_request(w.buf, 3, &pk), KGW_FRAME_NEED_MORE);
        ck_assert_int_eq(kgw_frame_peek_request(w.buf, 11, &pk), KGW_FRAME_NEED_MORE);
        ck_assert_int_eq(kgw_frame_peek_request(w.buf, w.len, &pk), 0);
        ck_assert_int_eq(pk.size, (int32_t)(w.len - 4));
        ck_assert_int_eq(pk.api_key, KGW_API_PRODUCE);
        ck_assert_int_eq(pk.api_version, v);
        ck_assert_int_eq(pk.correlation_id, 1234);

        size_t body_off;
        int hv = kgw_api_request_header_version(KGW_API_PRODUCE, v);
        ck_assert_int_eq(kgw_frame_request_body_offset(w.buf + 4, w.len - 4, hv, &body_off), 0);
        int16_t acks = 0;
        ck_assert_int_eq(
            kgw_produce_request_acks(w.buf + 4 + body_off, w.len - 4 - body_off, v, &acks), 0);
        ck_assert_int_eq(acks, -1);

        kgw_request_t req;
        ck_assert_msg(kgw_request_decode(a, w.buf + 4, w.len - 4, &req, &err) == 0, "%s", err.msg);
        ck_assert_int_eq(req.header.correlation_id, 1234);
        ck_assert_int_eq(req.header.client_id.len, 10);
        ck_assert_int_eq(req.header_version, hv);
        kgw_produce_request_t *d = req.body;
        ck_assert_int_eq(d->acks, -1);
        ck_assert_int_eq(d->topic_data.count, m->topic_data.count);
        kgw_wbuf_free(&w);
    }
    const uint8_t bad[] = {0x00, 0x00, 0x00, 0x02, 0x00, 0x00};
    kgw_request_peek_t pk;
    ck_assert_int_eq(kgw_frame_peek_request(bad, sizeof(bad), &pk), -1);
    const uint8_t neg[] = {0xff, 0xff, 0xff, 0xff};
    ck_assert_int_eq(kgw_frame_peek_request(neg, sizeof(neg), &pk), -1);
    kgw_arena_free(a);
}
END_TEST

/* The error names message, version, field path, length and offset. */
START_TEST(test_error_names_field_path)
{
    kgw_arena_t *a = kgw_arena_new(0);
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_metadata_response_t m;
    ck_assert_int_eq(kgw_metadata_response_init(a, &m), 0);
    kgw_metadata_response_broker_t brokers[4];
    for (int i = 0; i < 4; i++) {
        memset(&brokers[i], 0, sizeof(brokers[i]));
        brokers[i].node_id = i;
        brokers[i].host = (kgw_str_t){"broker", 6};
        brokers[i].port = 9092;
        brokers[i].rack = (kgw_str_t){NULL, -1};
    }
    m.brokers.count = 4;
    m.brokers.items = brokers;
    m.cluster_id = (kgw_str_t){"c1", 2};
    kgw_wbuf_t w;
    kgw_wbuf_init(&w, &err);
    ck_assert_int_eq(kgw_metadata_response_encode(&w, 12, &m), 0);
    /* Broker 3's host: find its compact length byte (6 + 1) and make it huge. */
    size_t host3 = 0;
    for (size_t i = w.len - 1; i > 0; i--) {
        if (w.buf[i] == 7 && memcmp(w.buf + i + 1, "broker", 6) == 0) {
            host3 = i;
            break;
        }
    }
    ck_assert_uint_gt(host3, 0);
    uint8_t *bad = malloc(w.len + 2);
    memcpy(bad, w.buf, host3);
    bad[host3] = 0xf1; /* uvarint 70001 = 0xf1 0xa2 0x04 -> length 70000 */
    bad[host3 + 1] = 0xa2;
    bad[host3 + 2] = 0x04;
    memcpy(bad + host3 + 3, w.buf + host3 + 1, w.len - host3 - 1);
    void *out;
    ck_assert_int_eq(kgw_response_body_decode(a, KGW_API_METADATA, 12, bad, w.len + 2, &out, &err),
                     -1);
    char want[160];
    snprintf(want, sizeof(want),
             "MetadataResponse v12: field Brokers[3].Host: string length 70000 exceeds remaining "
             "%zu bytes at offset %zu",
             w.len + 2 - host3 - 3, host3);
    ck_assert_str_eq(err.msg, want);
    ck_assert_str_eq(err.field, "Host");
    ck_assert_uint_eq(err.offset, host3);
    ck_assert_int_eq(err.api_key, KGW_API_METADATA);
    ck_assert_int_eq(err.version, 12);

    /* Trailing bytes after a body are an error too. */
    uint8_t *longer = malloc(w.len + 1);
    memcpy(longer, w.buf, w.len);
    longer[w.len] = 0;
    ck_assert_int_eq(
        kgw_response_body_decode(a, KGW_API_METADATA, 12, longer, w.len + 1, &out, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "1 unexpected bytes after the body"));
    /* Unknown keys and versions are refused by name. */
    ck_assert_int_eq(kgw_request_body_decode(a, 999, 0, longer, 1, &out, &err), -1);
    ck_assert_str_eq(err.msg, "unknown api key 999");
    ck_assert_int_eq(kgw_request_body_decode(a, KGW_API_METADATA, 77, longer, 1, &out, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "MetadataRequest v77: unsupported version"));
    free(longer);
    free(bad);
    kgw_wbuf_free(&w);
    kgw_arena_free(a);
}
END_TEST

/* Metadata v4 request (non-flexible) as bytes written by hand from the
 * protocol guide; decoded fields and JSON match what Kafka would print. */
START_TEST(test_known_bytes_and_json)
{
    const uint8_t body[] = {
        0x00, 0x00, 0x00, 0x02,           /* topics: 2 */
        0x00, 0x03, 'f',  'o',  'o',      /* name "foo" */
        0x00, 0x04, 'b',  'a',  'r', '"', /* name "bar\"" */
        0x01,                             /* allow_auto_topic_creation */
    };
    kgw_arena_t *a = kgw_arena_new(0);
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_metadata_request_t *m;
    ck_assert_int_eq(
        kgw_request_body_decode(a, KGW_API_METADATA, 4, body, sizeof(body), (void **)&m, &err), 0);
    ck_assert_int_eq(m->topics.count, 2);
    ck_assert_int_eq(m->topics.items[0].name.len, 3);
    ck_assert(m->allow_auto_topic_creation);
    kgw_wbuf_t w;
    kgw_wbuf_init(&w, &err);
    ck_assert_int_eq(kgw_metadata_request_to_json(&w, 4, m), 0);
    ck_assert_int_eq(kgw_wbuf_append(&w, "", 1), 0);
    ck_assert_str_eq((char *)w.buf, "{\"topics\":[{\"name\":\"foo\"},{\"name\":\"bar\\\"\"}],"
                                    "\"allowAutoTopicCreation\":true}");

    /* v10+: topic ids as url-safe base64 without padding, null topics. */
    kgw_metadata_request_t r;
    ck_assert_int_eq(kgw_metadata_request_init(a, &r), 0);
    kgw_metadata_request_topic_t t;
    memset(&t, 0, sizeof(t));
    for (int i = 0; i < 16; i++) {
        t.topic_id.b[i] = (uint8_t)(0xf0 + i);
    }
    t.name = (kgw_str_t){NULL, -1};
    r.topics.count = 1;
    r.topics.items = &t;
    kgw_wbuf_reset(&w);
    ck_assert_int_eq(kgw_metadata_request_to_json(&w, 12, &r), 0);
    ck_assert_int_eq(kgw_wbuf_append(&w, "", 1), 0);
    ck_assert_str_eq((char *)w.buf,
                     "{\"topics\":[{\"topicId\":\"8PHy8_T19vf4-fr7_P3-_w\",\"name\":null}],"
                     "\"allowAutoTopicCreation\":true,\"includeTopicAuthorizedOperations\":false}");

    /* Bytes as standard base64 with padding; records as "". */
    kgw_sasl_authenticate_request_t sa = {.auth_bytes = {(const uint8_t *)"\0user\0pw", 8}};
    kgw_wbuf_reset(&w);
    ck_assert_int_eq(kgw_sasl_authenticate_request_to_json(&w, 0, &sa), 0);
    ck_assert_int_eq(kgw_wbuf_append(&w, "", 1), 0);
    ck_assert_str_eq((char *)w.buf, "{\"authBytes\":\"AHVzZXIAcHc=\"}");

    /* Invalid UTF-8 prints as Java's decoder reads it (checked against
     * new String(bytes, UTF_8) in Java 17): one U+FFFD per maximal ill-formed
     * subpart, one for a whole encoded surrogate. */
    static const struct {
        const char *in;
        const char *json;
    } utf8[] = {
        {"\xe2\x82\x41", "\"\xef\xbf\xbd"
                         "A\""},
        {"\xc0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\""},
        {"\xed\xa0\x80", "\"\xef\xbf\xbd\""},
        {"\xf0\x9f\x98", "\"\xef\xbf\xbd\""},
        {"\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
        {"\xe0\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
        {"\xf0\x9f\x98\x80\x01", "\"\xf0\x9f\x98\x80\\u0001\""},
    };
    for (size_t i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++) {
        kgw_sasl_handshake_request_t hs = {.mechanism = {utf8[i].in, (int32_t)strlen(utf8[i].in)}};
        kgw_wbuf_reset(&w);
        ck_assert_int_eq(kgw_sasl_handshake_request_to_json(&w, 1, &hs), 0);
        ck_assert_int_eq(kgw_wbuf_append(&w, "", 1), 0);
        char want[64];
        snprintf(want, sizeof(want), "{\"mechanism\":%s}", utf8[i].json);
        ck_assert_str_eq((char *)w.buf, want);
    }
    kgw_wbuf_free(&w);
    kgw_arena_free(a);
}
END_TEST

/* Known tagged fields are emitted only when not default, unknown ones are
 * kept, and both come out in ascending tag order. */
START_TEST(test_tagged_fields)
{
    kgw_arena_t *a = kgw_arena_new(0);
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_api_versions_response_t m;
    ck_assert_int_eq(kgw_api_versions_response_init(a, &m), 0);
    kgw_wbuf_t w;
    kgw_wbuf_init(&w, &err);
    ck_assert_int_eq(kgw_api_versions_response_encode(&w, 3, &m), 0);
    /* error_code(2) api_keys(1: empty compact) throttle(4) tagged count(1) */
    ck_assert_uint_eq(w.len, 8);
    ck_assert_int_eq(w.buf[7], 0);

    m.finalized_features_epoch = 5; /* tag 1 */
    kgw_tagged_field_t unknown[2] = {{9, {(const uint8_t *)"\x01", 1}}, {0x80, {NULL, 0}}};
    m.unknown_tagged.count = 2;
    m.unknown_tagged.items = unknown;
    kgw_wbuf_reset(&w);
    ck_assert_int_eq(kgw_api_versions_response_encode(&w, 3, &m), 0);
    const uint8_t want_tail[] = {0x03,                                  /* three tagged fields */
                                 0x01, 0x08, 0,    0, 0, 0, 0, 0, 0, 5, /* tag 1: int64 5 */
                                 0x09, 0x01, 0x01,                      /* unknown tag 9 */
                                 0x80, 0x01, 0x00};                     /* unknown tag 128, empty */
    ck_assert_uint_eq(w.len, 7 + sizeof(want_tail));
    ck_assert(memcmp(w.buf + 7, want_tail, sizeof(want_tail)) == 0);

    kgw_api_versions_response_t *d;
    ck_assert_int_eq(
        kgw_response_body_decode(a, KGW_API_API_VERSIONS, 3, w.buf, w.len, (void **)&d, &err), 0);
    ck_assert_int_eq(d->finalized_features_epoch, 5);
    ck_assert_int_eq(d->unknown_tagged.count, 2);
    ck_assert_uint_eq(d->unknown_tagged.items[1].tag, 128);
    /* JSON: the non-default tagged field appears, the default ones do not. */
    kgw_wbuf_t j;
    kgw_wbuf_init(&j, &err);
    ck_assert_int_eq(kgw_api_versions_response_to_json(&j, 3, d), 0);
    ck_assert_int_eq(kgw_wbuf_append(&j, "", 1), 0);
    ck_assert_str_eq((char *)j.buf, "{\"errorCode\":0,\"apiKeys\":[],\"throttleTimeMs\":0,"
                                    "\"finalizedFeaturesEpoch\":5}");
    /* A known tagged field whose size disagrees with its value is refused. */
    w.buf[9] = 0x07;
    ck_assert_int_eq(
        kgw_response_body_decode(a, KGW_API_API_VERSIONS, 3, w.buf, w.len, (void **)&d, &err), -1);
    kgw_wbuf_free(&j);
    kgw_wbuf_free(&w);
    kgw_arena_free(a);
}
END_TEST

typedef struct {
    kgw_arena_t *arena;
    int topics, groups, txns;
} rename_ctx_t;

static int
add_prefix(kgw_entity_kind_t kind, kgw_str_t *s, void *vctx)
{
    rename_ctx_t *c = vctx;
    if (kind == KGW_ENTITY_TOPIC_NAME) {
        c->topics++;
    } else if (kind == KGW_ENTITY_GROUP_ID) {
        c->groups++;
    } else if (kind == KGW_ENTITY_TRANSACTIONAL_ID) {
        c->txns++;
    }
    if (s->len < 0) {
        return 0;
    }
    char *p = kgw_arena_alloc(c->arena, (size_t)s->len + 7);
    if (p == NULL) {
        return -1;
    }
    memcpy(p, "tenant.", 7);
    memcpy(p + 7, s->ptr, (size_t)s->len);
    s->ptr = p;
    s->len += 7;
    return 0;
}

START_TEST(test_entity_visitor_renames)
{
    kgw_arena_t *a = kgw_arena_new(0);
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    /* TxnOffsetCommit v3 names a transactional id, a group and topics. */
    kgw_txn_offset_commit_request_t *m = kgw_txn_offset_commit_request_sample(a, 3, 1);
    m->transactional_id = (kgw_str_t){"tx", 2};
    m->group_id = (kgw_str_t){"g", 1};
    rename_ctx_t c = {a, 0, 0, 0};
    ck_assert_int_eq(kgw_msg_visit_entities(KGW_API_TXN_OFFSET_COMMIT, 3, false, m, add_prefix, &c),
                     0);
    ck_assert_int_eq(c.txns, 1);
    ck_assert_int_eq(c.groups, 1);
    ck_assert_int_eq(c.topics, m->topics.count);
    ck_assert_int_eq(m->transactional_id.len, 9);
    ck_assert(memcmp(m->group_id.ptr, "tenant.g", 8) == 0);
    /* The renamed message encodes and decodes with the new names. */
    kgw_wbuf_t w;
    kgw_wbuf_init(&w, &err);
    ck_assert_int_eq(kgw_txn_offset_commit_request_encode(&w, 3, m), 0);
    kgw_txn_offset_commit_request_t *d;
    ck_assert_int_eq(
        kgw_request_body_decode(a, KGW_API_TXN_OFFSET_COMMIT, 3, w.buf, w.len, (void **)&d, &err),
        0);
    ck_assert_int_eq(d->group_id.len, 8);
    ck_assert_int_eq(kgw_msg_visit_entities(999, 0, false, m, add_prefix, &c), -1);
    /* The path table lists the same fields. */
    int found = 0;
    for (size_t i = 0; i < kgw_api_entity_path_count; i++) {
        const kgw_entity_path_t *p = &kgw_api_entity_paths[i];
        if (p->api_key == KGW_API_TXN_OFFSET_COMMIT && !p->is_response &&
            p->kind == KGW_ENTITY_TOPIC_NAME) {
            ck_assert_str_eq(p->path, "Topics[].Name");
            found++;
        }
    }
    ck_assert_int_eq(found, 1);
    kgw_wbuf_free(&w);
    kgw_arena_free(a);
}
END_TEST

/* Inputs found by fuzzing that once misbehaved (see tools/fuzz.sh). */
START_TEST(test_fuzz_regressions)
{
    kgw_arena_t *a = kgw_arena_new(0);
    kgw_codec_error_t err;
    /* A compact array count near UINT32_MAX must not overflow or allocate. */
    const uint8_t huge_array[] = {0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f};
    void *out;
    kgw_codec_error_clear(&err);
    ck_assert_int_eq(kgw_response_body_decode(a, KGW_API_API_VERSIONS, 3, huge_array,
                                              sizeof(huge_array), &out, &err),
                     -1);
    ck_assert_msg(err.msg[0] != '\0', "no message");

    /* fuzz_codec crash-98a2b1e7 (input 00 12 01 00): an ApiVersions v1
     * request has an empty body; it decodes, and its encoding is empty (the
     * harness once passed that empty buffer's NULL pointer to memcmp). */
    const uint8_t empty[1] = {0};
    kgw_codec_error_clear(&err);
    ck_assert_int_eq(kgw_request_body_decode(a, KGW_API_API_VERSIONS, 1, empty, 0, &out, &err), 0);
    kgw_wbuf_t w;
    kgw_wbuf_init(&w, &err);
    ck_assert_int_eq(kgw_request_body_encode(&w, KGW_API_API_VERSIONS, 1, out, &err), 0);
    ck_assert_uint_eq(w.len, 0);
    ck_assert_int_eq(kgw_request_body_decode(a, KGW_API_API_VERSIONS, 1, empty, 1, &out, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "1 unexpected bytes after the body"));
    kgw_wbuf_free(&w);
    kgw_arena_free(a);
}
END_TEST

static Suite *
codec_suite(void)
{
    Suite *s = suite_create("codec");
    TCase *tc = tcase_create("codec");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_every_api_version_round_trips);
    tcase_add_test(tc, test_api_table);
    tcase_add_test(tc, test_min_wire_sizes);
    tcase_add_test(tc, test_request_headers);
    tcase_add_test(tc, test_response_headers);
    tcase_add_test(tc, test_api_versions_response_header_v0);
    tcase_add_test(tc, test_request_frame_round_trip);
    tcase_add_test(tc, test_error_names_field_path);
    tcase_add_test(tc, test_known_bytes_and_json);
    tcase_add_test(tc, test_tagged_fields);
    tcase_add_test(tc, test_entity_visitor_renames);
    tcase_add_test(tc, test_fuzz_regressions);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(codec_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
