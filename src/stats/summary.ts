import type { Sql } from '../db/index.ts';

/** The stats job's summaries of one pool's blocks, payments, current round and PPLNS window (SQL). */

export interface BlockSummary {
  total: number;
  last24h: number;
  pending: number;
  confirmed: number;
  orphaned: number;
  last: { height: number; createdAt: number; status: string; miner: string } | null;
  /** Efforts of the last blocks, newest first (null where not recorded yet). */
  recentEfforts: (number | null)[];
}

export async function blockSummary(
  sql: Sql,
  poolId: string,
  now: Date,
  luckBlocks: number,
): Promise<BlockSummary> {
  const counts = await sql.query<Record<string, bigint>>(
    `SELECT count(*) AS total, count(*) FILTER (WHERE created_at > $1) AS last24h,
            count(*) FILTER (WHERE status = 'pending') AS pending,
            count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
            count(*) FILTER (WHERE status = 'orphaned') AS orphaned
       FROM blocks WHERE pool_id = $2`,
    [new Date(now.getTime() - 86_400_000), poolId],
  );
  const recent = await sql.query<{
    height: number;
    created_at: Date;
    status: string;
    miner_address: string;
    effort: string | null;
  }>(
    `SELECT height, created_at, status, miner_address, effort FROM blocks WHERE pool_id = $2
      ORDER BY created_at DESC, id DESC LIMIT $1`,
    [Math.max(1, luckBlocks), poolId],
  );
  const c = counts.rows[0]!;
  const last = recent.rows[0];
  return {
    total: Number(c.total),
    last24h: Number(c.last24h),
    pending: Number(c.pending),
    confirmed: Number(c.confirmed),
    orphaned: Number(c.orphaned),
    last: last
      ? {
          height: last.height,
          createdAt: last.created_at.getTime(),
          status: last.status,
          miner: last.miner_address,
        }
      : null,
    recentEfforts: recent.rows.slice(0, luckBlocks).map((b) => (b.effort === null ? null : Number(b.effort))),
  };
}

export interface PaymentSummary {
  /** Payments sent or confirmed, and failed ones (whose debits were returned). */
  count: number;
  failed: number;
  /** Σ outputs of payments sent or confirmed, nanoERG. */
  totalPaid: bigint;
  lastAt: number | null;
}

export async function paymentSummary(sql: Sql, poolId: string): Promise<PaymentSummary> {
  const r = await sql.query<{ count: bigint; failed: bigint; total: string | null; last_at: Date | null }>(
    `SELECT count(DISTINCT p.id) FILTER (WHERE p.status IN ('sent', 'confirmed')) AS count,
            count(DISTINCT p.id) FILTER (WHERE p.status = 'failed') AS failed,
            sum(o.amount) FILTER (WHERE p.status IN ('sent', 'confirmed')) AS total,
            max(p.sent_at) FILTER (WHERE p.status IN ('sent', 'confirmed')) AS last_at
       FROM payments p JOIN payment_outputs o ON o.payment_id = p.id
      WHERE p.pool_id = $1`,
    [poolId],
  );
  const row = r.rows[0]!;
  return {
    count: Number(row.count),
    failed: Number(row.failed),
    totalPaid: BigInt(row.total ?? 0),
    lastAt: row.last_at?.getTime() ?? null,
  };
}

export interface RoundEffort {
  /** When the round began: the pool's last block, or null (the pool has none: since its first share). */
  startedAt: number | null;
  /** Σ share weights since then (1 = one network difficulty of work). */
  effort: number;
}

/**
 * The current round's effort: Σ expected_hashes ÷ network_difficulty of the shares since the pool's last
 * block (any status), from the interval sums, plus the shares of the interval the block fell in (exactly).
 */
