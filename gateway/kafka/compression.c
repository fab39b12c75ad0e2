/* Compression codecs for record batches: gzip (zlib), snappy (raw and
 * xerial framing), lz4 (frame format), zstd (streaming). */
#include "compression.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

/* First output chunk of a streaming decompression; later chunks double. */
#define KGW_DECOMPRESS_CHUNK 65536

/* Largest zstd window accepted on input: 2^23 up to 2^27, following max_out. */
#define KGW_ZSTD_WINDOW_LOG_MIN 23
#define KGW_ZSTD_WINDOW_LOG_MAX 27

static const uint8_t kgw_xerial_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
#define KGW_XERIAL_HEADER_SIZE 16

static _Thread_local ZSTD_CCtx *tl_zstd_cctx;
static _Thread_local ZSTD_DCtx *tl_zstd_dctx;
static _Thread_local LZ4F_dctx *tl_lz4_dctx;

__attribute__((format(printf, 3, 4))) static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int
kgw_buf_reserve(kgw_buf_t *b, size_t extra)
{
    if (extra <= b->cap - b->len)
        return 0;
    if (extra > SIZE_MAX / 2 - b->len)
        return -1;
    size_t need = b->len + extra;
    size_t cap = b->cap < 256 ? 256 : b->cap;
    while (cap < need)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (p == NULL)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int
kgw_buf_append(kgw_buf_t *b, const void *p, size_t n)
{
    if (n == 0)
        return 0;
    /* p may point into b itself: find it again after a realloc. */
    const uint8_t *src = p;
    bool inside = b->data != NULL && src >= b->data && src < b->data + b->cap;
    size_t at = inside ? (size_t)(src - b->data) : 0;
    if (kgw_buf_reserve(b, n) != 0)
        return -1;
    if (inside)
        src = b->data + at;
    memcpy(b->data + b->len, src, n);
    b->len += n;
    return 0;
}

void
kgw_buf_free(kgw_buf_t *b)
{
    if (b == NULL)
        return;
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

const char *
kgw_compression_name(int codec)
{
    switch (codec) {
    case KGW_COMPRESSION_NONE:
        return "none";
    case KGW_COMPRESSION_GZIP:
        return "gzip";
    case KGW_COMPRESSION_SNAPPY:
        return "snappy";
    case KGW_COMPRESSION_LZ4:
        return "lz4";
    case KGW_COMPRESSION_ZSTD:
        return "zstd";
    }
    return "unknown";
}

/* Makes room for the next chunk of streaming output: at most `room` bytes
 * (room > 0), growing geometrically. Returns the writable size or 0 on
 * allocation failure. */
static size_t
grow_chunk(kgw_buf_t *out, size_t produced, size_t room)
{
    size_t want = produced < KGW_DECOMPRESS_CHUNK ? KGW_DECOMPRESS_CHUNK : produced;
    if (want > room)
        want = room;
    if (out->cap - out->len >= want)
        return out->cap - out->len < room ? out->cap - out->len : room;
    if (kgw_buf_reserve(out, want) != 0)
        return 0;
    return out->cap - out->len < room ? out->cap - out->len : room;
}

/* All streaming decoders write into a window of max_out + 1 bytes: producing
 * the extra byte proves the data exceeds the cap. */
static int
bomb(const char *codec, size_t max_out, char *err, size_t errlen)
{
    set_err(err, errlen, "%s: decompressed data exceeds the limit of %zu bytes", codec, max_out);
    return -1;
}

static int
gzip_decompress(const uint8_t *in, size_t n, kgw_buf_t *out, size_t max_out, char *err,
                size_t errlen)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (n > UINT_MAX) {
        set_err(err, errlen, "gzip: input of %zu bytes is too large", n);
        return -1;
    }
    int rc = inflateInit2(&zs, 16 + MAX_WBITS);
    if (rc != Z_OK) {
        set_err(err, errlen, "gzip: inflateInit2 failed (%d)", rc);
        return -1;
    }
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)n;
    size_t limit = max_out == SIZE_MAX ? max_out : max_out + 1;
    size_t produced = 0;
    int ret = -1;
    for (;;) {
        size_t room = limit - produced;
        if (room == 0) {
            bomb("gzip", max_out, err, errlen);
            goto done;
        }
        size_t avail = grow_chunk(out, produced, room);
        if (avail == 0) {
            set_err(err, errlen, "gzip: out of memory after %zu bytes", produced);
            goto done;
        }
        if (avail > UINT_MAX)
            avail = UINT_MAX;
        zs.next_out = out->data + out->len;
        zs.avail_out = (uInt)avail;
        rc = inflate(&zs, Z_NO_FLUSH);
        size_t got = avail - zs.avail_out;
        out->len += got;
        produced += got;
        if (produced > max_out) {
            bomb("gzip", max_out, err, errlen);
            goto done;
        }
        if (rc == Z_STREAM_END) {
            /* Java's GZIPInputStream reads another member when one follows
             * and ignores trailing bytes that do not start one; do the same. */
            if (zs.avail_in < 10 || zs.next_in[0] != 0x1f || zs.next_in[1] != 0x8b ||
                zs.next_in[2] != 8) {
                ret = 0;
                goto done;
            }
            /* Another gzip member follows, as GZIPInputStream allows. */
            rc = inflateReset(&zs);
            if (rc != Z_OK) {
                set_err(err, errlen, "gzip: inflateReset failed (%d)", rc);
                goto done;
            }
            continue;
        }
        if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
            set_err(err, errlen, "gzip: truncated data (%zu input bytes, %zu decompressed)", n,
                    produced);
            goto done;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            set_err(err, errlen, "gzip: corrupt data at input byte %zu: %s",
                    n - (size_t)zs.avail_in, zs.msg != NULL ? zs.msg : "inflate error");
            goto done;
        }
        if (zs.avail_in == 0 && got == 0) {
            set_err(err, errlen, "gzip: truncated data (%zu input bytes, %zu decompressed)", n,
                    produced);
            goto done;
        }
    }
