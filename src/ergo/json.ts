import { isInteger, isSafeNumber, parse, stringify } from 'lossless-json';

/**
 * The node writes big integers (`b`, difficulties, scores) as raw JSON numbers far beyond 2^53.
 * Integers (plain digits) that do not fit a double exactly become bigint. Any other number is a double,
 * approximate if it must be (`1.2345678901234567890`, `1e20`); one no double can hold (`1e400`) stays
 * as its text rather than turning into Infinity. No number makes a reply unreadable.
 */
export function parseNodeJson(text: string): unknown {
  return parse(text, null, (value) => {
    if (isInteger(value)) return isSafeNumber(value) ? Number(value) : BigInt(value);
    const number = Number(value);
    return Number.isFinite(number) ? number : value;
  });
}

/** JSON with bigints written as raw JSON numbers, as the node writes them. */
export function stringifyNodeJson(value: unknown): string {
  return stringify(value) ?? 'null';
}

/** A JSON number that may have been parsed as number or bigint, as an exact bigint. */
export function toBigInt(value: unknown, field: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new TypeError(`${field} must be an integer, got ${String(value)}`);
}
