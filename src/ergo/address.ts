import { ErgoAddress, Network } from '@fleet-sdk/core';
import { MINER_REWARD_DELAY } from './emission.ts';

export type NetworkName = 'mainnet' | 'testnet';

/** An address that is not a valid Ergo address for the expected network; `reason` says why. */
export class InvalidAddressError extends Error {
  constructor(
    readonly address: string,
    readonly reason: string,
  ) {
    super(`invalid Ergo address "${address}": ${reason}`);
    this.name = 'InvalidAddressError';
  }
}

export interface ParsedAddress {
  address: string;
  network: NetworkName;
  type: 'P2PK' | 'P2SH' | 'P2S';
  ergoTree: string;
}

const TYPES = { 1: 'P2PK', 2: 'P2SH', 3: 'P2S' } as const;

/** Checks base58, checksum (blake2b256), network prefix and type with @fleet-sdk; throws InvalidAddressError. */
export function parseAddress(address: string, network?: NetworkName): ParsedAddress {
  if (typeof address !== 'string' || address.length < 5 || address.length > 4096) {
    throw new InvalidAddressError(String(address), 'wrong length');
  }
  if (!/^[1-9A-HJ-NP-Za-km-z]+$/.test(address)) throw new InvalidAddressError(address, 'not base58');
  if (!ErgoAddress.validate(address)) throw new InvalidAddressError(address, 'bad checksum or encoding');
  let decoded: ErgoAddress;
  try {
    decoded = ErgoAddress.fromBase58(address);
  } catch (err) {
    throw new InvalidAddressError(address, (err as Error).message);
  }
  const actual: NetworkName = decoded.network === Network.Mainnet ? 'mainnet' : 'testnet';
  if (network && actual !== network)
    throw new InvalidAddressError(address, `a ${actual} address, expected ${network}`);
  const type = TYPES[decoded.type as 1 | 2 | 3];
  if (!type) throw new InvalidAddressError(address, `unknown address type ${decoded.type}`);
  return { address, network: actual, type, ergoTree: decoded.ergoTree };
}

export function networkByte(network: NetworkName): Network {
  return network === 'mainnet' ? Network.Mainnet : Network.Testnet;
}

/** P2PK address of a compressed secp256k1 public key (33 bytes hex). */
export function p2pkAddress(publicKeyHex: string, network: NetworkName): string {
  return ErgoAddress.fromPublicKey(publicKeyHex, networkByte(network)).encode(networkByte(network));
}

/** Address of any ErgoTree (P2PK trees give P2PK addresses, others P2S). */
export function addressOfErgoTree(ergoTreeHex: string, network: NetworkName): string {
  return ErgoAddress.fromErgoTree(ergoTreeHex, networkByte(network)).encode(networkByte(network));
}

/** Scorex zig-zag VLQ of a signed int, as ErgoTree constants are written. */
function zigzagVlq(value: number): string {
  let v = BigInt(value >= 0 ? value * 2 : -value * 2 - 1);
  let hex = '';
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    hex += (v === 0n ? byte : byte | 0x80).toString(16).padStart(2, '0');
  } while (v !== 0n);
  return hex;
}

/**
 * The miner-reward script the node pays block rewards to: spendable by `pk` after `delay` blocks
 * (`/mining/rewardAddress`). On mainnet: 100204a00b08cd ‖ pk ‖ ea02d192a39a8cc7a70173007301.
 */
export function minerRewardErgoTree(publicKeyHex: string, delay = MINER_REWARD_DELAY): string {
  if (!/^0[23][0-9a-f]{64}$/i.test(publicKeyHex))
    throw new RangeError('public key must be 33 bytes compressed hex');
  return `100204${zigzagVlq(delay)}08cd${publicKeyHex.toLowerCase()}ea02d192a39a8cc7a70173007301`;
}
