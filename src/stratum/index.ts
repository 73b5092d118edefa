/** The stratum server in the Ergo dialect real GPU miners speak, and its pure core. */

export { addressSet, type BanPolicy, DEFAULT_BAN_POLICY } from './bans.ts';
export type { ShareEvent, StratumEventMap } from './context.ts';
export { ExtranonceAllocator } from './extranonce.ts';
export { type Job, JobBook, type Work } from './jobs.ts';
export type { BoundPort } from './listen.ts';
export { MemoryShareSink } from './memory-sink.ts';
export {
  errorLine,
  notifyLine,
  parseRequestLine,
  payoutThresholdFromPassword,
  replyLine,
  StratumErrorCode,
  splitWorkerLogin,
  submittedNonce,
} from './protocol.ts';
export { parseProxyHeader, proxyV2Header } from './proxy-protocol.ts';
export { type ShareCounters, StratumServer, type StratumServerOptions } from './server.ts';
export {
  type AcceptedShare,
  type BlockSubmitter,
  DEFAULT_LIMITS,
  type HitVerifier,
  type PortConfig,
  type ShareOutcome,
  type ShareSink,
  type SinkHealth,
  type StratumLimits,
} from './types.ts';
export { DEFAULT_VARDIFF, type VardiffConfig } from './vardiff.ts';