done:
    inflateEnd(&zs);
    return ret;
}

static int
gzip_compress(int level, const uint8_t *in, size_t n, kgw_buf_t *out, char *err, size_t errlen)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (n > UINT_MAX / 2) {
        set_err(err, errlen, "gzip: input of %zu bytes is too large", n);
        return -1;
    }
    int rc = deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) {
        set_err(err, errlen, "gzip: deflateInit2 level %d failed (%d)", level, rc);
        return -1;
    }
    size_t bound = deflateBound(&zs, (uLong)n) + 32;
    int ret = -1;
    if (kgw_buf_reserve(out, bound) != 0) {
        set_err(err, errlen, "gzip: out of memory reserving %zu bytes", bound);
        goto done;
    }
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)n;
    zs.next_out = out->data + out->len;
    zs.avail_out = (uInt)bound;
    rc = deflate(&zs, Z_FINISH);
    if (rc != Z_STREAM_END) {
        set_err(err, errlen, "gzip: deflate failed (%d)", rc);
        goto done;
    }
    out->len += bound - zs.avail_out;
    ret = 0;
done:
    deflateEnd(&zs);
    return ret;
}

/* One raw snappy block; the output is bounded by max_out - *produced. */
static int
snappy_raw_block(const uint8_t *in, size_t n, kgw_buf_t *out, size_t max_out, size_t *produced,
                 size_t at, char *err, size_t errlen)
{
    size_t len = 0;
    if (snappy_uncompressed_length((const char *)in, n, &len) != SNAPPY_OK) {
        set_err(err, errlen, "snappy: corrupt block header at input byte %zu", at);
        return -1;
    }
    if (len > max_out - *produced)
        return bomb("snappy", max_out, err, errlen);
    if (kgw_buf_reserve(out, len) != 0) {
        set_err(err, errlen, "snappy: out of memory reserving %zu bytes", len);
        return -1;
    }
    size_t got = len;
    if (len > 0 &&
        snappy_uncompress((const char *)in, n, (char *)out->data + out->len, &got) != SNAPPY_OK) {
        set_err(err, errlen, "snappy: corrupt block of %zu bytes at input byte %zu", n, at);
        return -1;
    }
    if (got != len) {
        set_err(err, errlen, "snappy: block at input byte %zu gave %zu bytes, header said %zu", at,
                got, len);
        return -1;
    }
    out->len += len;
    *produced += len;
    return 0;
}

