// The API and the stats job. (1) The stats job's cost per interval as the shares table grows to 1 M rows
// (steady state: one interval of new shares, then one run), and its first run (a backfill of the day).
// (2) HTTP latency at a fixed request rate for pool stats, a miner with 10 workers, and a blocks page, with
// autocannon, against a bare Fastify route measured in the same run as the reference. The API and the bare
// route run in child processes; autocannon in this one (its CPU share is reported). Prints a table, then
// one JSON line.
// Usage: node --import tsx bench/api.ts [SECONDS=10] [RATE=2000] [SHARES=1000000]
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { migrate, openDatabase } from '../src/db/index.ts';
import { MemoryStatsCache, StatsJob } from '../src/stats/index.ts';
import { benchAddress, seedBlocks, seedShares } from './api-fixture.ts';

const seconds = Number(process.argv[2] ?? 10);
const rate = Number(process.argv[3] ?? 2000);
const totalShares = Number(process.argv[4] ?? 1_000_000);
const SERVER = process.env.ENIGMAPOOL_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';
const log = (line: string) => process.stderr.write(`${line}\n`);
const MINERS = 100;
const WORKERS = 10;
const INTERVAL = 60_000;

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

function child(args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', new URL('./api-server.ts', import.meta.url).pathname, ...args],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (c: string) => {
      out += c;
      const m = /ready (\d+)/.exec(out);
      if (m) resolve({ proc, port: Number(m[1]) });
    });
    proc.on('exit', (code) => reject(new Error(`api-server exited with ${code}`)));
  });
}

interface Latency {
  route: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  loadGeneratorCpu: number;
}

async function measure(route: string, url: string): Promise<Latency> {
  // 2 s at the same rate first, not counted: the JIT, the connection pool and the caches warm up.
  await autocannon({ url, connections: 20, duration: 2, overallRate: rate });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const r = await autocannon({ url, connections: 20, duration: seconds, overallRate: rate });
  const used = process.cpuUsage(cpu);
  return {
    route,
    requestsPerSecond: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx + r.errors,
    loadGeneratorCpu: Number(((used.user + used.system) / 1000 / (performance.now() - started)).toFixed(2)),
  };
}

const dbName = `enigmapool_bench_${randomBytes(4).toString('hex')}`;
await admin(`CREATE DATABASE ${dbName}`);
const url = `${SERVER}/${dbName}`;
const children: ChildProcess[] = [];
try {
  const db = await openDatabase({ url, poolSize: 4 });
  await migrate(db);
  const addresses = Array.from({ length: MINERS }, (_, i) => benchAddress(i));
  const base = Math.floor(Date.now() / INTERVAL) * INTERVAL;
  await seedBlocks(db, addresses[0]!, base);

  // (1) The stats job as the table grows.
  log(`== the stats job: ${MINERS} miners × ${WORKERS} workers, shares over the last day`);
  const sizes = [totalShares / 10, totalShares / 3, totalShares].map(Math.round);
  const growth: { shares: number; firstRunMs: number; intervalMs: number }[] = [];
  let seeded = 0;
  let now = base;
  for (const size of sizes) {
    await seedShares(db, addresses, WORKERS, size - seeded, now, seeded);
    seeded = size;
    await db.query('ANALYZE');
    await db.exec('TRUNCATE miner_stats, pool_stats, pool_cursors, leases');
    const job = () =>
      new StatsJob({
        db,
        poolId: 'ergo',
        cache: new MemoryStatsCache(),
        holder: 'bench',
        intervalSeconds: INTERVAL / 1000,
        scheme: 'pplns',
        pplnsFactor: 2,
        fee: { num: 0n, den: 1n },
        rewardAt: () => 6_000_000_000n,
        network: async () => null,
        now: () => now + 1000,
      });
    const first = await job().runOnce();
    if (!first.ran) throw new Error(first.reason);
    // Steady state: one more interval of shares (the day's rate), then the run for that interval.
    now += INTERVAL;
    await seedShares(db, addresses, WORKERS, Math.round(size / 1440), now, seeded + 10_000_000);
    const next = await job().runOnce();
    if (!next.ran) throw new Error(next.reason);
    growth.push({ shares: size, firstRunMs: Math.round(first.ms), intervalMs: Math.round(next.ms) });
    log(
      `  ${size} shares: first run (backfill of the day) ${Math.round(first.ms)} ms, one interval ${Math.round(next.ms)} ms`,
    );
  }
  await db.close();

  // (2) HTTP latency at a fixed rate (SECONDS=0: the stats job only).
  if (seconds === 0) process.exit(0);
  log(`== HTTP at ${rate} req/s for ${seconds} s each (autocannon, 20 connections)`);
  const bare = await child(['bare']);
  children.push(bare.proc);
  const api = await child(['api', url]);
  children.push(api.proc);
  const routes: [string, string][] = [
    ['bare Fastify route (reference)', `http://127.0.0.1:${bare.port}/`],
    ['GET /api/v1/stats', `http://127.0.0.1:${api.port}/api/v1/stats`],
    [
      'GET /api/v1/miners/:address (10 workers)',
      `http://127.0.0.1:${api.port}/api/v1/miners/${addresses[0]}`,
    ],
    ['GET /api/v1/blocks (page of 20)', `http://127.0.0.1:${api.port}/api/v1/blocks?pageSize=20`],
    ['GET /api/pools/ergo (miningcore)', `http://127.0.0.1:${api.port}/api/pools/ergo`],
  ];
  const results: Latency[] = [];
  for (const [name, u] of routes) {
    const r = await measure(name, u);
    results.push(r);
    log(
      `  ${name}: ${r.requestsPerSecond} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, errors ${r.non2xx}, autocannon CPU ${r.loadGeneratorCpu}`,
    );
  }
  const reference = results[0]!;
  console.log('\n| route | req/s | p50 ms | p99 ms | p99 ÷ bare route |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of results)
    console.log(
      `| ${r.route} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${(r.p99Ms / reference.p99Ms).toFixed(2)} |`,
    );
  console.log('\n| shares in the table | first run (backfill) ms | one interval ms |');
  console.log('|---:|---:|---:|');
  for (const g of growth) console.log(`| ${g.shares} | ${g.firstRunMs} | ${g.intervalMs} |`);
  console.log(
    JSON.stringify({
      bench: 'api',
      rate,
      seconds,
      routes: Object.fromEntries(
        results.map((r) => [
          r.route,
          { rps: r.requestsPerSecond, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.non2xx },
        ]),
      ),
      p99RatioToBareRoute: Object.fromEntries(
        results.slice(1).map((r) => [r.route, Number((r.p99Ms / reference.p99Ms).toFixed(2))]),
      ),
      loadGeneratorCpu: Math.max(...results.map((r) => r.loadGeneratorCpu)),
      statsJob: { miners: MINERS, workers: MINERS * WORKERS, growth },
    }),
  );
} finally {
  for (const c of children) c.kill('SIGKILL');
  await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}
