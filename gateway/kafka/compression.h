/* Kafka record batch compression codecs (attributes bits 0-2) and the small
 * growable byte buffer that the record batch code writes into.
 *
 * Wire formats, chosen so that both the Java client/broker and librdkafka
 * read what kgw writes:
 *  - GZIP: gzip (RFC 1952) members, as java.util.zip.GZIPOutputStream writes;
 *    concatenated members are read one after another and bytes after a member
 *    that do not start another one are ignored, as GZIPInputStream does.
 *  - SNAPPY: kgw writes the xerial framing that Java producers write
 *    ("\x82SNAPPY\0", int32 BE version 1, int32 BE compatible version 1, then
 *    blocks of int32 BE length + raw snappy, 32 KiB of input per block).
 *    kgw reads both that framing and a bare raw snappy block (what librdkafka
 *    producers write). Java's reader (snappy-java SnappyInputStream) also
 *    falls back to raw snappy when the magic is absent, and librdkafka
 *    detects the xerial magic the same way, so both accept either form.
 *  - LZ4: the LZ4 frame format with independent 64 KiB blocks, no content
 *    size, no checksums, no dictionary: the subset Kafka's Java
 *    KafkaLZ4BlockInputStream accepts (it rejects dependent blocks). Any
 *    valid frame is read. (The magic 0/1 lz4 header-checksum quirk does not
 *    apply to magic 2 batches.)
 *  - ZSTD: zstd frames; read by streaming, so frames without a content size
 *    (as Java's ZstdOutputStream writes) decode. Frames whose window is larger
 *    than both max_out and 8 MiB (2^23, the largest window of levels 1-19) are
 *    refused, so a small frame cannot make zstd allocate a 128 MiB window.
 *
 * Decompression output is capped by the caller's max_out: a "bomb" fails
 * with an error naming the cap, and never allocates more than the cap. */
#ifndef KGW_COMPRESSION_H
#define KGW_COMPRESSION_H

#include <stddef.h>
#include <stdint.h>

typedef enum kgw_compression {
    KGW_COMPRESSION_NONE = 0,
    KGW_COMPRESSION_GZIP = 1,
    KGW_COMPRESSION_SNAPPY = 2,
    KGW_COMPRESSION_LZ4 = 3,
    KGW_COMPRESSION_ZSTD = 4,
} kgw_compression_t;

/* Highest valid codec id. */
#define KGW_COMPRESSION_MAX 4

/* Default compression levels used by kgw_compress(): fast levels, because the
 * gateway recompresses on the data path. */
#define KGW_GZIP_LEVEL_DEFAULT 1
#define KGW_ZSTD_LEVEL_DEFAULT 1
/* Xerial block size: input bytes per raw snappy block (snappy-java's default). */
#define KGW_SNAPPY_XERIAL_BLOCK 32768

/* A growable byte buffer owned by whoever declared it. data[0..len) holds
 * bytes; cap is the allocated size. Zero-initialised ({0}) is a valid empty
 * buffer; kgw_buf_free() releases it. Not thread-safe. Named kgw_buf_t (not
 * kgw_wbuf_t, which is the message codec's writer). */
typedef struct kgw_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} kgw_buf_t;

/* Ensures room for `extra` more bytes after len. Returns 0, or -1 when the
 * allocation fails or the size overflows (the buffer is left unchanged). */
__attribute__((warn_unused_result)) int kgw_buf_reserve(kgw_buf_t *b, size_t extra);

/* Appends n bytes of p (p may point into b itself). Returns 0 or -1
 * (allocation failure). */
__attribute__((warn_unused_result)) int kgw_buf_append(kgw_buf_t *b, const void *p, size_t n);

/* Frees the storage and zeroes the buffer. NULL-safe. */
void kgw_buf_free(kgw_buf_t *b);

/* "none", "gzip", "snappy", "lz4", "zstd", or "unknown". */
const char *kgw_compression_name(int codec);

/* Decompresses in[0..n) with codec and APPENDS the result to out (out->len
 * grows; existing bytes are kept). At most max_out bytes are produced: more
 * is an error ("... exceeds the limit of N bytes"). KGW_COMPRESSION_NONE
 * copies the input (same cap). Returns 0, or -1 with a message in err
 * (errlen bytes, may be 0) naming the codec and the problem; on error out->len
 * is restored to its value on entry. */
__attribute__((warn_unused_result)) int kgw_decompress(kgw_compression_t codec, const uint8_t *in,
                                                       size_t n, kgw_buf_t *out, size_t max_out,
                                                       char *err, size_t errlen);

/* Compresses in[0..n) with codec at its default level and APPENDS the result
 * to out. Returns 0, or -1 with a message in err; on error out->len is
 * restored. */
__attribute__((warn_unused_result)) int kgw_compress(kgw_compression_t codec, const uint8_t *in,
                                                     size_t n, kgw_buf_t *out, char *err,
                                                     size_t errlen);

/* As kgw_compress() with an explicit level (gzip 1-9, zstd 1-19, lz4: values
 * above 2 select LZ4 HC at that level; ignored for snappy and none). */
__attribute__((warn_unused_result)) int kgw_compress_level(kgw_compression_t codec, int level,
                                                           const uint8_t *in, size_t n,
                                                           kgw_buf_t *out, char *err,
                                                           size_t errlen);

/* Frees the calling thread's cached zstd contexts (kgw caches one compression
 * and one decompression context per thread). Call before a worker thread
 * exits; the next call recreates them. */
void kgw_compression_thread_cleanup(void);

#endif
