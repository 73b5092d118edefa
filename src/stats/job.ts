import pino, { type Logger } from 'pino';
import type { Ratio } from '../coin/index.ts';
import { acquireLease, type Database, holdsLease, type Lease, releaseLease, type Sql } from '../db/index.ts';
import { aggregateBuckets, statsBegin } from './aggregate.ts';
import type { StatsCache } from './cache.ts';
import { type EstimateScheme, estimatedEarningsPerDay } from './earnings.ts';
import { buildFigures } from './figures.ts';
import { DEFAULT_WINDOW_RULE, type WindowRule } from './hashrate.ts';
import { luckOf } from './network.ts';
import { type StatsRetention, StatsRetentionRunner } from './retention.ts';
import type { NetworkFigures, NodeFigures, StatsSnapshot } from './snapshot.ts';
import { blockSummary, liveInstances, paymentSummary, roundEffort, windowShares } from './summary.ts';

export interface StatsJobOptions {
  db: Database;
  /** The pool whose figures are computed (its shares, samples, blocks, payments, cursor). */
  poolId: string;
  cache: StatsCache;
  /** This process's name (the lease holder). */
  holder: string;
  intervalSeconds: number;
  rule?: WindowRule;
  scheme: EstimateScheme;
  /** PPLNS window factor (network difficulties). */
  pplnsFactor: number;
  fee: Ratio;
  /** Net block reward at a height, nanoERG. */
  rewardAt: (height: number) => bigint;
  /** The chain, from the node the pool follows (null when no node answers). */
  network: () => Promise<NetworkFigures | null>;
  /** Node health, when this process watches the nodes. */
  nodes?: () => NodeFigures[];
  /** Share retention and sample thinning; omitted: never prune. */
  retention?: StatsRetention;
  /** Blocks the luck figure is over (default 10). */
  luckBlocks?: number;
  /** An instance whose share shipping is silent this long is not waited for (default 15 min). */
  ingestStaleMs?: number;
  logger?: Logger;
  now?: () => number;
  /** Called with each new snapshot (events, metrics). */
  onSnapshot?: (snapshot: StatsSnapshot) => void;
}

interface Cursor {
  /** Buckets ending at or before this are final (every share up to there was in `shares`). */
  finalUntil: number;
  /** complete_until of each instance as last seen. */
  instances: Record<string, number>;
}

const CURSOR = 'stats';
/** A first run (or one after a long stop) recomputes at most this far back. */
const MAX_BACKFILL_MS = 25 * 3_600_000;

export type StatsRunResult =
  | { ran: false; reason: string }
  | { ran: true; snapshot: StatsSnapshot; ms: number };

/**
 * The stats job (miningcore's stats recorder, without its fudge factors): every interval, on exactly one
 * instance (a lease with a fencing token), it sums the new shares into per-worker interval buckets, applies
 * the window rule to every worker, and writes the interval's pool and worker samples and the cache. Buckets
 * are recomputed from `shares` until every instance has shipped past them, so late shares (a replay after a
 * database outage, a lagging instance) are counted where they belong; rerunning an interval is harmless.
 */
export class StatsJob {
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly rule: WindowRule;
  private readonly retention: StatsRetentionRunner | null;
  private lease: Lease | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  private failing = false;

  constructor(private readonly o: StatsJobOptions) {
    this.logger = o.logger ?? pino({ level: 'silent' });
    this.now = o.now ?? Date.now;
    this.rule = o.rule ?? DEFAULT_WINDOW_RULE;
    this.retention = o.retention ? new StatsRetentionRunner(o.db, o.poolId, o.retention, this.logger) : null;
  }

  /** Runs now, then shortly after every interval boundary. */
  start(): void {
    this.stopped = false;
    const schedule = () => {
      if (this.stopped) return;
      const ms = this.o.intervalSeconds * 1000;
      const delay = ms - (this.now() % ms) + 1000;
      this.timer = setTimeout(() => {
        this.running = this.guardedRun().finally(schedule);
      }, delay);
      this.timer.unref();
    };
    this.running = this.guardedRun().finally(schedule);
  }

