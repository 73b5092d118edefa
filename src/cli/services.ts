import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type EventBus, LocalEventBus, RedisEventBus } from '../api/index.ts';
import type { PoolConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import {
  DatabaseStatsCache,
  LayeredStatsCache,
  MemoryStatsCache,
  RedisStatsCache,
  type StatsCache,
} from '../stats/index.ts';

/**
 * Redis (when configured): one connection for commands and publishing, one for the subscription. Commands
 * fail at once while it is down (no offline queue): the pool never waits on a cache or a bus, and the
 * outage is logged once until it is back.
 */
export interface RedisLink {
  commands: Redis;
  subscriber: Redis;
  close(): Promise<void>;
}

export function connectRedis(url: string, logger: Logger): RedisLink {
  let down = false;
  const make = (role: string) => {
    const r = new Redis(url, {
      enableOfflineQueue: role === 'subscriber',
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(5000, 100 * 2 ** Math.min(times, 6)),
      lazyConnect: false,
    });
    r.on('error', (err: Error) => {
      if (down) return;
      down = true;
      logger.error(
        `redis: unreachable at ${maskRedis(url)} (${err.message}); the pool keeps mining and recording shares, stats and events stay local until it is back`,
      );
    });
    r.on('ready', () => {
      if (!down) return;
      down = false;
      logger.info(`redis: connected again (${maskRedis(url)})`);
    });
    return r;
  };
  const commands = make('commands');
  const subscriber = make('subscriber');
  return {
    commands,
    subscriber,
    async close() {
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

function maskRedis(url: string): string {
  return url.replace(/(:\/\/[^:@/]*):[^@/]+@/, '$1:********@');
}

/** This process's name among the pool's instances (lease holder, event origin). */
export function processName(config: PoolConfig): string {
  return `${hostname()}:${process.pid}:${config.instance.id.toString(16).padStart(2, '0')}`;
}

/** The event bus: Redis pub/sub when configured, else in-process. */
export function eventBus(config: PoolConfig, redis: RedisLink | null, logger: Logger): EventBus {
  if (!redis) return new LocalEventBus(logger);
  return new RedisEventBus(
    redis.commands,
    redis.subscriber,
    `${config.redis.prefix}events`,
    processName(config),
    logger.child({ part: 'events' }),
  );
}

/**
 * Where the current figures live: this process's memory (when it runs the stats job), Redis (shared), and
 * the database (shared, for instances without Redis; not with PGlite, which only one process opens). One
 * per pool: a pool's figures never mix with another's.
 */
export function statsCache(
  config: PoolConfig,
  poolId: string,
  db: Database,
  redis: RedisLink | null,
  local: boolean,
  logger: Logger,
): StatsCache {
  const layers: StatsCache[] = [];
  if (local) layers.push(new MemoryStatsCache());
  if (redis) layers.push(new RedisStatsCache(redis.commands, `${config.redis.prefix}stats:`, poolId));
  if (db.engine === 'postgres' || layers.length === 0)
    layers.push(new DatabaseStatsCache(db, poolId, (config.stats.intervalSeconds * 1000) / 4));
  let warnedAt = Number.NEGATIVE_INFINITY;
  return new LayeredStatsCache(
    layers,
    (err) => {
      if (Date.now() - warnedAt < 60_000) return;
      warnedAt = Date.now();
      logger.warn(`stats cache: ${err.message} (falling back to the next cache)`);
    },
    3 * config.stats.intervalSeconds * 1000,
  );
}
