/**
 * The stratum server miners connect to, generic over the coin (src/coin: each pool's coin brings its dialect,
 * share check and block submission), and its pure core.
 */

export { addressSet, type BanPolicy, DEFAULT_BAN_POLICY } from './bans.ts';
export type { PoolContext, ShareEvent, StratumEventMap } from './context.ts';
export { ExtranonceAllocator } from './extranonce.ts';
export { type DifficultyWork, type Job, JobBook } from './jobs.ts';
export type { BoundPort } from './listen.ts';
export { MemoryShareSink } from './memory-sink.ts';
export {
  errorLine,
  parseRequestLine,
  payoutThresholdFromPassword,
  replyLine,
  StratumErrorCode,
  splitWorkerLogin,
} from './protocol.ts';
export { parseProxyHeader, proxyV2Header } from './proxy-protocol.ts';
export {
  type ShareCounters,
  type StratumPoolOptions,
  StratumServer,
  type StratumServerOptions,
} from './server.ts';
export {
  type AcceptedShare,
  DEFAULT_LIMITS,
  type PortConfig,
  type ShareOutcome,
  type ShareSink,
  type SinkHealth,
  type StratumLimits,
} from './types.ts';
export { DEFAULT_VARDIFF, type VardiffConfig } from './vardiff.ts';
