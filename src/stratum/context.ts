import type { Logger } from 'pino';
import type { NetworkName } from '../ergo/index.ts';
import type { ClientAddressBook } from './bans.ts';
import type { ExtranonceAllocator } from './extranonce.ts';
import type { JobBook } from './jobs.ts';
import type { LoopTurn } from './turn.ts';
import type {
  AcceptedShare,
  BlockSubmitter,
  HitVerifier,
  ShareOutcome,
  ShareSink,
  StratumLimits,
} from './types.ts';

/** Server-wide services a session uses; one per stratum server instance. */
export interface StratumContext {
  readonly instance: string;
  /** The pool this server's shares are credited to. */
  readonly poolId: string;
  readonly network: NetworkName;
  readonly jobs: JobBook;
  readonly extranonces: ExtranonceAllocator;
  readonly verifier: HitVerifier;
  readonly submitter: BlockSubmitter;
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
  connected: [{ sessionId: number; clientAddress: string; port: number }];
  disconnected: [{ sessionId: number; clientAddress: string; reason: string }];
  authorized: [{ sessionId: number; address: string; worker: string }];
  /** `until`: when the ban ends (ms); `shared`: decided by another instance (applySharedBan). */
  banned: [{ clientAddress: string; connectionsClosed: number; until: number; shared: boolean }];
  /** The share sink cannot make shares durable: every miner was disconnected and new ones are refused. */
  suspended: [{ reason: string; connectionsClosed: number }];
  resumed: [{ suspendedMs: number }];
  /** A miner asked for settings (t= in the password) and has an accepted share on that connection. */
  settings: [{ address: string; payoutThreshold: string; clientAddress: string }];
}
