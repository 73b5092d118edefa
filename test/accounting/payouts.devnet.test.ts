import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AccountingAlert,
  type AlertKind,
  abandonPayment,
  accountingConfigSchema,
  type PaymentHooks,
  startAccounting,
  takePayoutLease,
  type WalletNode,
} from '../../src/accounting/index.ts';
import type { Database } from '../../src/db/index.ts';
import { ergoChainReader, ergoCoin, NodeApiError, NodeUnavailableError } from '../../src/ergo/index.ts';
import { ENGINES } from '../db/helpers.ts';
import { assertLedgerOk, balanceOf, minerAddress, POOL_ID } from './db-helpers.ts';
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
        const alerts: AlertKind[] = [];
        const restart = await payments(pool, { alert: (kind) => alerts.push(kind) }).run();
        if (point === 'beforeSend') {
          // Marked in flight, then the crash: nothing proves the request never left, so it is not sent
          // again on a guess. The operator, who knows it was never made, abandons it; the next run pays.
          assert.deepEqual(
            restart.reconciled.map((r) => r.outcome),
            ['in-doubt'],
          );
          assert.deepEqual(restart.sent, []);
          assert.deepEqual(alerts, ['payment-in-doubt']);
          await abandonPayment(
            db,
            POOL_ID,
            restart.reconciled[0]!.paymentId,
            'the pool crashed before sending it',
          );
          await payments(pool).run();
        }
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
          point === 'beforeSend' ? ['failed', 'sent', 'sent'] : ['sent', 'sent'],
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

    it('an in-flight payment found nowhere is never sent again on a guess: it waits, then raises an alert', async () => {
      const due = await balancesDue();
      await assert.rejects(payments(pool, { hooks: crashOnce('beforeSend') }).run(), new RegExp(CRASH));
      const alerts: AlertKind[] = [];
      const alert = (kind: AlertKind) => alerts.push(kind);
      const waiting = await payments(pool, { inFlightGraceMs: 60_000, alert }).run();
      assert.deepEqual(
        waiting.reconciled.map((r) => r.outcome),
        ['waiting'],
      );
      assert.deepEqual(waiting.sent, []);
      assert.match(waiting.skipped ?? '', /in flight/);
      assert.deepEqual(alerts, [], 'within the grace period: no alert yet');
      let later = new Date(Date.now() + 61_000);
      const runner = payments(pool, { inFlightGraceMs: 60_000, now: () => later, alert });
      const doubt = await runner.run();
      assert.deepEqual(
        doubt.reconciled.map((r) => r.outcome),
        ['in-doubt'],
      );
      assert.deepEqual(doubt.sent, [], 'never re-sent without proof');
      assert.deepEqual(alerts, ['payment-in-doubt']);
      later = new Date(later.getTime() + 60_000);
      assert.deepEqual(
        (await runner.run()).reconciled.map((r) => r.outcome),
        ['in-doubt'],
      );
      assert.deepEqual(alerts, ['payment-in-doubt'], 'the next run does not repeat the alert');
      later = new Date(later.getTime() + 31 * 60_000);
      await runner.run();
      assert.deepEqual(alerts, ['payment-in-doubt', 'payment-in-doubt'], 'half an hour later it does');
      assert.equal((await received(pool)).size, 0);
      await abandonPayment(db, POOL_ID, doubt.reconciled[0]!.paymentId, 'checked: it was never made');
      await payments(pool).run();
      await assertPaidOnce(due);
    });

    it('a transaction the wallet node dropped but another node still holds is found there, not paid again', async () => {
      const due = await balancesDue();
      const flaky: WalletNode = Object.create(pool.client);
      let lost = false;
      flaky.paymentSend = async (requests) => {
        const txId = await pool.client.paymentSend(requests);
        if (!lost) {
          lost = true; // the answer is lost, and the wallet node evicts the transaction from its mempool
          await pool.net.devnet.dropMempoolTransaction(txId, 0);
          throw new NodeUnavailableError('devnet0', 'POST /wallet/payment/send', 'timeout', 'no answer');
        }
        return txId;
      };
      const first = await payments(pool, { wallet: () => flaky }).run();
      assert.match(first.skipped ?? '', /unknown/);
      assert.equal((await pool.client.unconfirmedTransactions(100, 0)).length, 0, 'gone from node 0');
      assert.equal((await pool.clients[1]!.unconfirmedTransactions(100, 0)).length, 1, 'held by node 1');
      const second = await payments(pool, { wallet: () => flaky }).run();
      assert.deepEqual(
        second.reconciled.map((r) => r.outcome),
        ['found'],
      );
      await competitorBlocks(pool, 1); // the network mines it
      await payments(pool, { wallet: () => flaky }).run();
      await assertPaidOnce(due);
    });

    it('a sent payment dropped from every mempool: in doubt while its inputs are unspent, paid again once another transaction spent them', async () => {
      const due = await balancesDue();
      const first = await payments(pool).run();
      assert.equal(first.sent.length, 2);
      const dropped = first.sent[0]!;
      const inputs = await db.query<{ tx_inputs: string[] | null }>(
        'SELECT tx_inputs FROM payments WHERE id = $1',
        [dropped.paymentId],
      );
      assert.ok((inputs.rows[0]!.tx_inputs ?? []).length > 0, 'its inputs were recorded at send time');
      assert.ok(await pool.net.devnet.dropMempoolTransaction(dropped.txId));
      const alerts: AlertKind[] = [];
      const alert = (kind: AlertKind) => alerts.push(kind);
      const doubt = await payments(pool, { alert }).run();
      assert.deepEqual(doubt.inDoubt, [dropped.paymentId]);
      assert.deepEqual(alerts, ['payment-in-doubt']);
      assert.deepEqual(doubt.sent, [], 'not paid again without proof');
      // The operator spends from the wallet: the node reuses the dropped transaction's inputs.
      const other = await pool.client.paymentSend([
        { address: minerAddress('operator'), value: 500_000_000n },
      ]);
      await competitorBlocks(pool, 2); // two confirmations deep: the proof
      alerts.length = 0;
      const again = await payments(pool, { alert }).run();
      assert.deepEqual(again.doubleSpent, [dropped.paymentId]);
      assert.deepEqual(alerts, ['payment-double-spent']);
      assert.equal(again.sent.length, 1, 'its miners are paid again, once');
      assert.notEqual(again.sent[0]!.txId, other);
      await competitorBlocks(pool, 1);
      await assertPaidOnce(due);
      const statuses = await db.query<{ status: string }>('SELECT status FROM payments ORDER BY id');
      assert.deepEqual(
        statuses.rows.map((r) => r.status),
        ['failed', 'confirmed', 'sent'], // C’s payment went through meanwhile
      );
    });

    it('a send refused at the connection never reached the node: failed at once and paid at the next run', async () => {
      const due = await balancesDue();
      const down: WalletNode = Object.create(pool.client);
      down.paymentSend = async () => {
        throw new NodeUnavailableError('devnet0', 'POST /wallet/payment/send', 'refused', 'ECONNREFUSED');
      };
      const first = await payments(pool, { wallet: () => down }).run();
      assert.equal(first.failed.length, 1);
      assert.equal(first.skipped, 'the wallet node is unreachable');
      for (const who of due.keys()) assert.equal((await balanceOf(db, who)).paid, 0n, 'money returned');
      await payments(pool).run();
      await assertPaidOnce(due);
    });

    it('nothing is paid while the ledger invariants fail: an alert on the accounting events', async () => {
      await balancesDue();
      const corrupt =
        "UPDATE blocks SET reward = reward + 1, reward_fees = reward_fees + 1 WHERE status = 'confirmed'";
      await db.query(corrupt);
      const accounting = startAccounting({
        config: accountingConfigSchema.parse({
          blockCheckSeconds: 3600,
          payouts: { intervalSeconds: 3600, minimum: '0.1' },
        }),
        db,
        poolId: POOL_ID,
        chain: () => ergoChainReader(pool.client),
        wallet: () => pool.client,
        poolPublicKey: pool.net.devnet.minerPublicKey,
        checkAddress: ergoCoin('mainnet').checkAddress,
        maturity: ergoCoin('mainnet').rewards.maturity,
        rewardAt: ergoCoin('mainnet').rewards.blockReward,
      });
      const alerts: AccountingAlert[] = [];
      accounting.events.on('alert', (a) => alerts.push(a));
      try {
        await accounting.runOnce();
        assert.equal((await received(pool)).size, 0, 'nothing paid');
        assert.deepEqual(
          alerts.map((a) => a.kind),
          ['ledger-invariants'],
        );
        assert.match(alerts[0]!.message, /credits \d+ ≠ reward/);
      } finally {
        await accounting.close();
        await db.query(
          "UPDATE blocks SET reward = reward - 1, reward_fees = reward_fees - 1 WHERE status = 'confirmed'",
        );
      }
    });

    it('a run that lost the payout lease to another instance sends nothing more; the other pays once', async () => {
      const due = await balancesDue();
      const stolen: PaymentHooks = {
        afterPlan: async () => {
          // This instance stalls past its lease; another one takes it.
          await db.query(`UPDATE leases SET expires_at = now() - interval '1 second' WHERE name = 'payouts'`);
          assert.ok(await takePayoutLease(db, 'pool-2', 600_000));
        },
      };
      const alerts: AlertKind[] = [];
      const slow = await payments(pool, {
        instance: 'pool-1',
        hooks: stolen,
        alert: (k) => alerts.push(k),
      }).run();
      assert.match(slow.skipped ?? '', /lease .* was lost/);
      assert.deepEqual(slow.sent, []);
      assert.deepEqual(alerts, ['payout-lease-lost']);
      assert.equal((await received(pool)).size, 0, 'the fenced run sent nothing');
      await payments(pool, { instance: 'pool-2' }).run();
      await assertPaidOnce(due);
    });

    it('the payout lease is renewed before every send', async () => {
      await balancesDue();
      const until: number[] = [];
      const read = async () => {
        const r = await db.query<{ until: Date }>(
          "SELECT expires_at AS until FROM leases WHERE name = 'payouts'",
        );
        until.push(r.rows[0]!.until.getTime());
      };
      const report = await payments(pool, { hooks: { beforeSend: read } }).run();
      assert.equal(report.sent.length, 2);
      assert.equal(until.length, 2);
      assert.ok(until[1]! > until[0]!, `renewed: ${until.join(' < ')}`);
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
        `INSERT INTO ledger_entries (pool_id, address, amount, kind, reason)
         VALUES ('ergo', '9notAValidErgoAddress', 500000000, 'adjustment', 'test')`,
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
