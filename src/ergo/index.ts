/**
 * The Ergo side: node REST wire types, exact JSON, chain rules (emission, EIP-27, addresses).
 * Shared file: add export lines, never rewrite others' lines.
 */
export {
  addressOfErgoTree,
  InvalidAddressError,
  minerRewardErgoTree,
  type NetworkName,
  type ParsedAddress,
  p2pkAddress,
  parseAddress,
} from './address.ts';
export {
  COINS_TOTAL,
  EIP27_ACTIVATION_HEIGHT,
  emissionAtHeight,
  issuedCoinsAfterHeight,
  MINER_REWARD_DELAY,
  type MinerReward,
  minerRewardAt,
  minersRewardAtHeight,
  NANOERG_PER_ERG,
  REEMISSION_START_HEIGHT,
  REEMISSION_TOKEN_ID,
  reemissionForHeight,
} from './emission.ts';
export { parseNodeJson, stringifyNodeJson, toBigInt } from './json.ts';
export type * from './wire.ts';
