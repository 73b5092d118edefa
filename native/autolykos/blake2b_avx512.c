/*
 * AVX-512 element-hash kernels (see blake2b_simd.h), 64-bit lanes in zmm registers with vprorq
 * rotates and vpternlogq for the 3-way xor. Compiled for baseline x86-64; only these functions
 * carry the target attribute, and cpu.c calls them only after a runtime CPU check.
 *   ak_elem_avx512   - 16 lanes: two interleaved groups of 8 (the per-check workhorse)
 *   ak_elem_avx512_8 -  8 lanes: one group (for e-hashes of small batches)
 * The 4-lane ymm + AVX-512VL variant was measured slower on Zen 4 and lives in test/ only.
 */
#include "blake2b.h"

#if AK_X86
#include <immintrin.h>

#define AKS_TARGET __attribute__((target("avx512f")))
#define AKS_V __m512i
#define AKS_LANES 8
#define AKS_ADD(a, b) _mm512_add_epi64(a, b)
#define AKS_XOR(a, b) _mm512_xor_si512(a, b)
#define AKS_XOR3(a, b, c) _mm512_ternarylogic_epi64(a, b, c, 0x96)
#define AKS_SET1(x) _mm512_set1_epi64((long long)(x))
#define AKS_ZERO _mm512_setzero_si512()
#define AKS_LOAD(p) _mm512_loadu_si512((const void *)(p))
#define AKS_STORE(p, v) _mm512_storeu_si512((void *)(p), v)
#define AKS_ROR32(x) _mm512_ror_epi64(x, 32)
#define AKS_ROR24(x) _mm512_ror_epi64(x, 24)
#define AKS_ROR16(x) _mm512_ror_epi64(x, 16)
#define AKS_ROR63(x) _mm512_ror_epi64(x, 63)

#define AKS_FN ak_elem_avx512
#define AKS_GROUPS 2
#include "blake2b_simd.h"
#undef AKS_FN
#undef AKS_GROUPS

#define AKS_FN ak_elem_avx512_8
#define AKS_GROUPS 1
#include "blake2b_simd.h"

#else
typedef int ak_no_simd_here; /* ISO C wants a non-empty translation unit */
#endif
