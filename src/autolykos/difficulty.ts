import { type Ratio, ratio } from '../coin/index.ts';
import { DIFF1_TARGET, GROUP_ORDER_Q, TWO_POW_256 } from './constants.ts';

/**
 * Difficulty and target arithmetic, exact (bigint and rationals only).
 *
 * Two units meet here:
 * - **network difficulty** D, the node's unit: expected Autolykos evaluations per block; the block target
 *   is b = floor(q / D) and a nonce wins iff hit < b.
 * - **share difficulty** d, the pool's unit everywhere (config, logs, API, UI): a share of difficulty d has
 *   target floor(DIFF1 / d), i.e. ≈ d · 2^32 expected hashes. This is the unit Ergo GPU miners display and
 *   MiningCore-based pools use, so a miner's numbers match between pools.
 */
/** Block target b = floor(q / D) for network difficulty D (node `getB`). */
export function blockTarget(networkDifficulty: bigint): bigint {
  if (networkDifficulty <= 0n) throw new RangeError('network difficulty must be positive');
  return GROUP_ORDER_Q / networkDifficulty;
}

/** Network difficulty implied by a block target b (inverse of blockTarget up to rounding). */
export function networkDifficultyFromTarget(b: bigint): bigint {
  if (b <= 0n) throw new RangeError('target must be positive');
  return GROUP_ORDER_Q / b;
}

/** A block is found iff hit < b (node checkPoWForVersion2; some pools use ≤, which is wrong). */
export function isBlockSolution(hit: bigint, b: bigint): boolean {
  return hit < b;
}

/**
 * Share target for share difficulty d: floor(DIFF1 / d), never harder than the block target b, so a miner
 * working at this target never withholds a block-winning nonce.
 */
export function shareTarget(difficulty: Ratio, b: bigint): bigint {
  if (difficulty.num <= 0n) throw new RangeError('share difficulty must be positive');
  const target = (DIFF1_TARGET * difficulty.den) / difficulty.num;
  return target > b ? target : b;
}

/** The share difficulty a target corresponds to: DIFF1 / target (exact). */
export function shareDifficultyOfTarget(target: bigint): Ratio {
  if (target <= 0n) throw new RangeError('target must be positive');
  return ratio(DIFF1_TARGET, target);
}

/** A share meets its target iff hit < target (the same strict rule as blocks). */
export function meetsTarget(hit: bigint, target: bigint): boolean {
  return hit < target;
}

/** Expected Autolykos evaluations to find one hit below `target`: 2^256 / target (exact), at least one. */
export function expectedHashes(target: bigint): Ratio {
  if (target <= 0n) throw new RangeError('target must be positive');
  return ratio(TWO_POW_256, target < TWO_POW_256 ? target : TWO_POW_256);
}

/** The network difficulty expressed in share-difficulty units: how many difficulty-1 shares a block takes. */
export function networkDifficultyInShareUnits(b: bigint): Ratio {
  return shareDifficultyOfTarget(b);
}
