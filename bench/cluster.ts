// The pool as a cluster on this machine: stratum instances (`start --role stratum`) on one PostgreSQL.
//   1. Idle: IDLE connections (subscribed and authorized miners) held across INSTANCES instances, and the
//      memory per connection, against a bare Node.js TCP server holding the same sockets (the reference).
//   2. Throughput: real shares (loadgen --mode valid) into 1 instance directly, and into 2 instances behind
//      HAProxy (deploy/haproxy/haproxy.cfg), at the same offered rate: verified shares/s as a ratio.
//   3. Latency: submit → reply through HAProxy against the same instance directly, p50/p99.
// Run: node --import tsx bench/cluster.ts [IDLE=100000] [INSTANCES=6] [RATE=6000] [SECONDS=15]
// Every process is a child with its own open-file limit (20,000 here); the last line is one JSON object.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { stringify } from 'yaml';
import { startDevnet } from '../src/devnet/index.ts';
import { parsePoolUrl, runLoadgen } from '../src/miner/index.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin/enigmapool');
const SELF = fileURLToPath(import.meta.url);
const ADDRESS = '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA';
const SERVER = process.env.ENIGMAPOOL_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';
const sources = (group: number) => Array.from({ length: 20 }, (_, k) => `127.0.${40 + group}.${k + 1}`);

const role = process.argv[2];
if (role === 'hold') {
  // Child: hold `count` idle miners (subscribed, authorized) on one port; print how many, then wait for stdin.
  const [port, count, group] = process.argv.slice(3).map(Number) as [number, number, number];
  // Held until this child is killed; reports once every connection is authorized (or stopped growing).
  let printed = false;
  let last = -1;
  let still = 0;
  void runLoadgen({
    url: parsePoolUrl(`stratum+tcp://127.0.0.1:${port}`),
    user: ADDRESS,
    connections: count,
    rate: 0,
    seconds: 3600,
    connectRate: Number(process.env.CONNECT_RATE ?? 1500),
    sourceAddresses: sources(group),
    onProgress: (r) => {
      const done = r.authorized + r.failedConnections;
      still = done === last ? still + 1 : 0;
      last = done;
      if (printed || (done < count && still < 5)) return;
      printed = true;
      console.log(
        JSON.stringify({ authorized: r.authorized, connected: r.connected, failed: r.failedConnections }),
      );
    },
  });
  await new Promise(() => undefined);
}
if (role === 'bare') {
  // Child: the reference, a bare TCP server holding every socket it accepts; prints its RSS on "rss".
  const held: Socket[] = [];
  const server = createServer((s) => {
    s.on('error', () => undefined);
    held.push(s);
  });
  server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    console.log(JSON.stringify({ port: typeof a === 'object' && a ? a.port : 0 }));
  });
  process.stdin.on('data', () => console.log(JSON.stringify({ rss: rssOf(process.pid), held: held.length })));
  await new Promise(() => undefined);
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(stat[11]) + Number(stat[12])) / 100; // utime + stime, clock ticks of 10 ms
}

