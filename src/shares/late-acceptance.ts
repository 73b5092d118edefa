import type { Logger } from 'pino';
import type { Sql } from '../db/index.ts';

export interface LateAcceptanceOptions {
  db: Sql;
  /** The pool whose blocks the resubmissions are of. */
  poolId: string;
  logger: Logger;
  /** Between attempts while the block's row is not in the database yet (it is shipped from the journal). */
  retryMs?: number;
  /** Attempts before giving up (the row may never land if the pool stops first: the nodes still have it). */
  attempts?: number;
  timers?: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout };
}

const ADD_NODE = `UPDATE blocks SET accepted_by = CASE
    WHEN accepted_by IS NULL THEN ARRAY[$3::text]
    WHEN $3::text = ANY(accepted_by) THEN accepted_by
    ELSE accepted_by || $3::text END
  WHERE pool_id = $4 AND height = $1 AND nonce = $2`;

/**
 * Adds to a block's `accepted_by` the nodes that took it only on a resubmission (they did not answer the
 * first time). The block row is written by the shipper and may land after the node answered, so a missing
 * row is retried for a while; a database error is retried the same way.
 */
export class LateAcceptances {
  /** Waiting attempts: stop() clears their timers and settles them as not recorded. */
  private readonly pending = new Map<ReturnType<typeof setTimeout>, (recorded: boolean) => void>();
  private readonly timers: NonNullable<LateAcceptanceOptions['timers']>;
  private stopped = false;

  constructor(private readonly o: LateAcceptanceOptions) {
    this.timers = o.timers ?? { setTimeout, clearTimeout };
  }

  note(height: number, nonce: string, node: string): Promise<boolean> {
    return this.attempt(height, nonce, node, this.o.attempts ?? 24);
  }

  stop(): void {
    this.stopped = true;
    for (const [t, settle] of this.pending) {
      this.timers.clearTimeout(t);
      settle(false);
    }
    this.pending.clear();
  }

  private async attempt(height: number, nonce: string, node: string, left: number): Promise<boolean> {
    if (this.stopped) return false;
    try {
      const r = await this.o.db.query(ADD_NODE, [height, nonce, node, this.o.poolId]);
      if ((r.rowCount ?? 0) > 0) return true;
    } catch (err) {
      this.o.logger.warn({ err, height, nonce, node }, 'block accepted_by not updated yet');
    }
    if (left <= 1) {
      this.o.logger.warn(
        { height, nonce, node },
        `block at height ${height} (nonce ${nonce}) accepted by ${node} on a resubmission, but its row was not found to record it`,
      );
      return false;
    }
    if (this.stopped) return false;
    return new Promise((resolve) => {
      const t = this.timers.setTimeout(() => {
        this.pending.delete(t);
        resolve(this.attempt(height, nonce, node, left - 1));
      }, this.o.retryMs ?? 5_000);
      this.pending.set(t, resolve);
      (t as { unref?: () => void }).unref?.();
    });
  }
}
