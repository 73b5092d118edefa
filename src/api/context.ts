import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Ratio } from '../coin/index.ts';
import type { Database } from '../db/index.ts';
import type { NodeFigures, StatsCache } from '../stats/index.ts';
import type { EventBus } from './bus.ts';
import { notFound } from './errors.ts';

/** What the API says about the pool's configuration (built from the config by the CLI; no secrets). */
export interface PoolDescription {
  id: string;
  name: string;
  network: 'mainnet' | 'testnet';
  /** The coin it mines (src/coin's units): what the API and the website name and count. */
  coin: { name: string; symbol: string; decimals: number; algorithm: string; family: string };
  /** The pool's reward address (its mining key's P2PK address), when known. */
  address: string | null;
  payouts: {
    enabled: boolean;
    scheme: 'pps' | 'pplns' | 'prop' | 'solo';
    pplnsFactor: string;
    fees: { address: string; percent: string }[];
    /** Σ fee percentages, exact decimal text, and as a fraction. */
    feePercent: string;
    fee: Ratio;
    minimum: bigint;
    intervalSeconds: number;
    confirmations: number;
    txFeePaidBy: 'pool' | 'miners';
    txFee: bigint;
  };
  stratum: {
    host: string;
    ports: {
      port: number;
      name: string | null;
      tls: boolean;
      tlsDetect: boolean;
      difficulty: { start: string; min: string; max: string };
      vardiff: { targetSeconds: number; retargetSeconds: number; variancePercent: number } | null;
    }[];
    ban: { enabled: boolean; checkThreshold: number; invalidPercent: number; banSeconds: number };
    idleTimeoutSeconds: number;
    pollIntervalMs: number;
    proxyProtocol: boolean;
  };
  explorer: { address: string; transaction: string; block: string };
}

/** One pool the API serves: its description, its stats cache, its nodes and its address rules. */
export interface PoolApi {
  pool: PoolDescription;
  /** The figures its stats job keeps (a cache per pool: one pool's figures never show in another's). */
  cache: StatsCache;
  /** Live node health when this process watches the pool's nodes; otherwise the stats snapshot's. */
  nodes: (() => NodeFigures[]) | null;
  /** A reason when `address` is not a valid address of the pool's coin and network, else null. */
  checkAddress(address: string): string | null;
}

/** What the API serves: every pool of the deployment (the default pool first) and what they share. */
export interface ApiContext {
  db: Database;
  /** The default pool first: it answers the unprefixed routes (/api/v1/stats …). */
  pools: PoolApi[];
  bus: EventBus;
  logger: Logger;
  now(): number;
  metrics: Registry | null;
}

/** The pool the unprefixed routes serve. */
export function defaultPool(ctx: ApiContext): PoolApi {
  const first = ctx.pools[0];
  if (!first) throw new Error('the API serves no pool');
  return first;
}

/** A pool by its id, or a 404 naming the pools there are. */
export function poolById(ctx: ApiContext, id: string): PoolApi {
  const found = ctx.pools.find((p) => p.pool.id === id);
  if (!found) throw notFound(`unknown pool "${id}" (pools: ${ctx.pools.map((p) => p.pool.id).join(', ')})`);
  return found;
}
