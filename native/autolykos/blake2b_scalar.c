/*
 * Portable scalar BLAKE2b-256 (see blake2b.h for why it is implemented here). Used for the small
 * per-check hashes on every CPU, and for the element hashes where no SIMD kernel is available.
 */
#include <string.h>

#include "blake2b.h"

/* M entry k (k < 1024) as 8 big-endian bytes, read little-endian: only bytes 6 and 7 are set. */
#define AK_E(i)                                                                                    \
  (((i) >= 1 && (i) <= 1024)                                                                       \
       ? ((uint64_t)(((i) - 1) >> 8) << 48) | ((uint64_t)(((i) - 1) & 255) << 56)                 \
       : 0)
#define AK_R4(i) AK_E(i), AK_E((i) + 1), AK_E((i) + 2), AK_E((i) + 3)
#define AK_R16(i) AK_R4(i), AK_R4((i) + 4), AK_R4((i) + 8), AK_R4((i) + 12)
#define AK_R64(i) AK_R16(i), AK_R16((i) + 16), AK_R16((i) + 32), AK_R16((i) + 48)
#define AK_R256(i) AK_R64(i), AK_R64((i) + 64), AK_R64((i) + 128), AK_R64((i) + 192)

/* Computed at compile time; 64-byte aligned so a block's 16 words share two cache lines. */
__attribute__((aligned(64))) const uint64_t ak_mtab[AK_ELEM_BLOCKS * 16] = {
    AK_R256(0), AK_R256(256), AK_R256(512), AK_R256(768), AK_R16(1024)};

static inline uint64_t rotr64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

static inline uint64_t load64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

#define G(a, b, c, d, x, y)                                                                        \
  do {                                                                                             \
    a = a + b + (x);                                                                               \
    d = rotr64(d ^ a, 32);                                                                         \
    c = c + d;                                                                                     \
    b = rotr64(b ^ c, 24);                                                                         \
    a = a + b + (y);                                                                               \
    d = rotr64(d ^ a, 16);                                                                         \
    c = c + d;                                                                                     \
    b = rotr64(b ^ c, 63);                                                                         \
  } while (0)

#define ROUND(r, s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15)             \
  G(v0, v4, v8, v12, m[s0], m[s1]);                                                                \
  G(v1, v5, v9, v13, m[s2], m[s3]);                                                                \
  G(v2, v6, v10, v14, m[s4], m[s5]);                                                               \
  G(v3, v7, v11, v15, m[s6], m[s7]);                                                               \
  G(v0, v5, v10, v15, m[s8], m[s9]);                                                               \
  G(v1, v6, v11, v12, m[s10], m[s11]);                                                             \
  G(v2, v7, v8, v13, m[s12], m[s13]);                                                              \
  G(v3, v4, v9, v14, m[s14], m[s15]);

/* One compression; t is the byte counter after this block (inputs here are < 2^64 bytes). */
static inline __attribute__((always_inline)) void compress(uint64_t h[8], const uint64_t m[16],
                                                           uint64_t t, int last) {
  uint64_t v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3], v4 = h[4], v5 = h[5], v6 = h[6], v7 = h[7];
  uint64_t v8 = AK_IV0, v9 = AK_IV1, v10 = AK_IV2, v11 = AK_IV3;
  uint64_t v12 = AK_IV4 ^ t, v13 = AK_IV5, v14 = last ? ~AK_IV6 : AK_IV6, v15 = AK_IV7;
  AK_ALL_ROUNDS(ROUND)
  h[0] ^= v0 ^ v8;
  h[1] ^= v1 ^ v9;
  h[2] ^= v2 ^ v10;
  h[3] ^= v3 ^ v11;
  h[4] ^= v4 ^ v12;
  h[5] ^= v5 ^ v13;
  h[6] ^= v6 ^ v14;
  h[7] ^= v7 ^ v15;
}

static inline void init256(uint64_t h[8]) {
  h[0] = AK_IV0 ^ AK_PARAM0;
  h[1] = AK_IV1;
  h[2] = AK_IV2;
  h[3] = AK_IV3;
  h[4] = AK_IV4;
  h[5] = AK_IV5;
  h[6] = AK_IV6;
  h[7] = AK_IV7;
}

static void compress_bytes(uint64_t h[8], const uint8_t *block, uint64_t t, int last) {
  uint64_t m[16];
  for (int i = 0; i < 16; i++) m[i] = load64(block + 8 * i);
  compress(h, m, t, last);
}

void ak_blake2b256(const uint8_t *data, size_t len, uint8_t out[32]) {
  uint64_t h[8];
  uint8_t last[128];
  uint64_t t = 0;
  init256(h);
  while (len > 128) {
    t += 128;
    compress_bytes(h, data, t, 0);
    data += 128;
    len -= 128;
  }
  memset(last, 0, sizeof last);
  if (len) memcpy(last, data, len);
  compress_bytes(h, last, t + len, 1);
  for (int i = 0; i < 4; i++) {
    uint64_t w = h[i];
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    memcpy(out + 8 * i, &w, 8);
  }
}

/* Single-lane element hash straight from the constant table (no byte loads, no copies). */
void ak_elem_scalar(const uint64_t *w0, uint64_t *out) {
  uint64_t h[8], m[16];
  init256(h);
  memcpy(m, ak_mtab, sizeof m);
  m[0] = w0[0];
  compress(h, m, 128, 0);
  for (unsigned b = 1; b < AK_ELEM_BLOCKS - 1; b++) compress(h, ak_mtab + 16 * b, 128 * (b + 1), 0);
  compress(h, ak_mtab + 16 * (AK_ELEM_BLOCKS - 1), AK_ELEM_LEN, 1);
  for (int i = 0; i < 4; i++) out[i] = h[i];
}
