import type { Logger } from 'pino';
import type { BlockSubmitter, Coin, CoinWork, ShareChecker } from '../coin/index.ts';
import type { ClientAddressBook } from './bans.ts';
import type { ExtranonceAllocator } from './extranonce.ts';
import type { JobBook } from './jobs.ts';
import type { LoopTurn } from './turn.ts';
import type { AcceptedShare, ShareOutcome, ShareSink, StratumLimits } from './types.ts';

/** One pool the server serves: its coin, its jobs, and where its shares are checked and its blocks go. */
export interface PoolContext<W extends CoinWork = CoinWork> {
  /** Shares, blocks and credits carry it (config `pools[].id`). */
  readonly id: string;
  readonly coin: Coin<W>;
  readonly jobs: JobBook<W>;
  readonly checker: ShareChecker<W>;
  readonly blocks: BlockSubmitter<W>;
}

/**
 * Server-wide services a session uses; one per stratum server instance, shared by its pools (one connection
 * cap, one address book for bans, one extranonce1 space: two pools on the same node never hand two miners
 * the same nonces).
 */
export interface StratumContext {
  readonly instance: string;
  readonly extranonces: ExtranonceAllocator;
  readonly sink: ShareSink;
  readonly addresses: ClientAddressBook;
  readonly limits: StratumLimits;
  readonly logger: Logger;
  /** The event loop's current turn: replies leave together when it ends. */
  readonly turn: LoopTurn;
  /** Check this submit (true), or shed it with a busy answer: the share of submits the server cannot take now. */
  admit(): boolean;
  /** Emits to StratumServer.events; a listener that throws is logged, never reaches the caller. */
  emit<K extends keyof StratumEventMap>(event: K, payload: StratumEventMap[K][0]): void;
  /** Bans an address that just crossed the invalid-work ratio: closes every connection it has. */
  ban(clientAddress: string): void;
  now(): number;
}

export interface ShareEvent {
  poolId: string;
  outcome: ShareOutcome;
  sessionId: number;
  clientAddress: string;
  address: string | null;
  worker: string | null;
  share?: AcceptedShare;
  reason?: string;
}

/** Every event carries one payload object (emitted without rest arrays on the share path). */
export interface StratumEventMap {
  share: [ShareEvent];
  block: [{ share: AcceptedShare; accepted: boolean; detail?: string }];
  connected: [{ sessionId: number; clientAddress: string; port: number; poolId: string }];
  disconnected: [{ sessionId: number; clientAddress: string; reason: string }];
  authorized: [{ sessionId: number; poolId: string; address: string; worker: string }];
  /** `until`: when the ban ends (ms); `shared`: decided by another instance (applySharedBan). */
  banned: [{ clientAddress: string; connectionsClosed: number; until: number; shared: boolean }];
  /** The share sink cannot make shares durable: every miner was disconnected and new ones are refused. */
  suspended: [{ reason: string; connectionsClosed: number }];
  resumed: [{ suspendedMs: number }];
  /** A miner asked for settings (t= in the password) and has an accepted share on that connection. */
  settings: [{ poolId: string; address: string; payoutThreshold: string; clientAddress: string }];
}
