import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import type { Logger } from 'pino';
import { insertManyAtomically } from './insert.ts';
import { type Database, DatabaseConnectionError, type QueryResult, type Sql } from './types.ts';
import { normaliseParams, OID, parseBytea, parseDate, parseInt8 } from './values.ts';

export const MEMORY = 'memory://';

const PARSERS = {
  [OID.int8]: parseInt8,
  [OID.int8Array]: (text: string) => types.arrayParser(text, parseInt8, OID.int8Array),
  [OID.bytea]: parseBytea,
  [OID.date]: parseDate,
};

interface PgliteRunner {
  query<T>(
    text: string,
    params?: unknown[],
  ): Promise<{ rows: T[]; rowCount?: number; affectedRows?: number }>;
  exec(text: string): Promise<unknown>;
}

function sqlOf(runner: PgliteRunner, isOpen: () => boolean = () => true): Sql {
  const check = () => {
    if (!isOpen()) throw new Error('transaction handle used after its transaction ended');
  };
  return {
    async query<T>(text: string, params?: unknown[]): Promise<QueryResult<T>> {
      check();
      const result = await runner.query<T>(text, normaliseParams(params));
      return { rows: result.rows, rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length };
    },
    async exec(text: string): Promise<void> {
      check();
      await runner.exec(text);
    },
  };
}

/**
 * The embedded engine: PostgreSQL compiled to WebAssembly, one session in this process. Every query and
 * transaction is serialised (PGlite's own mutex): a transaction holds the database until it ends.
 * A directory may be open in one process only (two writers would corrupt it), enforced by a lock file
 * next to it (`<dataDir>.lock` holding the owner's pid; a lock of a dead process is taken over).
 */
export async function openPglite(dataDir: string, logger?: Logger, loadDataDir?: Blob): Promise<Database> {
  const memory = dataDir === MEMORY;
  const dir = memory ? MEMORY : resolve(dataDir);
  const lockFile = memory ? null : takeLock(dir);
  let pglite: PGlite;
  try {
    if (!memory) mkdirSync(dir, { recursive: true });
    pglite = await PGlite.create(dir, { parsers: PARSERS, ...(loadDataDir ? { loadDataDir } : {}) });
  } catch (err) {
    if (lockFile) rmSync(lockFile, { force: true });
    throw new DatabaseConnectionError(
      `cannot open the PGlite database in ${dir}: ${(err as Error).message ?? err}`,
      { cause: err },
    );
  }
  logger?.info({ engine: 'pglite', dataDir: dir }, 'database opened');
  const base = sqlOf(pglite as unknown as PgliteRunner);
  let closed = false;
  const db: Database = {
    engine: 'pglite',
    query: base.query,
    exec: base.exec,
    transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      return pglite.transaction(async (tx) => {
        let open = true;
        try {
          return await fn(sqlOf(tx as unknown as PgliteRunner, () => open));
        } finally {
          open = false;
        }
      });
    },
    insertMany: (table, columns, rows, options) => insertManyAtomically(db, table, columns, rows, options),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await pglite.close();
      } finally {
        if (lockFile) rmSync(lockFile, { force: true });
      }
      logger?.info({ engine: 'pglite', dataDir: dir }, 'database closed');
    },
  };
  return db;
}

/** Creates `<dir>.lock` with our pid, or refuses when a live process holds it. */
function takeLock(dir: string): string {
  const lockFile = `${dir}.lock`;
  mkdirSync(dirname(lockFile), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return lockFile;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number.parseInt(readText(lockFile), 10);
    if (Number.isSafeInteger(pid) && pid > 0 && isAlive(pid))
      throw new DatabaseConnectionError(
        `the PGlite database in ${dir} is in use by process ${pid}` +
          (pid === process.pid
            ? ' (this process: close it first)'
            : ` (if no such process runs, delete ${lockFile})`) +
          '; PGlite serves one process — use a PostgreSQL server (database.url) to run several',
      );
    rmSync(lockFile, { force: true }); // left by a process that died: take it over
  }
  throw new DatabaseConnectionError(`cannot lock the PGlite database in ${dir} (${lockFile})`);
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
