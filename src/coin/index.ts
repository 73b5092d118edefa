/**
 * The coin seam: what the stratum server, the share pipeline and accounting are generic over (a coin's units,
 * addresses, work, stratum dialect, share check, block submission and reward rules), and the exact
 * arithmetic of difficulties every coin shares. A coin is a folder implementing `Coin` (see README.md).
 */
export { difficultyFromNumber, parseDifficulty } from './difficulty.ts';
export {
  add,
  clamp,
  compare,
  div,
  equal,
  floor,
  formatRatio,
  gcd,
  isZero,
  lcm,
  mul,
  ONE,
  parseDecimal,
  type Ratio,
  ratio,
  sub,
  ZERO,
} from './rational.ts';
export { notificationLine } from './stratum-lines.ts';
export {
  type BlockReward,
  type BlockSubmission,
  type BlockSubmitter,
  type ChainBlockAt,
  type ChainReader,
  type Coin,
  type CoinUnits,
  type CoinWork,
  type RewardRules,
  type ShareChecker,
  ShareCheckOverloadedError,
  type StratumDialect,
  type SubmittedNonce,
  type WorkSource,
} from './types.ts';
