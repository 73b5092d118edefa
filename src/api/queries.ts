import type { Sql } from '../db/index.ts';

/**
 * The API's reads: indexed lookups and small pages of blocks, payments, balances and the ledger, each of one
 * pool (the one a route serves). None scans `shares` (current figures come from the stats cache; history
 * from the samples).
 */

export type BlockStatus = 'pending' | 'confirmed' | 'orphaned';

export interface BlockRow {
  id: bigint;
  pool_id: string;
  height: number;
  header_id: string | null;
  status: BlockStatus;
  confirmations: number;
  required_confirmations: number;
  effort: string | null;
  reward: bigint | null;
  network_difficulty: string;
  miner_address: string;
  worker: string;
  created_at: Date;
  confirmed_at: Date | null;
  orphaned_at: Date | null;
  source_node: string | null;
  accepted_by: string[] | null;
}

export const BLOCK_COLUMNS = `id, pool_id, height, header_id, status, confirmations, required_confirmations, effort, reward,
  network_difficulty, miner_address, worker, created_at, confirmed_at, orphaned_at, source_node, accepted_by`;

export interface Page<T> {
  items: T[];
  total: number;
}

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

export async function blocksPage(
  sql: Sql,
  poolId: string,
  statuses: readonly BlockStatus[],
  offset: number,
  limit: number,
): Promise<Page<BlockRow>> {
  return blocksOfPools(sql, [poolId], statuses, offset, limit);
}

export async function blocksAt(sql: Sql, poolId: string, height: number): Promise<BlockRow[]> {
  const r = await sql.query<BlockRow>(
    `SELECT ${BLOCK_COLUMNS} FROM blocks WHERE pool_id = $2 AND height = $1 ORDER BY created_at DESC, id DESC`,
    [height, poolId],
  );
  return r.rows;
}

export interface PaymentRow {
  id: bigint;
  tx_id: string | null;
  status: 'planned' | 'in_flight' | 'sent' | 'confirmed' | 'failed';
  fee: bigint | null;
  confirmations: number;
  created_at: Date;
  sent_at: Date | null;
  confirmed_at: Date | null;
  amount: string;
  recipients: bigint;
}

const PAYMENT_SELECT = `SELECT p.id, p.tx_id, p.status, p.fee, p.confirmations, p.created_at, p.sent_at,
    p.confirmed_at, coalesce(o.amount, 0) AS amount, coalesce(o.recipients, 0) AS recipients
  FROM payments p
  LEFT JOIN (SELECT payment_id, sum(amount) AS amount, count(*) AS recipients FROM payment_outputs
              GROUP BY payment_id) o ON o.payment_id = p.id`;

/** Payments that left (or are leaving) the wallet, newest first; failed ones too (their debits came back). */
export async function paymentsPage(
  sql: Sql,
  poolId: string,
  offset: number,
  limit: number,
): Promise<Page<PaymentRow>> {
  const [rows, count] = await Promise.all([
    sql.query<PaymentRow>(
      `${PAYMENT_SELECT} WHERE p.pool_id = $3 AND p.status <> 'planned'
        ORDER BY p.created_at DESC, p.id DESC LIMIT $1 OFFSET $2`,
      [limit, offset, poolId],
    ),
    sql.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM payments WHERE pool_id = $1 AND status <> 'planned'`,
      [poolId],
    ),
  ]);
  return { items: rows.rows, total: Number(count.rows[0]!.n) };
}

export async function paymentByTx(
  sql: Sql,
  poolId: string,
  txId: string,
): Promise<(PaymentRow & { outputs: { address: string; amount: bigint }[] }) | null> {
  const r = await sql.query<PaymentRow>(`${PAYMENT_SELECT} WHERE p.pool_id = $2 AND p.tx_id = $1`, [
    txId,
    poolId,
  ]);
  const p = r.rows[0];
  if (!p) return null;
  const outputs = await sql.query<{ address: string; amount: bigint }>(
    'SELECT address, amount FROM payment_outputs WHERE payment_id = $1 ORDER BY address',
    [p.id],
  );
  return { ...p, outputs: outputs.rows };
}

export interface OutputRow {
  payment_id: bigint;
  tx_id: string | null;
  status: PaymentRow['status'];
  address: string;
  amount: bigint;
  created_at: Date;
  sent_at: Date | null;
  confirmed_at: Date | null;
}

/** Individual payouts (one output each) that left the wallet, newest first; one address or all. */
export async function outputsPage(
  sql: Sql,
  poolId: string,
  address: string | null,
  offset: number,
  limit: number,
): Promise<Page<OutputRow>> {
  const where = `p.pool_id = $3 AND p.status IN ('in_flight', 'sent', 'confirmed')${address ? ' AND o.address = $4' : ''}`;
  const params: unknown[] = [limit, offset, poolId];
  if (address) params.push(address);
  const [rows, count] = await Promise.all([
    sql.query<OutputRow>(
      `SELECT o.payment_id, p.tx_id, p.status, o.address, o.amount, p.created_at, p.sent_at, p.confirmed_at
         FROM payment_outputs o JOIN payments p ON p.id = o.payment_id
        WHERE ${where} ORDER BY p.created_at DESC, p.id DESC, o.address LIMIT $1 OFFSET $2`,
      params,
    ),
    sql.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM payment_outputs o JOIN payments p ON p.id = o.payment_id
        WHERE ${where.replace('$3', '$1').replace('$4', '$2')}`,
      params.slice(2),
    ),
  ]);
  return { items: rows.rows, total: Number(count.rows[0]!.n) };
}

