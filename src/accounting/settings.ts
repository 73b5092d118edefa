import type { Sql } from '../db/index.ts';
import { ergText } from './exact.ts';

/**
 * A miner's own payout threshold (miner_settings.payout_threshold, nanoERG). The payout plan never uses a
 * threshold below the pool minimum; one is refused here so the miner is told at once.
 */
export class PayoutThresholdError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'PayoutThresholdError';
  }
}

/** The most a threshold may be: beyond, a balance would effectively never be paid. */
export const MAX_PAYOUT_THRESHOLD = 100_000n * 1_000_000_000n;

export function checkPayoutThreshold(nano: bigint, minimum: bigint): void {
  if (nano < minimum)
    throw new PayoutThresholdError(
      `a payout threshold must be at least the pool minimum, ${ergText(minimum)} ERG`,
    );
  if (nano > MAX_PAYOUT_THRESHOLD)
    throw new PayoutThresholdError(`a payout threshold may be at most ${ergText(MAX_PAYOUT_THRESHOLD)} ERG`);
}

/** The miner's threshold in one pool (each pool pays on its own terms). */
export async function setPayoutThreshold(
  sql: Sql,
  poolId: string,
  address: string,
  nano: bigint,
  minimum: bigint,
): Promise<void> {
  checkPayoutThreshold(nano, minimum);
  await sql.query(
    `INSERT INTO miner_settings (pool_id, address, payout_threshold) VALUES ($1, $2, $3)
     ON CONFLICT (pool_id, address) DO UPDATE
        SET payout_threshold = EXCLUDED.payout_threshold, updated_at = now()`,
    [poolId, address, nano],
  );
}
