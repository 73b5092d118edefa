/**
 * Hashrate from accepted shares: Σ expected hashes ÷ time, with no fudge factor. The one rule every
 * hashrate the pool shows comes from (API, websocket, metrics, website), so a list and a detail page
 * cannot disagree. See src/stats/README.md for the rule and why.
 *
 * Inputs are per-worker share buckets: the accepted shares of one stats interval, summed. Bucket times are
 * the interval's end; a bucket holds the shares with time in [end − interval, end).
 */

export interface ShareBucket {
  /** End of the interval (ms since the epoch); shares are in [end − interval, end). */
  end: number;
  /** Σ expected hashes of the accepted shares. */
  hashes: bigint;
  shares: number;
  /** Time (ms) and expected hashes of the bucket's first share, and the time of its last. */
  firstShareAt: number;
  firstShareHashes: bigint;
  lastShareAt: number;
}

export interface WindowRule {
  /** The current-hashrate window (default 600 s). */
  currentSeconds: number;
  /** The averages (default 1 h and 24 h). */
  hourSeconds: number;
  daySeconds: number;
  /** A worker is offline when its last share is older than max(this, 4 × its mean share interval, ≤ a window). */
  offlineMinSeconds: number;
}

export const DEFAULT_WINDOW_RULE: WindowRule = {
  currentSeconds: 600,
  hourSeconds: 3600,
  daySeconds: 86_400,
  offlineMinSeconds: 120,
};

export interface Hashrate {
  /** H/s over the current window (or since the worker started, when that is later). */
  current: number;
  /** H/s averaged over the last hour and day (or since the stats began, when that is later). */
  avg1h: number;
  avg24h: number;
}

export const ZERO_HASHRATE: Hashrate = { current: 0, avg1h: 0, avg24h: 0 };

export interface WorkerInput {
  /** The worker's buckets ending in (now − 2 × current window, now], any order. */
  recent: readonly ShareBucket[];
  /** Σ expected hashes of its shares in the last hour and day. */
  hashes1h: bigint;
  hashes24h: bigint;
  /** Its last accepted share (ms), from any bucket; null when none in the lookback. */
  lastShareAt: number | null;
}

export interface WorkerRate {
  hashrate: Hashrate;
  /** Accepted shares per second over the same time as `hashrate.current`. */
  sharesPerSecond: number;
  /** When the current window starts for this worker: its first share after a pause, or now − window. */
  since: number;
  online: boolean;
}

/**
 * The window rule for one worker at `now` (the end of the last aggregated interval):
 * - current: Σ hashes of the shares in the last `currentSeconds` ÷ `currentSeconds` — except for a worker
 *   that (re)started inside the window, i.e. whose first share in the window follows a pause of at least
 *   the window: then Σ hashes of the shares after that first share ÷ the time since it. (The first share
 *   only marks the start: its hashes were done before it, in time the pool cannot see.)
 * - averages: Σ hashes in the last hour / day ÷ min(window, now − statsSince): a stopped worker decays.
 * - online: a share within max(offlineMinSeconds, 4 × its mean share interval), at most a window.
 */
export function workerRate(
  input: WorkerInput,
  now: number,
  statsSince: number,
  rule: WindowRule,
): WorkerRate {
  const windowMs = rule.currentSeconds * 1000;
  const windowStart = now - windowMs;
  let hashes = 0n;
  let shares = 0;
  let first: ShareBucket | null = null;
  let lastBefore = Number.NEGATIVE_INFINITY;
  for (const b of input.recent) {
    if (b.end > now) continue;
    if (b.end > windowStart) {
      hashes += b.hashes;
      shares += b.shares;
      if (first === null || b.end < first.end) first = b;
    } else if (b.end > windowStart - windowMs && b.lastShareAt > lastBefore) lastBefore = b.lastShareAt;
  }
  let since = windowStart;
  if (first !== null && first.firstShareAt - lastBefore >= windowMs) {
    since = first.firstShareAt;
    hashes -= first.firstShareHashes;
    shares -= 1;
  }
  const seconds = Math.max(1, (now - since) / 1000);
  const current = Number(hashes) / seconds;
  const sharesPerSecond = shares / seconds;
  // A worker with too few shares to have a mean interval is online for a whole window after its last one.
  const meanInterval = shares > 0 ? seconds / shares : rule.currentSeconds;
  const offlineAfterMs =
    Math.max(rule.offlineMinSeconds, Math.min(4 * meanInterval, rule.currentSeconds)) * 1000;
  return {
    hashrate: {
      current,
      avg1h: averageRate(input.hashes1h, now, statsSince, rule.hourSeconds),
      avg24h: averageRate(input.hashes24h, now, statsSince, rule.daySeconds),
    },
    sharesPerSecond,
    since,
    online: input.lastShareAt !== null && now - input.lastShareAt <= offlineAfterMs,
  };
}

/** Σ hashes over a window ÷ the window, or ÷ the time since the stats began when that is shorter. */
export function averageRate(hashes: bigint, now: number, statsSince: number, windowSeconds: number): number {
  const seconds = Math.min(windowSeconds, (now - statsSince) / 1000);
  return seconds >= 1 ? Number(hashes) / seconds : 0;
}

/** A miner's or the pool's figures: the sum of its workers' (so every total equals the sum of its parts). */
export function sumRates(rates: Iterable<{ hashrate: Hashrate; sharesPerSecond: number }>): {
  hashrate: Hashrate;
  sharesPerSecond: number;
} {
  const total = { current: 0, avg1h: 0, avg24h: 0 };
  let sharesPerSecond = 0;
  for (const r of rates) {
    total.current += r.hashrate.current;
    total.avg1h += r.hashrate.avg1h;
    total.avg24h += r.hashrate.avg24h;
    sharesPerSecond += r.sharesPerSecond;
  }
  return { hashrate: total, sharesPerSecond };
}
