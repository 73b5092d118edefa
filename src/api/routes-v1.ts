import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { NodeFigures } from '../stats/index.ts';
import { type ApiContext, defaultPool, type PoolApi } from './context.ts';
import { notFound } from './errors.ts';
import { erg, iso, paged } from './format.ts';
import { perPool } from './per-pool.ts';
import { blocksAt, blocksPage, paymentByTx, paymentsPage, poolHistory } from './queries.ts';
import {
  BlockSchema,
  ErrorSchema,
  HealthSchema,
  HistorySchema,
  NetworkSchema,
  NodeSchema,
  PaymentSchema,
  PoolSchema,
  pageOf,
  pageQuery,
  rangeQuery,
  StatsSchema,
  statusFilter,
} from './schemas.ts';
import { blockJson, networkJson, paymentJson, poolJson, statsJson } from './shapes.ts';

/** How long browsers and CDNs may keep each kind of answer. */
export const CACHE_SECONDS = { pool: 60, stats: 10, blocks: 30, payments: 30, miner: 10, history: 60 };

export const POOL_RANGES = { '1h': 60, '24h': 600, '7d': 3600, '30d': 14_400 } as const;
const RANGE_MS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

/** A pool's nodes: live where this process watches them, else the stats snapshot's. */
export async function nodesOf(p: PoolApi) {
  return p.nodes?.() ?? (await p.cache.pool())?.nodes ?? [];
}

const cache = (seconds: number) => `public, max-age=${seconds}`;
const errors = { 400: ErrorSchema, 404: ErrorSchema };

/**
 * The pool-wide /api/v1 routes, each for every pool (`/api/v1/pools/:poolId/…`) and for the default pool
 * unprefixed; the deployment's list of pools and its health (the miner routes are in routes-miner.ts).
 */
