import type { Logger } from 'pino';
import type { Database } from '../db/index.ts';
import { describeError, type WalletTransaction } from '../ergo/index.ts';
import type { Alert } from './alerts.ts';
import { doubleSpender, type MempoolView } from './payment-doubt.ts';
import { parseStoredRequest } from './payment-match.ts';
import { failPayment, recordInputs, sentPayments, updateConfirmations } from './payment-store.ts';

/** The wallet routes tracking a sent payment needs. */
export interface TrackingWallet {
  walletTransactionById(txId: string): Promise<WalletTransaction | null>;
  walletTransactions(query?: { minInclusionHeight?: number }): Promise<WalletTransaction[]>;
}

export interface TrackingResult {
  confirmed: bigint[];
  /** In no node's mempool and not on the chain, and nothing proves it can never confirm: an alert. */
  inDoubt: bigint[];
  /** Proven unable to confirm (another confirmed transaction spent an input): failed, its money returned. */
  doubleSpent: bigint[];
}

/**
 * Every sent payment, each run: its confirmations ('confirmed' once `confirmations` deep). One the wallet
 * does not know is looked for in every node's mempool; gone from all of them it is paid again only when that
 * is proven safe — another transaction at least `confirmations` deep spent one of its inputs — and otherwise
 * stays sent with a 'payment-in-doubt' alert (it may still be held by peers and confirm later).
 */
export async function trackSentPayments(o: {
  db: Database;
  poolId: string;
  wallet: TrackingWallet;
  mempools: () => Promise<MempoolView>;
  confirmations: number;
  alert: Alert;
  logger: Logger;
}): Promise<TrackingResult> {
  const result: TrackingResult = { confirmed: [], inDoubt: [], doubleSpent: [] };
  let history: WalletTransaction[] | null = null;
  const sent = await sentPayments(o.db, o.poolId);
  const from = Math.min(...sent.map((p) => parseStoredRequest(p.request).fromHeight));
  for (const p of sent) {
    let tx: WalletTransaction | null;
    try {
      tx = await o.wallet.walletTransactionById(p.tx_id);
    } catch (err) {
      o.logger.warn({ payment: p.id, err: describeError(err) }, 'payment confirmation check failed');
      continue;
    }
    if (tx) {
      if (!p.tx_inputs)
        await recordInputs(
          o.db,
          o.poolId,
          p.id,
          tx.inputs.map((i) => i.boxId),
        );
      const done = tx.numConfirmations >= o.confirmations;
      await updateConfirmations(o.db, o.poolId, p.id, tx.numConfirmations, done, null);
      if (done) result.confirmed.push(p.id);
      continue;
    }
    const mempools = await o.mempools();
    const seen = mempools.txs.get(p.tx_id);
    if (seen) {
      if (!p.tx_inputs)
        await recordInputs(
          o.db,
          o.poolId,
          p.id,
          seen.tx.inputs.map((i) => i.boxId),
        );
      await updateConfirmations(
        o.db,
        o.poolId,
        p.id,
        0,
        false,
        `not in the wallet; in the mempool of ${seen.node}`,
      );
      continue;
    }
    if (!mempools.complete) {
      await updateConfirmations(
        o.db,
        o.poolId,
        p.id,
        0,
        false,
        `not in the wallet; ${mempools.errors.join('; ')}`,
      );
      continue;
    }
    if (p.tx_inputs) {
      history ??= await o.wallet.walletTransactions({ minInclusionHeight: from });
      const spender = doubleSpender(history, { id: p.tx_id, inputs: p.tx_inputs }, o.confirmations);
      if (spender) {
        const reason = `transaction ${p.tx_id} can never confirm: its input ${spender.boxId} was spent by ${spender.txId}`;
        await failPayment(o.db, o.poolId, p.id, reason, true);
        o.alert(
          'payment-double-spent',
          `payment ${p.id}: ${reason}; its balances are returned and paid again`,
          {
            payment: p.id,
            txId: p.tx_id,
            spentBy: spender.txId,
            boxId: spender.boxId,
          },
        );
        result.doubleSpent.push(p.id);
        continue;
      }
    }
    const note = 'dropped: in no node’s mempool and not on the chain';
    await updateConfirmations(o.db, o.poolId, p.id, 0, false, note);
    o.alert(
      'payment-in-doubt',
      `payment ${p.id}: transaction ${p.tx_id} is ${note}, and no other transaction is known to spend its inputs; ` +
        'it is not paid again (peers may still hold it). If it can never confirm, abandon it and it is paid again',
      { payment: p.id, txId: p.tx_id, inputs: p.tx_inputs },
    );
    result.inDoubt.push(p.id);
  }
  return result;
}
