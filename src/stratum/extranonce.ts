/**
 * extranonce1 values: `size` bytes whose top `instanceBits` bits are this instance's id, so several stratum
 * processes behind one load balancer never hand out the same nonce space. A value is never reused while a
 * connection holds it; released values come back only after the whole local space has been walked.
 */
export interface ExtranonceOptions {
  /** Bytes of extranonce1 (1–4); the miner rolls the other 8 − size bytes. Default 2. */
  size?: number;
  instanceId?: number;
  /** Bits of extranonce1 reserved for the instance id (0 = single instance). */
  instanceBits?: number;
}

export class ExtranonceAllocator {
  readonly size: number;
  private readonly held = new Set<number>();
  private readonly localSpace: number;
  private readonly prefix: number;
  private cursor = 0;

  constructor(options: ExtranonceOptions = {}) {
    this.size = options.size ?? 2;
    const instanceBits = options.instanceBits ?? 0;
    const instanceId = options.instanceId ?? 0;
    if (!Number.isInteger(this.size) || this.size < 1 || this.size > 4)
      throw new RangeError('extranonce1 size must be 1–4 bytes');
    const totalBits = this.size * 8;
    if (!Number.isInteger(instanceBits) || instanceBits < 0 || instanceBits >= totalBits) {
      throw new RangeError(`instanceBits must be 0–${totalBits - 1}`);
    }
    if (!Number.isInteger(instanceId) || instanceId < 0 || instanceId >= 2 ** instanceBits) {
      throw new RangeError(`instanceId must fit in ${instanceBits} bits`);
    }
    this.localSpace = 2 ** (totalBits - instanceBits);
    this.prefix = instanceId * this.localSpace;
  }

  /** Bytes left for the miner's extranonce2. */
  get extranonce2Size(): number {
    return 8 - this.size;
  }

  get live(): number {
    return this.held.size;
  }

  get capacity(): number {
    return this.localSpace;
  }

  /** A free extranonce1 as lower-case hex, or null when every value is held. */
  acquire(): string | null {
    if (this.held.size >= this.localSpace) return null;
    while (this.held.has(this.cursor)) this.cursor = (this.cursor + 1) % this.localSpace;
    const value = this.cursor;
    this.held.add(value);
    this.cursor = (this.cursor + 1) % this.localSpace;
    return (this.prefix + value).toString(16).padStart(this.size * 2, '0');
  }

  release(extranonce1: string): void {
    this.held.delete(Number.parseInt(extranonce1, 16) - this.prefix);
  }
}
