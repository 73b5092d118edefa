import type { Database, Sql } from '../db/index.ts';
import { type LedgerEntry, payoutEntries, reversalEntries } from './ledger.ts';
import { storedRequest } from './payment-match.ts';
import type { PlannedBatch } from './payouts.ts';
import { bigOf, insertEntries } from './rows.ts';

/** The payments table side of the payout run (see PaymentRunner for the order of the steps). */

export interface OpenPayment {
  id: bigint;
  status: 'planned' | 'in_flight' | 'sent';
  tx_id: string | null;
  request: unknown;
  last_attempt_at: Date | null;
}

export async function openPayments(sql: Sql): Promise<OpenPayment[]> {
  const r = await sql.query<OpenPayment>(
    `SELECT id, status, tx_id, request, last_attempt_at FROM payments
      WHERE status IN ('planned', 'in_flight', 'sent') ORDER BY id`,
  );
  return r.rows;
}

/** Transaction ids already recorded for some payment (one transaction pays one payment, never two). */
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
  batch: PlannedBatch,
  fromHeight: number,
  instance: string,
): Promise<bigint | null> {
  return db.transaction(async (tx) => {
    const debits = new Map<string, bigint>();
    for (const d of [
      ...batch.outputs.map((o) => ({ address: o.address, amount: o.debit })),
      ...batch.feeDebits,
    ])
      debits.set(d.address, (debits.get(d.address) ?? 0n) + d.amount);
    const locked = await tx.query<{ address: string; payable: bigint }>(
      'SELECT address, payable FROM balances WHERE address = ANY($1::text[]) ORDER BY address FOR UPDATE',
      [[...debits.keys()]],
    );
    const payable = new Map(locked.rows.map((r) => [r.address, bigOf(r.payable)]));
    if ([...debits].some(([address, debit]) => (payable.get(address) ?? 0n) < debit)) return null;
    const request = storedRequest(
      batch.outputs.map((o) => ({ address: o.address, value: o.value })),
      fromHeight,
    );
    const r = await tx.query<{ id: bigint }>(
      `INSERT INTO payments (status, fee, request, instance) VALUES ('planned', $1, $2::jsonb, $3) RETURNING id`,
      [batch.fee, JSON.stringify(request), instance],
    );
    const id = bigOf(r.rows[0]!.id);
    for (const o of batch.outputs)
      await tx.query('INSERT INTO payment_outputs (payment_id, address, amount) VALUES ($1, $2, $3)', [
        id,
        o.address,
        o.value,
      ]);
    await insertEntries(tx, payoutEntries(String(id), batch));
    return id;
  });
}

/** Step 2: 'in_flight', one more attempt, just before the wallet is asked. */
export async function markInFlight(sql: Sql, id: bigint): Promise<void> {
  await sql.query(
    `UPDATE payments SET status = 'in_flight', attempts = attempts + 1, last_attempt_at = now(), updated_at = now()
      WHERE id = $1 AND status IN ('planned', 'in_flight')`,
    [id],
  );
}

/** Step 3: 'sent' with the transaction id. */
export async function markSent(sql: Sql, id: bigint, txId: string): Promise<void> {
  await sql.query(
    `UPDATE payments SET status = 'sent', tx_id = $2, sent_at = now(), last_error = NULL, updated_at = now()
      WHERE id = $1 AND status IN ('planned', 'in_flight')`,
    [id, txId],
  );
}

export async function noteError(sql: Sql, id: bigint, reason: string): Promise<void> {
  await sql.query('UPDATE payments SET last_error = $2, updated_at = now() WHERE id = $1', [id, reason]);
}

