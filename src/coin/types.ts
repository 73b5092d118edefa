import type { Ratio } from './rational.ts';

/** How a coin is named and counted, for the API, the website and logs. */
export interface CoinUnits {
  /** For people: 'Ergo'. */
  name: string;
  /** Ticker: 'ERG'. */
  symbol: string;
  /** Decimal places of the smallest unit the ledger counts in (Ergo: 9, nanoERG). Money is always that unit. */
  decimals: number;
  /** The proof-of-work algorithm, for people: 'Autolykos v2'. */
  algorithm: string;
  /** Miningcore's coin family (its API's `coin.family`), which community dashboards switch on: 'ergo'. */
  family: string;
}

/**
 * Work from a coin's nodes: what one job is built from. The fields every coin's work has; the rest is the
 * coin's own (Ergo: the candidate's msg, block target and version).
 */
export interface CoinWork {
  /** The height of the block this work would make. */
  readonly height: number;
  /** The node the work came from and the key its block would pay (recorded with a block found on it). */
  readonly source?: { node: string; pk: string };
}

/** What the nodes answered to a block solution. */
export interface BlockSubmission {
  accepted: boolean;
  detail?: string;
  /** The nodes that accepted it. */
  acceptedBy?: readonly string[];
}

/** Where found blocks go: the coin's nodes (every healthy one at once). */
export interface BlockSubmitter<W extends CoinWork = CoinWork> {
  /** Resolves once the nodes answered or timed out; never rejects for a node's refusal. */
  submitBlock(work: W, nonce: string): Promise<BlockSubmission>;
}

/** A coin's nodes as the composition wires them to the stratum server: new work as it comes. */
export interface WorkSource<W extends CoinWork = CoinWork> {
  /** Calls `listener` with every new piece of work (the same work twice is allowed); returns the unsubscribe. */
  onWork(listener: (work: W) => void): () => void;
}

/** Thrown by a ShareChecker that cannot take another check now: the server answers the share "busy". */
export class ShareCheckOverloadedError extends Error {
  constructor(message = 'share checks are overloaded') {
    super(message);
    this.name = 'ShareCheckOverloadedError';
  }
}

/** The coin's proof of work, usually on threads of its own. */
export interface ShareChecker<W extends CoinWork = CoinWork> {
  /**
   * The proof-of-work value of a nonce for this work: a share of target t when hit < t. Rejects with
   * ShareCheckOverloadedError when it cannot take the check now.
   */
  hit(work: W, nonce: string): Promise<bigint>;
  /**
   * How long the oldest check still waiting for a thread has waited (ms; 0 when none waits). The server
   * sheds the submits the checker cannot keep up with to hold this near its target.
   */
  queueAgeMs?(): number;
}

export type SubmittedNonce = { ok: true; nonce: string } | { ok: false; reason: string };

/**
 * What differs between coins in the stratum conversation and the share check. Everything else (framing,
 * subscribe and authorize, extranonce1, vardiff, duplicates, stale jobs, bans, overload) is the server's.
 */
export interface StratumDialect<W extends CoinWork = CoinWork> {
  /** Changes exactly when the work does (Ergo: the candidate's msg): new key, new job. */
  workKey(work: W): string;
  /** Expected hashes per block at this work: the network difficulty in the coin's hash unit. */
  networkDifficulty(work: W): bigint;
  /** The share target at share difficulty d: a hit below it is a share. Never harder than a block's. */
  shareTarget(work: W, difficulty: Ratio): bigint;
  /** Expected hashes for one share at this target (credits and hashrate are weighted by it). */
  expectedHashes(target: bigint): bigint;
  /** Does this hit make a block? */
  isBlock(work: W, hit: bigint): boolean;
  /** The lines announcing a job to a miner at a share target, newline-terminated, with clean_jobs set. */
  jobLines(jobId: string, work: W, target: bigint): string;
  /** The nonce a mining.submit names (params as sent), given the connection's extranonce1, or why not. */
  submittedNonce(params: readonly unknown[], extranonce1: string, extranonce2Size: number): SubmittedNonce;
}

/** The pool's reward in one of its blocks, read from the chain (smallest units). */
export interface BlockReward {
  /** Σ values of the outputs paying the pool's reward script. */
  gross: bigint;
  /** Of gross, what the coin's rules owe elsewhere and the pool may not distribute (Ergo: EIP-27 re-emission; else 0). */
  reemission: bigint;
  /** gross − reemission: what the pool may distribute. */
  reward: bigint;
  /** Of gross: the new coins (the block's emission or coinbase). */
  emission: bigint;
  /** Of gross: the transaction fees. */
  fees: bigint;
  /** Ids of the reward outputs (Ergo: box ids); none means the block pays no output to the pool. */
  boxIds: string[];
}

/** The best-chain block at a height, compared with the pool's block there. */
export interface ChainBlockAt {
  id: string;
  /** Mined by the pool (its key) with the nonce the pool submitted. */
  ours: boolean;
  /** Why it is not ours, for the log ('key', 'nonce'). */
  mismatch?: string;
}

/**
 * How accounting reads a coin's chain (the block lifecycle). Each call may fail (a node error): accounting
 * treats a throw as transient and changes nothing. `poolKey` is the pool's identity on chain (Ergo: the
 * mining public key the wallet node reports).
 */
export interface ChainReader {
  /** The best fully validated height. */
  tipHeight(): Promise<number>;
  /** The best-chain block at `height` compared with the pool's block (its nonce); null when there is none. */
  blockAt(height: number, nonce: string, poolKey: string): Promise<ChainBlockAt | null>;
  /** The pool's reward in block `id`; null when its transactions cannot be read now. */
  rewardIn(id: string, poolKey: string): Promise<BlockReward | null>;
}

/** What accounting needs from a coin about rewards. */
export interface RewardRules {
  /** Confirmations before a block's reward may be spent (Ergo: 720, the miner-reward lock). */
  maturity: number;
  /** The reward of a block at this height that the pool may distribute, in the smallest unit (PPS rates). */
  blockReward(height: number): bigint;
}

/**
 * A coin the pool can mine, on one network: everything the stratum server, the share pipeline and accounting
 * need that is not generic. Its nodes (a WorkSource and BlockSubmitter) and its checker are made by the
 * coin's own module from its config; the composition (src/cli) wires them to the server.
 */
export interface Coin<W extends CoinWork = CoinWork> {
  /** The name a pool's config gives: 'ergo'. */
  readonly id: string;
  /** The network: 'mainnet', 'testnet'… */
  readonly network: string;
  readonly units: CoinUnits;
  /** Null when this network's payouts can go to the address, else why not (told to the miner). */
  checkAddress(address: string): string | null;
  readonly stratum: StratumDialect<W>;
  readonly rewards: RewardRules;
}
