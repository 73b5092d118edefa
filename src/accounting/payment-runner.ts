import pino, { type Logger } from 'pino';
import type { Lease } from '../db/index.ts';
import {
  describeError,
  NodeApiError,
  NodeUnavailableError,
  parseAddress,
  type WalletTransaction,
} from '../ergo/index.ts';
import type { Alert } from './alerts.ts';
import { type MempoolNode, type MempoolView, mempoolOf, readMempools } from './payment-doubt.ts';
import { findPaymentTransaction, parseStoredRequest, type RequestedOutput } from './payment-match.ts';
import {
  failPayment,
  holdPayouts,
  LeaseLostError,
  markInFlight,
  markSent,
  noteError,
  type OpenPayment,
  openPayments,
  payableBalances,
  recordedTxIds,
  recordInputs,
  recordPayment,
  releasePayoutLease,
  renewPayoutLease,
  takePayoutLease,
} from './payment-store.ts';
import { trackSentPayments } from './payment-tracking.ts';
import type { PaymentRunnerOptions, PayoutReport, WalletNode } from './payment-types.ts';
import { batchOf, type PlannedBatch, planPayouts } from './payouts.ts';
import { bigOf, bigOrNull } from './rows.ts';
import { checkDatabaseLedger } from './snapshot.ts';

export type { PaymentHooks, PaymentRunnerOptions, PayoutReport, WalletNode } from './payment-types.ts';

type SendOutcome =
  | { kind: 'sent'; txId: string }
  | { kind: 'failed'; reason: string; unreachable?: boolean }
  | { kind: 'unknown'; reason: string };

/**
 * Payouts that never pay twice and never skip anyone. The steps of one payment:
 *  1. `planned`: the payment, its outputs and its negative payout rows (balances debited) in one transaction;
 *  2. `in_flight` (attempts + 1), then POST /wallet/payment/send;
 *  3. `sent` with the tx id (and its input boxes once seen); `confirmed` once `confirmations` deep.
 * A payment is sent again only when it is proven it cannot confirm: the node refused it (4xx), the request
 * never reached the node (connection refused), or — for a sent one — another confirmed transaction spent one
 * of its inputs; it is then `failed`, its money returned (payout_reversal rows) and paid again. Anything else
 * (a timeout, a 5xx, a crash, a transaction gone from every mempool) is looked for in the wallet and every
 * node's mempool, and raises a 'payment-in-doubt' alert when it cannot be found. Every run holds the payout
 * lease (renewed before each send, and every send fenced by its epoch) and first checks the ledger
 * invariants: nothing is paid while they fail.
 */
/** The same alert about the same payment is raised again only after this long. */
const ALERT_REPEAT_MS = 30 * 60_000;

export class PaymentRunner {
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly alert: Alert;

  constructor(private readonly o: PaymentRunnerOptions) {
    this.logger = o.logger ?? pino({ level: 'silent' });
    this.now = o.now ?? (() => new Date());
    const raise: Alert = o.alert ?? ((_kind, message, details) => this.logger.error(details ?? {}, message));
    // A payment stays in doubt run after run until the operator acts: one alert per payment and kind every
    // ALERT_REPEAT_MS, not one per run (every minute), or the alert that matters drowns in its repeats.
    const raisedAt = new Map<string, number>();
    this.alert = (kind, message, details) => {
      const payment = details?.payment;
      if (payment !== undefined) {
        const key = `${kind}:${String(payment)}`;
        const now = this.now().getTime();
        const last = raisedAt.get(key);
        if (last !== undefined && now - last < ALERT_REPEAT_MS) {
          this.logger.debug({ alert: kind, ...details }, `${message} (alert repeated)`);
          return;
        }
        if (raisedAt.size >= 10_000) raisedAt.clear();
        raisedAt.set(key, now);
      }
      raise(kind, message, details);
    };
  }

