import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { type Database, loadMigrations, migrate, openDatabase } from '../../src/db/index.ts';

/** The test server (trust auth). Tests fail, never skip, when it is down. */
export const SERVER = process.env.ENIGMAPOOL_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';

export const ENGINES = ['pglite', 'postgres'] as const;
export type EngineName = (typeof ENGINES)[number];

/** Runs `sql` on the server's maintenance database. */
async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres`, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let swept = false;

/**
 * Drops test databases left by runs that were killed before their cleanup (older than an hour: no test
 * runs that long). Once per process, best effort.
 */
async function sweepStaleDatabases(): Promise<void> {
  if (swept) return;
  swept = true;
  const client = new pg.Client({ connectionString: `${SERVER}/postgres`, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const stale = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database
        WHERE datname LIKE 'enigmapool\\_test\\_%'
          AND (pg_stat_file('base/' || oid || '/PG_VERSION')).modification < now() - interval '1 hour'`,
    );
    for (const { datname } of stale.rows)
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => {});
  } catch {
    // not a superuser, or another run dropped it first: leave it
  } finally {
    await client.end();
  }
}

/** A new, empty database on the server, dropped by `drop()`. */
export async function createServerDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  await sweepStaleDatabases();
  const name = `enigmapool_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  return {
    name,
    url: `${SERVER}/${name}`,
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export interface Fresh {
  db: Database;
  /** The server URL (postgres only): open more handles on the same database. */
  url?: string;
  cleanup(): Promise<void>;
}

let template: Promise<Blob> | undefined;

/**
 * A migrated PGlite database as a dump, made once per machine and schema (a file in the temp directory named
 * by the migrations' checksums and PGlite's version) by running the real migrations. A fresh in-memory
 * PGlite loaded from it skips initdb and the migrations: about 0.4 s instead of 2–5 s on 2 busy cores.
 */
function migratedTemplate(): Promise<Blob> {
  template ??= (async () => {
    const pgliteVersion = JSON.parse(
      readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8'),
    ).version;
    const key = createHash('sha256')
      .update(
        `${pgliteVersion}\n${loadMigrations()
          .map((m) => m.checksum)
          .join('\n')}`,
      )
      .digest('hex')
      .slice(0, 16);
    const file = join(tmpdir(), `enigmapool-pglite-migrated-${key}.tar`);
    try {
      return new Blob([readFileSync(file)]);
    } catch {
      // not made yet on this machine
    }
    const dir = mkdtempSync(join(tmpdir(), 'enigmapool-pglite-template-'));
    try {
      const db = await openDatabase({ dataDir: join(dir, 'db') });
      await migrate(db);
      await db.close();
      const raw = await PGlite.create(join(dir, 'db'));
      const dump = await raw.dumpDataDir('none');
      await raw.close();
      const bytes = Buffer.from(await dump.arrayBuffer());
      // Written whole, then renamed: another test process never reads half a template.
      writeFileSync(join(dir, 'template.tar'), bytes);
      renameSync(join(dir, 'template.tar'), file);
      return new Blob([bytes]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return template;
}

/**
 * An empty database on the engine: in-memory PGlite, or a new database on the server. `migrated`: with the
 * schema (PGlite: a copy of the migrated template; the server: the migrations run on it).
 */
export async function freshDatabase(
  engine: EngineName,
  options: { migrated?: boolean } = {},
): Promise<Fresh> {
  let fresh: Fresh;
  if (engine === 'pglite') {
    const loadDataDir = options.migrated ? await migratedTemplate() : undefined;
    const db = await openDatabase({ dataDir: 'memory://', ...(loadDataDir ? { loadDataDir } : {}) });
    // The template is made by the same migrations: migrate() below finds nothing to do, and proves it.
    fresh = { db, cleanup: () => db.close() };
  } else {
    const server = await createServerDatabase();
    let db: Database;
    try {
      db = await openDatabase({ url: server.url, poolSize: 4 });
    } catch (err) {
      await server.drop();
      throw err;
    }
    fresh = {
      db,
      url: server.url,
      cleanup: async () => {
        await db.close();
        await server.drop();
      },
    };
  }
  if (options.migrated) await migrate(fresh.db);
  return fresh;
}

/** JSON with bigints as strings, for messages. */
export const show = (value: unknown) =>
  JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
