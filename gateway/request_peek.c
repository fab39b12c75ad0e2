/*
 * kgw_request_peek: header fields and Produce acks read from raw bytes.
 *
 * Produce request layout (Kafka 4.4 schemas, header v1 before v9, v2 from):
 *   header: api_key int16, version int16, correlation_id int32,
 *           client_id nullable string (INT16 length even in header v2),
 *           [v9+: tagged fields]
 *   body:   [v3+: transactional_id, INT16 length before v9, compact from v9]
 *           acks int16, ...
 */
#include "request_peek.h"

typedef struct {
    const uint8_t *p;
    size_t len;
    size_t off;
} kgw__cursor_t;

static int
kgw__cur_i16(kgw__cursor_t *c, int16_t *v)
{
    if (c->len - c->off < 2)
        return -1;
    *v = (int16_t)(((uint16_t)c->p[c->off] << 8) | c->p[c->off + 1]);
    c->off += 2;
    return 0;
}

static int
kgw__cur_uvarint(kgw__cursor_t *c, uint32_t *v)
{
    uint32_t result = 0;
    for (int i = 0; i < 5; i++) {
        if (c->off >= c->len)
            return -1;
        uint8_t b = c->p[c->off++];
        result |= (uint32_t)(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) {
            *v = result;
            return 0;
        }
    }
    return -2; /* longer than 5 bytes: malformed */
}

static int
kgw__cur_skip(kgw__cursor_t *c, size_t n)
{
    if (c->len - c->off < n)
        return -1;
    c->off += n;
    return 0;
}

/* Returns 0 with acks read, -1 need more bytes, -2 malformed. */
static int
kgw__peek_produce_acks(kgw__cursor_t *c, int16_t version, int16_t *acks)
{
    int16_t len16;
    if (kgw__cur_i16(c, &len16) < 0) /* client_id */
        return -1;
    if (len16 < -1)
        return -2;
    if (len16 > 0 && kgw__cur_skip(c, (size_t)len16) < 0)
        return -1;
    bool flexible = version >= 9;
    if (flexible) {
        uint32_t ntags;
        int rc = kgw__cur_uvarint(c, &ntags);
        if (rc < 0)
            return rc;
        for (uint32_t i = 0; i < ntags; i++) {
            uint32_t tag, size;
            if ((rc = kgw__cur_uvarint(c, &tag)) < 0 || (rc = kgw__cur_uvarint(c, &size)) < 0)
                return rc;
            if (kgw__cur_skip(c, size) < 0)
                return -1;
        }
    }
    if (version >= 3) { /* transactional_id */
        if (flexible) {
            uint32_t n1;
            int rc = kgw__cur_uvarint(c, &n1);
            if (rc < 0)
                return rc;
            if (n1 > 1 && kgw__cur_skip(c, n1 - 1) < 0)
                return -1;
        } else {
            if (kgw__cur_i16(c, &len16) < 0)
                return -1;
            if (len16 < -1)
                return -2;
            if (len16 > 0 && kgw__cur_skip(c, (size_t)len16) < 0)
                return -1;
        }
    }
    return kgw__cur_i16(c, acks);
}

kgw_peek_result_t
kgw_request_peek(const uint8_t *p, size_t avail, size_t frame_len, kgw_request_info_t *out,
                 const char **why)
{
    *why = "";
    if (frame_len < KGW_REQUEST_HEADER_MIN) {
        *why = "frame shorter than a request header (8 bytes)";
        return KGW_PEEK_MALFORMED;
    }
    if (avail < KGW_REQUEST_HEADER_MIN)
        return KGW_PEEK_NEED_MORE;
    out->api_key = (int16_t)((p[0] << 8) | p[1]);
    out->api_version = (int16_t)((p[2] << 8) | p[3]);
    out->correlation_id =
        (int32_t)(((uint32_t)p[4] << 24) | ((uint32_t)p[5] << 16) | ((uint32_t)p[6] << 8) | p[7]);
    out->expects_response = true;
    if (out->api_key < 0) {
        *why = "negative api key";
        return KGW_PEEK_MALFORMED;
    }
    if (out->api_version < 0) {
        *why = "negative api version";
        return KGW_PEEK_MALFORMED;
    }
    /* Header v1+ (every known request but ControlledShutdown v0): the
     * client id length must fit in the frame. Unknown versions pass. */
    if (kgw_api_request_header_version(out->api_key, out->api_version) >= 1) {
        if (frame_len < KGW_REQUEST_HEADER_MIN + 2) {
            *why = "request header ends before its client id";
            return KGW_PEEK_MALFORMED;
        }
        if (avail < KGW_REQUEST_HEADER_MIN + 2)
            return KGW_PEEK_NEED_MORE;
        int16_t id_len = (int16_t)((p[8] << 8) | p[9]);
        if (id_len < -1) {
            *why = "negative client id length";
            return KGW_PEEK_MALFORMED;
        }
        if (id_len > 0 && (size_t)id_len > frame_len - KGW_REQUEST_HEADER_MIN - 2) {
            *why = "client id longer than the frame";
            return KGW_PEEK_MALFORMED;
        }
    }
    if (out->api_key != KGW_API_PRODUCE)
        return KGW_PEEK_OK;

    kgw__cursor_t c = {.p = p, .len = avail, .off = KGW_REQUEST_HEADER_MIN};
    int16_t acks = -1;
    int rc = kgw__peek_produce_acks(&c, out->api_version, &acks);
    if (rc == -2) {
        *why = "malformed Produce request header";
        return KGW_PEEK_MALFORMED;
    }
    if (rc == -1) {
        if (avail >= frame_len) {
            *why = "Produce request ends before its acks field";
            return KGW_PEEK_MALFORMED;
        }
        return KGW_PEEK_NEED_MORE;
    }
    out->expects_response = acks != 0;
    return KGW_PEEK_OK;
}
