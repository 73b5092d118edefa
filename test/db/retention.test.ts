import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  type Database,
  liveWindowStart,
  pruneShares,
  pruneStats,
  releaseRetentionHold,
  setRetentionHold,
} from '../../src/db/index.ts';
import { ENGINES, type Fresh, freshDatabase } from './helpers.ts';

const TIMEOUT = { timeout: 60_000 };
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
/** Share i is at T0 + i hours; each is worth 1/4 block (expected_hashes / network_difficulty). */
const at = (i: number) => new Date(T0 + i * HOUR);
const N = 24;
const POOL = 'ergo';
const OTHER = 'solo';

/** N shares of `pool` (and as many of the other pool at the same times, which must never matter). */
async function seed(db: Database, pool = POOL): Promise<string[]> {
  await db.exec('TRUNCATE shares, share_retention_holds, pool_stats, miner_stats; DELETE FROM blocks;');
  const ids = await insertShares(db, pool);
  await insertShares(db, pool === POOL ? OTHER : POOL);
  return ids;
}

async function insertShares(db: Database, pool: string): Promise<string[]> {
  const ids = Array.from({ length: N }, () => randomUUID());
  await db.insertMany(
    'shares',
    [
      'id',
      'pool_id',
      'address',
      'difficulty',
      'expected_hashes',
      'job_id',
      'height',
      'network_difficulty',
      'nonce',
      'hit',
      'created_at',
      'is_block',
    ],
    ids.map((id, i) => [id, pool, 'A', '1', 250n, 'j', 100 + i, 1000n, `n${i}`, 5n, at(i), i === 2]),
  );
  return ids;
}

