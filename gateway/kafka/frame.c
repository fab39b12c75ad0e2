/* Cheap frame inspection without decoding (see frame.h). */
#include "frame.h"

#include "wire.h"

int
kgw_frame_peek_request(const uint8_t *buf, size_t len, kgw_request_peek_t *out)
{
    kgw_wire_reader_t r;
    kgw_wire_reader_init(&r, buf, len, NULL);
    if (len < 4) {
        return KGW_FRAME_NEED_MORE;
    }
    if (kgw_wire_read_int32(&r, &out->size) != 0) {
        return -1;
    }
    /* api key + version + correlation id are the least a request holds. */
    if (out->size < 8) {
        return -1;
    }
    if (len < 12) {
        return KGW_FRAME_NEED_MORE;
    }
    if (kgw_wire_read_int16(&r, &out->api_key) != 0 ||
        kgw_wire_read_int16(&r, &out->api_version) != 0 ||
        kgw_wire_read_int32(&r, &out->correlation_id) != 0) {
        return -1;
    }
    return 0;
}

int
kgw_frame_peek_response(const uint8_t *buf, size_t len, kgw_response_peek_t *out)
{
    kgw_wire_reader_t r;
    kgw_wire_reader_init(&r, buf, len, NULL);
    if (len < 4) {
        return KGW_FRAME_NEED_MORE;
    }
    if (kgw_wire_read_int32(&r, &out->size) != 0) {
        return -1;
    }
    if (out->size < 4) {
        return -1;
    }
    if (len < 8) {
        return KGW_FRAME_NEED_MORE;
    }
    if (kgw_wire_read_int32(&r, &out->correlation_id) != 0) {
        return -1;
    }
    return 0;
}

int
kgw_frame_request_body_offset(const uint8_t *frame, size_t len, int header_version,
                              size_t *body_off)
{
    kgw_wire_reader_t r;
    kgw_wire_reader_init(&r, frame, len, NULL);
    if (header_version < 0 || header_version > 2) {
        return -1;
    }
    if (kgw_wire_skip(&r, 8) != 0) {
        return -1;
    }
    if (header_version >= 1) {
        kgw_str_t client_id;
        if (kgw_wire_read_string(&r, false, true, &client_id) != 0) {
            return -1;
        }
    }
    if (header_version >= 2) {
        uint32_t n;
        if (kgw_wire_read_uvarint(&r, &n) != 0) {
            return -1;
        }
        if (n > kgw_wire_remaining(&r) / 2) {
            return -1;
        }
        for (uint32_t i = 0; i < n; i++) {
            uint32_t tag, size;
            if (kgw_wire_read_uvarint(&r, &tag) != 0 || kgw_wire_read_uvarint(&r, &size) != 0 ||
                kgw_wire_skip(&r, size) != 0) {
                return -1;
            }
        }
    }
    *body_off = r.off;
    return 0;
}

int
kgw_produce_request_acks(const uint8_t *body, size_t len, int16_t version, int16_t *acks)
{
    kgw_wire_reader_t r;
    kgw_wire_reader_init(&r, body, len, NULL);
    if (version < 0) {
        return -1;
    }
    if (version >= 3) {
        kgw_str_t txn;
        if (kgw_wire_read_string(&r, version >= 9, true, &txn) != 0) {
            return -1;
        }
    }
    return kgw_wire_read_int16(&r, acks);
}
