/*
 * kgw_api_versions: ApiVersions intersection and the KIP-511 downgrade.
 */
#include "api_versions.h"

#include <stdlib.h>

#include "codec.h"
#include "kgw_api.h"
#include "kgw_messages.h"

int16_t
kgw_api_versions_max(void)
{
    const kgw_api_info_t *info = kgw_api_info(KGW_API_API_VERSIONS);
    return info != NULL ? info->max_version : 3;
}

/* The first version of api_key the gateway decodes, or -1 when it never
 * decodes that API (then the broker's range passes untouched). */
static int16_t
kgw__decoded_from(int16_t api_key)
{
    switch (api_key) {
    case KGW_API_METADATA:
    case KGW_API_FIND_COORDINATOR:
    case KGW_API_DESCRIBE_CLUSTER:
    case KGW_API_SHARE_FETCH:
    case KGW_API_SHARE_ACKNOWLEDGE:
    case KGW_API_API_VERSIONS:
        return 0;
    case KGW_API_PRODUCE:
        return 10;
    case KGW_API_FETCH:
        return 16;
    case KGW_API_DESCRIBE_QUORUM:
        return 2;
    default:
        return -1;
    }
}

bool
kgw_api_versions_intersect(int16_t api_key, int16_t broker_min, int16_t broker_max, int16_t *min,
                           int16_t *max)
{
    *min = broker_min;
    *max = broker_max;
    int16_t from = kgw__decoded_from(api_key);
    if (from < 0)
        return true;
    const kgw_api_info_t *info = kgw_api_info(api_key);
    if (info == NULL || info->min_version < 0)
        return false;
    if (info->max_version < *max)
        *max = info->max_version;
    /* Versions below `from` are relayed as bytes, so the codec's minimum
     * only matters when every version is decoded. */
    if (from == 0 && info->min_version > *min)
        *min = info->min_version;
    return *min <= *max;
}

/*
 * Edits the version ranges of a copied response in place: ranges are
 * fixed-width int16 in every version, so nothing moves. Returns 1 when
 * done, 0 when an API must be removed (the caller re-encodes instead), -1
 * when the body is malformed.
 */
static int
kgw__api_versions_patch(uint8_t *body, size_t len, int16_t version, kgw_codec_error_t *err)
{
    kgw_wire_reader_t r;
    kgw_wire_reader_init(&r, body, len, err);
    bool flexible = version >= 3;
    int16_t error_code;
    int32_t count;
    if (kgw_wire_read_int16(&r, &error_code) != 0 ||
        kgw_wire_read_array_len(&r, flexible, false, &count) != 0)
        return -1;
    for (int32_t i = 0; i < count; i++) {
        size_t at = r.off;
        int16_t key, bmin, bmax, mn, mx;
        if (kgw_wire_read_int16(&r, &key) != 0 || kgw_wire_read_int16(&r, &bmin) != 0 ||
            kgw_wire_read_int16(&r, &bmax) != 0)
            return -1;
        if (!kgw_api_versions_intersect(key, bmin, bmax, &mn, &mx))
            return 0;
        body[at + 2] = (uint8_t)((uint16_t)mn >> 8);
        body[at + 3] = (uint8_t)mn;
        body[at + 4] = (uint8_t)((uint16_t)mx >> 8);
        body[at + 5] = (uint8_t)mx;
        if (flexible) {
            uint32_t ntags;
            if (kgw_wire_read_uvarint(&r, &ntags) != 0)
                return -1;
            for (uint32_t t = 0; t < ntags; t++) {
                uint32_t tag, size;
                if (kgw_wire_read_uvarint(&r, &tag) != 0 || kgw_wire_read_uvarint(&r, &size) != 0 ||
                    kgw_wire_skip(&r, size) != 0)
                    return -1;
            }
        }
    }
    return 1;
}

int
kgw_api_versions_rewrite(int16_t version, const uint8_t *frame, size_t len, kgw_wbuf_t *out,
                         kgw_codec_error_t *err)
{
    /* Header v0 (correlation id) then error_code int16 in every version. */
    if (len < 6) {
        kgw_codec_error_set(err, 0, "ApiVersions response of %zu bytes is too short", len);
        return -1;
    }
    size_t start = out->len;
    uint8_t size[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                       (uint8_t)len};
    if (kgw_wbuf_append(out, size, 4) != 0 || kgw_wbuf_append(out, frame, len) != 0)
        return -1;
    int16_t error_code = (int16_t)((frame[4] << 8) | frame[5]);
    if (error_code != 0) {
        /* An error answer (UNSUPPORTED_VERSION with ApiVersions' own range,
         * whose body layout brokers differ on) names no address and no
         * version the gateway must cap: pass it on as it is. */
        return 0;
    }
    int rc = kgw__api_versions_patch(out->buf + start + 8, len - 4, version, err);
    if (rc != 0)
        return rc > 0 ? 0 : -1;

    /* An API has to go: decode, drop it, re-encode. */
    out->len = start;
    kgw_arena_t *arena = kgw_arena_new(4096);
    if (arena == NULL) {
        kgw_codec_error_set(err, 0, "out of memory");
        return -1;
    }
    rc = -1;
    kgw_response_t resp;
    if (kgw_response_decode(arena, KGW_API_API_VERSIONS, version, frame, len, &resp, err) != 0)
        goto done;
    kgw_api_versions_response_t *m = resp.body;
    int32_t kept = 0;
    for (int32_t i = 0; i < m->api_keys.count; i++) {
        kgw_api_versions_response_api_version_t *k = &m->api_keys.items[i];
        int16_t mn, mx;
        if (!kgw_api_versions_intersect(k->api_key, k->min_version, k->max_version, &mn, &mx))
            continue;
        k->min_version = mn;
        k->max_version = mx;
        m->api_keys.items[kept++] = *k;
    }
    if (m->api_keys.count > 0)
        m->api_keys.count = kept;
    rc = kgw_response_encode(out, KGW_API_API_VERSIONS, version, &resp.header, m, err);
done:
    kgw_arena_free(arena);
    return rc;
}

int
kgw_api_versions_unsupported(int32_t correlation_id, kgw_wbuf_t *out, kgw_codec_error_t *err)
{
    kgw_arena_t *arena = kgw_arena_new(1024);
    if (arena == NULL) {
        kgw_codec_error_set(err, 0, "out of memory");
        return -1;
    }
    int rc = -1;
    kgw_api_versions_response_t m;
    if (kgw_api_versions_response_init(arena, &m) != 0)
        goto done;
    kgw_api_versions_response_api_version_t key = {
        .api_key = KGW_API_API_VERSIONS, .min_version = 0, .max_version = kgw_api_versions_max()};
    m.error_code = KGW_ERR_UNSUPPORTED_VERSION;
    m.api_keys.count = 1;
    m.api_keys.items = &key;
    kgw_response_header_t h = {.correlation_id = correlation_id};
    rc = kgw_response_encode(out, KGW_API_API_VERSIONS, 0, &h, &m, err);
done:
    kgw_arena_free(arena);
    return rc;
}
