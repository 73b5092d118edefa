import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { PoolApi, PoolDescription } from '../../src/api/index.ts';
import { type ApiServer, type ApiServerOptions, LocalEventBus, startApiServer } from '../../src/api/index.ts';
import type { Database, Sql } from '../../src/db/index.ts';
import { InvalidAddressError, parseAddress } from '../../src/ergo/index.ts';
import { MemoryStatsCache, StatsJob, type StatsSnapshot } from '../../src/stats/index.ts';
import { minerAddress } from '../accounting/db-helpers.ts';

export const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
export const AT = T0 + 2 * 3_600_000; // the stats run's interval end
export const NOW = AT + 5_000;
export const H = 2n ** 32n * 100n;
export const D = 10n ** 15n;
export const ALICE = minerAddress('api alice');
export const BOB = minerAddress('api bob');
export const CAROL = minerAddress('api carol'); // valid, never seen
export const TX = 'ab'.repeat(32);
/** The neighbour pool in the same database: none of its rows may ever show in DESCRIPTION's API. */
export const NEIGHBOUR = 'solo';
export const NEIGHBOUR_TX = 'ef'.repeat(32);

export const DESCRIPTION: PoolDescription = {
  id: 'ergo',
  name: 'Test Pool',
  network: 'mainnet',
  coin: { name: 'Ergo', symbol: 'ERG', decimals: 9, algorithm: 'Autolykos v2', family: 'ergo' },
  address: null,
  payouts: {
    enabled: true,
    scheme: 'pplns',
    pplnsFactor: '2',
    fees: [{ address: minerAddress('api fee'), percent: '1' }],
    feePercent: '1',
    fee: { num: 1n, den: 100n },
    minimum: 1_000_000_000n,
    intervalSeconds: 600,
    confirmations: 720,
    txFeePaidBy: 'pool',
    txFee: 1_000_000n,
  },
  stratum: {
    host: 'pool.example.org',
    ports: [
      {
        port: 3052,
        name: 'low',
        tls: false,
        tlsDetect: false,
        difficulty: { start: '1', min: '0.0001', max: '1000000' },
        vardiff: { targetSeconds: 15, retargetSeconds: 90, variancePercent: 30 },
      },
      {
        port: 3054,
        name: null,
        tls: true,
        tlsDetect: false,
        difficulty: { start: '100', min: '100', max: '100' },
        vardiff: null,
      },
    ],
    ban: { enabled: true, checkThreshold: 100, invalidPercent: 50, banSeconds: 600 },
    idleTimeoutSeconds: 600,
    pollIntervalMs: 500,
    proxyProtocol: false,
  },
  explorer: {
    address: 'https://explorer.example/a/{address}',
    transaction: 'https://explorer.example/t/{tx}',
    block: 'https://explorer.example/b/{block}',
  },
};

/**
 * The neighbour pool as an API serving both describes it: SOLO, its own fee, port and name, so a figure or a
 * term taken from the wrong pool shows.
 */
export const SOLO: PoolDescription = {
  ...DESCRIPTION,
  id: NEIGHBOUR,
  name: 'Solo Pool',
  payouts: {
    ...DESCRIPTION.payouts,
    scheme: 'solo',
    fees: [{ address: minerAddress('api fee'), percent: '1.5' }],
    feePercent: '1.5',
    fee: { num: 3n, den: 200n },
    minimum: 2_000_000_000n,
  },
  stratum: {
    ...DESCRIPTION.stratum,
    ports: [
      {
        port: 3060,
        name: 'solo',
        tls: false,
        tlsDetect: false,
        difficulty: { start: '8', min: '1', max: '1000000' },
        vardiff: { targetSeconds: 20, retargetSeconds: 90, variancePercent: 30 },
      },
    ],
  },
};

async function share(sql: Sql, address: string, worker: string, at: number, pool = DESCRIPTION.id) {
  await sql.query(
    `INSERT INTO shares (id, pool_id, address, worker, difficulty, expected_hashes, job_id, height,
                         network_difficulty, nonce, hit, created_at)
     VALUES ($1, $7, $2, $3, 100, $4, 'job', 1925001, $5, '0000000000000000', 0, $6)`,
    [randomUUID(), address, worker, H, D, new Date(at), pool],
  );
}

/**
 * A pool's history: alice mines on two rigs for two hours, bob started 3 minutes ago; three blocks
 * (confirmed with credits, pending, orphaned); one payment sent to both. Beside it, the neighbour pool's own
 * history (seedNeighbour), so every figure the tests check would show a leak.
 */
export async function seed(db: Database): Promise<void> {
  await seedOwn(db);
  await seedNeighbour(db);
}

