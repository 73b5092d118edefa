/**
 * Storage: one small adapter over two engines — PGlite (embedded, the default, files under the data
 * directory) and a PostgreSQL server (connection pool) — with one SQL dialect and one set of versioned
 * migrations (src/db/migrations). The handle is created by the caller and passed in; nothing is global.
 */

export {
  type DeferredDatabase,
  deferredDatabase,
  isOutage,
  knownDatabase,
  rememberDatabase,
} from './deferred.ts';
export { buildInserts, insertRows, quoteIdentifier } from './insert.ts';
export { acquireLease, holdsLease, type Lease, releaseLease } from './lease.ts';
export { type BalanceMismatch, checkBalances } from './ledger.ts';
export {
  checksumOf,
  DEFAULT_POOL_ID,
  loadMigrations,
  type MigrateOptions,
  type Migration,
  MigrationError,
  migrate,
  schemaVersion,
} from './migrate.ts';
export { databaseOptions, openDatabase } from './open.ts';
export {
  liveWindowStart,
  type PruneSharesOptions,
  type PruneSharesResult,
  pruneShares,
  pruneStats,
  type RetentionCutoff,
  releaseRetentionHold,
  setRetentionHold,
  shareRetentionCutoff,
} from './retention.ts';
export {
  type Database,
  DatabaseConnectionError,
  type InsertManyOptions,
  type OpenOptions,
  type QueryResult,
  type Sql,
} from './types.ts';
export { maskUrl } from './values.ts';
