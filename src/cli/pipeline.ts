import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { PoolConfig } from '../config/index.ts';
import { type Database, databaseOptions, maskUrl, migrate, openDatabase } from '../db/index.ts';
import { DatabaseShareStore, DurableShareSink, fsyncTree } from '../shares/index.ts';

/** Shares per shipper transaction. */
const PGLITE_BATCH = 250;
const SERVER_BATCH = 1000;

export interface SharePipeline {
  db: Database;
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
  const db = await openDatabase({ ...options, logger: logger.child({ part: 'db' }, { level: 'warn' }) });
  try {
    const { applied, current } = await migrate(db);
    logger.info(
      applied.length > 0
        ? `database: ${databaseLocation}, schema version ${current} (applied ${applied.join(', ')})`
        : `database: ${databaseLocation}, schema version ${current}`,
    );
    const journalDir = join(dataDir, 'journal');
    const sink = await DurableShareSink.open({
      dir: journalDir,
      // PGlite writes through to the OS but never fsyncs: sync its files before the journal lets shares go.
      store: new DatabaseShareStore(db, {
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
    return { db, sink, journalDir, databaseLocation };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
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