async function seedOwn(db: Database): Promise<void> {
  for (let t = T0; t < AT; t += 15_000) {
    await share(db, ALICE, 'rig1', t);
    await share(db, ALICE, 'rig2', t + 7000);
  }
  for (let t = AT - 180_001; t < AT; t += 15_000) await share(db, BOB, '', t);
  const block = async (height: number, at: number, effort: string) => {
    const r = await db.query<{ id: bigint }>(
      `INSERT INTO blocks (pool_id, height, nonce, miner_address, worker, network_difficulty, created_at, effort,
                           required_confirmations)
       VALUES ('ergo', $1, $2, $3, 'rig1', $4, $5, $6, 720) RETURNING id`,
      [height, `${height}`.padStart(16, '0'), ALICE, D, new Date(at), effort],
    );
    return r.rows[0]!.id;
  };
  const confirmed = await block(1925001, T0 + 1_800_000, '0.8');
  const pending = await block(1925010, T0 + 3_600_000, '1.25');
  const orphaned = await block(1925005, T0 + 2_700_000, '0.5');
  await db.query(
    `INSERT INTO ledger_entries (pool_id, address, amount, kind, block_id, reason) VALUES
       ('ergo', $1, 4000000000, 'block_credit', $3, 'reward for block 1925001'),
       ('ergo', $2, 1940000000, 'block_credit', $3, 'reward for block 1925001'),
       ('ergo', $1, 3000000000, 'block_credit', $4, 'reward for block 1925010')`,
    [ALICE, BOB, confirmed, pending],
  );
  await db.query(
    `UPDATE blocks SET status = 'confirmed', confirmations = 720, reward = 5940000000, header_id = $2,
                       source_node = 'main', accepted_by = ARRAY['main', 'backup'] WHERE id = $1`,
    [confirmed, 'cd'.repeat(32)],
  );
  await db.query(`UPDATE blocks SET confirmations = 5 WHERE id = $1`, [pending]);
  await db.query(`UPDATE blocks SET status = 'orphaned' WHERE id = $1`, [orphaned]);
  const pay = await db.query<{ id: bigint }>(
    `INSERT INTO payments (pool_id, status, tx_id, fee, created_at, sent_at)
     VALUES ('ergo', 'sent', $1, 1000000, $2, $2) RETURNING id`,
    [TX, new Date(T0 + 5_400_000)],
  );
  const paymentId = pay.rows[0]!.id;
  await db.query(
    `INSERT INTO payment_outputs (payment_id, address, amount) VALUES ($1, $2, 2500000000), ($1, $3, 1940000000)`,
    [paymentId, ALICE, BOB],
  );
  await db.query(
    `INSERT INTO ledger_entries (pool_id, address, amount, kind, payment_id, reason) VALUES
       ('ergo', $2, -2500000000, 'payout', $1, 'payout'), ('ergo', $3, -1940000000, 'payout', $1, 'payout')`,
    [paymentId, ALICE, BOB],
  );
}

/**
 * The neighbour pool's history over the same hours: alice on a third rig and carol (never seen in the main
 * pool) mine there; a newer block at the main pool's confirmed height and a confirmed one crediting both;
 * a payment to alice; her own threshold there; rejected shares; and its stats job's samples.
 */
export async function seedNeighbour(db: Database): Promise<void> {
  for (let t = T0; t < AT; t += 10_000) {
    await share(db, ALICE, 'rig3', t, NEIGHBOUR);
    await share(db, CAROL, 'rig1', t + 3000, NEIGHBOUR);
  }
  const block = async (height: number, nonce: string, at: number) => {
    const r = await db.query<{ id: bigint }>(
      `INSERT INTO blocks (pool_id, height, nonce, miner_address, worker, network_difficulty, created_at, effort)
       VALUES ($1, $2, $3, $4, 'rig1', $5, $6, 2.5) RETURNING id`,
      [NEIGHBOUR, height, nonce, CAROL, D, new Date(at)],
    );
    return r.rows[0]!.id;
  };
  await block(1925001, 'ff'.repeat(8), T0 + 3_700_000);
  const confirmed = await block(1925002, 'ee'.repeat(8), T0 + 1_900_000);
  await db.query(
    `INSERT INTO ledger_entries (pool_id, address, amount, kind, block_id, reason) VALUES
       ($1, $2, 1000000000, 'block_credit', $4, 'reward for block 1925002'),
       ($1, $3, 5000000000, 'block_credit', $4, 'reward for block 1925002')`,
    [NEIGHBOUR, ALICE, CAROL, confirmed],
  );
  await db.query(
    `UPDATE blocks SET status = 'confirmed', confirmations = 720, reward = 6000000000, header_id = $2
      WHERE id = $1`,
    [confirmed, 'ce'.repeat(32)],
  );
  const pay = await db.query<{ id: bigint }>(
    `INSERT INTO payments (pool_id, status, tx_id, fee, created_at, sent_at)
     VALUES ($1, 'sent', $2, 1000000, $3, $3) RETURNING id`,
    [NEIGHBOUR, NEIGHBOUR_TX, new Date(T0 + 6_000_000)],
  );
  await db.query(`INSERT INTO payment_outputs (payment_id, address, amount) VALUES ($1, $2, 500000000)`, [
    pay.rows[0]!.id,
    ALICE,
  ]);
  await db.query(
    `INSERT INTO ledger_entries (pool_id, address, amount, kind, payment_id, reason)
     VALUES ($1, $2, -501000000, 'payout', $3, 'payout')`,
    [NEIGHBOUR, ALICE, pay.rows[0]!.id],
  );
  await db.query(
    `INSERT INTO miner_settings (pool_id, address, payout_threshold) VALUES ($1, $2, 5000000000)`,
    [NEIGHBOUR, ALICE],
  );
  await db.query(
    `INSERT INTO share_rejections (pool_id, bucket_at, instance, address, worker, stale, invalid)
     VALUES ($1, $2, '01', $3, 'rig3', 7, 3), ($1, $2, '01', '', '', 0, 9)`,
    [NEIGHBOUR, new Date(AT - 60_000), ALICE],
  );
  const run = await statsJob(db, NEIGHBOUR, new MemoryStatsCache()).runOnce();
  if (!run.ran) throw new Error(run.reason);
}

