import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../../src/db/index.ts';
import { ENGINES, freshDatabase } from '../db/helpers.ts';
import { ALICE, BOB, CAROL, type Served, seed, serve, TX } from './fixture.ts';

/**
 * The contract of ../shared/design/miningcore-api.md (miningcore master a553f623), transcribed: every field
 * name and JSON type the community dashboards read. `?` = may be null or absent; an ISO date is a string
 * ending in Z.
 */
type Spec = string | { [k: string]: Spec } | [Spec];

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

function check(value: unknown, spec: Spec, path: string): void {
  if (typeof spec === 'string') {
    const optional = spec.endsWith('?');
    const type = optional ? spec.slice(0, -1) : spec;
    if (value === null || value === undefined) {
      assert.ok(optional, `${path} is ${value} (expected ${type})`);
      return;
    }
    if (type === 'date') {
      assert.equal(typeof value, 'string', `${path} is a date string`);
      assert.match(value as string, ISO, `${path} is ISO-8601 UTC`);
    } else if (type === 'object') assert.equal(typeof value, 'object', `${path} is an object`);
    else assert.equal(typeof value, type, `${path} is a ${type}`);
    return;
  }
  if (Array.isArray(spec)) {
    assert.ok(Array.isArray(value), `${path} is an array`);
    for (const [i, item] of (value as unknown[]).entries()) check(item, spec[0], `${path}[${i}]`);
    return;
  }
  assert.ok(value && typeof value === 'object' && !Array.isArray(value), `${path} is an object`);
  for (const [key, sub] of Object.entries(spec))
    check((value as Record<string, unknown>)[key], sub, `${path}.${key}`);
}

const TOP_MINER = { miner: 'string', hashrate: 'number', sharesPerSecond: 'number' };

const POOL_INFO: Spec = {
  id: 'string',
  coin: { type: 'string', name: 'string', symbol: 'string', family: 'string', algorithm: 'string' },
  ports: 'object',
  paymentProcessing: {
    enabled: 'boolean',
    minimumPayment: 'number',
    payoutScheme: 'string',
    payoutSchemeConfig: 'object?',
  },
  shareBasedBanning: {
    enabled: 'boolean',
    checkThreshold: 'number',
    invalidPercent: 'number',
    time: 'number',
  },
  clientConnectionTimeout: 'number',
  jobRebroadcastTimeout: 'number',
  blockRefreshInterval: 'number',
  poolFeePercent: 'number',
  address: 'string?',
  addressInfoLink: 'string?',
  poolStats: {
    connectedMiners: 'number',
    connectedWorkers: 'number',
    poolHashrate: 'number',
    sharesPerSecond: 'number',
    lastPoolBlockTime: 'date?',
  },
  networkStats: {
    networkType: 'string',
    networkHashrate: 'number',
    networkDifficulty: 'number',
    nextNetworkTarget: 'string?',
    nextNetworkBits: 'string?',
    lastNetworkBlockTime: 'date?',
    blockHeight: 'number',
    connectedPeers: 'number',
    rewardType: 'string',
  },
  topMiners: [TOP_MINER],
  totalPaid: 'number',
  totalBlocks: 'number',
  lastPoolBlockTime: 'date?',
  poolEffort: 'number',
};

const PORT: Spec = {
  listenAddress: 'string',
  name: 'string',
  difficulty: 'number',
  varDiff: 'object?',
  tls: 'boolean',
  tlsAuto: 'boolean',
};

const BLOCK: Spec = {
  poolId: 'string',
  blockHeight: 'number',
  networkDifficulty: 'number',
  status: 'string',
  type: 'string',
  confirmationProgress: 'number',
  effort: 'number?',
  transactionConfirmationData: 'string',
  reward: 'number',
  infoLink: 'string?',
  hash: 'string?',
  miner: 'string',
  source: 'string',
  created: 'date',
};

