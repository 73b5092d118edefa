import type { Logger } from 'pino';
import { ergToNano, PayoutThresholdError, setPayoutThreshold } from '../accounting/index.ts';
import type { EventBus } from '../api/index.ts';
import type { PoolConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import { RejectionCounter, writeHeartbeat } from '../stats/index.ts';
import type { StratumServer } from '../stratum/index.ts';

export interface WatchedStratum {
  config: PoolConfig;
  logger: Logger;
  db: Database;
  stratum: StratumServer;
  bus: EventBus;
  /** The stratum's pools, each with its payout minimum (nanoERG): a miner's t= threshold below it is refused. */
  pools: readonly { id: string; minimum: bigint }[];
  roles: string[];
}

/**
 * A stratum server's part of the stats and events: rejected shares per worker and a heartbeat with its
 * connections (table pool_instances, which the stats job sums over the cluster), miner settings from the
 * stratum password, and found blocks onto the bus. Returns the step that writes the last heartbeat.
 */
export async function watchStratum(w: WatchedStratum): Promise<() => Promise<void>> {
  const { config, logger, stratum } = w;
  const instance = config.instance.id.toString(16).padStart(2, '0');
  const rejections = new Map(
    w.pools.map((pool) => [
      pool.id,
      new RejectionCounter({
        poolId: pool.id,
        instance,
        intervalSeconds: config.stats.intervalSeconds,
        logger: logger.child({ part: 'stats' }),
      }),
    ]),
  );
  const minimums = new Map(w.pools.map((pool) => [pool.id, pool.minimum]));
  stratum.events.on('share', (e) => {
    const counter = rejections.get(e.poolId);
    if (!counter) return;
    if (e.outcome === 'stale') counter.count(e.address, e.worker, 'stale', Date.now());
    else if (e.outcome === 'invalid' || e.outcome === 'duplicate' || e.outcome === 'low-difficulty')
      counter.count(e.address, e.worker, 'invalid', Date.now());
  });
  const startedAt = new Date();
  const beat = async () => {
    for (const counter of rejections.values()) await counter.flush(w.db, Date.now());
    await writeHeartbeat(w.db, {
      instance,
      roles: w.roles,
      connections: stratum.sessionCount,
      workers: stratum.sessionCount,
      startedAt,
    });
  };
  const timer = setInterval(() => void beat().catch(() => undefined), 10_000);
  timer.unref();
  await beat().catch(() => undefined);

  stratum.events.on('settings', ({ poolId, address, payoutThreshold }) => {
    const minimum = minimums.get(poolId);
    if (minimum === undefined) return;
    let nano: bigint;
    try {
      nano = ergToNano(payoutThreshold);
    } catch {
      logger.info({ address, payoutThreshold }, 'miner settings: not an ERG amount, ignored');
      return;
    }
    setPayoutThreshold(w.db, poolId, address, nano, minimum).then(
      () =>
        logger.info(`miner settings: ${address} will be paid from ${payoutThreshold} ERG in pool ${poolId}`),
      (err: Error) =>
        logger.info(
          { address, payoutThreshold },
          err instanceof PayoutThresholdError
            ? `miner settings refused: ${err.message}`
            : `miner settings not saved: ${err.message}`,
        ),
    );
  });
  stratum.events.on('block', ({ share, accepted }) =>
    w.bus.publish({
      type: 'block.found',
      pool: share.poolId,
      data: {
        height: share.height,
        miner: share.address,
        worker: share.worker,
        at: new Date(share.time).toISOString(),
        accepted,
        instance,
      },
    }),
  );
  return async () => {
    clearInterval(timer);
    await beat().catch(() => undefined);
  };
}
