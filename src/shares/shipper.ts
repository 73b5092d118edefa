import pino, { type Logger } from 'pino';
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF, formatBytes } from './backoff.ts';
import type { Checkpoint } from './checkpoint.ts';
import { type Clock, systemClock } from './io.ts';
import type { ShareJournal } from './journal.ts';
import { NO_METRICS, type PipelineMetrics } from './metrics.ts';
import { type JournalEntry, JournalReader } from './reader.ts';
import type { ShareStore, ShipperOptions } from './shipper-options.ts';

export type { ShareStore, ShipperOptions } from './shipper-options.ts';

/** SQLSTATE class 22 (data exception) or 23 (integrity constraint violation): the rows, not the database. */
export function isRecordError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

class WriteTimeoutError extends Error {
  constructor(ms: number) {
    super(`database write did not finish within ${ms} ms`);
    this.name = 'WriteTimeoutError';
  }
}

/**
 * Moves committed journal records into the database in batches, in order, then records the shipped position
 * in the checkpoint (fsynced after the commit) and deletes fully shipped segments. A failing database is
 * retried forever with capped exponential backoff and jitter while the journal keeps growing; nothing is
 * skipped, and a record shipped twice (after a crash between the commit and the checkpoint) is a no-op.
 */
export class Shipper {
  private readonly journal: ShareJournal;
  private readonly checkpoint: Checkpoint;
  private readonly store: ShareStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly metrics: PipelineMetrics;
  private readonly batchRecords: number;
  private readonly batchDelayMs: number;
  private readonly backoff: BackoffOptions;
  private readonly writeTimeoutMs: number;
  private readonly warnEveryMs: number;
  private readonly random: () => number;
  private readonly reader: JournalReader;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private draining = false;
  private readonly wakers = new Set<() => void>();
  private failingSince: number | null = null;
  private lastWarnAt = 0;
  private shippedTotal = 0;
  /** Everything up to here is committed in the database (the checkpoint may lag it until a sync). */
  private landedSeq: number;
  private lastSyncAt: number;
  private readonly syncEveryMs: number;
  private persisting: Promise<void> | null = null;
  private quarantinedTotal = 0;
  private readonly heartbeatMs: number;
  private lastHeartbeatAt = Number.NEGATIVE_INFINITY;
  private readonly appendsIdle: () => boolean;
  private readonly quarantine: (entry: JournalEntry, reason: string) => Promise<void>;

  constructor(options: ShipperOptions) {
    this.journal = options.journal;
    this.checkpoint = options.checkpoint;
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.metrics = options.metrics ?? NO_METRICS;
    this.batchRecords = options.batchRecords ?? 1000;
    this.batchDelayMs = options.batchDelayMs ?? 50;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.writeTimeoutMs = options.writeTimeoutMs ?? 30_000;
    this.warnEveryMs = options.warnEveryMs ?? 10_000;
    this.random = options.random ?? Math.random;
    this.quarantine =
      options.quarantine ??
      (async (entry, reason) => {
        throw new Error(`no quarantine for share ${entry.share.id}: ${reason}`);
      });
    this.syncEveryMs = options.syncEveryMs ?? 5_000;
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
    this.appendsIdle = options.appendsIdle ?? (() => false);
    this.landedSeq = this.checkpoint.seq;
    this.lastSyncAt = this.clock.now();
    this.reader = new JournalReader(this.journal, this.checkpoint.seq, {
      logger: this.logger,
      onDamage: () => this.metrics.damaged(),
    });
  }

  /** Every record up to this sequence number is committed in the database. */
  get shippedSeq(): number {
    return this.landedSeq;
  }

  /** … and durably so, recorded in the checkpoint (the journal keeps everything after it). */
  get durableSeq(): number {
    return this.checkpoint.seq;
  }

  /** Shares written into the database by this shipper since it started. */
  get shipped(): number {
    return this.shippedTotal;
  }

  /** Records the database refused and that were set aside in the quarantine file. */
  get quarantined(): number {
    return this.quarantinedTotal;
  }

  /** Committed records not yet in the database. */
  get backlog(): number {
    return Math.max(0, this.journal.committedSeq - this.landedSeq);
  }

  /** Is the database failing right now (since when, ms epoch)? */
  get outageSince(): number | null {
    return this.failingSince;
  }

