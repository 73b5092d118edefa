import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Database, Sql } from '../../src/db/index.ts';
import {
  DatabaseStatsCache,
  DEFAULT_WINDOW_RULE,
  MemoryStatsCache,
  RejectionCounter,
  StatsJob,
  type StatsJobOptions,
  type StatsSnapshot,
} from '../../src/stats/index.ts';
import { minerAddress } from '../accounting/db-helpers.ts';
import { ENGINES, freshDatabase } from '../db/helpers.ts';

const I = 60;
const T0 = Date.UTC(2026, 10, 20, 12, 0, 0); // an interval boundary
const H = 2n ** 32n * 100n; // expected hashes of one share
const D = 10n ** 15n; // network difficulty
const ALICE = minerAddress('stats alice');
const BOB = minerAddress('stats bob');
const POOL = 'ergo';
const OTHER = 'solo';

async function share(
  sql: Sql,
  address: string,
  worker: string,
  at: number,
  hashes = H,
  pool = POOL,
): Promise<void> {
  await sql.query(
    `INSERT INTO shares (id, pool_id, address, worker, difficulty, expected_hashes, job_id, height,
                         network_difficulty, nonce, hit, created_at)
     VALUES ($1, $7, $2, $3, 100, $4, 'job', 1925001, $5, '0000000000000000', 0, $6)`,
    [randomUUID(), address, worker, hashes, D, new Date(at), pool],
  );
}

async function shares(
  sql: Sql,
  address: string,
  worker: string,
  from: number,
  to: number,
  everyMs: number,
  pool = POOL,
) {
  for (let t = from; t < to; t += everyMs) await share(sql, address, worker, t, H, pool);
}

function jobOn(db: Database, now: number, extra: Partial<StatsJobOptions> = {}) {
  const cache = new MemoryStatsCache();
  const job = new StatsJob({
    db,
    poolId: POOL,
    cache,
    holder: 'test-a',
    intervalSeconds: I,
    scheme: 'pplns',
    pplnsFactor: 2,
    fee: { num: 0n, den: 1n },
    rewardAt: () => 6_000_000_000n,
    network: async () => ({
      height: 1925000,
      difficulty: D,
      hashrate: 8.3e12,
      meanBlockSeconds: 120,
      lastBlockAt: now - 30_000,
    }),
    now: () => now,
    ...extra,
  });
  return { job, cache };
}

async function ran(job: StatsJob): Promise<StatsSnapshot> {
  const r = await job.runOnce();
  assert.ok(r.ran, r.ran ? '' : r.reason);
  return r.snapshot;
}

