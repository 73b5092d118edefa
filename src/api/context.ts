import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Ratio } from '../autolykos/index.ts';
import type { Database } from '../db/index.ts';
import type { NodeFigures, StatsCache } from '../stats/index.ts';
import type { EventBus } from './bus.ts';

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

export interface ApiContext {
  db: Database;
  cache: StatsCache;
  pool: PoolDescription;
  bus: EventBus;
  /** Live node health when this process watches the nodes; otherwise the stats snapshot's. */
  nodes: (() => NodeFigures[]) | null;
  /** A reason when `address` is not a valid address of the pool's network, else null. */
  checkAddress(address: string): string | null;
  logger: Logger;
  now(): number;
  metrics: Registry | null;
}
