import { bytesToBigInt } from './bytes.ts';
import type { HitBatch, HitKernel } from './kernel.ts';
import { calcN } from './table-size.ts';

/** One share or block to check: the job's msg, the miner's full 8-byte nonce, the height being mined. */
export interface PowInput {
  readonly msg: Uint8Array;
  readonly nonce: Uint8Array;
  readonly height: number;
}

/** Packs inputs into the flat layout every kernel takes (N computed here, once, by the node's rule). */
export function packBatch(inputs: readonly PowInput[]): HitBatch {
  const count = inputs.length;
  const batch = {
    count,
    msgs: new Uint8Array(32 * count),
    nonces: new Uint8Array(8 * count),
    heights: new Uint32Array(count),
    ns: new Uint32Array(count),
  };
  inputs.forEach((input, k) => {
    if (input.msg.length !== 32) throw new RangeError('msg must be 32 bytes');
    if (input.nonce.length !== 8) throw new RangeError('nonce must be 8 bytes');
    batch.msgs.set(input.msg, 32 * k);
    batch.nonces.set(input.nonce, 8 * k);
    batch.heights[k] = input.height;
    batch.ns[k] = calcN(input.height);
  });
  return batch;
}

/** Hits of a batch as 256-bit integers. */
export function computeHits(kernel: HitKernel, inputs: readonly PowInput[]): bigint[] {
  const out = new Uint8Array(32 * inputs.length);
  kernel.hits(packBatch(inputs), out);
  return inputs.map((_, k) => bytesToBigInt(out.subarray(32 * k, 32 * k + 32)));
}

export function computeHit(kernel: HitKernel, input: PowInput): bigint {
  return computeHits(kernel, [input])[0]!;
}