for (const engine of ENGINES) {
  describe(`stats job on ${engine}`, () => {
    let fresh: Awaited<ReturnType<typeof freshDatabase>>;
    let db: Database;
    before(async () => {
      fresh = await freshDatabase(engine, { migrated: true });
      db = fresh.db;
    });
    after(() => fresh.cleanup());
    beforeEach(() =>
      db.exec(
        'TRUNCATE shares, miner_stats, miner_stats_hourly, pool_stats, share_rejections, pool_cursors, leases, blocks, share_ingest_progress, pool_instances CASCADE',
      ),
    );

    it('sums shares into worker samples and applies the window rule to every worker', async () => {
      const now = T0 + 2 * 3_600_000 + 5_000;
      const at = T0 + 2 * 3_600_000;
      // alice.rig1: a share every 15 s for two hours; bob.new: every 15 s for the last 3 minutes
      await shares(db, ALICE, 'rig1', T0, at, 15_000);
      await shares(db, BOB, 'new', at - 180_000 - 1, at, 15_000);
      const { job, cache } = jobOn(db, now);
      const snap = await ran(job);
      assert.equal(snap.pool.at, at);
      const alice = snap.miners.find((m) => m.address === ALICE)!;
      const bob = snap.miners.find((m) => m.address === BOB)!;
      // 40 shares in the last 10 minutes over 600 s; 240 in the hour; the day average since the stats began
      assert.equal(alice.hashrate.current, (40 * Number(H)) / 600);
      assert.equal(alice.hashrate.avg1h, (240 * Number(H)) / 3600);
      assert.equal(alice.hashrate.avg24h, (480 * Number(H)) / 7200);
      assert.ok(Math.abs(bob.hashrate.current - (12 * Number(H)) / 180.001) < 1, `${bob.hashrate.current}`);
      assert.equal(alice.workers[0]!.shares.valid, 480);
      assert.equal(snap.pool.miners, 2);
      assert.equal(snap.pool.workers, 2);
      assert.equal(snap.pool.hashrate.current, alice.hashrate.current + bob.hashrate.current);
      assert.equal(snap.miners[0]!.address, alice.hashrate.current > bob.hashrate.current ? ALICE : BOB);
      assert.deepEqual(await cache.miner(ALICE), alice);

      const sums = await db.query<{ hashes: string; shares: string }>(
        `SELECT sum(expected_hashes) AS hashes, sum(shares) AS shares FROM miner_stats WHERE address = $1`,
        [ALICE],
      );
      assert.equal(BigInt(sums.rows[0]!.hashes), 480n * H);
      assert.equal(Number(sums.rows[0]!.shares), 480);
      const sample = await db.query<{ hashrate: number; miners: number; network_hashrate: number }>(
        `SELECT hashrate, miners, network_hashrate FROM pool_stats WHERE sampled_at = $1`,
        [new Date(at)],
      );
      assert.equal(sample.rows[0]!.hashrate, snap.pool.hashrate.current);
      assert.equal(sample.rows[0]!.network_hashrate, 8.3e12);
    });

    it('is idempotent: a second run of the same interval writes the same rows', async () => {
      const at = T0 + 3_600_000;
      await shares(db, ALICE, 'rig1', T0, at, 20_000);
      const dump = async () =>
        (
          await db.query(
            'SELECT address, worker, sampled_at, expected_hashes, shares, weight, hashrate FROM miner_stats ORDER BY 1, 2, 3',
          )
        ).rows;
      const { job } = jobOn(db, at + 2000);
      const first = await ran(job);
      const rows = await dump();
      const second = await ran(job);
      assert.deepEqual(await dump(), rows);
      assert.deepEqual(second.miners, first.miners);
    });

    it('counts late shares where they belong once their instance has shipped them', async () => {
      const at = T0 + 3_600_000;
      await shares(db, ALICE, 'rig1', T0, at, 20_000);
      // Instance 02 lost the database 40 minutes ago: its progress stopped there and it is not waited for.
      await db.query(
        `INSERT INTO share_ingest_progress (instance, complete_until, updated_at)
         VALUES ('01', $1, $2), ('02', $3, $4)`,
        [new Date(at - 60_000), new Date(at), new Date(at - 41 * 60_000), new Date(at - 20 * 60_000)],
      );
      await ran(jobOn(db, at + 2000).job);
      // Back: it ships the shares it took meanwhile (from 40 minutes ago) and reports its progress.
      const later = at + 60_000;
      await shares(db, BOB, 'rig', at - 40 * 60_000, at - 30 * 60_000, 10_000);
      await db.query(`UPDATE share_ingest_progress SET complete_until = $1, updated_at = $2`, [
        new Date(later - 60_000),
        new Date(later),
      ]);
      const snap = await ran(jobOn(db, later + 2000).job);
      const bob = snap.miners.find((m) => m.address === BOB);
      assert.ok(bob, 'the late miner is counted');
      assert.equal(bob.workers[0]!.shares.valid, 60);
      assert.equal(bob.hashrate.avg1h, (60 * Number(H)) / 3600);
    });

    it('rejected shares counted by the stratum instances show per worker and for the pool', async () => {
      const at = T0 + 600_000;
      await shares(db, ALICE, 'rig1', T0, at, 30_000);
      const counter = new RejectionCounter({ poolId: POOL, instance: '01', intervalSeconds: I });
      counter.count(ALICE, 'rig1', 'stale', at - 90_000);
      counter.count(ALICE, 'rig1', 'stale', at - 80_000);
      counter.count(ALICE, 'rig1', 'invalid', at - 70_000);
      counter.count(null, null, 'invalid', at - 70_000);
      await counter.flush(db, at - 65_000);
      await counter.flush(db, at - 65_000); // a repeated write changes nothing
      const snap = await ran(jobOn(db, at + 2000).job);
      const w = snap.miners.find((m) => m.address === ALICE)!.workers[0]!;
      assert.deepEqual(w.shares, { valid: 20, stale: 2, invalid: 1 });
      assert.deepEqual(snap.pool.shares, { valid: 20, stale: 2, invalid: 2 });
    });

    it('round effort since the last block, and each miner’s share of the PPLNS window', async () => {
      const at = T0 + 3_600_000;
      const d = H * 240n; // a share every 10 s: 6 per minute, 240 shares = one network difficulty
      const put = (address: string, t: number) =>
        db.query(
          `INSERT INTO shares (id, pool_id, address, worker, difficulty, expected_hashes, job_id, height,
                               network_difficulty, nonce, hit, created_at)
           VALUES ($1, 'ergo', $2, '', 1, $3, 'j', 1, $4, '0000000000000000', 0, $5)`,
          [randomUUID(), address, H, d, new Date(t)],
        );
      for (let t = T0; t < at; t += 10_000) await put(t < T0 + 1_800_000 ? BOB : ALICE, t);
      await db.query(
        `INSERT INTO blocks (pool_id, height, nonce, miner_address, network_difficulty, created_at)
         VALUES ('ergo', 1, '00', $1, $2, $3)`,
        [ALICE, d, new Date(T0 + 1_200_000 + 5_000)],
      );
      const snap = await ran(jobOn(db, at + 2000).job);
      // Since the block (T0 + 20 min 5 s): 239 shares after it in the first hour … exactly (at − block)/10 s.
      const sharesSince = Math.ceil((at - (T0 + 1_205_000)) / 10_000) - 0.5; // 239.5 → the share at +20:10 on
      assert.ok(
        Math.abs(snap.pool.roundEffort! - Math.floor(sharesSince) / 240) < 1e-9,
        `${snap.pool.roundEffort}`,
      );
      // Window: the newest 480 shares = the whole hour's 360? No: 360 shares weigh 1.5 < 2: unfilled, all share.
      const alice = snap.miners.find((m) => m.address === ALICE)!;
      const bob = snap.miners.find((m) => m.address === BOB)!;
      assert.ok(Math.abs(alice.windowShare! - 0.5) < 1e-9, `${alice.windowShare}`);
      assert.ok(Math.abs(bob.windowShare! - 0.5) < 1e-9, `${bob.windowShare}`);
      assert.ok(alice.estimatePerDay > 0n);
    });

    it('runs share retention and thins old samples on its schedule, keeping what accounting needs', async () => {
      const at = T0 + 3_600_000;
      const day = 86_400_000;
      await shares(db, ALICE, 'old', at - 40 * day, at - 40 * day + 600_000, 60_000);
      await shares(db, ALICE, 'rig1', at - 3_600_000, at, 10_000);
      // Old samples: one every minute three days ago.
      await db.query(
        `INSERT INTO miner_stats (pool_id, address, worker, sampled_at, interval_seconds, hashrate)
         SELECT 'ergo', $1, 'old', to_timestamp($2::double precision / 1000 + i * 60), 60, 1 FROM generate_series(0, 119) AS i`,
        [ALICE, at - 3 * day - ((at - 3 * day) % 3_600_000)],
      );
      const retention = {
        everySeconds: 3600,
        shareDays: 30,
        fineSampleHours: 48,
        sampleDays: 90,
        eventDays: 7,
      };
      const count = async (sql: string) => Number((await db.query<{ n: bigint }>(sql)).rows[0]!.n);
      const job = jobOn(db, at + 2000, { retention: { ...retention, keepWindowFactor: 0.000001 } }).job;
      await ran(job);
      assert.equal(
        await count(`SELECT count(*) AS n FROM shares WHERE worker = 'old'`),
        0,
        'shares past 30 days pruned',
      );
      assert.equal(
        await count(`SELECT count(*) AS n FROM shares WHERE worker = 'rig1'`),
        360,
        'recent shares kept',
      );
      assert.equal(
        await count(`SELECT count(*) AS n FROM miner_stats WHERE worker = 'old'`),
        2,
        'samples older than 48 h thinned to one per hour',
      );
      // A pending block keeps its window: nothing in it is pruned, on the next scheduled run.
      await share(db, ALICE, 'old', at - 35 * day);
      await db.query(
        `INSERT INTO blocks (pool_id, height, nonce, miner_address, network_difficulty, created_at, window_start)
         VALUES ('ergo', 9, '09', $1, $2, $3, $4)`,
        [ALICE, D, new Date(at - 34 * day), new Date(at - 36 * day)],
      );
      await ran(jobOn(db, at + 2 * 3_600_000, { retention }).job);
      assert.equal(await count(`SELECT count(*) AS n FROM shares WHERE worker = 'old'`), 1);
    });

    it('two pools in one database: each pool’s figures, samples and cursor are its own', async () => {
      const at = T0 + 3_600_000;
      // ergo: alice every 15 s for the hour. solo: bob every 10 s and alice every 60 s, the same hour, plus
      // a block 10 minutes ago, rejected shares and a stats run of its own first.
      await shares(db, ALICE, 'rig1', T0, at, 15_000);
      await shares(db, BOB, 'rig', T0, at, 10_000, OTHER);
      await shares(db, ALICE, 'rig1', T0, at, 60_000, OTHER);
      await db.query(
        `INSERT INTO blocks (pool_id, height, nonce, miner_address, network_difficulty, created_at)
         VALUES ($1, 1, '00', $2, $3, $4)`,
        [OTHER, BOB, D, new Date(at - 600_000)],
      );
      const counter = new RejectionCounter({ poolId: OTHER, instance: '01', intervalSeconds: I });
      counter.count(ALICE, 'rig1', 'stale', at - 90_000);
      counter.count(null, null, 'invalid', at - 90_000);
      await counter.flush(db, at - 65_000);
      const other = await ran(jobOn(db, at + 2000, { poolId: OTHER }).job);
      const snap = await ran(jobOn(db, at + 2000).job);

      assert.deepEqual(
        snap.miners.map((m) => m.address),
        [ALICE],
        'bob mines in the other pool only',
      );
      const alice = snap.miners[0]!;
      assert.equal(alice.hashrate.current, (40 * Number(H)) / 600);
      assert.deepEqual(alice.workers[0]!.shares, { valid: 240, stale: 0, invalid: 0 });
      assert.deepEqual(snap.pool.shares, { valid: 240, stale: 0, invalid: 0 });
      assert.equal(snap.pool.blocks.total, 0);
      assert.equal(snap.pool.roundStartedAt, null, 'the other pool’s block does not end this round');
      assert.ok(Math.abs(snap.pool.roundEffort! - (240 * Number(H)) / Number(D)) < 1e-9);
      assert.ok(Math.abs(alice.windowShare! - 1) < 1e-9, 'the whole window is alice’s here');

      const otherAlice = other.miners.find((m) => m.address === ALICE)!;
      assert.equal(otherAlice.hashrate.current, (10 * Number(H)) / 600);
      assert.deepEqual(otherAlice.workers[0]!.shares, { valid: 60, stale: 1, invalid: 0 });
      assert.deepEqual(other.pool.shares, { valid: 420, stale: 1, invalid: 1 });
      assert.equal(other.pool.blocks.total, 1);
      assert.equal(other.pool.roundStartedAt, at - 600_000);

      const samples = await db.query<{ pool_id: string; hashrate: number }>(
        'SELECT pool_id, hashrate FROM pool_stats WHERE sampled_at = $1 ORDER BY pool_id',
        [new Date(at)],
      );
      assert.deepEqual(samples.rows, [
        { pool_id: POOL, hashrate: snap.pool.hashrate.current },
        { pool_id: OTHER, hashrate: other.pool.hashrate.current },
      ]);
      const hashes = await db.query<{ pool_id: string; hashes: string }>(
        `SELECT pool_id, sum(expected_hashes) AS hashes FROM miner_stats_hourly WHERE address = $1
          GROUP BY pool_id ORDER BY pool_id`,
        [ALICE],
      );
      assert.deepEqual(
        hashes.rows.map((r) => [r.pool_id, BigInt(r.hashes)]),
        [
          [POOL, 240n * H],
          [OTHER, 60n * H],
        ],
      );
      const cursors = await db.query<{ pool_id: string }>(
        `SELECT pool_id FROM pool_cursors WHERE name = 'stats' ORDER BY pool_id`,
      );
      assert.deepEqual(
        cursors.rows.map((r) => r.pool_id),
        [POOL, OTHER],
      );
      // The database cache (instances without Redis) keeps each pool's snapshot in its own row.
      const ours = new DatabaseStatsCache(db, POOL, 0);
      const theirs = new DatabaseStatsCache(db, OTHER, 0);
      await ours.put(snap);
      await theirs.put(other);
      const reader = new DatabaseStatsCache(db, POOL, 0);
      assert.deepEqual(
        (await reader.top(0, 10)).items.map((m) => m.address),
        [ALICE],
      );
      assert.equal(await reader.miner(BOB), null);
      assert.equal((await new DatabaseStatsCache(db, OTHER, 0).pool())?.blocks.total, 1);
    });

    if (engine === 'postgres')
      it('runs on one instance at a time: a second holder waits until the lease expires', async () => {
        const at = T0 + 600_000;
        await shares(db, ALICE, 'rig1', T0, at, 30_000);
        const a = jobOn(db, at + 2000).job;
        const b = jobOn(db, at + 2000, { holder: 'test-b' }).job;
        assert.equal((await a.runOnce()).ran, true);
        const refused = await b.runOnce();
        assert.deepEqual(refused, { ran: false, reason: 'another instance holds the stats lease' });
        await db.query(`UPDATE leases SET expires_at = now() - interval '1 second' WHERE name = 'stats'`);
        assert.equal((await b.runOnce()).ran, true);
        assert.equal((await a.runOnce()).ran, false);
        const token = await db.query<{ token: bigint }>(`SELECT token FROM leases WHERE name = 'stats'`);
        assert.equal(token.rows[0]!.token, 2n);
      });
  });
}

describe('stats window rule constants', () => {
  it('the documented defaults', () => {
    assert.deepEqual(DEFAULT_WINDOW_RULE, {
      currentSeconds: 600,
      hourSeconds: 3600,
      daySeconds: 86_400,
      offlineMinSeconds: 120,
    });
  });
});
