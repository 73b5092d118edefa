import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Database } from '../../src/db/index.ts';
import { ENGINES } from '../db/helpers.ts';
import { assertLedgerOk, balanceOf, blockRow, ledgerSum } from './db-helpers.ts';
import {
  A,
  B,
  C,
  competitorBlocks,
  FEE,
  PAYOUT_RULES,
  type Pool,
  payments,
  poolFindsBlock,
  received,
  tracker,
  useDevnetPool,
} from './devnet-helpers.ts';
import { erg } from './helpers.ts';

for (const engine of ENGINES) {
  describe(`accounting on the devnet (${engine})`, () => {
    let db: Database;
    let pool: Pool;
    useDevnetPool(engine, (d, p) => {
      db = d;
      pool = p;
    });

    it('blocks found → confirmed → balances → payouts arriving in the wallet’s transactions', async () => {
      const b1 = await poolFindsBlock(pool, [
        [B, 5n],
        [C, 10n],
        [A, 5n],
      ]);
      const b2 = await poolFindsBlock(pool, [[A, 20n]]);
      await poolFindsBlock(pool, [], { record: false }); // the operator's float: pays the tx fees
      const r = await tracker(pool).tick();
      assert.equal(r.credited, 2);
      assert.equal((await blockRow(db, b1.id!)).status, 'confirmed', '3 deep');
      assert.equal((await blockRow(db, b2.id!)).status, 'pending', '2 deep');
      assert.equal((await blockRow(db, b2.id!)).reward, erg('3'), '9 ERG box − 6 ERG of re-emission tokens');
      assert.equal((await balanceOf(db, A)).immature > 0n, true);
      await assertLedgerOk(db);

      await competitorBlocks(pool, 3);
      assert.equal((await tracker(pool).tick()).confirmed, 1);
      assert.equal(await ledgerSum(db, 'block_id IN ($1, $2)', [b1.id, b2.id]), erg('6'));
      const due = new Map<string, bigint>();
      for (const who of [A, B, C, FEE]) {
        const b = await balanceOf(db, who);
        assert.equal(b.immature, 0n);
        due.set(who, b.payable);
      }
      assert.equal(
        [...due.values()].reduce((s, v) => s + v, 0n),
        erg('6'),
      );
      await assertLedgerOk(db);

      const report = await payments(pool).run();
      assert.equal(report.sent.length, 2, 'A, B and C: 2 outputs per transaction');
      assert.equal(report.walletShort, null);
      await competitorBlocks(pool, 1); // the payments are mined
      const got = await received(pool);
      for (const [who, amount] of due) {
        if (amount >= PAYOUT_RULES.minimum) {
          assert.deepEqual(
            got.get(who),
            { total: amount, outputs: 1 },
            `${who} paid exactly its balance, once`,
          );
          assert.deepEqual(await balanceOf(db, who), { immature: 0n, payable: 0n, paid: amount });
        } else {
          assert.equal(who, FEE, 'the 1 % fee (0.06 ERG) is below the 0.1 ERG minimum');
          assert.equal(got.get(who), undefined);
          // … and it paid the two transactions' fees (txFeePaidBy: pool).
          assert.deepEqual(await balanceOf(db, who), {
            immature: 0n,
            payable: amount - 2_000_000n,
            paid: 2_000_000n,
          });
        }
      }
      await competitorBlocks(pool, 1);
      const later = await payments(pool).run();
      assert.equal(later.confirmed.length, 2, 'payment transactions tracked to confirmation');
      assert.equal(later.sent.length, 0, 'nothing is paid twice');
      const statuses = await db.query<{ status: string; confirmations: number }>(
        'SELECT status, confirmations FROM payments',
      );
      assert.deepEqual(
        statuses.rows.map((p) => p.status),
        ['confirmed', 'confirmed'],
      );
    });

    it('a devnet reorg orphans a pool block and nothing is credited for it', async () => {
      const found = await poolFindsBlock(pool, [
        [B, 10n],
        [A, 10n],
      ]);
      await tracker(pool).tick();
      assert.equal((await blockRow(db, found.id!)).credited_at !== null, true);
      await pool.net.devnet.reorg(found.height); // competitors replace our block (and build one more)
      const r = await tracker(pool).tick();
      assert.equal(r.orphaned, 1);
      const row = await blockRow(db, found.id!);
      assert.equal(row.status, 'orphaned');
      for (const who of [A, B, FEE])
        assert.deepEqual(await balanceOf(db, who), { immature: 0n, payable: 0n, paid: 0n });
      await competitorBlocks(pool, 5);
      await tracker(pool).tick();
      assert.equal((await blockRow(db, found.id!)).status, 'orphaned');
      const report = await payments(pool).run();
      assert.deepEqual(report.sent, []);
    });

    it('a transient node outage leaves blocks pending; they confirm when the node is back', async () => {
      const found = await poolFindsBlock(pool, [[A, 10n]]);
      await competitorBlocks(pool, 3);
      await pool.net.devnet.nodes[0]!.setFault({ mode: 'down' });
      const r = await tracker(pool).tick();
      assert.equal(r.transient, 1);
      assert.equal((await blockRow(db, found.id!)).status, 'pending');
      await pool.net.devnet.nodes[0]!.setFault({ mode: 'none' });
      assert.equal((await tracker(pool).tick()).confirmed, 1);
    });

    it('a wallet short of funds waits for the next run', async () => {
      await poolFindsBlock(pool, [[A, 10n]]);
      // Confirmed after 1 block, while the reward box stays locked for 3: payable, but the wallet is empty.
      await tracker(pool, 'solo', 1).tick();
      assert.equal((await balanceOf(db, A)).payable, erg('2.97'));
      const report = await payments(pool).run();
      assert.deepEqual(report.sent, []);
      assert.deepEqual(report.walletShort, { needed: erg('2.97') + 1_000_000n, available: 0n });
      assert.equal((await balanceOf(db, A)).payable, erg('2.97'), 'nothing debited');
      await competitorBlocks(pool, 2); // the reward box matures: 3 ERG ≥ 2.97 + the fee
      const next = await payments(pool).run();
      assert.equal(next.sent.length, 1);
      assert.deepEqual(await balanceOf(db, A), { immature: 0n, payable: 0n, paid: erg('2.97') });
    });
  });
}
