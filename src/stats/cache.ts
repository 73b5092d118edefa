import type { Redis } from 'ioredis';
import type { Sql } from '../db/index.ts';
import {
  type MinerFigures,
  minerFiguresFromJson,
  type PoolFigures,
  poolFiguresFromJson,
  type StatsSnapshot,
  snapshotToJson,
} from './snapshot.ts';

/**
 * Where the stats job leaves the current figures for readers, so no API request scans `shares`:
 * in-process (one process runs everything), Redis (shared by every instance), or the database (instances
 * without Redis: one row, read at most once per `ttlMs` by each reader). One cache holds one pool's figures:
 * the Redis keys and the database row are the pool's own.
 */
export interface StatsCache {
  put(snapshot: StatsSnapshot): Promise<void>;
  pool(): Promise<PoolFigures | null>;
  miner(address: string): Promise<MinerFigures | null>;
  /** Miners by current hashrate, highest first (a page of them, and how many there are). */
  top(offset: number, limit: number): Promise<{ total: number; items: MinerFigures[] }>;
}

export class MemoryStatsCache implements StatsCache {
  private snapshot: StatsSnapshot | null = null;
  private byAddress = new Map<string, MinerFigures>();

  async put(snapshot: StatsSnapshot): Promise<void> {
    this.snapshot = snapshot;
    this.byAddress = new Map(snapshot.miners.map((m) => [m.address, m]));
  }

  async pool(): Promise<PoolFigures | null> {
    return this.snapshot?.pool ?? null;
  }

  async miner(address: string): Promise<MinerFigures | null> {
    return this.byAddress.get(address) ?? null;
  }

  async top(offset: number, limit: number): Promise<{ total: number; items: MinerFigures[] }> {
    const miners = this.snapshot?.miners ?? [];
    return { total: miners.length, items: miners.slice(offset, offset + limit) };
  }
}

/**
 * Redis, under `<prefix><pool id>:`: `pool` (JSON), and per generation a hash of miners by address and a
 * list in rank order. A new generation is written in full before `gen` points at it, so readers never see a
 * half-written snapshot; the previous generation expires a minute later.
 */
export class RedisStatsCache implements StatsCache {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    poolId: string,
  ) {
    this.prefix = `${prefix}${poolId}:`;
  }

  async put(snapshot: StatsSnapshot): Promise<void> {
    const gen = String(snapshot.pool.at);
    const old = await this.redis.get(`${this.prefix}gen`);
    const multi = this.redis.multi();
    const minersKey = `${this.prefix}miners:${gen}`;
    const rankKey = `${this.prefix}rank:${gen}`;
    multi.del(minersKey, rankKey);
    const CHUNK = 500;
    for (let i = 0; i < snapshot.miners.length; i += CHUNK) {
      const part = snapshot.miners.slice(i, i + CHUNK);
      multi.hset(minersKey, ...part.flatMap((m) => [m.address, snapshotToJson(m)]));
      multi.rpush(rankKey, ...part.map((m) => m.address));
    }
    multi.set(`${this.prefix}pool`, snapshotToJson(snapshot.pool));
    multi.set(`${this.prefix}gen`, gen);
    if (old && old !== gen) {
      multi.expire(`${this.prefix}miners:${old}`, 60);
      multi.expire(`${this.prefix}rank:${old}`, 60);
    }
    const results = await multi.exec();
    for (const [err] of results ?? []) if (err) throw err;
  }

  async pool(): Promise<PoolFigures | null> {
    const text = await this.redis.get(`${this.prefix}pool`);
    return text ? poolFiguresFromJson(text) : null;
  }

  async miner(address: string): Promise<MinerFigures | null> {
    const gen = await this.redis.get(`${this.prefix}gen`);
    if (!gen) return null;
    const text = await this.redis.hget(`${this.prefix}miners:${gen}`, address);
    return text ? minerFiguresFromJson(text) : null;
  }

  async top(offset: number, limit: number): Promise<{ total: number; items: MinerFigures[] }> {
    const gen = await this.redis.get(`${this.prefix}gen`);
    if (!gen || limit <= 0) return { total: 0, items: [] };
    const rankKey = `${this.prefix}rank:${gen}`;
    const [total, addresses] = await Promise.all([
      this.redis.llen(rankKey),
      this.redis.lrange(rankKey, offset, offset + limit - 1),
    ]);
    if (addresses.length === 0) return { total, items: [] };
    const texts = await this.redis.hmget(`${this.prefix}miners:${gen}`, ...addresses);
    return { total, items: texts.filter((t): t is string => t !== null).map(minerFiguresFromJson) };
  }
}

