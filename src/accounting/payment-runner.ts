import pino, { type Logger } from 'pino';
import type { Database } from '../db/index.ts';
import {
  describeError,
  type NetworkName,
  NodeApiError,
  type PaymentRequest,
  parseAddress,
  type UnconfirmedTransaction,
  type WalletBalances,
  type WalletStatus,
  type WalletTransaction,
  type WalletTransactionsQuery,
} from '../ergo/index.ts';
import { findPaymentTransaction, parseStoredRequest, type RequestedOutput } from './payment-match.ts';
import {
  failPayment,
  holdPayouts,
  markInFlight,
  markSent,
  noteError,
  type OpenPayment,
  openPayments,
  payableBalances,
  recordedTxIds,
  recordPayment,
  releasePayoutLease,
  sentPayments,
  takePayoutLease,
  updateConfirmations,
} from './payment-store.ts';
import {
  addressValidator,
  batchOf,
  type PayoutPlan,
  type PayoutRules,
  type PlannedBatch,
  planPayouts,
} from './payouts.ts';
import { bigOf, bigOrNull } from './rows.ts';

/** The wallet routes payouts use (ErgoNodeClient has them all). */
export interface WalletNode {
  walletStatus(): Promise<WalletStatus>;
  walletUnlock(pass: string): Promise<void>;
  walletBalances(): Promise<WalletBalances>;
  paymentSend(requests: readonly PaymentRequest[]): Promise<string>;
  walletTransactions(query?: WalletTransactionsQuery): Promise<WalletTransaction[]>;
  walletTransactionById(txId: string): Promise<WalletTransaction | null>;
  unconfirmedTransactions(limit?: number, offset?: number): Promise<UnconfirmedTransaction[]>;
}

/** Test hooks at each step of a payment; throwing from one aborts the run exactly like a crash there. */
export interface PaymentHooks {
  /** After step 1 (recorded 'planned', balances debited), before it is marked in flight. */
  afterPlan?(paymentId: bigint): void | Promise<void>;
  beforeSend?(paymentId: bigint): void | Promise<void>;
  afterSend?(paymentId: bigint, txId: string): void | Promise<void>;
  afterRecord?(paymentId: bigint, txId: string): void | Promise<void>;
}

export interface PaymentRunnerOptions {
  db: Database;
  /** The wallet node (exactly one node pays: NodeSet.wallet()). */
  wallet: () => WalletNode;
  rules: PayoutRules;
  network: NetworkName;
  walletPassword?: string;
  /** Confirmations after which a payment transaction is 'confirmed' (default 10). */
  confirmations?: number;
  /** An in-flight payment not found in the wallet is sent again only this long after its attempt (default 60 s). */
  inFlightGraceMs?: number;
  /** This pool instance's name: payment rows and the payout lease (one instance pays at a time). */
  instance?: string;
  /** How long a payout run may hold the lease (default 10 min). */
  leaseMs?: number;
  hooks?: PaymentHooks;
  logger?: Logger;
  now?: () => Date;
}

export interface PayoutReport {
  reconciled: {
    paymentId: bigint;
    txId: string | null;
    outcome: 'found' | 'resent' | 'waiting' | 'failed';
  }[];
  sent: { paymentId: bigint; txId: string; outputs: number }[];
  failed: { paymentId: bigint; reason: string }[];
  confirmed: bigint[];
  setAside: PayoutPlan['setAside'];
  walletShort: PayoutPlan['walletShort'];
  feeShort: PayoutPlan['feeShort'];
  /** Why no new payments were made this run. */
  skipped?: string;
}

type SendOutcome =
  | { kind: 'sent'; txId: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'unknown'; reason: string };

type Candidate = Pick<UnconfirmedTransaction, 'id' | 'outputs'>;

