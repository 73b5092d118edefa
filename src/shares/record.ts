import { crc32 } from './crc32.ts';

/**
 * Journal record framing (pure). Every record is
 *
 *     offset  0  u32 BE  magic 0x45504A31 ("EPJ1")
 *     offset  4  u32 BE  payload length L (1 … MAX_PAYLOAD_BYTES)
 *     offset  8  u64 BE  sequence number (contiguous across segments, starting at 1)
 *     offset 16  u32 BE  CRC-32 of bytes 4…15 followed by the payload
 *     offset 20  L bytes payload (UTF-8 JSON of one share, see share-codec.ts)
 *
 * The CRC covers the length and the sequence number, so a flipped length or sequence is caught as well as a
 * flipped payload byte. The magic lets a reader find the next record after a damaged one.
 */
export const RECORD_MAGIC = 0x45504a31;
export const HEADER_BYTES = 20;
export const MAX_PAYLOAD_BYTES = 64 * 1024;
const MAGIC_BYTES = Buffer.from([0x45, 0x50, 0x4a, 0x31]);

export interface RawRecord {
  seq: number;
  /** Offset of the record's first byte, in the file. */
  offset: number;
  /** Header plus payload. */
  size: number;
  payload: Buffer;
}

/** A damaged byte range: [offset, offset + bytes). */
export interface DamagedRange {
  offset: number;
  bytes: number;
}

export function frameRecord(seq: number, payload: Uint8Array): Buffer {
  if (payload.length === 0 || payload.length > MAX_PAYLOAD_BYTES)
    throw new RangeError(`journal record payload of ${payload.length} bytes`);
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out.writeUInt32BE(RECORD_MAGIC, 0);
  out.writeUInt32BE(payload.length, 4);
  out.writeBigUInt64BE(BigInt(seq), 8);
  out.set(payload, HEADER_BYTES);
  out.writeUInt32BE(crc32(payload, crc32(out.subarray(4, 16))), 16);
  return out;
}

type Check = { status: 'ok'; size: number } | { status: 'bad' } | { status: 'incomplete' };

function checkAt(buf: Buffer, pos: number): Check {
  if (pos + HEADER_BYTES > buf.length) return { status: 'incomplete' };
  if (buf.readUInt32BE(pos) !== RECORD_MAGIC) return { status: 'bad' };
  const length = buf.readUInt32BE(pos + 4);
  if (length === 0 || length > MAX_PAYLOAD_BYTES) return { status: 'bad' };
  if (pos + HEADER_BYTES + length > buf.length) return { status: 'incomplete' };
  const expected = buf.readUInt32BE(pos + 16);
  const actual = crc32(
    buf.subarray(pos + HEADER_BYTES, pos + HEADER_BYTES + length),
    crc32(buf.subarray(pos + 4, pos + 16)),
  );
  return actual === expected ? { status: 'ok', size: HEADER_BYTES + length } : { status: 'bad' };
}

function rawAt(buf: Buffer, pos: number, size: number, base: number): RawRecord {
  const seq = buf.readBigUInt64BE(pos + 8);
  return {
    seq: Number(seq),
    offset: base + pos,
    size,
    // A copy: the chunk buffer is reused by the reader.
    payload: Buffer.from(buf.subarray(pos + HEADER_BYTES, pos + size)),
  };
}

export interface StreamScan {
  records: RawRecord[];
  /** Bytes of `buf` fully accounted for by `records`. */
  end: number;
  /** Why the scan stopped before the end of `buf`: a record cut by the chunk end, or a damaged record. */
  stop: 'clean' | 'incomplete' | 'bad';
}

/** Reads whole good records from the start of a chunk; stops at the first record that is cut off or bad. */
export function scanChunk(buf: Buffer, base: number): StreamScan {
  const records: RawRecord[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const check = checkAt(buf, pos);
    if (check.status !== 'ok') return { records, end: pos, stop: check.status };
    records.push(rawAt(buf, pos, check.size, base));
    pos += check.size;
  }
  return { records, end: pos, stop: 'clean' };
}

export interface FullScan {
  records: RawRecord[];
  /** Damaged ranges followed by at least one good record (corruption inside the data). */
  damaged: DamagedRange[];
  /** Bytes after the last good record that hold no good record: a torn tail, or damage at the end. */
  tail: DamagedRange | null;
}

/**
 * Scans a whole byte range: good records, damaged ranges (skipped by finding the next record that starts
 * with the magic and passes its CRC) and the unusable tail. A damaged record is never returned.
 */
export function scanAll(buf: Buffer, base: number): FullScan {
  const records: RawRecord[] = [];
  const damaged: DamagedRange[] = [];
  let badStart = -1;
  let pos = 0;
  while (pos < buf.length) {
    const check = checkAt(buf, pos);
    if (check.status === 'ok') {
      if (badStart >= 0) damaged.push({ offset: base + badStart, bytes: pos - badStart });
      badStart = -1;
      records.push(rawAt(buf, pos, check.size, base));
      pos += check.size;
      continue;
    }
    if (badStart < 0) badStart = pos;
    const next = buf.indexOf(MAGIC_BYTES, pos + 1);
    pos = next < 0 ? buf.length : next;
  }
  const tail = badStart >= 0 ? { offset: base + badStart, bytes: buf.length - badStart } : null;
  return { records, damaged, tail };
}
