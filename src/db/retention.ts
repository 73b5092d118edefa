import type { Sql } from './types.ts';

/**
 * Share retention: pruning in batches (see src/db/README.md). What is never deleted:
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

/** The earliest share time that must be kept, from the database's own state (blocks and holds). */
export async function shareRetentionCutoff(
  sql: Sql,
  olderThan: Date,
  keepWindowFactor?: number,
): Promise<RetentionCutoff> {
  let result: RetentionCutoff = { cutoff: olderThan, limitedBy: 'olderThan' };
  const open = await sql.query<OpenBlockRow>(
    `SELECT id, height, status, window_start FROM blocks
      WHERE status = 'pending' OR (status = 'confirmed' AND credited_at IS NULL)
      ORDER BY window_start NULLS FIRST, id
      LIMIT 1`,
  );
  const block = open.rows[0];
  if (block) {
    const what = `block ${block.id} (height ${block.height}, ${block.status}${block.status === 'confirmed' ? ', not credited' : ''})`;
    if (block.window_start === null)
      return { cutoff: null, limitedBy: `${what} has no recorded share window yet` };
    if (block.window_start < olderThan) result = { cutoff: block.window_start, limitedBy: `${what} window` };
  }
  const hold = await sql.query<{ name: string; keep_from: Date }>(
    'SELECT name, keep_from FROM share_retention_holds ORDER BY keep_from, name LIMIT 1',
  );
  const earliest = hold.rows[0];
  if (earliest && result.cutoff && earliest.keep_from < result.cutoff)
    result = { cutoff: earliest.keep_from, limitedBy: `hold ${earliest.name}` };
  if (keepWindowFactor !== undefined && result.cutoff) {
    const start = await liveWindowStart(sql, keepWindowFactor);
    if (start === null) return { cutoff: null, limitedBy: 'the live window is not full yet' };
    if (start < result.cutoff) result = { cutoff: start, limitedBy: 'live window' };
  }
  return result;
}

/**
 * The time of the oldest share in the window ending now: newest first until Σ expected_hashes ÷
 * network_difficulty ≥ factor (streams the created_at index backwards and stops there); null if never reached.
 */
export async function liveWindowStart(sql: Sql, factor: number): Promise<Date | null> {
  if (!(factor > 0)) throw new Error(`the window factor must be positive, got ${factor}`);
  const result = await sql.query<{ created_at: Date }>(
    `SELECT created_at FROM (
       SELECT created_at, id,
              sum(expected_hashes / network_difficulty) OVER (ORDER BY created_at DESC, id DESC) AS reached
         FROM shares) w
      WHERE reached >= $1::numeric
      ORDER BY created_at DESC, id DESC
      LIMIT 1`,
    [String(factor)],
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
    last = await shareRetentionCutoff(sql, options.olderThan, options.keepWindowFactor);
    if (last.cutoff === null) break;
    const result = await sql.query(
      `DELETE FROM shares WHERE id IN (
         SELECT s.id FROM shares s
          WHERE s.created_at < $1 AND NOT s.is_block
            AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.share_id = s.id)
          ORDER BY s.created_at
          LIMIT $2)`,
      [last.cutoff, batchSize],
    );
    deleted += result.rowCount;
    if (result.rowCount < batchSize) break;
  }
  return { deleted, ...last };
}

/** Keeps every share with created_at ≥ keepFrom until released (upsert by name). */
export async function setRetentionHold(sql: Sql, name: string, keepFrom: Date, reason = ''): Promise<void> {
  await sql.query(
    `INSERT INTO share_retention_holds (name, keep_from, reason) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET keep_from = EXCLUDED.keep_from, reason = EXCLUDED.reason, updated_at = now()`,
    [name, keepFrom, reason],
  );
}

export async function releaseRetentionHold(sql: Sql, name: string): Promise<void> {
  await sql.query('DELETE FROM share_retention_holds WHERE name = $1', [name]);
}

/** Deletes hashrate samples older than `olderThan`; returns how many. */
export async function pruneStats(sql: Sql, options: { olderThan: Date }): Promise<number> {
  const pool = await sql.query('DELETE FROM pool_stats WHERE sampled_at < $1', [options.olderThan]);
  const miners = await sql.query('DELETE FROM miner_stats WHERE sampled_at < $1', [options.olderThan]);
  return pool.rowCount + miners.rowCount;
}
