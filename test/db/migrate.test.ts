import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  checksumOf,
  type Database,
  loadMigrations,
  type Migration,
  MigrationError,
  migrate,
  openDatabase,
  schemaVersion,
} from '../../src/db/index.ts';
import { ENGINES, type Fresh, freshDatabase } from './helpers.ts';

const TIMEOUT = { timeout: 60_000 };
const MIGRATIONS = loadMigrations();
const NAMES = MIGRATIONS.map((m) => m.name);
const LATEST = MIGRATIONS[MIGRATIONS.length - 1]!.version;

const TABLES = [
  'balances',
  'blocks',
  'leases',
  'ledger_entries',
  'miner_settings',
  'miner_stats',
  'miner_stats_hourly',
  'payment_outputs',
  'payments',
  'pool_cursors',
  'pool_events',
  'pool_instances',
  'pool_stats',
  'schema_migrations',
  'share_ingest_progress',
  'share_rejections',
  'share_retention_holds',
  'shares',
];

const extra = (version: number, name: string, sql: string): Migration => ({
  version,
  name: `${String(version).padStart(4, '0')}_${name}`,
  sql,
  checksum: checksumOf(sql),
});

async function tables(db: Database): Promise<string[]> {
  const r = await db.query<{ t: string }>(
    `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
  );
  return r.rows.map((x) => x.t);
}

describe('migration files', () => {
  it('are numbered 0001… without gaps and named NNNN_name', () => {
    assert.ok(MIGRATIONS.length >= 4);
    MIGRATIONS.forEach((m, i) => {
      assert.equal(m.version, i + 1);
      assert.match(m.name, /^\d{4}_[a-z0-9_]+$/);
      assert.match(m.checksum, /^[0-9a-f]{64}$/);
    });
  });

  it('checksums ignore CRLF line endings but nothing else', () => {
    assert.equal(checksumOf('a;\r\nb;\r\n'), checksumOf('a;\nb;\n'));
    assert.notEqual(checksumOf('a;\nb;\n'), checksumOf('a;\nb; \n'));
  });
});

for (const engine of ENGINES) {
  describe(`migrations on ${engine}`, TIMEOUT, () => {
    let fresh: Fresh;
    let db: Database;
    before(async () => {
      fresh = await freshDatabase(engine);
      db = fresh.db;
    });
    after(() => fresh?.cleanup());

    it('apply from zero, in order, each recorded with its checksum', async () => {
      assert.equal(await schemaVersion(db), 0);
      const result = await migrate(db);
      assert.deepEqual(result, { applied: NAMES, current: LATEST });
      assert.deepEqual(await tables(db), TABLES);
      const rows = await db.query<{ version: number; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
      );
      assert.deepEqual(
        rows.rows,
        MIGRATIONS.map((m) => ({ version: m.version, name: m.name, checksum: m.checksum })),
      );
      assert.equal(await schemaVersion(db), LATEST);
    });

    it('are idempotent: a second run applies nothing', async () => {
      assert.deepEqual(await migrate(db), { applied: [], current: LATEST });
      assert.deepEqual(await tables(db), TABLES);
    });

    it('refuse an applied migration whose file changed, naming it', async () => {
      const changed = MIGRATIONS.map((m) =>
        m.version === 2 ? { ...m, checksum: checksumOf(`${m.sql}\n-- edit`) } : m,
      );
      await assert.rejects(
        migrate(db, { migrations: changed }),
        (err: Error) =>
          err instanceof MigrationError &&
          /migration 0002_blocks was changed after it was applied/.test(err.message),
      );
      // the same when the database side drifted
      await db.query("UPDATE schema_migrations SET checksum = 'x' WHERE version = 3");
      await assert.rejects(migrate(db), /migration 0003_accounting was changed/);
      await db.query('UPDATE schema_migrations SET checksum = $1 WHERE version = 3', [
        MIGRATIONS[2]!.checksum,
      ]);
      assert.deepEqual((await migrate(db)).applied, []);
    });

    it('roll back a failing migration completely and name it', async () => {
      const broken = extra(
        LATEST + 1,
        'broken',
        'CREATE TABLE half_done (x int);\nSELECT * FROM no_such_table;',
      );
      await assert.rejects(
        migrate(db, { migrations: [...MIGRATIONS, broken] }),
        (err: Error) => err instanceof MigrationError && err.message.includes(`${broken.name} failed`),
      );
      assert.ok(!(await tables(db)).includes('half_done'));
      assert.equal(await schemaVersion(db), LATEST);
    });

    it('apply a new migration later, then refuse older code on that database', async () => {
      const next = extra(LATEST + 1, 'later', 'CREATE TABLE later_table (x int);');
      assert.deepEqual(await migrate(db, { migrations: [...MIGRATIONS, next] }), {
        applied: [next.name],
        current: LATEST + 1,
      });
      await assert.rejects(
        migrate(db),
        new RegExp(`${next.name} applied, which this EnigmaPool does not have`),
      );
      await db.exec(`DROP TABLE later_table; DELETE FROM schema_migrations WHERE version = ${next.version}`);
    });

    it('run concurrently on one handle without harm', async () => {
      const results = await Promise.all([migrate(db), migrate(db), migrate(db)]);
      for (const r of results) assert.deepEqual(r, { applied: [], current: LATEST });
    });
  });
}

describe('concurrent starts on the server', TIMEOUT, () => {
  let fresh: Fresh;
  const handles: Database[] = [];
  before(async () => {
    fresh = await freshDatabase('postgres');
    for (let i = 0; i < 4; i++) handles.push(await openDatabase({ url: fresh.url!, poolSize: 2 }));
  });
  after(async () => {
    for (const h of handles) await h.close();
    await fresh?.cleanup();
  });

  it('apply each migration exactly once, in order, whoever wins', async () => {
    const results = await Promise.all(handles.map((h) => migrate(h)));
    const applied = results.flatMap((r) => r.applied).sort();
    assert.deepEqual(applied, [...NAMES].sort());
    for (const r of results) assert.equal(r.current, LATEST);
    const rows = await fresh.db.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY applied_at, version',
    );
    assert.deepEqual(
      rows.rows.map((r) => r.version),
      MIGRATIONS.map((m) => m.version),
    );
    assert.deepEqual(await tables(fresh.db), TABLES);
  });
});
