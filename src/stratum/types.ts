import type { Ratio } from '../coin/index.ts';
import { type BanPolicy, DEFAULT_BAN_POLICY } from './bans.ts';
import type { VardiffConfig } from './vardiff.ts';

/** A share the pool acknowledged; everything accounting, stats and audits need. */
export interface AcceptedShare {
  id: string;
  /**
   * The pool that accepted it (config `pools[].id`). '' only in shares journaled before pools existed: the
   * share store credits those to the deployment's default pool.
   */
  poolId: string;
  address: string;
  worker: string;
  /** Share difficulty credited (share-difficulty units), as an exact ratio. */
  difficulty: Ratio;
  /** Expected Autolykos evaluations for a share of this difficulty: 2^256 / target, floored. */
  expectedHashes: bigint;
  jobId: string;
  height: number;
  networkDifficulty: bigint;
  clientAddress: string;
  userAgent: string;
  nonce: string;
  hit: bigint;
  /** Milliseconds since the epoch. */
  time: number;
  instance: string;
  /** hit < b: a block candidate, submitted to the node(s) before this share was acknowledged. */
  isBlock: boolean;
  /** For block candidates: did a node accept the block. */
  blockAccepted: boolean;
  /** For block candidates: the node whose candidate it solved and the key that candidate pays. */
  source?: { node: string; pk: string };
  /** For block candidates: the nodes that accepted the block when it was submitted (HTTP 200). */
  acceptedBy?: string[];
}

/** Where accepted shares go before the miner is answered (durable in the share pipeline). */
export interface ShareSink {
  record(share: AcceptedShare): Promise<void>;
  /**
   * Tells when the sink cannot make shares durable (a full or failing disk) and when it can again. While it
   * cannot, the server takes no miners: they fail over to their backup pool instead of mining for nothing.
   */
  watchHealth?(listener: (health: SinkHealth) => void): () => void;
}

export interface SinkHealth {
  healthy: boolean;
  /** Why not, in plain words (the disk error). */
  reason: string;
}

export interface PortConfig {
  port: number;
  host?: string;
  name?: string;
  startDifficulty: Ratio;
  minDifficulty: Ratio;
  maxDifficulty: Ratio;
  /** null: static difficulty at startDifficulty. */
  vardiff: Omit<VardiffConfig, 'min' | 'max'> | null;
  /** PEM key and certificate; `detect` serves TLS and plain text on the same port by the first byte. */
  tls?: { key: string; cert: string; detect?: boolean };
}

export interface StratumLimits {
  maxLineBytes: number;
  /**
   * Submits of one connection still being checked; instant methods (subscribe, authorize…) do not count.
   * Beyond it a submit is answered busy (the connection stays).
   */
  maxPendingRequests: number;
  /**
   * Overload: how long (ms) a share may wait for a verifier thread before the server sheds the excess
   * submits (answers them busy, unchecked); see ShedController.
   */
  overloadTargetMs: number;
  /**
   * Connections held at once over all ports, counted from accept (before any PROXY or TLS preamble). Kept
   * below the process's open-file limit with headroom for the journal, the database and HTTP (see
   * connectionCap()).
   */
  maxConnections: number;
  maxConnectionsPerAddress: number;
  /** Sustained messages per second per connection, and the burst allowed above it (empty lines count). */
  messagesPerSecond: number;
  messageBurst: number;
  /** A connection must send its first bytes, and subscribe, within this time. */
  silenceTimeoutMs: number;
  /** A connection must be authorized within this time of connecting (it holds an extranonce1 meanwhile). */
  loginTimeoutMs: number;
  /** A connection without an accepted share for this long is dropped (its miner's backup pool takes over). */
  idleTimeoutMs: number;
  /** Distinct worker logins one connection may authorize. */
  maxWorkersPerConnection: number;
  ban: BanPolicy;
  /** Addresses allowed to send a PROXY protocol header; a header from anyone else is refused. */
  proxyAddresses: string[];
}

export const DEFAULT_LIMITS: StratumLimits = {
  maxLineBytes: 8192,
  maxPendingRequests: 32,
  overloadTargetMs: 20,
  maxConnections: 16_000,
  maxConnectionsPerAddress: 1024,
  messagesPerSecond: 50,
  messageBurst: 200,
  silenceTimeoutMs: 15_000,
  loginTimeoutMs: 60_000,
  idleTimeoutMs: 600_000,
  maxWorkersPerConnection: 64,
  ban: DEFAULT_BAN_POLICY,
  proxyAddresses: [],
};

/** What the server reports about each submit (stats, metrics, logs). */
export type ShareOutcome =
  | 'accepted'
  | 'block'
  | 'stale'
  | 'duplicate'
  | 'low-difficulty'
  | 'invalid'
  | 'unauthorized'
  | 'busy';
