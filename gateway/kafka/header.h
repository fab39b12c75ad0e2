/*
 * Kafka request headers (v0: api key, version, correlation id; v1: + client id
 * as an int16-length nullable string, even in v2; v2: + tagged fields) and
 * response headers (v0: correlation id; v1: + tagged fields). Which version a
 * message uses comes from kgw_api_request_header_version() and
 * kgw_api_response_header_version() in gen/kgw_api.h.
 */
#ifndef KGW_KAFKA_HEADER_H
#define KGW_KAFKA_HEADER_H

#include <stdint.h>

#include "arena.h"
#include "wire.h"

typedef struct {
    int16_t api_key;
    int16_t api_version;
    int32_t correlation_id;
    kgw_str_t client_id;         /* v1+; len -1 = null */
    kgw_tagged_t unknown_tagged; /* v2 */
} kgw_request_header_t;

typedef struct {
    int32_t correlation_id;
    kgw_tagged_t unknown_tagged; /* v1 */
} kgw_response_header_t;

/* Decodes a request header of header_version (0-2) from r; tagged fields are
 * kept in a. client_id points into the input. */
int kgw_request_header_decode(kgw_arena_t *a, kgw_wire_reader_t *r, int header_version,
                              kgw_request_header_t *out) KGW_WARN_UNUSED;
int kgw_request_header_encode(kgw_wbuf_t *w, int header_version,
                              const kgw_request_header_t *h) KGW_WARN_UNUSED;
int kgw_response_header_decode(kgw_arena_t *a, kgw_wire_reader_t *r, int header_version,
                               kgw_response_header_t *out) KGW_WARN_UNUSED;
int kgw_response_header_encode(kgw_wbuf_t *w, int header_version,
                               const kgw_response_header_t *h) KGW_WARN_UNUSED;

/* Reads a tagged-field section (uvarint count, then tag/size/bytes) keeping
 * every field as unknown in out (allocated from a). */
int kgw_tagged_section_read_raw(kgw_arena_t *a, kgw_wire_reader_t *r,
                                kgw_tagged_t *out) KGW_WARN_UNUSED;
/* Writes a tagged-field section holding exactly the fields of t, sorted by tag. */
int kgw_tagged_section_write_raw(kgw_wbuf_t *w, const kgw_tagged_t *t) KGW_WARN_UNUSED;

#endif
