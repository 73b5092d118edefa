import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { registerPoolMetrics } from '../../src/api/index.ts';
import type { Database } from '../../src/db/index.ts';
import { ENGINES, freshDatabase } from '../db/helpers.ts';
import {
  ALICE,
  BOB,
  CAROL,
  DESCRIPTION,
  NEIGHBOUR,
  NEIGHBOUR_TX,
  type Reply,
  type Served,
  SOLO,
  seed,
  serve,
  TX,
} from './fixture.ts';

/** The per-pool /api/v1 routes (the rest of the path), with the seeded rows each one finds. */
const PER_POOL = [
  '/pool',
  '/stats',
  '/network',
  '/stats/history?range=24h',
  '/blocks',
  '/blocks?status=confirmed&pageSize=1',
  '/blocks/1925001',
  '/blocks/1925002',
  '/payments',
  `/payments/${TX}`,
  `/payments/${NEIGHBOUR_TX}`,
  '/miners',
  `/miners/${ALICE}`,
  `/miners/${ALICE}/history?range=24h`,
  `/miners/${ALICE}/payments`,
  `/miners/${ALICE}/ledger`,
  `/miners/${ALICE}/earnings?days=7`,
  `/miners/${CAROL}`,
  '/miners/9fNotAnAddress',
];

