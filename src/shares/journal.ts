import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';
import type { AcceptedShare } from '../stratum/index.ts';
import { JournalClosedError, JournalFailedError } from './errors.ts';
import { JournalHealth, type JournalHealthState, probeWrite } from './health.ts';
import {
  type Clock,
  type JournalFile,
  type JournalFs,
  nodeJournalFs,
  readFully,
  systemClock,
  writeFully,
} from './io.ts';
import { frameRecord, HEADER_BYTES, MAX_PAYLOAD_BYTES, scanAll } from './record.ts';
import { createSegment, parseSegmentNames, releasableSegments, type SegmentInfo } from './segments.ts';
import { encodeShare } from './share-codec.ts';

export interface JournalOptions {
  dir: string;
  fs?: JournalFs;
  clock?: Clock;
  logger?: Logger;
  /**
   * Appends gathered for this long go to disk in one write and one fdatasync (default 2 ms). The window is
   * only waited while appends arrive in groups; a lone append is committed at once.
   */
  groupWindowMs?: number;
  /** A group that reaches this many bytes is committed without waiting for the window (default 1 MiB). */
  maxGroupBytes?: number;
  /** A segment at least this big is closed and a new one started before the next group (default 64 MiB). */
  segmentBytes?: number;
  /** Records up to this sequence number are known shipped (the checkpoint); new ones continue after it. */
  shippedSeq?: number;
  /** Called after every commit (metrics). */
  onCommit?: (group: { records: number; bytes: number; seconds: number }) => void;
  /** Told when a commit fails (the disk cannot make shares durable) and when writing works again. */
  onHealth?: (health: JournalHealthState) => void;
  /** While unhealthy, a probe tries to write this often (default 1 s). */
  probeEveryMs?: number;
}

export interface RecoveryReport {
  segments: number;
  /** The last sequence number found on disk (0: none). */
  lastSeq: number;
  /** Bytes cut from the end of the last segment: an append a crash interrupted (never acknowledged). */
  tornBytes: number;
  /** Damaged ranges inside the last segment (good records follow them; the damaged ones are skipped). */
  damaged: { segment: string; offset: number; bytes: number }[];
}

interface Pending {
  payload: Buffer;
  resolve: (seq: number) => void;
  reject: (err: Error) => void;
}

/**
 * The local share journal: append-only segment files of CRC-checked records (record.ts). `append` resolves
 * only once its record is on disk: appends are gathered for a few milliseconds and committed together with
 * one write and one fdatasync (group commit); a block candidate is committed at once, and so is an append
 * when there is nothing to gather (see gathering()). One commit runs at a time; appends that arrive meanwhile
 * form the next group.
 */
export class ShareJournal {
  readonly recovery: RecoveryReport;
  private readonly fs: JournalFs;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly windowMs: number;
  private readonly maxGroupBytes: number;
  private readonly segmentBytes: number;
  private readonly onCommit: JournalOptions['onCommit'];
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private firstPendingAt = 0;
  private lastCommitEndedAt = Number.NEGATIVE_INFINITY;
  private lastGroupSize = 0;
  private urgent = false;
  private timer: unknown = null;
  private flushing = false;
  private idleWaiters: (() => void)[] = [];
  private nextCommit: Promise<void> | null = null;
  private commitWaiter: (() => void) | null = null;
  private failure: Error | null = null;
  private readonly health: JournalHealth;
  private closing = false;
  private nextSeq: number;
  private diskBytes: number;

  private constructor(
    private readonly dir: string,
    private readonly segments: SegmentInfo[],
    private active: JournalFile,
    nextSeq: number,
    recovery: RecoveryReport,
    options: JournalOptions,
  ) {
    this.fs = options.fs ?? nodeJournalFs;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.windowMs = options.groupWindowMs ?? 2;
    this.maxGroupBytes = options.maxGroupBytes ?? 1 << 20;
    this.segmentBytes = options.segmentBytes ?? 64 << 20;
    this.onCommit = options.onCommit;
    this.nextSeq = nextSeq;
    this.recovery = recovery;
    this.diskBytes = segments.reduce((sum, s) => sum + s.size, 0);
    const { clock, logger } = this;
    const everyMs = options.probeEveryMs ?? 1000;
    this.health = new JournalHealth({
      clock,
      logger,
      everyMs,
      onHealth: options.onHealth,
      probe: () => this.probe(),
    });
  }

