/** Retry delays for the shipper (pure). */
export interface BackoffOptions {
  /** First delay (default 200 ms). */
  baseMs: number;
  /** Largest delay (default 10 s). */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 200, capMs: 10_000 };

/**
 * Capped exponential backoff with jitter: d = min(cap, base · 2^attempt), then a delay drawn uniformly from
 * [d/2, d], so many pools restarting at once do not retry in step, and no retry comes sooner than half the
 * step. `random` returns [0, 1).
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const step = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + random() * (step / 2));
}

/** Human size for log lines: 1536 → "1.5 KB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
