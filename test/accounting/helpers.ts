import type { Credit, CreditShare } from '../../src/accounting/index.ts';
import type { Ratio } from '../../src/coin/index.ts';

/** ERG text → nanoERG ("1.5" → 1_500_000_000n). */
export function erg(text: string): bigint {
  const [whole, frac = ''] = text.split('.');
  return BigInt(whole!) * 1_000_000_000n + BigInt(frac.padEnd(9, '0'));
}

/** A share of `hashes` expected hashes at network difficulty `d` (weight hashes / d). */
export function share(
  address: string,
  hashes: bigint | number,
  d: bigint | number = 100n,
  id?: string,
): CreditShare {
  return { address, expectedHashes: BigInt(hashes), networkDifficulty: BigInt(d), ...(id ? { id } : {}) };
}

/** credits → { "kind:address": amount } for compact assertions. */
export function byParty(credits: readonly Credit[]): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const c of credits) out[`${c.kind}:${c.address}`] = c.amount;
  return out;
}

export function total(credits: readonly { amount: bigint }[]): bigint {
  return credits.reduce((s, c) => s + c.amount, 0n);
}

/** Deterministic PRNG (mulberry32) for property tests. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function r(num: bigint | number, den: bigint | number = 1n): Ratio {
  return { num: BigInt(num), den: BigInt(den) };
}

/** a/b as a reduced-free comparison helper: a.num * b.den === b.num * a.den. */
export function ratioEq(a: Ratio, b: Ratio): boolean {
  return a.num * b.den === b.num * a.den;
}