  /** Opens (or creates) the journal in `dir`, cutting a torn tail left by a crash. */
  static async open(options: JournalOptions): Promise<ShareJournal> {
    const fs = options.fs ?? nodeJournalFs;
    const logger = options.logger ?? pino({ level: 'silent' });
    const shipped = options.shippedSeq ?? 0;
    await fs.mkdir(options.dir);
    await fs.syncDir(dirname(options.dir));
    const segments = parseSegmentNames(options.dir, await fs.readdir(options.dir));
    const recovery: RecoveryReport = { segments: segments.length, lastSeq: 0, tornBytes: 0, damaged: [] };
    for (const s of segments.slice(0, -1)) {
      const file = await fs.open(s.path, 'r');
      s.size = (await file.stat()).size;
      await file.close();
    }
    let active: JournalFile | null = null;
    let lastSeq = shipped;
    const last = segments.at(-1);
    if (last) {
      active = await fs.open(last.path, 'r+');
      const { size } = await active.stat();
      const data = await readFully(active, size, 0);
      const scan = scanAll(data, 0);
      for (const d of scan.damaged) recovery.damaged.push({ segment: last.name, ...d });
      if (scan.damaged.length > 0)
        logger.error(
          { segment: last.path, damaged: scan.damaged },
          'share journal: damaged records found and skipped (disk corruption; the shares in them are lost)',
        );
      last.size = size;
      if (scan.tail) {
        await active.truncate(scan.tail.offset);
        await active.datasync();
        last.size = scan.tail.offset;
        recovery.tornBytes = scan.tail.bytes;
        logger.warn(
          `share journal: cut ${scan.tail.bytes} bytes from the end of ${last.name} (an append interrupted by a crash, never acknowledged)`,
        );
      }
      const lastRecord = scan.records.at(-1)?.seq ?? last.firstSeq - 1;
      recovery.lastSeq = lastRecord;
      lastSeq = Math.max(lastRecord, shipped);
      if (lastSeq !== lastRecord) {
        // The checkpoint is past the end of the journal (files removed by hand): continue after it.
        await active.close();
        active = null;
        if (last.size === 0) {
          await fs.unlink(last.path);
          segments.pop();
        }
      }
    }
    if (!active) {
      const created = await createSegment(fs, options.dir, lastSeq + 1);
      segments.push(created.info);
      active = created.file;
    }
    return new ShareJournal(options.dir, segments, active, lastSeq + 1, recovery, options);
  }

  /** The last sequence number on disk (every record up to it is durable). */
  get committedSeq(): number {
    return this.nextSeq - 1;
  }

  /** Bytes of the journal's segment files. */
  get bytesOnDisk(): number {
    return this.diskBytes;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** The segment files in order; the last is the active one and its size only covers committed records. */
  segmentList(): readonly SegmentInfo[] {
    return this.segments;
  }

  get fileSystem(): JournalFs {
    return this.fs;
  }

  /**
   * Appends a share; resolves with its sequence number once it is on disk. A priority append (a block
   * candidate, by default) does not wait for the group window.
   */
  append(share: AcceptedShare, priority = share.isBlock): Promise<number> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new JournalClosedError());
    let payload: Buffer;
    try {
      payload = encodeShare(share);
      if (payload.length > MAX_PAYLOAD_BYTES) throw new RangeError(`share of ${payload.length} bytes`);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<number>((resolve, reject) => {
      if (this.pending.length === 0) this.firstPendingAt = this.clock.now();
      this.pending.push({ payload, resolve, reject });
      this.pendingBytes += HEADER_BYTES + payload.length;
      if (priority) this.urgent = true;
      this.schedule();
    });
  }

