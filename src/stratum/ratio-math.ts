import { compare, mul, type Ratio, ratio } from '../coin/index.ts';

// Vardiff's rounding of share difficulties; the rational arithmetic itself lives in src/coin.

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
