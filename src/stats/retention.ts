import type { Logger } from 'pino';
import { type Database, pruneShares, pruneStats } from '../db/index.ts';

export interface StatsRetention {
  /** How often the pruning runs (default hourly). */
  everySeconds: number;
  /** Shares are kept this long (an audit period), and longer when accounting still needs them. */
  shareDays: number;
  /** PPLNS: keep the live window as well (the pool's window factor). */
  keepWindowFactor?: number;
  /** Per-interval samples are kept this long, then thinned to one per hour… */
  fineSampleHours: number;
  /** … and deleted after this many days. */
  sampleDays: number;
  /** Delivered events are kept this long. */
  eventDays: number;
}

const BATCH = 10_000;

/**
 * Share retention (src/db's pruneShares, which keeps whatever the pool's accounting needs) and stats
 * thinning, for one pool; and the per-process records (pool_instances) that nobody else prunes.
 */
export class StatsRetentionRunner {
  private lastRun = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Database,
    private readonly poolId: string,
    private readonly o: StatsRetention,
    private readonly logger: Logger,
  ) {}

  async maybeRun(now: number): Promise<void> {
    if (now - this.lastRun < this.o.everySeconds * 1000) return;
    this.lastRun = now;
    await this.run(now);
  }

  async run(now: number): Promise<void> {
    const day = 86_400_000;
    const poolId = this.poolId;
    const shares = await pruneShares(this.db, {
      poolId,
      olderThan: new Date(now - this.o.shareDays * day),
      batchSize: BATCH,
      maxBatches: 100,
      ...(this.o.keepWindowFactor !== undefined ? { keepWindowFactor: this.o.keepWindowFactor } : {}),
    });
    const samples =
      (await pruneStats(this.db, { poolId, olderThan: new Date(now - this.o.sampleDays * day) })) +
      (
        await this.db.query('DELETE FROM miner_stats_hourly WHERE pool_id = $1 AND hour_end < $2', [
          poolId,
          new Date(now - this.o.sampleDays * day),
        ])
      ).rowCount;
    const thinned = await this.thin(new Date(now - this.o.fineSampleHours * 3_600_000));
    const rejections = await this.db.query(
      'DELETE FROM share_rejections WHERE pool_id = $1 AND bucket_at < $2',
      [poolId, new Date(now - this.o.fineSampleHours * 3_600_000)],
    );
    const events = await this.db.query(
      'DELETE FROM pool_events WHERE pool_id = $1 AND delivered_at IS NOT NULL AND delivered_at < $2',
      [poolId, new Date(now - this.o.eventDays * day)],
    );
    await this.db.query('DELETE FROM pool_instances WHERE updated_at < $1', [new Date(now - 7 * day)]);
    this.logger.info(
      { shares: shares.deleted, keptFrom: shares.cutoff, limitedBy: shares.limitedBy },
      `retention: pruned ${shares.deleted} share(s) (kept from ${shares.cutoff?.toISOString() ?? 'all'}: ${shares.limitedBy}), ` +
        `${samples} old sample(s), thinned ${thinned} to hourly, ${rejections.rowCount + events.rowCount} old record(s)`,
    );
  }

  /** Keeps one worker sample per hour (the one on the hour) before `before`. */
  private async thin(before: Date): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < 100; i++) {
      const r = await this.db.query(
        `DELETE FROM miner_stats WHERE pool_id = $3 AND (address, worker, sampled_at) IN (
           SELECT address, worker, sampled_at FROM miner_stats
            WHERE pool_id = $3 AND sampled_at < $1 AND extract(epoch FROM sampled_at)::bigint % 3600 <> 0
            LIMIT $2)`,
        [before, BATCH, this.poolId],
      );
      deleted += r.rowCount;
      if (r.rowCount < BATCH) break;
    }
    return deleted;
  }
}