static int
snappy_decompress(const uint8_t *in, size_t n, kgw_buf_t *out, size_t max_out, char *err,
                  size_t errlen)
{
    size_t produced = 0;
    if (n < KGW_XERIAL_HEADER_SIZE || memcmp(in, kgw_xerial_magic, 8) != 0)
        return snappy_raw_block(in, n, out, max_out, &produced, 0, err, errlen);
    size_t pos = KGW_XERIAL_HEADER_SIZE;
    while (pos < n) {
        if (n - pos < 4) {
            set_err(err, errlen, "snappy: truncated xerial block length at input byte %zu", pos);
            return -1;
        }
        uint32_t blen = (uint32_t)in[pos] << 24 | (uint32_t)in[pos + 1] << 16 |
                        (uint32_t)in[pos + 2] << 8 | in[pos + 3];
        if (blen > n - pos - 4) {
            set_err(err, errlen,
                    "snappy: xerial block length %u at input byte %zu exceeds the %zu bytes left",
                    blen, pos, n - pos - 4);
            return -1;
        }
        if (snappy_raw_block(in + pos + 4, blen, out, max_out, &produced, pos + 4, err, errlen) !=
            0)
            return -1;
        pos += 4 + (size_t)blen;
    }
    return 0;
}

static int
snappy_compress_xerial(const uint8_t *in, size_t n, kgw_buf_t *out, char *err, size_t errlen)
{
    static const uint8_t header[KGW_XERIAL_HEADER_SIZE] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0,
                                                           0,    0,   0,   1,   0,   0,   0,   1};
    if (kgw_buf_append(out, header, sizeof(header)) != 0) {
        set_err(err, errlen, "snappy: out of memory");
        return -1;
    }
    size_t pos = 0;
    while (pos < n) {
        size_t chunk = n - pos < KGW_SNAPPY_XERIAL_BLOCK ? n - pos : KGW_SNAPPY_XERIAL_BLOCK;
        size_t bound = snappy_max_compressed_length(chunk);
        if (kgw_buf_reserve(out, 4 + bound) != 0) {
            set_err(err, errlen, "snappy: out of memory reserving %zu bytes", bound);
            return -1;
        }
        uint8_t *lenp = out->data + out->len;
        size_t clen = bound;
        if (snappy_compress((const char *)in + pos, chunk, (char *)lenp + 4, &clen) != SNAPPY_OK) {
            set_err(err, errlen, "snappy: compressing %zu bytes failed", chunk);
            return -1;
        }
        lenp[0] = (uint8_t)(clen >> 24);
        lenp[1] = (uint8_t)(clen >> 16);
        lenp[2] = (uint8_t)(clen >> 8);
        lenp[3] = (uint8_t)clen;
        out->len += 4 + clen;
        pos += chunk;
    }
    return 0;
}

static int
lz4_decompress(const uint8_t *in, size_t n, kgw_buf_t *out, size_t max_out, char *err,
               size_t errlen)
{
    if (tl_lz4_dctx == NULL) {
        LZ4F_errorCode_t e = LZ4F_createDecompressionContext(&tl_lz4_dctx, LZ4F_VERSION);
        if (LZ4F_isError(e)) {
            tl_lz4_dctx = NULL;
            set_err(err, errlen, "lz4: cannot create a context: %s", LZ4F_getErrorName(e));
            return -1;
        }
    }
    LZ4F_dctx *dctx = tl_lz4_dctx;
    LZ4F_resetDecompressionContext(dctx);
    if (n == 0) {
        set_err(err, errlen, "lz4: empty input, expected a frame");
        return -1;
    }
    size_t limit = max_out == SIZE_MAX ? max_out : max_out + 1;
    size_t produced = 0;
    size_t pos = 0;
    size_t hint = 1;
    while (pos < n || hint != 0) {
        size_t room = limit - produced;
        if (room == 0)
            goto bomb_out;
        size_t avail = grow_chunk(out, produced, room);
        if (avail == 0) {
            set_err(err, errlen, "lz4: out of memory after %zu bytes", produced);
            goto fail;
        }
        size_t dst = avail;
        size_t src = n - pos;
        hint = LZ4F_decompress(dctx, out->data + out->len, &dst, in + pos, &src, NULL);
        if (LZ4F_isError(hint)) {
            set_err(err, errlen, "lz4: corrupt frame near input byte %zu: %s", pos,
                    LZ4F_getErrorName(hint));
            goto fail;
        }
        pos += src;
        out->len += dst;
        produced += dst;
        if (produced > max_out)
            goto bomb_out;
        if (hint != 0 && pos == n && dst < avail) {
            /* All input consumed, output space left, frame not finished. */
            set_err(err, errlen, "lz4: truncated frame (%zu input bytes, %zu decompressed)", n,
                    produced);
            goto fail;
        }
        if (src == 0 && dst == 0 && hint != 0) {
            set_err(err, errlen, "lz4: no progress at input byte %zu (%zu decompressed)", pos,
                    produced);
            goto fail;
        }
    }
    return 0;
bomb_out:
    bomb("lz4", max_out, err, errlen);
fail:
    LZ4F_resetDecompressionContext(dctx);
    return -1;
}

