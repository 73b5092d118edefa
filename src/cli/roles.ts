import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { defaultPoolId, type PoolConfig } from '../config/index.ts';
import { databaseOptions, migrate, openDatabase } from '../db/index.ts';
import { NodeSet } from '../ergo/index.ts';
import { startApiRole } from './api.ts';
import { describePools } from './describe.ts';
import { UsageError } from './errors.ts';
import { startObservability } from './observe.ts';
import { startPool, startPoolAccounting } from './pool.ts';

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

/** Role accounting: no miners and no journal; the database, the nodes, and the jobs that read them. */
export async function startAccountingRole(config: PoolConfig, logger: Logger): Promise<RunningRole> {
  if (config.nodes.length === 0)
    throw new UsageError('role accounting needs `nodes:` (and a walletNode to pay)');
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
    await migrate(db, { defaultPoolId: defaultPoolId(config) });
    const nodeSet = new NodeSet({
      nodes: config.nodes,
      ...(config.walletNode ? { walletNode: config.walletNode } : {}),
      pollIntervalMs: config.pollIntervalMs,
      logger: logger.child({ part: 'nodes' }),
    });
    nodeSet.start();
    closers.push(() => nodeSet.stop());
    const accounting = startPoolAccounting(config, db, null, nodeSet, config.walletNode, logger);
    closers.push(() => accounting.close());
    const observed = await startObservability({
      config,
      logger,
      db,
      nodes: nodeSet,
      stratum: null,
      sink: null,
      registry: new Registry(),
      description: describePools(config, [], defaultPoolId(config))[0]!,
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