/** A payment the node definitely refused: 'failed', and every debit returned with payout_reversal rows. */
export async function failPayment(db: Database, id: bigint, reason: string): Promise<void> {
  await db.transaction(async (tx) => {
    const r = await tx.query<{ status: string }>('SELECT status FROM payments WHERE id = $1 FOR UPDATE', [
      id,
    ]);
    const status = r.rows[0]?.status;
    if (status !== 'in_flight' && status !== 'planned') return;
    const rows = await tx.query<{ address: string; amount: bigint }>(
      `SELECT address, amount FROM ledger_entries WHERE payment_id = $1 AND kind = 'payout'`,
      [id],
    );
    const entries: LedgerEntry[] = rows.rows.map((e) => ({
      address: e.address,
      kind: 'payout',
      amount: bigOf(e.amount),
      blockId: null,
      paymentId: String(id),
      reason: '',
    }));
    await insertEntries(tx, reversalEntries(String(id), entries));
    await tx.query(
      `UPDATE payments SET status = 'failed', failed_at = now(), last_error = $2, updated_at = now() WHERE id = $1`,
      [id, reason],
    );
  });
}

/** Sent payments and their transaction ids. */
export async function sentPayments(sql: Sql): Promise<{ id: bigint; tx_id: string }[]> {
  const r = await sql.query<{ id: bigint; tx_id: string }>(
    `SELECT id, tx_id FROM payments WHERE status = 'sent' ORDER BY id`,
  );
  return r.rows;
}

export async function updateConfirmations(
  sql: Sql,
  id: bigint,
  confirmations: number,
  done: boolean,
  note: string | null,
): Promise<void> {
  await sql.query(
    `UPDATE payments SET confirmations = $2, status = CASE WHEN $3 THEN 'confirmed' ELSE status END,
            confirmed_at = CASE WHEN $3 THEN now() ELSE confirmed_at END, updated_at = now(), last_error = $4
      WHERE id = $1 AND status = 'sent'`,
    [id, confirmations, done, note],
  );
}

/** Payable balances with each miner's threshold, except addresses whose payouts are held. */
export async function payableBalances(sql: Sql) {
  const r = await sql.query<{ address: string; payable: bigint; threshold: bigint | null }>(
    `SELECT b.address, b.payable, s.payout_threshold AS threshold FROM balances b
       LEFT JOIN miner_settings s ON s.address = b.address
      WHERE b.payable > 0 AND s.payouts_held_reason IS NULL ORDER BY b.address`,
  );
  return r.rows;
}

/** Records why an address is not paid (miner_settings.payouts_held_reason); the operator clears it. */
export async function holdPayouts(sql: Sql, address: string, reason: string): Promise<void> {
  await sql.query(
    `INSERT INTO miner_settings (address, payouts_held_reason, payouts_held_at) VALUES ($1, $2, now())
     ON CONFLICT (address) DO UPDATE SET payouts_held_reason = EXCLUDED.payouts_held_reason,
            payouts_held_at = now(), updated_at = now()`,
    [address, reason],
  );
}

const LEASE = 'payouts-lease';

/**
 * Payouts run on one instance at a time: a lease row in pool_cursors, taken when free, expired, or already
 * ours (the same instance after a restart). false: another instance holds it.
 */
export async function takePayoutLease(sql: Sql, holder: string, leaseMs: number): Promise<boolean> {
  await sql.query(
    `INSERT INTO pool_cursors (name, value) VALUES ($1, '{"holder": "", "until": "1970-01-01T00:00:00Z"}'::jsonb)
     ON CONFLICT (name) DO NOTHING`,
    [LEASE],
  );
  const r = await sql.query(
    `UPDATE pool_cursors
        SET value = jsonb_build_object('holder', $2::text, 'until', now() + $3::integer * interval '1 millisecond'),
            updated_at = now()
      WHERE name = $1 AND (value->>'holder' = $2 OR (value->>'until')::timestamptz < now())
      RETURNING name`,
    [LEASE, holder, leaseMs],
  );
  return r.rowCount > 0;
}

export async function releasePayoutLease(sql: Sql, holder: string): Promise<void> {
  await sql.query(
    `UPDATE pool_cursors SET value = jsonb_build_object('holder', '', 'until', now()), updated_at = now()
      WHERE name = $1 AND value->>'holder' = $2`,
    [LEASE, holder],
  );
}
