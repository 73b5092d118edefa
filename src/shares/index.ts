/** The durable share pipeline: a local journal fsynced before the miner's reply, shipped into the database. */
export { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';
export { Checkpoint } from './checkpoint.ts';
export { JournalClosedError, JournalFailedError } from './errors.ts';
export type { JournalHealthState } from './health.ts';
export {
  type Clock,
  fsyncTree,
  type JournalFile,
  type JournalFs,
  nodeJournalFs,
  systemClock,
} from './io.ts';
export {
  type JournalOptions,
  type RecoveryReport,
  ShareJournal,
} from './journal.ts';
export { type LateAcceptanceOptions, LateAcceptances } from './late-acceptance.ts';
export { createPipelineMetrics, type PipelineMetrics } from './metrics.ts';
export { type JournalEntry, JournalReader, type ReadDamage } from './reader.ts';
export { ratioToDecimal, SHARE_COLUMNS } from './rows.ts';
export { decodeShare, encodeShare, JournalFormatError } from './share-codec.ts';
export { type ShareStore, Shipper, type ShipperOptions } from './shipper.ts';
export { DurableShareSink, type DurableSinkOptions, type SinkStats } from './sink.ts';
export { DatabaseShareStore, type DatabaseStoreOptions } from './store.ts';
