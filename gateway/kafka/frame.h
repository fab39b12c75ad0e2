/*
 * Cheap frame inspection without decoding: the size prefix and the first
 * header fields of a request or response, where a request body starts, and
 * Produce's acks. Every function works on untrusted bytes and never reads
 * past len.
 */
#ifndef KGW_KAFKA_FRAME_H
#define KGW_KAFKA_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define KGW_FRAME_NEED_MORE 1 /* returned when buf holds too few bytes yet */

typedef struct {
    int32_t size; /* bytes after the int32 size prefix */
    int16_t api_key;
    int16_t api_version;
    int32_t correlation_id;
} kgw_request_peek_t;

typedef struct {
    int32_t size;
    int32_t correlation_id;
} kgw_response_peek_t;

/*
 * buf starts at the int32 size prefix. Returns 0 and fills out once the size
 * and the first 8 header bytes are present, KGW_FRAME_NEED_MORE when fewer
 * bytes are there, -1 when the frame is malformed (size < 8 or negative).
 * It does not wait for the whole frame: compare out->size + 4 with len.
 */
int kgw_frame_peek_request(const uint8_t *buf, size_t len, kgw_request_peek_t *out);
/* Same for a response: size and correlation id (size >= 4). */
int kgw_frame_peek_response(const uint8_t *buf, size_t len, kgw_response_peek_t *out);

/*
 * frame is a complete request WITHOUT its size prefix. Stores in *body_off the
 * offset of the body, skipping a request header of header_version (0, 1: +
 * int16 client id, 2: + tagged fields). Returns 0, or -1 when the header runs
 * past len or is malformed.
 */
int kgw_frame_request_body_offset(const uint8_t *frame, size_t len, int header_version,
                                  size_t *body_off);

/*
 * Reads Produce's acks from a Produce request body of version (0+) without
 * decoding the rest: skips transactional_id (v3+; int16 length before v9,
 * compact from v9). Returns 0, or -1 when the body is too short or malformed.
 */
int kgw_produce_request_acks(const uint8_t *body, size_t len, int16_t version, int16_t *acks);

#endif