/**
 * Payouts that never pay twice and never skip anyone. The steps of one payment:
 *  1. `planned`: the payment, its outputs and its negative payout rows (balances debited) in one transaction;
 *  2. `in_flight` (attempts + 1), then POST /wallet/payment/send;
 *  3. `sent` with the tx id; `confirmed` once `confirmations` deep.
 * A definite refusal by the node (4xx: no transaction was made) marks it `failed` and returns the money
 * with payout_reversal rows; a multi-output payment that failed is retried one output per transaction in
 * the same run, so an output the node refuses never blocks the others. Any other failure (timeout, 5xx,
 * crash) leaves it `in_flight`. At the next run an unsettled payment is settled before anything else:
 * `planned` ones (never attempted) are sent; `in_flight` ones are looked for among the wallet's
 * transactions (by their outputs, from the height they were planned at, confirmed and in the mempool,
 * skipping transactions already recorded for another payment) and marked sent if found, or sent again
 * once `inFlightGraceMs` have passed since the attempt.
 */
export class PaymentRunner {
  private readonly logger: Logger;
  private readonly now: () => Date;

  constructor(private readonly o: PaymentRunnerOptions) {
    this.logger = o.logger ?? pino({ level: 'silent' });
    this.now = o.now ?? (() => new Date());
  }

  /** Reconcile, track confirmations, then pay whoever is due. */
  async run(): Promise<PayoutReport> {
    const report: PayoutReport = {
      reconciled: [],
      sent: [],
      failed: [],
      confirmed: [],
      setAside: [],
      walletShort: null,
      feeShort: null,
    };
    const holder = this.o.instance || 'default';
    if (!(await takePayoutLease(this.o.db, holder, this.o.leaseMs ?? 600_000))) {
      report.skipped = 'another instance is running payouts';
      return report;
    }
    const wallet = this.o.wallet();
    const unsettled = (await openPayments(this.o.db)).filter((p) => p.status !== 'sent');
    if (unsettled.length > 0) await this.reconcile(wallet, unsettled, report);
    await this.track(wallet, report);
    if (report.reconciled.some((r) => r.outcome === 'waiting'))
      report.skipped = 'a payment in flight is not settled yet';
    else await this.pay(wallet, report);
    // Released only after a complete run: a crashed run keeps it until it expires or this instance restarts.
    await releasePayoutLease(this.o.db, holder);
    return report;
  }

