import type { Sql } from '../db/index.ts';
import { BLOCK_COLUMNS, type BlockRow, type BlockStatus, type Page } from './queries.ts';

/** The API's reads that span pools: each row still names its pool, and no figure adds two pools up. */

/** Blocks of the given pools (miningcore's /api/blocks), newest first. */
export async function blocksOfPools(
  sql: Sql,
  poolIds: readonly string[],
  statuses: readonly BlockStatus[],
  offset: number,
  limit: number,
): Promise<Page<BlockRow>> {
  const filter = `WHERE pool_id = ANY($3::text[])${statuses.length > 0 ? ' AND status = ANY($4::text[])' : ''}`;
  const params: unknown[] = [limit, offset, poolIds];
  if (statuses.length > 0) params.push(statuses);
  const [rows, count] = await Promise.all([
    sql.query<BlockRow>(
      `SELECT ${BLOCK_COLUMNS} FROM blocks ${filter} ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`,
      params,
    ),
    sql.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM blocks ${filter.replace('$3', '$1').replace('$4', '$2')}`,
      params.slice(2),
    ),
  ]);
  return { items: rows.rows, total: Number(count.rows[0]!.n) };
}

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
