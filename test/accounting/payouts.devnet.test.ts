import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PaymentHooks, WalletNode } from '../../src/accounting/index.ts';
import type { Database } from '../../src/db/index.ts';
import { NodeApiError, NodeUnavailableError } from '../../src/ergo/index.ts';
import { ENGINES } from '../db/helpers.ts';
import { assertLedgerOk, balanceOf } from './db-helpers.ts';
import {
  A,
  B,
  C,
  competitorBlocks,
  PAYOUT_RULES,
  type Pool,
  payments,
  poolFindsBlock,
  received,
  tracker,
  useDevnetPool,
} from './devnet-helpers.ts';

const CRASH = 'simulated crash';

for (const engine of ENGINES) {
  describe(`payouts never pay twice, never skip (${engine})`, () => {
    let db: Database;
    let pool: Pool;
    useDevnetPool(engine, (d, p) => {
      db = d;
      pool = p;
    });

    /** A, B and C earn from two confirmed PPLNS blocks; the wallet also holds the operator's float. */
    async function balancesDue(): Promise<Map<string, bigint>> {
      await poolFindsBlock(pool, [
        [A, 10n],
        [B, 20n],
      ]);
      await poolFindsBlock(pool, [[C, 10n]]);
      await poolFindsBlock(pool, [], { record: false });
      await competitorBlocks(pool, 3);
      await tracker(pool).tick();
      const due = new Map<string, bigint>();
      for (const who of [A, B, C]) due.set(who, (await balanceOf(db, who)).payable);
      for (const amount of due.values()) assert.ok(amount >= PAYOUT_RULES.minimum);
      return due;
    }

    /** Everyone due got exactly one output of exactly its balance, and the ledger says paid. */
    async function assertPaidOnce(due: Map<string, bigint>): Promise<void> {
      const got = await received(pool);
      for (const [who, amount] of due) {
        assert.deepEqual(got.get(who), { total: amount, outputs: 1 }, `${who}: paid once, exactly`);
        assert.deepEqual(await balanceOf(db, who), { immature: 0n, payable: 0n, paid: amount });
      }
    }

    const crashOnce = (point: keyof PaymentHooks): PaymentHooks => {
      let fired = false;
      return {
        [point]: () => {
          if (fired) return;
          fired = true;
          throw new Error(CRASH);
        },
      };
    };

    const STEP = {
      afterPlan: 'after the payment is recorded, before it is marked in flight',
      beforeSend: 'in flight, before send',
      afterSend: 'after send, before it is recorded',
      afterRecord: 'after it is recorded sent',
    } as const;
    for (const point of ['afterPlan', 'beforeSend', 'afterSend', 'afterRecord'] as const) {
      it(`a crash ${STEP[point]}: the restart pays everyone exactly once`, async () => {
        const due = await balancesDue();
        await assert.rejects(payments(pool, { hooks: crashOnce(point) }).run(), new RegExp(CRASH));
        await assertLedgerOk(db);
        const restart = await payments(pool).run();
        if (point === 'beforeSend')
          assert.deepEqual(
            restart.reconciled.map((r) => r.outcome),
            ['resent'],
          );
        if (point === 'afterSend')
          assert.deepEqual(
            restart.reconciled.map((r) => r.outcome),
            ['found'],
          );
        if (point === 'afterRecord') assert.deepEqual(restart.reconciled, []);
        await competitorBlocks(pool, 1);
        await payments(pool).run();
        await assertPaidOnce(due);
        const rows = await db.query<{ status: string }>('SELECT status FROM payments ORDER BY id');
        assert.deepEqual(
          rows.rows.map((r) => r.status),
          ['sent', 'sent'],
        );
      });
    }

    it('a crash after send whose transaction is mined before the restart: found among confirmed transactions', async () => {
      const due = await balancesDue();
      await assert.rejects(payments(pool, { hooks: crashOnce('afterSend') }).run(), new RegExp(CRASH));
      await competitorBlocks(pool, 2);
      const restart = await payments(pool).run();
      assert.deepEqual(
        restart.reconciled.map((r) => r.outcome),
        ['found'],
      );
      await competitorBlocks(pool, 1);
      await assertPaidOnce(due);
    });

    it('one instance pays at a time: another instance waits while the lease is held', async () => {
      const due = await balancesDue();
      await assert.rejects(
        payments(pool, { instance: 'pool-1', hooks: crashOnce('afterSend') }).run(),
        new RegExp(CRASH),
      );
      const other = await payments(pool, { instance: 'pool-2' }).run();
      assert.match(other.skipped ?? '', /another instance/);
      assert.deepEqual(other.reconciled, []);
      const restarted = await payments(pool, { instance: 'pool-1' }).run();
      assert.deepEqual(
        restarted.reconciled.map((r) => r.outcome),
        ['found'],
      );
      await payments(pool, { instance: 'pool-2' }).run(); // the lease is free again
      await assertPaidOnce(due);
    });

    it('an in-flight payment is not sent again within the grace period', async () => {
      const due = await balancesDue();
      await assert.rejects(payments(pool, { hooks: crashOnce('beforeSend') }).run(), new RegExp(CRASH));
      const waiting = await payments(pool, { inFlightGraceMs: 60_000 }).run();
      assert.deepEqual(
        waiting.reconciled.map((r) => r.outcome),
        ['waiting'],
      );
      assert.deepEqual(waiting.sent, []);
      assert.match(waiting.skipped ?? '', /in flight/);
      const later = new Date(Date.now() + 61_000);
      await payments(pool, { inFlightGraceMs: 60_000, now: () => later }).run();
      await payments(pool).run();
      await assertPaidOnce(due);
    });

    it('a send whose answer is lost (timeout after the node made the transaction) is reconciled, not repeated', async () => {
      const due = await balancesDue();
      const flaky: WalletNode = Object.create(pool.client);
      let lost = false;
      flaky.paymentSend = async (requests) => {
        const txId = await pool.client.paymentSend(requests);
        if (lost) return txId;
        lost = true;
        throw new NodeUnavailableError(
          'devnet',
          'POST /wallet/payment/send',
          'timeout',
          'no answer in 5000 ms',
        );
      };
      const first = await payments(pool, { wallet: () => flaky }).run();
      assert.match(first.skipped ?? '', /unknown/);
      const second = await payments(pool, { wallet: () => flaky }).run();
      assert.deepEqual(
        second.reconciled.map((r) => r.outcome),
        ['found'],
      );
      await assertPaidOnce(due);
    });

    it('an output the node refuses is isolated: everyone else is paid, its balance is returned', async () => {
      const due = await balancesDue();
      const picky: WalletNode = Object.create(pool.client);
      picky.paymentSend = async (requests) => {
        if (requests.some((r) => r.address === B))
          throw new NodeApiError(
            'devnet',
            'POST /wallet/payment/send',
            400,
            'bad.request',
            `Bad request: ${B} refused`,
          );
        return pool.client.paymentSend(requests);
      };
      const report = await payments(pool, {
        wallet: () => picky,
        rules: { ...PAYOUT_RULES, outputsPerTx: 3 },
      }).run();
      assert.equal(report.failed.length, 2, 'the 3-output payment, then B alone');
      assert.equal(report.sent.length, 2, 'A and C alone');
      const got = await received(pool);
      for (const who of [A, C]) assert.deepEqual(got.get(who), { total: due.get(who)!, outputs: 1 });
      assert.equal(got.get(B), undefined);
      assert.deepEqual(await balanceOf(db, B), { immature: 0n, payable: due.get(B)!, paid: 0n });
      await competitorBlocks(pool, 1); // A's and C's payments are mined: the wallet's change is spendable again
      const next = await payments(pool).run();
      assert.equal(next.sent.length, 1, 'B is paid by the next run once the node accepts it');
      await assertPaidOnce(due);
    });

    it('an invalid address is set aside with its reason and never blocks the others', async () => {
      const due = await balancesDue();
      await db.query(
        `INSERT INTO ledger_entries (address, amount, kind, reason) VALUES ('9notAValidErgoAddress', 500000000, 'adjustment', 'test')`,
      );
      const report = await payments(pool).run();
      assert.deepEqual(
        report.setAside.map((s) => s.address),
        ['9notAValidErgoAddress'],
      );
      await assertPaidOnce(due);
      const held = await db.query<{ payouts_held_reason: string }>(
        `SELECT payouts_held_reason FROM miner_settings WHERE address = '9notAValidErgoAddress'`,
      );
      assert.match(held.rows[0]?.payouts_held_reason ?? '', /checksum|base58|encoding/);
      assert.equal((await balanceOf(db, '9notAValidErgoAddress')).payable, 500_000_000n);
      const again = await payments(pool).run();
      assert.deepEqual(again.setAside, [], 'held: not retried every run');
    });
  });
}
