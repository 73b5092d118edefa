import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { abandonPayment, checkDatabaseLedger } from '../../src/accounting/index.ts';
import { type Database, migrate, openDatabase } from '../../src/db/index.ts';
import { parseAddress } from '../../src/ergo/index.ts';
import {
  A,
  B,
  competitorBlocks,
  type Pool,
  poolFindsBlock,
  startPoolNet,
} from '../accounting/devnet-helpers.ts';
import { createServerDatabase } from '../db/helpers.ts';
import { PoolProcess } from '../shares/pool-process.ts';
import { until } from './helpers.ts';

/**
 * Two `start --role accounting` processes on one PostgreSQL: one leads, the other stands by. The leader
 * is killed with SIGKILL in the middle of a payout (its payment is in flight, the wallet node slow to
 * answer); the standby takes the lead within the lease, settles that payment, and nobody is paid twice.
 */

const LEASE_SECONDS = 6;

describe('accounting leader election', { timeout: 180_000 }, () => {
  let dir: string;
  let database: Awaited<ReturnType<typeof createServerDatabase>>;
  let db: Database;
  let pool: Pool;
  const procs: PoolProcess[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'enigmapool-leader-'));
    database = await createServerDatabase();
    db = await openDatabase({ url: database.url, poolSize: 2 });
    await migrate(db, { defaultPoolId: 'ergo' });
    pool = await startPoolNet(db);
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop(10_000).catch(() => undefined)));
    await pool?.net.devnet.close();
    await db?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a standby takes over from a leader killed mid-payout, and nothing is paid twice', async (t) => {
    // A block found by the pool, matured: A and B are owed most of its 3 ERG.
    await poolFindsBlock(pool, [
      [A, 3n * 10n ** 15n],
      [B, 2n * 10n ** 15n],
    ]);
    await competitorBlocks(pool, 3);
    const config = join(dir, 'pool.yaml');
    writeFileSync(
      config,
      stringify({
        network: 'mainnet',
        log: { level: 'info', format: 'json' },
        nodes: pool.net.devnet.nodes.map((n, k) => ({ name: `devnet${k}`, url: n.url, apiKey: 'devnet' })),
        walletNode: 'devnet0',
        instance: { bits: 2 },
        accounting: {
          scheme: 'pplns',
          confirmations: 3,
          orphanConfirmations: 2,
          blockCheckSeconds: 1,
          leaderLeaseSeconds: LEASE_SECONDS,
          payouts: {
            minimum: '0.1',
            intervalSeconds: 1,
            txFeePaidBy: 'miners',
            confirmations: 1,
            inFlightGraceSeconds: 0,
          },
        },
        stats: { intervalSeconds: 5 },
        api: { enabled: false },
      }),
    );
    const start = (id: number) => {
      const p = PoolProcess.start([
        '--role',
        'accounting',
        '--instance-id',
        String(id),
        '--config',
        config,
        '--database',
        database.url,
      ]);
      procs.push(p);
      return p;
    };
    // The wallet node answers slowly: a payment send stays in flight long enough to kill the sender.
    await fetch(`${pool.net.devnet.nodes[0]!.url}/devnet/fault`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'slow', delayMs: 1500 }),
    });
    const leader = start(1);
    await leader.waitFor(/accounting: this instance .* leads/, 60_000);
    const standby = start(2);
    await standby.waitFor(/stands by/, 60_000);

    const inFlight = async () =>
      (await db.query(`SELECT 1 FROM payments WHERE status = 'in_flight'`)).rowCount > 0;
    await until(inFlight, 90_000, () => `a payment in flight\n${leader.messages().slice(-20).join('\n')}`);
    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await leader.exited;

    await standby.waitFor(/accounting: this instance .* leads/, LEASE_SECONDS * 1000 + 15_000);
    const takeoverMs = Date.now() - killedAt;
    t.diagnostic(
      `leader killed mid-payout → standby leads after ${takeoverMs} ms (lease ${LEASE_SECONDS} s)`,
    );
    assert.ok(takeoverMs < LEASE_SECONDS * 1000 + 10_000, `took over in ${takeoverMs} ms`);

    await fetch(`${pool.net.devnet.nodes[0]!.url}/devnet/fault`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'none' }),
    });
    // The standby settles what the leader left. Either the transaction reached the node (it is found in a
    // mempool or the wallet and recorded as sent), or it never did: then nothing proves it cannot confirm,
    // so the payment is in doubt, never re-sent on a guess, and the operator abandons it (the admin route's
    // abandonPayment) to have it paid again. Both ways: paid exactly once.
    const outcome = async () => {
      const r = await db.query<{ status: string }>('SELECT status FROM payments ORDER BY id');
      const statuses = r.rows.map((row) => row.status);
      if (statuses.some((x) => x === 'sent' || x === 'confirmed')) return 'sent';
      if (
        standby.messages().some((m) => /payment \d+ is in flight, and its transaction is in no node/.test(m))
      )
        return 'in doubt';
      return null;
    };
    await until(
      async () => (await outcome()) !== null,
      60_000,
      () => `the payment settled by the new leader\n${standby.messages().slice(-30).join('\n')}`,
    );
    const settled = await outcome();
    t.diagnostic(`the killed leader's payment: ${settled}`);
    if (settled === 'in doubt') {
      const doubt = await db.query<{ id: bigint }>(`SELECT id FROM payments WHERE status = 'in_flight'`);
      const owed = await db.query<{ address: string }>(
        'SELECT address FROM payment_outputs WHERE payment_id = $1',
        [doubt.rows[0]!.id],
      );
      const before = await pool.client.walletTransactions();
      for (const { address } of owed.rows) {
        const tree = parseAddress(address).ergoTree;
        assert.ok(
          !before.some((tx) => tx.outputs.some((o) => o.ergoTree === tree)),
          'nothing was paid while the payment is in doubt',
        );
      }
      // Refused while a payout run holds the payout lease (it may be sending it): retried between runs.
      await until(
        async () =>
          (await abandonPayment(db, 'ergo', doubt.rows[0]!.id, 'checked: its transaction was never made'))
            .abandoned,
        30_000,
        'the payment in doubt abandoned between payout runs',
        20,
      );
      await until(
        async () => (await outcome()) === 'sent',
        60_000,
        () => `paid again after the abandon\n${standby.messages().slice(-30).join('\n')}`,
      );
    }
    await competitorBlocks(pool, 2); // the payment's transaction is mined
    const txs = await pool.client.walletTransactions();
    const paid = await db.query<{ address: string }>(
      `SELECT DISTINCT o.address FROM payment_outputs o JOIN payments p ON p.id = o.payment_id
        WHERE p.status <> 'failed'`,
    );
    assert.ok(paid.rows.length > 0, 'someone was paid');
    for (const { address } of paid.rows) {
      const tree = parseAddress(address).ergoTree;
      const paying = txs.filter((tx) => tx.outputs.some((o) => o.ergoTree === tree));
      assert.equal(paying.length, 1, `${address} paid by exactly one transaction`);
    }
    assert.deepEqual(await checkDatabaseLedger(db), [], 'the ledger invariants hold');
  });
});