const SNAPSHOT_CURSOR = 'stats-snapshot';

/** The database: the whole snapshot in the pool's pool_cursors row; readers keep it for `ttlMs`. */
export class DatabaseStatsCache implements StatsCache {
  private local = new MemoryStatsCache();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly sql: Sql,
    private readonly poolId: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async put(snapshot: StatsSnapshot): Promise<void> {
    await this.sql.query(
      `INSERT INTO pool_cursors (pool_id, name, value, updated_at) VALUES ($1, $2, $3::jsonb, now())
       ON CONFLICT (pool_id, name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [this.poolId, SNAPSHOT_CURSOR, snapshotToJson(snapshot)],
    );
    await this.local.put(snapshot);
    this.loadedAt = this.now();
  }

  async pool(): Promise<PoolFigures | null> {
    await this.fresh();
    return this.local.pool();
  }

  async miner(address: string): Promise<MinerFigures | null> {
    await this.fresh();
    return this.local.miner(address);
  }

  async top(offset: number, limit: number): Promise<{ total: number; items: MinerFigures[] }> {
    await this.fresh();
    return this.local.top(offset, limit);
  }

  private async fresh(): Promise<void> {
    if (this.now() - this.loadedAt < this.ttlMs) return;
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    await this.loading;
  }

  private async load(): Promise<void> {
    const r = await this.sql.query<{ value: unknown }>(
      'SELECT value FROM pool_cursors WHERE pool_id = $1 AND name = $2',
      [this.poolId, SNAPSHOT_CURSOR],
    );
    const row = r.rows[0];
    if (row) {
      const raw = row.value as { pool: unknown; miners: unknown[] };
      await this.local.put({
        pool: poolFiguresFromJson(JSON.stringify(raw.pool)),
        miners: raw.miners.map((m) => minerFiguresFromJson(JSON.stringify(m))),
      });
    }
    this.loadedAt = this.now();
  }
}

/**
 * Writes to every cache given (the job's own process, Redis, the database); reads from the first layer
 * whose snapshot is fresh (computed within `freshMs`): a process that lost the stats lease to another
 * instance reads that instance's figures from Redis or the database, not its own old ones.
 */
export class LayeredStatsCache implements StatsCache {
  constructor(
    private readonly layers: StatsCache[],
    private readonly onError: (err: Error, layer: number) => void,
    private readonly freshMs = Number.POSITIVE_INFINITY,
    private readonly now: () => number = Date.now,
  ) {}

  async put(snapshot: StatsSnapshot): Promise<void> {
    await Promise.all(this.layers.map((l, i) => l.put(snapshot).catch((err: Error) => this.onError(err, i))));
  }

  pool(): Promise<PoolFigures | null> {
    return this.read((l) => l.pool());
  }

  miner(address: string): Promise<MinerFigures | null> {
    return this.read((l) => l.miner(address));
  }

  top(offset: number, limit: number): Promise<{ total: number; items: MinerFigures[] }> {
    return this.read((l) => l.top(offset, limit));
  }

  /**
   * The first layer with a fresh snapshot answers (else the first that has one at all); a failing layer
   * (Redis down) falls through to the next.
   */
  private async read<T>(fn: (layer: StatsCache) => Promise<T>): Promise<T> {
    let last: Error | null = null;
    let fallback: StatsCache | null = null;
    for (const [i, layer] of this.layers.entries()) {
      try {
        const pool = await layer.pool();
        if (pool === null) continue;
        if (this.now() - pool.updatedAt <= this.freshMs || i === this.layers.length - 1)
          return await fn(layer);
        fallback ??= layer;
      } catch (err) {
        last = err as Error;
        this.onError(last, i);
      }
    }
    if (fallback) return fn(fallback);
    if (last) throw last;
    return fn(new MemoryStatsCache());
  }
}
