/* Autolykos v2 hit driver and kernel dispatch (see autolykos.c and cpu.c). */
#ifndef AUTOLYKOS_AUTOLYKOS_H
#define AUTOLYKOS_AUTOLYKOS_H

#include <stddef.h>
#include <stdint.h>

#include "blake2b.h"

/* Kernel ids as the JS side passes them to hits(). */
enum { AK_KERNEL_BEST = 0, AK_KERNEL_SCALAR = 1, AK_KERNEL_AVX2 = 2, AK_KERNEL_AVX512 = 3 };

typedef struct {
  const char *name;
  ak_elem_fn elem;        /* widest multi-lane element hash: 32 element hashes per check */
  unsigned lanes;         /* its lane count: 1, 4 or 16 (a divisor of 32) */
  ak_elem_fn elem_small;  /* narrower variant for e-hashes of small batches (may equal elem) */
  unsigned lanes_small;
} ak_kernel;

#define AK_MAX_LANES 16

/* The kernel for an id (AK_KERNEL_BEST = fastest available); NULL if unknown or unsupported. */
const ak_kernel *ak_kernel_get(int id);
/* Names of the kernels this CPU supports, best first; returns how many (at most 3). */
size_t ak_kernel_names(const char *names[3]);

/*
 * n hits: for check k, msg = msgs[32k..], nonce = nonces[8k..], heights[k], ns[k] (must be > 0);
 * writes the 32 digest bytes of the hit to out[32k..]. out must not overlap the inputs.
 */
void ak_hits(const ak_kernel *kernel, const uint8_t *msgs, const uint8_t *nonces,
             const uint32_t *heights, const uint32_t *ns, uint8_t *out, size_t n);

#endif
