import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { checkDatabaseLedger } from '../../src/accounting/index.ts';
import {
  checkBalances,
  type Database,
  loadMigrations,
  MigrationError,
  migrate,
  type Sql,
  schemaVersion,
} from '../../src/db/index.ts';
import { ENGINES, type Fresh, freshDatabase } from './helpers.ts';

const TIMEOUT = { timeout: 60_000 };
const MIGRATIONS = loadMigrations();
const V7 = MIGRATIONS.filter((m) => m.version <= 7);
const POOLS_SQL = MIGRATIONS.find((m) => m.name === '0008_pools')!.sql;

/** Every table whose rows belong to one pool (migration 0008). */
const POOL_TABLES = [
  'balances',
  'blocks',
  'ledger_entries',
  'miner_settings',
  'miner_stats',
  'miner_stats_hourly',
  'payments',
  'pool_cursors',
  'pool_events',
  'pool_stats',
  'share_rejections',
  'share_retention_holds',
  'shares',
];
/** Per process or per deployment: no pool column. */
const SHARED_TABLES = ['leases', 'payment_outputs', 'pool_instances', 'share_ingest_progress'];

const T = new Date(Date.UTC(2026, 0, 1));

async function share(sql: Sql, address: string, isBlock: boolean, pool?: string): Promise<string> {
  const id = randomUUID();
  const named = pool !== undefined;
  await sql.query(
    `INSERT INTO shares (id, ${named ? 'pool_id, ' : ''}address, difficulty, expected_hashes, job_id, height,
                         network_difficulty, nonce, hit, created_at, is_block)
     VALUES ($1, ${named ? '$5, ' : ''}$2, 1, 10, 'j', 1925001, 1000, 'n', 1, $3, $4)`,
    named ? [id, address, T, isBlock, pool] : [id, address, T, isBlock],
  );
  return id;
}

/** A block as version 7 wrote it (no pool), or of `pool`. */
async function block(sql: Sql, height: number, pool?: string): Promise<bigint> {
  const r = await sql.query<{ id: bigint }>(
    `INSERT INTO blocks (${pool ? 'pool_id, ' : ''}height, nonce, miner_address, network_difficulty, created_at)
     VALUES (${pool ? '$3, ' : ''}$1, $2, 'A', 1000, now()) RETURNING id`,
    pool ? [height, `n${height}`, pool] : [height, `n${height}`],
  );
  return r.rows[0]!.id;
}

