import { formatRatio, type Ratio } from '../coin/index.ts';

/**
 * Exact arithmetic for money and weights: bigint and Ratio only, never a JS number.
 * Ratios here are non-negative unless said otherwise.
 */

export {
  add,
  compare,
  div,
  floor,
  gcd,
  isZero,
  lcm,
  mul,
  ONE,
  parseDecimal,
  sub,
  ZERO,
} from '../coin/index.ts';

/** Decimal text of a ratio with up to `digits` fractional digits, rounded half up (display only). */
export function ratioText(value: Ratio, digits = 9): string {
  return formatRatio(value, digits);
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
