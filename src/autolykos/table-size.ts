import { N_BASE, N_INCREASE_CAP_HEIGHT, N_INCREASE_PERIOD, N_INCREASE_START } from './constants.ts';

/**
 * N(height) exactly as the node's AutolykosPowScheme.calcN for block version ≥ 2: from height 614,400
 * N grows by 5 % every 51,200 blocks, with integer division *before* the multiplication, and stops
 * growing at height 4,198,400 (N = 2,143,944,600).
 */
export function calcN(height: number): number {
  if (!Number.isSafeInteger(height) || height < 0)
    throw new RangeError(`height must be a non-negative integer, got ${height}`);
  if (height < N_INCREASE_START) return N_BASE;
  const iterations =
    Math.floor((Math.min(height, N_INCREASE_CAP_HEIGHT) - N_INCREASE_START) / N_INCREASE_PERIOD) + 1;
  let step = N_BASE;
  for (let i = 0; i < iterations; i++) step = Math.floor(step / 100) * 105;
  return step;
}
