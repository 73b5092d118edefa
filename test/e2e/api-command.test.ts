import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { migrate, openDatabase } from '../../src/db/index.ts';
import { DatabaseStatsCache, StatsJob } from '../../src/stats/index.ts';
import { createServerDatabase } from '../db/helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/enigmapool', import.meta.url));

/** `enigmapool api` alone: the API of a pool whose stats job runs elsewhere, through the shared database. */
describe('enigmapool api (scale-out)', () => {
  let server: Awaited<ReturnType<typeof createServerDatabase>>;
  before(async () => {
    server = await createServerDatabase();
  });
  after(() => server.drop());

  it('serves the figures another instance’s stats job wrote, and stops cleanly', async () => {
    const child = spawn(BIN, ['api', '--database', server.url, '--api-port', '0'], {
      env: { ...process.env, ENIGMAPOOL_LOG__FORMAT: 'json', ENIGMAPOOL_STATS__INTERVALSECONDS: '5' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let log = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => {
      log += c;
    });
    try {
      const deadline = Date.now() + 30_000;
      let url: string | null = null;
      while (!url) {
        url = /api: (http:\/\/[^/]+)\/api\/v1\/stats/.exec(log)?.[1] ?? null;
        if (Date.now() > deadline) throw new Error(`no API line in:\n${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const before = (await (await fetch(`${url}/api/v1/stats`)).json()) as { updatedAt: string | null };
      assert.equal(before.updatedAt, null, 'no stats job has run yet');

      // Another instance (here: this test) runs the stats job on the same database.
      const db = await openDatabase({ url: server.url, poolSize: 2 });
      await migrate(db);
      const job = new StatsJob({
        db,
        poolId: 'ergo',
        cache: new DatabaseStatsCache(db, 'ergo', 1000),
        holder: 'elsewhere',
        intervalSeconds: 5,
        scheme: 'pplns',
        pplnsFactor: 2,
        fee: { num: 0n, den: 1n },
        rewardAt: () => 6_000_000_000n,
        network: async () => ({
          height: 99,
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
      const until = Date.now() + 10_000;
      let stats: { updatedAt: string | null; network: { height: number | null } };
      do {
        await new Promise((r) => setTimeout(r, 200));
        stats = (await (await fetch(`${url}/api/v1/stats`)).json()) as typeof stats;
      } while (stats.updatedAt === null && Date.now() < until);
      assert.equal(stats.network.height, 99);
      assert.equal((await fetch(`${url}/metrics`)).status, 404, 'no metrics in an API-only process');
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0, log);
  });
});
