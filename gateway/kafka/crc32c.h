/* CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78), the
 * checksum of Kafka record batch v2 (computed from the attributes field to
 * the end of the batch).
 *
 * kgw_crc32c() uses the SSE4.2 crc32 instruction when the CPU has it and a
 * slicing-by-8 table otherwise; both give identical results. Thread-safe:
 * the tables and the dispatch are set up by a constructor before main(). */
#ifndef KGW_CRC32C_H
#define KGW_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Returns the CRC-32C of p[0..n) continued from crc: pass 0 to start, and
 * the previous result to continue over more bytes
 * (kgw_crc32c(kgw_crc32c(0, a, na), b, nb) == CRC of a||b). p may be NULL
 * when n is 0. Never fails. */
uint32_t kgw_crc32c(uint32_t crc, const void *p, size_t n);

/* The slicing-by-8 table implementation, whatever the CPU. */
uint32_t kgw_crc32c_sw(uint32_t crc, const void *p, size_t n);

/* The SSE4.2 implementation. Only call it when kgw_crc32c_hw_available(). */
uint32_t kgw_crc32c_hw(uint32_t crc, const void *p, size_t n);

/* True when this CPU has SSE4.2 (and this build targets x86-64). */
bool kgw_crc32c_hw_available(void);

/* Tests: force kgw_crc32c() onto the table implementation (true) or back to
 * the best available one (false). Not meant to be flipped while other
 * threads compute CRCs. */
void kgw_crc32c_force_software(bool force);

/* Name of the implementation kgw_crc32c() currently uses: "sse4.2" or
 * "table". */
const char *kgw_crc32c_impl(void);

#endif
