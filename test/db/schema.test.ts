import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { checkBalances, type Database, type Sql } from '../../src/db/index.ts';
import { ENGINES, type Fresh, freshDatabase, show } from './helpers.ts';

const TIMEOUT = { timeout: 60_000 };
const POOL = 'ergo';

interface BalanceRow {
  address: string;
  immature: bigint;
  payable: bigint;
  paid: bigint;
}

async function balances(db: Database): Promise<Record<string, [bigint, bigint, bigint]>> {
  const r = await db.query<BalanceRow>(
    'SELECT address, immature, payable, paid FROM balances WHERE pool_id = $1 ORDER BY address',
    [POOL],
  );
  return Object.fromEntries(r.rows.map((b) => [b.address, [b.immature, b.payable, b.paid]]));
}

async function newBlock(sql: Sql, height: number): Promise<bigint> {
  const r = await sql.query<{ id: bigint }>(
    `INSERT INTO blocks (pool_id, height, nonce, miner_address, network_difficulty, share_id)
     VALUES ($5, $1, $2, 'miner', $3, $4) RETURNING id`,
    [height, `${height.toString(16).padStart(16, '0')}`, 2n ** 50n, randomUUID(), POOL],
  );
  return r.rows[0]!.id;
}

async function entry(
  sql: Sql,
  e: { address: string; amount: bigint; kind: string; block?: bigint; payment?: bigint; key?: string },
): Promise<void> {
  await sql.query(
    `INSERT INTO ledger_entries (pool_id, address, amount, kind, block_id, payment_id, reason, idempotency_key)
     VALUES ($8, $1, $2, $3, $4, $5, $6, $7)`,
    [e.address, e.amount, e.kind, e.block, e.payment, `test ${e.kind}`, e.key, POOL],
  );
}

/** Σ credits (non-payout entries of blocks not orphaned) = immature + payable + paid, per address. */
async function assertInvariants(db: Database): Promise<void> {
  assert.deepEqual(await checkBalances(db), [], 'balances = balances_from_ledger');
  const r = await db.query<{ address: string; credited: string; total: string }>(
    `SELECT b.address,
            coalesce((SELECT sum(e.amount) FROM ledger_entries e LEFT JOIN blocks k ON k.id = e.block_id
                       WHERE e.pool_id = b.pool_id AND e.address = b.address
                         AND e.kind NOT IN ('payout', 'payout_reversal')
                         AND (k.status IS NULL OR k.status <> 'orphaned')), 0) AS credited,
            b.immature + b.payable + b.paid AS total
       FROM balances b`,
  );
  for (const row of r.rows) assert.equal(BigInt(row.total), BigInt(row.credited), show(row));
}

