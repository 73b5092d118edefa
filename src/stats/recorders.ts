import type { Logger } from 'pino';
import type { Sql } from '../db/index.ts';

/**
 * What each stratum instance contributes to the stats besides its accepted shares (which go through the
 * durable journal): counts of the shares it answered with an error, per worker and stats interval, and a
 * heartbeat with its connection count. Both are statistics, kept in memory between flushes and written as
 * whole values (a repeated write changes nothing); during a database outage they wait, bounded.
 */

export type RejectionKind = 'stale' | 'invalid';

interface Counts {
  stale: number;
  invalid: number;
}

export interface RejectionCounterOptions {
  /** The pool whose stratum answered the shares. */
  poolId: string;
  instance: string;
  intervalSeconds: number;
  /** Distinct workers counted per interval; beyond it they are counted under the anonymous key. */
  maxKeys?: number;
  /** Intervals kept while the database is unreachable (oldest dropped first). */
  maxIntervals?: number;
  logger?: Logger;
}

export class RejectionCounter {
  /** bucket end (ms) → "address\0worker" → counts; entries are dropped once written and their interval closed. */
  private readonly buckets = new Map<number, Map<string, Counts>>();
  private readonly dirty = new Set<number>();
  private readonly maxKeys: number;
  private readonly maxIntervals: number;

  constructor(private readonly o: RejectionCounterOptions) {
    this.maxKeys = o.maxKeys ?? 50_000;
    this.maxIntervals = o.maxIntervals ?? 60;
  }

  count(address: string | null, worker: string | null, kind: RejectionKind, now: number): void {
    const ms = this.o.intervalSeconds * 1000;
    const end = (Math.floor(now / ms) + 1) * ms;
    let bucket = this.buckets.get(end);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(end, bucket);
      this.trim();
    }
    let k = `${address ?? ''}\u0000${address ? (worker ?? '') : ''}`;
    if (!bucket.has(k) && bucket.size >= this.maxKeys) k = '\u0000';
    let counts = bucket.get(k);
    if (!counts) {
      counts = { stale: 0, invalid: 0 };
      bucket.set(k, counts);
    }
    counts[kind] += 1;
    this.dirty.add(end);
  }

  /** Writes every interval with new counts; keeps them if the database fails (the next flush retries). */
  async flush(sql: Sql, now: number): Promise<void> {
    const ends = [...this.dirty].sort((a, b) => a - b);
    for (const end of ends) {
      const bucket = this.buckets.get(end);
      if (!bucket) continue;
      const addresses: string[] = [];
      const workers: string[] = [];
      const stale: number[] = [];
      const invalid: number[] = [];
      for (const [k, c] of bucket) {
        const [address, worker] = k.split('\u0000') as [string, string];
        addresses.push(address);
        workers.push(worker);
        stale.push(c.stale);
        invalid.push(c.invalid);
      }
      await sql.query(
        `INSERT INTO share_rejections (pool_id, bucket_at, instance, address, worker, stale, invalid)
         SELECT $7::text, $1, $2, a, w, s, i
           FROM unnest($3::text[], $4::text[], $5::int[], $6::int[]) AS t(a, w, s, i)
         ON CONFLICT (pool_id, bucket_at, instance, address, worker) DO UPDATE
            SET stale = EXCLUDED.stale, invalid = EXCLUDED.invalid`,
        [new Date(end), this.o.instance, addresses, workers, stale, invalid, this.o.poolId],
      );
      this.dirty.delete(end);
      if (end <= now) this.buckets.delete(end);
    }
  }

  /** Intervals held in memory (for tests and metrics). */
  get heldIntervals(): number {
    return this.buckets.size;
  }

  private trim(): void {
    while (this.buckets.size > this.maxIntervals) {
      const oldest = Math.min(...this.buckets.keys());
      this.buckets.delete(oldest);
      this.dirty.delete(oldest);
      this.o.logger?.warn(
        `stats: dropped the rejected-share counts of the interval ending ${new Date(oldest).toISOString()} (database unreachable too long)`,
      );
    }
  }
}

/** This instance's row in pool_instances: its roles and how many miners it holds. */
export async function writeHeartbeat(
  sql: Sql,
  beat: { instance: string; roles: string[]; connections: number; workers: number; startedAt: Date },
): Promise<void> {
  await sql.query(
    `INSERT INTO pool_instances (instance, roles, connections, workers, started_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (instance) DO UPDATE
        SET roles = EXCLUDED.roles, connections = EXCLUDED.connections, workers = EXCLUDED.workers,
            started_at = EXCLUDED.started_at, updated_at = now()`,
    [beat.instance, beat.roles, beat.connections, beat.workers, beat.startedAt],
  );
}
