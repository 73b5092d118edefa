// Pure helpers for chart series.
import type { MinerHistoryPoint } from './types.ts';

/** The workers with the most hashes over the range (ties by name), so a chart stays readable with many rigs. */
export function topWorkers(points: MinerHistoryPoint[], limit: number): string[] {
  const sums = new Map<string, number>();
  for (const p of points) {
    for (const [name, rate] of Object.entries(p.workers)) sums.set(name, (sums.get(name) ?? 0) + rate);
  }
  return [...sums.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, limit)
    .map(([name]) => name);
}

/**
 * The time axis of a chart of the last `spanSeconds`: up to now, but starting at the first sample when
 * the history is shorter (a new pool), and never narrower than `minSeconds`.
 */
export function timeRange(
  times: number[],
  nowSeconds: number,
  spanSeconds: number,
  minSeconds = 600,
): [number, number] {
  const end = Math.max(nowSeconds, times[times.length - 1] ?? nowSeconds);
  const start = Math.max(end - spanSeconds, times[0] ?? end);
  return [Math.min(start, end - minSeconds), end];
}