const idleTotal = Number(process.argv[2] ?? 100_000);
const instances = Number(process.argv[3] ?? 6);
const rate = Number(process.argv[4] ?? 6000);
const seconds = Number(process.argv[5] ?? 15);
const dir = mkdtempSync(join(tmpdir(), 'enigmapool-cluster-bench-'));
const dbName = `enigmapool_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const databaseUrl = `${SERVER}/${dbName}`;
const devnet = await startDevnet({ port: 0, difficulty: 10n ** 12n, blockTimeSeconds: 60 });
const children: ChildProcess[] = [];
const kill = () => {
  for (const c of children) c.kill('SIGKILL');
};
process.on('exit', kill);

function lines(child: ChildProcess, stream: 'stdout' | 'stderr', onLine: (line: string) => void) {
  let buffer = '';
  child[stream]!.setEncoding('utf8');
  child[stream]!.on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const l of parts) if (l) onLine(l);
  });
}

const perInstance = Math.ceil(idleTotal / instances);
writeFileSync(
  join(dir, 'pool.yaml'),
  stringify({
    network: 'mainnet',
    log: { level: 'warn', format: 'json' },
    nodes: [{ name: 'devnet', url: devnet.url, apiKey: 'devnet' }],
    instance: { bits: 3 },
    stratum: {
      extranonce1Size: 3,
      proxyAddresses: ['127.0.0.1'],
      ports: [
        { port: 0, host: '127.0.0.1', difficulty: { start: '1e-9', min: '1e-9', max: '1' }, vardiff: false },
      ],
      limits: {
        maxConnections: perInstance + 500,
        maxConnectionsPerAddress: 1_000_000,
        messagesPerSecond: 1_000_000,
        messageBurst: 1_000_000,
        ban: { enabled: false },
      },
    },
    demoMiner: { enabled: false },
  }),
);

/** A stratum instance; resolves with its port once it listens. */
function stratum(id: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    BIN,
    ['start', '--role', 'stratum', '--instance-id', String(id), '--config', join(dir, 'pool.yaml')].concat([
      '--data-dir',
      join(dir, `s${id}`),
      '--database',
      databaseUrl,
    ]),
    { env: { ...process.env, ENIGMAPOOL_LOG__LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    lines(child, 'stderr', (l) => {
      const m = /point miners at stratum\+tcp:\/\/127\.0\.0\.1:(\d+)/.exec(l);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`stratum ${id} exited with ${code}`)));
  });
}

function hold(port: number, count: number, group: number): Promise<{ authorized?: number; error?: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', SELF, 'hold', String(port), String(count), String(group)],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  return new Promise((resolve) => lines(child, 'stdout', (l) => resolve(JSON.parse(l))));
}

const settle = () => new Promise((r) => setTimeout(r, 3000));

// 1. Idle connections across the instances, and a bare server's memory for the same sockets.
console.error(`1. ${idleTotal} idle miners over ${instances} stratum instances`);
const pool = await Promise.all(Array.from({ length: instances }, (_, k) => stratum(k + 1)));
await settle();
const rssBefore = pool.map((p) => rssOf(p.child.pid!));
const held = await Promise.all(pool.map((p, k) => hold(p.port, perInstance, k)));
await settle();
const rssAfter = pool.map((p) => rssOf(p.child.pid!));
const authorized = held.reduce((n, h) => n + (h.authorized ?? 0), 0);
const poolBytesPerConnection =
  (rssAfter.reduce((a, b) => a + b, 0) - rssBefore.reduce((a, b) => a + b, 0)) / authorized;
console.error(`   held ${authorized}; ${(poolBytesPerConnection / 1024).toFixed(2)} KB per connection`);

const bare = spawn(process.execPath, ['--import', 'tsx', SELF, 'bare'], {
  cwd: ROOT,
  stdio: ['pipe', 'pipe', 'inherit'],
});
children.push(bare);
const bareOut: Record<string, number>[] = [];
lines(bare, 'stdout', (l) => bareOut.push(JSON.parse(l)));
while (bareOut.length < 1) await new Promise((r) => setTimeout(r, 50));
bare.stdin!.write('rss\n');
while (bareOut.length < 2) await new Promise((r) => setTimeout(r, 50));
const bareCount = Math.min(perInstance, 17_000);
await hold(bareOut[0]!.port!, bareCount, 9).catch(() => undefined); // the bare server never authorizes: held anyway
await settle();
bare.stdin!.write('rss\n');
while (bareOut.length < 3) await new Promise((r) => setTimeout(r, 50));
const bareBytesPerConnection = (bareOut[2]!.rss! - bareOut[1]!.rss!) / bareOut[2]!.held!;
console.error(`   bare TCP server: ${(bareBytesPerConnection / 1024).toFixed(2)} KB per socket`);
for (const c of children) if (c !== pool[0]!.child && c !== pool[1]!.child) c.kill('SIGKILL');
for (const p of pool.slice(2)) p.child.kill('SIGKILL');
await settle();

// 2 and 3. Real shares: one instance directly, then two behind HAProxy; latency through HAProxy to one.
const haproxyPorts = { tls: 0, tcp: 0, stats: 0 };
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
execFileSync(
  'openssl',
  ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1'].concat([
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
  ]),
  { stdio: 'ignore' },
);
writeFileSync(
  join(dir, 'pool.pem'),
  readFileSync(join(dir, 'cert.pem'), 'utf8') + readFileSync(join(dir, 'key.pem'), 'utf8'),
);
async function haproxy(servers: [number, number]): Promise<ChildProcess> {
  haproxyPorts.tls = await freePort();
  haproxyPorts.tcp = await freePort();
  haproxyPorts.stats = await freePort();
  const child = spawn('/usr/sbin/haproxy', ['-db', '-f', join(ROOT, 'deploy/haproxy/haproxy.cfg')], {
    env: {
      ...process.env,
      STRATUM_TLS_BIND: `127.0.0.1:${haproxyPorts.tls}`,
      STRATUM_TCP_BIND: `127.0.0.1:${haproxyPorts.tcp}`,
      TLS_PEM: join(dir, 'pool.pem'),
      STATS_BIND: `127.0.0.1:${haproxyPorts.stats}`,
      STRATUM_1: `127.0.0.1:${servers[0]}`,
      STRATUM_2: `127.0.0.1:${servers[1]}`,
    },
    stdio: 'ignore',
  });
  children.push(child);
  for (;;) {
    const csv = await fetch(`http://127.0.0.1:${haproxyPorts.stats}/;csv`)
      .then((r) => r.text())
      .catch(() => '');
    if (/stratum,stratum1,.*UP/.test(csv) && /stratum,stratum2,.*UP/.test(csv)) return child;
    await new Promise((r) => setTimeout(r, 200));
  }
}
async function load(port: number, offered: number, connections = 200) {
  const started = cpuSeconds(process.pid);
  const report = await runLoadgen({
    url: parsePoolUrl(`stratum+tcp://127.0.0.1:${port}`),
    user: ADDRESS,
    connections,
    rate: offered / connections,
    seconds,
    connectRate: 2000,
    sourceAddresses: sources(20),
    mode: 'valid',
    difficulty: '1e-9',
    hashThreads: 1,
  });
  const loadgenCpu = (cpuSeconds(process.pid) - started) / report.elapsedSeconds;
  return { ...report, loadgenCpuShare: loadgenCpu / 2 };
}
console.error(`2. ${rate} real shares/s offered for ${seconds} s`);
const direct = await load(pool[0]!.port, rate);
console.error(
  `   1 instance directly: ${direct.sharesPerSecond.toFixed(0)} accepted/s, p99 ${direct.latencyMs.p99} ms`,
);
let proxy = await haproxy([pool[0]!.port, pool[1]!.port]);
const two = await load(haproxyPorts.tcp, rate);
console.error(
  `   2 behind HAProxy: ${two.sharesPerSecond.toFixed(0)} accepted/s, p99 ${two.latencyMs.p99} ms`,
);
proxy.kill('SIGKILL');
console.error('3. latency at 1,000 shares/s: directly, and through HAProxy to the same instance');
const quietDirect = await load(pool[0]!.port, 1000, 50);
proxy = await haproxy([pool[0]!.port, pool[0]!.port]);
const quietProxied = await load(haproxyPorts.tcp, 1000, 50);
proxy.kill('SIGKILL');

