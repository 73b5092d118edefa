import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { defaultPoolId, type PoolConfig, poolsOf } from '../config/index.ts';
import { databaseOptions, migrate, openDatabase } from '../db/index.ts';
import { startApiRole } from './api.ts';
import { describePools } from './describe.ts';
import { UsageError } from './errors.ts';
import { startObservability } from './observe.ts';
import { startPool } from './pool.ts';
import { nodeSetsOf, observedPools, poolRuntimes, startPoolsAccounting } from './pool-set.ts';

export interface RunningRole {
  close(): Promise<void>;
}

/**
 * One process of the pool by `config.role`: all (everything, today's single process), stratum (miners,
 * the journal, shipping into the shared database), accounting (blocks, credits and payouts under an elected
 * leader, the stats job and notifications) or api (the HTTP API and website).
 */
export async function startRole(config: PoolConfig, logger: Logger): Promise<RunningRole> {
  if (config.devnet.enabled && config.role !== 'all')
    throw new UsageError(
      `--devnet runs the whole pool in one process (role all); for a cluster run \`enigmapool devnet\` and point every role's nodes: at it (role ${config.role})`,
    );
  if (config.role === 'api') return startApiRole(config, logger);
  if (config.role === 'accounting') return startAccountingRole(config, logger);
  return startPool(config, logger);
}

/** Role accounting: no miners and no journal; the database, every pool's nodes, and the jobs that read them. */
export async function startAccountingRole(config: PoolConfig, logger: Logger): Promise<RunningRole> {
  const pools = poolsOf(config);
  const nodeless = pools.find((p) => p.nodes.length === 0);
  if (nodeless)
    throw new UsageError(
      `role accounting needs \`nodes:\` (and a walletNode to pay)${pools.length > 1 ? ` for pool ${nodeless.id}` : ''}`,
    );
  const db = await openDatabase({
    ...databaseOptions(config),
    logger: logger.child({ part: 'db' }, { level: 'warn' }),
  });
  const closers: (() => Promise<void>)[] = [() => db.close()];
  const close = async () => {
    for (let c = closers.pop(); c; c = closers.pop())
      await c().catch((err) => logger.error({ err }, 'shutdown step failed'));
  };
  try {
    const main = defaultPoolId(config);
    await migrate(db, { defaultPoolId: main });
    const runtimes = poolRuntimes(config, null, logger);
    for (const set of nodeSetsOf(runtimes)) {
      set.start();
      closers.push(() => set.stop());
    }
    const accounting = startPoolsAccounting(config, runtimes, db, null, logger);
    closers.push(() => accounting.close());
    const descriptions = describePools(config, [], main);
    const observed = await startObservability({
      config,
      logger,
      db,
      pools: observedPools(runtimes, descriptions),
      stratum: null,
      sink: null,
      registry: new Registry(),
      parts: { stats: true, api: false },
      leading: () => accounting.leading,
    });
    closers.push(() => observed.close());
    return { close };
  } catch (err) {
    await close();
    throw err;
  }
}
