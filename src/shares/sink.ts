import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AcceptedShare, ShareSink, SinkHealth } from '../stratum/index.ts';
import type { BackoffOptions } from './backoff.ts';
import { formatBytes } from './backoff.ts';
import { Checkpoint } from './checkpoint.ts';
import { JournalClosedError } from './errors.ts';
import { appendDurably, type Clock, type JournalFs, nodeJournalFs, systemClock } from './io.ts';
import { ShareJournal } from './journal.ts';
import { createPipelineMetrics } from './metrics.ts';
import { encodeShare } from './share-codec.ts';
import { type ShareStore, Shipper } from './shipper.ts';

/** Shares the database refused for their data, one JSON line each (seq, reason, the share as journaled). */
export const QUARANTINE_FILE = 'quarantine.jsonl';

export interface DurableSinkOptions {
  /** The journal directory (the pool uses <dataDir>/journal). */
  dir: string;
  /** Where shares are shipped (DatabaseShareStore over the pool's database). */
  store: ShareStore;
  logger?: Logger;
  /** Prometheus metrics go here when given. */
  registry?: Registry;
  fs?: JournalFs;
  clock?: Clock;
  groupWindowMs?: number;
  maxGroupBytes?: number;
  segmentBytes?: number;
  batchRecords?: number;
  batchDelayMs?: number;
  backoff?: BackoffOptions;
  writeTimeoutMs?: number;
  warnEveryMs?: number;
  syncEveryMs?: number;
  probeEveryMs?: number;
  heartbeatMs?: number;
}

export interface SinkStats {
  /** Last sequence number made durable in the journal. */
  committedSeq: number;
  /** Every record up to here is committed in the database. */
  shippedSeq: number;
  /** … and recorded in the checkpoint (after a sync of the store when it needs one). */
  durableSeq: number;
  backlog: number;
  journalBytes: number;
  segments: number;
  /** Since when the database has been failing (ms epoch), or null. */
  outageSince: number | null;
  /** Shares set aside in the quarantine file since start. */
  quarantined: number;
}

/**
 * The durable ShareSink: `record()` resolves once the share is fsynced in the local journal (so the stratum
 * acknowledges only durable shares); a shipper moves the journal into the database behind it and replays
 * whatever the database does not have yet at start.
 */
export class DurableShareSink implements ShareSink {
  private closed = false;
  /** record() calls whose append has not settled yet (the shipper's heartbeat waits for none). */
  private appending = 0;

  private constructor(
    readonly dir: string,
    private readonly journal: ShareJournal,
    private readonly checkpoint: Checkpoint,
    private readonly shipper: Shipper,
    private readonly logger: Logger,
    private readonly health: HealthListeners,
  ) {}

  static async open(options: DurableSinkOptions): Promise<DurableShareSink> {
    const fs = options.fs ?? nodeJournalFs;
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? pino({ level: 'silent' });
    await fs.mkdir(options.dir);
    const checkpoint = await Checkpoint.open(fs, join(options.dir, 'checkpoint'));
    let journal: ShareJournal | null = null;
    let shipper: Shipper | null = null;
    const health = new HealthListeners(logger);
    const metrics = createPipelineMetrics(options.registry, {
      journalBytes: () => journal?.bytesOnDisk ?? 0,
      journalSegments: () => journal?.segmentCount ?? 0,
      backlog: () => shipper?.backlog ?? 0,
    });
    try {
      journal = await ShareJournal.open({
        dir: options.dir,
        fs,
        clock,
        logger,
        shippedSeq: checkpoint.seq,
        onCommit: (group) => metrics.committed(group),
        onHealth: (state) => health.emit(state),
        ...pick(options, ['groupWindowMs', 'maxGroupBytes', 'segmentBytes', 'probeEveryMs']),
      });
      // Segments left over from a crash between the checkpoint and their deletion.
      await journal.release(checkpoint.seq);
    } catch (err) {
      await checkpoint.close();
      throw err;
    }
    let sink: DurableShareSink | null = null;
    shipper = new Shipper({
      journal,
      appendsIdle: () => sink?.appending === 0,
      checkpoint,
      store: options.store,
      clock,
      logger,
      metrics,
      quarantine: (entry, reason) =>
        appendDurably(
          fs,
          join(options.dir, QUARANTINE_FILE),
          Buffer.from(
            `{"seq":${entry.seq},"reason":${JSON.stringify(reason)},"share":${encodeShare(entry.share).toString('utf8')}}\n`,
          ),
        ),
      ...pick(options, [
        'batchRecords',
        'batchDelayMs',
        'backoff',
        'writeTimeoutMs',
        'warnEveryMs',
        'syncEveryMs',
        'heartbeatMs',
      ]),
    });
    sink = new DurableShareSink(options.dir, journal, checkpoint, shipper, logger, health);
    shipper.start();
    return sink;
  }

