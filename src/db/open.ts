import { join } from 'node:path';
import { MEMORY, openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import { type Database, DatabaseConnectionError, type OpenOptions } from './types.ts';
import { maskUrl } from './values.ts';

const SERVER_URL = /^postgres(ql)?:\/\//i;

/**
 * Opens the database: `url` postgres://… → the server through a connection pool; `url` memory:// → an
 * in-memory PGlite; otherwise PGlite with its files in `dataDir` (`memory://` there too). Any other URL is
 * refused with its password masked.
 */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  const { url, dataDir, logger, loadDataDir } = options;
  if (url !== undefined && url !== '') {
    if (SERVER_URL.test(url))
      return openPostgres(url, {
        ...(logger ? { logger } : {}),
        ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
        ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      });
    if (url === MEMORY) return openPglite(MEMORY, logger, loadDataDir);
    throw new DatabaseConnectionError(
      `unsupported database URL "${maskUrl(url)}": use postgres://user:password@host:port/database ` +
        '(or memory:// for an in-memory PGlite)',
    );
  }
  if (dataDir === undefined || dataDir === '')
    throw new DatabaseConnectionError('openDatabase needs a url (PostgreSQL server) or a dataDir (PGlite)');
  return openPglite(dataDir, logger, loadDataDir);
}

/**
 * Where the pool's config puts the database: `database.url` when set, else PGlite in `<dataDir>/db`.
 * Structural, so the config domain needs no import of this one.
 */
export function databaseOptions(config: { dataDir: string; database?: { url?: string | undefined } }): {
  url?: string;
  dataDir: string;
} {
  const dataDir = join(config.dataDir, 'db');
  const url = config.database?.url;
  return url ? { url, dataDir } : { dataDir };
}
