import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { migrate, openDatabase } from '../../src/db/index.ts';
import { DatabaseStatsCache, StatsJob } from '../../src/stats/index.ts';
import { createServerDatabase } from '../db/helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/enigmapool', import.meta.url));

/** `enigmapool api` with `args`, until it logs its URL; `stop()` interrupts it and gives its exit code. */
async function startApi(args: string[]) {
  const child = spawn(BIN, ['api', ...args, '--api-port', '0'], {
    env: { ...process.env, ENIGMAPOOL_LOG__FORMAT: 'json', ENIGMAPOOL_STATS__INTERVALSECONDS: '5' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const state = { log: '' };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => {
    state.log += c;
  });
  const stop = async () => {
    child.kill('SIGINT');
    return exited;
  };
  const deadline = Date.now() + 30_000;
  let url: string | null = null;
  while (!url) {
    url = /api: (http:\/\/[^/]+)\/api\/v1\/stats/.exec(state.log)?.[1] ?? null;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`no API line in:\n${state.log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, state, stop };
}

/** Another instance's stats job (here: this test's) writing a pool's figures into the shared database. */
async function runStatsJob(databaseUrl: string, poolId: string, height: number): Promise<void> {
  const db = await openDatabase({ url: databaseUrl, poolSize: 2 });
  await migrate(db);
  const job = new StatsJob({
    db,
    poolId,
    cache: new DatabaseStatsCache(db, poolId, 1000),
    holder: 'elsewhere',
    intervalSeconds: 5,
    scheme: 'pplns',
    pplnsFactor: 2,
    fee: { num: 0n, den: 1n },
    rewardAt: () => 6_000_000_000n,
    network: async () => ({
      height,
      difficulty: 10n ** 12n,
      hashrate: 42,
      meanBlockSeconds: 120,
      lastBlockAt: 0,
    }),
    logger: pino({ level: 'silent' }),
  });
  assert.ok((await job.runOnce()).ran);
  await job.stop();
  await db.close();
}

async function getJson<T>(url: string): Promise<T> {
  return (await (await fetch(url)).json()) as T;
}

/** Polls a pool's stats until its stats job's figures show (10 s at most). */
async function figuresOf(url: string) {
  const until = Date.now() + 10_000;
  let stats: { updatedAt: string | null; network: { height: number | null } };
  do {
    await new Promise((r) => setTimeout(r, 200));
    stats = await getJson<typeof stats>(url);
  } while (stats.updatedAt === null && Date.now() < until);
  return stats;
}

/** `enigmapool api` alone: the API of a pool whose stats job runs elsewhere, through the shared database. */
describe('enigmapool api (scale-out)', () => {
  let server: Awaited<ReturnType<typeof createServerDatabase>>;
  before(async () => {
    server = await createServerDatabase();
  });
  after(() => server.drop());

  it('serves the figures another instance’s stats job wrote, and stops cleanly', async () => {
    const api = await startApi(['--database', server.url]);
    try {
      const before = await getJson<{ updatedAt: string | null }>(`${api.url}/api/v1/stats`);
      assert.equal(before.updatedAt, null, 'no stats job has run yet');
      await runStatsJob(server.url, 'ergo', 99);
      assert.equal((await figuresOf(`${api.url}/api/v1/stats`)).network.height, 99);
      assert.equal((await fetch(`${api.url}/metrics`)).status, 404, 'no metrics in an API-only process');
    } finally {
      assert.equal(await api.stop(), 0, api.state.log);
    }
  });

  it('with `pools:` serves every pool, each with its own terms and the figures of its own stats job', async () => {
    const db = await createServerDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'ep-api-pools-'));
    const config = join(dir, 'pools.yaml');
    writeFileSync(
      config,
      [
        'pool: { id: ergo, name: Deployment }',
        'pools:',
        '  - { id: ergo, name: Main PPLNS, ports: [{ port: 3052 }] }',
        '  - id: solo',
        '    ports: [{ port: 3056 }]',
        '    accounting: { scheme: solo, payouts: { minimum: "0.5" } }',
        '',
      ].join('\n'),
    );
    const api = await startApi(['--config', config, '--database', db.url]);
    try {
      assert.match(api.state.log, /pools ergo, solo at http/);
      const pools = await getJson<{
        items: { id: string; name: string; default: boolean; payouts: { scheme: string; minimum: string } }[];
      }>(`${api.url}/api/v1/pools`);
      assert.deepEqual(
        pools.items.map((p) => [p.id, p.name, p.default, p.payouts.scheme, p.payouts.minimum]),
        [
          ['ergo', 'Main PPLNS', true, 'PPLNS', '1'],
          ['solo', 'Deployment solo', false, 'SOLO', '0.5'],
        ],
      );
      await runStatsJob(db.url, 'solo', 77);
      assert.equal((await figuresOf(`${api.url}/api/v1/pools/solo/stats`)).network.height, 77);
      const main = await getJson<{ updatedAt: string | null }>(`${api.url}/api/v1/stats`);
      assert.equal(
        main.updatedAt,
        null,
        'the default pool’s stats job has not run: not the solo pool’s figures',
      );
      assert.equal((await fetch(`${api.url}/api/v1/pools/nope/stats`)).status, 404);
    } finally {
      assert.equal(await api.stop(), 0, api.state.log);
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
