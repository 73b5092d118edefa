/**
 * Statistics: the pure estimators (hashrate window rule, network hashrate, luck, earnings), the stats job
 * that turns shares into samples and current figures on one instance, the caches readers use, and the
 * per-instance recorders (rejected-share counts, heartbeats).
 */
export {
  aggregateBuckets,
  type BucketRow,
  recentBuckets,
  statsBegin,
  workerSums,
} from './aggregate.ts';
export {
  DatabaseStatsCache,
  LayeredStatsCache,
  MemoryStatsCache,
  RedisStatsCache,
  type StatsCache,
} from './cache.ts';
export { type EarningsInput, type EstimateScheme, estimatedEarningsPerDay } from './earnings.ts';
export { buildFigures, type Figures } from './figures.ts';
export {
  averageRate,
  DEFAULT_WINDOW_RULE,
  type Hashrate,
  type ShareBucket,
  sumRates,
  type WindowRule,
  type WorkerInput,
  type WorkerRate,
  workerRate,
  ZERO_HASHRATE,
} from './hashrate.ts';
export { StatsJob, type StatsJobOptions, type StatsRunResult } from './job.ts';
export { type HeaderPoint, type Luck, luckOf, type NetworkRate, networkRate } from './network.ts';
export {
  RejectionCounter,
  type RejectionCounterOptions,
  type RejectionKind,
  writeHeartbeat,
} from './recorders.ts';
export { type StatsRetention, StatsRetentionRunner } from './retention.ts';
export {
  byHashrate,
  emptyMiner,
  type MinerFigures,
  minerFigures,
  type NetworkFigures,
  type NodeFigures,
  type PoolFigures,
  type ShareCounts,
  type StatsSnapshot,
  snapshotToJson,
  type WorkerFigures,
  type WorkerSource,
} from './snapshot.ts';
export {
  type BlockSummary,
  blockSummary,
  type PaymentSummary,
  paymentSummary,
  roundEffort,
  windowShares,
} from './summary.ts';
