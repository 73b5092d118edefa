import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../../src/db/index.ts';
import { ENGINES, freshDatabase } from '../db/helpers.ts';
import { ALICE, AT, BOB, CAROL, H, type Served, seed, serve, TX } from './fixture.ts';

for (const engine of ENGINES) {
  describe(`/api/v1 over HTTP on ${engine}`, () => {
    let fresh: Awaited<ReturnType<typeof freshDatabase>>;
    let db: Database;
    let s: Served;
    before(async () => {
      fresh = await freshDatabase(engine, { migrated: true });
      db = fresh.db;
      await seed(db);
      s = await serve(db);
    });
    after(async () => {
      await s.close();
      await fresh.cleanup();
    });

    it('GET /api/v1/pool: payouts, ports with stratum URLs, nodes', async () => {
      const r = await s.get('/api/v1/pool');
      assert.equal(r.status, 200);
      assert.equal(r.body.payouts.scheme, 'PPLNS');
      assert.equal(r.body.payouts.minimum, '1');
      assert.equal(r.body.payouts.txFee, '0.001');
      assert.deepEqual(
        r.body.stratum.ports.map((p: { url: string }) => p.url),
        ['stratum+tcp://pool.example.org:3052', 'stratum+ssl://pool.example.org:3054'],
      );
      assert.equal(r.body.stratum.ports[1].vardiff, null);
      assert.equal(r.body.nodes[0].name, 'main', 'from the stats snapshot when this process has no node set');
      assert.match(r.headers.get('cache-control') ?? '', /max-age=\d+/);
    });

    it('GET /api/v1/stats: the same figures as the stats job, and exact ERG', async () => {
      const r = await s.get('/api/v1/stats');
      assert.equal(r.status, 200);
      assert.equal(r.body.pool.hashrate.current, s.snapshot.pool.hashrate.current);
      assert.equal(r.body.pool.miners, 2);
      assert.equal(r.body.pool.workers, 3);
      assert.deepEqual(r.body.blocks, {
        total: 3,
        last24h: 3,
        pending: 1,
        confirmed: 1,
        orphaned: 1,
        last: {
          height: 1925010,
          createdAt: new Date(AT - 3_600_000).toISOString(),
          status: 'pending',
          miner: ALICE,
        },
        luck: { blocks: 3, averageEffort: (0.8 + 1.25 + 0.5) / 3 },
      });
      assert.equal(r.body.payments.totalPaid, '4.44');
      assert.equal(r.body.network.difficulty, String(10n ** 15n));
      assert.equal(r.body.network.meanBlockSeconds, 118.5);
      assert.equal(typeof r.body.pool.roundEffort, 'number');
    });

    it('GET /api/v1/stats/history: samples oldest first', async () => {
      const r = await s.get('/api/v1/stats/history?range=24h');
      assert.equal(r.status, 200);
      assert.equal(r.body.bucketSeconds, 600);
      assert.ok(r.body.points.length >= 12);
      const times = r.body.points.map((p: { at: string }) => Date.parse(p.at));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
      );
      const bad = await s.get('/api/v1/stats/history?range=2y');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, 'range');
    });

    it('GET /api/v1/blocks: newest first, filtered by status, pageCount rounds up', async () => {
      const all = await s.get('/api/v1/blocks?pageSize=2');
      assert.equal(all.status, 200);
      assert.deepEqual(
        all.body.items.map((b: { height: number }) => b.height),
        [1925010, 1925005],
      );
      assert.equal(all.body.total, 3);
      assert.equal(all.body.pageCount, 2);
      const confirmed = await s.get('/api/v1/blocks?status=confirmed');
      assert.equal(confirmed.body.items.length, 1);
      const b = confirmed.body.items[0];
      assert.equal(b.reward, '5.94');
      assert.equal(b.confirmationProgress, 1);
      assert.equal(b.links.block, `https://explorer.example/b/${'cd'.repeat(32)}`);
      assert.equal(b.sourceNode, 'main');
      assert.deepEqual(b.acceptedBy, ['main', 'backup'], 'which nodes accepted it');
      const two = await s.get('/api/v1/blocks?status=pending&status=orphaned');
      assert.equal(two.body.total, 2);
      const pending = two.body.items.find((x: { status: string }) => x.status === 'pending');
      assert.equal(pending.acceptedBy, null, 'not recorded');
      assert.equal(pending.confirmationProgress, 5 / 720);
      assert.equal(pending.effort, 1.25);
    });

    it('GET /api/v1/blocks/:height and 404 for a height without a pool block', async () => {
      const r = await s.get('/api/v1/blocks/1925001');
      assert.equal(r.status, 200);
      assert.equal(r.body.items[0].status, 'confirmed');
      const none = await s.get('/api/v1/blocks/1925002');
      assert.equal(none.status, 404);
      assert.equal(none.body.error, 'not_found');
    });

    it('GET /api/v1/payments and /payments/:txId with outputs', async () => {
      const page = await s.get('/api/v1/payments');
      assert.equal(page.body.total, 1);
      assert.equal(page.body.items[0].amount, '4.44');
      assert.equal(page.body.items[0].recipients, 2);
      const one = await s.get(`/api/v1/payments/${TX}`);
      assert.equal(one.status, 200);
      assert.deepEqual(one.body.outputs.map((o: { amount: string }) => o.amount).sort(), ['1.94', '2.5']);
      assert.equal(one.body.links.transaction, `https://explorer.example/t/${TX}`);
      assert.equal((await s.get(`/api/v1/payments/${'00'.repeat(32)}`)).status, 404);
      const bad = await s.get('/api/v1/payments/xyz');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, 'txId');
    });

    it('GET /api/v1/miners: ranked by the same current hashrate the miner page shows', async () => {
      const list = await s.get('/api/v1/miners');
      assert.equal(list.body.total, 2);
      for (const item of list.body.items) {
        const detail = await s.get(`/api/v1/miners/${item.address}`);
        assert.deepEqual(detail.body.hashrate, item.hashrate);
      }
      const rates = list.body.items.map((m: { hashrate: { current: number } }) => m.hashrate.current);
      assert.deepEqual(
        rates,
        [...rates].sort((a: number, b: number) => b - a),
      );
    });

    it('GET /api/v1/miners/:address: workers, balances, threshold, estimate', async () => {
      const r = await s.get(`/api/v1/miners/${ALICE}`);
      assert.equal(r.status, 200);
      assert.equal(r.body.known, true);
      assert.deepEqual(
        r.body.workerList.map((w: { name: string }) => w.name),
        ['rig1', 'rig2'],
      );
      const rig1 = r.body.workerList[0];
      assert.equal(rig1.hashrate.current, (40 * Number(H)) / 600);
      assert.deepEqual(rig1.shares, { valid: 480, stale: 0, invalid: 0 });
      assert.equal(rig1.online, true);
      assert.deepEqual(r.body.balances, { immature: '3', payable: '1.5', paid: '2.5', inFlight: '0' });
      assert.equal(r.body.payoutThreshold, '1');
      assert.equal(r.body.payoutThresholdSource, 'pool');
      assert.ok(r.body.estimate.windowShare > 0 && r.body.estimate.windowShare < 1);
      assert.ok(Number(r.body.estimate.ergPerDay) > 0);
      const bob = await s.get(`/api/v1/miners/${BOB}`);
      assert.equal(bob.body.workerList[0].name, '');
      assert.ok(Math.abs(bob.body.hashrate.current - (12 * Number(H)) / 180.001) < 1);
    });

    it('a valid address never seen: 200 with zeros; an invalid one: 400 naming the field', async () => {
      const r = await s.get(`/api/v1/miners/${CAROL}`);
      assert.equal(r.status, 200);
      assert.equal(r.body.known, false);
      assert.deepEqual(r.body.hashrate, { current: 0, avg1h: 0, avg24h: 0 });
      assert.deepEqual(r.body.balances, { immature: '0', payable: '0', paid: '0', inFlight: '0' });
      const bad = await s.get('/api/v1/miners/9fNotAnAddress');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error, 'bad_request');
      assert.equal(bad.body.field, 'address');
      assert.match(bad.body.message, /invalid mainnet address/);
      for (const route of ['history', 'payments', 'ledger', 'earnings'])
        assert.equal((await s.get(`/api/v1/miners/9fNotAnAddress/${route}`)).status, 400, route);
    });

    it('a miner’s history, payments, ledger and daily earnings', async () => {
      const history = await s.get(`/api/v1/miners/${ALICE}/history?range=24h`);
      assert.ok(history.body.points.length > 0);
      const last = history.body.points[history.body.points.length - 1];
      assert.deepEqual(Object.keys(last.workers).sort(), ['rig1', 'rig2']);
      const payments = await s.get(`/api/v1/miners/${ALICE}/payments`);
      assert.deepEqual(
        payments.body.items.map((p: { amount: string; txId: string }) => [p.amount, p.txId]),
        [['2.5', TX]],
      );
      const ledger = await s.get(`/api/v1/miners/${ALICE}/ledger`);
      assert.deepEqual(
        ledger.body.items.map((e: { kind: string; amount: string }) => `${e.kind} ${e.amount}`).sort(),
        ['block_credit 3', 'block_credit 4', 'payout -2.5'],
      );
      const earnings = await s.get(`/api/v1/miners/${ALICE}/earnings?days=7`);
      assert.equal(earnings.body.items.length, 1);
      assert.equal(earnings.body.items[0].amount, '7');
    });

    it('GET /health/nodes/:name: 200 for a synced node, 404 for an unknown name', async () => {
      const r = await s.get('/health/nodes/main');
      assert.equal(r.status, 200);
      assert.equal(r.body.status, 'healthy');
      assert.equal((await s.get('/health/nodes/backup')).status, 404);
    });

    it('bad parameters get a 400 with a JSON body naming the field', async () => {
      for (const [path, field] of [
        ['/api/v1/blocks?page=-1', 'page'],
        ['/api/v1/blocks?pageSize=1000', 'pageSize'],
        ['/api/v1/blocks?pageSize=abc', 'pageSize'],
        ['/api/v1/blocks?status=won', 'status'],
        ['/api/v1/blocks/zero', 'height'],
        ['/api/v1/miners?page=1.5', 'page'],
      ] as const) {
        const r = await s.get(path);
        assert.equal(r.status, 400, path);
        assert.equal(r.body.error, 'bad_request', path);
        assert.equal(r.body.field, field, path);
        assert.equal(typeof r.body.message, 'string');
      }
      const unknown = await s.get('/api/v1/nothing-here');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error, 'not_found');
    });
  });
}
