/* Kafka request and response headers (see header.h). */
#include "header.h"

#include <stdlib.h>

int
kgw_tagged_section_read_raw(kgw_arena_t *a, kgw_wire_reader_t *r, kgw_tagged_t *out)
{
    size_t start = r->off;
    uint32_t n;
    if (kgw_wire_read_uvarint(r, &n) != 0) {
        return -1;
    }
    out->count = 0;
    out->items = NULL;
    if (n == 0) {
        return 0;
    }
    /* Every tagged field takes at least two bytes (tag and size). */
    if (n > kgw_wire_remaining(r) / 2) {
        kgw_codec_error_set(r->err, start,
                            "tagged field count %u exceeds remaining %zu bytes at offset %zu", n,
                            kgw_wire_remaining(r), start);
        return -1;
    }
    out->items = kgw_arena_alloc(a, (size_t)n * sizeof(*out->items));
    if (out->items == NULL) {
        kgw_codec_error_set(r->err, start, "out of memory for %u tagged fields", n);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t tag, size;
        const uint8_t *p;
        size_t at = r->off;
        if (kgw_wire_read_uvarint(r, &tag) != 0 || kgw_wire_read_uvarint(r, &size) != 0) {
            return -1;
        }
        if (size > kgw_wire_remaining(r)) {
            kgw_codec_error_set(r->err, at,
                                "tagged field %u size %u exceeds remaining %zu bytes at offset %zu",
                                tag, size, kgw_wire_remaining(r), at);
            return -1;
        }
        if (kgw_wire_read_raw(r, size, &p) != 0) {
            return -1;
        }
        out->items[i].tag = tag;
        out->items[i].data.ptr = p;
        out->items[i].data.len = (int32_t)size;
        out->count = (int32_t)(i + 1);
    }
    return 0;
}

int
kgw_tagged_section_write_raw(kgw_wbuf_t *w, const kgw_tagged_t *t)
{
    int32_t n = t->count > 0 ? t->count : 0;
    if (kgw_wbuf_put_uvarint(w, (uint32_t)n) != 0) {
        return -1;
    }
    /* Emit in ascending tag order without reordering the caller's list:
     * repeatedly pick the smallest tag above the last one written (tag lists
     * are tiny). Equal tags keep their input order. */
    int64_t last = -1;
    int32_t last_idx = -1;
    for (int32_t k = 0; k < n; k++) {
        int32_t best = -1;
        for (int32_t i = 0; i < n; i++) {
            int64_t tag = t->items[i].tag;
            if (tag < last || (tag == last && i <= last_idx)) {
                continue;
            }
            if (best < 0 || tag < (int64_t)t->items[best].tag) {
                best = i;
            }
        }
        if (best < 0) {
            break;
        }
        const kgw_tagged_field_t *f = &t->items[best];
        int32_t len = f->data.len > 0 ? f->data.len : 0;
        if (kgw_wbuf_put_uvarint(w, f->tag) != 0 || kgw_wbuf_put_uvarint(w, (uint32_t)len) != 0 ||
            kgw_wbuf_append(w, f->data.ptr, (size_t)len) != 0) {
            return -1;
        }
        last = f->tag;
        last_idx = best;
    }
    return 0;
}

int
kgw_request_header_decode(kgw_arena_t *a, kgw_wire_reader_t *r, int header_version,
                          kgw_request_header_t *out)
{
    out->client_id.ptr = NULL;
    out->client_id.len = -1;
    out->unknown_tagged.count = 0;
    out->unknown_tagged.items = NULL;
    if (header_version < 0 || header_version > 2) {
        kgw_codec_error_set(r->err, r->off, "request header version %d is not 0, 1 or 2",
                            header_version);
        return -1;
    }
    if (kgw_wire_read_int16(r, &out->api_key) != 0 ||
        kgw_wire_read_int16(r, &out->api_version) != 0 ||
        kgw_wire_read_int32(r, &out->correlation_id) != 0) {
        return -1;
    }
    /* The client id keeps its int16 length even in flexible header v2. */
    if (header_version >= 1 && kgw_wire_read_string(r, false, true, &out->client_id) != 0) {
        return -1;
    }
    if (header_version >= 2 && kgw_tagged_section_read_raw(a, r, &out->unknown_tagged) != 0) {
        return -1;
    }
    return 0;
}

int
kgw_request_header_encode(kgw_wbuf_t *w, int header_version, const kgw_request_header_t *h)
{
    if (header_version < 0 || header_version > 2) {
        w->failed = true;
        kgw_codec_error_set(w->err, w->len, "request header version %d is not 0, 1 or 2",
                            header_version);
        return -1;
    }
    if (kgw_wbuf_put_int16(w, h->api_key) != 0 || kgw_wbuf_put_int16(w, h->api_version) != 0 ||
        kgw_wbuf_put_int32(w, h->correlation_id) != 0) {
        return -1;
    }
    if (header_version >= 1 && kgw_wbuf_put_string(w, false, h->client_id) != 0) {
        return -1;
    }
    if (header_version >= 2 && kgw_tagged_section_write_raw(w, &h->unknown_tagged) != 0) {
        return -1;
    }
    return 0;
}

int
kgw_response_header_decode(kgw_arena_t *a, kgw_wire_reader_t *r, int header_version,
                           kgw_response_header_t *out)
{
    out->unknown_tagged.count = 0;
    out->unknown_tagged.items = NULL;
    if (header_version < 0 || header_version > 1) {
        kgw_codec_error_set(r->err, r->off, "response header version %d is not 0 or 1",
                            header_version);
        return -1;
    }
    if (kgw_wire_read_int32(r, &out->correlation_id) != 0) {
        return -1;
    }
    if (header_version >= 1 && kgw_tagged_section_read_raw(a, r, &out->unknown_tagged) != 0) {
        return -1;
    }
    return 0;
}

int
kgw_response_header_encode(kgw_wbuf_t *w, int header_version, const kgw_response_header_t *h)
{
    if (header_version < 0 || header_version > 1) {
        w->failed = true;
        kgw_codec_error_set(w->err, w->len, "response header version %d is not 0 or 1",
                            header_version);
        return -1;
    }
    if (kgw_wbuf_put_int32(w, h->correlation_id) != 0) {
        return -1;
    }
    if (header_version >= 1 && kgw_tagged_section_write_raw(w, &h->unknown_tagged) != 0) {
        return -1;
    }
    return 0;
}
