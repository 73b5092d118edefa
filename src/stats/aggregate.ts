import type { Sql } from '../db/index.ts';

/**
 * The stats job's SQL aggregates, one pool at a time: its accepted shares (and rejected-share counts) summed
 * per worker and stats interval into miner_stats, and per interval into pool_stats. A bucket is recomputed
 * from the rows it sums every time (never incremented), so running any range twice gives the same rows.
 */

/** SQL for the end of the stats interval that holds time `column`, for an interval of $n seconds. */
function bucketEnd(column: string, param: string): string {
  return `to_timestamp(((floor(extract(epoch FROM ${column}) / ${param}) + 1) * ${param})::double precision)`;
}

const HOUR_MS = 3_600_000;

/**
 * Recomputes the buckets ending in (from, to]: miner_stats from `shares` and `share_rejections`, then
 * pool_stats' sums and the hourly sums (miner_stats_hourly) from miner_stats. `from` and `to` are interval
 * boundaries.
 */
export async function aggregateBuckets(
  sql: Sql,
  poolId: string,
  from: Date,
  to: Date,
  intervalSeconds: number,
): Promise<void> {
  await sql.query(
    `INSERT INTO miner_stats AS m (pool_id, address, worker, sampled_at, interval_seconds, expected_hashes,
                                   hashrate, shares, first_share_at, first_share_hashes, last_share_at, weight)
     SELECT $4::text, address, worker, ${bucketEnd('created_at', '$3')}, $3, sum(expected_hashes), 0, count(*),
            min(created_at), (array_agg(expected_hashes ORDER BY created_at, id))[1], max(created_at),
            sum(expected_hashes / network_difficulty)
       FROM shares
      WHERE pool_id = $4 AND created_at >= $1 AND created_at < $2
      GROUP BY address, worker, 4
     ON CONFLICT (pool_id, address, worker, sampled_at) DO UPDATE
        SET expected_hashes = EXCLUDED.expected_hashes, shares = EXCLUDED.shares,
            first_share_at = EXCLUDED.first_share_at, first_share_hashes = EXCLUDED.first_share_hashes,
            last_share_at = EXCLUDED.last_share_at, weight = EXCLUDED.weight`,
    [from, to, intervalSeconds, poolId],
  );
  await sql.query(
    `INSERT INTO miner_stats AS m (pool_id, address, worker, sampled_at, interval_seconds, hashrate,
                                   stale_shares, invalid_shares)
     SELECT $4::text, address, worker, bucket_at, $3, 0, sum(stale), sum(invalid)
       FROM share_rejections
      WHERE pool_id = $4 AND bucket_at > $1 AND bucket_at <= $2 AND address <> ''
      GROUP BY address, worker, bucket_at
     ON CONFLICT (pool_id, address, worker, sampled_at) DO UPDATE
        SET stale_shares = EXCLUDED.stale_shares, invalid_shares = EXCLUDED.invalid_shares`,
    [from, to, intervalSeconds, poolId],
  );
  await sql.query(
    `INSERT INTO pool_stats AS p (pool_id, sampled_at, instance, interval_seconds, expected_hashes, hashrate,
                                  shares, stale_shares, invalid_shares, weight)
     SELECT $4::text, t.sampled_at, '', $3, coalesce(m.hashes, 0), 0, coalesce(m.shares, 0),
            coalesce(r.stale, 0), coalesce(r.invalid, 0), coalesce(m.weight, 0)
       FROM (SELECT sampled_at FROM miner_stats WHERE pool_id = $4 AND sampled_at > $1 AND sampled_at <= $2
             UNION SELECT bucket_at FROM share_rejections
                    WHERE pool_id = $4 AND bucket_at > $1 AND bucket_at <= $2) t
       LEFT JOIN (SELECT sampled_at, sum(expected_hashes) AS hashes, sum(shares) AS shares, sum(weight) AS weight
                    FROM miner_stats WHERE pool_id = $4 AND sampled_at > $1 AND sampled_at <= $2
                   GROUP BY sampled_at) m
              ON m.sampled_at = t.sampled_at
       LEFT JOIN (SELECT bucket_at, sum(stale) AS stale, sum(invalid) AS invalid
                    FROM share_rejections WHERE pool_id = $4 AND bucket_at > $1 AND bucket_at <= $2
                   GROUP BY bucket_at) r
              ON r.bucket_at = t.sampled_at
     ON CONFLICT (pool_id, sampled_at, instance) DO UPDATE
        SET expected_hashes = EXCLUDED.expected_hashes, shares = EXCLUDED.shares,
            stale_shares = EXCLUDED.stale_shares, invalid_shares = EXCLUDED.invalid_shares,
            weight = EXCLUDED.weight`,
    [from, to, intervalSeconds, poolId],
  );
  // Every hour the range touches, whole.
  const hourFrom = new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS);
  const hourTo = new Date(Math.ceil(to.getTime() / HOUR_MS) * HOUR_MS);
  await sql.query(
    `INSERT INTO miner_stats_hourly AS h (pool_id, address, worker, hour_end, expected_hashes, shares,
                                          stale_shares, invalid_shares, last_share_at)
     SELECT $3::text, address, worker,
            to_timestamp((ceil(extract(epoch FROM sampled_at) / 3600) * 3600)::double precision),
            sum(expected_hashes), sum(shares), sum(stale_shares), sum(invalid_shares), max(last_share_at)
       FROM miner_stats
      WHERE pool_id = $3 AND sampled_at > $1 AND sampled_at <= $2
      GROUP BY 2, 3, 4
     ON CONFLICT (pool_id, address, worker, hour_end) DO UPDATE
        SET expected_hashes = EXCLUDED.expected_hashes, shares = EXCLUDED.shares,
            stale_shares = EXCLUDED.stale_shares, invalid_shares = EXCLUDED.invalid_shares,
            last_share_at = EXCLUDED.last_share_at`,
    [hourFrom, hourTo, poolId],
  );
}

