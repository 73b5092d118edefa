import { InvalidAddressError, type NetworkName, parseAddress } from '../ergo/index.ts';
import { isInternalAccount } from './schemes.ts';

/** The node wallet's default fee per transaction (wallet.defaultTransactionFee, 0.001 ERG). */
export const NODE_TX_FEE = 1_000_000n;

export interface PayoutRules {
  /** Pool minimum payout (nanoERG); per-miner thresholds below it are raised to it. */
  minimum: bigint;
  /** Outputs (payees) per transaction. */
  outputsPerTx: number;
  /** Fee per transaction (the node adds 1,000,000 nanoERG to /wallet/payment/send). */
  txFee: bigint;
  /**
   * 'pool': the pool's wallet pays each transaction's fee on top of the payouts (miners receive their
   * whole balance). 'miners': the fee is split equally among the transaction's outputs and deducted from
   * what they receive (their whole balance is still debited).
   */
  txFeePaidBy: 'pool' | 'miners';
  /** Smallest output value sent (the node's minimum box value is ~0.00003 ERG for P2PK). */
  minOutputValue: bigint;
  /** When the wallet cannot cover everything: false (default) waits for the next run; true pays the batches that fit. */
  partial?: boolean;
}

export const DEFAULT_PAYOUT_RULES: PayoutRules = {
  minimum: 1_000_000_000n,
  outputsPerTx: 50,
  txFee: NODE_TX_FEE,
  txFeePaidBy: 'pool',
  minOutputValue: 1_000_000n,
  partial: false,
};

export interface PayoutCandidate {
  address: string;
  payable: bigint;
  /** Miner's own threshold (miner_settings), if any. */
  threshold?: bigint | null;
}

export interface PlannedOutput {
  address: string;
  /** Debited from the miner's payable balance. */
  debit: bigint;
  /** Sent to the address (debit − feeShare). */
  value: bigint;
  /** Part of the tx fee the miner bears ('miners' mode), else 0. */
  feeShare: bigint;
}

export interface PlannedBatch {
  outputs: PlannedOutput[];
  /** The node fee of this transaction. */
  fee: bigint;
  /** Σ debits. */
  debitTotal: bigint;
  /** What leaves the wallet: Σ values + fee. */
  walletCost: bigint;
}

export interface PayoutPlan {
  batches: PlannedBatch[];
  /** Addresses that cannot be paid (invalid), with the reason; they never block the others. */
  setAside: { address: string; payable: bigint; reason: string }[];
  /** Batches not sent this run because the wallet is short (next run). */
  deferred: PlannedBatch[];
  /** Set when the wallet could not cover everything due. */
  walletShort: { needed: bigint; available: bigint } | null;
}

export function checkPayoutRules(r: PayoutRules): void {
  if (!Number.isSafeInteger(r.outputsPerTx) || r.outputsPerTx < 1)
    throw new RangeError('outputsPerTx must be a whole number ≥ 1');
  if (r.txFee < 0n) throw new RangeError('txFee must not be negative');
  if (r.minOutputValue < 1n) throw new RangeError('minOutputValue must be ≥ 1');
  const floor = r.minOutputValue + (r.txFeePaidBy === 'miners' ? r.txFee : 0n);
  if (r.minimum < floor)
    throw new RangeError(
      `minimum payout must be at least ${floor} nanoERG (smallest output${r.txFeePaidBy === 'miners' ? ' + the whole tx fee' : ''})`,
    );
}

/** Validator of miner addresses for the pool's network: null when valid, else the reason. */
export function addressValidator(network: NetworkName): (address: string) => string | null {
  return (address) => {
    try {
      parseAddress(address, network);
      return null;
    } catch (err) {
      return err instanceof InvalidAddressError ? err.reason : (err as Error).message;
    }
  };
}

function batchOf(payees: readonly PayoutCandidate[], rules: PayoutRules): PlannedBatch {
  const n = BigInt(payees.length);
  const byMiners = rules.txFeePaidBy === 'miners';
  const base = byMiners ? rules.txFee / n : 0n;
  let extra = byMiners ? rules.txFee % n : 0n; // the first `extra` outputs (address order) bear 1 more
  const outputs = payees.map((p) => {
    const feeShare = byMiners ? base + (extra-- > 0n ? 1n : 0n) : 0n;
    return { address: p.address, debit: p.payable, value: p.payable - feeShare, feeShare };
  });
  const debitTotal = outputs.reduce((s, o) => s + o.debit, 0n);
  const sent = outputs.reduce((s, o) => s + o.value, 0n);
  return { outputs, fee: rules.txFee, debitTotal, walletCost: sent + rules.txFee };
}

/**
 * Plans a payout run (pure). Every account whose payable balance reaches its threshold (the miner's own,
 * never below the pool minimum) is paid its whole payable balance, in address order, `outputsPerTx`
 * outputs per transaction. Invalid addresses are set aside with a reason and never block others;
 * internal accounts (the PPS pool account) are never paid. When the wallet's available balance cannot
 * cover everything, nothing is sent (`partial`: only the batches that fit, in order) and the rest waits.
 */
export function planPayouts(input: {
  balances: readonly PayoutCandidate[];
  rules: PayoutRules;
  walletAvailable: bigint;
  validateAddress: (address: string) => string | null;
}): PayoutPlan {
  const { rules } = input;
  checkPayoutRules(rules);
  const setAside: PayoutPlan['setAside'] = [];
  const due: PayoutCandidate[] = [];
  for (const c of input.balances) {
    if (isInternalAccount(c.address) || c.payable <= 0n) continue;
    const own = c.threshold ?? rules.minimum;
    const threshold = own > rules.minimum ? own : rules.minimum;
    if (c.payable < threshold) continue;
    const reason = input.validateAddress(c.address);
    if (reason !== null) {
      setAside.push({ address: c.address, payable: c.payable, reason });
      continue;
    }
    due.push(c);
  }
  due.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const all: PlannedBatch[] = [];
  for (let i = 0; i < due.length; i += rules.outputsPerTx)
    all.push(batchOf(due.slice(i, i + rules.outputsPerTx), rules));
  const needed = all.reduce((s, b) => s + b.walletCost, 0n);
  if (needed <= input.walletAvailable) return { batches: all, setAside, deferred: [], walletShort: null };
  const walletShort = { needed, available: input.walletAvailable };
  if (!rules.partial) return { batches: [], setAside, deferred: all, walletShort };
  const batches: PlannedBatch[] = [];
  const deferred: PlannedBatch[] = [];
  let left = input.walletAvailable;
  for (const b of all) {
    if (b.walletCost <= left) {
      batches.push(b);
      left -= b.walletCost;
    } else deferred.push(b);
  }
  return { batches, setAside, deferred, walletShort };
}
