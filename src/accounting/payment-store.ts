import { acquireLease, type Database, holdsLease, type Lease, releaseLease, type Sql } from '../db/index.ts';
import { type LedgerEntry, payoutEntries, reversalEntries } from './ledger.ts';
import { storedRequest } from './payment-match.ts';
import type { PlannedBatch } from './payouts.ts';
import { bigOf, insertEntries } from './rows.ts';

/**
 * The payments table side of the payout run (see PaymentRunner for the order of the steps). Every payment,
 * its payout rows and the balances it debits are of one pool: each statement names it.
 */

export interface OpenPayment {
  id: bigint;
  status: 'planned' | 'in_flight' | 'sent';
  tx_id: string | null;
  request: unknown;
  last_attempt_at: Date | null;
  tx_inputs: string[] | null;
}

export async function openPayments(sql: Sql, poolId: string): Promise<OpenPayment[]> {
  const r = await sql.query<OpenPayment>(
    `SELECT id, status, tx_id, request, last_attempt_at, tx_inputs FROM payments
      WHERE pool_id = $1 AND status IN ('planned', 'in_flight', 'sent') ORDER BY id`,
    [poolId],
  );
  return r.rows;
}

/** The input boxes of a payment's transaction, once seen (the proof of a double spend needs them). */
export async function recordInputs(
  sql: Sql,
  poolId: string,
  id: bigint,
  inputs: readonly string[],
): Promise<void> {
  await sql.query(
    'UPDATE payments SET tx_inputs = $2::text[] WHERE id = $1 AND pool_id = $3 AND tx_inputs IS NULL',
    [id, [...inputs], poolId],
  );
}

/**
 * Transaction ids already recorded for some payment of any pool (one transaction pays one payment, never
 * two): pools may share a wallet, so a transaction matching this pool's outputs may be another pool's.
 */
export async function recordedTxIds(sql: Sql): Promise<Set<string>> {
  const r = await sql.query<{ tx_id: string }>('SELECT tx_id FROM payments WHERE tx_id IS NOT NULL');
  return new Set(r.rows.map((x) => x.tx_id));
}

/**
 * Step 1: the payment 'planned' with its outputs and its payout rows (balances debited), atomically, with
 * the payees' balance rows locked; null (nothing written) if a balance is no longer enough.
 */
export async function recordPayment(
  db: Database,
  poolId: string,
  batch: PlannedBatch,
  fromHeight: number,
  instance: string,
  lease: Lease,
): Promise<bigint | null> {
  return db.transaction(async (tx) => {
    await holdLease(tx, lease);
    const debits = new Map<string, bigint>();
    for (const d of [
      ...batch.outputs.map((o) => ({ address: o.address, amount: o.debit })),
      ...batch.feeDebits,
    ])
      debits.set(d.address, (debits.get(d.address) ?? 0n) + d.amount);
    const locked = await tx.query<{ address: string; payable: bigint }>(
      `SELECT address, payable FROM balances WHERE pool_id = $2 AND address = ANY($1::text[])
        ORDER BY address FOR UPDATE`,
      [[...debits.keys()], poolId],
    );
    const payable = new Map(locked.rows.map((r) => [r.address, bigOf(r.payable)]));
    if ([...debits].some(([address, debit]) => (payable.get(address) ?? 0n) < debit)) return null;
    const request = storedRequest(
      batch.outputs.map((o) => ({ address: o.address, value: o.value })),
      fromHeight,
    );
    const r = await tx.query<{ id: bigint }>(
      `INSERT INTO payments (pool_id, status, fee, request, instance)
       VALUES ($4, 'planned', $1, $2::jsonb, $3) RETURNING id`,
      [batch.fee, JSON.stringify(request), instance, poolId],
    );
    const id = bigOf(r.rows[0]!.id);
    for (const o of batch.outputs)
      await tx.query('INSERT INTO payment_outputs (payment_id, address, amount) VALUES ($1, $2, $3)', [
        id,
        o.address,
        o.value,
      ]);
    await insertEntries(tx, poolId, payoutEntries(String(id), batch));
    return id;
  });
}

/**
 * Step 2: 'in_flight', one more attempt, just before the wallet is asked — only while this run holds the
 * payout lease (fenced by its token: a run that lost the lease can never start a send). false: the payment
 * is no longer planned or in flight.
 */
