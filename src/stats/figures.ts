import type { Sql } from '../db/index.ts';
import { anonymousRejections, recentBuckets, workerSums } from './aggregate.ts';
import { type ShareBucket, sumRates, type WindowRule } from './hashrate.ts';
import { type MinerFigures, minerFigures, type ShareCounts, type WorkerSource } from './snapshot.ts';

export interface Figures {
  pool: {
    hashrate: MinerFigures['hashrate'];
    sharesPerSecond: number;
    /** Miners and workers online. */
    miners: number;
    workers: number;
    /** Shares of the last 24 hours, every connection's (also those that never authorized). */
    shares: ShareCounts;
  };
  miners: MinerFigures[];
}

/** Every worker of the pool seen in the last day, through the window rule, as of `until` (an interval boundary). */
export async function buildFigures(
  sql: Sql,
  poolId: string,
  until: Date,
  statsSince: number,
  rule: WindowRule,
): Promise<Figures> {
  const lookback = new Date(until.getTime() - 2 * rule.currentSeconds * 1000);
  const [buckets, sums, anonymous] = await Promise.all([
    recentBuckets(sql, poolId, lookback, until),
    workerSums(sql, poolId, until),
    anonymousRejections(sql, poolId, until),
  ]);
  const key = (address: string, worker: string) => `${address}\u0000${worker}`;
  const recent = new Map<string, ShareBucket[]>();
  for (const b of buckets) {
    const k = key(b.address, b.worker);
    let list = recent.get(k);
    if (!list) {
      list = [];
      recent.set(k, list);
    }
    list.push({
      end: b.sampled_at.getTime(),
      hashes: BigInt(b.expected_hashes),
      shares: b.shares,
      firstShareAt: b.first_share_at?.getTime() ?? b.sampled_at.getTime(),
      firstShareHashes: BigInt(b.first_share_hashes),
      lastShareAt: b.last_share_at?.getTime() ?? b.sampled_at.getTime(),
    });
  }
  const sources: WorkerSource[] = sums.map((s) => ({
    address: s.address,
    worker: s.worker,
    recent: recent.get(key(s.address, s.worker)) ?? [],
    hashes1h: BigInt(s.hashes_1h ?? 0),
    hashes24h: BigInt(s.hashes_24h ?? 0),
    shares: {
      valid: Number(s.shares_24h ?? 0),
      stale: Number(s.stale_24h ?? 0),
      invalid: Number(s.invalid_24h ?? 0),
    },
    lastShareAt: s.last_share_at?.getTime() ?? null,
  }));
  const miners = minerFigures(sources, until.getTime(), statsSince, rule);
  const total = sumRates(miners);
  const shares: ShareCounts = { valid: 0, stale: anonymous.stale, invalid: anonymous.invalid };
  let workers = 0;
  let online = 0;
  for (const m of miners) {
    workers += m.workersOnline;
    if (m.workersOnline > 0) online += 1;
    for (const w of m.workers) {
      shares.valid += w.shares.valid;
      shares.stale += w.shares.stale;
      shares.invalid += w.shares.invalid;
    }
  }
  return {
    pool: {
      hashrate: total.hashrate,
      sharesPerSecond: total.sharesPerSecond,
      miners: online,
      workers,
      shares,
    },
    miners,
  };
}
