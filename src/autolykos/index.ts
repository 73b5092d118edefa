/** Autolykos v2: the exact, pure PoW and difficulty core, the fast kernels and the verifier thread pool. */

export { bigIntToBytes, bytesToBigInt, bytesToHex, hexToBytes, InvalidFieldError } from './bytes.ts';
export { decodeCompactBits, encodeCompactBits } from './compact-bits.ts';
export {
  CURRENT_MAINNET_HEIGHT,
  DIFF1_TARGET,
  GROUP_ORDER_Q,
  N_BASE,
  N_INCREASE_CAP_HEIGHT,
  TWO_POW_256,
} from './constants.ts';
export {
  blockTarget,
  expectedHashes,
  isBlockSolution,
  meetsTarget,
  networkDifficultyFromTarget,
  networkDifficultyInShareUnits,
  shareDifficultyOfTarget,
  shareTarget,
} from './difficulty.ts';
export {
  blake2b256,
  type HeaderJson,
  headerBytesWithoutPow,
  headerId,
  headerIdHex,
  headerMsg,
  vlqUnsigned,
} from './header.ts';
export { computeHit, computeHits, type PowInput, packBatch } from './hit.ts';
export type { HitBatch, HitKernel } from './kernel.ts';
export {
  KERNEL_CHOICES,
  type KernelChoice,
  loadKernel,
  nativeBlake2b256,
  nativeKernels,
  nativeLoadError,
} from './native.ts';
export { AUTOLYKOS_M, createReferenceKernel } from './reference.ts';
export { calcN } from './table-size.ts';
export { VerifierOverloadedError, VerifierPool, type VerifierPoolOptions } from './verifier-pool.ts';