static int
lz4_compress(int level, const uint8_t *in, size_t n, kgw_buf_t *out, char *err, size_t errlen)
{
    LZ4F_preferences_t prefs;
    memset(&prefs, 0, sizeof(prefs));
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
    prefs.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
    prefs.frameInfo.frameType = LZ4F_frame;
    prefs.compressionLevel = level;
    size_t bound = LZ4F_compressFrameBound(n, &prefs);
    if (kgw_buf_reserve(out, bound) != 0) {
        set_err(err, errlen, "lz4: out of memory reserving %zu bytes", bound);
        return -1;
    }
    size_t r = LZ4F_compressFrame(out->data + out->len, bound, in, n, &prefs);
    if (LZ4F_isError(r)) {
        set_err(err, errlen, "lz4: compressing %zu bytes failed: %s", n, LZ4F_getErrorName(r));
        return -1;
    }
    out->len += r;
    return 0;
}

static int
zstd_decompress(const uint8_t *in, size_t n, kgw_buf_t *out, size_t max_out, char *err,
                size_t errlen)
{
    if (tl_zstd_dctx == NULL) {
        tl_zstd_dctx = ZSTD_createDCtx();
        if (tl_zstd_dctx == NULL) {
            set_err(err, errlen, "zstd: cannot create a decompression context");
            return -1;
        }
    }
    ZSTD_DCtx *dctx = tl_zstd_dctx;
    ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
    /* A frame header may ask for a window of up to 2^27 bytes, which zstd
     * allocates before producing anything: accept windows up to the output
     * cap, at least 2^23 (what every compression level up to 19 uses). */
    int wlog = KGW_ZSTD_WINDOW_LOG_MIN;
    while (wlog < KGW_ZSTD_WINDOW_LOG_MAX && ((size_t)1 << wlog) < max_out)
        wlog++;
    size_t pr = ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, wlog);
    if (ZSTD_isError(pr)) {
        set_err(err, errlen, "zstd: cannot set the window limit 2^%d: %s", wlog,
                ZSTD_getErrorName(pr));
        return -1;
    }
    if (n == 0) {
        set_err(err, errlen, "zstd: empty input, expected a frame");
        return -1;
    }
    size_t limit = max_out == SIZE_MAX ? max_out : max_out + 1;
    size_t produced = 0;
    ZSTD_inBuffer ib = {in, n, 0};
    size_t r = 1;
    while (ib.pos < ib.size || r != 0) {
        size_t room = limit - produced;
        if (room == 0)
            return bomb("zstd", max_out, err, errlen);
        size_t avail = grow_chunk(out, produced, room);
        if (avail == 0) {
            set_err(err, errlen, "zstd: out of memory after %zu bytes", produced);
            return -1;
        }
        ZSTD_outBuffer ob = {out->data + out->len, avail, 0};
        size_t before = ib.pos;
        r = ZSTD_decompressStream(dctx, &ob, &ib);
        if (ZSTD_isError(r)) {
            if (ZSTD_getErrorCode(r) == ZSTD_error_frameParameter_windowTooLarge)
                set_err(err, errlen,
                        "zstd: frame at input byte %zu needs a window over the limit of 2^%d "
                        "bytes",
                        before, wlog);
            else
                set_err(err, errlen, "zstd: corrupt data near input byte %zu: %s", before,
                        ZSTD_getErrorName(r));
            return -1;
        }
        out->len += ob.pos;
        produced += ob.pos;
        if (produced > max_out)
            return bomb("zstd", max_out, err, errlen);
        if (r != 0 && ib.pos == ib.size && ob.pos < ob.size) {
            set_err(err, errlen, "zstd: truncated frame (%zu input bytes, %zu decompressed)", n,
                    produced);
            return -1;
        }
        if (r != 0 && ib.pos == before && ob.pos == 0) {
            set_err(err, errlen, "zstd: no progress at input byte %zu (%zu decompressed)", before,
                    produced);
            return -1;
        }
    }
    return 0;
}

