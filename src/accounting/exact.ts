import { type Ratio, ratio } from '../autolykos/index.ts';

/**
 * Exact arithmetic for money and weights: bigint and Ratio only, never a JS number.
 * Ratios here are non-negative unless said otherwise.
 */

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

/** −1, 0 or 1 as a < b, a = b, a > b (denominators are positive). */
export function compare(a: Ratio, b: Ratio): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
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
 * Parses a non-negative decimal ("1.5", "0", "2", "0.25", "1e-2") into an exact ratio. Used for fee
 * percentages and the PPLNS factor: written by humans as decimals, never rounded through a float.
 */
export function parseDecimal(text: string | number, what = 'value'): Ratio {
  const s = typeof text === 'number' ? String(text) : text;
  const m = /^\s*(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(s);
  if (!m) throw new RangeError(`${what} "${s}" is not a non-negative decimal number`);
  const fraction = m[2] ?? '';
  const exponent = Number(m[3] ?? '0') - fraction.length;
  if (Math.abs(exponent) > 60) throw new RangeError(`${what} "${s}" is out of range`);
  const digits = BigInt(`${m[1]}${fraction}`);
  return exponent >= 0 ? ratio(digits * 10n ** BigInt(exponent)) : ratio(digits, 10n ** BigInt(-exponent));
}

/** Decimal text of a ratio with up to `digits` fractional digits, rounded half up (display only). */
export function ratioText(value: Ratio, digits = 9): string {
  const negative = value.num < 0n;
  const abs = negative ? -value.num : value.num;
  const scale = 10n ** BigInt(digits);
  const scaled = (abs * scale + value.den / 2n) / value.den;
  const whole = scaled / scale;
  const frac = (scaled % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** nanoERG as ERG text with 9 decimals, trailing zeros dropped ("1.5", "0.000000001"). */
export function ergText(nano: bigint): string {
  return ratioText({ num: nano, den: 1_000_000_000n }, 9);
}

/** The value at `key`, created by `make` when absent. */
export function getOrCreate<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
