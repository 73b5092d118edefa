/*
 * Multi-lane ("transposed") BLAKE2b-256 element hash, instantiated once per SIMD flavour.
 * Each vector holds one state word of AKS_LANES independent hashes; v0..v15 and h0..h7 are plain
 * locals so the compiler keeps them in registers. All message words except word 0 of block 0 are
 * the same for every lane and come from ak_mtab as broadcasts.
 *
 * AKS_GROUPS (1 or 2) independent lane groups run interleaved. One G is a serial chain of ~16
 * cycles (rotates have 2-cycle latency on Zen 4) and a half-round has only 4 independent G's, so
 * a second group gives the out-of-order core more independent work; the groups share broadcasts.
 *
 * The including file defines: AKS_FN (function name), AKS_TARGET (target attribute), AKS_V (vector
 * type), AKS_LANES, AKS_GROUPS, AKS_ADD, AKS_XOR, AKS_XOR3(a,b,c), AKS_SET1, AKS_ZERO, AKS_LOAD(p),
 * AKS_STORE(p,v), AKS_ROR32/24/16/63(x); optionally AKS_PROLOGUE (constants for the rotates) and
 * AKS_OPAQUE_MSG. AKS_FN(w0, out) hashes n = AKS_LANES * AKS_GROUPS lanes: out[w * n + l] = digest
 * word w of lane l. No include guard: included once per kernel.
 */

#if AKS_GROUPS == 2
#define AKS_EACH(X) X(A) X(B)
#define AKS_GROUP_INDEX(g) ((#g)[0] - 'A')
#else
#define AKS_EACH(X) X(A)
#define AKS_GROUP_INDEX(g) 0
#endif

/*
 * a = (a + m) + b, in that order, so a + m does not wait for b (the newest value in the chain).
 * The empty asm hides the sum from the optimiser, which otherwise reassociates to (b + m) + a and
 * puts the message add on the critical path (pinning gains 13-16% on AVX-512 and 4% on AVX2 on
 * Zen 4). It emits no instruction.
 */
#define AKS_ADD_MSG(a, m, b)                                                                       \
  do {                                                                                             \
    AKS_V am_ = AKS_ADD(a, m);                                                                     \
    __asm__("" : "+v"(am_));                                                                       \
    a = AKS_ADD(am_, b);                                                                           \
  } while (0)

/*
 * With AKS_OPAQUE_MSG, mp is hidden from the optimiser once per round so that it re-broadcasts each
 * message word where it is used instead of hoisting 16 broadcasts per block and spilling them
 * (helps the 16-register AVX2 kernel a little; hurts the AVX-512 ones).
 */
#ifdef AKS_OPAQUE_MSG
#define AKS_OPAQUE(p) __asm__("" : "+r"(p));
#else
#define AKS_OPAQUE(p)
#endif

#define AKS_G1(a, b, c, d, x, y)                                                                   \
  AKS_ADD_MSG(a, x, b);                                                                            \
  d = AKS_ROR32(AKS_XOR(d, a));                                                                    \
  c = AKS_ADD(c, d);                                                                               \
  b = AKS_ROR24(AKS_XOR(b, c));                                                                    \
  AKS_ADD_MSG(a, y, b);                                                                            \
  d = AKS_ROR16(AKS_XOR(d, a));                                                                    \
  c = AKS_ADD(c, d);                                                                               \
  b = AKS_ROR63(AKS_XOR(b, c));