kill();
await devnet.close();
await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await admin.end();
rmSync(dir, { recursive: true, force: true });
const round = (x: number, d = 2) => Number(x.toFixed(d));
console.log(
  JSON.stringify({
    bench: 'cluster',
    idle: {
      instances,
      offered: perInstance * instances,
      held: authorized,
      kbPerConnection: round(poolBytesPerConnection / 1024),
      bareKbPerSocket: round(bareBytesPerConnection / 1024),
      ratioToBare: round(poolBytesPerConnection / bareBytesPerConnection),
    },
    throughput: {
      offeredPerSecond: rate,
      oneInstance: round(direct.sharesPerSecond, 0),
      twoBehindHaproxy: round(two.sharesPerSecond, 0),
      ratio: round(two.sharesPerSecond / direct.sharesPerSecond),
      p99Ms: { oneInstance: direct.latencyMs.p99, twoBehindHaproxy: two.latencyMs.p99 },
      loadgenCpuShare: {
        oneInstance: round(direct.loadgenCpuShare),
        twoBehindHaproxy: round(two.loadgenCpuShare),
      },
    },
    haproxyLatency: {
      direct: quietDirect.latencyMs,
      proxied: quietProxied.latencyMs,
      addedP50Ms: round(quietProxied.latencyMs.p50 - quietDirect.latencyMs.p50),
      addedP99Ms: round(quietProxied.latencyMs.p99 - quietDirect.latencyMs.p99),
    },
  }),
);
process.exit(0);
