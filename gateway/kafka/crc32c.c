/* CRC-32C: SSE4.2 instruction with a slicing-by-8 table fallback. */
#include "crc32c.h"

#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>
#define KGW_CRC32C_X86 1
#endif

#define KGW_CRC32C_POLY 0x82F63B78u

/* kgw_crc32c_table[k][b]: CRC of byte b followed by k zero bytes. */
static uint32_t kgw_crc32c_table[8][256];

/* The crc32 instruction has a latency of 3 cycles and a throughput of 1, so
 * the hardware path runs three independent streams over adjacent blocks and
 * joins them: continuing a CRC register over L more bytes equals shifting it
 * over L zero bytes (a linear map, applied with these tables) and XORing the
 * register of those bytes computed from 0. */
#define KGW_CRC32C_LONG 8192
#define KGW_CRC32C_SHORT 256
static uint32_t kgw_crc32c_shift_long[4][256];
static uint32_t kgw_crc32c_shift_short[4][256];

typedef uint32_t (*kgw_crc32c_fn)(uint32_t, const void *, size_t);

static kgw_crc32c_fn kgw_crc32c_best = kgw_crc32c_sw;
static kgw_crc32c_fn kgw_crc32c_active = kgw_crc32c_sw;
static bool kgw_crc32c_has_hw;

/* t = the map "run the raw register over len zero bytes", split per byte
 * of the register. Needs kgw_crc32c_table[0]. */
static void
make_shift(uint32_t t[4][256], size_t len)
{
    uint32_t basis[32];
    for (int j = 0; j < 32; j++) {
        uint32_t c = 1u << j;
        for (size_t k = 0; k < len; k++)
            c = (c >> 8) ^ kgw_crc32c_table[0][c & 0xff];
        basis[j] = c;
    }
    for (int i = 0; i < 4; i++) {
        for (uint32_t b = 0; b < 256; b++) {
            uint32_t v = 0;
            for (int bit = 0; bit < 8; bit++) {
                if ((b >> bit) & 1u)
                    v ^= basis[8 * i + bit];
            }
            t[i][b] = v;
        }
    }
}

static inline uint32_t
shift(const uint32_t t[4][256], uint32_t c)
{
    return t[0][c & 0xff] ^ t[1][(c >> 8) & 0xff] ^ t[2][(c >> 16) & 0xff] ^ t[3][c >> 24];
}

__attribute__((constructor)) static void
crc32c_init(void)
{
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t c = b;
        for (int i = 0; i < 8; i++)
            c = (c >> 1) ^ (KGW_CRC32C_POLY & (0u - (c & 1u)));
        kgw_crc32c_table[0][b] = c;
    }
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t c = kgw_crc32c_table[0][b];
        for (int k = 1; k < 8; k++) {
            c = (c >> 8) ^ kgw_crc32c_table[0][c & 0xff];
            kgw_crc32c_table[k][b] = c;
        }
    }
    make_shift(kgw_crc32c_shift_long, KGW_CRC32C_LONG);
    make_shift(kgw_crc32c_shift_short, KGW_CRC32C_SHORT);
#ifdef KGW_CRC32C_X86
    __builtin_cpu_init();
    kgw_crc32c_has_hw = __builtin_cpu_supports("sse4.2");
#endif
    if (kgw_crc32c_has_hw)
        kgw_crc32c_best = kgw_crc32c_hw;
    kgw_crc32c_active = kgw_crc32c_best;
}

uint32_t
kgw_crc32c_sw(uint32_t crc, const void *p, size_t n)
{
    const uint8_t *s = p;
    uint32_t c = ~crc;

    while (n > 0 && ((uintptr_t)s & 7) != 0) {
        c = (c >> 8) ^ kgw_crc32c_table[0][(c ^ *s++) & 0xff];
        n--;
    }
    while (n >= 8) {
        uint32_t lo, hi;
        memcpy(&lo, s, 4);
        memcpy(&hi, s + 4, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        lo = __builtin_bswap32(lo);
        hi = __builtin_bswap32(hi);
#endif
        lo ^= c;
        c = kgw_crc32c_table[7][lo & 0xff] ^ kgw_crc32c_table[6][(lo >> 8) & 0xff] ^
            kgw_crc32c_table[5][(lo >> 16) & 0xff] ^ kgw_crc32c_table[4][lo >> 24] ^
            kgw_crc32c_table[3][hi & 0xff] ^ kgw_crc32c_table[2][(hi >> 8) & 0xff] ^
            kgw_crc32c_table[1][(hi >> 16) & 0xff] ^ kgw_crc32c_table[0][hi >> 24];
        s += 8;
        n -= 8;
    }
    while (n > 0) {
        c = (c >> 8) ^ kgw_crc32c_table[0][(c ^ *s++) & 0xff];
        n--;
    }
    return ~c;
}

#ifdef KGW_CRC32C_X86
/* Raw register c over s[0 .. 3*len), len a multiple of 8, as three streams. */
__attribute__((target("sse4.2"))) static inline uint64_t
crc32c_hw_3way(uint64_t c, const uint8_t *s, size_t len, const uint32_t t[4][256])
{
    uint64_t c1 = 0, c2 = 0;
    const uint8_t *b = s + len, *e = s + 2 * len;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t w0, w1, w2;
        memcpy(&w0, s + i, 8);
        memcpy(&w1, b + i, 8);
        memcpy(&w2, e + i, 8);
        c = _mm_crc32_u64(c, w0);
        c1 = _mm_crc32_u64(c1, w1);
        c2 = _mm_crc32_u64(c2, w2);
    }
    c = shift(t, (uint32_t)c) ^ (uint32_t)c1;
    return shift(t, (uint32_t)c) ^ (uint32_t)c2;
}

__attribute__((target("sse4.2"))) uint32_t
kgw_crc32c_hw(uint32_t crc, const void *p, size_t n)
{
    const uint8_t *s = p;
    uint64_t c = ~crc;

    while (n > 0 && ((uintptr_t)s & 7) != 0) {
        c = _mm_crc32_u8((uint32_t)c, *s++);
        n--;
    }
    while (n >= 3 * KGW_CRC32C_LONG) {
        c = crc32c_hw_3way(c, s, KGW_CRC32C_LONG, kgw_crc32c_shift_long);
        s += 3 * KGW_CRC32C_LONG;
        n -= 3 * KGW_CRC32C_LONG;
    }
    while (n >= 3 * KGW_CRC32C_SHORT) {
        c = crc32c_hw_3way(c, s, KGW_CRC32C_SHORT, kgw_crc32c_shift_short);
        s += 3 * KGW_CRC32C_SHORT;
        n -= 3 * KGW_CRC32C_SHORT;
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        c = _mm_crc32_u64(c, w);
        s += 8;
        n -= 8;
    }
    while (n > 0) {
        c = _mm_crc32_u8((uint32_t)c, *s++);
        n--;
    }
    return ~(uint32_t)c;
}
#else
uint32_t
kgw_crc32c_hw(uint32_t crc, const void *p, size_t n)
{
    return kgw_crc32c_sw(crc, p, n);
}
#endif

uint32_t
kgw_crc32c(uint32_t crc, const void *p, size_t n)
{
    return kgw_crc32c_active(crc, p, n);
}

bool
kgw_crc32c_hw_available(void)
{
    return kgw_crc32c_has_hw;
}

void
kgw_crc32c_force_software(bool force)
{
    kgw_crc32c_active = force ? kgw_crc32c_sw : kgw_crc32c_best;
}

const char *
kgw_crc32c_impl(void)
{
    return kgw_crc32c_active == kgw_crc32c_sw ? "table" : "sse4.2";
}
