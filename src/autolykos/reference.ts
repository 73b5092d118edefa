import { createBLAKE2b, type IHasher } from 'hash-wasm';
import { ELEMENTS_PER_HIT } from './constants.ts';
import { assertBatchShape, type HitBatch, type HitKernel } from './kernel.ts';

/**
 * The plain reference implementation of the Autolykos v2 hit (node `hitForVersion2ForMessage`), written
 * step by step for readability with bigint arithmetic. It is the portable fallback when the native kernel
 * is unavailable, and the tests cross-check the native kernels against it.
 */

/** M: the 8-byte big-endian encodings of 0..1023, concatenated (8192 bytes). */
export const AUTOLYKOS_M: Uint8Array = (() => {
  const m = new Uint8Array(8192);
  const view = new DataView(m.buffer);
  for (let i = 0; i < 1024; i++) view.setBigUint64(i * 8, BigInt(i));
  return m;
})();

function be32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0);
  return out;
}

function toBigInt(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
}

export function referenceHit(
  h: IHasher,
  msg: Uint8Array,
  nonce: Uint8Array,
  height: number,
  n: number,
): Uint8Array {
  const hash = (...parts: Uint8Array[]): Uint8Array => {
    h.init();
    for (const p of parts) h.update(p);
    return h.digest('binary');
  };
  const hb = be32(height);
  const bigN = BigInt(n);
  // 1. index of the first element from the last 8 bytes of H(msg ‖ nonce)
  const i = Number(toBigInt(hash(msg, nonce).subarray(24, 32)) % bigN);
  // 2. e = H(i ‖ h ‖ M) without its first byte
  const e = hash(be32(i), hb, AUTOLYKOS_M).subarray(1);
  // 3. 32 element indexes from H(e ‖ msg ‖ nonce), 4 bytes at each offset k of the hash extended by 3 bytes
  const seed = hash(e, msg, nonce);
  const extended = new Uint8Array(35);
  extended.set(seed);
  extended.set(seed.subarray(0, 3), 32);
  const view = new DataView(extended.buffer);
  // 4. f = sum of the 32 elements H(j ‖ h ‖ M) without their first byte, as plain integers
  let f = 0n;
  for (let k = 0; k < ELEMENTS_PER_HIT; k++) {
    const j = view.getUint32(k) % n;
    f += toBigInt(hash(be32(j), hb, AUTOLYKOS_M).subarray(1));
  }
  // 5. hit = H(f as 32 big-endian bytes)
  return hash(Buffer.from(f.toString(16).padStart(64, '0'), 'hex'));
}

export async function createReferenceKernel(): Promise<HitKernel> {
  const hasher = await createBLAKE2b(256);
  return {
    name: 'reference',
    hits(batch: HitBatch, out: Uint8Array): void {
      assertBatchShape(batch, out);
      for (let k = 0; k < batch.count; k++) {
        const hit = referenceHit(
          hasher,
          batch.msgs.subarray(32 * k, 32 * k + 32),
          batch.nonces.subarray(8 * k, 8 * k + 8),
          batch.heights[k]!,
          batch.ns[k]!,
        );
        out.set(hit, 32 * k);
      }
    },
  };
}
