import type { Credit } from './apportion.ts';
import type { BlockStatus } from './classify.ts';
import { getOrCreate } from './exact.ts';
import type { PlannedBatch } from './payouts.ts';

/**
 * The ledger, as stored (migration 0003): every credit and debit is one append-only row in signed integer
 * nanoERG. A row linked to a block follows the block's status — immature while it is pending, payable once
 * confirmed, void (counted nowhere) if orphaned; a row without a block is payable at once. Payouts are
 * negative rows linked to a payment and also count as paid (in flight, sent or confirmed); a payment that
 * definitively failed is undone with positive payout_reversal rows. Balances are derived from the rows;
 * this module derives them the same way, purely, so the invariants can be checked from both sides.
 */
export type LedgerKind = 'block_credit' | 'pps_credit' | 'fee' | 'payout' | 'adjustment' | 'payout_reversal';
export const LEDGER_KINDS: readonly LedgerKind[] = [
  'block_credit',
  'pps_credit',
  'fee',
  'payout',
  'adjustment',
  'payout_reversal',
];

export interface LedgerEntry {
  address: string;
  kind: LedgerKind;
  /** Signed nanoERG: credits > 0, payouts < 0, reversals > 0, adjustments either way. */
  amount: bigint;
  blockId: string | null;
  paymentId: string | null;
  reason: string;
}

export interface Balance {
  address: string;
  immature: bigint;
  payable: bigint;
  paid: bigint;
}

export interface LedgerBlock {
  id: string;
  status: BlockStatus;
  /** Reward read from the chain; null until known. */
  reward: bigint | null;
  /** The block's split was written to the ledger (blocks.credited_at). */
  credited: boolean;
}

export type PaymentStatus = 'planned' | 'in_flight' | 'sent' | 'confirmed' | 'failed';

export interface LedgerPayment {
  id: string;
  status: PaymentStatus;
  txId: string | null;
  /** The transaction fee. */
  fee: bigint;
  /** What each address receives (payment_outputs). */
  outputs: readonly { address: string; amount: bigint }[];
}

export function emptyBalance(address: string): Balance {
  return { address, immature: 0n, payable: 0n, paid: 0n };
}

const isPayout = (k: LedgerKind) => k === 'payout' || k === 'payout_reversal';

/** The rows of a block's split: miners' and the pool account's parts as block_credit, fee recipients' as fee. */
export function blockCreditEntries(
  blockId: string,
  credits: readonly Credit[],
  describe = `block ${blockId}`,
): LedgerEntry[] {
  return credits.map((c) => ({
    address: c.address,
    kind: c.kind === 'fee' ? 'fee' : 'block_credit',
    amount: c.amount,
    blockId,
    paymentId: null,
    reason:
      c.kind === 'fee'
        ? `pool fee of ${describe}`
        : c.kind === 'pool'
          ? `PPS pool reward of ${describe}`
          : `reward of ${describe}`,
  }));
}

/** The rows of a PPS period: miners' credits as pps_credit, fee recipients' as fee; payable at once. */
export function ppsEntries(credits: readonly Credit[], describe: string): LedgerEntry[] {
  return credits.map((c) => ({
    address: c.address,
    kind: c.kind === 'fee' ? 'fee' : 'pps_credit',
    amount: c.amount,
    blockId: null,
    paymentId: null,
    reason: c.kind === 'fee' ? `pool fee of PPS ${describe}` : `PPS ${describe}`,
  }));
}

/**
 * The rows debiting a planned payment: one negative payout row per output (its whole debit), and when the
 * pool pays the transaction fee, one per fee account charged with its part of it.
 */
export function payoutEntries(paymentId: string, batch: PlannedBatch): LedgerEntry[] {
  const fees: LedgerEntry[] = batch.feeDebits.map((d) => ({
    address: d.address,
    kind: 'payout',
    amount: -d.amount,
    blockId: null,
    paymentId,
    reason: `transaction fee of payment ${paymentId} (paid from the pool fee)`,
  }));
  const outputs: LedgerEntry[] = batch.outputs.map((o) => ({
    address: o.address,
    kind: 'payout',
    amount: -o.debit,
    blockId: null,
    paymentId,
    reason:
      o.feeShare > 0n
        ? `payout of payment ${paymentId} (${o.value} sent + ${o.feeShare} of the tx fee)`
        : `payout of payment ${paymentId}`,
  }));
  return [...outputs, ...fees];
}

/** The rows undoing a payment that definitively failed: the opposite of each of its payout rows. */
export function reversalEntries(paymentId: string, entries: readonly LedgerEntry[]): LedgerEntry[] {
  return entries
    .filter((e) => e.paymentId === paymentId && e.kind === 'payout')
    .map((e) => ({
      address: e.address,
      kind: 'payout_reversal',
      amount: -e.amount,
      blockId: null,
      paymentId,
      reason: `payment ${paymentId} failed: returned`,
    }));
}

/** Balances derived from the rows and the blocks' statuses (what the view balances_from_ledger computes). */
export function balancesOf(
  entries: readonly LedgerEntry[],
  blockStatus: ReadonlyMap<string, BlockStatus>,
): Map<string, Balance> {
  const out = new Map<string, Balance>();
  for (const e of entries) {
    const b = getOrCreate(out, e.address, () => emptyBalance(e.address));
    const status = e.blockId === null ? null : blockStatus.get(e.blockId);
    if (e.blockId === null || status === 'confirmed') b.payable += e.amount;
    else if (status === 'pending') b.immature += e.amount;
    if (isPayout(e.kind)) b.paid -= e.amount;
  }
  return out;
}

/** Σ credits per address: every non-payout row whose block is not orphaned. */
export function creditedOf(
  entries: readonly LedgerEntry[],
  blockStatus: ReadonlyMap<string, BlockStatus>,
): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const e of entries) {
    if (isPayout(e.kind)) continue;
    if (e.blockId !== null && blockStatus.get(e.blockId) === 'orphaned') continue;
    out.set(e.address, (out.get(e.address) ?? 0n) + e.amount);
  }
  return out;
}
