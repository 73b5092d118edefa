import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LayeredStatsCache, MemoryStatsCache, type StatsSnapshot } from '../../src/stats/index.ts';

const snap = (updatedAt: number, miner: string): StatsSnapshot =>
  ({
    pool: { at: updatedAt, updatedAt, intervalSeconds: 60 },
    miners: [{ address: miner, hashrate: { current: 1, avg1h: 1, avg24h: 1 } }],
  }) as unknown as StatsSnapshot;

describe('layered stats cache', () => {
  it('reads the first layer with a fresh snapshot, not an old one of its own', async () => {
    const own = new MemoryStatsCache();
    const shared = new MemoryStatsCache();
    await own.put(snap(1_000, 'old'));
    await shared.put(snap(1_000_000, 'new'));
    const cache = new LayeredStatsCache(
      [own, shared],
      () => undefined,
      180_000,
      () => 1_060_000,
    );
    assert.equal((await cache.pool())?.updatedAt, 1_000_000);
    assert.equal((await cache.top(0, 10)).items[0]?.address, 'new');
    assert.equal(await cache.miner('old'), null);
  });

  it('with no fresh layer: the first that has a snapshot; with none: empty', async () => {
    const own = new MemoryStatsCache();
    await own.put(snap(1_000, 'old'));
    const empty = new MemoryStatsCache();
    const cache = new LayeredStatsCache(
      [empty, own, new MemoryStatsCache()],
      () => undefined,
      10,
      () => 1e9,
    );
    assert.equal((await cache.miner('old'))?.address, 'old');
    const none = new LayeredStatsCache([new MemoryStatsCache()], () => undefined);
    assert.equal(await none.pool(), null);
    assert.deepEqual(await none.top(0, 5), { total: 0, items: [] });
  });
});
