import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { emptyMiner } from '../stats/index.ts';
import { type ApiContext, type PoolApi, poolById } from './context.ts';
import { ApiError, notFound } from './errors.ts';
import { ergNumber, iso, link, pageCount } from './format.ts';
import {
  mcBlock,
  mcPage,
  mcPayment,
  mcPoolInfo,
  mcStates,
  mcTopMiner,
  perfMode,
  SAMPLES,
  sizeOf,
} from './miningcore-shapes.ts';
import {
  blocksOfPools,
  earningsByDay,
  ledgerPage,
  minerAccount,
  minerHashesSince,
  minerHistory,
  outputsPage,
  poolHistory,
} from './queries.ts';
import { utcMidnight, validAddress } from './routes-miner.ts';
import type { BLOCK_STATUSES } from './schemas.ts';

/**
 * miningcore's API (../shared/design/miningcore-api.md): the same paths, parameters, field names and JSON
 * types, so dashboards written for miningcore show these pools unchanged: /api/pools lists every pool,
 * /api/pools/:poolId/… serves one (404 for an id that is not served), /api/blocks spans them all. Its bugs
 * are not copied: errors are JSON, pageCount rounds up, share rates are fractional, /miners ranks by the
 * current hashrate (the same figure the miner's page shows), no hashrate bonus, no IP-authenticated
 * settings. Pages: `pageSize` or `pagesize` (Miningcore.WebUI), 15 by default.
 *
 * `routes`: every route of the server as "METHOD -> path" (for /api/help), filled as routes are added.
 */
