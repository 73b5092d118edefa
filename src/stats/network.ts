/** Network figures from the chain itself, and the pool's luck. Pure. */

export interface HeaderPoint {
  /** Block timestamp (ms). */
  timestamp: number;
  /** The node's difficulty of that block (expected Autolykos evaluations per block). */
  difficulty: bigint;
}

export interface NetworkRate {
  /** H/s: the work of the blocks after the first ÷ the time they took. */
  hashrate: number;
  /** Mean seconds between the blocks. */
  meanBlockSeconds: number;
}

/**
 * Network hashrate from recent headers: Σ difficulty of blocks 2…n ÷ (t_n − t_1). The work of block i is
 * done between blocks i−1 and i, so the first header only opens the interval. Null with fewer than two
 * headers or no time between them. (Not difficulty ÷ 120 s: Ergo's blocks are rarely exactly on time.)
 */
export function networkRate(headers: readonly HeaderPoint[]): NetworkRate | null {
  if (headers.length < 2) return null;
  const sorted = [...headers].sort((a, b) => a.timestamp - b.timestamp);
  const spanMs = sorted[sorted.length - 1]!.timestamp - sorted[0]!.timestamp;
  if (spanMs <= 0) return null;
  let work = 0n;
  for (const h of sorted.slice(1)) work += h.difficulty;
  const seconds = spanMs / 1000;
  return { hashrate: Number(work) / seconds, meanBlockSeconds: seconds / (sorted.length - 1) };
}

export interface Luck {
  /** Blocks the figure is over (those with a recorded effort). */
  blocks: number;
  /** Mean effort of those blocks (1 = one network difficulty of work per block); null without blocks. */
  averageEffort: number | null;
}

/**
 * Luck over the last blocks: the mean of their efforts (orphans included: their work was done). An effort
 * below 1 on average is good luck. Blocks whose effort is not recorded yet are left out.
 */
export function luckOf(efforts: readonly (number | null)[]): Luck {
  const known = efforts.filter((e): e is number => e !== null && Number.isFinite(e));
  if (known.length === 0) return { blocks: 0, averageEffort: null };
  return { blocks: known.length, averageEffort: known.reduce((a, b) => a + b, 0) / known.length };
}
