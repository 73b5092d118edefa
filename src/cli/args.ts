import { UsageError } from './errors.ts';

/** Parses a non-negative integer option; the error names the option. */
export function integerOption(value: string | undefined, name: string, fallback?: number, min = 0): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min)
    throw new UsageError(`--${name} must be a whole number ≥ ${min}, got "${value}"`);
  return n;
}

/** A TCP port option (0: any free port); the error names the option. */
export function portOption(value: string, name: string): number {
  const port = integerOption(value, name);
  if (port > 65_535) throw new UsageError(`--${name} must be a port number from 0 to 65535, got "${value}"`);
  return port;
}

export function positiveNumberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive number, got "${value}"`);
  return n;
}

/** JSON with bigints written as plain JSON numbers would lose digits; the CLI prints them as strings. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v));
}
