import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import {
  BlockTracker,
  type BlockTrackerOptions,
  NO_FEE,
  type PayoutScheme,
  parseFees,
} from '../../src/accounting/index.ts';
import type { Database } from '../../src/db/index.ts';
import { ergoChainReader } from '../../src/ergo/index.ts';
import { ENGINES, type Fresh, freshDatabase } from '../db/helpers.ts';
import {
  assertLedgerOk,
  balanceOf,
  blockRow,
  emptyTables,
  insertBlock,
  insertShare,
  ledgerSum,
  minerAddress,
  POOL_ID,
} from './db-helpers.ts';
import { FakeChain, POOL_PK, REWARD } from './fake-chain.ts';
import { erg } from './helpers.ts';

const A = minerAddress('A');
const B = minerAddress('B');
const FEE = minerAddress('fee');
const D = 1000n;
const T0 = Date.UTC(2026, 0, 1);
const at = (s: number) => new Date(T0 + s * 1000);

for (const engine of ENGINES) {
  describe(`block lifecycle (${engine})`, () => {
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

    const tracker = (scheme: PayoutScheme = 'pplns', extra: Partial<BlockTrackerOptions> = {}) =>
      new BlockTracker({
        db,
        poolId: POOL_ID,
        chain: () => ergoChainReader(chain),
        poolPublicKey: POOL_PK,
        scheme,
        fees: parseFees([{ address: FEE, percent: '1' }]),
        pplnsFactor: { num: 2n, den: 1n },
        rules: { confirmations: 3, orphanConfirmations: 2, giveUpAfter: 5 },
        ...extra,
      });

    /** Shares: A 1500 and B 500 hashes (weights 1.5 and 0.5 of D) before the block at t = 100 s. */
    async function poolBlock(height = 100, n = '00000000000000aa', t = 100) {
      await insertShare(db, { address: B, expectedHashes: 500n, networkDifficulty: D, at: at(t - 20) });
      const shareId = await insertShare(db, {
        address: A,
        expectedHashes: 1500n,
        networkDifficulty: D,
        at: at(t),
        isBlock: true,
        nonce: n,
      });
      return insertBlock(db, { height, nonce: n, miner: A, at: at(t), networkDifficulty: D, shareId });
    }

    it('pending → credited immature at the first confirmation → confirmed and payable', async () => {
      const id = await poolBlock();
      chain.ours(100, '00000000000000aa');
      chain.tip = 99;
      let r = await tracker().tick();
      assert.deepEqual(r, { checked: 1, confirmed: 0, orphaned: 0, credited: 0, transient: 0, restored: 0 });
      assert.equal((await blockRow(db, id)).credited_at, null);

      chain.tip = 100;
      r = await tracker().tick();
      assert.equal(r.credited, 1);
      let row = await blockRow(db, id);
      assert.equal(row.status, 'pending');
      assert.equal(row.reward, REWARD);
      assert.equal(row.confirmations, 1);
      assert.equal(row.scheme, 'pplns');
      assert.equal(row.effort, '2');
      // fee 1 % = 0.035; A 3.465 × 1.5/2, B × 0.5/2
      assert.deepEqual(await balanceOf(db, FEE), { immature: erg('0.035'), payable: 0n, paid: 0n });
      assert.deepEqual(await balanceOf(db, A), { immature: 2_598_750_000n, payable: 0n, paid: 0n });
      assert.deepEqual(await balanceOf(db, B), { immature: 866_250_000n, payable: 0n, paid: 0n });
      await assertLedgerOk(db);

      chain.tip = 102;
      r = await tracker().tick();
      assert.deepEqual(r, { checked: 1, confirmed: 1, orphaned: 0, credited: 0, transient: 0, restored: 0 });
      row = await blockRow(db, id);
      assert.equal(row.status, 'confirmed');
      assert.equal(row.confirmations, 3);
      assert.deepEqual(await balanceOf(db, A), { immature: 0n, payable: 2_598_750_000n, paid: 0n });
      assert.equal(await ledgerSum(db, 'block_id = $1', [id]), REWARD);
      assert.deepEqual(await tracker().tick(), {
        checked: 0,
        confirmed: 0,
        orphaned: 0,
        credited: 0,
        transient: 0,
        restored: 0,
      });
    });

    it('a reorg orphans a credited block: its credits are void, nothing is credited', async () => {
      const id = await poolBlock();
      chain.ours(100, '00000000000000aa');
      chain.tip = 100;
      await tracker().tick();
      assert.equal((await balanceOf(db, A)).immature > 0n, true);
      chain.theirs(100);
      chain.tip = 100; // the competitor leads at our height, 1 confirmation: a race that can still turn
      await tracker().tick();
      assert.equal((await blockRow(db, id)).status, 'pending');
      chain.tip = 101;
      const r = await tracker().tick();
      assert.equal(r.orphaned, 1);
      assert.equal((await blockRow(db, id)).status, 'orphaned');
      for (const who of [A, B, FEE])
        assert.deepEqual(await balanceOf(db, who), { immature: 0n, payable: 0n, paid: 0n });
    });

    it('an orphaned block put back on the best chain by a deeper reorg is checked again: credited and confirmed', async () => {
      const id = await poolBlock();
      chain.ours(100, '00000000000000aa');
      chain.tip = 100;
      await tracker().tick();
      const immature = (await balanceOf(db, A)).immature;
      chain.theirs(100);
      chain.tip = 101;
      await tracker().tick();
      assert.equal((await blockRow(db, id)).status, 'orphaned');
      assert.equal((await balanceOf(db, A)).immature, 0n);
      // A deeper fork that carries our block wins: our header is the best one at 100 again.
      chain.ours(100, '00000000000000aa');
      chain.tip = 102;
      const r = await tracker().tick();
      assert.equal(r.restored, 1);
      assert.equal(r.confirmed, 1, 'three confirmations deep: confirmed with the credits it already had');
      const row = await blockRow(db, id);
      assert.equal(row.status, 'confirmed');
      assert.deepEqual(await balanceOf(db, A), { immature: 0n, payable: immature, paid: 0n });
      assert.equal(await ledgerSum(db, 'block_id = $1', [id]), REWARD, 'credited once, not twice');
    });

    it('an orphan stays orphaned while the chain keeps someone else’s block, and is not rechecked past the lock', async () => {
      const id = await poolBlock();
      chain.theirs(100);
      chain.tip = 101;
      await tracker().tick();
      assert.equal((await blockRow(db, id)).status, 'orphaned');
      chain.tip = 102;
      assert.equal((await tracker().tick()).checked, 1, 'still within the reward lock: looked at');
      assert.equal((await blockRow(db, id)).status, 'orphaned');
      chain.tip = 103;
      assert.equal((await tracker().tick()).checked, 0, 'past the lock: no longer looked at');
    });

    it('a block that never shows up is orphaned once the height is far past (never pending forever)', async () => {
      const id = await poolBlock();
      chain.tip = 103;
      await tracker().tick();
      assert.equal((await blockRow(db, id)).status, 'pending');
      chain.tip = 104;
      await tracker().tick();
      assert.equal((await blockRow(db, id)).status, 'orphaned');
    });

    it('node errors leave blocks pending and record the error', async () => {
      const id = await poolBlock();
      chain.ours(100, '00000000000000aa');
      chain.tip = 200;
      chain.fail = true;
      const r = await tracker().tick();
      assert.equal(r.transient, 1);
      const row = await blockRow(db, id);
      assert.equal(row.status, 'pending');
      assert.match(row.last_error ?? '', /ECONNREFUSED/);
      assert.equal(row.credited_at, null);
      chain.fail = false;
      await tracker().tick();
      assert.equal((await blockRow(db, id)).status, 'confirmed');
    });

    it('waits until every share up to the block is shipped, then credits and confirms together', async () => {
      const id = await poolBlock();
      chain.ours(100, '00000000000000aa');
      chain.tip = 110;
      await db.query(`INSERT INTO share_ingest_progress (instance, complete_until) VALUES ('i1', $1)`, [
        at(50),
      ]);
      await tracker().tick();
      let row = await blockRow(db, id);
      assert.equal(row.status, 'pending');
      assert.equal(row.credited_at, null);
      assert.match(row.last_error ?? '', /waiting for its shares/);
      // A late share (replayed after an outage) lands before the window closes.
      await insertShare(db, { address: B, expectedHashes: 1000n, networkDifficulty: D, at: at(90) });
      await db.query(`UPDATE share_ingest_progress SET complete_until = $1, updated_at = now()`, [at(100)]);
      await tracker().tick();
      row = await blockRow(db, id);
      assert.equal(row.status, 'confirmed');
      // window, newest first: A 1.5 (the block's share), then B's late share of 1.0 crosses the boundary and
      // counts 0.5; B's older share is outside
      assert.equal((await balanceOf(db, B)).payable, 866_250_000n);
      assert.equal((await balanceOf(db, A)).payable, 2_598_750_000n);
    });

    it('an instance that is merely behind is waited for, however long, with an alert; its late shares count', async () => {
      const id = await poolBlock();
      chain.ours(100, '00000000000000aa');
      chain.tip = 110;
      await db.query(`INSERT INTO share_ingest_progress (instance, complete_until) VALUES ('i1', $1)`, [
        at(50),
      ]);
      const alerts: { kind: string; message: string }[] = [];
      const later = () => new Date(Date.now() + 20 * 60_000); // i1 has been silent for 20 minutes
      const lagging = tracker('pplns', {
        now: later,
        alert: (kind, message) => alerts.push({ kind, message }),
      });
      await lagging.tick();
      await lagging.tick();
      assert.equal((await blockRow(db, id)).credited_at, null, 'not credited without i1’s shares');
      assert.equal(alerts.length, 1, 'one alert per silent instance and period, not one per tick');
      assert.equal(alerts[0]!.kind, 'instance-lagging');
      assert.match(
        alerts[0]!.message,
        /instance i1[\s\S]*DELETE FROM share_ingest_progress WHERE instance = 'i1'/,
      );
      // i1 comes back and ships its late share.
      await insertShare(db, { address: B, expectedHashes: 1000n, networkDifficulty: D, at: at(90) });
      await db.query(`UPDATE share_ingest_progress SET complete_until = $1, updated_at = now()`, [at(100)]);
      await lagging.tick();
      assert.equal((await blockRow(db, id)).status, 'confirmed');
      assert.equal((await balanceOf(db, B)).payable, 866_250_000n, 'B’s late share is in the window');
    });

    it('SOLO: the finder gets reward − fee', async () => {
      await poolBlock();
      chain.ours(100, '00000000000000aa');
      chain.tip = 102;
      await tracker('solo').tick();
      assert.equal((await balanceOf(db, A)).payable, erg('3.465'));
      assert.equal((await balanceOf(db, B)).payable, 0n);
      assert.equal((await balanceOf(db, FEE)).payable, erg('0.035'));
    });

    it('PPS: the block reward goes to the pool account', async () => {
      await poolBlock();
      chain.ours(100, '00000000000000aa');
      chain.tip = 102;
      await tracker('pps').tick();
      assert.equal((await balanceOf(db, '@pool')).payable, REWARD);
      assert.equal((await balanceOf(db, A)).payable, 0n);
    });

    it('PROP: each block gets the shares since the previous pool block; an orphan’s round moves on', async () => {
      const b1 = await poolBlock(100, '00000000000000aa', 100);
      const b2 = await poolBlock(105, '00000000000000bb', 200); // round (100 s, 200 s]: B 500, A 1500
      const b3 = await poolBlock(110, '00000000000000cc', 300);
      chain.ours(100, '00000000000000aa');
      chain.theirs(105); // b2 is lost: its round's shares go to b3
      chain.ours(110, '00000000000000cc');
      chain.tip = 111;
      await tracker('prop', { fees: NO_FEE }).tick();
      assert.equal((await blockRow(db, b1)).status, 'confirmed');
      assert.equal((await blockRow(db, b2)).status, 'orphaned');
      const row3 = await blockRow(db, b3);
      assert.equal(row3.status, 'pending'); // 2 confirmations of 3, credited (immature)
      assert.notEqual(row3.credited_at, null);
      // b1: A 1500, B 500 → 2.625 / 0.875; b3: A 3000, B 1000 (two rounds) → the same split
      assert.equal(await ledgerSum(db, 'block_id = $1 AND address = $2', [b1, A]), erg('2.625'));
      assert.equal(await ledgerSum(db, 'block_id = $1 AND address = $2', [b3, B]), erg('0.875'));
      assert.equal(await ledgerSum(db, 'block_id = $1', [b2]), 0n);
    });

    it('a second tracker pass never credits a block twice', async () => {
      const id = await poolBlock();
      chain.ours(100, '00000000000000aa');
      chain.tip = 100;
      await Promise.all([tracker().tick(), tracker().tick()]);
      await tracker().tick();
      assert.equal(await ledgerSum(db, 'block_id = $1', [id]), REWARD);
    });
  });
}
