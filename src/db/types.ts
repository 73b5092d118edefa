import type { Logger } from 'pino';

/** What a query returns, the same from both engines. */
export interface QueryResult<T> {
  rows: T[];
  /** Rows returned (SELECT) or affected (INSERT/UPDATE/DELETE: the count from the command tag). */
  rowCount: number;
}

/**
 * Something that runs SQL: the database itself, or a transaction handle.
 *
 * Values come back the same from both engines: int8/bigint (and count(*)) as JS `bigint`, int8[] as `bigint[]`,
 * numeric as an exact decimal `string` (so sum() of bigint columns is a string: it is numeric in PostgreSQL),
 * int2/int4 and float8 as `number`, timestamptz as `Date`, date as 'YYYY-MM-DD' text, bytea as `Buffer`,
 * boolean as `boolean`, uuid as `string`, json/jsonb parsed. Parameters: `bigint` is accepted anywhere (also
 * inside arrays), `undefined` means NULL, `Uint8Array`/`Buffer` go to bytea, `Date` to timestamptz.
 */
export interface Sql {
  /** One statement with $1… parameters. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<T>>;
  /** One or more statements separated by `;`, without parameters (migrations, scripts). */
  exec(text: string): Promise<void>;
}

export interface InsertManyOptions {
  /**
   * Conflict handling. Omitted or `[]`: `ON CONFLICT DO NOTHING` (any unique conflict skips the row).
   * Column names, e.g. `['id']`: `ON CONFLICT (id) DO NOTHING` (another constraint violated still fails).
   * `false`: a plain INSERT; a duplicate fails the whole call.
   */
  onConflictDoNothing?: string[] | false;
}

export interface Database extends Sql {
  readonly engine: 'pglite' | 'postgres';
  /**
   * Runs `fn` inside BEGIN … COMMIT on one connection; ROLLBACK and rethrow if it throws. On PGlite
   * transactions are serialised with every other query (one session); on the server each transaction holds
   * one pooled connection. The handle must not be used after `fn` settles.
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * Bulk insert (multi-row INSERT, split into statements of ≤ 1000 rows and ≤ 65535 parameters, all in one
   * transaction when split); returns the number of rows actually inserted (conflicting rows are not counted).
   */
  insertMany(
    table: string,
    columns: string[],
    rows: unknown[][],
    options?: InsertManyOptions,
  ): Promise<number>;
  /** Closes the pool (server) or the embedded database; idempotent. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres://user:pass@host:port/db (or postgresql://) → a PostgreSQL server; `memory://` → in-memory PGlite. */
  url?: string;
  /** PGlite files (used when `url` is not a server URL); `memory://` for an in-memory PGlite. */
  dataDir?: string;
  logger?: Logger;
  /** Server connections in the pool (default 10). */
  poolSize?: number;
  /** Server connect timeout in milliseconds (default 10 000). */
  connectTimeoutMs?: number;
  /**
   * PGlite only: a new database starts as this dump of a data directory (PGlite's `dumpDataDir`) instead of
   * an empty one, e.g. an in-memory copy of a prepared database.
   */
  loadDataDir?: Blob;
}

/** Opening or reaching the database failed; the message names the location with any password masked. */
export class DatabaseConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseConnectionError';
  }
}