export interface BucketRow {
  address: string;
  worker: string;
  sampled_at: Date;
  expected_hashes: string;
  shares: number;
  first_share_at: Date | null;
  first_share_hashes: string;
  last_share_at: Date | null;
}

/** Every worker's buckets with shares ending in (since, until], in the pool. */
export async function recentBuckets(
  sql: Sql,
  poolId: string,
  since: Date,
  until: Date,
): Promise<BucketRow[]> {
  const r = await sql.query<BucketRow>(
    `SELECT address, worker, sampled_at, expected_hashes, shares, first_share_at, first_share_hashes,
            last_share_at
       FROM miner_stats
      WHERE pool_id = $3 AND sampled_at > $1 AND sampled_at <= $2 AND shares > 0`,
    [since, until, poolId],
  );
  return r.rows;
}

export interface WorkerSumRow {
  address: string;
  worker: string;
  hashes_1h: string | null;
  hashes_24h: string | null;
  shares_24h: string | null;
  stale_24h: string | null;
  invalid_24h: string | null;
  last_share_at: Date | null;
}

/**
 * Per worker over the day ending at `until`: hashes of the last hour and day, share counts, last share.
 * The whole hours before the last hour come from miner_stats_hourly; the partial hour at the day's start
 * and everything from the hour boundary before the last hour on, from the interval rows (at most about
 * 180 per worker instead of 1,440).
 */
export async function workerSums(sql: Sql, poolId: string, until: Date): Promise<WorkerSumRow[]> {
  const t = until.getTime();
  const day = new Date(t - 86_400_000);
  const hour = new Date(t - HOUR_MS);
  const firstWhole = new Date(Math.ceil(day.getTime() / HOUR_MS) * HOUR_MS);
  const lastWhole = new Date(Math.floor(hour.getTime() / HOUR_MS) * HOUR_MS);
  const r = await sql.query<WorkerSumRow>(
    `SELECT address, worker,
            sum(expected_hashes) FILTER (WHERE fine AND at > $2) AS hashes_1h,
            sum(expected_hashes) AS hashes_24h, sum(shares) AS shares_24h,
            sum(stale_shares) AS stale_24h, sum(invalid_shares) AS invalid_24h,
            max(last_share_at) AS last_share_at
       FROM (SELECT address, worker, hour_end AS at, expected_hashes, shares, stale_shares, invalid_shares,
                    last_share_at, false AS fine
               FROM miner_stats_hourly WHERE pool_id = $6 AND hour_end > $4 AND hour_end <= $5
             UNION ALL
             SELECT address, worker, sampled_at, expected_hashes, shares, stale_shares, invalid_shares,
                    last_share_at, true
               FROM miner_stats
              WHERE pool_id = $6
                AND ((sampled_at > $1 AND sampled_at <= $4) OR (sampled_at > $5 AND sampled_at <= $3))) parts
      GROUP BY address, worker`,
    [day, hour, until, firstWhole, lastWhole, poolId],
  );
  return r.rows;
}

/** Rejected shares of the pool's unidentified connections (no authorized worker), last day. */
export async function anonymousRejections(
  sql: Sql,
  poolId: string,
  until: Date,
): Promise<{ stale: number; invalid: number }> {
  const r = await sql.query<{ stale: string | null; invalid: string | null }>(
    `SELECT sum(stale) AS stale, sum(invalid) AS invalid FROM share_rejections
      WHERE pool_id = $3 AND address = '' AND bucket_at > $1 AND bucket_at <= $2`,
    [new Date(until.getTime() - 86_400_000), until, poolId],
  );
  return { stale: Number(r.rows[0]?.stale ?? 0), invalid: Number(r.rows[0]?.invalid ?? 0) };
}

/** When the pool's stats begin: the start of the earliest interval kept, or null when there is none. */
export async function statsBegin(sql: Sql, poolId: string): Promise<Date | null> {
  const r = await sql.query<{ sampled_at: Date; interval_seconds: number }>(
    `SELECT sampled_at, interval_seconds FROM pool_stats WHERE pool_id = $1 AND instance = ''
      ORDER BY sampled_at LIMIT 1`,
    [poolId],
  );
  const first = r.rows[0];
  return first ? new Date(first.sampled_at.getTime() - first.interval_seconds * 1000) : null;
}
