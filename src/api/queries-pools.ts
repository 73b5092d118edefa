import type { Sql } from '../db/index.ts';

/** The API's reads that span pools: each row still names its pool, and no figure adds two pools up. */

export interface PoolBalance {
  immature: bigint;
  payable: bigint;
  /** Paid by payouts that left the wallet (as a miner's page shows it). */
  paid: bigint;
  /** Debited for payouts still in flight (planned or being sent). */
  inFlight: bigint;
}

/**
 * An address's balances in each of the given pools it has one in, by pool id (the same figures as
 * minerAccount's), each an index lookup by (pool_id, address).
 */
export async function balancesByPool(
  sql: Sql,
  poolIds: readonly string[],
  address: string,
): Promise<Map<string, PoolBalance>> {
  const [balances, flight] = await Promise.all([
    sql.query<{ pool_id: string; immature: bigint; payable: bigint; paid: bigint }>(
      'SELECT pool_id, immature, payable, paid FROM balances WHERE pool_id = ANY($2::text[]) AND address = $1',
      [address, poolIds],
    ),
    sql.query<{ pool_id: string; amount: string | null }>(
      `SELECT e.pool_id, -sum(e.amount) AS amount FROM ledger_entries e JOIN payments p ON p.id = e.payment_id
        WHERE e.pool_id = ANY($2::text[]) AND e.address = $1 AND e.kind = 'payout' AND p.pool_id = e.pool_id
          AND p.status IN ('planned', 'in_flight')
        GROUP BY e.pool_id`,
      [address, poolIds],
    ),
  ]);
  const inFlight = new Map(flight.rows.map((r) => [r.pool_id, BigInt(r.amount ?? 0)]));
  const out = new Map<string, PoolBalance>();
  for (const b of balances.rows) {
    const f = inFlight.get(b.pool_id) ?? 0n;
    out.set(b.pool_id, { immature: b.immature, payable: b.payable, paid: b.paid - f, inFlight: f });
  }
  return out;
}
