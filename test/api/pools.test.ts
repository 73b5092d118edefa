import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../../src/db/index.ts';
import { ENGINES, freshDatabase } from '../db/helpers.ts';
import {
  ALICE,
  BOB,
  CAROL,
  DESCRIPTION,
  NEIGHBOUR,
  NEIGHBOUR_TX,
  type Served,
  seed,
  serve,
  TX,
} from './fixture.ts';

for (const engine of ENGINES) {
  describe(`two pools in one database, each with its API (${engine})`, () => {
    let fresh: Awaited<ReturnType<typeof freshDatabase>>;
    let db: Database;
    let ergo: Served;
    let solo: Served;
    before(async () => {
      fresh = await freshDatabase(engine, { migrated: true });
      db = fresh.db;
      await seed(db);
      ergo = await serve(db);
      solo = await serve(db, {}, { ...DESCRIPTION, id: NEIGHBOUR, name: 'Solo Pool' });
    });
    after(async () => {
      await ergo.close();
      await solo.close();
      await fresh.cleanup();
    });

    it('pool figures: blocks, payments, miners and shares of the served pool only', async () => {
      const [a, b] = [await ergo.get('/api/v1/stats'), await solo.get('/api/v1/stats')];
      assert.equal(a.body.blocks.total, 3);
      assert.equal(b.body.blocks.total, 2);
      assert.equal(b.body.blocks.confirmed, 1);
      assert.equal(a.body.payments.totalPaid, '4.44');
      assert.equal(b.body.payments.totalPaid, '0.5');
      assert.equal(a.body.pool.miners, 2);
      assert.equal(b.body.pool.miners, 2);
      assert.deepEqual(b.body.pool.shares24h, { valid: 1440, stale: 7, invalid: 12 });
      assert.deepEqual(a.body.pool.shares24h, { valid: 973, stale: 0, invalid: 0 });
      const list = async (s: Served) =>
        (await s.get('/api/v1/miners')).body.items.map((m: { address: string }) => m.address).sort();
      assert.deepEqual(await list(ergo), [ALICE, BOB].sort());
      assert.deepEqual(await list(solo), [ALICE, CAROL].sort());
      // The first ten minutes: alice's two rigs at 4 shares a minute each here; alice and carol at 6 there.
      const first = async (s: Served) =>
        (await s.get('/api/v1/stats/history?range=24h')).body.points[0].sharesPerSecond as number;
      assert.ok(Math.abs((await first(ergo)) - 8 / 60) < 1e-9);
      assert.ok(Math.abs((await first(solo)) - 12 / 60) < 1e-9);
    });

    it('blocks and payments: another pool’s rows are not found', async () => {
      assert.equal((await ergo.get('/api/v1/blocks/1925002')).status, 404);
      const at = await solo.get('/api/v1/blocks/1925001');
      assert.deepEqual(
        at.body.items.map((x: { status: string }) => x.status),
        ['pending'],
        'the same height in the other pool is not listed',
      );
      assert.equal((await ergo.get(`/api/v1/payments/${NEIGHBOUR_TX}`)).status, 404);
      assert.equal((await solo.get(`/api/v1/payments/${TX}`)).status, 404);
      const paid = await solo.get(`/api/v1/payments/${NEIGHBOUR_TX}`);
      assert.deepEqual(
        paid.body.outputs.map((o: { address: string; amount: string }) => [o.address, o.amount]),
        [[ALICE, '0.5']],
      );
      assert.equal((await solo.get('/api/v1/payments')).body.total, 1);
      assert.deepEqual(
        (await solo.get('/api/v1/blocks')).body.items.map((x: { height: number }) => x.height),
        [1925001, 1925002],
      );
    });

    it('one miner in both pools: each pool shows its own workers, balances, threshold and ledger', async () => {
      const there = await solo.get(`/api/v1/miners/${ALICE}`);
      assert.deepEqual(
        there.body.workerList.map((w: { name: string }) => w.name),
        ['rig3'],
      );
      assert.deepEqual(there.body.balances, {
        immature: '0',
        payable: '0.499',
        paid: '0.501',
        inFlight: '0',
      });
      assert.equal(there.body.payoutThreshold, '5');
      assert.equal(there.body.payoutThresholdSource, 'miner');
      const here = await ergo.get(`/api/v1/miners/${ALICE}`);
      assert.deepEqual(here.body.balances, { immature: '3', payable: '1.5', paid: '2.5', inFlight: '0' });
      assert.equal(here.body.payoutThresholdSource, 'pool');
      const ledger = await solo.get(`/api/v1/miners/${ALICE}/ledger`);
      assert.deepEqual(
        ledger.body.items.map((e: { kind: string; amount: string }) => `${e.kind} ${e.amount}`).sort(),
        ['block_credit 1', 'payout -0.501'],
      );
      const payments = await solo.get(`/api/v1/miners/${ALICE}/payments`);
      assert.deepEqual(
        payments.body.items.map((p: { txId: string }) => p.txId),
        [NEIGHBOUR_TX],
      );
      assert.equal((await solo.get(`/api/v1/miners/${CAROL}`)).body.known, true);
      assert.equal((await ergo.get(`/api/v1/miners/${CAROL}`)).body.known, false);
      assert.equal((await solo.get(`/api/v1/miners/${BOB}`)).body.known, false);
    });

    it('miningcore routes: each API serves its own pool id only', async () => {
      assert.equal((await solo.get(`/api/pools/${NEIGHBOUR}`)).status, 200);
      assert.equal((await ergo.get(`/api/pools/${NEIGHBOUR}`)).status, 404);
      assert.equal((await solo.get('/api/pools/ergo')).status, 404);
      const account = await solo.get(`/api/pools/${NEIGHBOUR}/miners/${ALICE}`);
      assert.equal(account.body.pendingBalance, 0.499);
      assert.equal(account.body.totalPaid, 0.501);
    });
  });
}
