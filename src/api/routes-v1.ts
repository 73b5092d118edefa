import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from './context.ts';
import { notFound } from './errors.ts';
import { erg, iso, paged } from './format.ts';
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

/** The pool-wide /api/v1 routes (the miner routes are in routes-miner.ts). */
export function registerPoolRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const cache = (seconds: number) => `public, max-age=${seconds}`;
  const errors = { 400: ErrorSchema, 404: ErrorSchema };

  const nodes = async () => ctx.nodes?.() ?? (await ctx.cache.pool())?.nodes ?? [];

  r.get(
    '/api/v1/pool',
    { schema: { tags: ['pool'], summary: 'The pool: payouts, ports, nodes', response: { 200: PoolSchema } } },
    async (_req, reply) => {
      reply.header('cache-control', cache(CACHE_SECONDS.stats));
      return poolJson(ctx.pool, await nodes());
    },
  );

  r.get(
    '/api/v1/stats',
    { schema: { tags: ['pool'], summary: 'The current figures', response: { 200: StatsSchema } } },
    async (_req, reply) => {
      reply.header('cache-control', cache(CACHE_SECONDS.stats));
      return statsJson(await ctx.cache.pool(), 60);
    },
  );

  r.get(
    '/api/v1/network',
    { schema: { tags: ['pool'], summary: 'The Ergo network', response: { 200: NetworkSchema } } },
    async (_req, reply) => {
      reply.header('cache-control', cache(CACHE_SECONDS.stats));
      return networkJson(await ctx.cache.pool());
    },
  );

  r.get(
    '/api/v1/stats/history',
    {
      schema: {
        tags: ['pool'],
        summary: 'Pool samples averaged per bucket, oldest first',
        querystring: rangeQuery(['1h', '24h', '7d', '30d'], '24h'),
        response: { 200: HistorySchema, ...errors },
      },
    },
    async (req, reply) => {
      const range = req.query.range as keyof typeof POOL_RANGES;
      const bucket = POOL_RANGES[range];
      const rows = await poolHistory(ctx.db, ctx.pool.id, new Date(ctx.now() - RANGE_MS[range]), bucket);
      reply.header('cache-control', cache(CACHE_SECONDS.history));
      return {
        range,
        bucketSeconds: bucket,
        points: rows.map((p) => ({
          at: iso(p.at)!,
          hashrate: p.hashrate,
          miners: p.miners,
          workers: p.workers,
          sharesPerSecond: p.seconds > 0 ? p.shares / p.seconds : 0,
          networkHashrate: p.network_hashrate,
          networkDifficulty: p.network_difficulty,
        })),
      };
    },
  );

  r.get(
    '/api/v1/blocks',
    {
      schema: {
        tags: ['blocks'],
        summary: 'Blocks the pool found, newest first',
        querystring: pageQuery.extend({ status: statusFilter }),
        response: { 200: pageOf(BlockSchema), ...errors },
      },
    },
    async (req, reply) => {
      const { page, pageSize, status } = req.query;
      const result = await blocksPage(ctx.db, ctx.pool.id, status, page * pageSize, pageSize);
      reply.header('cache-control', cache(CACHE_SECONDS.blocks));
      return paged(
        result.items.map((b) => blockJson(b, ctx.pool)),
        page,
        pageSize,
        result.total,
      );
    },
  );

  r.get(
    '/api/v1/blocks/:height',
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
    async (req, reply) => {
      const rows = await blocksAt(ctx.db, ctx.pool.id, req.params.height);
      if (rows.length === 0) throw notFound(`the pool has no block at height ${req.params.height}`);
      reply.header('cache-control', cache(CACHE_SECONDS.blocks));
      return { height: req.params.height, items: rows.map((b) => blockJson(b, ctx.pool)) };
    },
  );

  r.get(
    '/api/v1/payments',
    {
      schema: {
        tags: ['payments'],
        summary: 'Payment transactions, newest first',
        querystring: pageQuery,
        response: { 200: pageOf(PaymentSchema), ...errors },
      },
    },
    async (req, reply) => {
      const { page, pageSize } = req.query;
      const result = await paymentsPage(ctx.db, ctx.pool.id, page * pageSize, pageSize);
      reply.header('cache-control', cache(CACHE_SECONDS.payments));
      return paged(
        result.items.map((p) => paymentJson(p, ctx.pool)),
        page,
        pageSize,
        result.total,
      );
    },
  );

  r.get(
    '/api/v1/payments/:txId',
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
    async (req, reply) => {
      const p = await paymentByTx(ctx.db, ctx.pool.id, req.params.txId.toLowerCase());
      if (!p) throw notFound(`no payment with transaction ${req.params.txId}`);
      reply.header('cache-control', cache(CACHE_SECONDS.payments));
      return {
        ...paymentJson(p, ctx.pool),
        outputs: p.outputs.map((o) => ({ address: o.address, amount: erg(o.amount) })),
      };
    },
  );

  // For an HTTP load balancer in front of the Ergo nodes (HAProxy `option httpchk`, NGINX): 200 while the
  // node is synced and usable, 503 otherwise, 404 for a name that is not configured.
  r.get(
    '/health/nodes/:name',
    {
      schema: {
        tags: ['pool'],
        summary: 'One Ergo node’s health, for load balancers: 200 synced, 503 not',
        params: z.object({ name: z.string().min(1).max(100) }),
        response: { 200: NodeSchema, 503: NodeSchema, 404: ErrorSchema },
      },
      config: { rateLimit: false },
    },
    async (req, reply) => {
      const node = (await nodes()).find((n) => n.name === req.params.name);
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
        summary: 'Database, stats and nodes',
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (_req, reply) => {
      const database = await ctx.db
        .query('SELECT 1')
        .then(() => 'ok' as const)
        .catch(() => 'down' as const);
      const figures = database === 'ok' ? await ctx.cache.pool().catch(() => null) : null;
      const age = figures ? (ctx.now() - figures.updatedAt) / 1000 : null;
      const stale = age === null || age > 3 * (figures?.intervalSeconds ?? 60);
      const status = database === 'ok' && !stale ? ('ok' as const) : ('degraded' as const);
      reply.code(status === 'ok' ? 200 : 503).header('cache-control', 'no-store');
      return {
        status,
        database,
        stats: { updatedAt: iso(figures?.updatedAt ?? null), ageSeconds: age },
        nodes: ctx.nodes?.() ?? figures?.nodes ?? [],
      };
    },
  );
}