export function registerPoolRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/pools',
    {
      schema: {
        tags: ['pools'],
        summary: 'Every pool of the deployment, the default pool first',
        response: { 200: z.object({ items: z.array(PoolSchema) }) },
      },
    },
    async (_req, reply) => {
      reply.header('cache-control', cache(CACHE_SECONDS.stats));
      return {
        items: await Promise.all(ctx.pools.map(async (p, i) => poolJson(p.pool, await nodesOf(p), i === 0))),
      };
    },
  );

  perPool(
    app,
    ctx,
    '/pool',
    {
      schema: {
        tags: ['pool'],
        summary: 'The pool: payouts, ports, nodes',
        response: { 200: PoolSchema, ...errors },
      },
    },
    async (_req, reply, p) => {
      reply.header('cache-control', cache(CACHE_SECONDS.stats));
      return poolJson(p.pool, await nodesOf(p), p === defaultPool(ctx));
    },
  );

  perPool(
    app,
    ctx,
    '/stats',
    { schema: { tags: ['pool'], summary: 'The current figures', response: { 200: StatsSchema, ...errors } } },
    async (_req, reply, p) => {
      reply.header('cache-control', cache(CACHE_SECONDS.stats));
      return statsJson(await p.cache.pool(), 60);
    },
  );

  perPool(
    app,
    ctx,
    '/network',
    {
      schema: { tags: ['pool'], summary: 'The pool’s network', response: { 200: NetworkSchema, ...errors } },
    },
    async (_req, reply, p) => {
      reply.header('cache-control', cache(CACHE_SECONDS.stats));
      return networkJson(await p.cache.pool());
    },
  );

  perPool(
    app,
    ctx,
    '/stats/history',
    {
      schema: {
        tags: ['pool'],
        summary: 'Pool samples averaged per bucket, oldest first',
        querystring: rangeQuery(['1h', '24h', '7d', '30d'], '24h'),
        response: { 200: HistorySchema, ...errors },
      },
    },
    async (req, reply, p) => {
      const range = req.query.range as keyof typeof POOL_RANGES;
      const bucket = POOL_RANGES[range];
      const rows = await poolHistory(ctx.db, p.pool.id, new Date(ctx.now() - RANGE_MS[range]), bucket);
      reply.header('cache-control', cache(CACHE_SECONDS.history));
      return {
        range,
        bucketSeconds: bucket,
        points: rows.map((point) => ({
          at: iso(point.at)!,
          hashrate: point.hashrate,
          miners: point.miners,
          workers: point.workers,
          sharesPerSecond: point.seconds > 0 ? point.shares / point.seconds : 0,
          networkHashrate: point.network_hashrate,
          networkDifficulty: point.network_difficulty,
        })),
      };
    },
  );

  perPool(
    app,
    ctx,
    '/blocks',
    {
      schema: {
        tags: ['blocks'],
        summary: 'Blocks the pool found, newest first',
        querystring: pageQuery.extend({ status: statusFilter }),
        response: { 200: pageOf(BlockSchema), ...errors },
      },
    },
    async (req, reply, p) => {
      const { page, pageSize, status } = req.query;
      const result = await blocksPage(ctx.db, p.pool.id, status, page * pageSize, pageSize);
      reply.header('cache-control', cache(CACHE_SECONDS.blocks));
      return paged(
        result.items.map((b) => blockJson(b, p.pool)),
        page,
        pageSize,
        result.total,
      );
    },
  );

  perPool(
    app,
    ctx,
    '/blocks/:height',
    {
      schema: {
        tags: ['blocks'],
        summary: 'The pool’s block(s) at a height',
        params: z.object({
          height: z.coerce
            .number()
            .int()
            .min(1)
            .max(2 ** 31 - 1),
        }),
        response: { 200: z.object({ height: z.number(), items: z.array(BlockSchema) }), ...errors },
      },
    },
    async (req, reply, p) => {
      const rows = await blocksAt(ctx.db, p.pool.id, req.params.height);
      if (rows.length === 0) throw notFound(`the pool has no block at height ${req.params.height}`);
      reply.header('cache-control', cache(CACHE_SECONDS.blocks));
      return { height: req.params.height, items: rows.map((b) => blockJson(b, p.pool)) };
    },
  );

  perPool(
    app,
    ctx,
    '/payments',
    {
      schema: {
        tags: ['payments'],
        summary: 'Payment transactions, newest first',
        querystring: pageQuery,
        response: { 200: pageOf(PaymentSchema), ...errors },
      },
    },
    async (req, reply, p) => {
      const { page, pageSize } = req.query;
      const result = await paymentsPage(ctx.db, p.pool.id, page * pageSize, pageSize);
      reply.header('cache-control', cache(CACHE_SECONDS.payments));
      return paged(
        result.items.map((row) => paymentJson(row, p.pool)),
        page,
        pageSize,
        result.total,
      );
    },
  );

  perPool(
    app,
    ctx,
    '/payments/:txId',
    {
      schema: {
        tags: ['payments'],
        summary: 'One payment transaction with its outputs',
        params: z.object({
          txId: z.string().regex(/^[0-9a-fA-F]{64}$/, 'a transaction id is 64 hex digits'),
        }),
        response: { 200: PaymentSchema, ...errors },
      },
    },
    async (req, reply, p) => {
      const row = await paymentByTx(ctx.db, p.pool.id, req.params.txId.toLowerCase());
      if (!row) throw notFound(`no payment with transaction ${req.params.txId}`);
      reply.header('cache-control', cache(CACHE_SECONDS.payments));
      return {
        ...paymentJson(row, p.pool),
        outputs: row.outputs.map((o) => ({ address: o.address, amount: erg(o.amount) })),
      };
    },
  );

  // For an HTTP load balancer in front of the nodes (HAProxy `option httpchk`, NGINX): 200 while the node is
  // synced and usable, 503 otherwise, 404 for a name that no pool has.
  r.get(
    '/health/nodes/:name',
    {
      schema: {
        tags: ['pool'],
        summary: 'One node’s health, for load balancers: 200 synced, 503 not',
        params: z.object({ name: z.string().min(1).max(100) }),
        response: { 200: NodeSchema, 503: NodeSchema, 404: ErrorSchema },
      },
      config: { rateLimit: false },
    },
    async (req, reply) => {
      let node: NodeFigures | undefined;
      for (const p of ctx.pools) {
        node = (await nodesOf(p)).find((n) => n.name === req.params.name);
        if (node) break;
      }
      if (!node) throw notFound(`no node named "${req.params.name}"`);
      reply.code(node.status === 'healthy' ? 200 : 503).header('cache-control', 'no-store');
      return node;
    },
  );

  r.get(
    '/api/v1/health',
    {
      schema: {
        tags: ['pool'],
        summary: 'The database, and each pool’s stats and nodes',
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (_req, reply) => {
      const database = await ctx.db
        .query('SELECT 1')
        .then(() => 'ok' as const)
        .catch(() => 'down' as const);
      const pools = await Promise.all(
        ctx.pools.map(async (p) => {
          const figures = database === 'ok' ? await p.cache.pool().catch(() => null) : null;
          const age = figures ? (ctx.now() - figures.updatedAt) / 1000 : null;
          const stale = age === null || age > 3 * (figures?.intervalSeconds ?? 60);
          return {
            id: p.pool.id,
            status: stale ? ('degraded' as const) : ('ok' as const),
            stats: { updatedAt: iso(figures?.updatedAt ?? null), ageSeconds: age },
            nodes: p.nodes?.() ?? figures?.nodes ?? [],
          };
        }),
      );
      const ok = database === 'ok' && pools.every((p) => p.status === 'ok');
      const status = ok ? ('ok' as const) : ('degraded' as const);
      reply.code(ok ? 200 : 503).header('cache-control', 'no-store');
      const first = pools[0]!;
      return { status, database, stats: first.stats, nodes: first.nodes, pools };
    },
  );
}