async function remaining(db: Database, ids: string[]): Promise<number[]> {
  const r = await db.query<{ id: string }>('SELECT id FROM shares WHERE id = ANY($1::uuid[])', [ids]);
  const left = new Set(r.rows.map((x) => x.id));
  return ids.flatMap((id, i) => (left.has(id) ? [i] : []));
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

async function block(
  db: Database,
  height: number,
  fields: { status?: string; windowStart?: Date | null; credited?: boolean; shareId?: string; pool?: string },
): Promise<bigint> {
  const r = await db.query<{ id: bigint }>(
    `INSERT INTO blocks (pool_id, height, nonce, miner_address, network_difficulty, status, window_start,
                         window_end, credited_at, share_id, confirmed_at, orphaned_at)
     VALUES ($6, $1, 'x', 'A', 1000, $2, $3, $3, $4, $5,
             CASE WHEN $2 = 'confirmed' THEN now() END, CASE WHEN $2 = 'orphaned' THEN now() END)
     RETURNING id`,
    [
      height,
      fields.status ?? 'pending',
      fields.windowStart ?? null,
      fields.credited ? new Date() : null,
      fields.shareId,
      fields.pool ?? POOL,
    ],
  );
  return r.rows[0]!.id;
}

for (const engine of ENGINES) {
  describe(`share retention on ${engine}`, TIMEOUT, () => {
    let fresh: Fresh;
    let db: Database;
    let ids: string[];
    before(async () => {
      fresh = await freshDatabase(engine, { migrated: true });
      db = fresh.db;
    });
    beforeEach(async () => {
      ids = await seed(db);
    });
    after(() => fresh?.cleanup());

    it('prunes shares older than the audit period, oldest first, and keeps block candidates', async () => {
      const result = await pruneShares(db, { poolId: POOL, olderThan: at(10) });
      assert.deepEqual(result, { deleted: 9, cutoff: at(10), limitedBy: 'olderThan' });
      assert.deepEqual(await remaining(db, ids), [2, ...range(10, N)]);
    });

    it('keeps the window of a pending block and of a confirmed block not yet credited', async () => {
      await block(db, 500, { status: 'pending', windowStart: at(6) });
      let result = await pruneShares(db, { poolId: POOL, olderThan: at(10) });
      assert.equal(result.deleted, 5);
      assert.match(result.limitedBy, /^block \d+ \(height 500, pending\) window$/);
      assert.deepEqual(await remaining(db, ids), [2, ...range(6, N)]);
      await db.query("UPDATE blocks SET status = 'confirmed' WHERE height = 500");
      result = await pruneShares(db, { poolId: POOL, olderThan: at(10) });
      assert.equal(result.deleted, 0);
      assert.match(result.limitedBy, /confirmed, not credited\) window/);
      await db.query('UPDATE blocks SET credited_at = now() WHERE height = 500');
      result = await pruneShares(db, { poolId: POOL, olderThan: at(10) });
      assert.deepEqual(result, { deleted: 4, cutoff: at(10), limitedBy: 'olderThan' });
    });

    it('prunes nothing while an open block has no recorded window', async () => {
      await block(db, 501, { status: 'pending', windowStart: null });
      const result = await pruneShares(db, { poolId: POOL, olderThan: at(10) });
      assert.equal(result.deleted, 0);
      assert.equal(result.cutoff, null);
      assert.match(result.limitedBy, /height 501, pending\) has no recorded share window yet/);
      assert.equal((await remaining(db, ids)).length, N);
    });

    it('ignores orphaned and credited blocks but keeps the share a block names as its finder', async () => {
      await block(db, 502, { status: 'orphaned', windowStart: null, shareId: ids[1] });
      await block(db, 503, { status: 'confirmed', windowStart: at(0), credited: true });
      const result = await pruneShares(db, { poolId: POOL, olderThan: at(10) });
      assert.equal(result.deleted, 8);
      assert.deepEqual(await remaining(db, ids), [1, 2, ...range(10, N)]);
    });

    it('honours retention holds (PPS periods not yet credited, audits) until released', async () => {
      await setRetentionHold(db, POOL, 'pps', at(4), 'PPS credited up to here');
      await setRetentionHold(db, POOL, 'audit', at(8));
      let result = await pruneShares(db, { poolId: POOL, olderThan: at(10) });
      assert.deepEqual(result, { deleted: 3, cutoff: at(4), limitedBy: 'hold pps' });
      await setRetentionHold(db, POOL, 'pps', at(9)); // PPS moved on
      result = await pruneShares(db, { poolId: POOL, olderThan: at(10) });
      assert.deepEqual(result, { deleted: 4, cutoff: at(8), limitedBy: 'hold audit' });
      await releaseRetentionHold(db, POOL, 'audit');
      result = await pruneShares(db, { poolId: POOL, olderThan: at(10) });
      assert.deepEqual(result, { deleted: 1, cutoff: at(9), limitedBy: 'hold pps' });
      assert.deepEqual(await remaining(db, ids), [2, ...range(9, N)]);
    });

    it('keeps the live PPLNS window when asked', async () => {
      // 4 shares make one block of work: a factor-2 window is the newest 8 shares
      assert.deepEqual(await liveWindowStart(db, POOL, 2), at(N - 8));
      assert.equal(await liveWindowStart(db, POOL, 100), null);
      let result = await pruneShares(db, { poolId: POOL, olderThan: at(N), keepWindowFactor: 2 });
      assert.deepEqual(result, { deleted: N - 9, cutoff: at(N - 8), limitedBy: 'live window' });
      assert.deepEqual(await remaining(db, ids), [2, ...range(N - 8, N)]);
      result = await pruneShares(db, { poolId: POOL, olderThan: at(N), keepWindowFactor: 100 });
      assert.deepEqual(result, { deleted: 0, cutoff: null, limitedBy: 'the live window is not full yet' });
    });

    it('deletes in bounded batches', async () => {
      const result = await pruneShares(db, { poolId: POOL, olderThan: at(20), batchSize: 3, maxBatches: 2 });
      assert.equal(result.deleted, 6);
      assert.deepEqual(await remaining(db, ids), [2, ...range(7, N)]);
      assert.equal((await pruneShares(db, { poolId: POOL, olderThan: at(20), batchSize: 3 })).deleted, 13);
    });

    it('prunes one pool at a time: another pool’s blocks, holds and window hold nothing back', async () => {
      const others = (await db.query<{ id: string }>('SELECT id FROM shares WHERE pool_id = $1', [OTHER]))
        .rows;
      await block(db, 600, { status: 'pending', windowStart: null, pool: OTHER });
      await setRetentionHold(db, OTHER, 'pps', at(1));
      const result = await pruneShares(db, { poolId: POOL, olderThan: at(10), keepWindowFactor: 2 });
      assert.deepEqual(result, { deleted: 9, cutoff: at(10), limitedBy: 'olderThan' });
      assert.deepEqual(await remaining(db, ids), [2, ...range(10, N)]);
      const left = await db.query<{ n: bigint }>('SELECT count(*) AS n FROM shares WHERE pool_id = $1', [
        OTHER,
      ]);
      assert.equal(left.rows[0]!.n, BigInt(others.length), 'the other pool’s shares are all there');
      // … and the other pool's own pending block without a window keeps all of its shares.
      const other = await pruneShares(db, { poolId: OTHER, olderThan: at(10) });
      assert.equal(other.deleted, 0);
      assert.match(other.limitedBy, /height 600, pending\) has no recorded share window yet/);
    });

    it('prunes old hashrate samples', async () => {
      await db.query(
        `INSERT INTO pool_stats (pool_id, sampled_at, interval_seconds, hashrate)
         VALUES ($3, $1, 60, 1.5), ($3, $2, 60, 2.5), ($4, $1, 60, 3.5)`,
        [at(0), at(5), POOL, OTHER],
      );
      await db.query(
        `INSERT INTO miner_stats (pool_id, address, sampled_at, interval_seconds, hashrate)
         VALUES ($3, 'A', $1, 60, 1), ($3, 'A', $2, 60, 2), ($4, 'A', $1, 60, 3)`,
        [at(0), at(5), POOL, OTHER],
      );
      assert.equal(await pruneStats(db, { poolId: POOL, olderThan: at(1) }), 2);
      const left = await db.query<{ pool_id: string; hashrate: number }>(
        'SELECT pool_id, hashrate FROM pool_stats ORDER BY hashrate',
      );
      assert.deepEqual(
        left.rows,
        [
          { pool_id: POOL, hashrate: 2.5 },
          { pool_id: OTHER, hashrate: 3.5 },
        ],
        'the other pool keeps its samples',
      );
    });
  });
}
