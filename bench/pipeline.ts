// The durable share pipeline: shipper throughput into PGlite and PostgreSQL, submit→reply latency with and
// without the durability wait (the sink alone, and through the stratum with loadgen), and journal growth
// during a database outage. References measured in the same run: raw fdatasync/s of the disk under the work
// directory, and plain single-row autocommit inserts/s into each engine. Prints a table, then one JSON line.
// Usage: node --import tsx bench/pipeline.ts [SECONDS=5] [BACKLOG_SHARES=50000] [WORK_DIR=os.tmpdir()]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { VerifierPool } from '../src/autolykos/index.ts';
import { type Database, migrate, openDatabase } from '../src/db/index.ts';
import { DatabaseShareStore, DurableShareSink, fsyncTree } from '../src/shares/index.ts';
import { type AcceptedShare, MemoryShareSink, type ShareSink } from '../src/stratum/index.ts';
import { EVERY_NONCE_WORK, everyNonceServer } from './every-nonce-server.ts';
import {
  ADDRESS,
  type LatencyFigures,
  NOOP_STORE,
  outageGrowth,
  rawFdatasync,
  shipperSharesPerSecond,
  singleRowInsertsPerSecond,
  sinkLatency,
} from './pipeline-parts.ts';

const seconds = Number(process.argv[2] ?? 5);
const backlog = Number(process.argv[3] ?? 50_000);
const work = mkdtempSync(join(process.argv[4] ?? tmpdir(), 'ep-bench-pipeline-'));
const SERVER = process.env.ENIGMAPOOL_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';
const BIN = fileURLToPath(new URL('../bin/enigmapool', import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

const dbName = `enigmapool_bench_${randomBytes(4).toString('hex')}`;
await admin(`CREATE DATABASE ${dbName}`);
let pglite: Database | null = null;
let server: Database | null = null;
try {
  log(`work directory ${work}; PostgreSQL database ${dbName}`);
  log('== references: raw fdatasync/s, single-row inserts/s');
  const fsync = rawFdatasync(work, seconds);
  const fsyncs = fsync.perSecond;
  pglite = await openDatabase({ dataDir: join(work, 'pglite') });
  await migrate(pglite);
  server = await openDatabase({ url: `${SERVER}/${dbName}`, poolSize: 4 });
  await migrate(server);
  const singlePglite = await singleRowInsertsPerSecond(pglite, seconds);
  const singleServer = await singleRowInsertsPerSecond(server, seconds);
  log(
    `fdatasync/s ${fsyncs} (p50 ${fsync.p50Ms} ms, p99 ${fsync.p99Ms} ms); single-row inserts/s: PGlite ${singlePglite}, PostgreSQL ${singleServer}`,
  );

  log(
    `== shipper: a backlog of ${backlog} shares replayed into each engine (PGlite 250 a batch, server 1000)`,
  );
  const shipPglite = await shipperSharesPerSecond(join(work, 'ship-pglite'), pglite, backlog, 250);
  const shipServer = await shipperSharesPerSecond(join(work, 'ship-postgres'), server, backlog, 1000);
  log(`shipper shares/s: PGlite ${shipPglite}, PostgreSQL ${shipServer}`);

  log('== sink alone: record() latency, durable journal (no-op shipper) vs in memory');
  const sinkRows: { sink: string; figures: LatencyFigures }[] = [];
  for (const concurrency of [1, 64, 1024]) {
    const durable = await DurableShareSink.open({
      dir: join(work, `sink-${concurrency}`),
      store: NOOP_STORE,
    });
    sinkRows.push({
      sink: 'durable',
      figures: await sinkLatency((s) => durable.record(s), concurrency, seconds),
    });
    await durable.close();
    const memory = new MemoryShareSink(10_000);
    sinkRows.push({ sink: 'memory', figures: await sinkLatency((s) => memory.record(s), concurrency, 1) });
  }
  for (const r of sinkRows) log(`${r.sink} ${JSON.stringify(r.figures)}`);

  log('== through the stratum: loadgen at a fixed offered load, memory sink vs durable pipeline');
  const stratumRows = await throughStratum([
    {
      name: 'memory',
      open: async () => ({ sink: new MemoryShareSink(100_000), close: async () => undefined }),
    },
    { name: 'durable+pglite', open: () => durableOn(pglite!, 'stratum-pglite') },
    { name: 'durable+postgres', open: () => durableOn(server!, 'stratum-postgres') },
  ]);
  for (const r of stratumRows) log(`${r.name} ${JSON.stringify(r)}`);

  log('== journal growth while the database is down (closed loop, 256 submitters)');
  const growth = await outageGrowth(join(work, 'outage'), seconds, 256);
  log(JSON.stringify(growth));

  const r2 = (x: number) => Number(x.toFixed(2));
  const fsyncMs = 1000 / fsyncs;
  const at = (sink: string, c: number) =>
    sinkRows.find((r) => r.sink === sink && r.figures.concurrency === c)!.figures;
  const viaMemory = stratumRows.find((r) => r.name === 'memory')!;
  console.log(`raw fdatasync: ${fsyncs}/s, p50 ${fsync.p50Ms} ms, p99 ${fsync.p99Ms} ms`);
  console.log('| measurement | value | reference | ratio |');
  console.log('|---|---:|---:|---:|');
  const row = (what: string, value: number | string, ref: number | string, ratio: number | string) =>
    console.log(`| ${what} | ${value} | ${ref} | ${ratio} |`);
  row(
    'shipper into PGlite, shares/s',
    shipPglite,
    `${singlePglite} single-row inserts/s`,
    r2(shipPglite / singlePglite),
  );
  row(
    'shipper into PostgreSQL, shares/s',
    shipServer,
    `${singleServer} single-row inserts/s`,
    r2(shipServer / singleServer),
  );
  for (const c of [1, 64, 1024]) {
    const d = at('durable', c);
    row(
      `durable record(), ${c} submitter(s): shares/s`,
      d.sharesPerSecond,
      `${fsyncs} fdatasync/s`,
      r2(d.sharesPerSecond / fsyncs),
    );
    row(
      `durable record(), ${c} submitter(s): p50 / p99 ms`,
      `${d.p50Ms} / ${d.p99Ms}`,
      `${r2(fsyncMs)} ms per fdatasync`,
      r2(d.p50Ms / fsyncMs),
    );
    const m = at('memory', c);
    row(`in-memory record(), ${c} submitter(s): p50 / p99 ms`, `${m.p50Ms} / ${m.p99Ms}`, '', '');
  }
  for (const s of stratumRows)
    row(
      `stratum submit→reply via ${s.name}: p50 / p99 ms (${s.sharesPerSecond} shares/s)`,
      `${s.p50} / ${s.p99}`,
      `memory ${viaMemory.p50} / ${viaMemory.p99}`,
      `${r2(s.p50 / viaMemory.p50)} / ${r2(s.p99 / viaMemory.p99)}`,
    );
  row(
    'journal growth during an outage: shares/s',
    growth.sharesPerSecond,
    `${fsyncs} fdatasync/s`,
    r2(growth.sharesPerSecond / fsyncs),
  );
  row(
    'journal growth during an outage: bytes/s',
    growth.bytesPerSecond,
    `${growth.bytesPerShare} B/share`,
    '',
  );
  console.log(
    JSON.stringify({
      bench: 'pipeline',
      seconds,
      fdatasyncPerSecond: fsyncs,
      fdatasyncMs: { p50: fsync.p50Ms, p99: fsync.p99Ms },
      singleRowInsertsPerSecond: { pglite: singlePglite, postgres: singleServer },
      shipperSharesPerSecond: { pglite: shipPglite, postgres: shipServer },
      shipperRatioToSingleRow: {
        pglite: r2(shipPglite / singlePglite),
        postgres: r2(shipServer / singleServer),
      },
      sink: sinkRows.map((r) => ({ sink: r.sink, ...r.figures })),
      sinkP50RatioToFdatasync: Object.fromEntries(
        [1, 64, 1024].map((c) => [c, r2(at('durable', c).p50Ms / fsyncMs)]),
      ),
      sinkThroughputRatioToFdatasync: Object.fromEntries(
        [1, 64, 1024].map((c) => [c, r2(at('durable', c).sharesPerSecond / fsyncs)]),
      ),
      stratum: stratumRows,
      stratumLatencyRatioToMemory: Object.fromEntries(
        stratumRows.map((s) => [s.name, { p50: r2(s.p50 / viaMemory.p50), p99: r2(s.p99 / viaMemory.p99) }]),
      ),
      outage: growth,
      outageSharesRatioToFdatasync: r2(growth.sharesPerSecond / fsyncs),
    }),
  );
} finally {
  await pglite?.close();
  await server?.close();
  await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  rmSync(work, { recursive: true, force: true });
}
process.exit(0);

async function durableOn(db: Database, dir: string) {
  const sink = await DurableShareSink.open({
    dir: join(work, dir),
    store: new DatabaseShareStore(db, {
      defaultPoolId: 'ergo',
      ...(db.engine === 'pglite' ? { sync: () => fsyncTree(join(work, 'pglite')) } : {}),
    }),
    batchRecords: db.engine === 'pglite' ? 250 : 1000, // as the pool does (src/cli/pipeline.ts)
  });
  return { sink, close: async () => void (await sink.close()) };
}

/** One stratum server (2 verifier workers, every nonce a share); loadgen in a child process per sink. */
async function throughStratum(
  sinks: { name: string; open: () => Promise<{ sink: ShareSink; close: () => Promise<void> }> }[],
) {
  let current: ShareSink = new MemoryShareSink();
  const verifier = await VerifierPool.start({ workers: 2 });
  const stratum = everyNonceServer(verifier, { record: (s: AcceptedShare) => current.record(s) });

  const [bound] = await stratum.start();
  stratum.setWork(EVERY_NONCE_WORK);
  const out: { name: string; sharesPerSecond: number; p50: number; p99: number; accepted: number }[] = [];
  for (const s of sinks) {
    const opened = await s.open();
    current = opened.sink;
    const r = await loadgen(bound!.port, [
      '--connections',
      '200',
      '--rate',
      '5',
      '--seconds',
      String(seconds),
    ]);
    await opened.close();
    const latency = r.latencyMs as { p50: number; p99: number };
    out.push({
      name: s.name,
      sharesPerSecond: r.sharesPerSecond as number,
      p50: latency.p50,
      p99: latency.p99,
      accepted: r.accepted as number,
    });
  }
  await stratum.stop();
  await verifier.close();
  return out;
}

function loadgen(port: number, args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [BIN, 'loadgen', '--url', `stratum+tcp://127.0.0.1:${port}`, '--user', ADDRESS, ...args],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
    });
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(text.trim().split('\n').at(-1)!))
        : reject(new Error(`loadgen exit ${code}`)),
    );
  });
}
