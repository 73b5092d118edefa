import type { Sql } from '../db/index.ts';
import type { LedgerEntry } from './ledger.ts';

/** Values from `numeric` columns arrive as exact decimal strings; integers among them become bigint. */
export function bigOf(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new TypeError(`expected an integer, got ${String(value)}`);
}

export function bigOrNull(value: unknown): bigint | null {
  return value === null || value === undefined ? null : bigOf(value);
}

/** JSON with bigints as decimal strings (jsonb details, logs). */
export function jsonWithBigints(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Appends ledger rows (the balances follow by trigger, in the same transaction). */
export async function insertEntries(
  tx: Sql,
  entries: readonly LedgerEntry[],
  extra: { details?: unknown; idempotencyKey?: (e: LedgerEntry) => string | null } = {},
): Promise<void> {
  for (const e of entries) {
    await tx.query(
      `INSERT INTO ledger_entries (address, amount, kind, block_id, payment_id, reason, details, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`,
      [
        e.address,
        e.amount,
        e.kind,
        e.blockId === null ? null : BigInt(e.blockId),
        e.paymentId === null ? null : BigInt(e.paymentId),
        e.reason,
        extra.details === undefined ? null : jsonWithBigints(extra.details),
        extra.idempotencyKey?.(e) ?? null,
      ],
    );
  }
}

/**
 * min(complete_until) over the pool instances whose share shipping is live (updated within `staleMs`):
 * every share accepted up to then is in `shares`. null: no instance reports (shares are written directly).
 */
export async function sharesCompleteUntil(sql: Sql, now: Date, staleMs: number): Promise<Date | null> {
  const r = await sql.query<{ until: Date | null }>(
    `SELECT min(complete_until) AS until FROM share_ingest_progress WHERE updated_at >= $1`,
    [new Date(now.getTime() - staleMs)],
  );
  return r.rows[0]?.until ?? null;
}
