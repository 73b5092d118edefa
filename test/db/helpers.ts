import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, migrate, openDatabase } from '../../src/db/index.ts';

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

/** An empty database on the engine: in-memory PGlite, or a new database on the server. */
export async function freshDatabase(
  engine: EngineName,
  options: { migrated?: boolean } = {},
): Promise<Fresh> {
  let fresh: Fresh;
  if (engine === 'pglite') {
    const db = await openDatabase({ dataDir: 'memory://' });
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