export function registerMiningcoreRoutes(
  app: FastifyInstance,
  ctx: ApiContext,
  routes: readonly string[],
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const poolOf = (id: string) => poolById(ctx, id);
  const poolParams = z.object({ poolId: z.string() });
  const minerParams = z.object({ poolId: z.string(), address: z.string().min(1).max(200) });
  const cors = (reply: FastifyReply, seconds: number) =>
    reply.header('cache-control', `public, max-age=${seconds}`);

  r.get(
    '/api/pools',
    { schema: { hide: true, querystring: z.object({ topMinersRange: z.coerce.number().optional() }) } },
    async (_req, reply) => {
      cors(reply, 10);
      return { pools: await Promise.all(ctx.pools.map(mcPoolInfo)) };
    },
  );

  r.get('/api/pools/:poolId', { schema: { hide: true, params: poolParams } }, async (req, reply) => {
    const p = poolOf(req.params.poolId);
    cors(reply, 10);
    return { pool: await mcPoolInfo(p) };
  });

  r.get(
    '/api/pools/:poolId/performance',
    {
      schema: {
        hide: true,
        params: poolParams,
        querystring: z.object({
          r: z.enum(['Day', 'Month']).default('Day'),
          i: z.enum(['Hour', 'Day']).default('Hour'),
        }),
      },
    },
    async (req, reply) => {
      const p = poolOf(req.params.poolId);
      const rangeMs = req.query.r === 'Month' ? 30 * 86_400_000 : 86_400_000;
      const bucket = req.query.i === 'Day' ? 86_400 : 3600;
      const rows = await poolHistory(ctx.db, p.pool.id, new Date(ctx.now() - rangeMs), bucket);
      cors(reply, 60);
      return {
        stats: rows.map((p) => ({
          poolHashrate: p.hashrate,
          connectedMiners: p.miners,
          connectedWorkers: p.workers,
          validSharesPerSecond: p.seconds > 0 ? p.shares / p.seconds : 0,
          networkHashrate: p.network_hashrate ?? 0,
          networkDifficulty: p.network_difficulty ? Number(p.network_difficulty) : 0,
          created: iso(p.at),
        })),
      };
    },
  );

  r.get(
    '/api/pools/:poolId/miners',
    {
      schema: {
        hide: true,
        params: poolParams,
        querystring: mcPage.extend({ topMinersRange: z.coerce.number().optional() }),
      },
    },
    async (req, reply) => {
      const p = poolOf(req.params.poolId);
      const size = sizeOf(req.query);
      const top = await p.cache.top(req.query.page * size, size);
      cors(reply, 10);
      return top.items.map(mcTopMiner);
    },
  );

  /** A page of blocks of some pools (one, or every pool for /api/blocks), each with its own pool's links. */
  const blocks = async (
    pools: readonly PoolApi[],
    page: number,
    size: number,
    states: (typeof BLOCK_STATUSES)[number][],
  ) => {
    const ids = pools.map((p) => p.pool.id);
    const result = await blocksOfPools(ctx.db, ids, states, page * size, size);
    const described = new Map(pools.map((p) => [p.pool.id, p.pool]));
    return { items: result.items.map((b) => mcBlock(b, described.get(b.pool_id)!)), total: result.total };
  };

  r.get(
    '/api/pools/:poolId/blocks',
    { schema: { hide: true, params: poolParams, querystring: mcPage.extend({ state: mcStates }) } },
    async (req, reply) => {
      const p = poolOf(req.params.poolId);
      cors(reply, 30);
      return (await blocks([p], req.query.page, sizeOf(req.query), req.query.state)).items;
    },
  );

  r.get(
    '/api/v2/pools/:poolId/blocks',
    { schema: { hide: true, params: poolParams, querystring: mcPage.extend({ state: mcStates }) } },
    async (req, reply) => {
      const p = poolOf(req.params.poolId);
      const size = sizeOf(req.query);
      const result = await blocks([p], req.query.page, size, req.query.state);
      cors(reply, 30);
      return { result: result.items, success: true, pageCount: pageCount(result.total, size) };
    },
  );

  r.get(
    '/api/blocks',
    { schema: { hide: true, querystring: mcPage.extend({ state: mcStates }) } },
    async (req, reply) => {
      cors(reply, 30);
      return (await blocks(ctx.pools, req.query.page, sizeOf(req.query), req.query.state)).items;
    },
  );

  for (const v2 of [false, true]) {
    const prefix = v2 ? '/api/v2/pools' : '/api/pools';
    const wrap = <T>(items: T[], total: number, size: number) =>
      v2 ? { result: items, success: true, pageCount: pageCount(total, size) } : items;
    /** A page of payment outputs, the pool's or one miner's (null: all), in miningcore's shape. */
    const payments = async (
      p: PoolApi,
      address: string | null,
      query: Parameters<typeof sizeOf>[0] & { page: number },
      reply: FastifyReply,
    ) => {
      const size = sizeOf(query);
      const result = await outputsPage(ctx.db, p.pool.id, address, query.page * size, size);
      cors(reply, 30);
      return wrap(
        result.items.map((o) => mcPayment(o, p.pool)),
        result.total,
        size,
      );
    };

    r.get(
      `${prefix}/:poolId/payments`,
      { schema: { hide: true, params: poolParams, querystring: mcPage } },
      async (req, reply) => payments(poolOf(req.params.poolId), null, req.query, reply),
    );

    r.get(
      `${prefix}/:poolId/miners/:address/payments`,
      { schema: { hide: true, params: minerParams, querystring: mcPage } },
      async (req, reply) => {
        const p = poolOf(req.params.poolId);
        return payments(p, validAddress(p, req.params.address), req.query, reply);
      },
    );

    r.get(
      `${prefix}/:poolId/miners/:address/balancechanges`,
      { schema: { hide: true, params: minerParams, querystring: mcPage } },
      async (req, reply) => {
        const p = poolOf(req.params.poolId);
        const address = validAddress(p, req.params.address);
        const size = sizeOf(req.query);
        const result = await ledgerPage(ctx.db, p.pool.id, address, req.query.page * size, size);
        cors(reply, 30);
        return wrap(
          result.items.map((e) => ({
            poolId: p.pool.id,
            address,
            amount: ergNumber(e.amount),
            usage: e.reason,
            created: iso(e.created_at),
          })),
          result.total,
          size,
        );
      },
    );

    r.get(
      `${prefix}/:poolId/miners/:address/earnings/daily`,
      { schema: { hide: true, params: minerParams, querystring: mcPage } },
      async (req, reply) => {
        const p = poolOf(req.params.poolId);
        const address = validAddress(p, req.params.address);
        const size = sizeOf(req.query);
        const result = await earningsByDay(ctx.db, p.pool.id, address, req.query.page * size, size);
        cors(reply, 60);
        return wrap(
          result.items.map((d) => ({ amount: ergNumber(BigInt(d.amount)), date: `${d.day}T00:00:00.000Z` })),
          result.total,
          size,
        );
      },
    );
  }

  const samples = async (p: PoolApi, address: string, mode: keyof typeof SAMPLES) => {
    const s = SAMPLES[mode];
    const rows = await minerHistory(ctx.db, p.pool.id, address, new Date(ctx.now() - s.rangeMs), s.bucket);
    const byTime = new Map<
      number,
      { created: string | null; workers: Record<string, { hashrate: number; sharesPerSecond: number }> }
    >();
    for (const row of rows) {
      const t = row.at.getTime();
      let point = byTime.get(t);
      if (!point) {
        point = { created: iso(t), workers: {} };
        byTime.set(t, point);
      }
      point.workers[row.worker] = { hashrate: row.hashrate, sharesPerSecond: row.shares / s.bucket };
    }
    return [...byTime.values()];
  };

  r.get(
    '/api/pools/:poolId/miners/:address',
    {
      schema: {
        hide: true,
        params: minerParams,
        querystring: z.object({ perfMode: perfMode.default('Day') }),
      },
    },
    async (req, reply) => {
      const p = poolOf(req.params.poolId);
      const address = validAddress(p, req.params.address);
      const [figures, account, pool_] = await Promise.all([
        p.cache.miner(address),
        minerAccount(ctx.db, p.pool.id, address, utcMidnight(ctx.now())),
        p.cache.pool(),
      ]);
      const m = figures ?? emptyMiner(address);
      const roundStart = pool_?.roundStartedAt ?? null;
      const hashes = figures
        ? await minerHashesSince(ctx.db, p.pool.id, address, roundStart ? new Date(roundStart) : null)
        : 0n;
      cors(reply, 10);
      return {
        // Σ share difficulty of its shares this round (difficulty d ≈ d · 2^32 · 2^16/0xffff expected hashes)
        pendingShares: (Number(hashes) * 0xffff) / 2 ** 48,
        pendingBalance: ergNumber(account.payable),
        totalPaid: ergNumber(account.paid),
        todayPaid: ergNumber(account.paidToday),
        lastPayment: iso(account.lastPayment?.at ?? null),
        lastPaymentLink: link(p.pool.explorer.transaction, { tx: account.lastPayment?.txId }),
        performance:
          m.workers.length > 0
            ? {
                created: iso(pool_?.at ?? ctx.now()),
                workers: Object.fromEntries(
                  m.workers.map((w) => [
                    w.name,
                    { hashrate: w.hashrate.current, sharesPerSecond: w.sharesPerSecond },
                  ]),
                ),
              }
            : null,
        performanceSamples: await samples(p, address, req.query.perfMode),
      };
    },
  );

  r.get(
    '/api/pools/:poolId/miners/:address/performance',
    { schema: { hide: true, params: minerParams, querystring: z.object({ mode: perfMode.default('Day') }) } },
    async (req, reply) => {
      const p = poolOf(req.params.poolId);
      const address = validAddress(p, req.params.address);
      cors(reply, 60);
      return samples(p, address, req.query.mode);
    },
  );

  r.get(
    '/api/pools/:poolId/miners/:address/settings',
    { schema: { hide: true, params: minerParams } },
    async (req, reply) => {
      const p = poolOf(req.params.poolId);
      const address = validAddress(p, req.params.address);
      const account = await minerAccount(ctx.db, p.pool.id, address, utcMidnight(ctx.now()));
      if (account.threshold === null)
        throw notFound('no settings for this address (the pool minimum applies)');
      cors(reply, 10);
      return { paymentThreshold: ergNumber(account.threshold) };
    },
  );

  r.post(
    '/api/pools/:poolId/miners/:address/settings',
    { schema: { hide: true, params: minerParams } },
    async (req) => {
      poolOf(req.params.poolId);
      throw new ApiError(
        403,
        'forbidden',
        'settings are not changed over HTTP here: add t=<ERG> to your stratum password (e.g. "x,t=5") and mine a share',
      );
    },
  );

  r.get('/api/health-check', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  r.get('/api/help', { schema: { hide: true } }, async (_req, reply) => {
    reply.type('text/plain; charset=utf-8');
    return `${[...routes].sort().join('\n')}\n`;
  });
}