for (const engine of ENGINES) {
  describe(`schema on ${engine}`, TIMEOUT, () => {
    let fresh: Fresh;
    let db: Database;
    before(async () => {
      fresh = await freshDatabase(engine, { migrated: true });
      db = fresh.db;
    });
    after(() => fresh?.cleanup());

    it('has the indexes accounting and stats read through', async () => {
      const r = await db.query<{ indexname: string; indexdef: string }>(
        `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'shares' ORDER BY indexname`,
      );
      const defs = Object.fromEntries(r.rows.map((x) => [x.indexname, x.indexdef]));
      assert.match(defs.shares_pkey!, /\(id\)/);
      assert.match(defs.shares_created_at_idx!, /\(pool_id, created_at, id\)/);
      assert.match(defs.shares_address_created_at_idx!, /\(pool_id, address, created_at\)/);
      const plans: [string, string][] = [
        [
          `SELECT id FROM shares WHERE pool_id = 'ergo' ORDER BY created_at DESC, id DESC LIMIT 100`,
          'shares_created_at_idx',
        ],
        [
          `SELECT sum(expected_hashes) FROM shares
            WHERE pool_id = 'ergo' AND created_at > now() - interval '1 day' AND created_at <= now()`,
          'shares_created_at_idx',
        ],
        [
          `SELECT count(*) FROM shares
            WHERE pool_id = 'ergo' AND address = 'a' AND created_at > now() - interval '1 hour'`,
          'shares_address_created_at_idx',
        ],
      ];
      // Two pools of 100 miners over ten days, analysed: on an empty table every index costs the same.
      await db.query(
        `INSERT INTO shares (id, pool_id, address, difficulty, expected_hashes, job_id, height, network_difficulty,
                             nonce, hit, created_at)
         SELECT gen_random_uuid(), CASE WHEN i % 2 = 0 THEN 'ergo' ELSE 'solo' END, 'm' || (i % 100), 1, 1,
                'plans', 1, 1, 'n', 1, now() - i * interval '1 minute'
           FROM generate_series(1, 14400) AS i`,
      );
      await db.exec('ANALYZE shares');
      try {
        await db.transaction(async (tx) => {
          await tx.query('SET LOCAL enable_seqscan = off');
          for (const [query, index] of plans) {
            const plan = (await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${query}`)).rows
              .map((p) => p['QUERY PLAN'])
              .join('\n');
            assert.ok(plan.includes(index), `${query}\n${plan}`);
          }
        });
      } finally {
        await db.query(`DELETE FROM shares WHERE job_id = 'plans'`);
      }
    });

    it('keeps blocks unique by (pool, height, nonce), checks statuses and stamps status times', async () => {
      const id = await newBlock(db, 100);
      await assert.rejects(newBlock(db, 100), { code: '23505' });
      await assert.rejects(db.query("UPDATE blocks SET status = 'lost' WHERE id = $1", [id]), {
        code: '23514',
      });
      await db.query("UPDATE blocks SET status = 'confirmed', confirmations = 720 WHERE id = $1", [id]);
      const r = await db.query<{ confirmed_at: Date | null; orphaned_at: Date | null }>(
        'SELECT confirmed_at, orphaned_at FROM blocks WHERE id = $1',
        [id],
      );
      assert.ok(r.rows[0]!.confirmed_at instanceof Date);
      assert.equal(r.rows[0]!.orphaned_at, null);
      await assert.rejects(
        db.query(
          'UPDATE blocks SET reward = 10, reward_emission = 10, reward_fees = 1, reward_reemission = 0 WHERE id = $1',
          [id],
        ),
        { code: '23514' },
      );
      await db.query(
        'UPDATE blocks SET reward = 9, reward_emission = 10, reward_fees = 1, reward_reemission = 2 WHERE id = $1',
        [id],
      );
    });

    it('moves balances with the ledger and block statuses, keeping every invariant', async () => {
      const b1 = await newBlock(db, 200);
      const b2 = await newBlock(db, 201);
      // a block's split: immature while pending
      await entry(db, { address: 'A', amount: 600n, kind: 'block_credit', block: b1 });
      await entry(db, { address: 'B', amount: 390n, kind: 'block_credit', block: b1 });
      await entry(db, { address: 'F', amount: 10n, kind: 'fee', block: b1 });
      await entry(db, { address: 'A', amount: 50n, kind: 'block_credit', block: b2 });
      await entry(db, { address: 'A', amount: 7n, kind: 'pps_credit' });
      assert.deepEqual(await balances(db), { A: [650n, 7n, 0n], B: [390n, 0n, 0n], F: [10n, 0n, 0n] });
      await assertInvariants(db);

      // a block's credits are written once per address and kind
      await assert.rejects(entry(db, { address: 'A', amount: 1n, kind: 'block_credit', block: b1 }), {
        code: '23505',
      });
      await entry(db, { address: 'A', amount: 1n, kind: 'adjustment', key: 'fix-1' });
      await assert.rejects(entry(db, { address: 'A', amount: 1n, kind: 'adjustment', key: 'fix-1' }), {
        code: '23505',
      });

      // confirmation matures, orphaning voids
      await db.query("UPDATE blocks SET status = 'confirmed' WHERE id = $1", [b1]);
      await db.query("UPDATE blocks SET status = 'orphaned' WHERE id = $1", [b2]);
      assert.deepEqual(await balances(db), { A: [0n, 608n, 0n], B: [0n, 390n, 0n], F: [0n, 10n, 0n] });
      await assertInvariants(db);

      // a payment debits payable into paid; a failed one is reversed
      const pay = async () =>
        (
          await db.query<{ id: bigint }>(
            "INSERT INTO payments (pool_id, status, request) VALUES ($2, 'planned', $1) RETURNING id",
            [{ requests: [{ address: 'A', value: '600' }] }, POOL],
          )
        ).rows[0]!.id;
      const p1 = await pay();
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO payment_outputs (payment_id, address, amount) VALUES ($1, $2, $3)', [
          p1,
          'A',
          600n,
        ]);
        await entry(tx, { address: 'A', amount: -600n, kind: 'payout', payment: p1 });
      });
      assert.deepEqual((await balances(db)).A, [0n, 8n, 600n]);
      await db.query("UPDATE payments SET status = 'failed', failed_at = now() WHERE id = $1", [p1]);
      await entry(db, { address: 'A', amount: 600n, kind: 'payout_reversal', payment: p1 });
      assert.deepEqual((await balances(db)).A, [0n, 608n, 0n]);
      const p2 = await pay();
      await entry(db, { address: 'A', amount: -608n, kind: 'payout', payment: p2 });
      await db.query("UPDATE payments SET status = 'sent', tx_id = 'ab12', sent_at = now() WHERE id = $1", [
        p2,
      ]);
      assert.deepEqual((await balances(db)).A, [0n, 0n, 608n]);
      await assertInvariants(db);

      // a reorg after confirmation takes the credits back out of payable
      await db.query("UPDATE blocks SET status = 'orphaned' WHERE id = $1", [b1]);
      assert.deepEqual(await balances(db), { A: [0n, -600n, 608n], B: [0n, 0n, 0n], F: [0n, 0n, 0n] });
      await assertInvariants(db);
    });

    it('never strands an entry written while its block changes status', async () => {
      const block = await newBlock(db, 300);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let inserted!: () => void;
      const didInsert = new Promise<void>((resolve) => {
        inserted = resolve;
      });
      const writer = db.transaction(async (tx) => {
        await entry(tx, { address: 'R', amount: 70n, kind: 'block_credit', block });
        inserted();
        await gate;
      });
      await didInsert;
      const confirm = db.query("UPDATE blocks SET status = 'confirmed' WHERE id = $1", [block]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      release();
      await Promise.all([writer, confirm]);
      assert.deepEqual((await balances(db)).R, [0n, 70n, 0n]);
      await assertInvariants(db);
    });

    it('refuses malformed ledger entries', async () => {
      const bad: [Parameters<typeof entry>[1], string][] = [
        [{ address: 'A', amount: 5n, kind: 'payout', payment: undefined }, '23514'], // no payment
        [{ address: 'A', amount: 5n, kind: 'block_credit' }, '23514'], // no block
        [{ address: 'A', amount: 5n, kind: 'bonus' }, '23514'],
      ];
      for (const [e, code] of bad) await assert.rejects(entry(db, e), { code }, show(e));
    });

    it('keeps the ledger append-only and balances writable only through it', async () => {
      await assert.rejects(db.query("UPDATE ledger_entries SET amount = 1 WHERE address = 'A'"), {
        code: '23001',
        message: /append-only/,
      });
      await assert.rejects(db.query("DELETE FROM ledger_entries WHERE address = 'A'"), { code: '23001' });
      await assert.rejects(db.query("UPDATE balances SET payable = 10 WHERE address = 'A'"), {
        code: '23001',
        message: /insert a ledger entry/,
      });
      await assert.rejects(
        db.query("INSERT INTO balances (pool_id, address, payable) VALUES ('ergo', 'Z', 5)"),
        {
          code: '23001',
        },
      );
      await assertInvariants(db);
    });

    it('stores an acknowledged share with its 256-bit hit and defaults', async () => {
      const id = randomUUID();
      await db.insertMany(
        'shares',
        [
          'id',
          'pool_id',
          'address',
          'difficulty',
          'expected_hashes',
          'job_id',
          'height',
          'network_difficulty',
          'nonce',
          'hit',
          'created_at',
          'is_block',
          'block_accepted',
        ],
        [
          [
            id,
            POOL,
            '9f…',
            '0.00002',
            85899n,
            '3f',
            1_234_567,
            2n ** 70n,
            '00000000deadbeef',
            2n ** 256n - 2n,
            new Date(5),
            true,
            true,
          ],
        ],
        { onConflictDoNothing: ['id'] },
      );
      const r = await db.query<Record<string, unknown>>('SELECT * FROM shares WHERE id = $1', [id]);
      const s = r.rows[0]!;
      assert.equal(s.difficulty, '0.00002');
      assert.equal(s.hit, (2n ** 256n - 2n).toString());
      assert.equal(s.network_difficulty, (2n ** 70n).toString());
      assert.equal(s.worker, '');
      assert.equal(s.is_block, true);
      assert.ok(s.stored_at instanceof Date);
      await assert.rejects(
        db.query(
          "INSERT INTO shares (id, pool_id, address, difficulty, expected_hashes, job_id, height, network_difficulty, nonce, hit, created_at) VALUES ($1, 'ergo', 'a', 0, 1, 'j', 1, 1, 'n', 1, now())",
          [randomUUID()],
        ),
        { code: '23514' },
      );
    });
  });
}