#define AKS_G(g, a, b, c, d, x, y)                                                                 \
  AKS_G1(v##a##g, v##b##g, v##c##g, v##d##g, AKS_MW(g, x), AKS_MW(g, y))

/* AKS_MW(g, k) is (re)defined before each use of AKS_COMPRESS: it is expanded at the use site. */
#define AKS_ROUND1(g, s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15)        \
  AKS_G(g, 0, 4, 8, 12, s0, s1)                                                                    \
  AKS_G(g, 1, 5, 9, 13, s2, s3)                                                                    \
  AKS_G(g, 2, 6, 10, 14, s4, s5)                                                                   \
  AKS_G(g, 3, 7, 11, 15, s6, s7)                                                                   \
  AKS_G(g, 0, 5, 10, 15, s8, s9)                                                                   \
  AKS_G(g, 1, 6, 11, 12, s10, s11)                                                                 \
  AKS_G(g, 2, 7, 8, 13, s12, s13)                                                                  \
  AKS_G(g, 3, 4, 9, 14, s14, s15)
#if AKS_GROUPS == 2
#define AKS_ROUND(r, ...) AKS_OPAQUE(mp) AKS_ROUND1(A, __VA_ARGS__) AKS_ROUND1(B, __VA_ARGS__)
#else
#define AKS_ROUND(r, ...) AKS_OPAQUE(mp) AKS_ROUND1(A, __VA_ARGS__)
#endif

#define AKS_START(g)                                                                               \
  AKS_V v0##g = h0##g, v1##g = h1##g, v2##g = h2##g, v3##g = h3##g;                                \
  AKS_V v4##g = h4##g, v5##g = h5##g, v6##g = h6##g, v7##g = h7##g;                                \
  AKS_V v8##g = iv0, v9##g = iv1, v10##g = iv2, v11##g = iv3;                                      \
  AKS_V v12##g = vt, v13##g = iv5, v14##g = vf, v15##g = iv7;
#define AKS_END(g)                                                                                 \
  h0##g = AKS_XOR3(h0##g, v0##g, v8##g);                                                           \
  h1##g = AKS_XOR3(h1##g, v1##g, v9##g);                                                           \
  h2##g = AKS_XOR3(h2##g, v2##g, v10##g);                                                          \
  h3##g = AKS_XOR3(h3##g, v3##g, v11##g);                                                          \
  h4##g = AKS_XOR3(h4##g, v4##g, v12##g);                                                          \
  h5##g = AKS_XOR3(h5##g, v5##g, v13##g);                                                          \
  h6##g = AKS_XOR3(h6##g, v6##g, v14##g);                                                          \
  h7##g = AKS_XOR3(h7##g, v7##g, v15##g);

/* t: byte counter after this block; f6: IV6, inverted for the final block. */
#define AKS_COMPRESS(t, f6)                                                                        \
  do {                                                                                             \
    const AKS_V iv0 = AKS_SET1(AK_IV0), iv1 = AKS_SET1(AK_IV1), iv2 = AKS_SET1(AK_IV2);            \
    const AKS_V iv3 = AKS_SET1(AK_IV3), iv5 = AKS_SET1(AK_IV5), iv7 = AKS_SET1(AK_IV7);            \
    const AKS_V vt = AKS_SET1(AK_IV4 ^ (t)), vf = AKS_SET1(f6);                                    \
    AKS_EACH(AKS_START)                                                                            \
    AK_ALL_ROUNDS(AKS_ROUND)                                                                       \
    AKS_EACH(AKS_END)                                                                              \
  } while (0)

#define AKS_INIT(g)                                                                                \
  AKS_V h0##g = AKS_SET1(AK_IV0 ^ AK_PARAM0), h1##g = AKS_SET1(AK_IV1);                            \
  AKS_V h2##g = AKS_SET1(AK_IV2), h3##g = AKS_SET1(AK_IV3), h4##g = AKS_SET1(AK_IV4);              \
  AKS_V h5##g = AKS_SET1(AK_IV5), h6##g = AKS_SET1(AK_IV6), h7##g = AKS_SET1(AK_IV7);              \
  const AKS_V m0##g = AKS_LOAD(w0 + AKS_GROUP_INDEX(g) * AKS_LANES);
#define AKS_OUT(g)                                                                                 \
  AKS_STORE(out + (0 * AKS_GROUPS + AKS_GROUP_INDEX(g)) * AKS_LANES, h0##g);                       \
  AKS_STORE(out + (1 * AKS_GROUPS + AKS_GROUP_INDEX(g)) * AKS_LANES, h1##g);                       \
  AKS_STORE(out + (2 * AKS_GROUPS + AKS_GROUP_INDEX(g)) * AKS_LANES, h2##g);                       \
  AKS_STORE(out + (3 * AKS_GROUPS + AKS_GROUP_INDEX(g)) * AKS_LANES, h3##g);

AKS_TARGET void AKS_FN(const uint64_t *w0, uint64_t *out) {
#ifdef AKS_PROLOGUE
  AKS_PROLOGUE
#endif
  AKS_EACH(AKS_INIT)
  const uint64_t *mp = ak_mtab;

  /* Block 0: word 0 = (index || height) differs per lane, words 1..15 are M[0..120). */
#define AKS_MW(g, k) ((k) == 0 ? m0##g : AKS_SET1(mp[k]))
  AKS_COMPRESS(128, AK_IV6);
#undef AKS_MW

  /* Blocks 1..63: identical constant words for every lane and every check. */
  for (unsigned b = 1; b < AK_ELEM_BLOCKS - 1; b++) {
    mp = ak_mtab + 16 * b;
#define AKS_MW(g, k) AKS_SET1(mp[k])
    AKS_COMPRESS(128 * (b + 1), AK_IV6);
#undef AKS_MW
  }

  /* Block 64: the last 8 bytes of M, zero padded; counter 8200 and the final-block flag. */
  mp = ak_mtab + 16 * (AK_ELEM_BLOCKS - 1);
#define AKS_MW(g, k) ((k) == 0 ? AKS_SET1(mp[0]) : AKS_ZERO)
  AKS_COMPRESS(AK_ELEM_LEN, ~AK_IV6);
#undef AKS_MW

  AKS_EACH(AKS_OUT)
}

#undef AKS_EACH
#undef AKS_GROUP_INDEX
#undef AKS_ADD_MSG
#undef AKS_OPAQUE
#undef AKS_G1
#undef AKS_G
#undef AKS_ROUND1
#undef AKS_ROUND
#undef AKS_START
#undef AKS_END
#undef AKS_COMPRESS
#undef AKS_INIT
#undef AKS_OUT
