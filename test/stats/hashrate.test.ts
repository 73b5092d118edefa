import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  averageRate,
  DEFAULT_WINDOW_RULE,
  type ShareBucket,
  sumRates,
  type WorkerInput,
  workerRate,
} from '../../src/stats/index.ts';

const I = 60_000; // the stats interval
const W = DEFAULT_WINDOW_RULE.currentSeconds * 1000;
const NOW = 1_800_000_000_000 - (1_800_000_000_000 % I);

/** Buckets of the stats interval from share times (ms) and a constant share size. */
function bucketsOf(times: number[], hashesPerShare: bigint): ShareBucket[] {
  const byEnd = new Map<number, ShareBucket>();
  for (const t of [...times].sort((a, b) => a - b)) {
    const end = (Math.floor(t / I) + 1) * I;
    const b = byEnd.get(end);
    if (b) {
      b.hashes += hashesPerShare;
      b.shares += 1;
      b.lastShareAt = t;
    } else
      byEnd.set(end, {
        end,
        hashes: hashesPerShare,
        shares: 1,
        firstShareAt: t,
        firstShareHashes: hashesPerShare,
        lastShareAt: t,
      });
  }
  return [...byEnd.values()];
}

function inputOf(times: number[], hashesPerShare: bigint, now = NOW): WorkerInput {
  const inWindow = (w: number) => times.filter((t) => t >= now - w && t < now).length;
  return {
    recent: bucketsOf(
      times.filter((t) => t >= now - 2 * W && t < now),
      hashesPerShare,
    ),
    hashes1h: BigInt(inWindow(3_600_000)) * hashesPerShare,
    hashes24h: BigInt(inWindow(86_400_000)) * hashesPerShare,
    lastShareAt: times.some((t) => t < now) ? Math.max(...times.filter((t) => t < now)) : null,
  };
}

/** A seeded generator (mulberry32), so the statistical tests are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Poisson share times at `rate` shares/s from `start` to `stop` (ms). */
function poisson(random: () => number, rate: number, start: number, stop: number): number[] {
  const out: number[] = [];
  let t = start;
  for (;;) {
    t += (-Math.log(1 - random()) / rate) * 1000;
    if (t >= stop) return out;
    out.push(t);
  }
}

const H = 2n ** 32n * 100n; // hashes per share: difficulty 100
const HASHRATE = 28.6e9; // 28.6 GH/s → one share every 15 s at difficulty 100
const SHARE_RATE = HASHRATE / Number(H);
const SINCE_LONG_AGO = NOW - 30 * 86_400_000;

describe('hashrate window rule (tables)', () => {
  const table: { name: string; times: number[]; current: number; online: boolean }[] = [
    { name: 'no shares at all', times: [], current: 0, online: false },
    {
      name: 'one share a minute ago: started, no time to measure yet',
      times: [NOW - 60_000],
      current: 0,
      online: true,
    },
    {
      // started 3 minutes ago: 12 shares after the first over the 180 s since it
      name: 'started 3 minutes ago, a share every 15 s: its rate over those 3 minutes',
      times: Array.from({ length: 13 }, (_, i) => NOW - 180_001 + i * 15_000),
      current: (12 * Number(H)) / 180.001,
      online: true,
    },
    {
      name: 'steady for an hour, a share every 15 s: 40 shares in the window',
      times: Array.from({ length: 240 }, (_, i) => NOW - 3_600_000 + i * 15_000),
      current: (40 * Number(H)) / 600,
      online: true,
    },
    {
      name: 'stopped 5 minutes ago after an hour: half the window left, decaying',
      times: Array.from({ length: 240 }, (_, i) => NOW - 3_600_000 - 300_000 + i * 15_000),
      current: (20 * Number(H)) / 600,
      online: false,
    },
    {
      name: 'paused 15 minutes, resumed 2 minutes ago: measured since it resumed',
      times: [
        ...Array.from({ length: 40 }, (_, i) => NOW - 1_020_000 - 600_000 + i * 15_000),
        ...Array.from({ length: 9 }, (_, i) => NOW - 120_001 + i * 15_000),
      ],
      current: (8 * Number(H)) / 120.001,
      online: true,
    },
  ];
  for (const row of table)
    it(row.name, () => {
      const r = workerRate(inputOf(row.times, H), NOW, SINCE_LONG_AGO, DEFAULT_WINDOW_RULE);
      assert.ok(
        Math.abs(r.hashrate.current - row.current) <= 1e-6 * Math.max(1, row.current),
        `${r.hashrate.current}`,
      );
      assert.equal(r.online, row.online);
    });

  it('averages are Σ hashes ÷ the window, or ÷ the time since the stats began', () => {
    assert.equal(averageRate(3600n * 10n, NOW, SINCE_LONG_AGO, 3600), 10);
    assert.equal(averageRate(600n * 10n, NOW, NOW - 600_000, 3600), 10);
    assert.equal(averageRate(5n, NOW, NOW, 3600), 0);
  });

  it('a total is the sum of its parts', () => {
    const a = { hashrate: { current: 1, avg1h: 2, avg24h: 3 }, sharesPerSecond: 0.5 };
    const b = { hashrate: { current: 10, avg1h: 20, avg24h: 30 }, sharesPerSecond: 0.25 };
    assert.deepEqual(sumRates([a, b]), {
      hashrate: { current: 11, avg1h: 22, avg24h: 33 },
      sharesPerSecond: 0.75,
    });
  });

  it('buckets after `now` are ignored (a run for an earlier interval)', () => {
    const times = Array.from({ length: 40 }, (_, i) => NOW - 600_000 + i * 15_000);
    const later = [...times, NOW + 1000, NOW + 2000];
    const a = workerRate(inputOf(times, H), NOW, SINCE_LONG_AGO, DEFAULT_WINDOW_RULE);
    const b = workerRate(
      { ...inputOf(times, H), recent: bucketsOf(later, H) },
      NOW,
      SINCE_LONG_AGO,
      DEFAULT_WINDOW_RULE,
    );
    assert.equal(a.hashrate.current, b.hashrate.current);
  });
});