const PAYMENT: Spec = {
  coin: 'string',
  address: 'string',
  addressInfoLink: 'string',
  amount: 'number',
  transactionConfirmationData: 'string',
  transactionInfoLink: 'string',
  created: 'date',
};

const WORKERS: Spec = 'object';
const SAMPLE: Spec = { created: 'date', workers: WORKERS };

const MINER_STATS: Spec = {
  pendingShares: 'number',
  pendingBalance: 'number',
  totalPaid: 'number',
  todayPaid: 'number',
  lastPayment: 'date?',
  lastPaymentLink: 'string?',
  performance: 'object?',
  performanceSamples: [SAMPLE],
};

const V2 = (item: Spec): Spec => ({ result: [item], success: 'boolean', pageCount: 'number' });

for (const engine of ENGINES) {
  describe(`miningcore-compatible routes on ${engine}`, () => {
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

    const table: [string, Spec][] = [
      ['/api/pools', { pools: [POOL_INFO] }],
      ['/api/pools/ergo', { pool: POOL_INFO }],
      [
        '/api/pools/ergo/performance',
        {
          stats: [
            {
              poolHashrate: 'number',
              connectedMiners: 'number',
              connectedWorkers: 'number',
              validSharesPerSecond: 'number',
              networkHashrate: 'number',
              networkDifficulty: 'number',
              created: 'date',
            },
          ],
        },
      ],
      ['/api/pools/ergo/miners', [TOP_MINER]],
      ['/api/pools/ergo/blocks', [BLOCK]],
      ['/api/v2/pools/ergo/blocks', V2(BLOCK)],
      ['/api/pools/ergo/payments', [PAYMENT]],
      ['/api/v2/pools/ergo/payments', V2(PAYMENT)],
      [`/api/pools/ergo/miners/${ALICE}`, MINER_STATS],
      [`/api/pools/ergo/miners/${ALICE}/payments`, [PAYMENT]],
      [`/api/v2/pools/ergo/miners/${ALICE}/payments`, V2(PAYMENT)],
      [
        `/api/pools/ergo/miners/${ALICE}/balancechanges`,
        [{ poolId: 'string', address: 'string', amount: 'number', usage: 'string', created: 'date' }],
      ],
      [
        `/api/v2/pools/ergo/miners/${ALICE}/balancechanges`,
        V2({ poolId: 'string', address: 'string', amount: 'number', usage: 'string', created: 'date' }),
      ],
      [`/api/pools/ergo/miners/${ALICE}/earnings/daily`, [{ amount: 'number', date: 'date' }]],
      [`/api/v2/pools/ergo/miners/${ALICE}/earnings/daily`, V2({ amount: 'number', date: 'date' })],
      [`/api/pools/ergo/miners/${ALICE}/performance`, [SAMPLE]],
      ['/api/blocks', [BLOCK]],
    ];
    for (const [path, spec] of table)
      it(`GET ${path.replace(ALICE, '{address}')}: the field names and JSON types of the spec`, async () => {
        const r = await s.get(path);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.headers.get('access-control-allow-origin'), '*');
        check(r.body, spec, 'body');
        if (Array.isArray(spec) || (typeof spec === 'object' && 'result' in spec)) {
          const items = Array.isArray(r.body) ? r.body : r.body.result;
          assert.ok(items.length > 0, 'the fixture has rows for every list');
        }
      });

    it('ports are keyed by port number and carry the spec’s fields', async () => {
      const r = await s.get('/api/pools/ergo');
      assert.deepEqual(Object.keys(r.body.pool.ports), ['3052', '3054']);
      for (const port of Object.values(r.body.pool.ports)) check(port, PORT, 'port');
      assert.equal(r.body.pool.ports['3052'].varDiff.targetTime, 15);
      assert.equal(r.body.pool.ports['3054'].tls, true);
    });

    it('money in ERG as numbers, exact to the nanoERG; effort as a fraction; no hashrate bonus', async () => {
      const pool = (await s.get('/api/pools/ergo')).body.pool;
      assert.equal(pool.totalPaid, 4.44);
      assert.equal(pool.totalBlocks, 3);
      assert.equal(pool.paymentProcessing.payoutScheme, 'PPLNS');
      assert.equal(pool.poolStats.poolHashrate, s.snapshot.pool.hashrate.current);
      const blocks = (await s.get('/api/pools/ergo/blocks?state=confirmed')).body;
      assert.equal(blocks.length, 1);
      assert.equal(blocks[0].reward, 5.94);
      assert.equal(blocks[0].effort, 0.8);
      const miners = (await s.get('/api/pools/ergo/miners')).body;
      const detail = (await s.get(`/api/pools/ergo/miners/${ALICE}`)).body;
      const listed = miners.find((m: { miner: string }) => m.miner === ALICE);
      const workers = Object.values(detail.performance.workers) as { hashrate: number }[];
      assert.equal(
        listed.hashrate,
        workers.reduce((a, w) => a + w.hashrate, 0),
        'the list and the miner page show the same hashrate',
      );
      assert.equal(detail.pendingBalance, 1.5);
      assert.equal(detail.totalPaid, 2.5);
    });

    it('both pageSize spellings, and pageCount rounds a partial last page up', async () => {
      const upper = await s.get('/api/pools/ergo/miners?pageSize=1');
      const lower = await s.get('/api/pools/ergo/miners?pagesize=1');
      assert.equal(upper.body.length, 1);
      assert.deepEqual(lower.body, upper.body);
      const v2 = await s.get('/api/v2/pools/ergo/blocks?pageSize=2');
      assert.equal(v2.body.result.length, 2);
      assert.equal(v2.body.pageCount, 2, '3 blocks in pages of 2');
      const two = await s.get('/api/pools/ergo/blocks?state=pending&state=orphaned');
      assert.equal(two.body.length, 2);
    });

    it('an unknown pool id is a 404 with a JSON body; a bad address a 400', async () => {
      const r = await s.get('/api/pools/bitcoin/blocks');
      assert.equal(r.status, 404);
      assert.equal(r.body.error, 'not_found');
      const bad = await s.get('/api/pools/ergo/miners/nope');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, 'address');
    });

    it('an address with no history answers with zeros and empty samples', async () => {
      const r = await s.get(`/api/pools/ergo/miners/${CAROL}`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, {
        pendingShares: 0,
        pendingBalance: 0,
        totalPaid: 0,
        todayPaid: 0,
        lastPayment: null,
        lastPaymentLink: null,
        performance: null,
        performanceSamples: [],
      });
    });

    it('settings: none set is a 404; changing them over HTTP is refused (use the stratum password)', async () => {
      assert.equal((await s.get(`/api/pools/ergo/miners/${BOB}/settings`)).status, 404);
      const post = await fetch(`${s.api.url}/api/pools/ergo/miners/${BOB}/settings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ipAddress: '127.0.0.1', settings: { paymentThreshold: 5 } }),
      });
      assert.equal(post.status, 403);
      assert.match(((await post.json()) as { message: string }).message, /t=/);
      const rows = await db.query('SELECT 1 FROM miner_settings WHERE address = $1', [BOB]);
      assert.equal(rows.rowCount, 0, 'nothing changed');
    });

    it('health-check and help', async () => {
      assert.equal((await s.get('/api/health-check')).status, 200);
      const help = await s.get('/api/help');
      assert.equal(help.status, 200);
      assert.match(help.body, /\/api\/pools\/:poolId\/miners\/:address/);
    });

    it('a payment row per recipient, with its transaction', async () => {
      const r = await s.get('/api/pools/ergo/payments');
      assert.deepEqual(
        r.body.map((p: { address: string; amount: number }) => [p.address, p.amount]).sort(),
        [
          [ALICE, 2.5],
          [BOB, 1.94],
        ].sort(),
      );
      for (const p of r.body) assert.equal(p.transactionConfirmationData, TX);
    });
  });
}
