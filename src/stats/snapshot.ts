import { type Hashrate, type ShareBucket, sumRates, type WindowRule, workerRate } from './hashrate.ts';
import type { Luck } from './network.ts';
import type { BlockSummary, PaymentSummary } from './summary.ts';

/**
 * The current figures the stats job computes once per interval and every reader shares (API, websocket,
 * metrics, website): the pool, every miner and every worker, from one application of the window rule.
 */

export interface ShareCounts {
  valid: number;
  stale: number;
  invalid: number;
}

export interface WorkerFigures {
  name: string;
  hashrate: Hashrate;
  sharesPerSecond: number;
  /** The last 24 hours. */
  shares: ShareCounts;
  lastShareAt: number | null;
  online: boolean;
}

export interface MinerFigures {
  address: string;
  hashrate: Hashrate;
  sharesPerSecond: number;
  workersOnline: number;
  workers: WorkerFigures[];
  lastShareAt: number | null;
  /** Share of the current PPLNS window / PROP round (0…1), null for PPS and SOLO. */
  windowShare: number | null;
  /** Estimated earnings, nanoERG per day. */
  estimatePerDay: bigint;
}

export interface NetworkFigures {
  height: number | null;
  difficulty: bigint | null;
  hashrate: number | null;
  meanBlockSeconds: number | null;
  lastBlockAt: number | null;
}

export interface NodeFigures {
  name: string;
  status: string;
  problems: string[];
  height: number | null;
  peers: number | null;
  latencyMs: number | null;
  current: boolean;
  wallet: boolean;
}

export interface PoolFigures {
  /** The end of the interval the figures are for (ms), and when they were computed. */
  at: number;
  updatedAt: number;
  intervalSeconds: number;
  hashrate: Hashrate;
  sharesPerSecond: number;
  miners: number;
  workers: number;
  connections: number;
  shares: ShareCounts;
  roundEffort: number | null;
  roundStartedAt: number | null;
  network: NetworkFigures;
  blocks: Omit<BlockSummary, 'recentEfforts'> & { luck: Luck };
  payments: PaymentSummary;
  nodes: NodeFigures[];
}

export interface StatsSnapshot {
  pool: PoolFigures;
  /** Every miner with a share in the last day, by current hashrate (highest first), then address. */
  miners: MinerFigures[];
}

export interface WorkerSource {
  address: string;
  worker: string;
  recent: ShareBucket[];
  hashes1h: bigint;
  hashes24h: bigint;
  shares: ShareCounts;
  lastShareAt: number | null;
}

/** Miners and workers from their share sums; miner totals are the sums of their workers. */
export function minerFigures(
  sources: Iterable<WorkerSource>,
  now: number,
  statsSince: number,
  rule: WindowRule,
): MinerFigures[] {
  const byAddress = new Map<string, WorkerFigures[]>();
  for (const s of sources) {
    const rate = workerRate(s, now, statsSince, rule);
    let list = byAddress.get(s.address);
    if (!list) {
      list = [];
      byAddress.set(s.address, list);
    }
    list.push({
      name: s.worker,
      hashrate: rate.hashrate,
      sharesPerSecond: rate.sharesPerSecond,
      shares: s.shares,
      lastShareAt: s.lastShareAt,
      online: rate.online,
    });
  }
  const miners: MinerFigures[] = [];
  for (const [address, workers] of byAddress) {
    workers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const total = sumRates(workers);
    let lastShareAt: number | null = null;
    for (const w of workers)
      if (w.lastShareAt !== null && (lastShareAt === null || w.lastShareAt > lastShareAt))
        lastShareAt = w.lastShareAt;
    miners.push({
      address,
      hashrate: total.hashrate,
      sharesPerSecond: total.sharesPerSecond,
      workersOnline: workers.filter((w) => w.online).length,
      workers,
      lastShareAt,
      windowShare: null,
      estimatePerDay: 0n,
    });
  }
  return miners.sort(byHashrate);
}

export function byHashrate(a: MinerFigures, b: MinerFigures): number {
  if (b.hashrate.current !== a.hashrate.current) return b.hashrate.current - a.hashrate.current;
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

/** A valid address the pool has never seen: zeros. */
export function emptyMiner(address: string): MinerFigures {
  return {
    address,
    hashrate: { current: 0, avg1h: 0, avg24h: 0 },
    sharesPerSecond: 0,
    workersOnline: 0,
    workers: [],
    lastShareAt: null,
    windowShare: null,
    estimatePerDay: 0n,
  };
}

/** Snapshot ⇄ JSON (bigints as decimal strings), for caches outside the process. */
export function snapshotToJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

export function poolFiguresFromJson(text: string): PoolFigures {
  const p = JSON.parse(text) as PoolFigures;
  return {
    ...p,
    network: {
      ...p.network,
      difficulty: p.network.difficulty === null ? null : BigInt(p.network.difficulty),
    },
    payments: { ...p.payments, totalPaid: BigInt(p.payments.totalPaid) },
  };
}

export function minerFiguresFromJson(text: string): MinerFigures {
  const m = JSON.parse(text) as MinerFigures;
  return { ...m, estimatePerDay: BigInt(m.estimatePerDay) };
}
