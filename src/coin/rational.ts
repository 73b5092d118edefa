/**
 * Exact rationals over bigint, the one implementation every domain uses for difficulties, weights and fees
 * (never a JS number). Denominators are kept positive and fractions reduced.
 */
export interface Ratio {
  readonly num: bigint;
  readonly den: bigint;
}

export const ZERO: Ratio = { num: 0n, den: 1n };
export const ONE: Ratio = { num: 1n, den: 1n };

export function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function lcm(a: bigint, b: bigint): bigint {
  if (a === 0n || b === 0n) return 0n;
  return (a / gcd(a, b)) * b;
}

export function ratio(num: bigint, den = 1n): Ratio {
  if (den === 0n) throw new RangeError('zero denominator');
  const sign = den < 0n ? -1n : 1n;
  const g = gcd(num, den) || 1n;
  return { num: (sign * num) / g, den: (sign * den) / g };
}

export function add(a: Ratio, b: Ratio): Ratio {
  if (a.den === b.den) return ratio(a.num + b.num, a.den);
  return ratio(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function sub(a: Ratio, b: Ratio): Ratio {
  return add(a, { num: -b.num, den: b.den });
}

export function mul(a: Ratio, b: Ratio): Ratio {
  return ratio(a.num * b.num, a.den * b.den);
}

export function div(a: Ratio, b: Ratio): Ratio {
  if (b.num === 0n) throw new RangeError('division by zero');
  return ratio(a.num * b.den, a.den * b.num);
}

/** −1, 0 or 1 as a < b, a = b, a > b. */
export function compare(a: Ratio, b: Ratio): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

export function equal(a: Ratio, b: Ratio): boolean {
  return compare(a, b) === 0;
}

export function clamp(value: Ratio, min: Ratio, max: Ratio): Ratio {
  if (compare(value, min) < 0) return min;
  if (compare(value, max) > 0) return max;
  return value;
}

/** floor(a) for a ≥ 0 (bigint division truncates toward zero). */
export function floor(a: Ratio): bigint {
  if (a.num < 0n) throw new RangeError('floor of a negative ratio');
  return a.num / a.den;
}

export function isZero(a: Ratio): boolean {
  return a.num === 0n;
}

/**
 * Parses a non-negative decimal as humans write it ("1.5", "0", "0.001", "1e-3") into an exact ratio, never
 * through a float; the error names `what`.
 */
export function parseDecimal(text: string | number, what = 'value'): Ratio {
  const s = typeof text === 'number' ? String(text) : text;
  const m = /^\s*(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(s);
  if (!m) throw new RangeError(`${what} "${s}" is not a non-negative decimal number`);
  const fraction = m[2] ?? '';
  const exponent = Number(m[3] ?? '0') - fraction.length;
  if (Math.abs(exponent) > 400) throw new RangeError(`${what} "${s}" is out of range`);
  const digits = BigInt(`${m[1]}${fraction}`);
  return exponent >= 0 ? ratio(digits * 10n ** BigInt(exponent)) : ratio(digits, 10n ** BigInt(-exponent));
}

/** Decimal text with up to `digits` fractional digits, rounded half up (logs, API and UI; never arithmetic). */
export function formatRatio(value: Ratio, digits = 6): string {
  const negative = value.num < 0n;
  const abs = negative ? -value.num : value.num;
  const scale = 10n ** BigInt(digits);
  const scaled = (abs * scale + value.den / 2n) / value.den;
  const whole = scaled / scale;
  const frac = (scaled % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}