  /** Check the ledger, reconcile, track confirmations, then pay whoever is due. */
  async run(): Promise<PayoutReport> {
    const report: PayoutReport = {
      reconciled: [],
      sent: [],
      failed: [],
      confirmed: [],
      inDoubt: [],
      doubleSpent: [],
      setAside: [],
      walletShort: null,
      feeShort: null,
    };
    const lease = await takePayoutLease(
      this.o.db,
      this.o.leaseHolder ?? (this.o.instance || 'default'),
      this.leaseMs,
    );
    if (!lease) {
      report.skipped = 'another instance is running payouts';
      return report;
    }
    try {
      // Every pool's ledger, not only this one's: pools may pay from one wallet.
      const problems = await checkDatabaseLedger(this.o.db);
      if (problems.length > 0) {
        this.alert(
          'ledger-invariants',
          `the ledger invariants fail, so nothing is paid until they hold: ${problems.slice(0, 5).join('; ')}`,
          { problems },
        );
        report.skipped = 'the ledger invariants fail';
      } else await this.settleAndPay(lease, report);
    } catch (err) {
      if (!(err instanceof LeaseLostError)) throw err;
      this.alert('payout-lease-lost', `payout run stopped: ${err.message}`, { lease });
      report.skipped = err.message;
      return report;
    }
    // Released only after a complete run: a crashed run keeps it until it expires or this instance restarts.
    await releasePayoutLease(this.o.db, lease);
    return report;
  }

  private get leaseMs(): number {
    return this.o.leaseMs ?? 600_000;
  }

  private async settleAndPay(lease: Lease, report: PayoutReport): Promise<void> {
    const wallet = this.o.wallet();
    let view: Promise<MempoolView> | null = null;
    const mempools = () => {
      view ??= readMempools(this.o.mempools?.() ?? [bindMempool(wallet)]);
      return view;
    };
    const unsettled = (await openPayments(this.o.db, this.o.poolId)).filter((p) => p.status !== 'sent');
    if (unsettled.length > 0) await this.reconcile(wallet, unsettled, mempools, lease, report);
    const tracked = await trackSentPayments({
      db: this.o.db,
      poolId: this.o.poolId,
      wallet,
      mempools,
      confirmations: this.o.confirmations ?? 10,
      alert: this.alert,
      logger: this.logger,
    });
    report.confirmed.push(...tracked.confirmed);
    report.inDoubt.push(...tracked.inDoubt);
    report.doubleSpent.push(...tracked.doubleSpent);
    if (report.reconciled.some((r) => r.outcome === 'waiting' || r.outcome === 'in-doubt'))
      report.skipped = 'a payment in flight is not settled yet';
    else await this.pay(wallet, lease, report);
  }

