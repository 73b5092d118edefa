import type { PowInput, Ratio } from '../autolykos/index.ts';
import type { VardiffConfig } from './vardiff.ts';

/** A share the pool acknowledged; everything accounting, stats and audits need. */
export interface AcceptedShare {
  id: string;
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
}

/** Where accepted shares go before the miner is answered (durable in the share pipeline). */
export interface ShareSink {
  record(share: AcceptedShare): Promise<void>;
}

/**
 * Submits a block solution to the node(s); resolves once the node(s) answered (or timed out). The candidate's
 * height lets the submitter keep sending it to nodes that did not answer while that height is current.
 */
export interface BlockSubmitter {
  submitSolution(
    nonceHex: string,
    candidate?: { height: number },
  ): Promise<{ accepted: boolean; detail?: string }>;
}

export interface HitVerifier {
  verify(input: PowInput): Promise<bigint>;
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
  maxPendingRequests: number;
  maxConnectionsPerAddress: number;
  /** Sustained messages per second per connection, and the burst allowed above it. */
  messagesPerSecond: number;
  messageBurst: number;
  /** A connection must subscribe within this time. */
  silenceTimeoutMs: number;
  /** A connection without an accepted share for this long is dropped (its miner's backup pool takes over). */
  idleTimeoutMs: number;
  ban: { enabled: boolean; checkThreshold: number; invalidPercent: number; banSeconds: number };
  /** Addresses allowed to send a PROXY protocol header; a header from anyone else is refused. */
  proxyAddresses: string[];
}

export const DEFAULT_LIMITS: StratumLimits = {
  maxLineBytes: 8192,
  maxPendingRequests: 32,
  maxConnectionsPerAddress: 1024,
  messagesPerSecond: 50,
  messageBurst: 200,
  silenceTimeoutMs: 15_000,
  idleTimeoutMs: 600_000,
  ban: { enabled: true, checkThreshold: 100, invalidPercent: 50, banSeconds: 600 },
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
