/** Small byte helpers shared by the Autolykos code (hex in and out, big-endian integers). */

const HEX_RE = /^[0-9a-fA-F]*$/;

/** Decodes hex (optionally 0x-prefixed, any case); throws naming `field` when it is not hex of `bytes` bytes. */
export function hexToBytes(hex: unknown, field: string, bytes?: number): Uint8Array {
  if (hex === undefined || hex === null) throw new InvalidFieldError(field, 'is missing');
  if (typeof hex !== 'string') throw new InvalidFieldError(field, 'must be a hex string');
  const clean = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  if (clean.length % 2 !== 0 || !HEX_RE.test(clean))
    throw new InvalidFieldError(field, 'is not a hex string');
  if (bytes !== undefined && clean.length !== bytes * 2) {
    throw new InvalidFieldError(
      field,
      `must be ${bytes} bytes (${bytes * 2} hex chars), got ${clean.length} hex chars`,
    );
  }
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytesToHex(bytes)}`);
}

/** Big-endian, left-zero-padded to `length` bytes; throws if the value does not fit. */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  if (value < 0n) throw new RangeError('negative value');
  const hex = value.toString(16).padStart(length * 2, '0');
  if (hex.length > length * 2) throw new RangeError(`value does not fit in ${length} bytes`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function uint32BE(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** An input that is not what a field requires; the message names the field. */
export class InvalidFieldError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field} ${problem}`);
    this.name = 'InvalidFieldError';
  }
}