  /** Commits whatever is waiting now, and resolves when nothing is waiting or being written. */
  async flush(): Promise<void> {
    if (!this.flushing && this.pending.length === 0) return;
    this.urgent = true;
    this.schedule();
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves once a record after `seq` is committed (or the journal closes). */
  waitForCommit(seq: number): Promise<void> {
    if (this.committedSeq > seq || this.closing) return Promise.resolve();
    // One shared promise per commit, however many times a reader waits between two commits.
    this.nextCommit ??= new Promise<void>((resolve) => {
      this.commitWaiter = resolve;
    });
    return this.nextCommit;
  }

  /** Deletes the segments whose records are all shipped; returns how many. */
  async release(shippedSeq: number): Promise<number> {
    const done = releasableSegments(this.segments, shippedSeq);
    for (const s of done) {
      await this.fs.unlink(s.path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      this.segments.splice(this.segments.indexOf(s), 1);
      this.diskBytes -= s.size;
    }
    return done.length;
  }

  /** Commits what is waiting, then closes the files; later appends are refused. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true; // refuse new appends; commit the ones already taken
    await this.flush();
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.health.stop();
    this.notifyCommit();
    await this.active.close();
  }

  /**
   * Is waiting for the window likely to gather more appends? Only while appends come in groups (the last
   * commit took more than one) and keep coming (it ended less than a window ago). Otherwise a lone append is
   * committed at once: it waits for one fdatasync, not for the window too.
   */
  private gathering(): boolean {
    return this.lastGroupSize > 1 && this.clock.now() - this.lastCommitEndedAt < this.windowMs;
  }

  private notifyCommit(): void {
    const resolve = this.commitWaiter;
    this.nextCommit = null;
    this.commitWaiter = null;
    resolve?.();
  }

  private schedule(): void {
    if (this.flushing || this.pending.length === 0) {
      if (!this.flushing) for (const w of this.idleWaiters.splice(0)) w();
      return;
    }
    if (this.urgent || !this.gathering() || this.pendingBytes >= this.maxGroupBytes) {
      if (this.timer !== null) this.clock.clearTimeout(this.timer);
      this.timer = null;
      void this.flushLoop();
    } else if (this.timer === null) {
      const wait = Math.max(0, this.firstPendingAt + this.windowMs - this.clock.now());
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        void this.flushLoop();
      }, wait);
    }
  }

  private async flushLoop(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    try {
      while (this.pending.length > 0) {
        const group = this.pending;
        this.pending = [];
        this.pendingBytes = 0;
        this.urgent = false;
        await this.commit(group);
        // Appends that came in during the commit waited for it already; commit them now unless they are
        // younger than the window (then the timer gathers more).
        if (!this.urgent && this.gathering() && this.clock.now() - this.firstPendingAt < this.windowMs) break;
      }
    } finally {
      this.flushing = false;
      this.schedule();
    }
  }

  private async commit(group: Pending[]): Promise<void> {
    const started = performance.now();
    const firstSeq = this.nextSeq;
    const data = Buffer.concat(group.map((p, i) => frameRecord(firstSeq + i, p.payload)));
    try {
      if (this.failure) throw this.failure;
      let seg = this.segments.at(-1)!;
      if (seg.size > 0 && seg.size + data.length > this.segmentBytes) seg = await this.rotate(firstSeq);
      try {
        await writeFully(this.active, data, seg.size);
        await this.active.datasync();
      } catch (err) {
        await this.undo(seg, err);
        throw err;
      }
      seg.size += data.length;
    } catch (err) {
      this.health.failed(err);
      for (const p of group) p.reject(err as Error);
      return;
    }
    this.health.succeeded();
    this.nextSeq += group.length;
    this.diskBytes += data.length;
    group.forEach((p, i) => {
      p.resolve(firstSeq + i);
    });
    this.lastCommitEndedAt = this.clock.now();
    this.lastGroupSize = group.length;
    this.onCommit?.({
      records: group.length,
      bytes: data.length,
      seconds: (performance.now() - started) / 1000,
    });
    this.notifyCommit();
  }

  /** A failed write or sync: cut the segment back to its last committed size, or stop taking appends. */
  private async undo(seg: SegmentInfo, err: unknown): Promise<void> {
    this.logger.error({ err, segment: seg.path }, 'share journal: write or fdatasync failed');
    try {
      await this.active.truncate(seg.size);
      await this.active.datasync();
    } catch (again) {
      this.failure = new JournalFailedError(again);
      this.logger.fatal(
        { err: again },
        'share journal: cannot restore the segment after a failed write; refusing all further shares',
      );
    }
  }

  /** The health probe runs as a commit does (no group is written meanwhile); success ends a failure too. */
  private async probe(): Promise<boolean | null> {
    if (this.flushing || this.closing) return null;
    this.flushing = true;
    try {
      const wrote = await probeWrite(this.active, this.segments.at(-1)!.size);
      if (wrote) this.failure = null;
      return wrote;
    } finally {
      this.flushing = false;
      this.schedule();
    }
  }

  private async rotate(firstSeq: number): Promise<SegmentInfo> {
    const created = await createSegment(this.fs, this.dir, firstSeq);
    const previous = this.active;
    this.active = created.file;
    this.segments.push(created.info);
    await previous.close().catch(() => undefined);
    this.logger.debug({ segment: created.info.name }, 'share journal: new segment');
    return created.info;
  }
}
