import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { checkDatabaseLedger } from '../../src/accounting/index.ts';
import { type RunningPool, startPool } from '../../src/cli/pool.ts';
import { validate } from '../../src/config/index.ts';
import { CpuMiner } from '../../src/miner/index.ts';
import { minerAddress } from '../accounting/db-helpers.ts';

const until = async (check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
};

const BOTH = minerAddress('mines in both pools');
const PPLNS_ONLY = minerAddress('mines in the PPLNS pool only');
const FEE = minerAddress('the pool fee');

interface Credit {
  pool_id: string;
  block_id: string;
  address: string;
  kind: string;
  amount: bigint;
}

/**
 * Two pools in one deployment on the devnet (issue 14): a PPLNS pool and a SOLO pool on the same node, each
 * on its own port with its own fee. One miner mines on both, another on the PPLNS pool only. Each pool's
 * blocks are credited under its own scheme alone, and no nanoERG crosses between the pools.
 */
describe('a PPLNS pool and a SOLO pool in one deployment, on the devnet', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ep-two-pools-'));
  let pool: RunningPool;
  const miners: CpuMiner[] = [];
  const port = {
    port: 0,
    host: '127.0.0.1',
    difficulty: { start: '1e-7', min: '1e-7', max: '1e-7' },
    vardiff: false,
  };

  before(async () => {
    const config = validate({
      dataDir,
      devnet: { enabled: true, port: 0, difficulty: '20000', blockTimeSeconds: 3600 },
      api: { enabled: false },
      stats: { intervalSeconds: 5 },
      pools: [
        {
          id: 'pplns',
          ports: [port],
          accounting: {
            scheme: 'pplns',
            fees: [{ address: FEE, percent: '1' }],
            confirmations: 20,
            blockCheckSeconds: 2,
          },
        },
        {
          id: 'solo',
          ports: [port],
          accounting: {
            scheme: 'solo',
            fees: [{ address: FEE, percent: '0.5' }],
            confirmations: 20,
            blockCheckSeconds: 2,
          },
        },
      ],
    });
    pool = await startPool(config, pino({ level: 'silent' }));
    const portOf = (id: string) => pool.ports.find((p) => p.pool === id)!.port;
    for (const [id, address, worker] of [
      ['pplns', BOTH, 'p'],
      ['solo', BOTH, 's'],
      ['pplns', PPLNS_ONLY, 'n'],
    ] as const) {
      const miner = new CpuMiner({
        url: `stratum+tcp://127.0.0.1:${portOf(id)}`,
        user: `${address}.${worker}`,
        threads: 1,
      });
      await miner.start();
      miners.push(miner);
    }
  });

  after(async () => {
    for (const miner of miners) await miner.stop();
    await pool?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shares and blocks land in the pool of the port they came in on', async () => {
    const db = pool.pipeline!.db;
    // Both pools find blocks on the one devnet (the same candidates), each credited under its own scheme;
    // wait for a PPLNS block whose window holds both of its miners' shares.
    await until(
      async () => {
        const r = await db.query<{ pool_id: string; miners: number }>(
          `SELECT b.pool_id, count(DISTINCT e.address) FILTER (WHERE e.kind = 'block_credit')::int AS miners
             FROM blocks b JOIN ledger_entries e ON e.block_id = b.id
            WHERE b.credited_at IS NOT NULL GROUP BY b.id, b.pool_id`,
        );
        return (
          r.rows.some((b) => b.pool_id === 'solo') &&
          r.rows.some((b) => b.pool_id === 'pplns' && b.miners === 2)
        );
      },
      300_000,
      'a credited SOLO block, and a credited PPLNS block of both its miners',
    );
    const workers = await db.query<{ pool_id: string; address: string; worker: string }>(
      'SELECT DISTINCT pool_id, address, worker FROM shares ORDER BY pool_id, address, worker',
    );
    assert.deepEqual(
      workers.rows
        .map((r) => `${r.pool_id} ${r.address === BOTH ? 'both' : 'pplns-only'}.${r.worker}`)
        .sort(),
      ['pplns both.p', 'pplns pplns-only.n', 'solo both.s'],
    );
    const blocks = await db.query<{ pool_id: string; worker: string; scheme: string }>(
      'SELECT pool_id, worker, scheme FROM blocks WHERE credited_at IS NOT NULL',
    );
    for (const b of blocks.rows) {
      assert.equal(b.scheme, b.pool_id, `a ${b.pool_id} block credited under ${b.scheme}`);
      assert.ok(
        b.pool_id === 'solo' ? b.worker === 's' : ['p', 'n'].includes(b.worker),
        `${b.pool_id}: ${b.worker}`,
      );
    }
  });

  it('SOLO pays its finder alone, PPLNS every miner of the window, each with its own fee; nothing crosses', async () => {
    const db = pool.pipeline!.db;
    const credited = await db.query<{
      id: string;
      pool_id: string;
      reward: bigint;
      miner_address: string;
      window_start: Date;
      window_end: Date;
    }>(
      'SELECT id, pool_id, reward, miner_address, window_start, window_end FROM blocks WHERE credited_at IS NOT NULL ORDER BY id',
    );
    const credits = (
      await db.query<Credit>(
        `SELECT pool_id, block_id, address, kind, amount FROM ledger_entries WHERE block_id IS NOT NULL`,
      )
    ).rows;
    for (const block of credited.rows) {
      const mine = credits.filter((c) => c.block_id === block.id);
      assert.ok(mine.length > 0, `block ${block.id} has credits`);
      assert.ok(
        mine.every((c) => c.pool_id === block.pool_id),
        `block ${block.id}'s credits are all in its pool ${block.pool_id}`,
      );
      const sum = mine.reduce((s, c) => s + BigInt(c.amount), 0n);
      assert.equal(sum, BigInt(block.reward), `block ${block.id}: Σ credits = reward`);
      const fee = mine.filter((c) => c.kind === 'fee').reduce((s, c) => s + BigInt(c.amount), 0n);
      const miners = new Set(mine.filter((c) => c.kind === 'block_credit').map((c) => c.address));
      // Fees are apportioned with the miners' credits to the nanoERG: within one of the exact share.
      const near = (got: bigint, exact: bigint) => got >= exact - 1n && got <= exact + 1n;
      if (block.pool_id === 'solo') {
        // 0.5 % of the reward to the fee address; the rest to the finder, the miner on both pools.
        assert.ok(near(fee, (BigInt(block.reward) * 5n) / 1000n), `SOLO fee 0.5 %: ${fee}`);
        assert.deepEqual([...miners], [BOTH], 'SOLO: the finder alone');
        assert.equal(block.miner_address, BOTH);
      } else {
        assert.ok(near(fee, BigInt(block.reward) / 100n), `PPLNS fee 1 %: ${fee}`);
        const window = await db.query<{ address: string }>(
          `SELECT DISTINCT address FROM shares
            WHERE pool_id = 'pplns' AND created_at >= $1 AND created_at <= $2`,
          [block.window_start, block.window_end],
        );
        assert.deepEqual(
          [...miners].sort(),
          window.rows.map((r) => r.address).sort(),
          'PPLNS: every miner with shares in the window, and only the PPLNS pool’s shares',
        );
      }
    }
    // A miner's balance in each pool is that pool's credits to it, never the other's.
    const balances = await db.query<{ pool_id: string; address: string; immature: bigint; payable: bigint }>(
      'SELECT pool_id, address, immature, payable FROM balances',
    );
    for (const b of balances.rows) {
      const own = credits
        .filter((c) => c.pool_id === b.pool_id && c.address === b.address)
        .reduce((s, c) => s + BigInt(c.amount), 0n);
      assert.equal(BigInt(b.immature) + BigInt(b.payable), own, `${b.pool_id} ${b.address}`);
    }
    assert.ok(balances.rows.some((b) => b.pool_id === 'solo' && b.address === BOTH));
    assert.ok(balances.rows.some((b) => b.pool_id === 'pplns' && b.address === BOTH));
    assert.ok(
      !balances.rows.some((b) => b.pool_id === 'solo' && b.address === PPLNS_ONLY),
      'never mined SOLO',
    );
    assert.deepEqual(await checkDatabaseLedger(db), []);
  });
});
