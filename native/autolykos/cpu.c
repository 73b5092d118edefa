/*
 * Runtime kernel dispatch. The addon is built for baseline x86-64 (portable binary); SIMD kernels
 * are compiled with per-function target attributes and offered only when the CPU (and the OS, for
 * the AVX/AVX-512 register state - libgcc checks XGETBV) supports them.
 */
#include "autolykos.h"

static const ak_kernel k_scalar = {"scalar", ak_elem_scalar, 1, ak_elem_scalar, 1};
#if AK_X86
static const ak_kernel k_avx2 = {"avx2", ak_elem_avx2, 4, ak_elem_avx2, 4};
/*
 * "avx512" uses zmm registers (AVX-512F only). On Zen 4 the 8-lane zmm kernel beat the 4-lane
 * ymm + AVX-512VL one by ~35%, and 2 x 8 zmm lanes beat 2 x 4 ymm lanes too (test/bench_elem.c).
 */
static const ak_kernel k_avx512 = {"avx512", ak_elem_avx512, 16, ak_elem_avx512_8, 8};

static int has_avx2(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}

static int has_avx512(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}
#endif

const ak_kernel *ak_kernel_get(int id) {
  switch (id) {
    case AK_KERNEL_BEST:
#if AK_X86
      if (has_avx512()) return &k_avx512;
      if (has_avx2()) return &k_avx2;
#endif
      return &k_scalar;
    case AK_KERNEL_SCALAR:
      return &k_scalar;
#if AK_X86
    case AK_KERNEL_AVX2:
      return has_avx2() ? &k_avx2 : NULL;
    case AK_KERNEL_AVX512:
      return has_avx512() ? &k_avx512 : NULL;
#endif
    default:
      return NULL;
  }
}

size_t ak_kernel_names(const char *names[3]) {
  size_t n = 0;
#if AK_X86
  if (has_avx512()) names[n++] = k_avx512.name;
  if (has_avx2()) names[n++] = k_avx2.name;
#endif
  names[n++] = k_scalar.name;
  return n;
}
