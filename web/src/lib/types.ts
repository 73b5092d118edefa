// The /api/v1 shapes (src/api/README.md is the contract). ERG amounts are exact decimal strings.
export type Erg = string;
export type Time = string;
export interface Hashrate {
  current: number;
  avg1h: number;
  avg24h: number;
}

export interface StratumPort {
  port: number;
  name: string | null;
  url: string;
  tls: boolean;
  tlsDetect: boolean;
  difficulty: { start: string; min: string; max: string };
  vardiff: { targetSeconds: number; retargetSeconds: number; variancePercent: number } | null;
}

export interface Pool {
  id: string;
  name: string;
  /** the pool the unprefixed routes serve (absent: an API of before several pools, one pool) */
  default?: boolean;
  network: 'mainnet' | 'testnet';
  /** the pool's own (reward) address, when known */
  address?: string | null;
  coin: { symbol: string; name: string; algorithm: string; decimals?: number; family?: string };
  payouts: {
    enabled?: boolean;
    scheme: 'PPLNS' | 'PPS' | 'PROP' | 'SOLO';
    pplnsFactor: string;
    fees: { address: string; percent: string }[];
    feePercent: string;
    minimum: Erg;
    intervalSeconds: number;
    confirmations: number;
    txFeePaidBy: 'pool' | 'miners';
    txFee: Erg;
    /** how a miner sets its own payout threshold, in words */
    thresholdHint?: string;
  };
  stratum: { host: string; ports: StratumPort[] };
  nodes: {
    name: string;
    status: string;
    problems: string[];
    height: number | null;
    peers?: number | null;
    latencyMs: number | null;
    current: boolean;
    wallet: boolean;
  }[];
  explorer: { address: string; transaction: string; block: string };
}

export interface Stats {
  updatedAt: Time | null;
  intervalSeconds: number;
  pool: {
    hashrate: Hashrate;
    miners: number;
    workers: number;
    connections: number;
    sharesPerSecond: number;
    roundEffort: number | null;
    roundStartedAt: Time | null;
    shares24h: { valid: number; stale: number; invalid: number };
  };
  network: {
    height: number | null;
    difficulty: string | null;
    hashrate: number | null;
    meanBlockSeconds: number | null;
    lastBlockAt: Time | null;
  };
  blocks: {
    total: number;
    last24h: number;
    pending: number;
    confirmed: number;
    orphaned: number;
    last: { height: number; createdAt: Time; status: string; miner: string } | null;
    luck: { blocks: number; averageEffort: number | null };
  };
  payments: { count: number; totalPaid: Erg; lastAt: Time | null };
}

export interface HistoryPoint {
  at: Time;
  hashrate: number;
  miners: number;
  workers: number;
  sharesPerSecond: number;
  networkHashrate: number | null;
  networkDifficulty: string | null;
}
export interface History<P> {
  range: string;
  bucketSeconds: number;
  points: P[];
}
export interface MinerHistoryPoint {
  at: Time;
  hashrate: number;
  workers: Record<string, number>;
}

export type BlockStatus = 'pending' | 'confirmed' | 'orphaned';
export interface Block {
  id: number;
  height: number;
  headerId: string | null;
  status: BlockStatus;
  confirmations: number;
  requiredConfirmations: number;
  confirmationProgress: number;
  effort: number | null;
  reward: Erg | null;
  networkDifficulty: string;
  miner: string;
  worker: string;
  createdAt: Time;
  confirmedAt: Time | null;
  orphanedAt: Time | null;
  links: { block: string | null; miner: string };
}

export interface Payment {
  id: number;
  txId: string | null;
  status: 'planned' | 'in_flight' | 'sent' | 'confirmed' | 'failed';
  amount: Erg;
  fee: Erg | null;
  recipients: number;
  confirmations: number;
  createdAt: Time;
  sentAt: Time | null;
  confirmedAt: Time | null;
  links: { transaction: string | null };
  outputs?: { address: string; amount: Erg }[];
}

export interface MinerSummary {
  address: string;
  hashrate: Hashrate;
  sharesPerSecond: number;
  workers: number;
  lastShareAt: Time | null;
}

export interface Worker {
  name: string;
  hashrate: Hashrate;
  shares: { valid: number; stale: number; invalid: number };
  lastShareAt: Time | null;
  online: boolean;
}

export interface Miner extends MinerSummary {
  known: boolean;
  workerList: Worker[];
  balances: { immature: Erg; payable: Erg; paid: Erg; inFlight: Erg };
  payoutThreshold: Erg;
  payoutThresholdSource: 'pool' | 'miner';
  estimate: { ergPerDay: Erg; windowShare: number | null };
  links: { address: string };
}

export interface MinerPayment {
  txId: string | null;
  status: Payment['status'];
  amount: Erg;
  createdAt: Time;
  sentAt: Time | null;
  confirmedAt: Time | null;
  links: { transaction: string | null };
}

export interface LedgerEntry {
  id: number;
  kind: string;
  amount: Erg;
  reason: string | null;
  blockHeight: number | null;
  txId: string | null;
  createdAt: Time;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
  pageCount: number;
}

/** A miner in one pool (GET /api/v1/miners/:address/pools). */
export interface MinerInPool {
  pool: string;
  name: string;
  scheme: Pool['payouts']['scheme'];
  default: boolean;
  known: boolean;
  balances: { immature: Erg; payable: Erg; paid: Erg; inFlight: Erg };
  hashrate: Hashrate;
  workers: number;
  lastShareAt: Time | null;
}

/** Each event names its pool (null: the whole deployment; absent from an API of before several pools). */
export type LiveEvent = { pool?: string | null } & (
  | { type: 'hello'; data: { pool: string; pools?: string[] } }
  | { type: 'block.found'; data: { height: number; miner: string; worker: string; at: Time } }
  | { type: 'block.confirmed' | 'block.orphaned' | 'block.progress'; data: Block }
  | { type: 'payment.sent' | 'payment.failed' | 'payment.confirmed'; data: Payment }
  | { type: 'height'; data: { height: number } }
  | { type: 'stats'; data: Stats }
  | { type: 'node.down' | 'node.up'; data: { node: string; problems: string[] } }
);