  /** A run on the timer: a failure is logged once until a run succeeds again (a database outage). */
  private async guardedRun(): Promise<void> {
    try {
      await this.runOnce();
      if (this.failing) this.logger.info('stats: the stats job runs again');
      this.failing = false;
    } catch (err) {
      if (!this.failing)
        this.logger.error({ err }, `stats job failed: ${(err as Error).message} (retried every interval)`);
      this.failing = true;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (this.lease) await releaseLease(this.o.db, this.lease).catch(() => undefined);
    this.lease = null;
  }

  /** One run for the last complete interval. */
  async runOnce(): Promise<StatsRunResult> {
    const started = performance.now();
    const intervalMs = this.o.intervalSeconds * 1000;
    const lease = await acquireLease(this.o.db, 'stats', this.o.holder, 3 * intervalMs);
    if (!lease) {
      this.lease = null;
      return { ran: false, reason: 'another instance holds the stats lease' };
    }
    if (this.lease?.token !== lease.token) this.logger.info('stats: this instance runs the stats job');
    this.lease = lease;
    const wall = this.now();
    const at = Math.floor(wall / intervalMs) * intervalMs;
    const until = new Date(at);

    const cursor = await this.readCursor();
    const ingest = await this.ingestProgress(wall);
    let from = Math.max(
      at - MAX_BACKFILL_MS,
      cursor?.finalUntil ?? (await this.firstShareSince(at - MAX_BACKFILL_MS)),
    );
    for (const [instance, seen] of Object.entries(cursor?.instances ?? {})) {
      const now = ingest.all.get(instance);
      if (now !== undefined && now > seen && seen < from) from = Math.max(at - MAX_BACKFILL_MS, seen);
    }
    from = Math.floor(from / intervalMs) * intervalMs;
    // Rejection counts arrive a flush (seconds) after their interval: the last few are always redone.
    from = Math.min(from, at - 3 * intervalMs);
    await this.aggregate(from, at);
    const poolId = this.o.poolId;

    const network = await this.o.network().catch((err: Error) => {
      this.logger.warn(`stats: no network figures (${err.message})`);
      return null;
    });
    const begin = (await statsBegin(this.o.db, poolId))?.getTime() ?? at - intervalMs;
    const figures = await buildFigures(this.o.db, poolId, until, begin, this.rule);
    const luckBlocks = this.o.luckBlocks ?? 10;
    const [blocks, payments, round, instances] = await Promise.all([
      blockSummary(this.o.db, poolId, until, luckBlocks),
      paymentSummary(this.o.db, poolId),
      roundEffort(this.o.db, poolId, until, this.o.intervalSeconds),
      liveInstances(this.o.db, new Date(wall), 3 * intervalMs),
    ]);
    const shares =
      this.o.scheme === 'pplns'
        ? await windowShares(this.o.db, poolId, until, this.o.pplnsFactor, null)
        : this.o.scheme === 'prop'
          ? await windowShares(this.o.db, poolId, until, null, round.startedAt)
          : null;
    const reward = network?.height ? this.o.rewardAt(network.height + 1) : 0n;
    for (const m of figures.miners) {
      m.windowShare = shares ? (shares.get(m.address) ?? 0) : null;
      m.estimatePerDay = estimatedEarningsPerDay({
        scheme: this.o.scheme,
        minerHashrate: m.hashrate.current,
        poolHashrate: figures.pool.hashrate.current,
        windowShare: m.windowShare,
        networkDifficulty: network?.difficulty ?? 0n,
        reward,
        fee: this.o.fee,
      });
    }
    const snapshot: StatsSnapshot = {
      pool: {
        at,
        updatedAt: wall,
        intervalSeconds: this.o.intervalSeconds,
        ...figures.pool,
        connections: instances.connections,
        roundEffort: round.effort,
        roundStartedAt: round.startedAt,
        network: network ?? {
          height: null,
          difficulty: null,
          hashrate: null,
          meanBlockSeconds: null,
          lastBlockAt: null,
        },
        blocks: {
          total: blocks.total,
          last24h: blocks.last24h,
          pending: blocks.pending,
          confirmed: blocks.confirmed,
          orphaned: blocks.orphaned,
          last: blocks.last,
          luck: luckOf(blocks.recentEfforts),
        },
        payments,
        nodes: this.o.nodes?.() ?? [],
      },
      miners: figures.miners,
    };

    const written = await this.o.db.transaction(async (tx) => {
      if (!(await holdsLease(tx, lease))) return false;
      await writeSamples(tx, poolId, snapshot, this.o.intervalSeconds);
      const finalUntil = Math.max(from, Math.min(at, ingest.live ?? at));
      await tx.query(
        `INSERT INTO pool_cursors (pool_id, name, value, updated_at) VALUES ($1, $2, $3::jsonb, now())
         ON CONFLICT (pool_id, name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [
          poolId,
          CURSOR,
          JSON.stringify({ finalUntil, instances: Object.fromEntries(ingest.all) } satisfies Cursor),
        ],
      );
      return true;
    });
    if (!written) return { ran: false, reason: 'the stats lease was lost during the run' };
    await this.o.cache.put(snapshot);
    this.o.onSnapshot?.(snapshot);
    if (this.retention) await this.retention.maybeRun(wall);
    return { ran: true, snapshot, ms: performance.now() - started };
  }

  /** Recomputes buckets (from, to], an hour at a time so a long backfill shows progress. */
  private async aggregate(from: number, to: number): Promise<void> {
    const HOUR = 3_600_000;
    const long = to - from > 2 * HOUR;
    for (let start = from; start < to; start += HOUR) {
      const end = Math.min(to, start + HOUR);
      await aggregateBuckets(
        this.o.db,
        this.o.poolId,
        new Date(start),
        new Date(end),
        this.o.intervalSeconds,
      );
      if (long)
        this.logger.info(
          `stats: summing past shares into samples, ${new Date(end).toISOString()} (${Math.round(((end - from) / (to - from)) * 100)} %)`,
        );
    }
  }

  /** A first run starts at the pool's oldest share of the backfill period (now, on a new pool). */
  private async firstShareSince(since: number): Promise<number> {
    const r = await this.o.db.query<{ first: Date | null }>(
      'SELECT min(created_at) AS first FROM shares WHERE pool_id = $1 AND created_at >= $2',
      [this.o.poolId, new Date(since)],
    );
    return r.rows[0]?.first?.getTime() ?? this.now();
  }

  private async readCursor(): Promise<Cursor | null> {
    const r = await this.o.db.query<{ value: Cursor }>(
      'SELECT value FROM pool_cursors WHERE pool_id = $1 AND name = $2',
      [this.o.poolId, CURSOR],
    );
    return r.rows[0]?.value ?? null;
  }

  /**
   * Every instance's complete_until, and the minimum over the live ones (null: none reports); per instance,
   * not per pool: an instance's journal holds the shares of all its pools.
   */
  private async ingestProgress(wall: number): Promise<{ all: Map<string, number>; live: number | null }> {
    const staleMs = this.o.ingestStaleMs ?? 15 * 60_000;
    const r = await this.o.db.query<{ instance: string; complete_until: Date; updated_at: Date }>(
      'SELECT instance, complete_until, updated_at FROM share_ingest_progress',
    );
    const all = new Map<string, number>();
    let live: number | null = null;
    for (const row of r.rows) {
      const until = row.complete_until.getTime();
      all.set(row.instance, until);
      if (row.updated_at.getTime() >= wall - staleMs) live = live === null ? until : Math.min(live, until);
    }
    return { all, live };
  }
}

/** The interval's pool sample and every active worker's current hashrate, at the interval's end. */
async function writeSamples(
  tx: Sql,
  poolId: string,
  s: StatsSnapshot,
  intervalSeconds: number,
): Promise<void> {
  const at = new Date(s.pool.at);
  const p = s.pool;
  await tx.query(
    `INSERT INTO pool_stats (pool_id, sampled_at, instance, interval_seconds, hashrate, miners, workers,
                             connections, height, network_difficulty, network_hashrate)
     VALUES ($10, $1, '', $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (pool_id, sampled_at, instance) DO UPDATE
        SET hashrate = EXCLUDED.hashrate, miners = EXCLUDED.miners, workers = EXCLUDED.workers,
            connections = EXCLUDED.connections, height = EXCLUDED.height,
            network_difficulty = EXCLUDED.network_difficulty, network_hashrate = EXCLUDED.network_hashrate`,
    [
      at,
      intervalSeconds,
      p.hashrate.current,
      p.miners,
      p.workers,
      p.connections,
      p.network.height,
      p.network.difficulty?.toString() ?? null,
      p.network.hashrate,
      poolId,
    ],
  );
  const addresses: string[] = [];
  const workers: string[] = [];
  const rates: number[] = [];
  const online: boolean[] = [];
  for (const m of s.miners)
    for (const w of m.workers)
      if (w.hashrate.current > 0 || w.online) {
        addresses.push(m.address);
        workers.push(w.name);
        rates.push(w.hashrate.current);
        online.push(w.online);
      }
  if (addresses.length === 0) return;
  await tx.query(
    `INSERT INTO miner_stats (pool_id, address, worker, sampled_at, interval_seconds, hashrate, online)
     SELECT $7::text, a, w, $1, $2, r, o
       FROM unnest($3::text[], $4::text[], $5::float8[], $6::bool[]) AS t(a, w, r, o)
     ON CONFLICT (pool_id, address, worker, sampled_at) DO UPDATE
        SET hashrate = EXCLUDED.hashrate, online = EXCLUDED.online`,
    [at, intervalSeconds, addresses, workers, rates, online, poolId],
  );
}
