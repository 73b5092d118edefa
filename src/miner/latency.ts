/** Latency percentiles of a run (ms, two decimals). */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  count: number;
}

/** Collects latencies (ms) in a growing typed array: no object per sample on a load generator's hot path. */
export class LatencyLog {
  static readonly EMPTY: LatencySummary = { p50: 0, p90: 0, p99: 0, max: 0, count: 0 };
  private values = new Float64Array(1024);
  private length = 0;

  add(ms: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = ms;
  }

  summary(): LatencySummary {
    const sorted = this.values.slice(0, this.length).sort();
    const pick = (q: number) =>
      sorted.length === 0 ? 0 : round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
    return {
      p50: pick(0.5),
      p90: pick(0.9),
      p99: pick(0.99),
      max: sorted.length ? round(sorted[sorted.length - 1]!) : 0,
      count: sorted.length,
    };
  }
}

const round = (ms: number) => Number(ms.toFixed(2));
