import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  DatabaseConnectionError,
  databaseOptions,
  isOutage,
  knownDatabase,
  maskUrl,
  migrate,
  openDatabase,
  rememberDatabase,
  schemaVersion,
} from '../../src/db/index.ts';
import { SERVER } from './helpers.ts';

const TIMEOUT = { timeout: 60_000 };

describe('a database server down at start', () => {
  it('is an outage for socket errors and server start/stop, a configuration error otherwise', () => {
    const failed = (code: string) =>
      new DatabaseConnectionError('cannot connect', { cause: Object.assign(new Error('x'), { code }) });
    assert.equal(isOutage(failed('ECONNREFUSED')), true);
    assert.equal(isOutage(failed('ETIMEDOUT')), true);
    assert.equal(isOutage(failed('57P03')), true, 'the database system is starting up');
    assert.equal(isOutage(failed('08006')), true);
    assert.equal(isOutage(failed('28P01')), false, 'a wrong password is not waited for');
    assert.equal(isOutage(failed('3D000')), false, 'a missing database is not waited for');
    assert.equal(isOutage(new Error('other')), false);
  });

  it('a data dir remembers the server it ran against, never its password', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ep-known-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const url = 'postgres://pool:s3cr3t@db:5432/pool';
    assert.equal(knownDatabase(dir, url), false);
    rememberDatabase(dir, url);
    assert.equal(knownDatabase(dir, url), true);
    assert.equal(knownDatabase(dir, 'postgres://pool:s3cr3t@other:5432/pool'), false);
    assert.doesNotMatch(readFileSync(join(dir, 'database.json'), 'utf8'), /s3cr3t/);
  });
});

describe('database URLs', () => {
  it('mask passwords', () => {
    assert.equal(maskUrl('postgres://pool:s3cr3t@db:5432/pool'), 'postgres://pool:********@db:5432/pool');
    assert.equal(maskUrl('postgresql://pool:p@ss:w@rd@db/pool'), 'postgresql://pool:********@db/pool');
    assert.equal(maskUrl('postgres://pool@db/pool'), 'postgres://pool@db/pool');
    assert.equal(
      maskUrl('postgres://db/pool?user=u&password=pw&ssl=1'),
      'postgres://db/pool?user=u&password=********&ssl=1',
    );
  });

  it('refuse an unsupported or malformed URL, naming it masked', async () => {
    for (const [url, message] of [
      ['mysql://root:hunter2@db/pool', /unsupported database URL "mysql:\/\/root:\*\*\*\*\*\*\*\*@db\/pool"/],
      [
        'postgres://root:hunter2@[::1/pool',
        /invalid database URL "postgres:\/\/root:\*\*\*\*\*\*\*\*@\[::1\/pool"/,
      ],
    ] as const) {
      await assert.rejects(
        openDatabase({ url }),
        (err: Error) =>
          err instanceof DatabaseConnectionError &&
          message.test(err.message) &&
          !err.message.includes('hunter2'),
      );
    }
    await assert.rejects(openDatabase({}), /needs a url .* or a dataDir/);
  });

  it('name an unreachable server with the password masked', TIMEOUT, async () => {
    const url = 'postgres://pool:hunter2@127.0.0.1:1/pool';
    await assert.rejects(
      openDatabase({ url, connectTimeoutMs: 3000 }),
      (err: Error) =>
        err instanceof DatabaseConnectionError &&
        err.message.startsWith(
          'cannot connect to PostgreSQL at postgres://pool:********@127.0.0.1:1/pool: ',
        ) &&
        /ECONNREFUSED/.test(err.message) &&
        !err.message.includes('hunter2'),
    );
  });

  it('name a missing database on a reachable server', TIMEOUT, async () => {
    await assert.rejects(
      openDatabase({ url: `${SERVER}/enigmapool_no_such_db` }),
      /enigmapool_no_such_db.*does not exist/,
    );
  });

  it('come from the config: database.url, else PGlite in dataDir/db', () => {
    assert.deepEqual(databaseOptions({ dataDir: '/var/pool' }), { dataDir: '/var/pool/db' });
    assert.deepEqual(databaseOptions({ dataDir: 'd', database: { url: 'postgres://h/p' } }), {
      url: 'postgres://h/p',
      dataDir: 'd/db',
    });
  });
});

describe('PGlite in a directory', TIMEOUT, () => {
  const root = mkdtempSync(join(tmpdir(), 'enigmapool-db-'));
  const dir = join(root, 'data', 'db');
  after(() => rmSync(root, { recursive: true, force: true }));

  it('persists across reopening, and a second open of the same directory is refused', async () => {
    const db = await openDatabase({ dataDir: dir });
    try {
      assert.equal(db.engine, 'pglite');
      await migrate(db);
      await db.query('INSERT INTO pool_cursors (pool_id, name, value) VALUES ($1, $2, $3)', [
        'ergo',
        'test',
        { at: 42 },
      ]);
      assert.equal(readFileSync(`${dir}.lock`, 'utf8').trim(), String(process.pid));
      await assert.rejects(
        openDatabase({ dataDir: dir }),
        /in use by process \d+ \(this process: close it first\)/,
      );
    } finally {
      await db.close();
    }
    assert.ok(!existsSync(`${dir}.lock`));
    await db.close(); // idempotent
    const again = await openDatabase({ dataDir: dir });
    try {
      assert.deepEqual((await migrate(again)).applied, []);
      const r = await again.query<{ value: unknown }>("SELECT value FROM pool_cursors WHERE name = 'test'");
      assert.deepEqual(r.rows, [{ value: { at: 42 } }]);
    } finally {
      await again.close();
    }
  });

  it('takes over the lock of a process that died', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(`${dir}.lock`, `${dead.stdout}\n`);
    const db = await openDatabase({ dataDir: dir });
    try {
      assert.equal(await schemaVersion(db), (await migrate(db)).current);
    } finally {
      await db.close();
    }
  });
});
