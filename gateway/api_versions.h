/*
 * kgw_api_versions: what the gateway tells clients it supports.
 *
 * The broker's ApiVersions response is intersected, for every API the
 * gateway must decode, with the versions the codec can decode:
 *   min = max(broker, kgw), max = min(broker, kgw)
 * except that a broker's Produce min 0 is kept (librdkafka stops
 * compressing when Produce min > 0), and APIs decoded only from some
 * version on (Produce v10+, Fetch v16+, DescribeQuorum v2+) keep the
 * broker's min. An API whose range becomes empty is removed. Keys that
 * nothing needs decoded, including unknown ones, are passed on untouched.
 *
 * A client asking for an ApiVersions version newer than the gateway knows
 * gets the KIP-511 answer from the gateway itself: a v0 body with
 * UNSUPPORTED_VERSION (35) and ApiVersions' own range, so it retries lower.
 */
#ifndef KGW_API_VERSIONS_H
#define KGW_API_VERSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define KGW_ERR_UNSUPPORTED_VERSION 35

/* The newest ApiVersions request version the gateway understands. */
int16_t kgw_api_versions_max(void);

/*
 * Intersects one broker range for api_key: returns true with *min and *max set
 * to the range to advertise, or false when the API must be removed.
 */
bool kgw_api_versions_intersect(int16_t api_key, int16_t broker_min, int16_t broker_max,
                                int16_t *min, int16_t *max);

/*
 * Rewrites a broker's ApiVersions response: `frame` is the response after
 * the int32 size (header v0 + body) to a request of `version`. Appends size
 * + header v0 + body to out. A broker's error answer (UNSUPPORTED_VERSION)
 * is passed on unchanged. Returns 0, or -1 with err set.
 */
int kgw_api_versions_rewrite(int16_t version, const uint8_t *frame, size_t len, kgw_wbuf_t *out,
                             kgw_codec_error_t *err) __attribute__((warn_unused_result));

/* Appends the KIP-511 answer (size + header v0 + v0 body) for a request
 * with correlation_id. Returns 0, or -1 out of memory (err set). */
int kgw_api_versions_unsupported(int32_t correlation_id, kgw_wbuf_t *out, kgw_codec_error_t *err)
    __attribute__((warn_unused_result));

#endif