static int
zstd_compress(int level, const uint8_t *in, size_t n, kgw_buf_t *out, char *err, size_t errlen)
{
    if (tl_zstd_cctx == NULL) {
        tl_zstd_cctx = ZSTD_createCCtx();
        if (tl_zstd_cctx == NULL) {
            set_err(err, errlen, "zstd: cannot create a compression context");
            return -1;
        }
    }
    size_t bound = ZSTD_compressBound(n);
    if (kgw_buf_reserve(out, bound) != 0) {
        set_err(err, errlen, "zstd: out of memory reserving %zu bytes", bound);
        return -1;
    }
    size_t r = ZSTD_compressCCtx(tl_zstd_cctx, out->data + out->len, bound, in, n, level);
    if (ZSTD_isError(r)) {
        set_err(err, errlen, "zstd: compressing %zu bytes at level %d failed: %s", n, level,
                ZSTD_getErrorName(r));
        return -1;
    }
    out->len += r;
    return 0;
}

int
kgw_decompress(kgw_compression_t codec, const uint8_t *in, size_t n, kgw_buf_t *out, size_t max_out,
               char *err, size_t errlen)
{
    size_t start = out->len;
    int rc;
    switch (codec) {
    case KGW_COMPRESSION_NONE:
        if (n > max_out) {
            rc = bomb("none", max_out, err, errlen);
        } else {
            rc = kgw_buf_append(out, in, n);
            if (rc != 0)
                set_err(err, errlen, "none: out of memory copying %zu bytes", n);
        }
        break;
    case KGW_COMPRESSION_GZIP:
        rc = gzip_decompress(in, n, out, max_out, err, errlen);
        break;
    case KGW_COMPRESSION_SNAPPY:
        rc = snappy_decompress(in, n, out, max_out, err, errlen);
        break;
    case KGW_COMPRESSION_LZ4:
        rc = lz4_decompress(in, n, out, max_out, err, errlen);
        break;
    case KGW_COMPRESSION_ZSTD:
        rc = zstd_decompress(in, n, out, max_out, err, errlen);
        break;
    default:
        set_err(err, errlen, "unknown compression codec %d", (int)codec);
        rc = -1;
        break;
    }
    if (rc != 0)
        out->len = start;
    return rc;
}

int
kgw_compress_level(kgw_compression_t codec, int level, const uint8_t *in, size_t n, kgw_buf_t *out,
                   char *err, size_t errlen)
{
    size_t start = out->len;
    int rc;
    switch (codec) {
    case KGW_COMPRESSION_NONE:
        rc = kgw_buf_append(out, in, n);
        if (rc != 0)
            set_err(err, errlen, "none: out of memory copying %zu bytes", n);
        break;
    case KGW_COMPRESSION_GZIP:
        rc = gzip_compress(level, in, n, out, err, errlen);
        break;
    case KGW_COMPRESSION_SNAPPY:
        rc = snappy_compress_xerial(in, n, out, err, errlen);
        break;
    case KGW_COMPRESSION_LZ4:
        rc = lz4_compress(level, in, n, out, err, errlen);
        break;
    case KGW_COMPRESSION_ZSTD:
        rc = zstd_compress(level, in, n, out, err, errlen);
        break;
    default:
        set_err(err, errlen, "unknown compression codec %d", (int)codec);
        rc = -1;
        break;
    }
    if (rc != 0)
        out->len = start;
    return rc;
}

int
kgw_compress(kgw_compression_t codec, const uint8_t *in, size_t n, kgw_buf_t *out, char *err,
             size_t errlen)
{
    int level = 0;
    if (codec == KGW_COMPRESSION_GZIP)
        level = KGW_GZIP_LEVEL_DEFAULT;
    else if (codec == KGW_COMPRESSION_ZSTD)
        level = KGW_ZSTD_LEVEL_DEFAULT;
    return kgw_compress_level(codec, level, in, n, out, err, errlen);
}

void
kgw_compression_thread_cleanup(void)
{
    ZSTD_freeCCtx(tl_zstd_cctx);
    tl_zstd_cctx = NULL;
    ZSTD_freeDCtx(tl_zstd_dctx);
    tl_zstd_dctx = NULL;
    LZ4F_freeDecompressionContext(tl_lz4_dctx);
    tl_lz4_dctx = NULL;
}