export interface MinerAccount {
  immature: bigint;
  payable: bigint;
  /** Debited for payouts still in flight (planned or being sent). */
  inFlight: bigint;
  /** Paid by payouts that left the wallet. */
  paid: bigint;
  threshold: bigint | null;
  /** Paid since UTC midnight. */
  paidToday: bigint;
  lastPayment: { at: Date; txId: string | null } | null;
}

export async function minerAccount(
  sql: Sql,
  poolId: string,
  address: string,
  midnight: Date,
): Promise<MinerAccount> {
  const [balance, flight, settings, today, last] = await Promise.all([
    sql.query<{ immature: bigint; payable: bigint; paid: bigint }>(
      'SELECT immature, payable, paid FROM balances WHERE pool_id = $2 AND address = $1',
      [address, poolId],
    ),
    sql.query<{ amount: string | null }>(
      `SELECT -sum(e.amount) AS amount FROM ledger_entries e JOIN payments p ON p.id = e.payment_id
        WHERE e.pool_id = $2 AND e.address = $1 AND e.kind = 'payout' AND p.status IN ('planned', 'in_flight')`,
      [address, poolId],
    ),
    sql.query<{ payout_threshold: bigint | null }>(
      'SELECT payout_threshold FROM miner_settings WHERE pool_id = $2 AND address = $1',
      [address, poolId],
    ),
    sql.query<{ amount: string | null }>(
      `SELECT sum(o.amount) AS amount FROM payment_outputs o JOIN payments p ON p.id = o.payment_id
        WHERE p.pool_id = $3 AND o.address = $1 AND p.status IN ('sent', 'confirmed') AND p.sent_at >= $2`,
      [address, midnight, poolId],
    ),
    sql.query<{ sent_at: Date; tx_id: string | null }>(
      `SELECT p.sent_at, p.tx_id FROM payment_outputs o JOIN payments p ON p.id = o.payment_id
        WHERE p.pool_id = $2 AND o.address = $1 AND p.status IN ('sent', 'confirmed')
        ORDER BY p.sent_at DESC LIMIT 1`,
      [address, poolId],
    ),
  ]);
  const b = balance.rows[0];
  const inFlight = BigInt(flight.rows[0]?.amount ?? 0);
  const l = last.rows[0];
  return {
    immature: b?.immature ?? 0n,
    payable: b?.payable ?? 0n,
    inFlight,
    paid: (b?.paid ?? 0n) - inFlight,
    threshold: settings.rows[0]?.payout_threshold ?? null,
    paidToday: BigInt(today.rows[0]?.amount ?? 0),
    lastPayment: l ? { at: l.sent_at, txId: l.tx_id } : null,
  };
}

export interface LedgerRow {
  id: bigint;
  kind: string;
  amount: bigint;
  reason: string;
  created_at: Date;
  block_height: number | null;
  block_status: string | null;
  tx_id: string | null;
}

export async function ledgerPage(
  sql: Sql,
  poolId: string,
  address: string,
  offset: number,
  limit: number,
): Promise<Page<LedgerRow>> {
  const [rows, count] = await Promise.all([
    sql.query<LedgerRow>(
      `SELECT e.id, e.kind, e.amount, e.reason, e.created_at, b.height AS block_height, b.status AS block_status,
              p.tx_id
         FROM ledger_entries e
         LEFT JOIN blocks b ON b.id = e.block_id
         LEFT JOIN payments p ON p.id = e.payment_id
        WHERE e.pool_id = $4 AND e.address = $1 ORDER BY e.created_at DESC, e.id DESC LIMIT $2 OFFSET $3`,
      [address, limit, offset, poolId],
    ),
    sql.query<{ n: bigint }>('SELECT count(*) AS n FROM ledger_entries WHERE pool_id = $2 AND address = $1', [
      address,
      poolId,
    ]),
  ]);
  return { items: rows.rows, total: Number(count.rows[0]!.n) };
}

