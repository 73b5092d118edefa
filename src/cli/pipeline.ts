import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { defaultPoolId, type PoolConfig } from '../config/index.ts';
import {
  type Database,
  databaseOptions,
  deferredDatabase,
  isOutage,
  knownDatabase,
  maskUrl,
  migrate,
  openDatabase,
  rememberDatabase,
} from '../db/index.ts';
import { DatabaseShareStore, DurableShareSink, fsyncTree } from '../shares/index.ts';

/** Shares per shipper transaction. */
const PGLITE_BATCH = 250;
const SERVER_BATCH = 1000;

export interface SharePipeline {
  db: Database;
  /** Resolves once the database is reachable and migrated (at once, unless the pool started during an outage). */
  ready: Promise<void>;
  /** The pool started while its database was down (`ready` resolves when it is back). */
  deferred: boolean;
  sink: DurableShareSink;
  /** Where things live, for the operator. */
  journalDir: string;
  databaseLocation: string;
}

/**
 * Opens the database (PGlite under <dataDir>/db, or the configured PostgreSQL server), applies the
 * migrations, and starts the durable share sink on <dataDir>/journal; says where everything lives.
 */
export async function openSharePipeline(
  config: PoolConfig,
  logger: Logger,
  registry?: Registry,
): Promise<SharePipeline> {
  const dataDir = resolve(config.dataDir);
  const options = databaseOptions({ ...config, dataDir });
  const databaseLocation = options.url
    ? `PostgreSQL at ${maskUrl(options.url)}`
    : `PGlite in ${options.dataDir}`;
  mkdirSync(dataDir, { recursive: true });
  const { db, ready, deferred } = await openOrWait(
    options,
    dataDir,
    databaseLocation,
    defaultPoolId(config),
    logger,
  );
  try {
    const journalDir = join(dataDir, 'journal');
    const sink = await DurableShareSink.open({
      dir: journalDir,
      // PGlite writes through to the OS but never fsyncs: sync its files before the journal lets shares go.
      store: new DatabaseShareStore(db, {
        defaultPoolId: defaultPoolId(config),
        instance: config.instance.id.toString(16).padStart(2, '0'),
        ...(options.url ? {} : { sync: () => fsyncTree(options.dataDir) }),
      }),
      // PGlite runs on this thread: smaller transactions keep its pauses short for the stratum (~10 ms).
      batchRecords: db.engine === 'pglite' ? PGLITE_BATCH : SERVER_BATCH,
      logger: logger.child({ part: 'shares' }),
      ...(registry ? { registry } : {}),
    });
    logger.info(
      options.url
        ? `share journal: ${journalDir} (each accepted share is on disk there before the miner is answered, then shipped to the database)`
        : `data: everything the pool keeps is under ${dataDir}: the share journal in journal/ (each accepted share is on disk before the miner is answered) and the database in db/`,
    );
    return { db, ready, deferred, sink, journalDir, databaseLocation };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

/**
 * Opens and migrates the database. A PostgreSQL server that this data dir has run against before but that
 * is down now does not stop the start: the pool mines on the journal alone, the shipper keeps retrying, and
 * the database is migrated and used once it answers (`ready`). A server never reached before (a typo, a
 * first start) is still a one-line error.
 */
async function openOrWait(
  options: { url?: string; dataDir: string },
  dataDir: string,
  location: string,
  poolId: string,
  logger: Logger,
): Promise<{ db: Database; ready: Promise<void>; deferred: boolean }> {
  const dbLogger = logger.child({ part: 'db' }, { level: 'warn' });
  const migrated = async (db: Database) => {
    const { applied, current } = await migrate(db, { defaultPoolId: poolId });
    logger.info(
      applied.length > 0
        ? `database: ${location}, schema version ${current} (applied ${applied.join(', ')})`
        : `database: ${location}, schema version ${current}`,
    );
    if (options.url) rememberDatabase(dataDir, options.url);
  };
  let db: Database;
  try {
    db = await openDatabase({ ...options, logger: dbLogger });
  } catch (err) {
    const url = options.url;
    if (!url || !isOutage(err) || !knownDatabase(dataDir, url)) throw err;
    logger.warn(
      `database: ${location} is unreachable (${(err as Error).message}); this data dir has run against it before, ` +
        'so the pool starts anyway: shares are journaled and shipped once it is back, and accounting waits for it',
    );
    const deferred = deferredDatabase({ url, logger: dbLogger, prepare: migrated });
    return { db: deferred, ready: deferred.ready, deferred: true };
  }
  try {
    await migrated(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return { db, ready: Promise.resolve(), deferred: false };
}

/** Ctrl-C, second half: flush and drain the journal (bounded), then close the database. */
export async function closeSharePipeline(
  pipeline: SharePipeline,
  logger: Logger,
  deadlineMs = 10_000,
): Promise<void> {
  try {
    await pipeline.sink.close(deadlineMs);
  } finally {
    await pipeline.db.close();
    logger.info(`database closed (${pipeline.databaseLocation})`);
  }
}
