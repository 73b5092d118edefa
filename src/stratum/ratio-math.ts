import { type Ratio, ratio } from '../autolykos/index.ts';

/** Exact rational helpers for share difficulties (vardiff and config). */
export function mul(a: Ratio, b: Ratio): Ratio {
  return ratio(a.num * b.num, a.den * b.den);
}

export function compare(a: Ratio, b: Ratio): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

export function clamp(value: Ratio, min: Ratio, max: Ratio): Ratio {
  if (compare(value, min) < 0) return min;
  if (compare(value, max) > 0) return max;
  return value;
}

export function equal(a: Ratio, b: Ratio): boolean {
  return compare(a, b) === 0;
}

/** Rounds to `digits` significant decimal digits so repeated retargets keep small numerators. */
export function roundSignificant(value: Ratio, digits = 4): Ratio {
  if (value.num <= 0n) return value;
  let exponent = value.num.toString().length - value.den.toString().length;
  // 10^exponent ≤ value < 10^(exponent+1)
  if (compare(value, pow10(exponent)) < 0) exponent -= 1;
  const scale = exponent - (digits - 1);
  const unit = pow10(scale);
  const scaled = ratio(value.num * unit.den, value.den * unit.num);
  const rounded = (scaled.num * 2n + scaled.den) / (2n * scaled.den);
  return mul(ratio(rounded), unit);
}

function pow10(exponent: number): Ratio {
  return exponent >= 0 ? ratio(10n ** BigInt(exponent)) : ratio(1n, 10n ** BigInt(-exponent));
}

export function toNumber(value: Ratio): number {
  return Number(value.num) / Number(value.den);
}
