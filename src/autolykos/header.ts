import { blake2b } from '@noble/hashes/blake2.js';
import { bytesToHex, concatBytes, hexToBytes, InvalidFieldError } from './bytes.ts';

/** A block header as the node's REST API returns it (`/blocks/{id}/header`, `/blocks/lastHeaders`). */
export interface HeaderJson {
  version: number;
  parentId: string;
  adProofsRoot: string;
  transactionsRoot: string;
  stateRoot: string;
  timestamp: number | bigint;
  extensionHash: string;
  nBits: number;
  height: number;
  votes: string;
  unparsedBytes?: string;
  powSolutions: { pk: string; w?: string; n: string; d?: number | string | bigint };
  id?: string;
  difficulty?: string;
}

/** Scorex VLQ (unsigned LEB128), used by the header serializer for timestamp and height. */
export function vlqUnsigned(value: number | bigint): Uint8Array {
  let v = BigInt(value);
  if (v < 0n) throw new RangeError('VLQ value must not be negative');
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v === 0n ? byte : byte | 0x80);
  } while (v !== 0n);
  return Uint8Array.from(out);
}

function requireInteger(value: unknown, field: string, max: number): number {
  if (value === undefined || value === null) throw new InvalidFieldError(field, 'is missing');
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new InvalidFieldError(field, `must be an integer between 0 and ${max}`);
  }
  return value;
}

/** Header bytes without the PoW solution (node HeaderSerializer.bytesWithoutPow). */
export function headerBytesWithoutPow(h: HeaderJson): Uint8Array {
  const version = requireInteger(h.version, 'version', 255);
  const nBits = new Uint8Array(4);
  new DataView(nBits.buffer).setUint32(0, requireInteger(h.nBits, 'nBits', 0xffffffff));
  const timestamp =
    typeof h.timestamp === 'bigint'
      ? h.timestamp
      : requireInteger(h.timestamp, 'timestamp', Number.MAX_SAFE_INTEGER);
  const parts = [
    Uint8Array.of(version),
    hexToBytes(h.parentId, 'parentId', 32),
    hexToBytes(h.adProofsRoot, 'adProofsRoot', 32),
    hexToBytes(h.transactionsRoot, 'transactionsRoot', 32),
    hexToBytes(h.stateRoot, 'stateRoot', 33),
    vlqUnsigned(timestamp),
    hexToBytes(h.extensionHash, 'extensionHash', 32),
    nBits,
    vlqUnsigned(requireInteger(h.height, 'height', 0xffffffff)),
    hexToBytes(h.votes, 'votes', 3),
  ];
  if (version > 1) {
    const unparsed = hexToBytes(h.unparsedBytes ?? '', 'unparsedBytes');
    if (unparsed.length > 255) throw new InvalidFieldError('unparsedBytes', 'must be at most 255 bytes');
    parts.push(Uint8Array.of(unparsed.length), unparsed);
  }
  return concatBytes(...parts);
}

export function blake2b256(data: Uint8Array): Uint8Array {
  return blake2b(data, { dkLen: 32 });
}

/** The message miners work on: blake2b256 of the header without PoW (the candidate's `msg`). */
export function headerMsg(h: HeaderJson): Uint8Array {
  return blake2b256(headerBytesWithoutPow(h));
}

/** Header id = blake2b256(bytes without PoW ‖ solution); for Autolykos v2 the solution is pk ‖ nonce. */
export function headerId(h: HeaderJson): Uint8Array {
  if (h.version < 2)
    throw new InvalidFieldError('version', 'must be 2 or higher (Autolykos v1 headers are not supported)');
  if (typeof h.powSolutions !== 'object' || h.powSolutions === null) {
    throw new InvalidFieldError('powSolutions', 'is missing');
  }
  const pk = hexToBytes(h.powSolutions.pk, 'powSolutions.pk', 33);
  const nonce = hexToBytes(h.powSolutions.n, 'powSolutions.n', 8);
  return blake2b256(concatBytes(headerBytesWithoutPow(h), pk, nonce));
}

export function headerIdHex(h: HeaderJson): string {
  return bytesToHex(headerId(h));
}
