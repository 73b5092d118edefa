import type { Logger } from 'pino';
import type { BackoffOptions } from './backoff.ts';
import type { Checkpoint } from './checkpoint.ts';
import type { Clock } from './io.ts';
import type { ShareJournal } from './journal.ts';
import type { PipelineMetrics } from './metrics.ts';
import type { JournalEntry } from './reader.ts';

/** Where shipped shares go: one transaction per call, idempotent by share id (a replay inserts nothing). */
export interface ShareStore {
  write(entries: JournalEntry[]): Promise<void>;
  /**
   * Called while the journal is idle and fully shipped: nothing this instance accepted before `now` is
   * missing from the database (up to the longest time a share takes to reach the journal), so its
   * share_ingest_progress may move on although no share arrives — an idle pool does not hold up crediting.
   */
  heartbeat?(now: number): Promise<void>;
  /**
   * For an engine whose commits are not durable by themselves (PGlite never fsyncs): makes everything
   * committed so far durable. The checkpoint then only moves past what a sync covered, so the journal keeps
   * those shares until then (and offers them again after a crash).
   */
  sync?(): Promise<void>;
}

export interface ShipperOptions {
  journal: ShareJournal;
  /** No append is waiting for the journal (DurableShareSink counts record() calls in flight). */
  appendsIdle?: () => boolean;
  checkpoint: Checkpoint;
  store: ShareStore;
  clock?: Clock;
  logger?: Logger;
  metrics?: PipelineMetrics;
  /** Records per transaction (default 1000). */
  batchRecords?: number;
  /** A batch that is not full waits up to this long for more records (default 50 ms; blocks never wait). */
  batchDelayMs?: number;
  backoff?: BackoffOptions;
  /** A transaction that has not settled after this long is counted as failed and retried (default 30 s). */
  writeTimeoutMs?: number;
  /** While the database is failing, a warning with the backlog at most this often (default 10 s). */
  warnEveryMs?: number;
  random?: () => number;
  /** With a store that needs sync(): how often committed batches are synced and checkpointed (default 5 s). */
  syncEveryMs?: number;
  /** While idle and fully shipped, the store's heartbeat is called this often (default 5 s). */
  heartbeatMs?: number;
  /** Keeps a record the database refuses for its data (DurableShareSink: <dir>/quarantine.jsonl). */
  quarantine?: (entry: JournalEntry, reason: string) => Promise<void>;
}