export function checkAddress(address: string): string | null {
  try {
    parseAddress(address, 'mainnet');
    return null;
  } catch (err) {
    return err instanceof InvalidAddressError ? err.reason : String(err);
  }
}

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON bodies field by field
  body: any;
  headers: Headers;
}

export interface Served {
  api: ApiServer;
  /** The first (default) pool's stats run, and every pool's by id. */
  snapshot: StatsSnapshot;
  snapshots: Map<string, StatsSnapshot>;
  registry: Registry;
  bus: LocalEventBus;
  get(path: string, headers?: Record<string, string>): Promise<Reply>;
  close(): Promise<void>;
}

function statsJob(
  db: Database,
  poolId: string,
  cache: MemoryStatsCache,
  scheme: PoolDescription['payouts']['scheme'] = 'pplns',
): StatsJob {
  return new StatsJob({
    db,
    poolId,
    cache,
    holder: 'api-test',
    intervalSeconds: 60,
    scheme,
    pplnsFactor: 2,
    fee: { num: 1n, den: 100n },
    rewardAt: () => 6_000_000_000n,
    network: async () => ({
      height: 1925020,
      difficulty: D,
      hashrate: 8.3e12,
      meanBlockSeconds: 118.5,
      lastBlockAt: NOW - 30_000,
    }),
    nodes: () => [
      {
        name: 'main',
        status: 'healthy',
        problems: [],
        height: 1925020,
        peers: 12,
        latencyMs: 4,
        current: true,
        wallet: true,
      },
    ],
    now: () => NOW,
  });
}

/**
 * Runs the stats job of each served pool (`pools`, default DESCRIPTION alone; the first is the default pool)
 * over the seeded database and serves their API on a loopback port.
 */
export async function serve(
  db: Database,
  options: Partial<ApiServerOptions> = {},
  pools: PoolDescription | readonly PoolDescription[] = DESCRIPTION,
): Promise<Served> {
  const served: PoolApi[] = [];
  const snapshots = new Map<string, StatsSnapshot>();
  for (const pool of [pools].flat()) {
    const cache = new MemoryStatsCache();
    const run = await statsJob(db, pool.id, cache, pool.payouts.scheme).runOnce();
    if (!run.ran) throw new Error(run.reason);
    snapshots.set(pool.id, run.snapshot);
    served.push({ pool, cache, nodes: null, checkAddress });
  }
  const registry = new Registry();
  registry.registerMetric(
    new (await import('prom-client')).Gauge({
      name: 'enigmapool_test_gauge',
      help: 'a test gauge',
      registers: [],
    }),
  );
  const bus = new LocalEventBus();
  const api = await startApiServer({
    ctx: {
      db,
      pools: served,
      bus,
      logger: pino({ level: 'silent' }),
      now: () => NOW,
      metrics: registry,
    },
    host: '127.0.0.1',
    port: 0,
    trustProxy: false,
    rateLimit: { max: 10_000, allow: [] },
    metrics: { enabled: true, allow: ['127.0.0.1', '::1'] },
    webDir: null,
    ...options,
  });
  return {
    api,
    snapshot: snapshots.get(served[0]!.pool.id)!,
    snapshots,
    registry,
    bus,
    async get(path, headers = {}) {
      const res = await fetch(`${api.url}${path}`, { headers });
      const text = await res.text();
      let body: unknown = text;
      if ((res.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
      return { status: res.status, body, headers: res.headers };
    },
    close: () => api.close(),
  };
}
