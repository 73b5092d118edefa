import type { Sql } from '../db/index.ts';
import type { Alert } from './alerts.ts';
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

/**
 * Appends ledger rows to the pool's ledger (the balances follow by trigger, in the same transaction; the
 * database refuses a row whose block or payment is of another pool).
 */
export async function insertEntries(
  tx: Sql,
  poolId: string,
  entries: readonly LedgerEntry[],
  extra: { details?: unknown; idempotencyKey?: (e: LedgerEntry) => string | null } = {},
): Promise<void> {
  for (const e of entries) {
    await tx.query(
      `INSERT INTO ledger_entries (pool_id, address, amount, kind, block_id, payment_id, reason, details,
                                   idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)`,
      [
        poolId,
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
 * min(complete_until) over every pool instance that ships shares: every share accepted up to then is in
 * `shares`, whatever its pool (an instance's journal holds the shares of all its pools). An instance that is merely behind (an outage, a slow shipper) is waited for, however long: its
 * late shares would otherwise be left out of windows already credited. null: no instance reports (shares
 * are written directly). An instance gone for good is retired by deleting its share_ingest_progress row.
 */
export async function sharesCompleteUntil(sql: Sql): Promise<Date | null> {
  const r = await sql.query<{ until: Date | null }>(
    'SELECT min(complete_until) AS until FROM share_ingest_progress',
  );
  return r.rows[0]?.until ?? null;
}

/**
 * Crediting waits for shares: an 'instance-lagging' alert for each instance silent for `staleMs` (default
 * 15 min), at most once per `staleMs` per instance (`last` remembers when).
 */
export async function alertSilentInstances(
  sql: Sql,
  now: Date,
  staleMs: number | undefined,
  last: Map<string, number>,
  alert: Alert | undefined,
): Promise<void> {
  const period = staleMs ?? 15 * 60_000;
  for (const i of await silentInstances(sql, now, period)) {
    const at = last.get(i.instance);
    if (at !== undefined && now.getTime() - at < period) continue;
    last.set(i.instance, now.getTime());
    alert?.(
      'instance-lagging',
      `crediting waits for pool instance ${i.instance}: its shares are in the database only up to ` +
        `${i.complete_until.toISOString()} and it last reported at ${i.updated_at.toISOString()}; if it is gone ` +
        `for good, retire it: DELETE FROM share_ingest_progress WHERE instance = '${i.instance}'`,
      { instance: i.instance, completeUntil: i.complete_until, lastReport: i.updated_at },
    );
  }
}

/** Instances whose shipping reported nothing for `staleMs` (crediting waits for them: worth an alert). */
export async function silentInstances(
  sql: Sql,
  now: Date,
  staleMs: number,
): Promise<{ instance: string; complete_until: Date; updated_at: Date }[]> {
  const r = await sql.query<{ instance: string; complete_until: Date; updated_at: Date }>(
    `SELECT instance, complete_until, updated_at FROM share_ingest_progress WHERE updated_at < $1
      ORDER BY instance`,
    [new Date(now.getTime() - staleMs)],
  );
  return r.rows;
}
