import { parseArgs } from 'node:util';
import { parseDifficulty } from '../coin/index.ts';
import { ConfigError, defaultPoolId, loadConfig, type PoolConfig, poolsOf } from '../config/index.ts';
import { DatabaseConnectionError, MigrationError } from '../db/index.ts';
import { integerOption, portOption } from './args.ts';
import { UsageError } from './errors.ts';
import { createLogger } from './logger.ts';
import { checkPortsFree, describeListenError, poolListeners } from './ports.ts';
import { type RunningRole, startRole } from './roles.ts';

/**
 * The devnet demo shows the whole cycle within minutes: rewards mature after 20 blocks instead of 720, blocks
 * are checked every 10 s, payouts run every minute and the stats every 30 s. The file or ENIGMAPOOL_* variables can still set them.
 */
const DEVNET_DEMO: Record<string, unknown> = {
  'devnet.rewardDelay': 20,
  'accounting.confirmations': 20,
  'accounting.blockCheckSeconds': 10,
  'accounting.payouts.intervalSeconds': 60,
  'stats.intervalSeconds': 30,
};

/** Share difficulty the devnet demo starts at: a CPU thread finds a share every few seconds. */
const DEVNET_START_DIFFICULTY = '0.00002';

export async function startCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      devnet: { type: 'boolean' },
      'devnet-port': { type: 'string' },
      'stratum-port': { type: 'string' },
      'api-port': { type: 'string' },
      'data-dir': { type: 'string' },
      database: { type: 'string' },
      redis: { type: 'string' },
      'start-difficulty': { type: 'string' },
      'no-demo-miner': { type: 'boolean' },
      'demo-threads': { type: 'string' },
      role: { type: 'string' },
      'instance-id': { type: 'string' },
    },
    strict: true,
  });
  const config = buildConfig(values);
  // Ports first: a port in use is a one-line error before the database is opened.
  const listeners = poolListeners(config, values);
  await checkPortsFree(listeners);
  const logger = createLogger(config.log.level, config.log.format);
  let pool: RunningRole;
  try {
    pool = await startRole(config, logger);
  } catch (err) {
    if (err instanceof DatabaseConnectionError || err instanceof MigrationError) {
      // One line, no stack: the message names the database (password masked) and what went wrong.
      err.stack = `${err.name}: ${err.message}`;
    }
    // A port taken since the check: the same one line.
    const { port } = err as { port?: unknown };
    const listener = listeners.find((l) => l.port === port);
    const line = listener && describeListenError(listener, err as NodeJS.ErrnoException);
    if (line) throw new UsageError(line);
    throw err;
  }
  logger.info('EnigmaPool is running. Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  logger.info('shutting down…');
  await pool.close();
  logger.info('stopped cleanly');
}

type StartFlags = Record<string, string | boolean | undefined>;

/** Config file + environment, then the command-line flags on top. */
export function buildConfig(values: StartFlags): PoolConfig {
  const overrides: Record<string, unknown> = {};
  if (values.devnet) {
    overrides['devnet.enabled'] = true;
    overrides['demoMiner.enabled'] = !values['no-demo-miner'];
  } else if (values['no-demo-miner']) overrides['demoMiner.enabled'] = false;
  if (values['devnet-port'] !== undefined)
    overrides['devnet.port'] = portOption(values['devnet-port'] as string, 'devnet-port');
  if (values['api-port'] !== undefined)
    overrides['api.port'] = portOption(values['api-port'] as string, 'api-port');
  if (values['data-dir'] !== undefined) overrides.dataDir = values['data-dir'];
  if (values.database !== undefined) overrides['database.url'] = values.database;
  if (values.redis !== undefined) overrides['redis.url'] = values.redis;
  if (values.role !== undefined) overrides.role = values.role;
  if (values['instance-id'] !== undefined)
    overrides['instance.id'] = integerOption(values['instance-id'] as string, 'instance-id', undefined, 0);
  if (values['demo-threads'] !== undefined)
    overrides['demoMiner.threads'] = integerOption(
      values['demo-threads'] as string,
      'demo-threads',
      undefined,
      1,
    );
  let config: PoolConfig;
  try {
    config = loadConfig({
      ...(values.config ? { file: values.config as string } : {}),
      env: process.env,
      overrides,
      ...(values.devnet && !values.config ? { fallbacks: DEVNET_DEMO } : {}),
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  // The flags set the default pool's first port (with `pools:`, that pool's; else stratum.ports.0).
  const main = defaultPoolId(config);
  const port = (config.pools?.find((p) => p.id === main)?.ports ?? config.stratum.ports)[0]!;
  if (values['stratum-port'] !== undefined)
    port.port = portOption(values['stratum-port'] as string, 'stratum-port');
  const start =
    (values['start-difficulty'] as string | undefined) ??
    (config.devnet.enabled && !values.config ? DEVNET_START_DIFFICULTY : undefined);
  if (start !== undefined) {
    try {
      parseDifficulty(start);
    } catch (err) {
      throw new UsageError(`--start-difficulty: ${(err as Error).message}`);
    }
    port.difficulty = { ...port.difficulty, start, min: start };
  }
  const pools = poolsOf(config);
  if (config.devnet.enabled && (config.nodes.length > 0 || pools.some((p) => !p.sharedNodes))) {
    throw new UsageError(
      '--devnet runs its own simulated node for every pool; remove `nodes:` from the config (and from its pools) or drop --devnet',
    );
  }
  // The API role reads the database and the stats cache only; every other role talks to the nodes.
  const nodeless = pools.find((p) => p.nodes.length === 0);
  if (!config.devnet.enabled && nodeless && config.role !== 'api') {
    throw new UsageError(
      `no Ergo node configured${pools.length > 1 ? ` for pool ${nodeless.id}` : ''}: add \`nodes:\` to the config file, or run with --devnet`,
    );
  }
  return config;
}