/** A version-7 pool's history in every per-pool table (and the shared ones). */
async function seedVersion7(db: Database): Promise<void> {
  await share(db, 'A', false);
  const finder = await share(db, 'A', true);
  const pending = await block(db, 101);
  const confirmed = await block(db, 102);
  const orphaned = await block(db, 103);
  await db.query('UPDATE blocks SET share_id = $1 WHERE id = $2', [finder, confirmed]);
  await db.query(
    `INSERT INTO ledger_entries (address, amount, kind, block_id, reason, idempotency_key) VALUES
       ('A', 700, 'block_credit', $1, 'r', NULL), ('B', 300, 'block_credit', $1, 'r', NULL),
       ('A', 900, 'block_credit', $2, 'r', NULL), ('F', 100, 'fee', $2, 'r', NULL),
       ('B', 1000, 'block_credit', $3, 'r', NULL), ('A', 50, 'pps_credit', NULL, 'r', 'pps:1:A')`,
    [pending, confirmed, orphaned],
  );
  await db.query(
    "UPDATE blocks SET status = 'confirmed', reward = 1000, credited_at = now(), confirmations = 3 WHERE id = $1",
    [confirmed],
  );
  await db.query("UPDATE blocks SET status = 'orphaned', reward = 1000, credited_at = now() WHERE id = $1", [
    orphaned,
  ]);
  await db.query('UPDATE blocks SET reward = 1000, credited_at = now(), confirmations = 1 WHERE id = $1', [
    pending,
  ]);
  const payment = (
    await db.query<{ id: bigint }>(
      `INSERT INTO payments (status, fee, request) VALUES ('planned', 1, '{}'::jsonb) RETURNING id`,
    )
  ).rows[0]!.id;
  await db.query(`INSERT INTO payment_outputs (payment_id, address, amount) VALUES ($1, 'A', 800)`, [
    payment,
  ]);
  await db.query(
    `INSERT INTO ledger_entries (address, amount, kind, payment_id, reason) VALUES ('A', -801, 'payout', $1, 'p')`,
    [payment],
  );
  await db.query(`UPDATE payments SET status = 'sent', tx_id = 'tx1', sent_at = now() WHERE id = $1`, [
    payment,
  ]);
  await db.query(`INSERT INTO miner_settings (address, payout_threshold) VALUES ('A', 5000)`);
  await db.query(
    `INSERT INTO pool_stats (sampled_at, interval_seconds, hashrate, weight) VALUES ($1, 60, 1.5, 0.25)`,
    [T],
  );
  await db.query(
    `INSERT INTO miner_stats (address, worker, sampled_at, interval_seconds, hashrate) VALUES ('A', 'r', $1, 60, 1)`,
    [T],
  );
  await db.query(
    `INSERT INTO miner_stats_hourly (address, worker, hour_end, expected_hashes) VALUES ('A', 'r', $1, 10)`,
    [T],
  );
  await db.query(
    `INSERT INTO share_rejections (bucket_at, instance, address, worker, stale) VALUES ($1, '01', 'A', 'r', 2)`,
    [T],
  );
  await db.query(
    `INSERT INTO pool_cursors (name, value) VALUES ('pps', '{"until": "2026-01-01T00:00:00Z"}'), ('stats', '{}')`,
  );
  await db.query(`INSERT INTO share_retention_holds (name, keep_from) VALUES ('pps', $1)`, [T]);
  await db.query(`INSERT INTO share_ingest_progress (instance, complete_until) VALUES ('01', $1)`, [T]);
  await db.query(`INSERT INTO pool_instances (instance, roles, started_at) VALUES ('01', '{all}', $1)`, [T]);
  await db.query(`INSERT INTO leases (name, holder, token, expires_at) VALUES ('stats', 'h', 1, now())`);
}

async function balances(db: Database, pool?: string) {
  const r = await db.query<{
    pool_id?: string;
    address: string;
    immature: bigint;
    payable: bigint;
    paid: bigint;
  }>(
    `SELECT ${pool ? 'pool_id, ' : ''}address, immature, payable, paid FROM balances
      ${pool ? 'WHERE pool_id = $1' : ''} ORDER BY address`,
    pool ? [pool] : [],
  );
  return r.rows;
}

async function poolColumn(db: Database, table: string) {
  const r = await db.query<{
    is_nullable: string;
    column_default: string | null;
    collation_name: string | null;
  }>(
    `SELECT is_nullable, column_default, collation_name FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = $1 AND column_name = 'pool_id'`,
    [table],
  );
  return r.rows[0] ?? null;
}

