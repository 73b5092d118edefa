import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { emptyMiner } from '../stats/index.ts';
import { type ApiContext, defaultPool, type PoolApi } from './context.ts';
import { badRequest } from './errors.ts';
import { erg, iso, link, paged } from './format.ts';
import { perPool } from './per-pool.ts';
import {
  earningsByDay,
  knownAddress,
  ledgerPage,
  minerAccount,
  minerHistory,
  outputsPage,
} from './queries.ts';
import { balancesByPool } from './queries-pools.ts';
import { CACHE_SECONDS } from './routes-v1.ts';
import {
  ErrorSchema,
  LedgerSchema,
  MinerHistorySchema,
  MinerPaymentSchema,
  MinerPoolsSchema,
  MinerSchema,
  MinerSummarySchema,
  pageOf,
  pageQuery,
  rangeQuery,
} from './schemas.ts';
import { minerJson, minerPoolJson, minerSummaryJson } from './shapes.ts';

const MINER_RANGES = { '1h': 60, '24h': 600, '7d': 3600 } as const;
const RANGE_MS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };

export function utcMidnight(now: number): Date {
  const d = new Date(now);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** The address parameter, checked against the pool's coin and network (400 with the reason otherwise). */
export function validAddress(p: PoolApi, address: string): string {
  const reason = p.checkAddress(address);
  if (reason) throw badRequest(`invalid ${p.pool.network} address: ${reason}`, 'address');
  return address;
}

const addressParams = z.object({ address: z.string().min(1).max(200) });
const errors = { 400: ErrorSchema, 404: ErrorSchema };
const cache = (seconds: number) => `public, max-age=${seconds}`;

/** A miner's routes in each pool (`/api/v1/pools/:poolId/miners/…`, the default pool's unprefixed too). */
export function registerMinerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  perPool(
    app,
    ctx,
    '/miners',
    {
      schema: {
        tags: ['miners'],
        summary: 'Miners by current hashrate',
        querystring: pageQuery,
        response: { 200: pageOf(MinerSummarySchema), ...errors },
      },
    },
    async (req, reply, p) => {
      const { page, pageSize } = req.query;
      const top = await p.cache.top(page * pageSize, pageSize);
      reply.header('cache-control', cache(CACHE_SECONDS.stats));
      return paged(top.items.map(minerSummaryJson), page, pageSize, top.total);
    },
  );

  perPool(
    app,
    ctx,
    '/miners/:address',
    {
      schema: {
        tags: ['miners'],
        summary: 'A miner: hashrate, workers, balances, estimate',
        params: addressParams,
        response: { 200: MinerSchema, ...errors },
      },
    },
    async (req, reply, p) => {
      const address = validAddress(p, req.params.address);
      const [figures, account] = await Promise.all([
        p.cache.miner(address),
        minerAccount(ctx.db, p.pool.id, address, utcMidnight(ctx.now())),
      ]);
      const known = figures !== null || (await knownAddress(ctx.db, p.pool.id, address));
      reply.header('cache-control', cache(CACHE_SECONDS.miner));
      return minerJson(figures ?? emptyMiner(address), account, known, p.pool);
    },
  );

  perPool(
    app,
    ctx,
    '/miners/:address/history',
    {
      schema: {
        tags: ['miners'],
        summary: 'A miner’s hashrate per bucket, total and per worker',
        params: addressParams,
        querystring: rangeQuery(['1h', '24h', '7d'], '24h'),
        response: { 200: MinerHistorySchema, ...errors },
      },
    },
    async (req, reply, p) => {
      const address = validAddress(p, req.params.address);
      const range = req.query.range as keyof typeof MINER_RANGES;
      const bucket = MINER_RANGES[range];
      const rows = await minerHistory(
        ctx.db,
        p.pool.id,
        address,
        new Date(ctx.now() - RANGE_MS[range]),
        bucket,
      );
      const points = new Map<number, { at: string; hashrate: number; workers: Record<string, number> }>();
      for (const row of rows) {
        const t = row.at.getTime();
        let point = points.get(t);
        if (!point) {
          point = { at: iso(t)!, hashrate: 0, workers: {} };
          points.set(t, point);
        }
        point.hashrate += row.hashrate;
        point.workers[row.worker] = row.hashrate;
      }
      reply.header('cache-control', cache(CACHE_SECONDS.history));
      return { range, bucketSeconds: bucket, points: [...points.values()] };
    },
  );

  perPool(
    app,
    ctx,
    '/miners/:address/payments',
    {
      schema: {
        tags: ['miners'],
        summary: 'A miner’s payouts, newest first',
        params: addressParams,
        querystring: pageQuery,
        response: { 200: pageOf(MinerPaymentSchema), ...errors },
      },
    },
    async (req, reply, p) => {
      const address = validAddress(p, req.params.address);
      const { page, pageSize } = req.query;
      const result = await outputsPage(ctx.db, p.pool.id, address, page * pageSize, pageSize);
      reply.header('cache-control', cache(CACHE_SECONDS.payments));
      return paged(
        result.items.map((o) => ({
          txId: o.tx_id,
          status: o.status,
          amount: erg(o.amount),
          createdAt: iso(o.created_at)!,
          sentAt: iso(o.sent_at),
          confirmedAt: iso(o.confirmed_at),
          links: { transaction: link(p.pool.explorer.transaction, { tx: o.tx_id }) },
        })),
        page,
        pageSize,
        result.total,
      );
    },
  );

  perPool(
    app,
    ctx,
    '/miners/:address/ledger',
    {
      schema: {
        tags: ['miners'],
        summary: 'A miner’s balance changes (credits, fees, payouts), newest first',
        params: addressParams,
        querystring: pageQuery,
        response: { 200: pageOf(LedgerSchema), ...errors },
      },
    },
    async (req, reply, p) => {
      const address = validAddress(p, req.params.address);
      const { page, pageSize } = req.query;
      const result = await ledgerPage(ctx.db, p.pool.id, address, page * pageSize, pageSize);
      reply.header('cache-control', cache(CACHE_SECONDS.payments));
      return paged(
        result.items.map((e) => ({
          id: Number(e.id),
          kind: e.kind,
          amount: erg(e.amount),
          reason: e.reason,
          blockHeight: e.block_height,
          txId: e.tx_id,
          createdAt: iso(e.created_at)!,
        })),
        page,
        pageSize,
        result.total,
      );
    },
  );

  perPool(
    app,
    ctx,
    '/miners/:address/earnings',
    {
      schema: {
        tags: ['miners'],
        summary: 'Credited earnings per UTC day (blocks not orphaned), newest first',
        params: addressParams,
        querystring: z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }),
        response: {
          200: z.object({
            days: z.number(),
            items: z.array(z.object({ date: z.string(), amount: z.string() })),
          }),
          ...errors,
        },
      },
    },
    async (req, reply, p) => {
      const address = validAddress(p, req.params.address);
      const result = await earningsByDay(ctx.db, p.pool.id, address, 0, req.query.days);
      reply.header('cache-control', cache(CACHE_SECONDS.payments));
      return {
        days: req.query.days,
        items: result.items.map((d) => ({ date: d.day, amount: erg(d.amount) })),
      };
    },
  );

  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/miners/:address/pools',
    {
      schema: {
        tags: ['miners', 'pools'],
        summary: 'A miner in every pool: balances, hashrate and workers (a row per pool, the default first)',
        params: addressParams,
        response: { 200: MinerPoolsSchema, 400: ErrorSchema },
      },
    },
    async (req, reply) => {
      const address = req.params.address;
      // Valid for one pool's coin and network at least (else the default pool's reason is the 400).
      if (ctx.pools.every((p) => p.checkAddress(address) !== null)) validAddress(defaultPool(ctx), address);
      const balances = await balancesByPool(
        ctx.db,
        ctx.pools.map((p) => p.pool.id),
        address,
      );
      const items = await Promise.all(
        ctx.pools.map(async (p, i) => {
          if (p.checkAddress(address) !== null) return minerPoolJson(p, i === 0, null, undefined, false);
          const [figures, known] = await Promise.all([
            p.cache.miner(address),
            knownAddress(ctx.db, p.pool.id, address),
          ]);
          return minerPoolJson(p, i === 0, figures, balances.get(p.pool.id), known || figures !== null);
        }),
      );
      reply.header('cache-control', cache(CACHE_SECONDS.miner));
      return { address, items };
    },
  );
}
