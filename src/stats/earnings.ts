import type { Ratio } from '../coin/index.ts';

/** Estimated earnings, pure. The float inputs (hashrates, window share) are estimates; money stays bigint. */

export type EstimateScheme = 'pps' | 'pplns' | 'prop' | 'solo';

export interface EarningsInput {
  scheme: EstimateScheme;
  /** The miner's and the pool's current hashrates, H/s. */
  minerHashrate: number;
  poolHashrate: number;
  /** The miner's share of the current PPLNS window or PROP round (0…1); null when unknown. */
  windowShare: number | null;
  /** Network difficulty: expected evaluations per block. */
  networkDifficulty: bigint;
  /** Net block reward at the current height, nanoERG (emission minus EIP-27 re-emission). */
  reward: bigint;
  /** Σ pool fee rates (a fraction of the reward). */
  fee: Ratio;
}

const SECONDS_PER_DAY = 86_400n;
/** Hashrates and shares enter the bigint arithmetic in these fixed-point units. */
const RATE_SCALE = 1000n;
const SHARE_SCALE = 1_000_000_000n;

/**
 * nanoERG per day, floored:
 * - PPS and SOLO: the miner's expected blocks per day (hashrate × 86 400 ÷ difficulty) × reward × (1 − fee);
 * - PPLNS and PROP: its share of the current window × the pool's expected blocks per day × reward × (1 − fee)
 *   (what it earns if the pool keeps its hashrate and the miner its share).
 */
export function estimatedEarningsPerDay(i: EarningsInput): bigint {
  if (i.networkDifficulty <= 0n || i.reward <= 0n) return 0n;
  const keep = { num: i.fee.den - i.fee.num, den: i.fee.den };
  let rate: bigint;
  let share: bigint;
  if (i.scheme === 'pps' || i.scheme === 'solo') {
    rate = scaled(i.minerHashrate, RATE_SCALE);
    share = SHARE_SCALE;
  } else {
    if (i.windowShare === null) return 0n;
    rate = scaled(i.poolHashrate, RATE_SCALE);
    share = scaled(Math.min(1, i.windowShare), SHARE_SCALE);
  }
  const num = rate * SECONDS_PER_DAY * i.reward * share * keep.num;
  const den = RATE_SCALE * i.networkDifficulty * SHARE_SCALE * keep.den;
  return num / den;
}

function scaled(value: number, scale: bigint): bigint {
  if (!Number.isFinite(value) || value <= 0) return 0n;
  return BigInt(Math.round(value * Number(scale)));
}
