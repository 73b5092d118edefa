import { secp256k1 } from '@noble/curves/secp256k1.js';
import { blake2b256, bytesToHex } from '../autolykos/index.ts';

const encoder = new TextEncoder();

/** blake2b256 of the UTF-8 text of each part, joined by a separator byte (ids, roots, derived keys). */
export function hashText(...parts: readonly (string | number)[]): Uint8Array {
  return blake2b256(encoder.encode(parts.map(String).join('\u0000')));
}

export function hashHex(...parts: readonly (string | number)[]): string {
  return bytesToHex(hashText(...parts));
}

/**
 * A deterministic random source: blake2b256(seed ‖ counter). The counter is part of the persisted state,
 * so a devnet restarted from its state file continues the same sequence.
 */
export class DeterministicRandom {
  constructor(
    readonly seed: string,
    public counter = 0,
  ) {}

  bytes32(label: string): Uint8Array {
    return hashText(this.seed, label, this.counter++);
  }

  hex32(label: string): string {
    return bytesToHex(this.bytes32(label));
  }

  /** Uniform in [0, 1). */
  float(label: string): number {
    const b = this.bytes32(label);
    const hi = ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
    return (hi * 2 ** 21 + (((b[4]! << 13) | (b[5]! << 5) | (b[6]! >> 3)) >>> 0)) / 2 ** 53;
  }

  /** Uniform integer in [0, max). */
  int(label: string, max: number): number {
    return Math.floor(this.float(label) * max);
  }

  /** Exponentially distributed delay with the given mean. */
  exponential(label: string, mean: number): number {
    return -Math.log(1 - this.float(label)) * mean;
  }

  /** A fresh secp256k1 key pair. */
  keyPair(label: string): KeyPair {
    return keyPairFromSeed(this.bytes32(label));
  }
}

export interface KeyPair {
  secretKey: string;
  publicKey: string;
}

/** A real secp256k1 key from 32 seed bytes (re-hashed in the astronomically rare invalid case). */
export function keyPairFromSeed(seed: Uint8Array): KeyPair {
  let sk = seed;
  while (!secp256k1.utils.isValidSecretKey(sk)) sk = blake2b256(sk);
  return { secretKey: bytesToHex(sk), publicKey: bytesToHex(secp256k1.getPublicKey(sk, true)) };
}

export function publicKeyOf(secretKeyHex: string): string {
  return bytesToHex(secp256k1.getPublicKey(Uint8Array.from(Buffer.from(secretKeyHex, 'hex')), true));
}
