import { dirname } from 'node:path';
import { crc32 } from './crc32.ts';
import { type JournalFile, type JournalFs, readFully, writeFully } from './io.ts';

/**
 * The shipped position: every journal record with seq ≤ `seq` is committed in the database.
 *
 * The file holds two 16-byte slots, each `u32 magic "EPC1" | u64 seq | u32 CRC-32 of the first 12 bytes`.
 * A save overwrites the older slot in place and fdatasyncs, so a torn write can only damage the slot being
 * written and the other one still holds the previous position. Reading takes the larger valid slot.
 */
const MAGIC = 0x45504331;
const SLOT_BYTES = 16;

export function encodeSlot(seq: number): Buffer {
  const slot = Buffer.alloc(SLOT_BYTES);
  slot.writeUInt32BE(MAGIC, 0);
  slot.writeBigUInt64BE(BigInt(seq), 4);
  slot.writeUInt32BE(crc32(slot.subarray(0, 12)), 12);
  return slot;
}

export function decodeSlot(slot: Buffer): number | null {
  if (slot.length < SLOT_BYTES || slot.readUInt32BE(0) !== MAGIC) return null;
  if (crc32(slot.subarray(0, 12)) !== slot.readUInt32BE(12)) return null;
  return Number(slot.readBigUInt64BE(4));
}

export class Checkpoint {
  private current: number;
  /** The slot holding `current` (the next save goes to the other one). */
  private slot: number;

  private constructor(
    private readonly file: JournalFile,
    seq: number,
    slot: number,
  ) {
    this.current = seq;
    this.slot = slot;
  }

  static async open(fs: JournalFs, path: string): Promise<Checkpoint> {
    let file: JournalFile;
    try {
      file = await fs.open(path, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      file = await fs.open(path, 'wx+');
      await writeFully(file, Buffer.alloc(2 * SLOT_BYTES), 0);
      await file.datasync();
      await fs.syncDir(dirname(path));
    }
    const data = await readFully(file, 2 * SLOT_BYTES, 0);
    const a = decodeSlot(data.subarray(0, SLOT_BYTES));
    const b = decodeSlot(data.subarray(SLOT_BYTES));
    if (a === null && b === null) return new Checkpoint(file, 0, 1);
    if (b === null || (a !== null && a >= b)) return new Checkpoint(file, a!, 0);
    return new Checkpoint(file, b, 1);
  }

  get seq(): number {
    return this.current;
  }

  /** Durably records a new shipped position (never moves backwards). */
  async save(seq: number): Promise<void> {
    if (seq <= this.current) return;
    const next = 1 - this.slot;
    await writeFully(this.file, encodeSlot(seq), next * SLOT_BYTES);
    await this.file.datasync();
    this.slot = next;
    this.current = seq;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
