import type { Ratio } from '../coin/index.ts';
import { apportion, type Claim, type Credit } from './apportion.ts';
import { div, getOrCreate, mul, ONE, sub } from './exact.ts';
import type { FeeSchedule } from './fees.ts';
import { type CreditShare, PplnsWindow, type WindowSummary } from './pplns.ts';
import { WeightSum } from './weights.ts';

export type PayoutScheme = 'pps' | 'pplns' | 'prop' | 'solo';
export const PAYOUT_SCHEMES: readonly PayoutScheme[] = ['pps', 'pplns', 'prop', 'solo'];

/**
 * The account that receives a PPS pool's block rewards: the operator's own funds, out of which PPS
 * credits are paid. Not an Ergo address, so it is never paid out by the payout run.
 */
export const POOL_ACCOUNT = '@pool';

export function isInternalAccount(address: string): boolean {
  return address.startsWith('@');
}

export interface BlockCreditInput {
  /** The block's reward from the chain (nanoERG, net of re-emission). */
  reward: bigint;
  fees: FeeSchedule;
  /** Address of the miner who found the block. */
  finder: string;
}

export interface BlockCredits {
  credits: Credit[];
  /** PPLNS only: where the window ended. */
  window?: WindowSummary;
  /** Why the finder got the miners' part (no shares to weigh). */
  fallback?: 'no-shares';
}

/**
 * The common split: each fee recipient gets rate × reward; the miners share (1 − total fee) × reward in
 * proportion to their weights. Everything is apportioned in one pass (largest remainder, see apportion),
 * so the credits sum to the reward exactly. With no weight at all (no shares), the miners' part goes to
 * the finder: an explicit rule, never a silent pool keep.
 */
export function splitReward(input: BlockCreditInput, weights: ReadonlyMap<string, Ratio>): BlockCredits {
  const claims: Claim[] = input.fees.recipients.map((r) => ({
    address: r.address,
    kind: 'fee',
    weight: r.rate,
  }));
  const minersPart = sub(ONE, input.fees.total);
  let total = new WeightSum();
  for (const w of weights.values()) total.addRatio(w);
  let fallback: BlockCredits['fallback'];
  let minerWeights = weights;
  if (total.isZero()) {
    minerWeights = new Map([[input.finder, ONE]]);
    total = new WeightSum();
    total.addRatio(ONE);
    fallback = 'no-shares';
  }
  const sum = total.toRatio();
  if (minersPart.num > 0n) {
    for (const [address, w] of minerWeights) {
      if (w.num === 0n) continue;
      claims.push({ address, kind: 'miner', weight: mul(minersPart, div(w, sum)) });
    }
  }
  const credits = apportion(input.reward, claims);
  return fallback ? { credits, fallback } : { credits };
}

/** SOLO: the finder gets the reward minus the fee. */
export function soloCredits(input: BlockCreditInput): BlockCredits {
  return splitReward(input, new Map([[input.finder, ONE]]));
}

/**
 * PROP: the round's shares (every share since the pool's previous block, the block's own share
 * included), each weighted by expected hashes ÷ network difficulty (= by difficulty while the network
 * difficulty is constant; a share worth more blocks counts more when it changes).
 */
export function propCredits(input: BlockCreditInput, roundShares: Iterable<CreditShare>): BlockCredits {
  const sums = new Map<string, WeightSum>();
  for (const s of roundShares) {
    getOrCreate(sums, s.address, () => new WeightSum()).addShare(s);
  }
  return splitReward(input, toRatios(sums));
}

/**
 * PPLNS: the last shares (fed newest first, the block's own share first) whose weights add up to
 * `factor` network difficulties; the share crossing the boundary counts only for its part inside.
 * **Unfilled window** (the pool's whole history weighs less than `factor`): the shares present share
 * the whole miners' part in proportion to their weights — nothing is kept by the pool.
 */
export function pplnsCredits(
  input: BlockCreditInput,
  sharesNewestFirst: Iterable<CreditShare>,
  factor: Ratio,
): BlockCredits {
  const window = new PplnsWindow(factor);
  for (const s of sharesNewestFirst) if (!window.add(s)) break;
  return { ...splitReward(input, toRatios(window.byAddress)), window: window.summary() };
}

/** PPS: the pool was paying for shares all along; the block's reward goes to the pool's own account. */
export function ppsBlockCredits(reward: bigint, poolAccount = POOL_ACCOUNT): BlockCredits {
  if (reward < 0n) throw new RangeError('reward must not be negative');
  return { credits: reward === 0n ? [] : [{ address: poolAccount, kind: 'pool', amount: reward }] };
}

function toRatios(sums: ReadonlyMap<string, WeightSum>): Map<string, Ratio> {
  const out = new Map<string, Ratio>();
  for (const [address, sum] of sums) if (!sum.isZero()) out.set(address, sum.toRatio());
  return out;
}
