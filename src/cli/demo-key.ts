import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { type NetworkName, p2pkAddress } from '../ergo/index.ts';

/** The demo miner's address: a fixed, well-known key (never hold real funds with it). */
export function demoMinerAddress(network: NetworkName): string {
  const secret = sha256(new TextEncoder().encode('enigmapool demo miner'));
  return p2pkAddress(Buffer.from(secp256k1.getPublicKey(secret, true)).toString('hex'), network);
}
