import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { emptyMiner, type MinerFigures, type PoolFigures } from '../stats/index.ts';
import type { ApiContext } from './context.ts';
import { ApiError, notFound } from './errors.ts';
import { ergNumber, iso, link, numeric, pageCount } from './format.ts';
import {
  type BlockRow,
  blocksPage,
  earningsByDay,
  ledgerPage,
  minerAccount,
  minerHashesSince,
  minerHistory,
  type OutputRow,
  outputsPage,
  poolHistory,
} from './queries.ts';
import { utcMidnight, validAddress } from './routes-miner.ts';
import { BLOCK_STATUSES } from './schemas.ts';
import { schemeName } from './shapes.ts';

/**
 * miningcore's API (../shared/design/miningcore-api.md): the same paths, parameters, field names and JSON
 * types, so dashboards written for miningcore show this pool unchanged. Its bugs are not copied: errors are
 * JSON, pageCount rounds up, share rates are fractional, /miners ranks by the current hashrate (the same
 * figure the miner's page shows), no hashrate bonus, no IP-authenticated settings.
 */

/** miningcore pages: `pageSize` or `pagesize` (Miningcore.WebUI), 15 by default. */
const mcPage = z.object({
  page: z.coerce.number().int().min(0).max(1_000_000).default(0),
  pageSize: z.coerce.number().int().min(1).max(500).optional(),
  pagesize: z.coerce.number().int().min(1).max(500).optional(),
});

const mcStates = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v, ctx) => {
    const names = (v === undefined ? [] : Array.isArray(v) ? v : [v])
      .flatMap((s) => s.split(','))
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    for (const n of names)
      if (!(BLOCK_STATUSES as readonly string[]).includes(n)) {
        ctx.addIssue({ code: 'custom', message: `unknown block state "${n}"` });
        return z.NEVER;
      }
    return names as (typeof BLOCK_STATUSES)[number][];
  });

const perfMode = z.enum(['Hour', 'Day', 'Month']);

function sizeOf(q: { pageSize?: number | undefined; pagesize?: number | undefined }): number {
  return q.pageSize ?? q.pagesize ?? 15;
}

/** miningcore keeps one sample set per granularity: per 3 min over an hour, per hour over a day, per day over a month. */
const SAMPLES = {
  Hour: { rangeMs: 3_600_000, bucket: 180 },
  Day: { rangeMs: 86_400_000, bucket: 3600 },
  Month: { rangeMs: 30 * 86_400_000, bucket: 86_400 },
} as const;

