import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import WebSocket from 'ws';
import { type RunningPool, startPool } from '../../src/cli/pool.ts';
import { validate } from '../../src/config/index.ts';
import { CpuMiner } from '../../src/miner/index.ts';
import { minerAddress } from '../accounting/db-helpers.ts';
import { MINER_ADDRESS } from '../helpers/stratum-harness.ts';
import { WebhookReceiver } from '../helpers/webhook-receiver.ts';

const until = async (check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/**
 * The whole pool in one process on the devnet, mined by the CPU miner: the stats job turns its shares into
 * figures every route shows alike, the websockets announce its block, and /metrics is Prometheus text.
 */
describe('the API of a devnet pool mined by the CPU miner', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ep-api-e2e-'));
  let pool: RunningPool;
  let api: string;
  let miner: CpuMiner;
  const ours: Record<string, unknown>[] = [];
  const theirs: Record<string, unknown>[] = [];
  const sockets: WebSocket[] = [];
  const hooks = new WebhookReceiver();
  const hookEvents = () => hooks.bodies.map((b) => (b.body as { event: string }).event);
  // The pool measures a new miner's hashrate from its first share: so does the test.
  let firstShare: { at: number; hashes: number } | undefined;

  before(async () => {
    await hooks.start();
    const config = validate({
      dataDir,
      devnet: { enabled: true, port: 0, difficulty: '40000', blockTimeSeconds: 3600 },
      stratum: {
        ports: [
          {
            port: 0,
            host: '127.0.0.1',
            difficulty: { start: '1e-7', min: '1e-7', max: '1e-7' },
            vardiff: false,
          },
        ],
      },
      api: { port: 0 },
      stats: { intervalSeconds: 5 },
      accounting: { confirmations: 20, blockCheckSeconds: 5 },
      notifications: { webhooks: [{ url: `${hooks.url}/hook` }] },
    });
    pool = await startPool(config, pino({ level: 'silent' }));
    api = pool.observed!.api!.url;
    for (const [path, into] of [
      ['/api/v1/ws', ours],
      ['/notifications', theirs],
    ] as const) {
      const ws = new WebSocket(api.replace('http', 'ws') + path);
      ws.on('message', (data) => into.push(JSON.parse(String(data))));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      sockets.push(ws);
    }
    miner = new CpuMiner({
      url: `stratum+tcp://127.0.0.1:${pool.ports[0]!.port}`,
      user: `${MINER_ADDRESS}.cpu`,
      threads: 1,
    });
    miner.once('accepted', () => {
      firstShare = { at: Date.now(), hashes: miner.stats.hashes };
    });
    await miner.start();
  });

  after(async () => {
    for (const ws of sockets) ws.close();
    await miner?.stop();
    await pool?.close();
    await hooks.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const res = await fetch(`${api}${path}`);
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    // biome-ignore lint/suspicious/noExplicitAny: tests read JSON bodies field by field
    return (await res.json()) as any;
  };

  it('the websockets announce the block the CPU miner finds, in both shapes', async () => {
    await until(
      () => ours.some((m) => m.type === 'block.found') && theirs.some((m) => m.type === 'blockfound'),
      150_000,
      'a block found by the CPU miner on both websockets',
    );
    const found = ours.find((m) => m.type === 'block.found') as { data: { miner: string; worker: string } };
    assert.equal(found.data.miner, MINER_ADDRESS);
    assert.equal(found.data.worker, 'cpu');
    const mc = theirs.find((m) => m.type === 'blockfound') as { poolId: string; miner: string };
    assert.deepEqual([mc.poolId, mc.miner], ['ergo', MINER_ADDRESS]);
    assert.equal(theirs[0]!.type, 'greeting');
    await until(
      () => hookEvents().includes('block.found'),
      10_000,
      'the block.found webhook (from the outbox)',
    );
  });

  it('a node going down and coming back is a webhook each', async () => {
    const fault = (mode: 'down' | 'none') => pool.devnet!.nodes[0]!.setFault({ mode });
    await fault('down');
    try {
      await until(() => hookEvents().includes('node.down'), 30_000, 'the node.down webhook');
      assert.equal((await fetch(`${api}/health/nodes/devnet`)).status, 503, 'a load balancer takes it out');
    } finally {
      await fault('none');
    }
    await until(() => hookEvents().includes('node.up'), 30_000, 'the node.up webhook');
    assert.equal((await fetch(`${api}/health/nodes/devnet`)).status, 200);
    const down = hooks.bodies.find((b) => (b.body as { event: string }).event === 'node.down')!.body as {
      data: { node: string };
    };
    assert.equal(down.data.node, 'devnet');
  });

  it('the hashrate is the same on every route, and within the statistical error of what the miner did', async (t) => {
    await until(() => miner.stats.accepted >= 150, 120_000, '150 accepted shares');
    // 250 more shares from now (the earlier tests may have taken long enough for any absolute count).
    const acceptedBefore = miner.stats.accepted;
    await until(() => miner.stats.accepted >= acceptedBefore + 250, 120_000, '250 more accepted shares');
    // Over the pool's own window (since the first share): the miner's speed varies with the machine's
    // load, so a shorter window of its own would not measure the same thing.
    const minerRate = (miner.stats.hashes - firstShare!.hashes) / ((Date.now() - firstShare!.at) / 1000);
    // The stats job aggregates whole 5 s intervals: let the one holding these shares close.
    await sleep(5_500);
    // Shares reach the database through the journal and the shipper; then one stats run.
    await until(async () => (await pool.pipeline!.sink.drain(5000)) === true, 20_000, 'the shipper');
    const run = await pool.observed!.stats!.runOnce();
    assert.ok(run.ran);
    const stats = await get('/api/v1/stats');
    const rate = stats.pool.hashrate.current;
    assert.ok(rate > 0, 'the hashrate is not zero');
    const miners = await get('/api/v1/miners');
    const detail = await get(`/api/v1/miners/${MINER_ADDRESS}`);
    const mcPool = (await get('/api/pools/ergo')).pool;
    const mcMiners = await get('/api/pools/ergo/miners');
    const mcMiner = await get(`/api/pools/ergo/miners/${MINER_ADDRESS}`);
    const metrics = await (await fetch(`${api}/metrics`)).text();
    // Labelled by pool (issue 14).
    const gauge = Number(/^enigmapool_pool_hashrate\{pool="ergo"\} (\S+)$/m.exec(metrics)![1]);
    for (const [where, value] of [
      ['/api/v1/miners', miners.items[0].hashrate.current],
      ['/api/v1/miners/:address', detail.hashrate.current],
      ['/api/v1/miners/:address worker', detail.workerList[0].hashrate.current],
      ['/api/pools/ergo poolHashrate', mcPool.poolStats.poolHashrate],
      ['/api/pools/ergo/miners', mcMiners[0].hashrate],
      ['/api/pools/ergo/miners/:address', mcMiner.performance.workers.cpu.hashrate],
      ['/metrics enigmapool_pool_hashrate', gauge],
    ] as const)
      assert.equal(value, rate, `${where} shows the same hashrate as /api/v1/stats`);
    // The miner started a few minutes ago at most: its rate is measured since its first share, with
    // ≥ 300 shares counted the relative error is under 6 % (1σ); 25 % is > 4σ.
    const shares = detail.workerList[0].shares.valid;
    assert.ok(shares >= 300, `${shares} shares counted`);
    t.diagnostic(
      `pool ${Math.round(rate)} H/s from ${shares} shares; the miner counted ${Math.round(minerRate)} H/s`,
    );
    assert.ok(Math.abs(rate / minerRate - 1) < 0.25, `pool ${rate} H/s vs miner ${minerRate} H/s`);
    assert.equal(detail.workerList[0].online, true);
    assert.equal(stats.pool.miners, 1);
  });

  it('a miner sets its payout threshold with t= in its password, once it has an accepted share', async () => {
    const generous = minerAddress('e2e threshold 2.5');
    const tooLow = minerAddress('e2e threshold 0.5');
    const url = `stratum+tcp://127.0.0.1:${pool.ports[0]!.port}`;
    const miners = [
      new CpuMiner({ url, user: `${generous}.rig`, password: 'x,t=2.5', threads: 1 }),
      new CpuMiner({ url, user: `${tooLow}.rig`, password: 't=0.5', threads: 1 }),
    ];
    for (const m of miners) await m.start();
    try {
      await until(() => miners.every((m) => m.stats.accepted >= 1), 60_000, 'a share from each');
      await until(
        async () => (await get(`/api/v1/miners/${generous}`)).payoutThreshold === '2.5',
        10_000,
        'the threshold saved',
      );
    } finally {
      for (const m of miners) await m.stop();
    }
    const low = await get(`/api/v1/miners/${tooLow}`);
    assert.deepEqual(
      [low.payoutThreshold, low.payoutThresholdSource],
      ['1', 'pool'],
      'below the pool minimum: refused',
    );
    assert.equal((await get(`/api/v1/miners/${generous}`)).payoutThresholdSource, 'miner');
  });

  it('/metrics parses as Prometheus text and covers the pool', async () => {
    const text = await (await fetch(`${api}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?([0-9.eE+-]+|NaN|\+Inf|-Inf)$/, line);
    }
    // The per-pool ones carry their pool (issue 14).
    const pool = 'pool="ergo",';
    for (const [name, labels] of [
      ['enigmapool_stratum_connections', ''],
      ['enigmapool_shares_total', `{${pool}outcome="accepted"}`],
      ['enigmapool_share_check_seconds_bucket', '{'],
      ['enigmapool_verifier_queue', ''],
      ['enigmapool_share_backlog', ''],
      ['enigmapool_share_journal_commit_seconds_bucket', '{'],
      ['enigmapool_share_db_outage_seconds', ''],
      ['enigmapool_node_healthy', '{node="devnet"}'],
      ['enigmapool_node_height', '{node="devnet"}'],
      ['enigmapool_blocks_submitted_total', `{${pool}result="accepted"}`],
      ['enigmapool_blocks', `{${pool}status="pending"}`],
      ['enigmapool_payments', `{${pool}status="sent"}`],
      ['enigmapool_network_hashrate', `(?:{${pool}})?`],
      ['enigmapool_process_resident_memory_bytes', ''],
    ] as const)
      assert.match(
        text,
        new RegExp(`^${name}${labels.replace(/[{}]/g, '\\$&')}`, 'm'),
        `${name}${labels} in /metrics`,
      );
    assert.ok(!/address=|miner=|worker=/.test(text), 'no per-miner labels');
  });
});