  start(): void {
    this.loop ??= this.run().catch((err) => {
      this.logger.fatal({ err }, 'share shipper stopped unexpectedly');
    });
  }

  /**
   * Ships without batching delays until everything committed so far is in the database or `timeoutMs`
   * passes; resolves true when nothing is left.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    this.poke();
    const deadline = this.clock.now() + timeoutMs;
    const target = this.journal.committedSeq;
    while (this.landedSeq < target && this.clock.now() < deadline && this.loop) {
      await this.sleep(Math.min(20, Math.max(1, deadline - this.clock.now())), true);
    }
    this.draining = false;
    for (let i = 0; i < 2 && this.checkpoint.seq < this.landedSeq; i++) await this.persist();
    return this.checkpoint.seq >= target;
  }

  /** Stops after the transaction in flight (waiting for it at most `timeoutMs`). */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.stopping = true;
    this.poke();
    if (this.loop) {
      let timer: unknown = null;
      await Promise.race([
        this.loop,
        new Promise<void>((resolve) => {
          timer = this.clock.setTimeout(resolve, timeoutMs);
        }),
      ]);
      this.clock.clearTimeout(timer);
    }
    await this.persist();
    await this.reader.close();
  }

  private async run(): Promise<void> {
    if (this.backlog > 0)
      this.logger.info(
        `share journal: ${this.backlog} share(s) after the last checkpoint (from before the restart); ` +
          'shipping them now (any already in the database are skipped)',
      );
    while (!this.stopping) {
      const batch = await this.nextBatch();
      if (batch.length === 0) {
        if (this.checkpoint.seq < this.landedSeq && this.clock.now() - this.lastSyncAt >= this.syncEveryMs)
          await this.persist();
        await this.heartbeat();
        continue;
      }
      if (!(await this.ship(batch))) return; // stopping while the database is failing
    }
  }

  /** Up to batchRecords committed entries; waits for commits, and up to batchDelayMs for a fuller batch. */
  private async nextBatch(): Promise<JournalEntry[]> {
    const batch = await this.reader.read(this.batchRecords);
    if (batch.length === 0) {
      if (!this.stopping) {
        const idleWait = this.store.heartbeat ? this.heartbeatMs : 60_000;
        await this.waitForRecords(
          this.checkpoint.seq < this.landedSeq ? Math.min(this.syncEveryMs, idleWait) : idleWait,
        );
      }
      return batch;
    }
    const deadline = this.clock.now() + this.batchDelayMs;
    while (
      batch.length < this.batchRecords &&
      !batch.some((e) => e.share.isBlock) &&
      !this.draining &&
      !this.stopping &&
      this.clock.now() < deadline
    ) {
      await this.waitForRecords(Math.max(1, deadline - this.clock.now()));
      batch.push(...(await this.reader.read(this.batchRecords - batch.length)));
    }
    return batch;
  }

  /** Writes one batch, retrying until it lands; false if stopped before it could. */
  private async ship(batch: JournalEntry[]): Promise<boolean> {
    if (!(await this.land(batch))) return false;
    this.landedSeq = batch.at(-1)!.seq;
    if (!this.store.sync || this.clock.now() - this.lastSyncAt >= this.syncEveryMs) await this.persist();
    return true;
  }

  /** The store's heartbeat, when the journal is idle and everything committed has landed (at most every heartbeatMs). */
  private async heartbeat(): Promise<void> {
    if (!this.store.heartbeat || this.stopping) return;
    const now = this.clock.now();
    if (now - this.lastHeartbeatAt < this.heartbeatMs) return;
    if (!this.appendsIdle() || this.journal.committedSeq !== this.landedSeq) return;
    this.lastHeartbeatAt = now;
    try {
      await this.withTimeout(this.store.heartbeat(now));
      this.onSuccess();
    } catch (err) {
      this.metrics.dbError();
      this.onFailure(err, 0);
    }
  }

  /**
   * Syncs the store if it needs it, then saves the checkpoint at what landed and deletes the segments it
   * covers. A failure only leaves the checkpoint behind: those records are offered again later (a no-op).
   */
  private persist(): Promise<void> {
    this.persisting ??= (async () => {
      const position = this.landedSeq;
      try {
        if (position <= this.checkpoint.seq) return;
        if (this.store.sync) {
          await this.store.sync();
          this.lastSyncAt = this.clock.now();
        }
        await this.checkpoint.save(position);
        await this.journal.release(position);
      } catch (err) {
        this.logger.error({ err }, 'share journal: cannot save the shipped position (it will be retried)');
      } finally {
        this.persisting = null;
      }
    })();
    return this.persisting;
  }

  /**
   * One transaction for `batch`, retried with backoff while the database fails. A batch the database refuses
   * for its data (SQLSTATE class 22 or 23, the same on every retry) is split in halves until the refused
   * record is alone; that one is set aside in the quarantine file instead of blocking every later share.
   */
  private async land(batch: JournalEntry[]): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        await this.withTimeout(this.store.write(batch));
        this.metrics.shipped(batch.length, (performance.now() - started) / 1000);
        this.shippedTotal += batch.length;
        this.onSuccess();
        return true;
      } catch (err) {
        if (isRecordError(err)) {
          if (batch.length > 1) {
            const half = batch.length >> 1;
            return (await this.land(batch.slice(0, half))) && (await this.land(batch.slice(half)));
          }
          if (await this.setAside(batch[0]!, err)) return true;
        } else {
          this.metrics.dbError();
          this.onFailure(err, attempt);
        }
        if (this.stopping) return false;
        await this.sleep(backoffDelay(attempt, this.backoff, this.random), true);
        if (this.stopping) return false;
      }
    }
  }

  private async setAside(entry: JournalEntry, err: unknown): Promise<boolean> {
    const reason = `${(err as { code?: string }).code ?? ''} ${(err as Error).message}`.trim();
    try {
      await this.quarantine(entry, reason);
    } catch (writeError) {
      this.logger.error({ err: writeError }, 'share journal: cannot write the quarantine file (will retry)');
      return false;
    }
    this.metrics.quarantined();
    this.quarantinedTotal += 1;
    this.logger.error(
      { seq: entry.seq, id: entry.share.id, reason },
      'the database refused a share for its data; it was set aside in the quarantine file (see the journal directory) so the others keep flowing',
    );
    return true;
  }

  private onFailure(err: unknown, attempt: number): void {
    const now = this.clock.now();
    if (this.failingSince === null) {
      this.failingSince = now;
      this.lastWarnAt = now;
      this.logger.warn(
        { err: (err as Error).message },
        'database write failed; shares stay in the journal and are retried (miners are still answered)',
      );
      return;
    }
    if (now - this.lastWarnAt >= this.warnEveryMs) {
      this.lastWarnAt = now;
      this.logger.warn(
        {
          err: (err as Error).message,
          attempt,
          backlog: this.backlog,
          journalBytes: this.journal.bytesOnDisk,
        },
        `DATABASE UNAVAILABLE for ${Math.round((now - this.failingSince) / 1000)} s: ${this.backlog} share(s) ` +
          `(${formatBytes(this.journal.bytesOnDisk)} of journal) are waiting on disk; miners are still answered ` +
          'and everything will be shipped when the database is back',
      );
    }
  }

  private onSuccess(): void {
    if (this.failingSince === null) return;
    const seconds = Math.round((this.clock.now() - this.failingSince) / 1000);
    this.failingSince = null;
    this.logger.info(`database is back after ${seconds} s; shipping the backlog of ${this.backlog} share(s)`);
  }

  private withTimeout(write: Promise<void>): Promise<void> {
    let timer: unknown = null;
    return Promise.race([
      write,
      new Promise<never>((_, reject) => {
        timer = this.clock.setTimeout(
          () => reject(new WriteTimeoutError(this.writeTimeoutMs)),
          this.writeTimeoutMs,
        );
      }),
    ]).finally(() => this.clock.clearTimeout(timer));
  }

  /** Until the journal commits past the reader, `ms` pass, or stop()/drain() is called. */
  private async waitForRecords(ms: number): Promise<void> {
    let wake: () => void = () => undefined;
    const pause = this.sleep(ms, true, (w) => {
      wake = w;
    });
    await Promise.race([this.journal.waitForCommit(this.reader.position - 1), pause]);
    wake();
  }

  /** Sleeps; an interruptible sleep ends early on stop() or drain(). */
  private sleep(ms: number, interruptible: boolean, expose?: (wake: () => void) => void): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.clock.clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = this.clock.setTimeout(done, ms);
      if (interruptible) this.wakers.add(done);
      expose?.(done);
    });
  }

  private poke(): void {
    for (const wake of [...this.wakers]) wake();
  }
}
