import { createHash } from 'node:crypto';
import { TinyChain } from '../tiny-chain.ts';
import { TOY_CHECKER, TOY_DIALECT, type ToyWork } from './coin.ts';

/** Toycoin's own chain: a seed per height, and a block target that makes about one nonce in `blockEvery` a block. */
export function toyChain(blockEvery = 16): TinyChain<ToyWork> {
  const blockTarget = (1n << 256n) / BigInt(blockEvery);
  return new TinyChain(
    (height) => ({ height, seed: createHash('sha256').update(`toy ${height}`).digest('hex'), blockTarget }),
    TOY_CHECKER,
    TOY_DIALECT,
  );
}
