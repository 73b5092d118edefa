import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/index.ts';
import { loadMigrations } from '../../src/db/index.ts';
import { createServerDatabase } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/enigmapool', import.meta.url));
const NAMES = loadMigrations().map((m) => m.name);
const LATEST = Number(NAMES[NAMES.length - 1]!.slice(0, 4));

/** Runs the CLI without inheriting ENIGMAPOOL_* overrides from the environment. */
function run(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ENIGMAPOOL_')));
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { env, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() }));
  });
}

/** The CLI in this process (faster than a child): exit code, printed lines, console.error lines. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const original = console.error;
  console.error = (...parts: unknown[]) => err.push(parts.join(' '));
  try {
    const code = await main(args, (line) => out.push(line));
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    console.error = original;
  }
}

describe('enigmapool migrate', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'enigmapool-migrate-'));
  let server: Awaited<ReturnType<typeof createServerDatabase>>;
  before(async () => {
    server = await createServerDatabase();
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await server?.drop();
  });

  it('migrates the PGlite database under --data-dir, then finds it up to date', async () => {
    const first = await run('migrate', '--data-dir', join(dir, 'data'));
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(first.stdout.split('\n'), [
      ...NAMES.map((n) => `applied ${n}`),
      `database at version ${LATEST} (PGlite in ${join(dir, 'data', 'db')})`,
    ]);
    const second = await run('migrate', '--data-dir', join(dir, 'data'));
    assert.equal(second.code, 0, second.stderr);
    assert.equal(
      second.stdout,
      `database up to date at version ${LATEST} (PGlite in ${join(dir, 'data', 'db')})`,
    );
  });

  it('migrates a server from --database, or from database.url in --config', async () => {
    const first = await cli('migrate', '--database', server.url);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.split('\n').length, NAMES.length + 1);
    assert.match(first.stdout, new RegExp(`database at version ${LATEST} \\(${server.url}\\)$`));
    const config = join(dir, 'pool.yaml');
    writeFileSync(config, `dataDir: ${join(dir, 'unused')}\ndatabase:\n  url: ${server.url}\n`);
    const second = await cli('migrate', '--config', config);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, `database up to date at version ${LATEST} (${server.url})`);
  });

  it('answers bad flags with one line naming the flag and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--bogus'], /--bogus/],
      [['--database'], /--database/],
      [
        ['--database', 'mysql://root:hunter2@db/pool'],
        /^enigmapool: --database must be a postgres:\/\/.*"mysql:\/\/root:\*{8}@db\/pool"$/,
      ],
      [['--data-dir', ''], /--data-dir must not be empty/],
    ];
    for (const [args, message] of cases) {
      const r = await cli('migrate', ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.split('\n').length, 1, r.stderr);
      assert.match(r.stderr, message);
      assert.ok(!r.stderr.includes('hunter2'));
    }
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, 'database:\n  url: mysql://db/pool\n');
    const bad = await cli('migrate', '--config', config);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /database\.url: must be a postgres:\/\//);
  });

  it('reports an unreachable server in one line with the password masked, exit code 1', async () => {
    const r = await cli('migrate', '--database', 'postgres://pool:hunter2@127.0.0.1:1/pool');
    assert.equal(r.code, 1);
    assert.equal(r.stderr.split('\n').length, 1, r.stderr);
    assert.match(
      r.stderr,
      /^enigmapool: cannot connect to PostgreSQL at postgres:\/\/pool:\*{8}@127\.0\.0\.1:1\/pool: /,
    );
    assert.ok(!r.stderr.includes('hunter2'));
  });

  it('is listed in the usage', async () => {
    const r = await cli('help');
    assert.match(r.stdout, /migrate +apply the database migrations/);
    assert.match(
      r.stdout,
      /enigmapool migrate \[--database URL\] \[--data-dir DIR\] \[--config pool\.yaml\]/,
    );
  });
});
