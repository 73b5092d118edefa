import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../../src/db/index.ts';
import { ENGINES, type Fresh, freshDatabase } from './helpers.ts';

const TIMEOUT = { timeout: 60_000 };

/** A row of `shares` with the columns the share pipeline writes. */
const SHARE_COLUMNS = [
  'id',
  'pool_id',
  'address',
  'worker',
  'difficulty',
  'expected_hashes',
  'job_id',
  'height',
  'network_difficulty',
  'nonce',
  'hit',
  'created_at',
  'is_block',
];
const shareRow = (id: string, i: number): unknown[] => [
  id,
  'ergo',
  `9addr${i % 7}`,
  'rig',
  '0.5',
  2147483648n,
  'job1',
  1_000_000 + i,
  2n ** 60n,
  i.toString(16).padStart(16, '0'),
  2n ** 255n + BigInt(i),
  new Date(1_700_000_000_000 + i),
  false,
];

const count = async (db: Database, table: string) =>
  (await db.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n;

for (const engine of ENGINES) {
  describe(`db adapter on ${engine}`, TIMEOUT, () => {
    let fresh: Fresh;
    let db: Database;
    before(async () => {
      fresh = await freshDatabase(engine, { migrated: true });
      db = fresh.db;
      await db.exec(`
        CREATE TABLE types_rt (
          k serial PRIMARY KEY, i8 bigint, n30 numeric(30,0), n78 numeric(78,0), dec numeric, ts timestamptz,
          b bytea, flag boolean, u uuid, d date, arr bigint[], j jsonb, f float8, i4 integer, t text);
        CREATE TABLE counter (id int PRIMARY KEY, v int NOT NULL);
        INSERT INTO counter VALUES (1, 0);`);
    });
    after(() => fresh?.cleanup());

    it('reports its engine', () => assert.equal(db.engine, engine));

    it('round-trips every type the schema uses, the same on both engines', async () => {
      const hit = 2n ** 256n - 1n;
      const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7));
      const when = new Date('2024-02-29T23:59:59.123Z');
      const uuid = randomUUID();
      await db.query(
        `INSERT INTO types_rt (i8, n30, n78, dec, ts, b, flag, u, d, arr, j, f, i4, t)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [
          2n ** 63n - 1n,
          10n ** 29n + 7n,
          hit,
          '0.000012345678901234567890123',
          when,
          new Uint8Array(bytes),
          true,
          uuid,
          '2024-02-29',
          [1n, -(2n ** 63n), null],
          { a: 1, s: 'x' },
          1.5,
          42,
          12n,
        ],
      );
      const { rows, rowCount } = await db.query<Record<string, unknown>>('SELECT * FROM types_rt');
      assert.equal(rowCount, 1);
      const r = rows[0]!;
      assert.equal(r.i8, 2n ** 63n - 1n);
      assert.equal(r.n30, '100000000000000000000000000007');
      assert.equal(r.n78, hit.toString());
      assert.equal(BigInt(r.n78 as string), hit);
      assert.equal(r.dec, '0.000012345678901234567890123');
      assert.ok(r.ts instanceof Date);
      assert.equal((r.ts as Date).getTime(), when.getTime());
      assert.ok(Buffer.isBuffer(r.b));
      assert.deepEqual(r.b, bytes);
      assert.equal(r.flag, true);
      assert.equal(r.u, uuid);
      assert.equal(r.d, '2024-02-29');
      assert.deepEqual(r.arr, [1n, -(2n ** 63n), null]);
      assert.deepEqual(r.j, { a: 1, s: 'x' });
      assert.equal(r.f, 1.5);
      assert.equal(r.i4, 42);
      assert.equal(r.t, '12');
    });

    it('returns int8 as bigint even when small, and aggregates exactly', async () => {
      await db.query('INSERT INTO types_rt (i8) VALUES ($1), ($1)', [2n ** 63n - 1n]);
      const r = await db.query<{ n: bigint; one: bigint; total: string; big: string }>(
        `SELECT count(*) AS n, 1::int8 AS one, sum(i8) AS total, (2::numeric(30,0) ^ 64)::numeric(30,0) AS big
           FROM types_rt WHERE i8 IS NOT NULL`,
      );
      assert.equal(r.rows[0]!.n, 3n);
      assert.equal(r.rows[0]!.one, 1n);
      assert.equal(BigInt(r.rows[0]!.total), 3n * (2n ** 63n - 1n)); // beyond 2^63: numeric
      assert.equal(r.rows[0]!.big, (2n ** 64n).toString());
    });

    it('refuses a bigint beyond 2^63 in an int8 column with the same SQLSTATE', async () => {
      await assert.rejects(db.query('INSERT INTO types_rt (i8) VALUES ($1)', [2n ** 63n]), {
        code: '22003',
      });
      await db.query('INSERT INTO types_rt (n30) VALUES ($1)', [2n ** 63n]);
    });

    it('runs sessions in UTC and orders addresses bytewise on both engines', async () => {
      const r = await db.query<{ tz: string; day: Date }>(
        `SELECT current_setting('TimeZone') AS tz, date_trunc('day', '2024-03-01T23:30:00-05:00'::timestamptz) AS day`,
      );
      assert.match(r.rows[0]!.tz, /^(Etc\/)?UTC$/);
      assert.equal(r.rows[0]!.day.toISOString(), '2024-03-02T00:00:00.000Z');
      await db.query(
        `INSERT INTO miner_settings (pool_id, address) VALUES ('ergo', 'b9'), ('ergo', 'B1'), ('ergo', 'a2'),
           ('ergo', '_x'), ('ergo', 'A3') ON CONFLICT DO NOTHING`,
      );
      const order = await db.query<{ address: string }>(
        'SELECT address FROM miner_settings ORDER BY address',
      );
      assert.deepEqual(
        order.rows.map((x) => x.address),
        ['A3', 'B1', '_x', 'a2', 'b9'],
      );
    });

    it('runs one statement per query and several per exec', async () => {
      await assert.rejects(db.query('SELECT 1; SELECT 2'), { code: '42601' });
      await db.exec(
        'CREATE TEMP TABLE scratch (x int); INSERT INTO scratch VALUES (1), (2); DROP TABLE scratch',
      );
    });

    it('exposes SQLSTATE codes of constraint errors the same way', async () => {
      await assert.rejects(db.query('INSERT INTO counter VALUES (1, 0)'), { code: '23505' });
      await assert.rejects(db.query('INSERT INTO counter VALUES (NULL, 0)'), { code: '23502' });
    });

    it('commits a transaction and returns its value', async () => {
      const value = await db.transaction(async (tx) => {
        await tx.query('UPDATE counter SET v = v + 1 WHERE id = 1');
        const r = await tx.query<{ v: number }>('SELECT v FROM counter WHERE id = 1');
        return r.rows[0]!.v;
      });
      assert.equal(value, 1);
      assert.equal((await db.query<{ v: number }>('SELECT v FROM counter')).rows[0]!.v, 1);
    });

    it('rolls a transaction back when its function throws, and rethrows the same error', async () => {
      const boom = new Error('boom');
      let leaked: Parameters<Parameters<Database['transaction']>[0]>[0] | undefined;
      await assert.rejects(
        db.transaction(async (tx) => {
          leaked = tx;
          await tx.query('UPDATE counter SET v = 100 WHERE id = 1');
          await tx.exec('INSERT INTO counter VALUES (2, 2); INSERT INTO counter VALUES (3, 3)');
          throw boom;
        }),
        (err) => err === boom,
      );
      assert.equal((await db.query<{ v: number }>('SELECT v FROM counter WHERE id = 1')).rows[0]!.v, 1);
      assert.equal(await count(db, 'counter'), 1n);
      await assert.rejects(leaked!.query('SELECT 1'), /after its transaction ended/);
    });

    it('rolls back when a statement fails inside the transaction', async () => {
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('UPDATE counter SET v = 50 WHERE id = 1');
          await tx.query('INSERT INTO counter VALUES (1, 0)');
        }),
        { code: '23505' },
      );
      assert.equal((await db.query<{ v: number }>('SELECT v FROM counter WHERE id = 1')).rows[0]!.v, 1);
      // the database (and on the server, the pooled connection) is usable afterwards
      assert.equal((await db.query('SELECT 1 AS one')).rowCount, 1);
    });

    it('fails a transaction whose failed statement was caught inside it (nothing committed)', async () => {
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('UPDATE counter SET v = 77 WHERE id = 1');
          await tx.query('INSERT INTO counter VALUES (1, 0)').catch(() => {});
          return 'looks fine';
        }),
        { code: '25P02', message: /rolled back instead of committed/ },
      );
      assert.equal((await db.query<{ v: number }>('SELECT v FROM counter WHERE id = 1')).rows[0]!.v, 1);
    });

    // The server only: PGlite is one in-process session, with no connection anyone could end.
    if (engine === 'postgres')
      it('survives connections the server ends, inside and outside transactions', async () => {
        const killOthers = async () => {
          await db.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()`,
          );
          await new Promise((resolve) => setTimeout(resolve, 100));
        };
        await assert.rejects(
          db.transaction(async (tx) => {
            await tx.query('UPDATE counter SET v = 99 WHERE id = 1');
            await killOthers();
            await tx.query('SELECT 1');
          }),
        );
        await killOthers(); // idle pooled connections too
        assert.equal((await db.query<{ v: number }>('SELECT v FROM counter WHERE id = 1')).rows[0]!.v, 1);
        assert.equal(await db.transaction(async (tx) => (await tx.query('SELECT 1')).rowCount), 1);
      });

    it('runs concurrent transactions without losing updates', async () => {
      const bump = () =>
        db.transaction(async (tx) => {
          const r = await tx.query<{ v: number }>('SELECT v FROM counter WHERE id = 1 FOR UPDATE');
          await new Promise((resolve) => setTimeout(resolve, 1));
          await tx.query('UPDATE counter SET v = $1 WHERE id = 1', [r.rows[0]!.v + 1]);
        });
      await Promise.all(Array.from({ length: 20 }, bump));
      assert.equal((await db.query<{ v: number }>('SELECT v FROM counter WHERE id = 1')).rows[0]!.v, 21);
    });

    it('insertMany inserts in chunks and counts only rows actually inserted (idempotent by id)', async () => {
      const ids = Array.from({ length: 2500 }, () => randomUUID());
      const rows = ids.map((id, i) => shareRow(id, i));
      assert.equal(await db.insertMany('shares', SHARE_COLUMNS, rows, { onConflictDoNothing: ['id'] }), 2500);
      assert.equal(await count(db, 'shares'), 2500n);
      const replay = [...rows.slice(1000, 2200), ...[0, 1, 2].map((i) => shareRow(randomUUID(), 5000 + i))];
      assert.equal(await db.insertMany('shares', SHARE_COLUMNS, replay, { onConflictDoNothing: ['id'] }), 3);
      assert.equal(await db.insertMany('shares', SHARE_COLUMNS, replay), 0); // default: any conflict skipped
      assert.equal(await count(db, 'shares'), 2503n);
      const back = await db.query<{ hit: string; expected_hashes: string; created_at: Date }>(
        'SELECT hit, expected_hashes, created_at FROM shares WHERE id = $1',
        [ids[7]],
      );
      assert.equal(BigInt(back.rows[0]!.hit), 2n ** 255n + 7n);
      assert.equal(back.rows[0]!.expected_hashes, '2147483648');
      assert.equal(back.rows[0]!.created_at.getTime(), 1_700_000_000_007);
      assert.equal(await db.insertMany('shares', SHARE_COLUMNS, []), 0);
    });

    it('insertMany without conflict handling fails as a whole (all chunks or none)', async () => {
      const before = await count(db, 'shares');
      const existing = (await db.query<{ id: string }>('SELECT id FROM shares LIMIT 1')).rows[0]!.id;
      const rows = Array.from({ length: 1500 }, (_, i) => shareRow(randomUUID(), 9000 + i));
      rows[1200] = shareRow(existing, 1);
      await assert.rejects(db.insertMany('shares', SHARE_COLUMNS, rows, { onConflictDoNothing: false }), {
        code: '23505',
      });
      assert.equal(await count(db, 'shares'), before);
    });

    it('insertMany works inside a transaction through insertRows', async () => {
      const { insertRows } = await import('../../src/db/index.ts');
      const id = randomUUID();
      await assert.rejects(
        db.transaction(async (tx) => {
          assert.equal(await insertRows(tx, 'shares', SHARE_COLUMNS, [shareRow(id, 1)]), 1);
          throw new Error('undo');
        }),
        /undo/,
      );
      assert.equal((await db.query('SELECT 1 FROM shares WHERE id = $1', [id])).rowCount, 0);
    });

    it('insertMany refuses unsafe identifiers and ragged rows', async () => {
      await assert.rejects(db.insertMany('shares; DROP TABLE x', ['id'], [[randomUUID()]]), /invalid table/);
      await assert.rejects(db.insertMany('shares', ['id"'], [[randomUUID()]]), /invalid column/);
      await assert.rejects(
        db.insertMany('shares', ['id', 'address'], [[randomUUID()]]),
        /row 0 has 1 values/,
      );
    });
  });
}
