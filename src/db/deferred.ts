import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { openPostgres } from './postgres.ts';
import { type Database, DatabaseConnectionError, type Sql } from './types.ts';
import { maskUrl } from './values.ts';

/** The file in a data dir naming the database server it has run against (so a restart may wait for it). */
const KNOWN_FILE = 'database.json';

/** Records that this data dir has run against the server at `url` (its password is never written). */
export function rememberDatabase(dataDir: string, url: string): void {
  const path = join(dataDir, KNOWN_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ database: maskUrl(url) })}\n`);
  renameSync(tmp, path);
}

/** Has this data dir run against the server at `url` before? */
export function knownDatabase(dataDir: string, url: string): boolean {
  const path = join(dataDir, KNOWN_FILE);
  if (!existsSync(path)) return false;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { database?: unknown }).database === maskUrl(url);
  } catch {
    return false;
  }
}

/**
 * Is this failure to open the server an outage (nothing answers, or the server is starting or shutting
 * down), as opposed to a configuration error (a wrong password, a missing database) that waiting never fixes?
 */
export function isOutage(err: unknown): boolean {
  if (!(err instanceof DatabaseConnectionError)) return false;
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true; // a socket error: ECONNREFUSED…
  return code.startsWith('08') || code.startsWith('57'); // connection exception, operator intervention
}

export interface DeferredDatabase extends Database {
  /** Resolves once the server is reachable and `prepare` (the migrations) has run. */
  readonly ready: Promise<void>;
  readonly connected: boolean;
}

/**
 * A PostgreSQL server that is down at start: every query fails fast (like a query during an outage) until a
 * background loop reaches it and `prepare` succeeds — then queries go through. Callers that retry (the share
 * shipper) carry on by themselves; others wait for `ready`.
 */
export function deferredDatabase(o: {
  url: string;
  prepare: (db: Database) => Promise<void>;
  logger?: Logger;
  poolSize?: number;
  retryMs?: { min: number; max: number };
}): DeferredDatabase {
  const where = maskUrl(o.url);
  let inner: Database | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let attempt: Promise<void> | null = null;
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  const min = o.retryMs?.min ?? 1_000;
  const max = o.retryMs?.max ?? 10_000;
  const connect = async (delay: number): Promise<void> => {
    if (closed) return;
    let db: Database | null = null;
    try {
      db = await openPostgres(o.url, {
        ...(o.logger ? { logger: o.logger } : {}),
        ...(o.poolSize !== undefined ? { poolSize: o.poolSize } : {}),
      });
      await o.prepare(db);
      if (closed) {
        await db.close();
        return;
      }
      inner = db;
      resolveReady();
      return;
    } catch (err) {
      await db?.close().catch(() => undefined);
      o.logger?.debug({ err, database: where }, 'database still unreachable');
    }
    if (closed) return;
    timer = setTimeout(() => {
      timer = null;
      attempt = connect(Math.min(max, delay * 2));
    }, delay);
  };
  attempt = connect(min);
  const live = (): Database => {
    if (inner) return inner;
    throw new DatabaseConnectionError(`cannot connect to PostgreSQL at ${where}: not reachable yet`);
  };
  const sql: Sql = {
    query: async (text, params) => live().query(text, params),
    exec: async (text) => live().exec(text),
  };
  return {
    engine: 'postgres',
    ready,
    get connected() {
      return inner !== null;
    },
    ...sql,
    transaction: async (fn) => live().transaction(fn),
    insertMany: async (table, columns, rows, options) => live().insertMany(table, columns, rows, options),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await attempt;
      await inner?.close();
    },
  };
}
