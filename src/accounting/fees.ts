import type { Ratio } from '../coin/index.ts';
import { add, compare, parseDecimal, ratioText, ZERO } from './exact.ts';

/** A fee recipient as configured: an address and a percentage written as an exact decimal ("1.5"). */
export interface FeeRecipientConfig {
  address: string;
  percent: string | number;
}

export interface FeeRecipient {
  address: string;
  /** Fraction of a reward (percent / 100), exact. */
  rate: Ratio;
}

/** The pool fee: one or more recipients; `total` = Σ rates (≤ 1). */
export interface FeeSchedule {
  recipients: readonly FeeRecipient[];
  total: Ratio;
}

export const NO_FEE: FeeSchedule = { recipients: [], total: ZERO };

const HUNDRED: Ratio = { num: 100n, den: 1n };

/**
 * Parses the fee recipients. Percentages are exact decimals (never floats); the total may not exceed
 * 100 %; the same address twice is an error (say it once with the sum); 0 % recipients are dropped.
 */
export function parseFees(recipients: readonly FeeRecipientConfig[]): FeeSchedule {
  const seen = new Set<string>();
  const out: FeeRecipient[] = [];
  let total: Ratio = ZERO;
  for (const r of recipients) {
    if (typeof r.address !== 'string' || r.address === '')
      throw new RangeError('fee recipient needs an address');
    if (seen.has(r.address)) throw new RangeError(`fee recipient ${r.address} is listed twice`);
    seen.add(r.address);
    const percent = parseDecimal(r.percent, `fee percent of ${r.address}`);
    if (compare(percent, HUNDRED) > 0) throw new RangeError(`fee percent of ${r.address} is above 100`);
    if (percent.num === 0n) continue;
    const rate = { num: percent.num, den: percent.den * 100n };
    out.push({ address: r.address, rate });
    total = add(total, rate);
  }
  if (compare(total, { num: 1n, den: 1n }) > 0)
    throw new RangeError(
      `fees add up to ${ratioText({ num: total.num * 100n, den: total.den })} %, above 100 %`,
    );
  return { recipients: out, total };
}