  private async reconcile(
    wallet: WalletNode,
    rows: OpenPayment[],
    mempools: () => Promise<MempoolView>,
    lease: Lease,
    report: PayoutReport,
  ): Promise<void> {
    const taken = await recordedTxIds(this.o.db);
    let confirmed: WalletTransaction[] | null = null;
    for (const p of rows) {
      const wanted = this.requested(parseStoredRequest(p.request).requests);
      if (p.status === 'in_flight') {
        const view = await mempools();
        const from = Math.min(...rows.map((r) => parseStoredRequest(r.request).fromHeight));
        confirmed ??= await wallet.walletTransactions({ minInclusionHeight: from });
        const candidates = [...[...view.txs.values()].map((m) => m.tx), ...confirmed];
        const txId = findPaymentTransaction(candidates, wanted, taken);
        if (txId) {
          await markSent(this.o.db, this.o.poolId, p.id, txId);
          const tx = candidates.find((c) => c.id === txId)!;
          await recordInputs(
            this.o.db,
            this.o.poolId,
            p.id,
            tx.inputs.map((i) => i.boxId),
          );
          taken.add(txId);
          this.logger.warn({ payment: p.id, txId }, `payment ${p.id} had been sent: recorded as ${txId}`);
          report.reconciled.push({ paymentId: p.id, txId, outcome: 'found' });
          continue;
        }
        const since = p.last_attempt_at ? this.now().getTime() - p.last_attempt_at.getTime() : Infinity;
        if (since < (this.o.inFlightGraceMs ?? 60_000) || !view.complete) {
          report.reconciled.push({ paymentId: p.id, txId: null, outcome: 'waiting' });
          continue;
        }
        // It may have been made and dropped by our nodes while peers hold it: never sent again on a guess.
        this.alert(
          'payment-in-doubt',
          `payment ${p.id} is in flight, and its transaction is in no node's mempool nor in the wallet; it is ` +
            'not sent again (peers may hold it) and payouts wait. If it can never confirm, abandon it and it is paid again',
          { payment: p.id, outputs: wanted.map((w) => ({ address: w.address, value: w.value })) },
        );
        report.reconciled.push({ paymentId: p.id, txId: null, outcome: 'in-doubt' });
        continue;
      }
      const outcome = await this.send(wallet, p.id, wanted, lease);
      if (outcome.kind === 'sent') {
        taken.add(outcome.txId);
        report.reconciled.push({ paymentId: p.id, txId: outcome.txId, outcome: 'resent' });
        report.sent.push({ paymentId: p.id, txId: outcome.txId, outputs: wanted.length });
      } else if (outcome.kind === 'failed') {
        report.reconciled.push({ paymentId: p.id, txId: null, outcome: 'failed' });
        report.failed.push({ paymentId: p.id, reason: outcome.reason });
      } else report.reconciled.push({ paymentId: p.id, txId: null, outcome: 'waiting' });
    }
  }

  private async pay(wallet: WalletNode, lease: Lease, report: PayoutReport): Promise<void> {
    const status = await wallet.walletStatus();
    if (!status.isUnlocked) {
      if (!this.o.walletPassword) {
        report.skipped = 'the wallet is locked and no wallet password is configured';
        this.logger.warn(report.skipped);
        return;
      }
      await wallet.walletUnlock(this.o.walletPassword);
    }
    const balances = await payableBalances(this.o.db, this.o.poolId);
    const plan = planPayouts({
      balances: balances.map((b) => ({
        address: b.address,
        payable: bigOf(b.payable),
        threshold: bigOrNull(b.threshold),
      })),
      rules: this.o.rules,
      walletAvailable: (await wallet.walletBalances()).balance,
      validateAddress: this.o.checkAddress,
    });
    report.setAside = plan.setAside;
    report.walletShort = plan.walletShort;
    report.feeShort = plan.feeShort;
    for (const s of plan.setAside) {
      this.logger.warn(
        { address: s.address, reason: s.reason },
        `payouts to ${s.address} set aside: ${s.reason}`,
      );
      await holdPayouts(this.o.db, this.o.poolId, s.address, s.reason);
    }
    if (plan.feeShort)
      this.logger.warn(
        { needed: plan.feeShort.needed.toString(), available: plan.feeShort.available.toString() },
        'the pool fee accounts cannot cover the transaction fees of the payouts due (txFeePaidBy: pool): waiting for the next run',
      );
    if (plan.walletShort)
      this.logger.warn(
        { needed: plan.walletShort.needed.toString(), available: plan.walletShort.available.toString() },
        'the wallet cannot cover the payouts due: waiting for the next run',
      );
    const queue: PlannedBatch[] = [...plan.batches];
    for (let batch = queue.shift(); batch; batch = queue.shift()) {
      const fromHeight = Math.max(0, status.walletHeight - 1);
      const id = await recordPayment(
        this.o.db,
        this.o.poolId,
        batch,
        fromHeight,
        this.o.instance ?? '',
        lease,
      );
      if (id === null) continue;
      await this.o.hooks?.afterPlan?.(id);
      const outputs = batch.outputs.map((o) => ({ address: o.address, value: o.value.toString() }));
      const outcome = await this.send(wallet, id, this.requested(outputs), lease);
      if (outcome.kind === 'sent')
        report.sent.push({ paymentId: id, txId: outcome.txId, outputs: batch.outputs.length });
      else if (outcome.kind === 'failed') {
        report.failed.push({ paymentId: id, reason: outcome.reason });
        if (outcome.unreachable) {
          report.skipped = 'the wallet node is unreachable';
          return;
        }
        // Isolate what the node refuses: the outputs go out again one per transaction.
        if (batch.outputs.length > 1)
          for (const o of batch.outputs)
            queue.push(batchOf([{ address: o.address, amount: o.debit }], this.o.rules));
      } else {
        report.skipped = 'a payment’s outcome is unknown: it is settled at the next run first';
        return;
      }
    }
  }