for (const engine of ENGINES) {
  describe(`migration 0008 moves a version-7 database to the default pool (${engine})`, TIMEOUT, () => {
    let fresh: Fresh;
    let db: Database;
    before(async () => {
      fresh = await freshDatabase(engine);
      db = fresh.db;
      await migrate(db, { migrations: V7 });
      await seedVersion7(db);
    });
    after(() => fresh?.cleanup());

    it('refuses to run without the default pool id (by hand, or an empty one)', async () => {
      await assert.rejects(
        db.transaction((tx) => tx.exec(POOLS_SQL)),
        /moves existing rows to the default pool: run it with migrate\(\)/,
      );
      await assert.rejects(migrate(db, { defaultPoolId: '' }), MigrationError);
      assert.equal(await schemaVersion(db), 7);
    });

    it('gives every row of every per-pool table the default pool; balances still equal the ledger', async () => {
      const before = await balances(db);
      const counts = new Map<string, bigint>();
      for (const table of POOL_TABLES)
        counts.set(table, (await db.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
      for (const [table, n] of counts) assert.ok(n > 0n, `${table} has rows to move`);

      assert.deepEqual(await migrate(db, { defaultPoolId: 'legacy' }), {
        applied: ['0008_pools'],
        current: 8,
      });
      for (const table of POOL_TABLES) {
        const r = await db.query<{ pool_id: string; n: bigint }>(
          `SELECT pool_id, count(*) AS n FROM ${table} GROUP BY pool_id`,
        );
        assert.deepEqual(r.rows, [{ pool_id: 'legacy', n: counts.get(table) }], table);
        assert.deepEqual(
          await poolColumn(db, table),
          { is_nullable: 'NO', column_default: null, collation_name: 'C' },
          `${table}: the pool is always written explicitly`,
        );
      }
      for (const table of SHARED_TABLES) assert.equal(await poolColumn(db, table), null, table);
      assert.deepEqual(
        (await balances(db, 'legacy')).map(({ pool_id: _, ...b }) => b),
        before,
        'the same balances, now of the default pool',
      );
      assert.deepEqual(await checkBalances(db), []);
      assert.deepEqual(await checkDatabaseLedger(db), []);
    });

    it('afterwards the triggers keep the moved balances in their pool and refuse other pools’ blocks', async () => {
      const pending = (await db.query<{ id: bigint }>('SELECT id FROM blocks WHERE height = 101')).rows[0]!
        .id;
      await db.query("UPDATE blocks SET status = 'confirmed' WHERE id = $1", [pending]);
      const a = (await balances(db, 'legacy')).find((b) => b.address === 'A')!;
      assert.deepEqual([a.immature, a.payable, a.paid], [0n, 700n + 900n + 50n - 801n, 801n]);
      await assert.rejects(
        db.query(
          `INSERT INTO ledger_entries (pool_id, address, amount, kind, block_id, reason)
           VALUES ('other', 'Z', 1, 'block_credit', $1, 'x')`,
          [pending],
        ),
        { code: '23503' },
      );
      await assert.rejects(db.query(`INSERT INTO pool_cursors (name, value) VALUES ('x', '1')`), {
        code: '23502',
      });
      const events = await db.query<{ pool_id: string; kind: string }>(
        `SELECT pool_id, kind FROM pool_events ORDER BY id DESC LIMIT 1`,
      );
      assert.deepEqual(events.rows, [{ pool_id: 'legacy', kind: 'block.confirmed' }]);
      assert.deepEqual(await checkDatabaseLedger(db), []);
    });
  });

  describe(`two pools in one database: the schema keeps them apart (${engine})`, TIMEOUT, () => {
    let fresh: Fresh;
    let db: Database;
    before(async () => {
      fresh = await freshDatabase(engine, { migrated: true });
      db = fresh.db;
    });
    after(() => fresh?.cleanup());

    const entry = (
      pool: string,
      address: string,
      amount: bigint,
      kind: string,
      ref: Record<string, unknown>,
    ) =>
      db.query(
        `INSERT INTO ledger_entries (pool_id, address, amount, kind, block_id, payment_id, reason, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6, 'test', $7)`,
        [pool, address, amount, kind, ref.block ?? null, ref.payment ?? null, ref.key ?? null],
      );

    it('a share names its pool; a solution is recorded once per pool; a chain block pays one pool', async () => {
      await assert.rejects(share(db, 'A', false), { code: '23502' });
      await assert.rejects(share(db, 'A', false, ''), { code: '23514' });
      const a = await block(db, 500, 'ergo');
      const b = await block(db, 500, 'solo');
      await assert.rejects(block(db, 500, 'ergo'), { code: '23505' });
      await db.query(`UPDATE blocks SET header_id = 'h500' WHERE id = $1`, [a]);
      await assert.rejects(db.query(`UPDATE blocks SET header_id = 'h500' WHERE id = $1`, [b]), {
        code: '23505',
      });
      const found = await db.query<{ pool_id: string }>(
        `SELECT pool_id FROM pool_events WHERE kind = 'block.found' AND block_id = ANY($1::bigint[]) ORDER BY id`,
        [[a, b]],
      );
      assert.deepEqual(
        found.rows.map((r) => r.pool_id),
        ['ergo', 'solo'],
        'each event in the pool of its block',
      );
    });

    it('a ledger entry naming another pool’s block or payment is refused; keys are unique per pool', async () => {
      const theirs = await block(db, 600, 'solo');
      await assert.rejects(entry('ergo', 'A', 5n, 'block_credit', { block: theirs }), { code: '23503' });
      const payment = (
        await db.query<{ id: bigint }>(
          `INSERT INTO payments (pool_id, status) VALUES ('solo', 'planned') RETURNING id`,
        )
      ).rows[0]!.id;
      await assert.rejects(entry('ergo', 'A', -5n, 'payout', { payment }), { code: '23503' });
      await entry('solo', 'A', 5n, 'block_credit', { block: theirs });
      // A block or payment with entries cannot change pool (its money would go with it).
      await assert.rejects(db.query(`UPDATE blocks SET pool_id = 'ergo' WHERE id = $1`, [theirs]), {
        code: '23503',
      });
      await entry('ergo', 'A', 1n, 'adjustment', { key: 'fix-1' });
      await entry('solo', 'A', 1n, 'adjustment', { key: 'fix-1' });
      await assert.rejects(entry('ergo', 'A', 1n, 'adjustment', { key: 'fix-1' }), { code: '23505' });
      await db.query(`UPDATE payments SET status = 'failed' WHERE id = $1`, [payment]);
      const failed = await db.query<{ pool_id: string }>(
        `SELECT pool_id FROM pool_events WHERE payment_id = $1`,
        [payment],
      );
      assert.deepEqual(failed.rows, [{ pool_id: 'solo' }]);
    });

    it('balances are per pool and address: a block’s status moves its own pool’s balances only', async () => {
      const mine = await block(db, 700, 'ergo');
      await entry('ergo', 'M', 400n, 'block_credit', { block: mine });
      await entry('solo', 'M', 30n, 'pps_credit', {});
      const of = async (pool: string) =>
        (await balances(db, pool))
          .filter((b) => b.address === 'M')
          .map((b) => [b.immature, b.payable, b.paid]);
      assert.deepEqual(await of('ergo'), [[400n, 0n, 0n]]);
      assert.deepEqual(await of('solo'), [[0n, 30n, 0n]]);
      await db.query(`UPDATE blocks SET status = 'confirmed' WHERE id = $1`, [mine]);
      assert.deepEqual(await of('ergo'), [[0n, 400n, 0n]]);
      assert.deepEqual(await of('solo'), [[0n, 30n, 0n]]);
      assert.deepEqual(await checkBalances(db), []);
      const view = await db.query<{ pool_id: string; payable: bigint }>(
        `SELECT pool_id, payable FROM balances_from_ledger WHERE address = 'M' ORDER BY pool_id`,
      );
      assert.deepEqual(view.rows, [
        { pool_id: 'ergo', payable: 400n },
        { pool_id: 'solo', payable: 30n },
      ]);
    });

    it('checkBalances catches a balance moved to another pool, though the address’s total agrees', async () => {
      await entry('ergo', 'Q', 70n, 'adjustment', {});
      await db.transaction(async (tx) => {
        // Only the ledger triggers may write balances: this impersonates them to corrupt on purpose.
        await tx.query("SELECT set_config('enigmapool.balances_writer', 'ledger', true)");
        await tx.query(`UPDATE balances SET pool_id = 'solo' WHERE pool_id = 'ergo' AND address = 'Q'`);
      });
      const problems = await checkBalances(db);
      assert.deepEqual(
        problems.map((m) => [m.poolId, m.address, m.stored.payable, m.fromLedger.payable]),
        [
          ['ergo', 'Q', 0n, 70n],
          ['solo', 'Q', 70n, 0n],
        ],
      );
      const ledger = await checkDatabaseLedger(db);
      assert.ok(
        ledger.some((p) => /^pool ergo: Q: payable balance 0 ≠ Σ rows 70/.test(p)),
        ledger.join('\n'),
      );
      assert.ok(
        ledger.some((p) => /^pool solo: Q: payable balance 70 ≠ Σ rows 0/.test(p)),
        ledger.join('\n'),
      );
      await db.transaction(async (tx) => {
        await tx.query("SELECT set_config('enigmapool.balances_writer', 'ledger', true)");
        await tx.query(`UPDATE balances SET pool_id = 'ergo' WHERE pool_id = 'solo' AND address = 'Q'`);
      });
      assert.deepEqual(await checkBalances(db), []);
    });
  });
}
