import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { type PoolApi, startApiServer } from '../api/index.ts';
import { ConfigError, defaultPoolId, loadConfig, type PoolConfig, poolsOf } from '../config/index.ts';
import { databaseOptions, migrate, openDatabase } from '../db/index.ts';
import { portOption } from './args.ts';
import { coinOf } from './coins.ts';
import { describePools } from './describe.ts';
import { UsageError } from './errors.ts';
import { createLogger } from './logger.ts';
import { defaultWebDir } from './observe.ts';
import { checkPortsFree } from './ports.ts';
import { connectRedis, eventBus, statsCache } from './services.ts';

export async function apiCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      database: { type: 'string' },
      redis: { type: 'string' },
      'api-port': { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
  });
  const overrides: Record<string, unknown> = {};
  if (values.database !== undefined) overrides['database.url'] = values.database;
  if (values.redis !== undefined) overrides['redis.url'] = values.redis;
  if (values['data-dir'] !== undefined) overrides.dataDir = values['data-dir'];
  if (values['api-port'] !== undefined) overrides['api.port'] = portOption(values['api-port'], 'api-port');
  let config: PoolConfig;
  try {
    config = loadConfig({ ...(values.config ? { file: values.config } : {}), env: process.env, overrides });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  await checkPortsFree([
    {
      name: values['api-port'] !== undefined ? '--api-port' : 'api.port',
      host: config.api.host,
      port: config.api.port,
    },
  ]);
  const logger = createLogger(config.log.level, config.log.format);
  const running = await startApiRole(config, logger);
  logger.info('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.close();
  logger.info('api stopped');
}

/**
 * The API role (`enigmapool api`, `start --role api`): the HTTP API and website over the database, for every
 * configured pool (the default pool first), each with the figures its stats job keeps.
 */
export async function startApiRole(
  config: PoolConfig,
  logger: Logger,
): Promise<{ url: string; close(): Promise<void> }> {
  const db = await openDatabase({
    ...databaseOptions(config),
    logger: logger.child({ part: 'db' }, { level: 'warn' }),
  });
  const redis = config.redis.url ? connectRedis(config.redis.url, logger.child({ part: 'redis' })) : null;
  const bus = eventBus(config, redis, logger);
  const closeAll = async () => {
    await bus.close();
    await redis?.close();
    await db.close();
  };
  try {
    await migrate(db, { defaultPoolId: defaultPoolId(config) });
    const descriptions = describePools(config, [], defaultPoolId(config));
    const pools: PoolApi[] = descriptions.map((pool) => {
      const resolved = poolsOf(config).find((p) => p.id === pool.id)!;
      const coin = coinOf(resolved);
      return {
        pool,
        cache: statsCache(config, pool.id, db, redis, false, logger.child({ part: 'stats', pool: pool.id })),
        nodes: null,
        checkAddress: (address: string) => coin.checkAddress(address),
      };
    });
    const server = await startApiServer({
      ctx: {
        db,
        pools,
        bus,
        logger: logger.child({ part: 'api' }),
        now: Date.now,
        metrics: null,
      },
      host: config.api.host,
      port: config.api.port,
      trustProxy: config.api.trustProxy,
      rateLimit: config.api.rateLimit,
      metrics: { ...config.api.metrics, enabled: false },
      ...(config.api.adminToken ? { adminToken: config.api.adminToken } : {}),
      webDir: config.api.webDir ?? defaultWebDir(),
      maxWebsocketClients: config.api.maxWebsockets,
    });
    logger.info(
      `api: ${server.url}/api/v1/stats (docs at ${server.url}/api/v1/docs)${pools.length > 1 ? `; pools ${pools.map((p) => p.pool.id).join(', ')} at ${server.url}/api/v1/pools` : ''}`,
    );
    return {
      url: server.url,
      async close() {
        await server.close();
        await closeAll();
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
