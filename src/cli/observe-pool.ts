import type { Logger } from 'pino';
import { type EventBus, type PoolDescription, statsJson } from '../api/index.ts';
import type { PoolConfig, ResolvedPool } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { NodeSet } from '../ergo/index.ts';
import {
  type NetworkFigures,
  type NodeFigures,
  networkRate,
  type StatsCache,
  StatsJob,
} from '../stats/index.ts';
import { type RedisLink, statsCache } from './services.ts';

/** One pool as stats and the API see it. */
export interface ObservedPool {
  description: PoolDescription;
  nodes: NodeSet;
  accounting: ResolvedPool['accounting'];
  /** The reward the pool may distribute at a height (PPS figures). */
  rewardAt: (height: number) => bigint;
  /** The coin's address check (the API's miner routes). */
  checkAddress: (address: string) => string | null;
}

/** A pool's stats: its cache, and its stats job where this process runs the jobs. */
export interface PoolStats {
  pool: ObservedPool;
  cache: StatsCache;
  job: StatsJob | null;
  /** The figures of the last run here (metrics). */
  latest(): Awaited<ReturnType<StatsCache['pool']>>;
}

export function nodeFigures(nodes: NodeSet): NodeFigures[] {
  return nodes.health().nodes.map((n) => ({
    name: n.name,
    status: n.status === 'synced' ? 'healthy' : n.status,
    problems: n.problems.map(String),
    height: n.fullHeight,
    peers: n.peersCount,
    latencyMs: n.latencyMs,
    current: n.current,
    wallet: n.wallet,
  }));
}

/** The chain as the followed node sees it: height, difficulty and hashrate from its last 30 headers. */
async function networkFigures(nodes: NodeSet): Promise<NetworkFigures | null> {
  const name = nodes.current ?? nodes.health().nodes[0]?.name;
  if (!name) return null;
  const headers = await nodes.client(name).lastHeaders(30);
  const last = headers[headers.length - 1];
  if (!last) return null;
  const points = headers.map((h) => ({ timestamp: Number(h.timestamp), difficulty: BigInt(h.difficulty) }));
  const rate = networkRate(points);
  return {
    height: last.height,
    difficulty: BigInt(last.difficulty),
    hashrate: rate?.hashrate ?? null,
    meanBlockSeconds: rate?.meanBlockSeconds ?? null,
    lastBlockAt: Number(last.timestamp),
  };
}

/**
 * A pool's stats cache and (when `runJob`) its stats job: figures from its own shares, the network as its
 * nodes see it, its reward address (what miningcore's dashboards show as the pool wallet) once known.
 */
export function watchPool(o: {
  config: PoolConfig;
  pool: ObservedPool;
  db: Database;
  redis: RedisLink | null;
  bus: EventBus;
  holder: string;
  runJob: boolean;
  logger: Logger;
}): PoolStats {
  const { config, pool } = o;
  const a = pool.accounting;
  const cache = statsCache(config, pool.description.id, o.db, o.redis, o.runJob, o.logger);
  const resolveAddress = () => {
    if (pool.description.address !== null) return;
    const name = pool.nodes.current ?? pool.nodes.health().nodes[0]?.name;
    if (!name) return;
    pool.nodes
      .client(name)
      .rewardAddress()
      .then((address) => {
        pool.description.address = address;
      })
      .catch(() => undefined);
  };
  resolveAddress();
  let latest: Awaited<ReturnType<StatsCache['pool']>> = null;
  const job = o.runJob
    ? new StatsJob({
        db: o.db,
        poolId: pool.description.id,
        cache,
        holder: o.holder,
        intervalSeconds: config.stats.intervalSeconds,
        luckBlocks: config.stats.luckBlocks,
        scheme: a.scheme,
        pplnsFactor: Number(a.pplnsFactor),
        fee: pool.description.payouts.fee,
        rewardAt: pool.rewardAt,
        network: () => networkFigures(pool.nodes),
        nodes: () => nodeFigures(pool.nodes),
        retention: {
          ...config.stats.retention,
          ...(a.scheme === 'pplns' ? { keepWindowFactor: Number(a.pplnsFactor) } : {}),
        },
        logger: o.logger,
        onSnapshot: (s) => {
          latest = s.pool;
          resolveAddress();
          o.bus.publish({
            type: 'stats',
            pool: pool.description.id,
            data: statsJson(s.pool, config.stats.intervalSeconds),
          });
        },
      })
    : null;
  job?.start();
  return { pool, cache, job, latest: () => latest };
}
