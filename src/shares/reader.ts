import pino, { type Logger } from 'pino';
import type { AcceptedShare } from '../stratum/index.ts';
import { type JournalFile, readFully } from './io.ts';
import type { ShareJournal } from './journal.ts';
import { type RawRecord, scanAll, scanChunk } from './record.ts';
import type { SegmentInfo } from './segments.ts';
import { decodeShare } from './share-codec.ts';

export interface JournalEntry {
  seq: number;
  share: AcceptedShare;
  /** Bytes the record takes in the journal. */
  bytes: number;
}

/** Damage met while reading: a range skipped, or a record that passed its CRC but could not be decoded. */
export interface ReadDamage {
  segment: string;
  offset: number;
  bytes: number;
  reason: string;
}

const CHUNK_BYTES = 1 << 20;

/**
 * Reads committed records in sequence order from a position on, across segments, for the shipper. It never
 * reads past what the last fdatasync covered. Damaged ranges are skipped (and reported), never misread.
 */
export class JournalReader {
  private nextSeq: number;
  private segment: SegmentInfo | null = null;
  private file: JournalFile | null = null;
  private offset = 0;
  private buffered: RawRecord[] = [];
  private readonly logger: Logger;
  private gapReported = false;

  constructor(
    private readonly journal: ShareJournal,
    afterSeq: number,
    options: { logger?: Logger; onDamage?: (damage: ReadDamage) => void } = {},
  ) {
    this.nextSeq = afterSeq + 1;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.onDamage = options.onDamage;
  }

  private readonly onDamage: ((damage: ReadDamage) => void) | undefined;

  /** The sequence number the next entry will have (or a later one, when records are missing). */
  get position(): number {
    return this.nextSeq;
  }

  /** Up to `max` committed entries after the last one returned; [] when the reader is at the end. */
  async read(max: number): Promise<JournalEntry[]> {
    const out: JournalEntry[] = [];
    while (out.length < max) {
      const raw = this.buffered.shift() ?? (await this.fill());
      if (!raw) break;
      if (raw.seq < this.nextSeq) continue;
      if (raw.seq > this.nextSeq && !this.gapReported) {
        this.gapReported = true;
        this.logger.error(
          { expected: this.nextSeq, found: raw.seq, segment: this.segment?.name },
          'share journal: records missing from the journal (removed or damaged files)',
        );
      }
      this.nextSeq = raw.seq + 1;
      try {
        out.push({ seq: raw.seq, share: decodeShare(raw.payload), bytes: raw.size });
      } catch (err) {
        this.damage(raw.offset, raw.size, `undecodable record: ${(err as Error).message}`);
        this.logger.error(
          { seq: raw.seq, payload: raw.payload.toString('base64') },
          'share journal: a record passed its CRC but cannot be decoded; its payload is logged here',
        );
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await this.file?.close().catch(() => undefined);
    this.file = null;
  }

  /** Reads the next chunk of records into `buffered`; returns the first, or null at the committed end. */
  private async fill(): Promise<RawRecord | null> {
    for (;;) {
      const segments = this.journal.segmentList();
      if (!this.segment || !segments.includes(this.segment)) {
        await this.close();
        let start = segments[0];
        for (const s of segments) if (s.firstSeq <= this.nextSeq) start = s;
        if (!start) return null;
        this.segment = start;
        this.offset = 0;
      }
      const seg = this.segment;
      const limit = seg.size;
      if (this.offset >= limit) {
        const next = segments[segments.indexOf(seg) + 1];
        // The active segment may still grow; a closed one is done once its successor exists.
        if (!next) return null;
        await this.close();
        this.segment = next;
        this.offset = 0;
        continue;
      }
      this.file ??= await this.journal.fileSystem.open(seg.path, 'r');
      const chunk = await readFully(this.file, Math.min(CHUNK_BYTES, limit - this.offset), this.offset);
      const scan = scanChunk(chunk, this.offset);
      if (scan.records.length > 0) {
        this.offset += scan.end;
        this.buffered = scan.records;
        return this.buffered.shift()!;
      }
      // A damaged record, or one running past the committed end: scan the rest of the segment whole.
      const rest = await readFully(this.file, limit - this.offset, this.offset);
      const full = scanAll(rest, this.offset);
      for (const d of full.damaged) this.damage(d.offset, d.bytes, 'damaged bytes (CRC or framing)');
      if (full.tail)
        this.damage(full.tail.offset, full.tail.bytes, 'damaged bytes at the end of the segment');
      this.offset = limit;
      if (full.records.length > 0) {
        this.buffered = full.records;
        return this.buffered.shift()!;
      }
    }
  }

  private damage(offset: number, bytes: number, reason: string): void {
    const damage = { segment: this.segment?.name ?? '?', offset, bytes, reason };
    this.logger.error(damage, 'share journal: damaged data skipped (disk corruption)');
    this.onDamage?.(damage);
  }
}