/** `routes`: every route of the server as "METHOD -> path" (for /api/help), filled as routes are added. */
export function registerMiningcoreRoutes(
  app: FastifyInstance,
  ctx: ApiContext,
  routes: readonly string[],
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const pool = ctx.pool;
  const checkPool = (id: string) => {
    if (id !== pool.id) throw notFound(`unknown pool "${id}" (this API serves "${pool.id}")`);
  };
  const poolParams = z.object({ poolId: z.string() });
  const minerParams = z.object({ poolId: z.string(), address: z.string().min(1).max(200) });
  const cors = (reply: FastifyReply, seconds: number) =>
    reply.header('cache-control', `public, max-age=${seconds}`);

  const blockMc = (b: BlockRow) => ({
    poolId: pool.id,
    blockHeight: b.height,
    networkDifficulty: Number(b.network_difficulty),
    status: b.status,
    type: 'block',
    confirmationProgress:
      b.status === 'confirmed'
        ? 1
        : b.status === 'orphaned'
          ? 0
          : Math.min(1, b.confirmations / b.required_confirmations),
    effort: numeric(b.effort),
    transactionConfirmationData: b.header_id ?? '',
    reward: b.reward === null ? 0 : ergNumber(b.reward),
    infoLink: link(pool.explorer.block, { block: b.header_id }),
    hash: b.header_id,
    miner: b.miner_address,
    source: b.worker,
    created: iso(b.created_at),
  });

  const paymentMc = (o: OutputRow) => ({
    coin: 'ERG',
    address: o.address,
    addressInfoLink: link(pool.explorer.address, { address: o.address }),
    amount: ergNumber(o.amount),
    transactionConfirmationData: o.tx_id ?? '',
    transactionInfoLink: link(pool.explorer.transaction, { tx: o.tx_id }),
    created: iso(o.sent_at ?? o.created_at),
  });

  const topMinerMc = (m: MinerFigures) => ({
    miner: m.address,
    hashrate: m.hashrate.current,
    sharesPerSecond: m.sharesPerSecond,
  });

  const poolInfo = async () => {
    const figures: PoolFigures | null = await ctx.cache.pool();
    const top = await ctx.cache.top(0, 15);
    const nodes = ctx.nodes?.() ?? figures?.nodes ?? [];
    const current = nodes.find((n) => n.current) ?? nodes[0];
    const ports: Record<string, unknown> = {};
    for (const p of pool.stratum.ports)
      ports[String(p.port)] = {
        listenAddress: pool.stratum.host,
        name: p.name ?? `${p.tls ? 'TLS' : 'TCP'} ${p.port}`,
        difficulty: Number(p.difficulty.start),
        varDiff: p.vardiff
          ? {
              minDiff: Number(p.difficulty.min),
              maxDiff: Number(p.difficulty.max),
              targetTime: p.vardiff.targetSeconds,
              retargetTime: p.vardiff.retargetSeconds,
              variancePercent: p.vardiff.variancePercent,
            }
          : null,
        tls: p.tls,
        tlsAuto: p.tlsDetect,
        tcpProxyProtocol: pool.stratum.proxyProtocol ? { enable: true, mandatory: false } : null,
      };
    const lastPoolBlockTime = iso(figures?.blocks.last?.createdAt ?? null);
    return {
      id: pool.id,
      coin: {
        type: 'ERG',
        name: 'Ergo',
        symbol: 'ERG',
        family: 'ergo',
        algorithm: 'Autolykos',
        website: 'https://ergoplatform.org',
        canonicalName: 'Ergo',
      },
      ports,
      paymentProcessing: {
        enabled: pool.payouts.enabled,
        minimumPayment: ergNumber(pool.payouts.minimum),
        payoutScheme: schemeName(pool),
        payoutSchemeConfig:
          pool.payouts.scheme === 'pplns' ? { factor: Number(pool.payouts.pplnsFactor) } : null,
        extra: { confirmations: pool.payouts.confirmations, intervalSeconds: pool.payouts.intervalSeconds },
      },
      shareBasedBanning: {
        enabled: pool.stratum.ban.enabled,
        checkThreshold: pool.stratum.ban.checkThreshold,
        invalidPercent: pool.stratum.ban.invalidPercent,
        time: pool.stratum.ban.banSeconds,
      },
      clientConnectionTimeout: pool.stratum.idleTimeoutSeconds,
      jobRebroadcastTimeout: 0,
      blockRefreshInterval: pool.stratum.pollIntervalMs,
      poolFeePercent: Number(pool.payouts.feePercent),
      address: pool.address,
      addressInfoLink: pool.address ? link(pool.explorer.address, { address: pool.address }) : null,
      poolStats: {
        connectedMiners: figures?.miners ?? 0,
        connectedWorkers: figures?.workers ?? 0,
        poolHashrate: figures?.hashrate.current ?? 0,
        sharesPerSecond: figures?.sharesPerSecond ?? 0,
        lastPoolBlockTime,
      },
      networkStats: {
        networkType: pool.network,
        networkHashrate: figures?.network.hashrate ?? 0,
        networkDifficulty: figures?.network.difficulty ? Number(figures.network.difficulty) : 0,
        nextNetworkTarget: null,
        nextNetworkBits: null,
        lastNetworkBlockTime: iso(figures?.network.lastBlockAt ?? null),
        blockHeight: figures?.network.height ?? current?.height ?? 0,
        connectedPeers: current?.peers ?? 0,
        rewardType: 'POW',
      },
      topMiners: top.items.map(topMinerMc),
      totalPaid: ergNumber(figures?.payments.totalPaid ?? 0n),
      totalBlocks: figures?.blocks.total ?? 0,
      lastPoolBlockTime,
      poolEffort: figures?.roundEffort ?? 0,
    };
  };

  r.get(
    '/api/pools',
    { schema: { hide: true, querystring: z.object({ topMinersRange: z.coerce.number().optional() }) } },
    async (_req, reply) => {
      cors(reply, 10);
      return { pools: [await poolInfo()] };
    },
  );

  r.get('/api/pools/:poolId', { schema: { hide: true, params: poolParams } }, async (req, reply) => {
    checkPool(req.params.poolId);
    cors(reply, 10);
    return { pool: await poolInfo() };
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
      checkPool(req.params.poolId);
      const rangeMs = req.query.r === 'Month' ? 30 * 86_400_000 : 86_400_000;
      const bucket = req.query.i === 'Day' ? 86_400 : 3600;
      const rows = await poolHistory(ctx.db, new Date(ctx.now() - rangeMs), bucket);
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
      checkPool(req.params.poolId);
      const size = sizeOf(req.query);
      const top = await ctx.cache.top(req.query.page * size, size);
      cors(reply, 10);
      return top.items.map(topMinerMc);
    },
  );

  const blocks = async (page: number, size: number, states: (typeof BLOCK_STATUSES)[number][]) => {
    const result = await blocksPage(ctx.db, states, page * size, size);
    return { items: result.items.map(blockMc), total: result.total };
  };

  r.get(
    '/api/pools/:poolId/blocks',
    { schema: { hide: true, params: poolParams, querystring: mcPage.extend({ state: mcStates }) } },
    async (req, reply) => {
      checkPool(req.params.poolId);
      cors(reply, 30);
      return (await blocks(req.query.page, sizeOf(req.query), req.query.state)).items;
    },
  );

  r.get(
    '/api/v2/pools/:poolId/blocks',
    { schema: { hide: true, params: poolParams, querystring: mcPage.extend({ state: mcStates }) } },
    async (req, reply) => {
      checkPool(req.params.poolId);
      const size = sizeOf(req.query);
      const result = await blocks(req.query.page, size, req.query.state);
      cors(reply, 30);
      return { result: result.items, success: true, pageCount: pageCount(result.total, size) };
    },
  );

  r.get(
    '/api/blocks',
    { schema: { hide: true, querystring: mcPage.extend({ state: mcStates }) } },
    async (req, reply) => {
      cors(reply, 30);
      return (await blocks(req.query.page, sizeOf(req.query), req.query.state)).items;
    },
  );

  for (const v2 of [false, true]) {
    const prefix = v2 ? '/api/v2/pools' : '/api/pools';
    const wrap = <T>(items: T[], total: number, size: number) =>
      v2 ? { result: items, success: true, pageCount: pageCount(total, size) } : items;

    r.get(
      `${prefix}/:poolId/payments`,
      { schema: { hide: true, params: poolParams, querystring: mcPage } },
      async (req, reply) => {
        checkPool(req.params.poolId);
        const size = sizeOf(req.query);
        const result = await outputsPage(ctx.db, null, req.query.page * size, size);
        cors(reply, 30);
        return wrap(result.items.map(paymentMc), result.total, size);
      },
    );

    r.get(
      `${prefix}/:poolId/miners/:address/payments`,
      { schema: { hide: true, params: minerParams, querystring: mcPage } },
      async (req, reply) => {
        checkPool(req.params.poolId);
        const address = validAddress(ctx, req.params.address);
        const size = sizeOf(req.query);
        const result = await outputsPage(ctx.db, address, req.query.page * size, size);
        cors(reply, 30);
        return wrap(result.items.map(paymentMc), result.total, size);
      },
    );

    r.get(
      `${prefix}/:poolId/miners/:address/balancechanges`,
      { schema: { hide: true, params: minerParams, querystring: mcPage } },
      async (req, reply) => {
        checkPool(req.params.poolId);
        const address = validAddress(ctx, req.params.address);
        const size = sizeOf(req.query);
        const result = await ledgerPage(ctx.db, address, req.query.page * size, size);
        cors(reply, 30);
        return wrap(
          result.items.map((e) => ({
            poolId: pool.id,
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
        checkPool(req.params.poolId);
        const address = validAddress(ctx, req.params.address);
        const size = sizeOf(req.query);
        const result = await earningsByDay(ctx.db, address, req.query.page * size, size);
        cors(reply, 60);
        return wrap(
          result.items.map((d) => ({ amount: ergNumber(BigInt(d.amount)), date: `${d.day}T00:00:00.000Z` })),
          result.total,
          size,
        );
      },
    );
  }

  const samples = async (address: string, mode: keyof typeof SAMPLES) => {
    const s = SAMPLES[mode];
    const rows = await minerHistory(ctx.db, address, new Date(ctx.now() - s.rangeMs), s.bucket);
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
      checkPool(req.params.poolId);
      const address = validAddress(ctx, req.params.address);
      const [figures, account, pool_] = await Promise.all([
        ctx.cache.miner(address),
        minerAccount(ctx.db, address, utcMidnight(ctx.now())),
        ctx.cache.pool(),
      ]);
      const m = figures ?? emptyMiner(address);
      const roundStart = pool_?.roundStartedAt ?? null;
      const hashes = figures
        ? await minerHashesSince(ctx.db, address, roundStart ? new Date(roundStart) : null)
        : 0n;
      cors(reply, 10);
      return {
        // Σ share difficulty of its shares this round (difficulty d ≈ d · 2^32 · 2^16/0xffff expected hashes)
        pendingShares: (Number(hashes) * 0xffff) / 2 ** 48,
        pendingBalance: ergNumber(account.payable),
        totalPaid: ergNumber(account.paid),
        todayPaid: ergNumber(account.paidToday),
        lastPayment: iso(account.lastPayment?.at ?? null),
        lastPaymentLink: link(pool.explorer.transaction, { tx: account.lastPayment?.txId }),
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
        performanceSamples: await samples(address, req.query.perfMode),
      };
    },
  );

  r.get(
    '/api/pools/:poolId/miners/:address/performance',
    { schema: { hide: true, params: minerParams, querystring: z.object({ mode: perfMode.default('Day') }) } },
    async (req, reply) => {
      checkPool(req.params.poolId);
      const address = validAddress(ctx, req.params.address);
      cors(reply, 60);
      return samples(address, req.query.mode);
    },
  );

  r.get(
    '/api/pools/:poolId/miners/:address/settings',
    { schema: { hide: true, params: minerParams } },
    async (req, reply) => {
      checkPool(req.params.poolId);
      const address = validAddress(ctx, req.params.address);
      const account = await minerAccount(ctx.db, address, utcMidnight(ctx.now()));
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
      checkPool(req.params.poolId);
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
