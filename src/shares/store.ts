import { type Database, insertRows, type Sql } from '../db/index.ts';
import type { JournalEntry } from './reader.ts';
import {
  BLOCK_COLUMNS,
  blockRow,
  ingestProgress,
  isRecordedBlock,
  SHARE_COLUMN_TYPES,
  SHARE_COLUMNS,
  shareColumns,
  unnestInsertSql,
} from './rows.ts';
import type { ShareStore } from './shipper.ts';

const INSERT_SHARES = unnestInsertSql('shares', SHARE_COLUMNS, SHARE_COLUMN_TYPES, ['id']);

/**
 * The longest a share can take from getting its time to reaching the journal: a block candidate is submitted
 * to the nodes in between, and every node request times out after 5 s (the client's default); 20 s leaves
 * room for a slow event loop. Crediting a block waits this long after it was found.
 */
export const DEFAULT_RECORD_DELAY_MS = 20_000;

/** share_ingest_progress of `instance` moves forward to `until` (never back). */
async function advanceProgress(tx: Sql, instance: string, until: number): Promise<void> {
  await tx.query(
    `INSERT INTO share_ingest_progress (instance, complete_until, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (instance) DO UPDATE
       SET complete_until = GREATEST(share_ingest_progress.complete_until, EXCLUDED.complete_until),
           updated_at = now()`,
    [instance, new Date(until)],
  );
}

export interface DatabaseStoreOptions {
  /**
   * The deployment's default pool (config `pool.id`): shares journaled before shares named their pool
   * (poolId '') are credited to it.
   */
  defaultPoolId: string;
  /**
   * The longest a share can take from getting its time to reaching the journal (block candidates are
   * submitted to the nodes in between); share_ingest_progress stays this far behind (default 20 s).
   */
  recordDelayMs?: number;
  /** Makes committed transactions durable, for an engine that does not (PGlite: fsyncTree of its files). */
  sync?: () => Promise<void>;
  /** This pool instance (the stratum's instance id in hex): its progress moves on while it is idle. */
  instance?: string;
}

/**
 * Ships journal entries into PostgreSQL / PGlite: one transaction per batch with one multi-row insert into
 * `shares` (INSERT … SELECT FROM unnest of one array per column, ON CONFLICT (id) DO NOTHING: a replay adds
 * nothing), the accepted block candidates into `blocks` as pending (ON CONFLICT (pool_id, height, nonce) DO
 * NOTHING), each row in the pool of its share, and the instance's share_ingest_progress (one per instance,
 * whatever pools its shares are of).
 */
export class DatabaseShareStore implements ShareStore {
  private readonly recordDelayMs: number;
  private readonly defaultPoolId: string;
  /** Rows actually inserted by this store (conflicts not counted), for tests and benchmarks. */
  inserted = { shares: 0, blocks: 0 };
  readonly sync?: () => Promise<void>;
  readonly heartbeat?: (now: number) => Promise<void>;

  constructor(
    private readonly db: Database,
    options: DatabaseStoreOptions,
  ) {
    if (options.defaultPoolId === '') throw new RangeError('the default pool id must not be empty');
    this.defaultPoolId = options.defaultPoolId;
    this.recordDelayMs = options.recordDelayMs ?? DEFAULT_RECORD_DELAY_MS;
    if (options.sync) this.sync = options.sync;
    const instance = options.instance;
    if (instance !== undefined)
      this.heartbeat = async (now) => {
        await this.db.transaction((tx) => advanceProgress(tx, instance, now - this.recordDelayMs));
      };
  }

  async write(entries: JournalEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const shares = entries.map((e) => e.share);
    const blocks = shares.filter(isRecordedBlock);
    const counts = await this.db.transaction(async (tx) => {
      const s = (await tx.query(INSERT_SHARES, shareColumns(shares, this.defaultPoolId))).rowCount;
      const b =
        blocks.length > 0
          ? await insertRows(
              tx,
              'blocks',
              BLOCK_COLUMNS,
              blocks.map((share) => blockRow(share, this.defaultPoolId)),
              { onConflictDoNothing: ['pool_id', 'height', 'nonce'] },
            )
          : 0;
      for (const [instance, until] of ingestProgress(shares, this.recordDelayMs))
        await advanceProgress(tx, instance, until);
      return { s, b };
    });
    this.inserted.shares += counts.s;
    this.inserted.blocks += counts.b;
  }
}