  private requested(requests: readonly { address: string; value: string }[]): RequestedOutput[] {
    return requests.map((r) => ({
      address: r.address,
      value: BigInt(r.value),
      ergoTree: parseAddress(r.address).ergoTree,
    }));
  }

  /**
   * Steps 2–3, with the lease renewed first and the send fenced by it. A 4xx answer, or a request that never
   * reached the node (connection refused, unknown host), fails the payment (money returned); anything else
   * leaves the outcome unknown.
   */
  private async send(
    wallet: WalletNode,
    id: bigint,
    outputs: RequestedOutput[],
    lease: Lease,
  ): Promise<SendOutcome> {
    await renewPayoutLease(this.o.db, lease, this.leaseMs);
    if (!(await markInFlight(this.o.db, this.o.poolId, id, lease)))
      return { kind: 'unknown', reason: 'no longer planned or in flight' };
    await this.o.hooks?.beforeSend?.(id);
    let txId: string;
    try {
      txId = await wallet.paymentSend(outputs.map((o) => ({ address: o.address, value: o.value })));
    } catch (err) {
      const reason = describeError(err);
      const refused = err instanceof NodeApiError && err.status >= 400 && err.status < 500;
      const unreachable =
        err instanceof NodeUnavailableError && (err.cause === 'refused' || err.cause === 'dns');
      if (refused || unreachable) {
        await failPayment(
          this.o.db,
          this.o.poolId,
          id,
          unreachable ? `never reached the node: ${reason}` : reason,
        );
        this.logger.error(
          { payment: id, reason },
          `payment ${id} ${unreachable ? 'never reached' : 'refused by'} the node: balances returned`,
        );
        return { kind: 'failed', reason, unreachable };
      }
      await noteError(this.o.db, this.o.poolId, id, reason);
      this.logger.error({ payment: id, reason }, `payment ${id}: outcome unknown, settled at the next run`);
      return { kind: 'unknown', reason };
    }
    await this.o.hooks?.afterSend?.(id, txId);
    await markSent(this.o.db, this.o.poolId, id, txId);
    await this.o.hooks?.afterRecord?.(id, txId);
    await this.learnInputs(wallet, id, txId);
    this.logger.info({ payment: id, txId, outputs: outputs.length }, `payment ${id} sent: ${txId}`);
    return { kind: 'sent', txId };
  }

  /** The new transaction's inputs, from the wallet or the wallet node's mempool (later runs retry if unseen). */
  private async learnInputs(wallet: WalletNode, id: bigint, txId: string): Promise<void> {
    try {
      const tx =
        (await wallet.walletTransactionById(txId)) ??
        (await mempoolOf(bindMempool(wallet))).find((t) => t.id === txId);
      if (tx)
        await recordInputs(
          this.o.db,
          this.o.poolId,
          id,
          tx.inputs.map((i) => i.boxId),
        );
    } catch (err) {
      this.logger.warn(
        { payment: id, err: describeError(err) },
        'cannot read the inputs of a sent payment yet',
      );
    }
  }
}

function bindMempool(wallet: WalletNode): MempoolNode {
  return {
    name: 'wallet node',
    unconfirmedTransactions: (limit, offset) => wallet.unconfirmedTransactions(limit, offset),
  };
}
