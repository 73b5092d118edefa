/**
 * A hit kernel computes Autolykos v2 hits for a batch of (msg, nonce, height, N) in one call.
 * Layout (shared with the native addon and the worker protocol): msgs 32·n bytes, nonces 8·n bytes,
 * heights and ns n × uint32; hits are written as 32 big-endian bytes per check.
 */
export interface HitBatch {
  readonly count: number;
  readonly msgs: Uint8Array;
  readonly nonces: Uint8Array;
  readonly heights: Uint32Array;
  readonly ns: Uint32Array;
}

export interface HitKernel {
  /** 'avx512' | 'avx2' | 'scalar' (native) or 'reference' (portable WebAssembly BLAKE2b). */
  readonly name: string;
  hits(batch: HitBatch, out: Uint8Array): void;
}

export function assertBatchShape(batch: HitBatch, out: Uint8Array): void {
  const n = batch.count;
  if (
    batch.msgs.length !== 32 * n ||
    batch.nonces.length !== 8 * n ||
    batch.heights.length !== n ||
    batch.ns.length !== n ||
    out.length !== 32 * n
  ) {
    throw new RangeError(`hit batch of ${n} has inconsistent buffer sizes`);
  }
}
