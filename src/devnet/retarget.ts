import { decodeCompactBits, encodeCompactBits } from '../autolykos/index.ts';

/** Blocks whose intervals the retarget averages. */
export const RETARGET_WINDOW = 8;

/**
 * Difficulty of the next block: the parent's difficulty scaled by target / observed mean interval over
 * the last RETARGET_WINDOW blocks (fewer when the chain is shorter), limited to ×0.5..×2 per block and
 * never below 1. `timestamps` are the best chain's, oldest first, ending with the parent.
 */
export function retarget(parentDifficulty: bigint, timestamps: readonly number[], targetMs: number): bigint {
  const intervals = Math.min(RETARGET_WINDOW, timestamps.length - 1);
  if (intervals < 1) return clampMin(parentDifficulty);
  const last = timestamps[timestamps.length - 1]!;
  const first = timestamps[timestamps.length - 1 - intervals]!;
  const span = BigInt(Math.max(1, Math.round(last - first)));
  const target = BigInt(Math.max(1, Math.round(targetMs))) * BigInt(intervals);
  let next = (2n * parentDifficulty * target + span) / (2n * span); // rounded to nearest
  const upper = parentDifficulty * 2n;
  const lower = parentDifficulty / 2n;
  if (next > upper) next = upper;
  if (next < lower) next = lower;
  return clampMin(next);
}

function clampMin(d: bigint): bigint {
  return d < 1n ? 1n : d;
}

/** The difficulty the node actually uses: compact-rounded through nBits, as in headers. */
export function compactRounded(difficulty: bigint): { nBits: number; difficulty: bigint } {
  const nBits = encodeCompactBits(difficulty);
  return { nBits, difficulty: decodeCompactBits(nBits) };
}
