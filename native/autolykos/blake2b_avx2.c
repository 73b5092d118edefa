/*
 * AVX2 element-hash kernel: 4 lanes in ymm registers (see blake2b_simd.h). AVX2 has no 64-bit
 * rotate, so: rot 32 = dword shuffle, rot 24/16 = byte shuffles, rot 63 = (x >> 63) | (x + x).
 * Compiled for baseline x86-64 with a target attribute; called only after a runtime CPU check.
 * Two interleaved groups (8 lanes) were no faster here: 16 ymm registers cannot hold 32 states.
 */
#include "blake2b.h"

#if AK_X86
#include <immintrin.h>

#define AKS_FN ak_elem_avx2
#define AKS_TARGET __attribute__((target("avx2")))
#define AKS_V __m256i
#define AKS_LANES 4
#define AKS_GROUPS 1
#define AKS_OPAQUE_MSG
#define AKS_ADD(a, b) _mm256_add_epi64(a, b)
#define AKS_XOR(a, b) _mm256_xor_si256(a, b)
#define AKS_XOR3(a, b, c) _mm256_xor_si256(_mm256_xor_si256(a, b), c)
#define AKS_SET1(x) _mm256_set1_epi64x((long long)(x))
#define AKS_ZERO _mm256_setzero_si256()
#define AKS_LOAD(p) _mm256_loadu_si256((const __m256i *)(p))
#define AKS_STORE(p, v) _mm256_storeu_si256((__m256i *)(p), v)
#define AKS_PROLOGUE                                                                               \
  const __m256i r24 = _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4, \
                                       5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);            \
  const __m256i r16 = _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3, \
                                       4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
#define AKS_ROR32(x) _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1))
#define AKS_ROR24(x) _mm256_shuffle_epi8(x, r24)
#define AKS_ROR16(x) _mm256_shuffle_epi8(x, r16)
#define AKS_ROR63(x) ak_ror63(x)

__attribute__((target("avx2"))) static inline __m256i ak_ror63(__m256i x) {
  return _mm256_or_si256(_mm256_srli_epi64(x, 63), _mm256_add_epi64(x, x));
}

#include "blake2b_simd.h"

#else
typedef int ak_no_simd_here; /* ISO C wants a non-empty translation unit */
#endif
