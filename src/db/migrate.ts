import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Database, Sql } from './types.ts';

/** One versioned migration: `src/db/migrations/NNNN_name.sql`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** sha256 of the text with line endings normalised (a CRLF checkout does not count as drift). */
  checksum: string;
}

/** A migration problem: drift of an applied migration, a database newer than this code, a failed step. */
export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/**
 * Two arbitrary 32-bit keys for pg_advisory_xact_lock: every migrating process on the server queues on them,
 * so concurrent starts apply each migration once, in order. (PGlite has one session; the lock is a no-op.)
 */
const LOCK_KEYS = [0x656e6967, 0x6d696772] as const; // "enig", "migr"

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/** The migrations shipped with this code, in version order. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => {
      const m = FILE.exec(file);
      if (!m) throw new MigrationError(`migration file ${file} must be named NNNN_name.sql`);
      const sql = readFileSync(`${dir}/${file}`, 'utf8');
      return { version: Number(m[1]), name: `${m[1]}_${m[2]}`, sql, checksum: checksumOf(sql) };
    })
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version)
      throw new MigrationError(`two migrations share version ${migrations[i]!.version}`);
  }
  return migrations;
}

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version     integer     PRIMARY KEY,
  name        text        NOT NULL,
  checksum    text        NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now(),
  duration_ms integer     NOT NULL
)`;

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

async function lock(tx: Sql): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [...LOCK_KEYS]);
}

/** Refuses drift of an applied migration and a database migrated by a newer EnigmaPool. */
function verify(applied: AppliedRow[], migrations: Migration[]): void {
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const row of applied) {
    const migration = known.get(row.version);
    if (!migration)
      throw new MigrationError(
        `the database has migration ${row.name} applied, which this EnigmaPool does not have ` +
          '(the database was migrated by a newer version; upgrade EnigmaPool)',
      );
    if (migration.checksum !== row.checksum)
      throw new MigrationError(
        `migration ${migration.name} was changed after it was applied (checksum ${row.checksum.slice(0, 12)}… ` +
          `in the database, ${migration.checksum.slice(0, 12)}… in the file): never edit an applied ` +
          'migration — restore it and add a new one',
      );
  }
}

/** The pool of a deployment that never named one (config `pool.id`'s default). */
export const DEFAULT_POOL_ID = 'ergo';

export interface MigrateOptions {
  logger?: Logger;
  /** Default: the files in src/db/migrations. */
  migrations?: Migration[];
  /**
   * The deployment's default pool (the configured `pool.id`): rows written before pools had ids belong to
   * it (migration 0008 reads it as the setting enigmapool.default_pool_id). Default 'ergo'.
   */
  defaultPoolId?: string;
}

/**
 * Applies the pending migrations in order, each in its own transaction together with its row in
 * `schema_migrations`, under a transaction-scoped advisory lock (safe when several pools start at once).
 * Applied migrations are checked against their files first: drift is an error naming the migration.
 */
export async function migrate(
  db: Database,
  options: MigrateOptions = {},
): Promise<{ applied: string[]; current: number }> {
  const { logger } = options;
  const migrations = options.migrations ?? loadMigrations();
  const defaultPoolId = options.defaultPoolId ?? DEFAULT_POOL_ID;
  if (defaultPoolId === '') throw new MigrationError('the default pool id must not be empty');
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await lock(tx);
    await tx.exec(CREATE_TABLE);
    const rows = await tx.query<AppliedRow>('SELECT version, name, checksum FROM schema_migrations');
    verify(rows.rows, migrations);
  });
  for (const migration of migrations) {
    const done = await db.transaction(async (tx) => {
      await lock(tx);
      const found = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (found.rowCount > 0) return false; // applied before, or by a concurrent start while we waited
      const started = performance.now();
      try {
        // Local to this transaction: what a migration moving existing rows to a pool reads.
        await tx.query("SELECT set_config('enigmapool.default_pool_id', $1, true)", [defaultPoolId]);
        await tx.exec(migration.sql);
      } catch (err) {
        throw new MigrationError(`migration ${migration.name} failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
      const ms = Math.round(performance.now() - started);
      await tx.query(
        'INSERT INTO schema_migrations (version, name, checksum, duration_ms) VALUES ($1, $2, $3, $4)',
        [migration.version, migration.name, migration.checksum, ms],
      );
      logger?.info({ migration: migration.name, ms }, 'database migration applied');
      return true;
    });
    if (done) applied.push(migration.name);
  }
  const current = await db.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM schema_migrations',
  );
  return { applied, current: current.rows[0]?.version ?? 0 };
}

/** The version the database is at (0 when never migrated). */
export async function schemaVersion(sql: Sql): Promise<number> {
  const exists = await sql.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if (!exists.rows[0]?.t) return 0;
  const result = await sql.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM schema_migrations',
  );
  return result.rows[0]?.version ?? 0;
}
