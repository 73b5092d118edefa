import type { Logger } from 'pino';

/** Options of startDevnet (the public contract; see src/devnet/index.ts). */
export interface DevnetOptions {
  /** Interface to bind; default '127.0.0.1' (never a non-loopback address unless asked). */
  host?: string;
  /** Node 0's port, default 9053; 0 = ephemeral (each node then gets its own ephemeral port). */
  port?: number;
  /** Node endpoints sharing the same chain (default 1); node k listens on port+k, each with its own faults. */
  nodes?: number;
  /**
   * 'shared' (default): every node mines for the pool's one key and serves its one wallet. 'own': node k > 0
   * has its own mining key and wallet (a misconfigured backup node: its candidates pay another key).
   */
  nodeKeys?: 'shared' | 'own';
  /** Address prefixes and /info network; default 'mainnet'. */
  network?: 'mainnet' | 'testnet';
  /** Initial network difficulty in the node's unit (expected hashes per block); default 200_000n. */
  difficulty?: bigint;
  /** The retarget aims at this block interval (default 30 s). */
  blockTimeSeconds?: number;
  /** Height of the tip at start (default CURRENT_MAINNET_HEIGHT). */
  startHeight?: number;
  /** Mean interval (exponential) of blocks found by other miners; null = none (default). */
  competitorBlockTimeSeconds?: number | null;
  /** A fee-paying tx enters the mempool this often (new candidate msg at the same height); default null. */
  mempoolIntervalMs?: number | null;
  /** Maturity of reward boxes in blocks, default 720. */
  rewardDelay?: number;
  /** Value of the api_key header the wallet routes require; default 'devnet'. */
  apiKey?: string;
  /** JSON persistence of the whole state: loaded at start when present, saved on change and on close. */
  statePath?: string | null;
  logger?: Logger;
  /** Injectable clock in ms (block timestamps, retarget, /info times). */
  now?: () => number;
  /** Seed of every random-but-deterministic value (keys, roots, competitor nonces); default 'enigmapool-devnet'. */
  seed?: string;
}

export interface DevnetBlockEvent {
  height: number;
  id: string;
  byPool: boolean;
}

export interface Devnet {
  /** Node 0 base url, e.g. http://127.0.0.1:9053. */
  readonly url: string;
  readonly nodes: readonly DevnetNode[];
  /** 33-byte hex: the pool wallet's mining key (candidate pk, rewards). */
  readonly minerPublicKey: string;
  /** P2PK address of that key. */
  readonly walletAddress: string;
  /** Best full height. */
  height(): number;
  /** Another miner finds the next block now. */
  mineCompetitorBlock(): Promise<void>;
  /** Replaces the best chain from fromHeight on with a one block longer competitor fork. */
  reorg(fromHeight: number): Promise<void>;
  /** A fee-paying tx enters the mempool (the candidate msg changes, same height). */
  addMempoolTransaction(): void;
  /**
   * A mempool transaction is dropped: by the whole network (its inputs are free again), or with `node` by
   * that node alone (its mempool and wallet forget it; the network still holds it and mines it). false: not
   * in the mempool.
   */
  dropMempoolTransaction(txId: string, node?: number): Promise<boolean>;
  /** The same logic as POST /mining/solution on node 0. */
  solve(nonceHex: string): Promise<{ accepted: boolean; detail?: string }>;
  on(event: 'block', listener: (b: DevnetBlockEvent) => void): void;
  close(): Promise<void>;
}

export interface DevnetNode {
  readonly url: string;
  readonly port: number;
  /** The mining key this node's candidates pay (and its wallet holds). */
  readonly publicKey: string;
  setFault(fault: DevnetFault): Promise<void>;
}

export type DevnetFault =
  | { mode: 'none' }
  /** Stops listening (connection refused) until cleared; same port on recovery. */
  | { mode: 'down' }
  /** Accepts requests and never answers; pending ones are dropped when cleared. */
  | { mode: 'stalled' }
  /** Full blocks lag `behind` (default 10) blocks behind headers; the candidate stays at the lagging height. */
  | { mode: 'out-of-sync'; behind?: number }
  /** POST /mining/solution answers 500 with a node error body. */
  | { mode: 'reject-solutions' }
  /** Every response is delayed. */
  | { mode: 'slow'; delayMs: number };

export type FaultMode = DevnetFault['mode'];
export const FAULT_MODES: readonly FaultMode[] = [
  'none',
  'down',
  'stalled',
  'out-of-sync',
  'reject-solutions',
  'slow',
];
