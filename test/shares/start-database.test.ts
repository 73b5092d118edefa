import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/db/index.ts';
import { createServerDatabase } from '../db/helpers.ts';
import { tempDir } from './helpers.ts';
import { PoolProcess } from './pool-process.ts';

const BIN = fileURLToPath(new URL('../../bin/enigmapool', import.meta.url));

describe('enigmapool start with the share pipeline', { timeout: 180_000 }, () => {
  it('start --devnet keeps shares in PGlite under --data-dir; a found block is stored pending with its nonce', async (t) => {
    const dir = tempDir(t, 'ep-start-');
    const pool = PoolProcess.start(
      ['--devnet', '--devnet-port', '0', '--stratum-port', '0', '--data-dir', dir],
      { ENIGMAPOOL_DEVNET__DIFFICULTY: '20000' },
    );
    t.after(() => {
      pool.child.kill('SIGKILL');
    });
    await pool.waitFor(new RegExp(`data: everything the pool keeps is under ${dir}`), 60_000);
    const found = await pool.waitFor(/BLOCK FOUND at height \d+ by 9\w+\.demo \(nonce [0-9a-f]{16}/, 120_000);
    const [, height, nonce] = /height (\d+) .*nonce ([0-9a-f]{16})/.exec(found)!;
    const exit = await pool.stop();
    assert.equal(exit.code, 0, pool.messages().join('\n'));
    const db = await openDatabase({ dataDir: join(dir, 'db') });
    try {
      const shares = await db.query<{ n: bigint }>("SELECT count(*) AS n FROM shares WHERE worker = 'demo'");
      assert.ok(shares.rows[0]!.n >= 1n);
      const blocks = await db.query<{ height: number; nonce: string; status: string }>(
        'SELECT height, nonce, status FROM blocks WHERE nonce = $1',
        [nonce],
      );
      assert.deepEqual(blocks.rows, [{ height: Number(height), nonce, status: 'pending' }]);
    } finally {
      await db.close();
    }
  });

  it('--database postgres://… runs the pipeline on the server and Ctrl-C shuts down step by step', async (t) => {
    const dir = tempDir(t, 'ep-start-');
    const server = await createServerDatabase();
    t.after(() => server.drop());
    const pool = PoolProcess.start([
      '--devnet',
      '--devnet-port',
      '0',
      '--stratum-port',
      '0',
      '--data-dir',
      dir,
      '--database',
      server.url,
    ]);
    t.after(() => {
      pool.child.kill('SIGKILL');
    });
    await pool.waitFor(
      /database: PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:5432\/\w+, schema version \d+/,
      60_000,
    );
    await pool.waitFor(new RegExp(`share journal: ${join(dir, 'journal')}`), 60_000);
    await pool.waitFor(/miner connected: 9\w+\.demo/, 60_000);
    const db = await openDatabase({ url: server.url, poolSize: 1 });
    t.after(() => db.close());
    const count = async () =>
      Number((await db.query<{ n: bigint }>('SELECT count(*) AS n FROM shares')).rows[0]!.n);
    const deadline = Date.now() + 90_000;
    while ((await count()) === 0) {
      assert.ok(Date.now() < deadline, 'a demo-miner share reached PostgreSQL');
      await new Promise((r) => setTimeout(r, 250));
    }
    const exit = await pool.stop();
    assert.equal(exit.code, 0);
    const messages = pool.messages();
    const steps = [
      /shutting down/,
      /stratum: stopped; miner connections closed/,
      /share journal flushed: every acknowledged share is on disk/,
      /share shipper drained: every journaled share is in the database/,
      /database closed \(PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:5432\/\w+\)/,
      /stopped cleanly/,
    ].map((p) => messages.findIndex((m) => p.test(m)));
    assert.ok(
      steps.every((i, k) => i >= 0 && (k === 0 || i > steps[k - 1]!)),
      `shutdown steps in order:\n${messages.join('\n')}`,
    );
  });

  it('refuses a --database that is not a PostgreSQL URL (exit 2) and reports an unreachable server in one line (exit 1)', (t) => {
    const dir = tempDir(t, 'ep-start-');
    const bad = spawnSync(
      BIN,
      ['start', '--devnet', '--data-dir', dir, '--database', 'mysql://root@db/pool'],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /database\.url: must be a postgres:\/\//);
    const down = spawnSync(
      BIN,
      [
        'start',
        '--devnet',
        '--devnet-port',
        '0',
        '--stratum-port',
        '0',
        '--data-dir',
        dir,
        '--database',
        'postgres://pool:secret@127.0.0.1:1/pool',
      ],
      { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ENIGMAPOOL_LOG__FORMAT: 'json' } },
    );
    assert.equal(down.status, 1, down.stderr);
    const last = down.stderr.trim().split('\n').at(-1)!;
    assert.match(
      last,
      /^enigmapool: DatabaseConnectionError: cannot connect to PostgreSQL at postgres:\/\/pool:\*{8}@127\.0\.0\.1:1\/pool/,
    );
    assert.doesNotMatch(down.stderr, /secret/);
  });
});
