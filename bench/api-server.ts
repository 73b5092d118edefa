// A child process for bench/api.ts: either the pool's API over a seeded database (after one stats run), or
// a bare Fastify route (the reference). Prints "ready <port>" on stdout, then serves until killed.
// Usage: node --import tsx bench/api-server.ts api <database url> | bare
import Fastify from 'fastify';
import pino from 'pino';
import { LocalEventBus, startApiServer } from '../src/api/index.ts';
import { openDatabase } from '../src/db/index.ts';
import { parseAddress } from '../src/ergo/index.ts';
import { MemoryStatsCache, StatsJob } from '../src/stats/index.ts';
import { BENCH_POOL } from './api-fixture.ts';

const [mode, url] = process.argv.slice(2);

if (mode === 'bare') {
  const app = Fastify({ logger: false });
  const body = { ok: true, hashrate: 123456789.5, miners: 12, at: new Date().toISOString() };
  app.get('/', async () => body);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const a = app.server.address();
  process.stdout.write(`ready ${typeof a === 'object' && a ? a.port : 0}\n`);
} else {
  const db = await openDatabase({ url: url!, poolSize: 8 });
  const cache = new MemoryStatsCache();
  const job = new StatsJob({
    db,
    poolId: 'ergo',
    cache,
    holder: 'bench',
    intervalSeconds: 60,
    scheme: 'pplns',
    pplnsFactor: 2,
    fee: { num: 1n, den: 100n },
    rewardAt: () => 6_000_000_000n,
    network: async () => ({
      height: 1925000,
      difficulty: 10n ** 15n,
      hashrate: 8e12,
      meanBlockSeconds: 120,
      lastBlockAt: Date.now(),
    }),
  });
  const run = await job.runOnce();
  if (!run.ran) throw new Error(run.reason);
  const server = await startApiServer({
    ctx: {
      db,
      pools: [
        {
          pool: BENCH_POOL,
          cache,
          nodes: null,
          checkAddress: (a) => {
            try {
              parseAddress(a, 'mainnet');
              return null;
            } catch (err) {
              return (err as Error).message;
            }
          },
        },
      ],
      bus: new LocalEventBus(),
      logger: pino({ level: 'silent' }),
      now: Date.now,
      metrics: null,
    },
    host: '127.0.0.1',
    port: 0,
    trustProxy: false,
    rateLimit: { max: 1_000_000, allow: [] },
    metrics: { enabled: false, allow: [] },
    webDir: null,
  });
  process.stdout.write(`ready ${new URL(server.url).port}\n`);
}