export async function markInFlight(db: Database, poolId: string, id: bigint, lease: Lease): Promise<boolean> {
  return db.transaction(async (tx) => {
    await holdLease(tx, lease);
    const r = await tx.query(
      `UPDATE payments SET status = 'in_flight', attempts = attempts + 1, last_attempt_at = now(), updated_at = now()
        WHERE id = $1 AND pool_id = $2 AND status IN ('planned', 'in_flight')`,
      [id, poolId],
    );
    return r.rowCount > 0;
  });
}

/** Step 3: 'sent' with the transaction id. */
export async function markSent(sql: Sql, poolId: string, id: bigint, txId: string): Promise<void> {
  await sql.query(
    `UPDATE payments SET status = 'sent', tx_id = $2, sent_at = now(), last_error = NULL, updated_at = now()
      WHERE id = $1 AND pool_id = $3 AND status IN ('planned', 'in_flight')`,
    [id, txId, poolId],
  );
}

export async function noteError(sql: Sql, poolId: string, id: bigint, reason: string): Promise<void> {
  await sql.query('UPDATE payments SET last_error = $2, updated_at = now() WHERE id = $1 AND pool_id = $3', [
    id,
    reason,
    poolId,
  ]);
}

/**
 * A payment that can never confirm — the node refused it, it never reached the node, or (`fromSent`) its
 * inputs were spent by another transaction: 'failed', and every debit returned with payout_reversal rows.
 */
export async function failPayment(
  db: Database,
  poolId: string,
  id: bigint,
  reason: string,
  fromSent = false,
): Promise<void> {
  await db.transaction((tx) => failPaymentIn(tx, poolId, id, reason, fromSent));
}

/** Inside a transaction: fails the payment and returns its amounts to the balances; false if not changed. */
async function failPaymentIn(
  tx: Sql,
  poolId: string,
  id: bigint,
  reason: string,
  fromSent: boolean,
): Promise<boolean> {
  const r = await tx.query<{ status: string }>(
    'SELECT status FROM payments WHERE id = $1 AND pool_id = $2 FOR UPDATE',
    [id, poolId],
  );
  const status = r.rows[0]?.status;
  if (status !== 'in_flight' && status !== 'planned' && !(fromSent && status === 'sent')) return false;
  const rows = await tx.query<{ address: string; amount: bigint }>(
    `SELECT address, amount FROM ledger_entries WHERE pool_id = $2 AND payment_id = $1 AND kind = 'payout'`,
    [id, poolId],
  );
  const entries: LedgerEntry[] = rows.rows.map((e) => ({
    address: e.address,
    kind: 'payout',
    amount: bigOf(e.amount),
    blockId: null,
    paymentId: String(id),
    reason: '',
  }));
  await insertEntries(tx, poolId, reversalEntries(String(id), entries));
  await tx.query(
    `UPDATE payments SET status = 'failed', failed_at = now(), last_error = $2, updated_at = now()
      WHERE id = $1 AND pool_id = $3`,
    [id, reason, poolId],
  );
  return true;
}

export type AbandonOutcome = { abandoned: true } | { abandoned: false; notFound: boolean; reason: string };

/**
 * The operator settles a payment in doubt: it fails and its amounts go back to the balances (paid again at
 * the next run). Only a `sent` or `in_flight` payment, and an in-flight one only while no payout run holds
 * the payout lease (that run may be sending it right now: abandoning it then would pay twice). Abandoning
 * a payment whose transaction still confirms pays its miners twice: the operator checks first.
 */
export async function abandonPayment(
  db: Database,
  poolId: string,
  id: bigint,
  reason: string,
): Promise<AbandonOutcome> {
  return db.transaction(async (tx): Promise<AbandonOutcome> => {
    const r = await tx.query<{ status: string }>(
      'SELECT status FROM payments WHERE id = $1 AND pool_id = $2 FOR UPDATE',
      [id, poolId],
    );
    const status = r.rows[0]?.status;
    if (status === undefined)
      return { abandoned: false, notFound: true, reason: `no payment ${id} in pool ${poolId}` };
    if (status !== 'in_flight' && status !== 'sent')
      return {
        abandoned: false,
        notFound: false,
        reason: `payment ${id} is ${status}: only a sent or in-flight payment can be abandoned`,
      };
    if (status === 'in_flight') {
      const run = await tx.query(`SELECT 1 FROM leases WHERE name = $1 AND expires_at > now() FOR UPDATE`, [
        LEASE,
      ]);
      if (run.rowCount > 0)
        return {
          abandoned: false,
          notFound: false,
          reason: `payment ${id} is in flight and a payout run holds the payout lease (it may be sending it): try again when the run ends`,
        };
    }
    await failPaymentIn(tx, poolId, id, `abandoned by the operator: ${reason}`, true);
    return { abandoned: true };
  });
}