  record(share: AcceptedShare): Promise<void> {
    if (this.closed) return Promise.reject(new JournalClosedError());
    this.appending++;
    return this.journal.append(share).then(
      () => {
        this.appending--;
      },
      (err: unknown) => {
        this.appending--;
        throw err;
      },
    );
  }

  /** The journal's health: unhealthy from a failed commit (a full disk) until it writes again. */
  watchHealth(listener: (health: SinkHealth) => void): () => void {
    return this.health.add(listener);
  }

  get stats(): SinkStats {
    return {
      committedSeq: this.journal.committedSeq,
      shippedSeq: this.shipper.shippedSeq,
      durableSeq: this.shipper.durableSeq,
      backlog: this.shipper.backlog,
      journalBytes: this.journal.bytesOnDisk,
      segments: this.journal.segmentCount,
      outageSince: this.shipper.outageSince,
      quarantined: this.shipper.quarantined,
    };
  }

  /** What the journal found at open (a torn tail cut, damaged ranges). */
  get recovery() {
    return this.journal.recovery;
  }

  /** Resolves when everything committed so far is in the database (or after `timeoutMs`: false). */
  drain(timeoutMs: number): Promise<boolean> {
    return this.shipper.drain(timeoutMs);
  }

  /**
   * Flushes the journal, ships what it can within `deadlineMs`, and closes the files. Whatever is not shipped
   * stays in the journal and is shipped at the next start.
   */
  async close(deadlineMs = 10_000): Promise<{ backlog: number }> {
    if (this.closed) return { backlog: this.shipper.backlog };
    this.closed = true;
    await this.journal.flush();
    this.logger.info(
      `share journal flushed: every acknowledged share is on disk (${formatBytes(this.journal.bytesOnDisk)} in ${this.dir})`,
    );
    const drained = await this.shipper.drain(deadlineMs);
    await this.shipper.stop(Math.max(1000, deadlineMs / 4));
    const backlog = this.shipper.backlog;
    if (drained)
      this.logger.info(
        `share shipper drained: every journaled share is in the database (${this.shipper.shipped} shipped since start)`,
      );
    else
      this.logger.warn(
        `share shipper stopped with ${backlog} share(s) not yet in the database; they stay in ${this.dir} and are shipped at the next start`,
      );
    await this.journal.close();
    await this.checkpoint.close();
    return { backlog };
  }
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

class HealthListeners {
  private readonly listeners = new Set<(health: SinkHealth) => void>();
  private last: SinkHealth = { healthy: true, reason: '' };

  constructor(private readonly logger: Logger) {}

  /** A listener added while unhealthy hears it at once. */
  add(listener: (health: SinkHealth) => void): () => void {
    this.listeners.add(listener);
    if (!this.last.healthy) listener(this.last);
    return () => this.listeners.delete(listener);
  }

  emit(health: SinkHealth): void {
    this.last = health;
    // Called from inside a commit: a listener that throws must not keep the group's miners from their answer.
    for (const listener of this.listeners)
      try {
        listener(health);
      } catch (err) {
        this.logger.error({ err }, 'share journal: a health listener failed');
      }
  }
}
