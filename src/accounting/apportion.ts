import type { Ratio } from '../coin/index.ts';
import { lcm } from './exact.ts';

/** What a credit is for: a miner's part of a block, a fee recipient's part, or the pool's own account. */
export type CreditKind = 'miner' | 'fee' | 'pool';

export interface Claim {
  address: string;
  kind: CreditKind;
  /** Non-negative exact weight; only proportions matter. */
  weight: Ratio;
}

export interface Credit {
  address: string;
  kind: CreditKind;
  /** nanoERG, > 0. */
  amount: bigint;
}

/** Sort order of parties: address, then kind (used for ties and for stable output). */
export function compareParty(a: { address: string; kind: string }, b: { address: string; kind: string }) {
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  return a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0;
}

/**
 * Splits `total` nanoERG among claims in proportion to their weights, exactly: the results sum to
 * `total`. Rule (largest remainder, Hamilton): every party gets floor(total × w / W); the nanoERG left
 * over (fewer than the number of parties) go one each to the parties with the largest fractional
 * remainders; equal remainders are ordered by address, then kind (ascending) — deterministic, no
 * dependence on input order. Claims of the same (address, kind) are merged first. Zero credits are
 * left out. Throws if total > 0 and all weights are zero (the caller must decide who gets it).
 */
export function apportion(total: bigint, claims: readonly Claim[]): Credit[] {
  if (typeof total !== 'bigint' || total < 0n) throw new RangeError('total must be a non-negative bigint');
  const merged = new Map<string, { address: string; kind: Claim['kind']; num: bigint; den: bigint }>();
  let den = 1n;
  for (const c of claims) {
    if (c.weight.num < 0n || c.weight.den <= 0n) throw new RangeError(`negative weight for ${c.address}`);
    if (c.weight.num === 0n) continue;
    den = lcm(den, c.weight.den);
  }
  for (const c of claims) {
    if (c.weight.num === 0n) continue;
    const key = `${c.kind}\u0000${c.address}`;
    const scaled = c.weight.num * (den / c.weight.den);
    const prev = merged.get(key);
    if (prev) prev.num += scaled;
    else merged.set(key, { address: c.address, kind: c.kind, num: scaled, den });
  }
  const parties = [...merged.values()];
  const weightTotal = parties.reduce((s, p) => s + p.num, 0n);
  if (weightTotal === 0n) {
    if (total === 0n) return [];
    throw new RangeError('cannot apportion a positive amount over zero weight');
  }
  const shares = parties.map((p) => ({
    address: p.address,
    kind: p.kind,
    amount: (total * p.num) / weightTotal,
    remainder: (total * p.num) % weightTotal,
  }));
  let left = total - shares.reduce((s, p) => s + p.amount, 0n);
  const order = [...shares].sort((a, b) =>
    a.remainder > b.remainder ? -1 : a.remainder < b.remainder ? 1 : compareParty(a, b),
  );
  for (const s of order) {
    if (left === 0n) break;
    s.amount += 1n;
    left -= 1n;
  }
  return shares
    .filter((s) => s.amount > 0n)
    .map(({ address, kind, amount }) => ({ address, kind, amount }))
    .sort(compareParty);
}

/** Σ amounts of credits. */
export function creditTotal(credits: readonly { amount: bigint }[]): bigint {
  return credits.reduce((s, c) => s + c.amount, 0n);
}