export async function roundEffort(
  sql: Sql,
  poolId: string,
  until: Date,
  intervalSeconds: number,
): Promise<RoundEffort> {
  const last = await sql.query<{ created_at: Date }>(
    'SELECT created_at FROM blocks WHERE pool_id = $1 ORDER BY created_at DESC LIMIT 1',
    [poolId],
  );
  const startedAt = last.rows[0]?.created_at ?? null;
  if (startedAt === null) {
    const all = await sql.query<{ weight: string | null }>(
      `SELECT sum(weight) AS weight FROM pool_stats WHERE pool_id = $2 AND instance = '' AND sampled_at <= $1`,
      [until, poolId],
    );
    return { startedAt: null, effort: Number(all.rows[0]?.weight ?? 0) };
  }
  const intervalMs = intervalSeconds * 1000;
  const firstWhole = new Date((Math.floor(startedAt.getTime() / intervalMs) + 1) * intervalMs);
  const whole = await sql.query<{ weight: string | null }>(
    `SELECT sum(weight) AS weight FROM pool_stats
      WHERE pool_id = $3 AND instance = '' AND sampled_at > $1 AND sampled_at <= $2`,
    [firstWhole, until, poolId],
  );
  const partEnd = firstWhole < until ? firstWhole : until;
  const part = await sql.query<{ weight: string | null }>(
    `SELECT sum(expected_hashes / network_difficulty) AS weight FROM shares
      WHERE pool_id = $3 AND created_at > $1 AND created_at < $2`,
    [startedAt, partEnd, poolId],
  );
  return {
    startedAt: startedAt.getTime(),
    effort: Number(whole.rows[0]?.weight ?? 0) + Number(part.rows[0]?.weight ?? 0),
  };
}

/**
 * Each miner's share of the live PPLNS window (the newest intervals whose weights add up to `factor`) or,
 * with factor null, of the round since `roundStart` (PROP). At interval granularity: an estimate.
 */
export async function windowShares(
  sql: Sql,
  poolId: string,
  until: Date,
  factor: number | null,
  roundStart: number | null,
): Promise<Map<string, number>> {
  let start: Date | null = roundStart === null ? null : new Date(roundStart);
  if (factor !== null) {
    const w = await sql.query<{ sampled_at: Date }>(
      `SELECT sampled_at FROM (
         SELECT sampled_at, sum(weight) OVER (ORDER BY sampled_at DESC) AS reached
           FROM pool_stats WHERE pool_id = $3 AND instance = '' AND sampled_at <= $1) w
        WHERE reached >= $2::numeric
        ORDER BY sampled_at DESC LIMIT 1`,
      [until, String(factor), poolId],
    );
    // An unfilled window: the shares present share it all (as PPLNS crediting does).
    start = w.rows[0] ? new Date(w.rows[0].sampled_at.getTime() - 1) : null;
  }
  const r = await sql.query<{ address: string; weight: string }>(
    `SELECT address, sum(weight) AS weight FROM miner_stats
      WHERE pool_id = $3 AND sampled_at <= $1 AND ($2::timestamptz IS NULL OR sampled_at > $2) AND weight > 0
      GROUP BY address`,
    [until, start, poolId],
  );
  let total = 0;
  for (const row of r.rows) total += Number(row.weight);
  const shares = new Map<string, number>();
  if (total > 0) for (const row of r.rows) shares.set(row.address, Number(row.weight) / total);
  return shares;
}

/**
 * Connections and workers held by the deployment's live instances (heartbeats within `liveMs`):
 * pool_instances is per process, so with several pools these are every pool's connections together.
 */
export async function liveInstances(
  sql: Sql,
  now: Date,
  liveMs: number,
): Promise<{ connections: number; instances: number }> {
  const r = await sql.query<{ connections: string | null; instances: bigint }>(
    `SELECT sum(connections) AS connections, count(*) AS instances FROM pool_instances WHERE updated_at >= $1`,
    [new Date(now.getTime() - liveMs)],
  );
  return { connections: Number(r.rows[0]?.connections ?? 0), instances: Number(r.rows[0]?.instances ?? 0) };
}
