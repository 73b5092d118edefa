import pg from 'pg';
import type { Logger } from 'pino';
import { insertManyAtomically } from './insert.ts';
import { type Database, DatabaseConnectionError, type QueryResult, type Sql } from './types.ts';
import { mapArray, maskUrl, normaliseParams, OID, parseBytea, parseDate, parseInt8 } from './values.ts';

function typeOverrides(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  const builtin = pg.types.getTypeParser as (oid: number, format: 'text') => (text: string) => unknown;
  const int8Array = builtin(OID.int8Array, 'text');
  types.setTypeParser(OID.int8, 'text', parseInt8);
  types.setTypeParser(OID.int8Array, 'text', (text: string) => mapArray(int8Array(text), parseInt8));
  types.setTypeParser(OID.bytea, 'text', parseBytea);
  types.setTypeParser(OID.date, 'text', parseDate);
  return types;
}

interface Runner {
  query(config: pg.QueryConfig & { queryMode: 'extended' }): Promise<pg.QueryResult>;
}

/**
 * One statement through the extended protocol, as PGlite's `query` always does (node-postgres would use the
 * simple protocol for a query without parameters, which also runs several `;`-separated statements).
 */
async function run<T>(runner: Runner, text: string, params?: unknown[]): Promise<QueryResult<T>> {
  const result = await runner.query({ text, values: normaliseParams(params) ?? [], queryMode: 'extended' });
  return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
}

function abortedError(): Error {
  return Object.assign(
    new Error('Transaction was rolled back instead of committed (a statement in it failed)'),
    {
      code: '25P02',
    },
  );
}

/** Checks that `url` is a server URL we can hand to node-postgres; the error masks the password. */
export function checkServerUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseConnectionError(`invalid database URL "${maskUrl(url)}"`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new DatabaseConnectionError(
      `invalid database URL "${maskUrl(url)}": expected postgres://user:password@host:port/database`,
    );
}

/**
 * A PostgreSQL server through a node-postgres pool. The connection is checked at open, so a wrong URL, an
 * unreachable server or a missing database fail here with a message naming the URL (password masked).
 * Later connection losses surface as errors of the queries that meet them (callers retry); errors of idle
 * pooled connections (server restart) are logged, never thrown.
 */
export async function openPostgres(
  url: string,
  options: { logger?: Logger; poolSize?: number; connectTimeoutMs?: number } = {},
): Promise<Database> {
  checkServerUrl(url);
  const where = maskUrl(url);
  const logger = options.logger;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'enigmapool',
    // UTC sessions like PGlite's, so date_trunc('day', created_at) and timestamptz text agree on both engines.
    // (Behind PgBouncer, add `options` to its ignore_startup_parameters.)
    options: '-c TimeZone=UTC',
    types: typeOverrides(),
  });
  pool.on('error', (err) => logger?.warn({ err, database: where }, 'idle database connection failed'));
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => {});
    const reason = (err as Error).message || (err as NodeJS.ErrnoException).code || String(err);
    throw new DatabaseConnectionError(`cannot connect to PostgreSQL at ${where}: ${reason}`, { cause: err });
  }
  logger?.info({ engine: 'postgres', database: where }, 'database opened');
  let closed = false;
  const db: Database = {
    engine: 'postgres',
    query: <T>(text: string, params?: unknown[]) => run<T>(pool, text, params),
    async exec(text: string) {
      await pool.query(text);
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      // The server may end the connection between two statements (restart, failover, admin kill): the client
      // then emits 'error', which must not go unhandled; the next statement fails and the client is dropped.
      const onError = (err: Error) => {
        broken = err;
        logger?.warn({ err, database: where }, 'database connection lost inside a transaction');
      };
      client.on('error', onError);
      let open = true;
      const check = () => {
        if (!open) throw new Error('transaction handle used after its transaction ended');
      };
      const tx: Sql = {
        query: async <R>(text: string, params?: unknown[]) => {
          check();
          return run<R>(client, text, params);
        },
        async exec(text: string) {
          check();
          await client.query(text);
        },
      };
      try {
        await client.query('BEGIN');
      } catch (err) {
        client.off('error', onError);
        client.release(err as Error);
        throw err;
      }
      try {
        try {
          const result = await fn(tx);
          open = false;
          const commit = await client.query('COMMIT');
          // A statement failed and `fn` caught it: the server answers COMMIT with ROLLBACK, silently.
          // PGlite throws here; so do we, with the same SQLSTATE.
          if (commit.command === 'ROLLBACK') throw abortedError();
          return result;
        } catch (err) {
          open = false;
          // A failed ROLLBACK means the connection itself is gone: drop it from the pool.
          await client.query('ROLLBACK').catch((rollbackError: Error) => {
            broken = rollbackError;
          });
          throw err;
        }
      } finally {
        open = false;
        client.off('error', onError);
        client.release(broken);
      }
    },
    insertMany: (table, columns, rows, options) => insertManyAtomically(db, table, columns, rows, options),
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
      logger?.info({ engine: 'postgres', database: where }, 'database closed');
    },
  };
  return db;
}
