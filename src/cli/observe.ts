import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { addressValidator, ergToNano, feesOf, netRewardAt, ratioText } from '../accounting/index.ts';
import {
  type ApiServer,
  describeEvent,
  type EventBus,
  EventNotifier,
  type PoolDescription,
  type PoolMetrics,
  registerPoolMetrics,
  startApiServer,
  startMetricsServer,
  statsJson,
  WebhookSender,
} from '../api/index.ts';
import type { PoolConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { NodeSet } from '../ergo/index.ts';
import type { DurableShareSink } from '../shares/index.ts';
import {
  type NetworkFigures,
  type NodeFigures,
  networkRate,
  type StatsCache,
  StatsJob,
} from '../stats/index.ts';
import { type BanPolicy, DEFAULT_BAN_POLICY, type StratumServer } from '../stratum/index.ts';
import { shareBans } from './cluster-bans.ts';
import { watchStratum } from './observe-stratum.ts';
import { connectRedis, eventBus, processName, type RedisLink, statsCache } from './services.ts';

export interface ObservedParts {
  config: PoolConfig;
  logger: Logger;
  db: Database;
  nodes: NodeSet;
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
  description: PoolDescription;
}

export interface Observability {
  api: ApiServer | null;
  /** Null where the stats job does not run (role stratum). */
  stats: StatsJob | null;
  bus: EventBus;
  cache: StatsCache;
  metrics: PoolMetrics;
  close(): Promise<void>;
}

/** The website's files of this installation (web/dist), when built. */
export function defaultWebDir(): string | null {
  const dir = fileURLToPath(new URL('../../web/dist/', import.meta.url));
  return existsSync(`${dir}index.html`) ? dir : null;
}

function nodeFigures(nodes: NodeSet): NodeFigures[] {
  return nodes.health().nodes.map((n) => ({
    name: n.name,
    status: n.status === 'synced' ? 'healthy' : n.status,
    problems: n.problems.map(String),
    height: n.fullHeight,
    peers: n.peersCount,
    latencyMs: n.latencyMs,
    current: n.current,
    wallet: n.wallet,
  }));
}

/** The chain as the followed node sees it: height, difficulty and hashrate from its last 30 headers. */
async function networkFigures(nodes: NodeSet): Promise<NetworkFigures | null> {
  const name = nodes.current ?? nodes.health().nodes[0]?.name;
  if (!name) return null;
  const headers = await nodes.client(name).lastHeaders(30);
  const last = headers[headers.length - 1];
  if (!last) return null;
  const points = headers.map((h) => ({ timestamp: Number(h.timestamp), difficulty: BigInt(h.difficulty) }));
  const rate = networkRate(points);
  return {
    height: last.height,
    difficulty: BigInt(last.difficulty),
    hashrate: rate?.hashrate ?? null,
    meanBlockSeconds: rate?.meanBlockSeconds ?? null,
    lastBlockAt: Number(last.timestamp),
  };
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
    const cache = statsCache(config, p.db, redis, parts.stats, logger.child({ part: 'stats' }));
    const holder = processName(config);

    // The pool's reward address (what miningcore's dashboards show as the pool wallet), from the node.
    const resolveAddress = () => {
      if (p.description.address !== null) return;
      const name = p.nodes.current ?? p.nodes.health().nodes[0]?.name;
      if (!name) return;
      p.nodes
        .client(name)
        .rewardAddress()
        .then((address) => {
          p.description.address = address;
        })
        .catch(() => undefined);
    };
    resolveAddress();
    let latest: Awaited<ReturnType<StatsCache['pool']>> = null;
    const stratum = p.stratum;
    const metrics = registerPoolMetrics(p.registry, {
      ...(stratum
        ? {
            stratum: {
              sessionCount: () => stratum.sessionCount,
              onShare: (fn: (outcome: string) => void) => stratum.events.on('share', (e) => fn(e.outcome)),
              onBlock: (fn: (accepted: boolean) => void) => stratum.events.on('block', (e) => fn(e.accepted)),
            },
          }
        : {}),
      ...(p.verifierQueue ? { verifierQueue: p.verifierQueue } : {}),
      nodes: () => p.nodes.health().nodes,
      figures: () => latest,
      ...(p.sink ? { databaseOutageSince: () => p.sink!.stats.outageSince } : {}),
    });

    let stats: StatsJob | null = null;
    if (parts.stats) {
      const job = new StatsJob({
        db: p.db,
        poolId: config.pool.id,
        cache,
        holder,
        intervalSeconds: config.stats.intervalSeconds,
        luckBlocks: config.stats.luckBlocks,
        scheme: config.accounting.scheme,
        pplnsFactor: Number(config.accounting.pplnsFactor),
        fee: p.description.payouts.fee,
        rewardAt: netRewardAt,
        network: () => networkFigures(p.nodes),
        nodes: () => nodeFigures(p.nodes),
        retention: {
          ...config.stats.retention,
          ...(config.accounting.scheme === 'pplns'
            ? { keepWindowFactor: Number(config.accounting.pplnsFactor) }
            : {}),
        },
        logger: logger.child({ part: 'stats' }),
        onSnapshot: (s) => {
          latest = s.pool;
          resolveAddress();
          bus.publish({ type: 'stats', data: statsJson(s.pool, config.stats.intervalSeconds) });
        },
      });
      job.start();
      closers.push(() => job.stop());
      stats = job;
    }

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
      webhooks?.send(event, describeEvent(event, p.description));
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
          minimum: p.description.payouts.minimum,
          roles: [config.role],
        }),
      );
    p.nodes.on('height', ({ height }) => bus.publish({ type: 'height', data: { height } }));
    // Node up/down from the accounting leader only: every role watches the nodes, and webhooks would
    // otherwise get one copy per process.
    if (parts.stats)
      p.nodes.on('health', ({ node, status, previous, problems }) => {
        if (p.leading && !p.leading()) return;
        if (status === 'synced' && previous !== 'synced' && previous !== 'unknown')
          direct('node.up', { node, problems });
        else if (status !== 'synced' && previous === 'synced') direct('node.down', { node, problems });
      });
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
        pool: p.description,
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
          cache,
          pool: p.description,
          bus,
          nodes: () => nodeFigures(p.nodes),
          checkAddress: addressValidator(config.network),
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
    return { api, stats, bus, cache, metrics, close };
  } catch (err) {
    await close();
    throw err;
  }
}
