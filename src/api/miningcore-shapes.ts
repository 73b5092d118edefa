import { z } from 'zod';
import type { MinerFigures, PoolFigures } from '../stats/index.ts';
import type { PoolApi, PoolDescription } from './context.ts';
import { ergNumber, iso, link, numeric } from './format.ts';
import type { BlockRow, OutputRow } from './queries.ts';
import { blockStatuses } from './schemas.ts';
import { schemeName } from './shapes.ts';

/** miningcore's parameters and JSON shapes (../shared/design/miningcore-api.md), from our rows and figures. */

export const mcPage = z.object({
  page: z.coerce.number().int().min(0).max(1_000_000).default(0),
  pageSize: z.coerce.number().int().min(1).max(500).optional(),
  pagesize: z.coerce.number().int().min(1).max(500).optional(),
});

export const mcStates = blockStatuses('state');

export const perfMode = z.enum(['Hour', 'Day', 'Month']);

export function sizeOf(q: { pageSize?: number | undefined; pagesize?: number | undefined }): number {
  return q.pageSize ?? q.pagesize ?? 15;
}

/** miningcore keeps one sample set per granularity: per 3 min over an hour, per hour over a day, per day over a month. */
export const SAMPLES = {
  Hour: { rangeMs: 3_600_000, bucket: 180 },
  Day: { rangeMs: 86_400_000, bucket: 3600 },
  Month: { rangeMs: 30 * 86_400_000, bucket: 86_400 },
} as const;

export const mcBlock = (b: BlockRow, pool: PoolDescription) => ({
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

export const mcPayment = (o: OutputRow, pool: PoolDescription) => ({
  coin: pool.coin.symbol,
  address: o.address,
  addressInfoLink: link(pool.explorer.address, { address: o.address }),
  amount: ergNumber(o.amount),
  transactionConfirmationData: o.tx_id ?? '',
  transactionInfoLink: link(pool.explorer.transaction, { tx: o.tx_id }),
  created: iso(o.sent_at ?? o.created_at),
});

export const mcTopMiner = (m: MinerFigures) => ({
  miner: m.address,
  hashrate: m.hashrate.current,
  sharesPerSecond: m.sharesPerSecond,
});

/** The coin's web site, for the coins we know one of (miningcore's `coin.website`). */
const COIN_SITES: Record<string, string> = { ergo: 'https://ergoplatform.org' };

/** miningcore's coin object, from the pool's coin units (`type` is the ticker, as miningcore's). */
export const mcCoin = (pool: PoolDescription) => ({
  type: pool.coin.symbol,
  name: pool.coin.name,
  symbol: pool.coin.symbol,
  family: pool.coin.family,
  algorithm: pool.coin.algorithm,
  ...(COIN_SITES[pool.coin.family] ? { website: COIN_SITES[pool.coin.family] } : {}),
  canonicalName: pool.coin.name,
});

/** miningcore's PoolInfo of one pool: its configuration and its current figures. */
export const mcPoolInfo = async (p: PoolApi) => {
  const pool = p.pool;
  const figures: PoolFigures | null = await p.cache.pool();
  const top = await p.cache.top(0, 15);
  const nodes = p.nodes?.() ?? figures?.nodes ?? [];
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
    coin: mcCoin(pool),
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
    topMiners: top.items.map(mcTopMiner),
    totalPaid: ergNumber(figures?.payments.totalPaid ?? 0n),
    totalBlocks: figures?.blocks.total ?? 0,
    lastPoolBlockTime,
    poolEffort: figures?.roundEffort ?? 0,
  };
};
