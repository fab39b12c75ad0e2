/*
 * kgw_request_peek: the few facts the relay needs from a client request
 * without decoding it: api key, version, correlation id, and whether the
 * broker will answer (Produce with acks=0 gets no response).
 *
 * Works on a prefix of the frame: the caller copies out as many bytes as
 * are available (at most the frame) and calls again with more when told
 * KGW_PEEK_NEED_MORE. Only Produce needs more than the fixed 8 header bytes.
 */
#ifndef KGW_REQUEST_PEEK_H
#define KGW_REQUEST_PEEK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kgw_api.h"

/* The smallest request frame body: api key, version, correlation id. */
#define KGW_REQUEST_HEADER_MIN 8

typedef struct kgw_request_info {
    int16_t api_key;
    int16_t api_version;
    int32_t correlation_id;
    bool expects_response; /* false only for Produce with acks=0 */
} kgw_request_info_t;

typedef enum kgw_peek_result {
    KGW_PEEK_OK = 0,
    KGW_PEEK_NEED_MORE, /* call again with a longer prefix */
    KGW_PEEK_MALFORMED, /* the bytes cannot be a request; *why says how */
} kgw_peek_result_t;

/*
 * Peeks at p[0..avail), the first `avail` bytes of a request frame body
 * (after the int32 size) whose full body length is frame_len (avail <=
 * frame_len). On KGW_PEEK_MALFORMED, *why points at a static description.
 */
kgw_peek_result_t kgw_request_peek(const uint8_t *p, size_t avail, size_t frame_len,
                                   kgw_request_info_t *out, const char **why);

#endif
