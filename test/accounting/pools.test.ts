import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import {
  BlockTracker,
  checkDatabaseLedger,
  type PayoutScheme,
  PpsRunner,
  parseFees,
} from '../../src/accounting/index.ts';
import type { Database, Sql } from '../../src/db/index.ts';
import { ergoChainReader } from '../../src/ergo/index.ts';
import { ENGINES, type Fresh, freshDatabase } from '../db/helpers.ts';
import {
  assertLedgerOk,
  balanceOf,
  emptyTables,
  insertBlock,
  insertShare,
  minerAddress,
  POOL_ID,
} from './db-helpers.ts';
import {
  A,
  B,
  competitorBlocks,
  FEE as DEVNET_FEE,
  type Pool,
  payments,
  poolFindsBlock,
  received,
  useDevnetPool,
} from './devnet-helpers.ts';
import { FakeChain, POOL_PK, REWARD } from './fake-chain.ts';
import { erg } from './helpers.ts';

const SOLO = 'solo';
const FEE = minerAddress('fee');
const D = 1000n;
const T0 = Date.UTC(2026, 0, 1);
const at = (s: number) => new Date(T0 + s * 1000);

const poolOfEntries = async (sql: Sql, blockId: bigint) =>
  (
    await sql.query<{ pool_id: string }>('SELECT DISTINCT pool_id FROM ledger_entries WHERE block_id = $1', [
      blockId,
    ])
  ).rows.map((r) => r.pool_id);