/** Credited earnings per UTC day (credits and fees, not orphaned), newest first. */
export async function earningsByDay(
  sql: Sql,
  poolId: string,
  address: string,
  offset: number,
  limit: number,
): Promise<Page<{ day: string; amount: string }>> {
  const base = `FROM ledger_entries e LEFT JOIN blocks b ON b.id = e.block_id
     WHERE e.pool_id = $2 AND e.address = $1 AND e.kind IN ('block_credit', 'pps_credit', 'fee', 'adjustment')
       AND (b.status IS NULL OR b.status <> 'orphaned')`;
  const day = `to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
  const [rows, count] = await Promise.all([
    sql.query<{ day: string; amount: string }>(
      `SELECT ${day} AS day, sum(e.amount) AS amount ${base} GROUP BY 1 ORDER BY 1 DESC LIMIT $3 OFFSET $4`,
      [address, poolId, limit, offset],
    ),
    sql.query<{ n: bigint }>(`SELECT count(DISTINCT ${day}) AS n ${base}`, [address, poolId]),
  ]);
  return { items: rows.rows, total: Number(count.rows[0]!.n) };
}

/** Σ expected hashes of the miner's shares in the pool since a time (from the samples). */
export async function minerHashesSince(
  sql: Sql,
  poolId: string,
  address: string,
  since: Date | null,
): Promise<bigint> {
  const r = await sql.query<{ hashes: string | null }>(
    `SELECT sum(expected_hashes) AS hashes FROM miner_stats
      WHERE pool_id = $3 AND address = $1 AND ($2::timestamptz IS NULL OR sampled_at > $2)`,
    [address, since, poolId],
  );
  return BigInt(r.rows[0]?.hashes ?? 0);
}

export interface PoolPoint {
  at: Date;
  hashrate: number;
  miners: number;
  workers: number;
  shares: number;
  seconds: number;
  network_hashrate: number | null;
  network_difficulty: string | null;
}

/** Pool samples averaged per bucket of `bucketSeconds` since `since`, oldest first. */
export async function poolHistory(
  sql: Sql,
  poolId: string,
  since: Date,
  bucketSeconds: number,
): Promise<PoolPoint[]> {
  const r = await sql.query<PoolPoint>(
    `SELECT to_timestamp((floor(extract(epoch FROM sampled_at) / $2::int) * $2::int)::double precision) AS at,
            avg(hashrate) AS hashrate, round(avg(miners))::int AS miners, round(avg(workers))::int AS workers,
            sum(shares)::float8 AS shares, sum(interval_seconds)::float8 AS seconds,
            avg(network_hashrate) AS network_hashrate, max(network_difficulty)::text AS network_difficulty
       FROM pool_stats
      WHERE pool_id = $3 AND instance = '' AND sampled_at > $1
      GROUP BY 1 ORDER BY 1`,
    [since, bucketSeconds, poolId],
  );
  return r.rows;
}

/**
 * A miner's workers' hashrate per bucket since `since`: the time-weighted mean of the samples, a missing
 * sample counting as zero (a worker that was away for half the bucket shows half its rate).
 */
export async function minerHistory(
  sql: Sql,
  poolId: string,
  address: string,
  since: Date,
  bucketSeconds: number,
): Promise<{ at: Date; worker: string; hashrate: number; shares: number }[]> {
  const r = await sql.query<{ at: Date; worker: string; hashrate: number; shares: number }>(
    `SELECT to_timestamp((floor(extract(epoch FROM sampled_at) / $3::int) * $3::int)::double precision) AS at, worker,
            sum(hashrate * interval_seconds) / $3::int AS hashrate, sum(shares)::float8 AS shares
       FROM miner_stats
      WHERE pool_id = $4 AND address = $1 AND sampled_at > $2
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [address, since, bucketSeconds, poolId],
  );
  return r.rows;
}

/** Has the pool ever seen this address (a share sample, a ledger entry)? */
export async function knownAddress(sql: Sql, poolId: string, address: string): Promise<boolean> {
  const r = await sql.query(
    `SELECT 1 WHERE EXISTS (SELECT 1 FROM miner_stats WHERE pool_id = $2 AND address = $1)
        OR EXISTS (SELECT 1 FROM ledger_entries WHERE pool_id = $2 AND address = $1)`,
    [address, poolId],
  );
  return r.rowCount > 0;
}
