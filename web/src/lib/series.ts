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
