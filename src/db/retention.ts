import type { Sql } from './types.ts';

/**
 * Share retention: pruning in batches (see src/db/README.md), one pool at a time: its blocks, holds and
 * window decide what of its shares stays. What is never deleted:
 *  - shares at or after `olderThan` (the audit period the operator chose, e.g. 30 days);
 *  - every share from `window_start` on of a block that is still pending, or confirmed but not credited yet
 *    (its PPLNS/PROP window is the input of its credits); while such a block has no recorded window yet,
 *    nothing at all is pruned (its window may reach arbitrarily far back);
 *  - every share from the earliest `share_retention_holds.keep_from` on (PPS periods not yet credited, a stats
 *    aggregator's cursor, an operator's audit hold);
 *  - with `keepWindowFactor` (PPLNS: pass the window factor), the live window — the newest shares whose
 *    Σ expected_hashes ÷ network_difficulty reaches the factor — which the next block's credits will read;
 *  - block candidates (`is_block`) and any share a block row names as its finder, whatever their age.
 * Once a block's credits are in the ledger its shares are no longer inputs: the ledger entries carry the
 * amounts, the reason and the window (`details`), and the block row keeps window_start/window_end.
 */

export interface RetentionCutoff {
  /** Shares strictly before this may go; null: nothing may be pruned now. */
  cutoff: Date | null;
  /** What set the cutoff: 'olderThan', 'hold <name>', 'block <id> …'. */
  limitedBy: string;
}

export interface PruneSharesOptions {
  /** The pool whose shares are pruned. */
  poolId: string;
  /** The audit period: only shares older than this are candidates. */
  olderThan: Date;
  /** Rows deleted per statement (short transactions, bounded locks); default 10 000. */
  batchSize?: number;
  /** Stop after this many batches (spread a large backlog over runs); default: until done. */
  maxBatches?: number;
  /** Also keep the live PPLNS window of this many blocks' worth of work (the pool's window factor). */
  keepWindowFactor?: number;
}

export interface PruneSharesResult extends RetentionCutoff {
  deleted: number;
}

interface OpenBlockRow {
  id: bigint;
  height: number;
  status: string;
  window_start: Date | null;
}

/** The earliest share time of the pool that must be kept, from the database's own state (blocks and holds). */
export async function shareRetentionCutoff(
  sql: Sql,
  poolId: string,
  olderThan: Date,
  keepWindowFactor?: number,
): Promise<RetentionCutoff> {
  let result: RetentionCutoff = { cutoff: olderThan, limitedBy: 'olderThan' };
  const open = await sql.query<OpenBlockRow>(
    `SELECT id, height, status, window_start FROM blocks
      WHERE pool_id = $1 AND (status = 'pending' OR (status = 'confirmed' AND credited_at IS NULL))
      ORDER BY window_start NULLS FIRST, id
      LIMIT 1`,
    [poolId],
  );
  const block = open.rows[0];
  if (block) {
    const what = `block ${block.id} (height ${block.height}, ${block.status}${block.status === 'confirmed' ? ', not credited' : ''})`;
    if (block.window_start === null)
      return { cutoff: null, limitedBy: `${what} has no recorded share window yet` };
    if (block.window_start < olderThan) result = { cutoff: block.window_start, limitedBy: `${what} window` };
  }
  const hold = await sql.query<{ name: string; keep_from: Date }>(
    'SELECT name, keep_from FROM share_retention_holds WHERE pool_id = $1 ORDER BY keep_from, name LIMIT 1',
    [poolId],
  );
  const earliest = hold.rows[0];
  if (earliest && result.cutoff && earliest.keep_from < result.cutoff)
    result = { cutoff: earliest.keep_from, limitedBy: `hold ${earliest.name}` };
  if (keepWindowFactor !== undefined && result.cutoff) {
    const start = await liveWindowStart(sql, poolId, keepWindowFactor);
    if (start === null) return { cutoff: null, limitedBy: 'the live window is not full yet' };
    if (start < result.cutoff) result = { cutoff: start, limitedBy: 'live window' };
  }
  return result;
}

/**
 * The time of the pool's oldest share in the window ending now: newest first until Σ expected_hashes ÷
 * network_difficulty ≥ factor (streams the (pool_id, created_at) index backwards and stops there); null if
 * never reached.
 */
export async function liveWindowStart(sql: Sql, poolId: string, factor: number): Promise<Date | null> {
  if (!(factor > 0)) throw new Error(`the window factor must be positive, got ${factor}`);
  const result = await sql.query<{ created_at: Date }>(
    `SELECT created_at FROM (
       SELECT created_at, id,
              sum(expected_hashes / network_difficulty) OVER (ORDER BY created_at DESC, id DESC) AS reached
         FROM shares WHERE pool_id = $2) w
      WHERE reached >= $1::numeric
      ORDER BY created_at DESC, id DESC
      LIMIT 1`,
    [String(factor), poolId],
  );
  return result.rows[0]?.created_at ?? null;
}

/**
 * Deletes prunable shares, oldest first, in batches; the cutoff is recomputed before every batch so a block
 * or hold recorded meanwhile is honoured. Run it from a periodic job (any instance: batches are independent).
 */
export async function pruneShares(sql: Sql, options: PruneSharesOptions): Promise<PruneSharesResult> {
  const batchSize = options.batchSize ?? 10_000;
  const maxBatches = options.maxBatches ?? Number.POSITIVE_INFINITY;
  let deleted = 0;
  let last: RetentionCutoff = { cutoff: null, limitedBy: 'not run' };
  for (let batch = 0; batch < maxBatches; batch++) {
    last = await shareRetentionCutoff(sql, options.poolId, options.olderThan, options.keepWindowFactor);
    if (last.cutoff === null) break;
    const result = await sql.query(
      `DELETE FROM shares WHERE id IN (
         SELECT s.id FROM shares s
          WHERE s.pool_id = $3 AND s.created_at < $1 AND NOT s.is_block
            AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.share_id = s.id)
          ORDER BY s.created_at
          LIMIT $2)`,
      [last.cutoff, batchSize, options.poolId],
    );
    deleted += result.rowCount;
    if (result.rowCount < batchSize) break;
  }
  return { deleted, ...last };
}

/** Keeps every share of the pool with created_at ≥ keepFrom until released (upsert by pool and name). */
export async function setRetentionHold(
  sql: Sql,
  poolId: string,
  name: string,
  keepFrom: Date,
  reason = '',
): Promise<void> {
  await sql.query(
    `INSERT INTO share_retention_holds (pool_id, name, keep_from, reason) VALUES ($1, $2, $3, $4)
     ON CONFLICT (pool_id, name) DO UPDATE
        SET keep_from = EXCLUDED.keep_from, reason = EXCLUDED.reason, updated_at = now()`,
    [poolId, name, keepFrom, reason],
  );
}

export async function releaseRetentionHold(sql: Sql, poolId: string, name: string): Promise<void> {
  await sql.query('DELETE FROM share_retention_holds WHERE pool_id = $1 AND name = $2', [poolId, name]);
}

/** Deletes the pool's hashrate samples older than `olderThan`; returns how many. */
export async function pruneStats(sql: Sql, options: { poolId: string; olderThan: Date }): Promise<number> {
  const params = [options.poolId, options.olderThan];
  const pool = await sql.query('DELETE FROM pool_stats WHERE pool_id = $1 AND sampled_at < $2', params);
  const miners = await sql.query('DELETE FROM miner_stats WHERE pool_id = $1 AND sampled_at < $2', params);
  return pool.rowCount + miners.rowCount;
}
