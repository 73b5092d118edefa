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
  blockRewardOf,
  compareHeader,
  type ErgoChainNode,
  type ErgoChainReaderOptions,
  ergoChainReader,
  isMinerRewardTreeOf,
} from './chain-reader.ts';
export {
  type CallOptions,
  type CandidateOptions,
  ErgoNodeClient,
  type ErgoNodeClientOptions,
  type WalletTransactionsQuery,
} from './client.ts';
export { ergoBlockSubmitter, ergoCoin, ergoShareChecker, ergoWorkSource } from './coin.ts';
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
export {
  classifyTransportError,
  describeError,
  isNodeError,
  NodeApiError,
  type NodeError,
  NodeResponseError,
  NodeUnavailableError,
  type UnavailableCause,
} from './errors.ts';
export {
  classifyHealth,
  compareNodes,
  type HealthProblem,
  type HealthVerdict,
  type NodeRanking,
  type NodeStatus,
  selectBestNode,
} from './health.ts';
export { REAL_TIMERS, type Timers } from './http.ts';
export { parseNodeJson, stringifyNodeJson, toBigInt } from './json.ts';
export { NodeSet } from './node-set.ts';
export type {
  HealthEvent,
  HeightEvent,
  NodeConfig,
  NodeHealth,
  NodeSetEvents,
  NodeSetHealth,
  NodeSetOptions,
  SwitchEvent,
  WorkEvent,
} from './node-set-types.ts';
export type { ResubmitEvent } from './resubmit.ts';
export { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF, shouldRetry } from './retry.ts';
export { isPublicKey } from './reward-key.ts';
export {
  ERGO_DIALECT,
  type ErgoWork,
  msgBytes,
  notifyLine,
  SET_DIFFICULTY_ONE,
  submittedNonce,
} from './stratum-dialect.ts';
export {
  isAlreadySolved,
  type SubmissionOutcome,
  type SubmissionResult,
  summarizeSubmissions,
} from './submit.ts';
export type * from './wire.ts';