  private async reconcile(wallet: WalletNode, rows: OpenPayment[], report: PayoutReport): Promise<void> {
    const taken = await recordedTxIds(this.o.db);
    let candidates: Candidate[] | null = null;
    for (const p of rows) {
      const wanted = this.requested(parseStoredRequest(p.request).requests);
      if (p.status === 'in_flight') {
        if (candidates === null) {
          const from = Math.min(...rows.map((r) => parseStoredRequest(r.request).fromHeight));
          candidates = [
            ...(await this.mempool(wallet)),
            ...(await wallet.walletTransactions({ minInclusionHeight: from })),
          ];
        }
        const txId = findPaymentTransaction(candidates, wanted, taken);
        if (txId) {
          await markSent(this.o.db, p.id, txId);
          taken.add(txId);
          this.logger.warn({ payment: p.id, txId }, `payment ${p.id} had been sent: recorded as ${txId}`);
          report.reconciled.push({ paymentId: p.id, txId, outcome: 'found' });
          continue;
        }
        const since = p.last_attempt_at ? this.now().getTime() - p.last_attempt_at.getTime() : Infinity;
        if (since < (this.o.inFlightGraceMs ?? 60_000)) {
          report.reconciled.push({ paymentId: p.id, txId: null, outcome: 'waiting' });
          continue;
        }
      }
      const outcome = await this.send(wallet, p.id, wanted);
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

  /** Every unconfirmed transaction of the node (pages of 100). */
  private async mempool(wallet: WalletNode): Promise<UnconfirmedTransaction[]> {
    const out: UnconfirmedTransaction[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await wallet.unconfirmedTransactions(100, offset);
      out.push(...page);
      if (page.length < 100) return out;
    }
  }

  /** Sent payments: their confirmations, and 'confirmed' once deep enough. */
  private async track(wallet: WalletNode, report: PayoutReport): Promise<void> {
    const want = this.o.confirmations ?? 10;
    for (const p of await sentPayments(this.o.db)) {
      let tx: WalletTransaction | null;
      try {
        tx = await wallet.walletTransactionById(p.tx_id);
      } catch (err) {
        this.logger.warn({ payment: p.id, err: describeError(err) }, 'payment confirmation check failed');
        continue;
      }
      const confirmations = tx?.numConfirmations ?? 0;
      const done = confirmations >= want;
      await updateConfirmations(this.o.db, p.id, confirmations, done, tx ? null : 'not in the wallet (yet)');
      if (done) report.confirmed.push(p.id);
    }
  }

  private async pay(wallet: WalletNode, report: PayoutReport): Promise<void> {
    const status = await wallet.walletStatus();
    if (!status.isUnlocked) {
      if (!this.o.walletPassword) {
        report.skipped = 'the wallet is locked and no wallet password is configured';
        this.logger.warn(report.skipped);
        return;
      }
      await wallet.walletUnlock(this.o.walletPassword);
    }
    const balances = await payableBalances(this.o.db);
    const plan = planPayouts({
      balances: balances.map((b) => ({
        address: b.address,
        payable: bigOf(b.payable),
        threshold: bigOrNull(b.threshold),
      })),
      rules: this.o.rules,
      walletAvailable: (await wallet.walletBalances()).balance,
      validateAddress: addressValidator(this.o.network),
    });
    report.setAside = plan.setAside;
    report.walletShort = plan.walletShort;
    for (const s of plan.setAside) {
      this.logger.warn(
        { address: s.address, reason: s.reason },
        `payouts to ${s.address} set aside: ${s.reason}`,
      );
      await holdPayouts(this.o.db, s.address, s.reason);
    }
    report.feeShort = plan.feeShort;
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
      const id = await recordPayment(
        this.o.db,
        batch,
        Math.max(0, status.walletHeight - 1),
        this.o.instance ?? '',
      );
      if (id === null) continue;
      await this.o.hooks?.afterPlan?.(id);
      const outputs = batch.outputs.map((o) => ({ address: o.address, value: o.value.toString() }));
      const outcome = await this.send(wallet, id, this.requested(outputs));
      if (outcome.kind === 'sent')
        report.sent.push({ paymentId: id, txId: outcome.txId, outputs: batch.outputs.length });
      else if (outcome.kind === 'failed') {
        report.failed.push({ paymentId: id, reason: outcome.reason });
        // Isolate what the node refuses: the outputs go out again one per transaction.
        if (batch.outputs.length > 1)
          for (const o of batch.outputs) queue.push(this.single(o.address, o.debit));
      } else {
        report.skipped = 'a payment’s outcome is unknown: it is settled at the next run first';
        return;
      }
    }
  }

  /** A one-output payment of `debit` (the fee recomputed for a single output). */
  private single(address: string, debit: bigint): PlannedBatch {
    return batchOf([{ address, amount: debit }], this.o.rules);
  }

  private requested(requests: readonly { address: string; value: string }[]): RequestedOutput[] {
    return requests.map((r) => ({
      address: r.address,
      value: BigInt(r.value),
      ergoTree: parseAddress(r.address).ergoTree,
    }));
  }

  /** Steps 2–3. A 4xx answer fails the payment (money returned); anything else leaves the outcome unknown. */
  private async send(wallet: WalletNode, id: bigint, outputs: RequestedOutput[]): Promise<SendOutcome> {
    await markInFlight(this.o.db, id);
    await this.o.hooks?.beforeSend?.(id);
    let txId: string;
    try {
      txId = await wallet.paymentSend(outputs.map((o) => ({ address: o.address, value: o.value })));
    } catch (err) {
      const reason = describeError(err);
      if (err instanceof NodeApiError && err.status >= 400 && err.status < 500) {
        await failPayment(this.o.db, id, reason);
        this.logger.error({ payment: id, reason }, `payment ${id} refused by the node: balances returned`);
        return { kind: 'failed', reason };
      }
      await noteError(this.o.db, id, reason);
      this.logger.error({ payment: id, reason }, `payment ${id}: outcome unknown, settled at the next run`);
      return { kind: 'unknown', reason };
    }
    await this.o.hooks?.afterSend?.(id, txId);
    await markSent(this.o.db, id, txId);
    await this.o.hooks?.afterRecord?.(id, txId);
    this.logger.info({ payment: id, txId, outputs: outputs.length }, `payment ${id} sent: ${txId}`);
    return { kind: 'sent', txId };
  }
}
