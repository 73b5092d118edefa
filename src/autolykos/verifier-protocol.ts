import type { HitBatch } from './kernel.ts';

/** Messages between the verifier pool and its worker threads. A batch travels as one transferred buffer. */
export type ToWorker = { type: 'batch'; id: number; count: number; buffer: ArrayBuffer };
export type FromWorker =
  | { type: 'ready'; kernel: string }
  | { type: 'hits'; id: number; hits: ArrayBuffer }
  | { type: 'failed'; id: number; message: string };

export const BYTES_PER_CHECK = 48;

/** Views over a packed batch buffer: msgs (32n) ‖ nonces (8n) ‖ heights (4n) ‖ ns (4n). */
export function batchViews(buffer: ArrayBuffer, count: number): HitBatch {
  return {
    count,
    msgs: new Uint8Array(buffer, 0, 32 * count),
    nonces: new Uint8Array(buffer, 32 * count, 8 * count),
    heights: new Uint32Array(buffer, 40 * count, count),
    ns: new Uint32Array(buffer, 44 * count, count),
  };
}
