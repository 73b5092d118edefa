import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { emptyMiner } from '../stats/index.ts';
import type { ApiContext } from './context.ts';
import { badRequest } from './errors.ts';
import { erg, iso, link, paged } from './format.ts';
import {
  earningsByDay,
  knownAddress,
  ledgerPage,
  minerAccount,
  minerHistory,
  outputsPage,
} from './queries.ts';
import { CACHE_SECONDS } from './routes-v1.ts';
import {
  ErrorSchema,
  LedgerSchema,
  MinerHistorySchema,
  MinerPaymentSchema,
  MinerSchema,
  MinerSummarySchema,
  pageOf,
  pageQuery,
  rangeQuery,
} from './schemas.ts';
import { minerJson, minerSummaryJson } from './shapes.ts';

const MINER_RANGES = { '1h': 60, '24h': 600, '7d': 3600 } as const;
const RANGE_MS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };

export function utcMidnight(now: number): Date {
  const d = new Date(now);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** The address parameter, checked against the pool's network (400 with the reason otherwise). */
export function validAddress(ctx: ApiContext, address: string): string {
  const reason = ctx.checkAddress(address);
  if (reason) throw badRequest(`invalid ${ctx.pool.network} address: ${reason}`, 'address');
  return address;
}

const addressParams = z.object({ address: z.string().min(1).max(200) });

export function registerMinerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const errors = { 400: ErrorSchema, 404: ErrorSchema };
  const cache = (seconds: number) => `public, max-age=${seconds}`;

  r.get(
    '/api/v1/miners',
    {
      schema: {
        tags: ['miners'],
        summary: 'Miners by current hashrate',
        querystring: pageQuery,
        response: { 200: pageOf(MinerSummarySchema), ...errors },
      },
    },
    async (req, reply) => {
      const { page, pageSize } = req.query;
      const top = await ctx.cache.top(page * pageSize, pageSize);
      reply.header('cache-control', cache(CACHE_SECONDS.stats));
      return paged(top.items.map(minerSummaryJson), page, pageSize, top.total);
    },
  );

  r.get(
    '/api/v1/miners/:address',
    {
      schema: {
        tags: ['miners'],
        summary: 'A miner: hashrate, workers, balances, estimate',
        params: addressParams,
        response: { 200: MinerSchema, ...errors },
      },
    },
    async (req, reply) => {
      const address = validAddress(ctx, req.params.address);
      const [figures, account] = await Promise.all([
        ctx.cache.miner(address),
        minerAccount(ctx.db, ctx.pool.id, address, utcMidnight(ctx.now())),
      ]);
      const known = figures !== null || (await knownAddress(ctx.db, ctx.pool.id, address));
      reply.header('cache-control', cache(CACHE_SECONDS.miner));
      return minerJson(figures ?? emptyMiner(address), account, known, ctx.pool);
    },
  );

  r.get(
    '/api/v1/miners/:address/history',
    {
      schema: {
        tags: ['miners'],
        summary: 'A miner’s hashrate per bucket, total and per worker',
        params: addressParams,
        querystring: rangeQuery(['1h', '24h', '7d'], '24h'),
        response: { 200: MinerHistorySchema, ...errors },
      },
    },
    async (req, reply) => {
      const address = validAddress(ctx, req.params.address);
      const range = req.query.range as keyof typeof MINER_RANGES;
      const bucket = MINER_RANGES[range];
      const rows = await minerHistory(
        ctx.db,
        ctx.pool.id,
        address,
        new Date(ctx.now() - RANGE_MS[range]),
        bucket,
      );
      const points = new Map<number, { at: string; hashrate: number; workers: Record<string, number> }>();
      for (const row of rows) {
        const t = row.at.getTime();
        let p = points.get(t);
        if (!p) {
          p = { at: iso(t)!, hashrate: 0, workers: {} };
          points.set(t, p);
        }
        p.hashrate += row.hashrate;
        p.workers[row.worker] = row.hashrate;
      }
      reply.header('cache-control', cache(CACHE_SECONDS.history));
      return { range, bucketSeconds: bucket, points: [...points.values()] };
    },
  );

  r.get(
    '/api/v1/miners/:address/payments',
    {
      schema: {
        tags: ['miners'],
        summary: 'A miner’s payouts, newest first',
        params: addressParams,
        querystring: pageQuery,
        response: { 200: pageOf(MinerPaymentSchema), ...errors },
      },
    },
    async (req, reply) => {
      const address = validAddress(ctx, req.params.address);
      const { page, pageSize } = req.query;
      const result = await outputsPage(ctx.db, ctx.pool.id, address, page * pageSize, pageSize);
      reply.header('cache-control', cache(CACHE_SECONDS.payments));
      return paged(
        result.items.map((o) => ({
          txId: o.tx_id,
          status: o.status,
          amount: erg(o.amount),
          createdAt: iso(o.created_at)!,
          sentAt: iso(o.sent_at),
          confirmedAt: iso(o.confirmed_at),
          links: { transaction: link(ctx.pool.explorer.transaction, { tx: o.tx_id }) },
        })),
        page,
        pageSize,
        result.total,
      );
    },
  );

  r.get(
    '/api/v1/miners/:address/ledger',
    {
      schema: {
        tags: ['miners'],
        summary: 'A miner’s balance changes (credits, fees, payouts), newest first',
        params: addressParams,
        querystring: pageQuery,
        response: { 200: pageOf(LedgerSchema), ...errors },
      },
    },
    async (req, reply) => {
      const address = validAddress(ctx, req.params.address);
      const { page, pageSize } = req.query;
      const result = await ledgerPage(ctx.db, ctx.pool.id, address, page * pageSize, pageSize);
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

  r.get(
    '/api/v1/miners/:address/earnings',
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
    async (req, reply) => {
      const address = validAddress(ctx, req.params.address);
      const result = await earningsByDay(ctx.db, ctx.pool.id, address, 0, req.query.days);
      reply.header('cache-control', cache(CACHE_SECONDS.payments));
      return {
        days: req.query.days,
        items: result.items.map((d) => ({ date: d.day, amount: erg(d.amount) })),
      };
    },
  );
}
