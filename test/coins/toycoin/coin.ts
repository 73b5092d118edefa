import { createHash } from 'node:crypto';
import {
  type Coin,
  type CoinWork,
  notificationLine,
  type Ratio,
  type ShareChecker,
  type StratumDialect,
} from '../../../src/coin/index.ts';

/**
 * Toycoin: a coin that exists to prove the seam. Its proof of work is one SHA-256 (trivially cheap), its
 * stratum dialect differs from Ergo's in every field the seam lets differ, and its chain is a tiny simulated
 * one (chain.ts). Nothing outside this folder knows it.
 */
export interface ToyWork extends CoinWork {
  /** 32 bytes hex: what every nonce is hashed with (a new one per block). */
  readonly seed: string;
  /** A hit below it makes a block. */
  readonly blockTarget: bigint;
}

const TWO_256 = 1n << 256n;
/** A share of difficulty 1 is a hit below 2^240 (about 65,536 hashes). */
const DIFF1 = 1n << 240n;
const HEX16 = /^[0-9a-f]{16}$/;

/** hit = SHA-256(seed ‖ nonce) as a big-endian number. */
export function toyHit(work: ToyWork, nonce: string): bigint {
  const digest = createHash('sha256')
    .update(Buffer.from(work.seed, 'hex'))
    .update(Buffer.from(nonce, 'hex'))
    .digest('hex');
  return BigInt(`0x${digest}`);
}

export const TOY_DIALECT: StratumDialect<ToyWork> = {
  workKey: (work) => work.seed,
  networkDifficulty: (work) => TWO_256 / work.blockTarget,
  shareTarget(work, difficulty: Ratio) {
    const target = (DIFF1 * difficulty.den) / difficulty.num;
    const capped = target >= TWO_256 ? TWO_256 - 1n : target;
    return capped > work.blockTarget ? capped : work.blockTarget;
  },
  expectedHashes: (target) => (target >= TWO_256 ? 1n : TWO_256 / target),
  isBlock: (work, hit) => hit < work.blockTarget,
  // Not Ergo's: the target travels in a set_target of its own, and notify is [jobId, seed, height, clean].
  jobLines: (jobId, work, target) =>
    notificationLine('mining.set_target', [target.toString(16).padStart(64, '0')]) +
    notificationLine('mining.notify', [jobId, work.seed, work.height, true]),
  // Not Ergo's: submit is [login, jobId, nonce], the 8-byte nonce starting with extranonce1.
  submittedNonce(params, extranonce1) {
    const nonce = typeof params[2] === 'string' ? params[2].toLowerCase() : '';
    if (!HEX16.test(nonce)) return { ok: false, reason: 'the nonce is not 8 bytes of hex' };
    if (!nonce.startsWith(extranonce1))
      return { ok: false, reason: "the nonce is not in this connection's space" };
    return { ok: true, nonce };
  },
};

/** Toycoin on a network: addresses are `toy1` (main) or `ttoy1` (test) and 20 bytes of hex. */
export function toyCoin(network: 'main' | 'test' = 'main'): Coin<ToyWork> {
  const prefix = network === 'main' ? 'toy1' : 'ttoy1';
  return {
    id: 'toycoin',
    network,
    units: { name: 'Toycoin', symbol: 'TOY', decimals: 8, algorithm: 'SHA-256', family: 'toy' },
    checkAddress(address) {
      if (!address.startsWith(prefix)) return `not a ${network} address (it starts ${prefix})`;
      return /^[0-9a-f]{40}$/.test(address.slice(prefix.length)) ? null : 'not 20 bytes of hex';
    },
    stratum: TOY_DIALECT,
    rewards: { maturity: 3, blockReward: () => 50n * 10n ** 8n },
  };
}

/** Toycoin's checks run on the event loop: one SHA-256 is cheaper than a message to a thread. */
export const TOY_CHECKER: ShareChecker<ToyWork> = {
  hit: async (work, nonce) => toyHit(work, nonce),
};
