import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pino from 'pino';
import { type PoolEvent, RedisEventBus } from '../../src/api/index.ts';
import {
  LayeredStatsCache,
  MemoryStatsCache,
  type MinerFigures,
  RedisStatsCache,
  type StatsSnapshot,
} from '../../src/stats/index.ts';

/** The test Redis (CI starts it); every test uses its own key prefix. Tests fail, never skip, when it is down. */
const REDIS = process.env.ENIGMAPOOL_TEST_REDIS ?? 'redis://127.0.0.1:6379';

function miner(address: string, rate: number): MinerFigures {
  return {
    address,
    hashrate: { current: rate, avg1h: rate, avg24h: rate },
    sharesPerSecond: 0.1,
    workersOnline: 1,
    workers: [],
    lastShareAt: 1,
    windowShare: 0.5,
    estimatePerDay: 123_456_789_012n,
  };
}

function snapshot(at: number, miners: MinerFigures[]): StatsSnapshot {
  return {
    pool: {
      at,
      updatedAt: at + 1000,
      intervalSeconds: 60,
      hashrate: { current: 5, avg1h: 5, avg24h: 5 },
      sharesPerSecond: 1,
      miners: miners.length,
      workers: miners.length,
      connections: 3,
      shares: { valid: 1, stale: 0, invalid: 0 },
      roundEffort: 0.25,
      roundStartedAt: null,
      network: { height: 10, difficulty: 2n ** 70n, hashrate: 1e12, meanBlockSeconds: 120, lastBlockAt: at },
      blocks: {
        total: 0,
        last24h: 0,
        pending: 0,
        confirmed: 0,
        orphaned: 0,
        last: null,
        luck: { blocks: 0, averageEffort: null },
      },
      payments: { count: 0, failed: 0, totalPaid: 10n ** 20n, lastAt: null },
      nodes: [],
    },
    miners,
  };
}

describe('stats in Redis', () => {
  const prefix = `enigmapool-test:${randomBytes(4).toString('hex')}:`;
  let redis: Redis;
  before(() => {
    redis = new Redis(REDIS, { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('a snapshot round-trips exactly (bigints too); miners by rank, paged; a new one replaces it whole', async () => {
    const cache = new RedisStatsCache(redis, prefix, 'ergo');
    const miners = Array.from({ length: 1200 }, (_, i) =>
      miner(`addr${String(i).padStart(4, '0')}`, 1200 - i),
    );
    await cache.put(snapshot(60_000, miners));
    const pool = await cache.pool();
    assert.equal(pool?.network.difficulty, 2n ** 70n);
    assert.equal(pool?.payments.totalPaid, 10n ** 20n);
    assert.deepEqual(await cache.miner('addr0007'), miners[7]);
    const page = await cache.top(1000, 15);
    assert.equal(page.total, 1200);
    assert.deepEqual(
      page.items.map((m) => m.address),
      miners.slice(1000, 1015).map((m) => m.address),
    );
    await cache.put(snapshot(120_000, [miner('only', 1)]));
    assert.equal((await cache.top(0, 10)).total, 1);
    assert.equal(await cache.miner('addr0007'), null);
    assert.ok((await redis.ttl(`${prefix}ergo:miners:60000`)) > 0, 'the previous generation expires');
    // Another pool's figures, under the same prefix, are kept apart.
    const other = new RedisStatsCache(redis, prefix, 'solo');
    assert.equal(await other.pool(), null);
    await other.put(snapshot(180_000, [miner('theirs', 5)]));
    assert.deepEqual(
      (await cache.top(0, 10)).items.map((m) => m.address),
      ['only'],
    );
    assert.deepEqual(
      (await other.top(0, 10)).items.map((m) => m.address),
      ['theirs'],
    );
    assert.equal(await cache.miner('theirs'), null);
  });

  it('events published by one instance reach the other instances, and each instance once', async () => {
    const channel = `${prefix}events`;
    const connections: Redis[] = [];
    const mk = (origin: string) => {
      const [pub, sub] = [new Redis(REDIS), new Redis(REDIS)];
      connections.push(pub, sub);
      return new RedisEventBus(pub, sub, channel, origin, pino({ level: 'silent' }));
    };
    const a = mk('a');
    const b = mk('b');
    const gotA: PoolEvent[] = [];
    const gotB: PoolEvent[] = [];
    a.subscribe((e) => gotA.push(e));
    b.subscribe((e) => gotB.push(e));
    await Promise.all([a.ready, b.ready]);
    const event: PoolEvent = { type: 'block.found', data: { height: 5 } };
    a.publish(event);
    const deadline = Date.now() + 10_000;
    while (gotB.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(gotB, [event]);
    assert.deepEqual(gotA, [event], 'its own event once, not again from Redis');
    await a.close();
    await b.close();
    for (const c of connections) c.disconnect();
  });

  it('Redis down: events still reach this instance, and the stats fall back to the next cache', async () => {
    // A port nothing listens on: ioredis keeps retrying in the background.
    const dead = () =>
      new Redis('redis://127.0.0.1:1', {
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => 1000,
      });
    const pub = dead();
    const sub = dead();
    for (const r of [pub, sub]) r.on('error', () => undefined);
    const bus = new RedisEventBus(pub, sub, 'x', 'a', pino({ level: 'silent' }));
    const got: PoolEvent[] = [];
    bus.subscribe((e) => got.push(e));
    bus.publish({ type: 'height', data: { height: 9 } });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(got, [{ type: 'height', data: { height: 9 } }]);

    const memory = new MemoryStatsCache();
    const errors: string[] = [];
    const layered = new LayeredStatsCache([new RedisStatsCache(pub, 'x:', 'ergo'), memory], (err) =>
      errors.push(err.message),
    );
    await layered.put(snapshot(60_000, [miner('m', 2)]));
    assert.equal((await layered.miner('m'))?.hashrate.current, 2);
    assert.ok(errors.length >= 2, 'the failures are reported');
    pub.disconnect();
    sub.disconnect();
  });
});