describe('hashrate from Poisson share streams (statistical)', () => {
  const TRIALS = 2000;

  function run(seed: number, startedAgoMs: number): { mean: number; within2Sigma: number; rel: number[] } {
    const random = rng(seed);
    const rel: number[] = [];
    let within = 0;
    for (let i = 0; i < TRIALS; i++) {
      const times = poisson(random, SHARE_RATE, NOW - startedAgoMs, NOW);
      const r = workerRate(inputOf(times, H), NOW, SINCE_LONG_AGO, DEFAULT_WINDOW_RULE);
      const seconds = (NOW - r.since) / 1000;
      // The estimate's own standard deviation: √(expected shares counted) shares over its time.
      const sigma = Math.sqrt(SHARE_RATE * seconds) / (SHARE_RATE * seconds);
      const e = r.hashrate.current / HASHRATE - 1;
      rel.push(e);
      if (Math.abs(e) <= 2 * sigma) within += 1;
    }
    return { mean: rel.reduce((a, b) => a + b, 0) / TRIALS, within2Sigma: within / TRIALS, rel };
  }

  it('a steady worker: unbiased, and within 2σ in about 95 % of windows', () => {
    const { mean, within2Sigma } = run(1, 3 * 3_600_000);
    // σ of one window is 1/√40 ≈ 15.8 %; σ of the mean of 2000 windows ≈ 0.35 %.
    assert.ok(Math.abs(mean) < 0.015, `mean relative error ${mean}`);
    assert.ok(within2Sigma > 0.93, `within 2σ: ${within2Sigma}`);
  });

  it('a worker that connected 3 minutes ago: its rate over those minutes, not diluted by the window', () => {
    const { mean, within2Sigma } = run(2, 180_000);
    assert.ok(Math.abs(mean) < 0.04, `mean relative error ${mean} (a diluted estimate would be about −0.7)`);
    assert.ok(within2Sigma > 0.9, `within 2σ: ${within2Sigma}`);
  });

  it('many windows of a steady worker recover its hashrate within the expected error', () => {
    const random = rng(3);
    const times = poisson(random, SHARE_RATE, NOW - 26 * 3_600_000, NOW);
    // 100 consecutive 10-minute windows of one stream.
    const errors: number[] = [];
    for (let k = 0; k < 100; k++) {
      const now = NOW - k * W;
      const r = workerRate(inputOf(times, H, now), now, SINCE_LONG_AGO, DEFAULT_WINDOW_RULE);
      errors.push(r.hashrate.current / HASHRATE - 1);
    }
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    const sd = Math.sqrt(errors.reduce((a, b) => a + (b - mean) ** 2, 0) / (errors.length - 1));
    assert.ok(Math.abs(mean) < 0.06, `mean ${mean}`); // σ of the mean of 100 windows ≈ 1.6 %
    assert.ok(sd > 0.1 && sd < 0.22, `spread ${sd} (expected ≈ 0.158)`);
  });
});
