/*
 * BLAKE2b-256 for the Autolykos v2 hit, shared declarations.
 *
 * Why BLAKE2b is implemented here rather than taken from a library: the hot path hashes 32
 * independent element hashes per check whose message blocks 2..65 are shared constants (and whose
 * first block differs only in its first word). Only a multi-lane ("transposed") SIMD kernel written
 * for exactly that structure - one hash per vector lane, constant message words broadcast from a
 * table - can exploit it; no maintained BLAKE2b library offers such an interface.
 */
#ifndef AUTOLYKOS_BLAKE2B_H
#define AUTOLYKOS_BLAKE2B_H

#include <stddef.h>
#include <stdint.h>

/* SIMD kernels exist on x86-64 only; -DAK_NO_SIMD builds the portable scalar-only addon there. */
#if defined(__x86_64__) && !defined(AK_NO_SIMD)
#define AK_X86 1
#else
#define AK_X86 0
#endif

#define AK_IV0 0x6a09e667f3bcc908ULL
#define AK_IV1 0xbb67ae8584caa73bULL
#define AK_IV2 0x3c6ef372fe94f82bULL
#define AK_IV3 0xa54ff53a5f1d36f1ULL
#define AK_IV4 0x510e527fade682d1ULL
#define AK_IV5 0x9b05688c2b3e6c1fULL
#define AK_IV6 0x1f83d9abfb41bd6bULL
#define AK_IV7 0x5be0cd19137e2179ULL
/* Parameter block word 0 for a 32-byte digest, no key, fanout 1, depth 1. */
#define AK_PARAM0 0x01010020ULL

/*
 * BLAKE2b message schedule, one macro per round so that every index is a compile-time constant
 * inside the fully unrolled kernels: AK_SIGMA_r(X) expands to X(r, s0, ..., s15).
 */
#define AK_SIGMA_0(X) X(0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
#define AK_SIGMA_1(X) X(1, 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3)
#define AK_SIGMA_2(X) X(2, 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4)
#define AK_SIGMA_3(X) X(3, 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8)
#define AK_SIGMA_4(X) X(4, 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13)
#define AK_SIGMA_5(X) X(5, 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9)
#define AK_SIGMA_6(X) X(6, 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11)
#define AK_SIGMA_7(X) X(7, 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10)
#define AK_SIGMA_8(X) X(8, 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5)
#define AK_SIGMA_9(X) X(9, 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0)
/* Rounds 10 and 11 reuse the schedules of rounds 0 and 1. */
#define AK_ALL_ROUNDS(X)                                                                           \
  AK_SIGMA_0(X) AK_SIGMA_1(X) AK_SIGMA_2(X) AK_SIGMA_3(X) AK_SIGMA_4(X) AK_SIGMA_5(X)             \
  AK_SIGMA_6(X) AK_SIGMA_7(X) AK_SIGMA_8(X) AK_SIGMA_9(X) AK_SIGMA_0(X) AK_SIGMA_1(X)

/*
 * An element hash is H(w0 || M) with |M| = 8192: 8200 bytes = 64 full blocks + one 8-byte final
 * block. Block b (0..64) word w is the little-endian read of M's 8-byte big-endian entry 16b+w-1,
 * so ak_mtab[16b+w] holds it; word 0 of block 0 is the per-hash w0 (slot unused, zero), and the
 * final block has only word 0 non-zero.
 */
#define AK_ELEM_BLOCKS 65
#define AK_ELEM_LEN 8200u
extern const uint64_t ak_mtab[AK_ELEM_BLOCKS * 16];

/* w0 = LE read of (index as 4-byte BE || height as 4-byte BE). */
static inline uint64_t ak_elem_w0(uint32_t index, uint32_t height) {
  return (uint64_t)__builtin_bswap32(index) | ((uint64_t)__builtin_bswap32(height) << 32);
}

/*
 * Multi-lane element hash kernels: out[w * lanes + l] = digest word w (little-endian u64, w<4) of
 * H(w0[l] || M) for each lane l.
 */
typedef void (*ak_elem_fn)(const uint64_t *w0, uint64_t *out);

void ak_elem_scalar(const uint64_t *w0, uint64_t *out); /* 1 lane */
#if AK_X86
void ak_elem_avx2(const uint64_t *w0, uint64_t *out);     /* 4 lanes, ymm */
void ak_elem_avx512(const uint64_t *w0, uint64_t *out);   /* 16 lanes, 2 x zmm groups */
void ak_elem_avx512_8(const uint64_t *w0, uint64_t *out); /* 8 lanes, zmm */
#endif

/* One-shot scalar BLAKE2b-256 of arbitrary input. */
void ak_blake2b256(const uint8_t *data, size_t len, uint8_t out[32]);

#endif
