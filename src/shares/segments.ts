import { join } from 'node:path';
import type { JournalFile, JournalFs } from './io.ts';

/** Journal segment files: `<first seq, 16 digits>.seg`, in sequence order. */
export interface SegmentInfo {
  firstSeq: number;
  name: string;
  path: string;
  /** Bytes of whole, committed records (for the active segment: what the last fdatasync covered). */
  size: number;
}

const SEGMENT_NAME = /^(\d{16})\.seg$/;

export function segmentName(firstSeq: number): string {
  return `${String(firstSeq).padStart(16, '0')}.seg`;
}

/** The segment files among a directory's entries, sorted by first sequence number. */
export function parseSegmentNames(dir: string, names: string[]): SegmentInfo[] {
  return names
    .flatMap((name) => {
      const m = SEGMENT_NAME.exec(name);
      return m ? [{ firstSeq: Number(m[1]), name, path: join(dir, name), size: 0 }] : [];
    })
    .sort((a, b) => a.firstSeq - b.firstSeq);
}

/**
 * Segments whose every record is shipped: all but the active (last) one whose successor starts at or below
 * shippedSeq + 1.
 */
export function releasableSegments(segments: readonly SegmentInfo[], shippedSeq: number): SegmentInfo[] {
  const out: SegmentInfo[] = [];
  for (let i = 0; i + 1 < segments.length; i++) {
    if (segments[i + 1]!.firstSeq - 1 <= shippedSeq) out.push(segments[i]!);
    else break;
  }
  return out;
}

/** A new, empty segment file starting at `firstSeq`, its directory entry made durable. */
export async function createSegment(
  fs: JournalFs,
  dir: string,
  firstSeq: number,
): Promise<{ info: SegmentInfo; file: JournalFile }> {
  const info = parseSegmentNames(dir, [segmentName(firstSeq)])[0]!;
  const file = await fs.open(info.path, 'wx+');
  try {
    await fs.syncDir(dir);
  } catch (err) {
    await file.close().catch(() => undefined);
    await fs.unlink(info.path).catch(() => undefined);
    throw err;
  }
  return { info, file };
}
