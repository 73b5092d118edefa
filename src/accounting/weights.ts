import { type Ratio, ratio } from '../coin/index.ts';
import { add, lcm, ZERO } from './exact.ts';

/**
 * Share weights, the one unit every scheme uses.
 *
 * A share's weight is its **expected number of blocks**: the share's expected Autolykos evaluations H
 * (2^256 / share target, floored — `AcceptedShare.expectedHashes`) divided by the network difficulty D at
 * the share's time (the node's unit: expected evaluations per block). So "factor × network difficulty"
 * of PPLNS is simply a weight of `factor`, and PPS pays `reward × weight`.
 *
 * Why H / D and not the exact ratio of targets b / t (the true probability that a share is a block):
 * - both are in the same unit ("expected hashes"), taken from the share row and the node as they are;
 * - sums stay cheap and exact: all shares at the same D add up as one integer numerator over D, so a
 *   window of millions of shares has only as many denominators as distinct network difficulties, whereas
 *   Σ b/t_i has a denominator per distinct share target (vardiff makes many);
 * - the difference is negligible and the same for every miner: H is floored (< 1 hash of ≥ 2^32 per
 *   difficulty-1 share) and b/2^256 = floor(q/D)/2^256 differs from 1/D by ~3.7·10⁻³⁹ relative.
 */
export interface ShareWeight {
  /** Expected Autolykos evaluations of the share (2^256 / share target, floored). */
  expectedHashes: bigint;
  /** Network difficulty when the share was accepted (expected evaluations per block). */
  networkDifficulty: bigint;
}

export function checkShareWeight(s: ShareWeight): void {
  if (typeof s.expectedHashes !== 'bigint' || s.expectedHashes < 0n)
    throw new RangeError('share expectedHashes must be a non-negative bigint');
  if (typeof s.networkDifficulty !== 'bigint' || s.networkDifficulty <= 0n)
    throw new RangeError('share networkDifficulty must be a positive bigint');
}

/** The weight of one share: H / D (expected blocks). */
export function shareWeight(s: ShareWeight): Ratio {
  checkShareWeight(s);
  return ratio(s.expectedHashes, s.networkDifficulty);
}

/**
 * An exact sum of weights kept as integer hash sums per network difficulty (plus any exact fractions,
 * e.g. the part of a share cut by a PPLNS window boundary). Adding is a bigint addition.
 */
export class WeightSum {
  private readonly byDifficulty = new Map<bigint, bigint>();
  private extra: Ratio = ZERO;

  addShare(s: ShareWeight): void {
    checkShareWeight(s);
    this.addHashes(s.expectedHashes, s.networkDifficulty);
  }

  addHashes(hashes: bigint, networkDifficulty: bigint): void {
    if (hashes === 0n) return;
    this.byDifficulty.set(networkDifficulty, (this.byDifficulty.get(networkDifficulty) ?? 0n) + hashes);
  }

  addRatio(value: Ratio): void {
    this.extra = add(this.extra, value);
  }

  addSum(other: WeightSum): void {
    for (const [d, h] of other.byDifficulty) this.addHashes(h, d);
    if (other.extra.num !== 0n) this.addRatio(other.extra);
  }

  isZero(): boolean {
    return this.byDifficulty.size === 0 && this.extra.num === 0n;
  }

  /** The exact total as one ratio (one bigint product per distinct network difficulty). */
  toRatio(): Ratio {
    let den = this.extra.den;
    for (const d of this.byDifficulty.keys()) den = lcm(den, d);
    let num = this.extra.num * (den / this.extra.den);
    for (const [d, h] of this.byDifficulty) num += h * (den / d);
    return ratio(num, den);
  }
}

/** Effort of a round: Σ weights of its shares (1 = exactly one network difficulty of work). */
export function roundEffort(shares: Iterable<ShareWeight>): Ratio {
  const sum = new WeightSum();
  for (const s of shares) sum.addShare(s);
  return sum.toRatio();
}