for (const engine of ENGINES) {
  describe(`two pools in one database: credits never cross (${engine})`, () => {
    let fresh: Fresh;
    let db: Database;
    let chain: FakeChain;
    before(async () => {
      fresh = await freshDatabase(engine, { migrated: true });
      db = fresh.db;
    });
    after(() => fresh.cleanup());
    beforeEach(async () => {
      await emptyTables(db);
      chain = new FakeChain();
    });
    afterEach(() => assertLedgerOk(db));

    const tracker = (poolId: string, scheme: PayoutScheme) =>
      new BlockTracker({
        db,
        poolId,
        chain: () => ergoChainReader(chain),
        poolPublicKey: POOL_PK,
        scheme,
        fees: parseFees([{ address: FEE, percent: '1' }]),
        pplnsFactor: { num: 2n, den: 1n },
        rules: { confirmations: 3, orphanConfirmations: 2, giveUpAfter: 5 },
      });

    it('a PPLNS block is credited from its pool’s window; the other pool’s block by its own scheme', async () => {
      // ergo: A's 1500 + 500 hashes fill the factor-2 window exactly. solo: B's 5000 hashes and its block fall
      // inside that window's time; read by mistake, they would take most of the ergo block.
      await insertShare(db, { address: A, expectedHashes: 1500n, networkDifficulty: D, at: at(90) });
      await insertShare(db, {
        pool: SOLO,
        address: B,
        expectedHashes: 5000n,
        networkDifficulty: D,
        at: at(95),
      });
      const soloShare = await insertShare(db, {
        pool: SOLO,
        address: B,
        expectedHashes: 10n,
        networkDifficulty: D,
        at: at(97),
        isBlock: true,
        nonce: '00000000000000bb',
      });
      const ergoShare = await insertShare(db, {
        address: A,
        expectedHashes: 500n,
        networkDifficulty: D,
        at: at(100),
        isBlock: true,
        nonce: '00000000000000aa',
      });
      const solo = await insertBlock(db, {
        pool: SOLO,
        height: 101,
        nonce: '00000000000000bb',
        miner: B,
        at: at(97),
        networkDifficulty: D,
        shareId: soloShare,
      });
      const ergo = await insertBlock(db, {
        height: 100,
        nonce: '00000000000000aa',
        miner: A,
        at: at(100),
        networkDifficulty: D,
        shareId: ergoShare,
      });
      chain.ours(100, '00000000000000aa');
      chain.ours(101, '00000000000000bb');
      chain.tip = 103;

      const report = await tracker(POOL_ID, 'pplns').tick();
      assert.deepEqual([report.checked, report.credited, report.confirmed], [1, 1, 1]);
      const untouched = await db.query<{ status: string; checked_at: Date | null; effort: string | null }>(
        'SELECT status, checked_at, effort FROM blocks WHERE id = $1',
        [solo],
      );
      assert.deepEqual(untouched.rows[0], { status: 'pending', checked_at: null, effort: null });
      assert.deepEqual(await balanceOf(db, A), { immature: 0n, payable: REWARD - erg('0.035'), paid: 0n });
      assert.deepEqual(await balanceOf(db, B), { immature: 0n, payable: 0n, paid: 0n });
      const effort = await db.query<{ effort: string }>('SELECT effort FROM blocks WHERE id = $1', [ergo]);
      assert.equal(Number(effort.rows[0]!.effort), 2, 'A’s 2000 hashes since the pool began, no more');
      assert.deepEqual(await poolOfEntries(db, ergo), [POOL_ID]);

      const soloReport = await tracker(SOLO, 'solo').tick();
      assert.deepEqual([soloReport.checked, soloReport.credited], [1, 1]);
      assert.deepEqual(await balanceOf(db, B, SOLO), {
        immature: 0n,
        payable: REWARD - erg('0.035'),
        paid: 0n,
      });
      assert.deepEqual(await balanceOf(db, A, SOLO), { immature: 0n, payable: 0n, paid: 0n });
      assert.equal((await balanceOf(db, FEE)).payable, erg('0.035'));
      assert.equal((await balanceOf(db, FEE, SOLO)).payable, erg('0.035'));
      assert.deepEqual(await poolOfEntries(db, solo), [SOLO]);
      assert.equal((await tracker(POOL_ID, 'pplns').tick()).checked, 0, 'nothing of ergo’s left open');
    });

    it('PPS: each pool credits its own shares, with its own cursor, retention hold and idempotency keys', async () => {
      await insertShare(db, { address: A, expectedHashes: 10n, networkDifficulty: D, at: at(1) });
      await insertShare(db, { pool: SOLO, address: A, expectedHashes: 20n, networkDifficulty: D, at: at(1) });
      await insertShare(db, { pool: SOLO, address: B, expectedHashes: 10n, networkDifficulty: D, at: at(2) });
      const runner = (poolId: string) =>
        new PpsRunner({
          db,
          poolId,
          fees: parseFees([{ address: FEE, percent: '2' }]),
          rewardAt: () => 3_000_000_000n,
          lagMs: 0,
          now: () => at(5),
        });
      // The same period in both pools: the same idempotency keys, each unique within its pool.
      assert.equal((await runner(POOL_ID).run())?.shares, 1);
      assert.equal((await runner(SOLO).run())?.shares, 2);
      assert.equal(await runner(POOL_ID).run(), null);
      assert.equal((await balanceOf(db, A)).payable, 29_400_000n);
      assert.equal((await balanceOf(db, B)).payable, 0n);
      assert.equal((await balanceOf(db, A, SOLO)).payable, 58_800_000n);
      assert.equal((await balanceOf(db, B, SOLO)).payable, 29_400_000n);
      const kept = await db.query<{ pool_id: string; keep_from: Date }>(
        `SELECT pool_id, keep_from FROM share_retention_holds WHERE name = 'pps' ORDER BY pool_id`,
      );
      assert.deepEqual(kept.rows, [
        { pool_id: POOL_ID, keep_from: at(5) },
        { pool_id: SOLO, keep_from: at(5) },
      ]);
      const cursors = await db.query<{ pool_id: string }>(
        `SELECT pool_id FROM pool_cursors WHERE name = 'pps' ORDER BY pool_id`,
      );
      assert.deepEqual(
        cursors.rows.map((r) => r.pool_id),
        [POOL_ID, SOLO],
      );
    });

    it('checkDatabaseLedger holds per pool, and catches a row naming another pool’s block', async () => {
      await insertShare(db, { address: A, expectedHashes: 10n, networkDifficulty: D, at: at(1) });
      await insertShare(db, { pool: SOLO, address: B, expectedHashes: 10n, networkDifficulty: D, at: at(1) });
      for (const poolId of [POOL_ID, SOLO])
        await new PpsRunner({
          db,
          poolId,
          fees: parseFees([]),
          rewardAt: () => 1000n,
          lagMs: 0,
          now: () => at(5),
        }).run();
      const theirs = await insertBlock(db, { pool: SOLO, height: 7, nonce: '07', miner: B, at: at(3) });
      assert.deepEqual(await checkDatabaseLedger(db), []);
      // What the foreign key refuses, written with the constraints off (a restore gone wrong).
      const bypass = (sql: string, params: unknown[]) =>
        db.transaction(async (tx) => {
          await tx.query('SET LOCAL session_replication_role = replica');
          await tx.query(sql, params);
        });
      await bypass(
        `INSERT INTO ledger_entries (pool_id, address, amount, kind, block_id, reason)
         VALUES ($1, $2, 5, 'block_credit', $3, 'misfiled')`,
        [POOL_ID, A, theirs],
      );
      const problems = await checkDatabaseLedger(db);
      assert.ok(
        problems.some((p) =>
          new RegExp(`^pool ${POOL_ID}: row \\d+ \\(${A}\\) names block ${theirs} of pool ${SOLO}$`).test(p),
        ),
        problems.join('\n'),
      );
      assert.ok(problems.includes(`pool ${POOL_ID}: rows for unknown block ${theirs}`), problems.join('\n'));
      assert.ok(
        !problems.some((p) => p.startsWith(`pool ${SOLO}:`)),
        'the other pool’s own ledger is not blamed for the misfiled row',
      );
      await bypass(`DELETE FROM ledger_entries WHERE reason = 'misfiled'`, []);
      assert.deepEqual(await checkDatabaseLedger(db), []);
    });
  });

  describe(`two pools on one wallet: each pays its own balances (${engine})`, () => {
    let db: Database;
    let pool: Pool;
    useDevnetPool(engine, (d, p) => {
      db = d;
      pool = p;
    });

    it('the payout run of one pool never debits or pays the other pool’s balances', async () => {
      // The wallet: two blocks' rewards (3 ERG each), matured.
      await poolFindsBlock(pool, [], { record: false });
      await poolFindsBlock(pool, [], { record: false });
      await competitorBlocks(pool, 3);
      const credit = (poolId: string, address: string, amount: bigint) =>
        db.query(
          `INSERT INTO ledger_entries (pool_id, address, amount, kind, reason) VALUES ($1, $2, $3, 'adjustment', 'test')`,
          [poolId, address, amount],
        );
      await credit(POOL_ID, A, erg('1'));
      await credit(POOL_ID, DEVNET_FEE, erg('0.01'));
      await credit(SOLO, A, erg('0.5'));
      await credit(SOLO, B, erg('1.5'));
      await credit(SOLO, DEVNET_FEE, erg('0.01'));

      const ergo = await payments(pool).run();
      assert.deepEqual(
        ergo.sent.map((s) => s.outputs),
        [1],
      );
      assert.deepEqual(await balanceOf(db, A), { immature: 0n, payable: 0n, paid: erg('1') });
      assert.deepEqual(await balanceOf(db, A, SOLO), { immature: 0n, payable: erg('0.5'), paid: 0n });
      assert.deepEqual(await balanceOf(db, B, SOLO), { immature: 0n, payable: erg('1.5'), paid: 0n });
      assert.equal((await balanceOf(db, DEVNET_FEE, SOLO)).payable, erg('0.01'), 'its fee account too');

      await competitorBlocks(pool, 1);
      const solo = await payments(pool, { poolId: SOLO }).run();
      assert.deepEqual(
        solo.sent.map((s) => s.outputs),
        [2],
      );
      assert.deepEqual(await balanceOf(db, A, SOLO), { immature: 0n, payable: 0n, paid: erg('0.5') });
      assert.deepEqual(await balanceOf(db, B, SOLO), { immature: 0n, payable: 0n, paid: erg('1.5') });
      const got = await received(pool);
      assert.deepEqual(got.get(A), { total: erg('1.5'), outputs: 2 });
      assert.deepEqual(got.get(B), { total: erg('1.5'), outputs: 1 });
      const rows = await db.query<{ pool_id: string; n: bigint }>(
        'SELECT pool_id, count(*) AS n FROM payments GROUP BY pool_id ORDER BY pool_id',
      );
      assert.deepEqual(rows.rows, [
        { pool_id: POOL_ID, n: 1n },
        { pool_id: SOLO, n: 1n },
      ]);
    });
  });
}
