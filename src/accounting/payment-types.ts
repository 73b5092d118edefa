import type { Logger } from 'pino';
import type { Database } from '../db/index.ts';
import type {
  PaymentRequest,
  UnconfirmedTransaction,
  WalletBalances,
  WalletStatus,
  WalletTransaction,
  WalletTransactionsQuery,
} from '../ergo/index.ts';
import type { Alert } from './alerts.ts';
import type { MempoolNode } from './payment-doubt.ts';
import type { PayoutPlan, PayoutRules } from './payouts.ts';

/** The payout run's options, wallet routes, test hooks and report. */

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
  /** The pool whose balances are paid (its payments, ledger and settings only). */
  poolId: string;
  /** The wallet node (exactly one node pays: NodeSet.wallet()). */
  wallet: () => WalletNode;
  /** Every node of the pool: a payment's transaction is looked for in each one's mempool (default: the wallet's). */
  mempools?: () => readonly MempoolNode[];
  rules: PayoutRules;
  /** The coin's address check (Coin.checkAddress): null when the pool can pay the address, else why not. */
  checkAddress: (address: string) => string | null;
  walletPassword?: string;
  /** Confirmations after which a payment transaction is 'confirmed' (default 10); also the depth of a double spend's proof. */
  confirmations?: number;
  /** An in-flight payment found nowhere is in doubt (an alert) only this long after its attempt (default 60 s). */
  inFlightGraceMs?: number;
  /** This pool instance's name: payment rows and the payout lease (one instance pays at a time). */
  instance?: string;
  /** The payout lease lasts this long and is renewed before every send (default 10 min). */
  leaseMs?: number;
  /** Who holds the payout lease (default: `instance`); the accounting leader's name when elected. */
  leaseHolder?: string;
  hooks?: PaymentHooks;
  alert?: Alert;
  logger?: Logger;
  now?: () => Date;
}

export interface PayoutReport {
  reconciled: {
    paymentId: bigint;
    txId: string | null;
    outcome: 'found' | 'resent' | 'waiting' | 'in-doubt' | 'failed';
  }[];
  sent: { paymentId: bigint; txId: string; outputs: number }[];
  failed: { paymentId: bigint; reason: string }[];
  confirmed: bigint[];
  /** Sent payments whose transaction is in no mempool nor on the chain, not provably unable to confirm. */
  inDoubt: bigint[];
  /** Sent payments proven unable to confirm (an input spent by another transaction): failed, paid again. */
  doubleSpent: bigint[];
  setAside: PayoutPlan['setAside'];
  walletShort: PayoutPlan['walletShort'];
  feeShort: PayoutPlan['feeShort'];
  /** Why no new payments were made this run. */
  skipped?: string;
}
