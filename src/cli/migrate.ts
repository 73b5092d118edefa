import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, defaultPoolId, loadConfig, type PoolConfig } from '../config/index.ts';
import {
  DatabaseConnectionError,
  databaseOptions,
  MigrationError,
  maskUrl,
  migrate,
  openDatabase,
} from '../db/index.ts';
import { UsageError } from './errors.ts';

const DATABASE_URL = /^(postgres(ql)?|memory):\/\//i;

/** `enigmapool migrate`; returns the exit code (0 ok, 1 database or migration failure). */
export async function migrateCommand(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void = (l) => console.error(l),
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { database: { type: 'string' }, 'data-dir': { type: 'string' }, config: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.database !== undefined && !DATABASE_URL.test(values.database))
    throw new UsageError(
      `--database must be a postgres://user:password@host:port/database URL, got "${maskUrl(values.database)}"`,
    );
  if (values['data-dir'] !== undefined && values['data-dir'].trim() === '')
    throw new UsageError('--data-dir must not be empty');
  const config = buildConfig(values);
  const options = databaseOptions(config);
  const where = options.url ? maskUrl(options.url) : `PGlite in ${resolve(options.dataDir)}`;
  try {
    const db = await openDatabase(options);
    try {
      const { applied, current } = await migrate(db, { defaultPoolId: defaultPoolId(config) });
      for (const name of applied) out(`applied ${name}`);
      out(
        applied.length === 0
          ? `database up to date at version ${current} (${where})`
          : `database at version ${current} (${where})`,
      );
    } finally {
      await db.close();
    }
    return 0;
  } catch (e) {
    if (e instanceof DatabaseConnectionError || e instanceof MigrationError) {
      err(`enigmapool: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

function buildConfig(values: { database?: string; 'data-dir'?: string; config?: string }): PoolConfig {
  const overrides: Record<string, unknown> = {};
  if (values.database !== undefined) overrides['database.url'] = values.database;
  if (values['data-dir'] !== undefined) overrides.dataDir = values['data-dir'];
  try {
    return loadConfig({ ...(values.config ? { file: values.config } : {}), env: process.env, overrides });
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}
