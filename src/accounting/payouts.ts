import type { Ratio } from '../coin/index.ts';
import { apportion } from './apportion.ts';
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
   * 'miners': the fee is split equally among the transaction's outputs and deducted from what they receive
   * (their whole balance is still debited). 'pool': miners receive their whole balance and the fee is
   * charged to the pool's fee income (`feePayers`, by their rates) in the same ledger — never to money the
   * pool does not have.
   */
  txFeePaidBy: 'pool' | 'miners';
  /** 'pool' mode: the accounts each transaction's fee is charged to (the pool fee's recipients, by rate). */
  feePayers?: readonly { address: string; rate: Ratio }[];
  /** Smallest output value sent (the node's minimum box value is ~0.00003 ERG for P2PK). */
  minOutputValue: bigint;
  /** When the wallet cannot cover everything: false (default) waits for the next run; true pays the batches that fit. */
  partial?: boolean;
}

export const DEFAULT_PAYOUT_RULES: PayoutRules = {
  minimum: 1_000_000_000n,
  outputsPerTx: 50,
  txFee: NODE_TX_FEE,
  txFeePaidBy: 'miners',
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
  /** 'pool' mode: the fee charged to the pool's fee accounts (Σ = fee); empty when the miners pay it. */
  feeDebits: { address: string; amount: bigint }[];
  /** Σ debits (outputs and fee debits). */
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
  /** 'pool' mode: set (and nothing is paid) when the pool's fee accounts cannot cover the run's transaction fees. */
  feeShort: { needed: bigint; available: bigint } | null;
}

export function checkPayoutRules(r: PayoutRules): void {
  if (!Number.isSafeInteger(r.outputsPerTx) || r.outputsPerTx < 1)
    throw new RangeError('outputsPerTx must be a whole number ≥ 1');
  if (r.txFee < 0n) throw new RangeError('txFee must not be negative');
  if (r.minOutputValue < 1n) throw new RangeError('minOutputValue must be ≥ 1');
  if (r.txFeePaidBy === 'pool' && (r.feePayers ?? []).every((p) => p.rate.num === 0n))
    throw new RangeError(
      'txFeePaidBy pool charges transaction fees to the pool fee: it needs at least one fee recipient',
    );
  const floor = r.minOutputValue + (r.txFeePaidBy === 'miners' ? r.txFee : 0n);
  if (r.minimum < floor)
    throw new RangeError(
      `minimum payout must be at least ${floor} nanoERG (smallest output${r.txFeePaidBy === 'miners' ? ' + the whole tx fee' : ''})`,
    );
}

/** 'pool' mode: one transaction's fee split over the fee payers by their rates (exact, Σ = txFee). */
export function txFeeDebits(rules: PayoutRules): { address: string; amount: bigint }[] {
  if (rules.txFeePaidBy !== 'pool') return [];
  return apportion(
    rules.txFee,
    (rules.feePayers ?? []).map((p) => ({ address: p.address, kind: 'fee' as const, weight: p.rate })),
  ).map((c) => ({ address: c.address, amount: c.amount }));
}

/** One transaction: `amounts` is what each payee's output is debited (its payable, less any fee reserve). */
export function batchOf(
  payees: readonly { address: string; amount: bigint }[],
  rules: PayoutRules,
): PlannedBatch {
  const n = BigInt(payees.length);
  const byMiners = rules.txFeePaidBy === 'miners';
  const base = byMiners ? rules.txFee / n : 0n;
  let extra = byMiners ? rules.txFee % n : 0n; // the first `extra` outputs (address order) bear 1 more
  const outputs = payees.map((p) => {
    const feeShare = byMiners ? base + (extra-- > 0n ? 1n : 0n) : 0n;
    return { address: p.address, debit: p.amount, value: p.amount - feeShare, feeShare };
  });
  const feeDebits = txFeeDebits(rules);
  const debitTotal = outputs.reduce((s, o) => s + o.debit, 0n) + feeDebits.reduce((s, d) => s + d.amount, 0n);
  const sent = outputs.reduce((s, o) => s + o.value, 0n);
  return { outputs, fee: rules.txFee, feeDebits, debitTotal, walletCost: sent + rules.txFee };
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
    if (c.payable < thresholdOf(c, rules)) continue;
    const reason = input.validateAddress(c.address);
    if (reason !== null) {
      setAside.push({ address: c.address, payable: c.payable, reason });
      continue;
    }
    due.push(c);
  }
  due.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  // 'pool' mode: each fee payer's part of every transaction's fee is reserved from its own balance first; a
  // payer left below its threshold by the reserve is not paid this run (fewer payees, fewer transactions).
  const perTx = txFeeDebits(rules);
  let payees = due;
  let reserve = new Map<string, bigint>();
  for (;;) {
    const transactions = BigInt(Math.ceil(payees.length / rules.outputsPerTx));
    reserve = new Map(perTx.map((d) => [d.address, d.amount * transactions]));
    const short = payees.filter((c) => {
      const r = reserve.get(c.address);
      return r !== undefined && c.payable - r < thresholdOf(c, rules);
    });
    if (short.length === 0) break;
    payees = payees.filter((c) => !short.includes(c));
  }
  const held = new Map(input.balances.map((b) => [b.address, b.payable]));
  const feeNeeded = [...reserve.values()].reduce((s, v) => s + v, 0n);
  const feeAvailable = [...reserve.keys()].reduce((s, a) => s + (held.get(a) ?? 0n), 0n);
  if ([...reserve].some(([a, r]) => (held.get(a) ?? 0n) < r)) {
    const all = chunks(payees, reserve, rules);
    return {
      batches: [],
      setAside,
      deferred: all,
      walletShort: null,
      feeShort: { needed: feeNeeded, available: feeAvailable },
    };
  }
  const all = chunks(payees, reserve, rules);
  const needed = all.reduce((s, b) => s + b.walletCost, 0n);
  if (needed <= input.walletAvailable)
    return { batches: all, setAside, deferred: [], walletShort: null, feeShort: null };
  const walletShort = { needed, available: input.walletAvailable };
  if (!rules.partial) return { batches: [], setAside, deferred: all, walletShort, feeShort: null };
  const batches: PlannedBatch[] = [];
  const deferred: PlannedBatch[] = [];
  let left = input.walletAvailable;
  for (const b of all) {
    if (b.walletCost <= left) {
      batches.push(b);
      left -= b.walletCost;
    } else deferred.push(b);
  }
  return { batches, setAside, deferred, walletShort, feeShort: null };
}

function thresholdOf(c: PayoutCandidate, rules: PayoutRules): bigint {
  const own = c.threshold ?? rules.minimum;
  return own > rules.minimum ? own : rules.minimum;
}

function chunks(
  payees: readonly PayoutCandidate[],
  reserve: ReadonlyMap<string, bigint>,
  rules: PayoutRules,
): PlannedBatch[] {
  const out: PlannedBatch[] = [];
  const amounts = payees.map((c) => ({
    address: c.address,
    amount: c.payable - (reserve.get(c.address) ?? 0n),
  }));
  for (let i = 0; i < amounts.length; i += rules.outputsPerTx)
    out.push(batchOf(amounts.slice(i, i + rules.outputsPerTx), rules));
  return out;
}
