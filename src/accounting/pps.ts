import type { Ratio } from '../coin/index.ts';
import { apportion, type Claim, type Credit } from './apportion.ts';
import { add, compare, floor, getOrCreate, mul, ONE, sub, ZERO } from './exact.ts';
import type { FeeSchedule } from './fees.ts';
import type { CreditShare } from './pplns.ts';
import { WeightSum } from './weights.ts';

export interface PpsShare extends CreditShare {
  /** Height of the block the share was mined for (its job's candidate height). */
  height: number;
}

export interface PpsInput {
  /** The shares of this PPS period (any order). */
  shares: Iterable<PpsShare>;
  fees: FeeSchedule;
  /** The reward a block at a height lets the pool distribute (the coin's RewardRules.blockReward). */
  rewardAt: (height: number) => bigint;
  /** The fraction of a nanoERG not credited by the previous period (0 ≤ carry < 1). */
  carry?: Ratio;
}

export interface PpsResult {
  /** PPS credits ('miner') and the fee recipients' part ('fee'); Σ = total. */
  credits: Credit[];
  /** nanoERG credited this period: floor(value + carry in). */
  total: bigint;
  /** Exact value of the period's shares: Σ reward(h) × H / D. */
  value: Ratio;
  /** What is left for the next period (< 1 nanoERG). */
  carry: Ratio;
}

/**
 * PPS: every share is worth its expected value at share time — the net block reward at its height ×
 * its weight (expected hashes ÷ network difficulty) — whatever blocks the pool finds; the pool carries
 * the variance. The fee is taken from that value: fee recipients get rate × value, the miner the rest.
 *
 * Exactness: values are summed exactly per period; the period's whole nanoERG (value + carry, floored)
 * are apportioned by largest remainder, and the fraction below one nanoERG is carried into the next
 * period, so over any number of periods the credits equal the floor of the exact total value.
 * Tx fees of found blocks are not part of PPS (that would be FPPS): they stay with the pool's account.
 */
export function ppsCredits(input: PpsInput): PpsResult {
  const rewardAt = input.rewardAt;
  const carryIn = input.carry ?? ZERO;
  if (carryIn.num < 0n || compare(carryIn, ONE) >= 0) throw new RangeError('PPS carry must be in [0, 1)');
  const byAddress = new Map<string, WeightSum>();
  const rewards = new Map<number, bigint>();
  for (const s of input.shares) {
    let reward = rewards.get(s.height);
    if (reward === undefined) {
      reward = rewardAt(s.height);
      if (typeof reward !== 'bigint' || reward < 0n)
        throw new RangeError(`reward at height ${s.height} must be a non-negative bigint`);
      rewards.set(s.height, reward);
    }
    if (s.networkDifficulty <= 0n || s.expectedHashes < 0n) throw new RangeError('bad share weight');
    getOrCreate(byAddress, s.address, () => new WeightSum()).addHashes(
      reward * s.expectedHashes,
      s.networkDifficulty,
    );
  }
  const values = new Map<string, Ratio>();
  const all = new WeightSum();
  for (const [address, sum] of byAddress) {
    if (sum.isZero()) continue;
    const v = sum.toRatio();
    values.set(address, v);
    all.addRatio(v);
  }
  const value = all.toRatio();
  const available = add(value, carryIn);
  const total = floor(available);
  const carry = sub(available, { num: total, den: 1n });
  if (value.num === 0n) return { credits: [], total: 0n, value, carry };
  const minersPart = sub(ONE, input.fees.total);
  const claims: Claim[] = input.fees.recipients.map((r) => ({
    address: r.address,
    kind: 'fee',
    weight: mul(r.rate, value),
  }));
  if (minersPart.num > 0n)
    for (const [address, v] of values) claims.push({ address, kind: 'miner', weight: mul(minersPart, v) });
  return { credits: apportion(total, claims), total, value, carry };
}