/** A websocket's JSON messages as they arrive; `next(n)` waits (5 s at most) until n have. */
async function listen(url: string) {
  const ws = new WebSocket(url);
  const got: Record<string, unknown>[] = [];
  ws.on('message', (data) => got.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return {
    async next(count: number) {
      const deadline = Date.now() + 5000;
      while (got.length < count) {
        if (Date.now() > deadline) throw new Error(`got ${got.length} of ${count}: ${JSON.stringify(got)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return got.slice(0, count);
    },
    close: () => ws.close(),
  };
}

for (const engine of ENGINES) {
  describe(`one API serving two pools of one database (${engine})`, () => {
    let fresh: Awaited<ReturnType<typeof freshDatabase>>;
    let db: Database;
    let s: Served;
    const ergo = (path: string) => s.get(`/api/v1/pools/ergo${path}`);
    const solo = (path: string) => s.get(`/api/v1/pools/${NEIGHBOUR}${path}`);
    before(async () => {
      fresh = await freshDatabase(engine, { migrated: true });
      db = fresh.db;
      await seed(db);
      s = await serve(db, {}, [DESCRIPTION, SOLO]);
    });
    after(async () => {
      await s.close();
      await fresh.cleanup();
    });

    it('GET /api/v1/pools: both pools, the default first, each with its own terms and ports', async () => {
      const r = await s.get('/api/v1/pools');
      assert.equal(r.status, 200);
      const pools = r.body.items as {
        id: string;
        name: string;
        default: boolean;
        coin: { symbol: string; decimals: number };
        payouts: { scheme: string; feePercent: string; minimum: string };
        stratum: { ports: { port: number; url: string }[] };
      }[];
      assert.deepEqual(
        pools.map((p) => [
          p.id,
          p.name,
          p.default,
          p.payouts.scheme,
          p.payouts.feePercent,
          p.payouts.minimum,
        ]),
        [
          ['ergo', 'Test Pool', true, 'PPLNS', '1', '1'],
          [NEIGHBOUR, 'Solo Pool', false, 'SOLO', '1.5', '2'],
        ],
      );
      assert.deepEqual(
        pools.map((p) => p.stratum.ports.map((port) => port.url)),
        [
          ['stratum+tcp://pool.example.org:3052', 'stratum+ssl://pool.example.org:3054'],
          ['stratum+tcp://pool.example.org:3060'],
        ],
      );
      assert.deepEqual(pools[1]!.coin, {
        name: 'Ergo',
        symbol: 'ERG',
        decimals: 9,
        algorithm: 'Autolykos v2',
        family: 'ergo',
      });
      assert.deepEqual((await ergo('/pool')).body, pools[0]);
      assert.deepEqual((await solo('/pool')).body, pools[1]);
    });

    it('every unprefixed route answers exactly what the default pool’s prefixed one does', async () => {
      for (const path of PER_POOL) {
        const [plain, prefixed] = await Promise.all([s.get(`/api/v1${path}`), ergo(path)]);
        assert.equal(plain.status, prefixed.status, path);
        assert.deepEqual(plain.body, prefixed.body, path);
      }
      const solo404 = await s.get('/api/v1/blocks/1925002');
      assert.equal(solo404.status, 404, 'the neighbour’s block is not the default pool’s');
    });

    it('an unknown pool id is a 404 with a JSON body on every route, before any other check', async () => {
      for (const path of PER_POOL) {
        const r = await s.get(`/api/v1/pools/bitcoin${path}`);
        assert.equal(r.status, 404, path);
        assert.equal(r.body.error, 'not_found', path);
        assert.match(r.body.message, /unknown pool "bitcoin" \(pools: ergo, solo\)/, path);
      }
      const tooLong = await s.get(`/api/v1/pools/${'x'.repeat(65)}/stats`);
      assert.equal(tooLong.status, 400);
      assert.equal(tooLong.body.field, 'poolId');
      assert.equal((await s.get('/api/pools/bitcoin')).status, 404);
      assert.equal((await s.get(`/api/pools/bitcoin/miners/${ALICE}`)).body.error, 'not_found');
    });

    it('each pool’s figures are its own: blocks, payments, miners and shares', async () => {
      const [a, b] = [await ergo('/stats'), await solo('/stats')];
      assert.deepEqual([a.body.blocks.total, b.body.blocks.total, b.body.blocks.confirmed], [3, 2, 1]);
      assert.deepEqual([a.body.payments.totalPaid, b.body.payments.totalPaid], ['4.44', '0.5']);
      assert.deepEqual(b.body.pool.shares24h, { valid: 1440, stale: 7, invalid: 12 });
      assert.deepEqual(a.body.pool.shares24h, { valid: 973, stale: 0, invalid: 0 });
      const list = async (get: (p: string) => Promise<Reply>) =>
        (await get('/miners')).body.items.map((m: { address: string }) => m.address).sort();
      assert.deepEqual(await list(ergo), [ALICE, BOB].sort());
      assert.deepEqual(await list(solo), [ALICE, CAROL].sort());
      const first = async (get: (p: string) => Promise<Reply>) =>
        (await get('/stats/history?range=24h')).body.points[0].sharesPerSecond as number;
      assert.ok(Math.abs((await first(ergo)) - 8 / 60) < 1e-9);
      assert.ok(Math.abs((await first(solo)) - 12 / 60) < 1e-9);
      const at = await solo('/blocks/1925001');
      assert.deepEqual(
        at.body.items.map((x: { status: string }) => x.status),
        ['pending'],
      );
      assert.equal((await ergo(`/payments/${NEIGHBOUR_TX}`)).status, 404);
      assert.equal((await solo(`/payments/${TX}`)).status, 404);
      assert.deepEqual(
        (await solo(`/payments/${NEIGHBOUR_TX}`)).body.outputs.map((o: { amount: string }) => o.amount),
        ['0.5'],
      );
      const there = await solo(`/miners/${ALICE}`);
      assert.deepEqual(
        there.body.workerList.map((w: { name: string }) => w.name),
        ['rig3'],
      );
      assert.deepEqual([there.body.payoutThreshold, there.body.payoutThresholdSource], ['5', 'miner']);
      assert.deepEqual(
        (await solo(`/miners/${ALICE}/ledger`)).body.items
          .map((e: { kind: string; amount: string }) => `${e.kind} ${e.amount}`)
          .sort(),
        ['block_credit 1', 'payout -0.501'],
      );
      assert.equal((await solo(`/miners/${BOB}`)).body.known, false);
      assert.equal((await ergo(`/miners/${CAROL}`)).body.known, false);
    });

    it('GET /api/v1/miners/:address/pools: a row per pool, each equal to that pool’s own miner page', async () => {
      for (const address of [ALICE, BOB, CAROL]) {
        const r = await s.get(`/api/v1/miners/${address}/pools`);
        assert.equal(r.status, 200);
        assert.equal(r.body.address, address);
        assert.deepEqual(
          r.body.items.map((x: { pool: string; default: boolean; scheme: string }) => [
            x.pool,
            x.default,
            x.scheme,
          ]),
          [
            ['ergo', true, 'PPLNS'],
            [NEIGHBOUR, false, 'SOLO'],
          ],
        );
        for (const row of r.body.items) {
          const own = (await s.get(`/api/v1/pools/${row.pool}/miners/${address}`)).body;
          assert.deepEqual(row.balances, own.balances, `${address} in ${row.pool}`);
          assert.deepEqual(row.hashrate, own.hashrate, `${address} in ${row.pool}`);
          assert.equal(row.workers, own.workers, `${address} in ${row.pool}`);
          assert.equal(row.known, own.known, `${address} in ${row.pool}`);
        }
      }
      const alice = (await s.get(`/api/v1/miners/${ALICE}/pools`)).body.items;
      assert.deepEqual(
        alice.map((x: { balances: unknown }) => x.balances),
        [
          { immature: '3', payable: '1.5', paid: '2.5', inFlight: '0' },
          { immature: '0', payable: '0.499', paid: '0.501', inFlight: '0' },
        ],
      );
      assert.deepEqual(
        alice.map((x: { workers: number }) => x.workers),
        [2, 1],
      );
      assert.ok(alice.every((x: { hashrate: { current: number } }) => x.hashrate.current > 0));
      const bob = (await s.get(`/api/v1/miners/${BOB}/pools`)).body.items[1];
      assert.deepEqual(
        [bob.known, bob.balances, bob.hashrate, bob.workers, bob.lastShareAt],
        [
          false,
          { immature: '0', payable: '0', paid: '0', inFlight: '0' },
          { current: 0, avg1h: 0, avg24h: 0 },
          0,
          null,
        ],
        'zeros where it never mined',
      );
      const bad = await s.get('/api/v1/miners/9fNotAnAddress/pools');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, 'address');
    });

    it('miningcore: /api/pools lists both with their own scheme, fee and ports; /api/blocks spans both', async () => {
      const pools = (await s.get('/api/pools')).body.pools;
      assert.deepEqual(
        pools.map(
          (p: {
            id: string;
            paymentProcessing: { payoutScheme: string; minimumPayment: number };
            poolFeePercent: number;
            ports: Record<string, unknown>;
            totalBlocks: number;
            totalPaid: number;
            coin: { symbol: string; family: string };
          }) => [
            p.id,
            p.paymentProcessing.payoutScheme,
            p.paymentProcessing.minimumPayment,
            p.poolFeePercent,
            Object.keys(p.ports),
            p.totalBlocks,
            p.totalPaid,
            p.coin.symbol,
          ],
        ),
        [
          ['ergo', 'PPLNS', 1, 1, ['3052', '3054'], 3, 4.44, 'ERG'],
          [NEIGHBOUR, 'SOLO', 2, 1.5, ['3060'], 2, 0.5, 'ERG'],
        ],
      );
      assert.deepEqual((await s.get(`/api/pools/${NEIGHBOUR}`)).body.pool, pools[1]);
      const all = (await s.get('/api/blocks?pageSize=10')).body as { poolId: string; blockHeight: number }[];
      assert.deepEqual(
        all.map((b) => `${b.poolId} ${b.blockHeight}`),
        ['solo 1925001', 'ergo 1925010', 'ergo 1925005', 'solo 1925002', 'ergo 1925001'],
        'newest first across pools, each with its pool id',
      );
      const theirs = (await s.get(`/api/pools/${NEIGHBOUR}/blocks`)).body as { poolId: string }[];
      assert.deepEqual(
        theirs.map((b) => b.poolId),
        [NEIGHBOUR, NEIGHBOUR],
      );
      const account = (await s.get(`/api/pools/${NEIGHBOUR}/miners/${ALICE}`)).body;
      assert.deepEqual([account.pendingBalance, account.totalPaid], [0.499, 0.501]);
      const changes = (await s.get(`/api/pools/${NEIGHBOUR}/miners/${ALICE}/balancechanges`)).body;
      assert.ok(changes.every((c: { poolId: string }) => c.poolId === NEIGHBOUR));
      const paid = (await s.get(`/api/pools/${NEIGHBOUR}/payments`)).body;
      assert.deepEqual(
        paid.map((p: { transactionConfirmationData: string }) => p.transactionConfirmationData),
        [NEIGHBOUR_TX],
      );
    });

    it('events carry their pool on /api/v1/ws and /notifications; a deployment event has none', async () => {
      const url = s.api.url.replace('http', 'ws');
      const found = {
        type: 'block.found' as const,
        pool: NEIGHBOUR,
        data: { height: 7, miner: CAROL, worker: 'x' },
      };
      const height = { type: 'height' as const, data: { height: 8 } };
      const stats = {
        type: 'stats' as const,
        pool: NEIGHBOUR,
        data: { pool: { hashrate: { current: 5 } } },
      };
      const down = { type: 'node.down' as const, data: { node: 'main', problems: ['stale'] } };
      const [a, b] = await Promise.all([listen(`${url}/api/v1/ws`), listen(`${url}/notifications`)]);
      await Promise.all([a.next(1), b.next(1)]); // both greeted: subscribed to the bus
      for (const e of [found, height, stats, down]) s.bus.publish(e);
      const [ours, theirs] = await Promise.all([a.next(5), b.next(4)]);
      a.close();
      b.close();
      assert.deepEqual(ours[0], { type: 'hello', data: { pool: 'ergo', pools: ['ergo', NEIGHBOUR] } });
      assert.deepEqual(
        ours.slice(1).map((m) => [m.type, m.pool]),
        [
          ['block.found', NEIGHBOUR],
          ['height', 'ergo'],
          ['stats', NEIGHBOUR],
          ['node.down', null],
        ],
      );
      assert.deepEqual(
        theirs.slice(1).map((m) => [m.type, m.poolId, m.symbol]),
        [
          ['blockfound', NEIGHBOUR, 'ERG'],
          ['newchainheight', 'ergo', 'ERG'],
          ['hashrateupdated', NEIGHBOUR, undefined],
        ],
        'miningcore has no message for a node going down',
      );
      assert.equal(theirs[3]!.hashrate, 5, 'the stats of the pool the event names');
    });

    it('health names each pool; the docs have every route under both prefixes', async () => {
      const health = await s.get('/api/v1/health');
      assert.equal(health.status, 200);
      assert.deepEqual(
        health.body.pools.map((p: { id: string; status: string }) => [p.id, p.status]),
        [
          ['ergo', 'ok'],
          [NEIGHBOUR, 'ok'],
        ],
      );
      const doc = (await s.get('/api/v1/openapi.json')).body;
      for (const path of [
        '/api/v1/pools',
        '/api/v1/miners/{address}/pools',
        '/api/v1/stats',
        '/api/v1/pools/{poolId}/stats',
        '/api/v1/pools/{poolId}/pool',
        '/api/v1/pools/{poolId}/blocks/{height}',
        '/api/v1/pools/{poolId}/miners/{address}/earnings',
      ])
        assert.ok(doc.paths[path]?.get, `${path} documented`);
      const params = doc.paths['/api/v1/pools/{poolId}/miners/{address}'].get.parameters;
      assert.deepEqual(params.map((p: { name: string }) => p.name).sort(), ['address', 'poolId']);
    });

    it('/metrics: the per-pool figures and counters carry a pool label, nothing a miner label', async () => {
      const listeners: { share?: (o: string, p: string) => void; block?: (a: boolean, p: string) => void } =
        {};
      registerPoolMetrics(s.registry, {
        stratum: {
          sessionCount: () => 3,
          onShare: (fn) => {
            listeners.share = fn;
          },
          onBlock: (fn) => {
            listeners.block = fn;
          },
        },
        pools: () => [DESCRIPTION, SOLO].map((p) => ({ pool: p.id, figures: s.snapshots.get(p.id)!.pool })),
      });
      listeners.share!('accepted', NEIGHBOUR);
      listeners.share!('accepted', NEIGHBOUR);
      listeners.share!('stale', 'ergo');
      listeners.block!(true, NEIGHBOUR);
      const text = (await s.get('/metrics')).body as string;
      const sample = (name: string) => {
        const m = new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
        assert.ok(m, `${name} in /metrics`);
        return Number(m[1]);
      };
      for (const id of ['ergo', NEIGHBOUR])
        assert.equal(
          sample(`enigmapool_pool_hashrate{pool="${id}"}`),
          s.snapshots.get(id)!.pool.hashrate.current,
        );
      assert.equal(sample('enigmapool_blocks{pool="ergo",status="pending"}'), 1);
      assert.equal(sample(`enigmapool_blocks{pool="${NEIGHBOUR}",status="confirmed"}`), 1);
      assert.equal(sample(`enigmapool_pool_miners{pool="${NEIGHBOUR}"}`), 2);
      assert.equal(sample(`enigmapool_shares_total{pool="${NEIGHBOUR}",outcome="accepted"}`), 2);
      assert.equal(sample('enigmapool_shares_total{pool="ergo",outcome="stale"}'), 1);
      assert.equal(sample(`enigmapool_blocks_submitted_total{pool="${NEIGHBOUR}",result="accepted"}`), 1);
      assert.equal(sample('enigmapool_stratum_connections'), 3);
      assert.ok(!/address=|miner=|worker=/.test(text), 'no per-miner labels');
    });

    it('a payout in flight in one pool shows in that pool’s row only', async () => {
      const pay = await db.query<{ id: bigint }>(
        `INSERT INTO payments (pool_id, status, created_at) VALUES ('ergo', 'planned', now()) RETURNING id`,
      );
      await db.query(
        `INSERT INTO payment_outputs (payment_id, address, amount) VALUES ($1, $2, 1000000000)`,
        [pay.rows[0]!.id, ALICE],
      );
      await db.query(
        `INSERT INTO ledger_entries (pool_id, address, amount, kind, payment_id, reason)
         VALUES ('ergo', $1, -1000000000, 'payout', $2, 'payout')`,
        [ALICE, pay.rows[0]!.id],
      );
      const rows = (await s.get(`/api/v1/miners/${ALICE}/pools`)).body.items;
      assert.deepEqual(
        rows.map((x: { balances: unknown }) => x.balances),
        [
          { immature: '3', payable: '0.5', paid: '2.5', inFlight: '1' },
          { immature: '0', payable: '0.499', paid: '0.501', inFlight: '0' },
        ],
      );
      assert.deepEqual(rows[0].balances, (await ergo(`/miners/${ALICE}`)).body.balances);
    });
  });
}
