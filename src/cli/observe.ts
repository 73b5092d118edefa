import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  type ApiServer,
  describeEvent,
  type EventBus,
  EventNotifier,
  type PoolMetrics,
  registerPoolMetrics,
  startApiServer,
  startMetricsServer,
  WebhookSender,
} from '../api/index.ts';
import type { PoolConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { DurableShareSink } from '../shares/index.ts';
import type { StatsCache, StatsJob } from '../stats/index.ts';
import type { StratumServer } from '../stratum/index.ts';
import { shareBans } from './cluster-bans.ts';
import { nodeFigures, type ObservedPool, type PoolStats, watchPool } from './observe-pool.ts';
import { watchStratum } from './observe-stratum.ts';
import { connectRedis, eventBus, processName, type RedisLink } from './services.ts';

export type { ObservedPool } from './observe-pool.ts';

export interface ObservedParts {
  config: PoolConfig;
  logger: Logger;
  db: Database;
  /** Every pool of the deployment, the default first. */
  pools: ObservedPool[];
  /** The stratum server of this process (roles all and stratum). */
  stratum: StratumServer | null;
  sink: DurableShareSink | null;
  /**
   * What runs here: the stats job and the event outbox (leased: one instance of a cluster does the work),
   * and the HTTP API. Default: both (role all).
   */
  parts?: { stats: boolean; api: boolean };
  /** This process leads accounting (of several): only the leader sends node up/down notifications. */
  leading?: () => boolean;
  registry: Registry;
  /** Share checks waiting for a verifier thread (where this process checks shares). */
  verifierQueue?: () => number;
}

export interface Observability {
  api: ApiServer | null;
  /** The default pool's stats job; null where the stats jobs do not run (role stratum). */
  stats: StatsJob | null;
  /** Every pool's stats (cache, job), by pool id. */
  pools: ReadonlyMap<string, PoolStats>;
  bus: EventBus;
  /** The default pool's stats cache. */
  cache: StatsCache;
  metrics: PoolMetrics;
  close(): Promise<void>;
}

/** The website's files of this installation (web/dist), when built. */
export function defaultWebDir(): string | null {
  const dir = fileURLToPath(new URL('../../web/dist/', import.meta.url));
  return existsSync(`${dir}index.html`) ? dir : null;
}

/**
 * Stats, the API and notifications, wired to this process: the stratum's part (rejected-share counts,
 * heartbeat, miner settings, block events) when it runs a stratum server, the stats job and the event
 * outbox (leased across the cluster) when `parts.stats`, the HTTP server when `parts.api`; events onto the
 * bus (blocks, heights, nodes, the database), webhooks and metrics everywhere.
 */
export async function startObservability(p: ObservedParts): Promise<Observability> {
  const { config, logger } = p;
  const parts = p.parts ?? { stats: true, api: true };
  const closers: (() => Promise<void>)[] = [];
  const timers: NodeJS.Timeout[] = [];
  const close = async () => {
    for (const t of timers) clearInterval(t);
    for (const c of [...closers].reverse())
      await c().catch((err) => logger.error({ err }, 'shutdown step failed'));
  };
  try {
    const redis: RedisLink | null = config.redis.url
      ? connectRedis(config.redis.url, logger.child({ part: 'redis' }))
      : null;
    if (redis) closers.push(() => redis.close());
    const bus = eventBus(config, redis, logger);
    closers.push(() => bus.close());
    const holder = processName(config);
    const pools = new Map<string, PoolStats>();
    for (const pool of p.pools) {
      const watched = watchPool({
        config,
        pool,
        db: p.db,
        redis,
        bus,
        holder,
        runJob: parts.stats,
        logger: logger.child({ part: 'stats', ...(p.pools.length > 1 ? { pool: pool.description.id } : {}) }),
      });
      pools.set(pool.description.id, watched);
      if (watched.job) closers.push(() => watched.job!.stop());
    }
    const main = pools.get(p.pools[0]!.description.id)!;
    const mainDescription = main.pool.description;
    const nodeSets = [...new Set(p.pools.map((pool) => pool.nodes))];
    const stratum = p.stratum;
    const metrics = registerPoolMetrics(p.registry, {
      ...(stratum
        ? {
            stratum: {
              sessionCount: () => stratum.sessionCount,
              onShare: (fn: (outcome: string, pool: string) => void) =>
                stratum.events.on('share', (e) => fn(e.outcome, e.poolId)),
              onBlock: (fn: (accepted: boolean, pool: string) => void) =>
                stratum.events.on('block', (e) => fn(e.accepted, e.share.poolId)),
            },
          }
        : {}),
      ...(p.verifierQueue ? { verifierQueue: p.verifierQueue } : {}),
      nodes: () => nodeSets.flatMap((set) => set.health().nodes),
      pools: () => [...pools.values()].map((s) => ({ pool: s.pool.description.id, figures: s.latest() })),
      ...(p.sink ? { databaseOutageSince: () => p.sink!.stats.outageSince } : {}),
    });

    // Events onto the bus and the webhooks.
    const webhooks =
      config.notifications.webhooks.length > 0
        ? new WebhookSender({
            targets: config.notifications.webhooks,
            poolName: config.pool.name,
            logger: logger.child({ part: 'webhooks' }),
          })
        : null;
    if (webhooks) closers.push(() => webhooks.close());
    const direct = (
      type: 'node.down' | 'node.up' | 'database.down' | 'database.up',
      data: Record<string, unknown>,
    ) => {
      const event = { type, data };
      bus.publish(event);
      webhooks?.send(event, describeEvent(event, mainDescription));
    };
    if (stratum && redis)
      closers.push(
        await shareBans({
          stratum,
          redis,
          prefix: config.redis.prefix,
          origin: holder,
          logger: logger.child({ part: 'stratum' }),
        }),
      );
    if (stratum)
      closers.push(
        await watchStratum({
          config,
          logger,
          db: p.db,
          stratum,
          bus,
          pools: p.pools.map((pool) => ({
            id: pool.description.id,
            minimum: pool.description.payouts.minimum,
          })),
          roles: [config.role],
        }),
      );
    for (const set of nodeSets) {
      const served = p.pools.filter((pool) => pool.nodes === set).map((pool) => pool.description.id);
      set.on('height', ({ height }) => {
        for (const pool of served) bus.publish({ type: 'height', pool, data: { height } });
      });
      // Node up/down from the accounting leader only: every role watches the nodes, and webhooks would
      // otherwise get one copy per process.
      if (parts.stats)
        set.on('health', ({ node, status, previous, problems }) => {
          if (p.leading && !p.leading()) return;
          if (status === 'synced' && previous !== 'synced' && previous !== 'unknown')
            direct('node.up', { node, problems, pools: served });
          else if (status !== 'synced' && previous === 'synced')
            direct('node.down', { node, problems, pools: served });
        });
    }
    if (p.sink) {
      const sink = p.sink;
      let outage: number | null = null;
      const watch = setInterval(() => {
        const since = sink.stats.outageSince;
        if (since !== null && outage === null)
          direct('database.down', {
            since: new Date(since).toISOString(),
            message: 'the share shipper cannot write',
          });
        else if (since === null && outage !== null) direct('database.up', {});
        outage = since;
      }, 1000);
      watch.unref();
      timers.push(watch);
    }
    if (parts.stats) {
      const notifier = new EventNotifier({
        db: p.db,
        bus,
        webhooks,
        pools: p.pools.map((pool) => pool.description),
        holder,
        logger: logger.child({ part: 'events' }),
      });
      notifier.start();
      closers.push(() => notifier.stop());
    }

    let api: ApiServer | null = null;
    if (parts.api && config.api.enabled) {
      api = await startApiServer({
        ctx: {
          db: p.db,
          pools: p.pools.map((pool) => ({
            pool: pool.description,
            cache: pools.get(pool.description.id)!.cache,
            nodes: () => nodeFigures(pool.nodes),
            checkAddress: pool.checkAddress,
          })),
          bus,
          logger: logger.child({ part: 'api' }),
          now: Date.now,
          metrics: p.registry,
        },
        host: config.api.host,
        port: config.api.port,
        trustProxy: config.api.trustProxy,
        rateLimit: config.api.rateLimit,
        metrics: config.api.metrics,
        ...(config.api.adminToken ? { adminToken: config.api.adminToken } : {}),
        webDir: config.api.webDir ?? defaultWebDir(),
        maxWebsocketClients: config.api.maxWebsockets,
      });
      const server = api;
      closers.push(() => server.close());
      logger.info(
        `api: ${server.url}/api/v1/stats (docs at ${server.url}/api/v1/docs${server.metricsUrl ? `, metrics at ${server.metricsUrl}` : ''})`,
      );
    } else if (config.api.metrics.enabled && config.api.metrics.port !== undefined) {
      const server = await startMetricsServer({
        host: config.api.host,
        port: config.api.metrics.port,
        allow: config.api.metrics.allow,
        registry: p.registry,
      });
      closers.push(() => server.close());
      logger.info(`metrics: ${server.url}`);
    }
    return { api, stats: main.job, pools, bus, cache: main.cache, metrics, close };
  } catch (err) {
    await close();
    throw err;
  }
}
