import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { PpsRunner, parseFees } from '../../src/accounting/index.ts';
import type { Database } from '../../src/db/index.ts';
import { ENGINES, type Fresh, freshDatabase } from '../db/helpers.ts';
import { assertLedgerOk, balanceOf, emptyTables, insertShare, minerAddress, POOL_ID } from './db-helpers.ts';

const A = minerAddress('A');
const B = minerAddress('B');
const FEE = minerAddress('fee');
const T0 = Date.UTC(2026, 0, 1);
const at = (s: number) => new Date(T0 + s * 1000);

for (const engine of ENGINES) {
  describe(`PPS crediting (${engine})`, () => {
    let fresh: Fresh;
    let db: Database;
    let now = at(0);
    before(async () => {
      fresh = await freshDatabase(engine, { migrated: true });
      db = fresh.db;
    });
    after(() => fresh.cleanup());
    beforeEach(() => emptyTables(db));
    afterEach(() => assertLedgerOk(db));

    const runner = () =>
      new PpsRunner({
        db,
        poolId: POOL_ID,
        fees: parseFees([{ address: FEE, percent: '2' }]),
        rewardAt: () => 3_000_000_000n,
        lagMs: 0,
        now: () => now,
      });

    it('credits each share its expected value minus the fee, once per period', async () => {
      // D = 1000: A 10 + 20 hashes (0.03 blocks), B 10 hashes at D = 2000 (0.005 blocks)
      await insertShare(db, { address: A, expectedHashes: 10n, networkDifficulty: 1000n, at: at(1) });
      await insertShare(db, { address: A, expectedHashes: 20n, networkDifficulty: 1000n, at: at(2) });
      await insertShare(db, { address: B, expectedHashes: 10n, networkDifficulty: 2000n, at: at(3) });
      now = at(2);
      const p1 = await runner().run();
      assert.equal(p1?.shares, 2);
      assert.equal(p1?.total, 90_000_000n);
      assert.deepEqual(await balanceOf(db, A), { immature: 0n, payable: 88_200_000n, paid: 0n });
      assert.equal((await balanceOf(db, FEE)).payable, 1_800_000n);
      assert.equal(await runner().run(), null, 'nothing new: no second credit for the same period');
      now = at(10);
      const p2 = await runner().run();
      assert.equal(p2?.shares, 1);
      assert.equal((await balanceOf(db, B)).payable, 14_700_000n);
      assert.equal((await balanceOf(db, FEE)).payable, 1_800_000n + 300_000n);
      const hold = await db.query<{ keep_from: Date }>(
        `SELECT keep_from FROM share_retention_holds WHERE name = 'pps'`,
      );
      assert.deepEqual(hold.rows[0]?.keep_from, at(10));
    });

    it('waits for every instance’s shares (share_ingest_progress) and carries sub-nanoERG fractions', async () => {
      // 1 hash at D = 3 of a 10 nanoERG reward: 3.33… per share, no fee.
      const r = (n: Date) =>
        new PpsRunner({
          db,
          poolId: POOL_ID,
          fees: parseFees([]),
          rewardAt: () => 10n,
          now: () => n,
          lagMs: 0,
        });
      await db.query(`INSERT INTO share_ingest_progress (instance, complete_until) VALUES ('i1', $1)`, [
        at(5),
      ]);
      for (const s of [1, 4, 7])
        await insertShare(db, { address: A, expectedHashes: 1n, networkDifficulty: 3n, at: at(s) });
      const p1 = await r(at(100)).run();
      assert.equal(p1?.shares, 2, 'only shares up to the shipped point');
      assert.equal(p1?.total, 6n); // 6.67 → 6, carry 2/3
      await db.query(`UPDATE share_ingest_progress SET complete_until = $1, updated_at = now()`, [at(8)]);
      const p2 = await r(at(100)).run();
      assert.equal(p2?.total, 4n); // 3.33 + 0.67 = 4
      assert.equal((await balanceOf(db, A)).payable, 10n);
    });
  });
}