export interface SentPayment {
  id: bigint;
  tx_id: string;
  request: unknown;
  tx_inputs: string[] | null;
}

/**
 * The operator's decision on a payment in doubt (an in-flight or sent payment whose transaction cannot be
 * found): it can never confirm, so it is failed and its balances returned — the next run pays them again.
 * Only for a payment known to be lost: abandoning one that still confirms pays its miners twice.
 */

/** Sent payments, their transaction ids and inputs (when known). */
export async function sentPayments(sql: Sql, poolId: string): Promise<SentPayment[]> {
  const r = await sql.query<SentPayment>(
    `SELECT id, tx_id, request, tx_inputs FROM payments WHERE pool_id = $1 AND status = 'sent' ORDER BY id`,
    [poolId],
  );
  return r.rows;
}

export async function updateConfirmations(
  sql: Sql,
  poolId: string,
  id: bigint,
  confirmations: number,
  done: boolean,
  note: string | null,
): Promise<void> {
  await sql.query(
    `UPDATE payments SET confirmations = $2, status = CASE WHEN $3 THEN 'confirmed' ELSE status END,
            confirmed_at = CASE WHEN $3 THEN now() ELSE confirmed_at END, updated_at = now(), last_error = $4
      WHERE id = $1 AND pool_id = $5 AND status = 'sent'`,
    [id, confirmations, done, note, poolId],
  );
}

/** The pool's payable balances with each miner's threshold there, except addresses whose payouts are held. */
export async function payableBalances(sql: Sql, poolId: string) {
  const r = await sql.query<{ address: string; payable: bigint; threshold: bigint | null }>(
    `SELECT b.address, b.payable, s.payout_threshold AS threshold FROM balances b
       LEFT JOIN miner_settings s ON s.pool_id = b.pool_id AND s.address = b.address
      WHERE b.pool_id = $1 AND b.payable > 0 AND s.payouts_held_reason IS NULL ORDER BY b.address`,
    [poolId],
  );
  return r.rows;
}

/** Records why an address is not paid (miner_settings.payouts_held_reason); the operator clears it. */
export async function holdPayouts(sql: Sql, poolId: string, address: string, reason: string): Promise<void> {
  await sql.query(
    `INSERT INTO miner_settings (pool_id, address, payouts_held_reason, payouts_held_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (pool_id, address) DO UPDATE SET payouts_held_reason = EXCLUDED.payouts_held_reason,
            payouts_held_at = now(), updated_at = now()`,
    [poolId, address, reason],
  );
}

/** The payout lease (src/db leases): one instance pays at a time. */
const LEASE = 'payouts';

/** Another instance took the payout lease (this one was too slow, or paused): this run must stop. */
export class LeaseLostError extends Error {
  constructor(lease: Lease) {
    super(`payout lease of ${lease.holder} (token ${lease.token}) was lost: another instance may be paying`);
    this.name = 'LeaseLostError';
  }
}

/**
 * Takes the payout lease when it is free, expired, or already ours (the same instance after a restart).
 * null: another instance holds it.
 */
export function takePayoutLease(sql: Sql, holder: string, leaseMs: number): Promise<Lease | null> {
  return acquireLease(sql, LEASE, holder, leaseMs);
}

/** Extends the lease by `leaseMs` from now; LeaseLostError when another instance has taken it meanwhile. */
export async function renewPayoutLease(sql: Sql, lease: Lease, leaseMs: number): Promise<void> {
  const renewed = await acquireLease(sql, LEASE, lease.holder, leaseMs);
  if (renewed?.token !== lease.token) throw new LeaseLostError(lease);
}

/** Inside a transaction: locks the lease row and checks that this run still holds it. */
async function holdLease(tx: Sql, lease: Lease): Promise<void> {
  if (!(await holdsLease(tx, lease))) throw new LeaseLostError(lease);
}

export function releasePayoutLease(sql: Sql, lease: Lease): Promise<void> {
  return releaseLease(sql, lease);
}
