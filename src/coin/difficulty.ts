import { parseDecimal, type Ratio } from './rational.ts';

/**
 * A share difficulty is a positive exact ratio in the coin's share-difficulty unit (config, logs, API, the
 * `d=` of a miner's password); what target it means is the coin's (StratumDialect.shareTarget).
 */
/** Parses a share difficulty such as "0.001", "12", "1e-3" into an exact positive ratio. */
export function parseDifficulty(text: string): Ratio {
  let value: Ratio;
  try {
    value = parseDecimal(text, 'difficulty');
  } catch {
    throw new RangeError(`difficulty "${text}" is not a decimal number`);
  }
  if (value.num <= 0n) throw new RangeError(`difficulty "${text}" must be greater than zero`);
  return value;
}

/** Converts a JS number (e.g. from JSON config or vardiff) to the ratio of its shortest decimal form. */
export function difficultyFromNumber(value: number): Ratio {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`difficulty must be a positive number, got ${value}`);
  return parseDifficulty(String(value));
}
