// Stratum server throughput, latency, memory per idle connection and broadcast time, on loopback.
// Run: node --expose-gc --import tsx bench/stratum.ts [SECONDS_PER_STEP] [IDLE_CONNECTIONS]
// The server runs in this process (2 verifier workers); the load generator runs as a child process, so both
// compete for the same 2 cores as they would on one small machine. Every nonce is a share (difficulty 1e-10),
// so every submit is fully verified with Autolykos. Prints a table and, last, one JSON line.
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseDifficulty, VerifierPool } from '../src/autolykos/index.ts';
import { MemoryShareSink, StratumServer } from '../src/stratum/index.ts';

const BIN = fileURLToPath(new URL('../bin/enigmapool', import.meta.url));
const ADDRESS = '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA';
const seconds = Number(process.argv[2] ?? 10);
const idleConnections = Number(process.argv[3] ?? 10_000);

const verifier = await VerifierPool.start({ workers: 2 });
const sink = new MemoryShareSink(100_000);
const server = new StratumServer({
  ports: [
    {
      port: 0,
      host: '127.0.0.1',
      startDifficulty: parseDifficulty('1e-10'),
      minDifficulty: parseDifficulty('1e-10'),
      maxDifficulty: parseDifficulty('1e-10'),
      vardiff: null,
    },
  ],
  network: 'mainnet',
  verifier,
  submitter: { submitSolution: async () => ({ accepted: false }) },
  sink,
  extranonce1Size: 3,
  limits: {
    maxConnectionsPerAddress: 1_000_000,
    messagesPerSecond: 10_000,
    messageBurst: 10_000,
    idleTimeoutMs: 3_600_000,
  },
});
// Reference measured in the same run: raw share checks/s of the same verifier pool, no sockets.
const rawChecksPerSecond = await (async () => {
  const msg = new Uint8Array(32).fill(7);
  let done = 0;
  const until = performance.now() + 3000;
  const started = performance.now();
  let k = 0;
  while (performance.now() < until) {
    const wave = Array.from({ length: 512 }, () => {
      const nonce = new Uint8Array(8);
      new DataView(nonce.buffer).setUint32(4, k++);
      return verifier.verify({ msg, nonce, height: 1_900_000 });
    });
    await Promise.all(wave);
    done += wave.length;
  }
  return Math.round(done / ((performance.now() - started) / 1000));
})();
process.stderr.write(`reference: ${rawChecksPerSecond} raw checks/s through the verifier pool\n`);
const [bound] = await server.start();
const url = `stratum+tcp://127.0.0.1:${bound!.port}`;
let height = 1_900_000;
const work = (k: number) => ({ msg: k.toString(16).padStart(64, '0'), b: 1n, height, version: 3 });
server.setWork(work(1));

function loadgen(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'loadgen', '--url', url, '--user', ADDRESS, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)!))
        : reject(new Error(`loadgen exit ${code}`)),
    );
  });
}

// 1. Offered load steps: connections × rate; the highest step whose p99 stays under 50 ms is the sustained figure.
const steps = [
  { connections: 1000, rate: 2 },
  { connections: 1000, rate: 5 },
  { connections: 2000, rate: 4 },
  { connections: 2000, rate: 6 },
  { connections: 2000, rate: 8 },
];
const results: { offered: number; verified: number; p50: number; p99: number; rejected: unknown }[] = [];
for (const step of steps) {
  const before = sink.shares.length;
  const started = performance.now();
  const r = await loadgen([
    '--connections',
    String(step.connections),
    '--rate',
    String(step.rate),
    '--seconds',
    String(seconds),
  ]);
  const latency = r.latencyMs as { p50: number; p99: number };
  results.push({
    offered: step.connections * step.rate,
    verified: r.sharesPerSecond as number,
    p50: latency.p50,
    p99: latency.p99,
    rejected: r.rejected,
  });
  process.stderr.write(
    `step ${JSON.stringify(results.at(-1))} (${sink.shares.length - before} shares in ${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
  );
}

// Reference for memory, same run: a bare Node TCP server holding the same number of idle sockets.
async function bareSocketBytes(count: number): Promise<number> {
  const held: Socket[] = [];
  const bare = createServer((socket) => {
    held.push(socket);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const port = (bare.address() as { port: number }).port;
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const child = spawn(
    process.execPath,
    [
      BIN,
      'loadgen',
      '--url',
      `stratum+tcp://127.0.0.1:${port}`,
      '--user',
      ADDRESS,
      '--connections',
      String(count),
      '--rate',
      '0',
      '--seconds',
      '60',
      '--connect-rate',
      '4000',
    ],
    { stdio: 'ignore' },
  );
  const until = Date.now() + 55_000;
  while (held.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
  await new Promise((r) => setTimeout(r, 2000));
  globalThis.gc?.();
  const bytes = Math.round((process.memoryUsage().rss - before) / Math.max(1, held.length));
  child.kill('SIGTERM');
  for (const socket of held) socket.destroy();
  await new Promise<void>((resolve) => bare.close(() => resolve()));
  return bytes;
}
const bareBytesPerConnection = await bareSocketBytes(idleConnections);
process.stderr.write(
  `reference: a bare Node TCP server holds an idle socket in ${bareBytesPerConnection} B of RSS\n`,
);

// 2. Idle connections: memory per connection beyond the baseline, and 3. broadcast time to all of them.
globalThis.gc?.();
const baseline = process.memoryUsage();
const idle = spawn(
  process.execPath,
  [
    BIN,
    'loadgen',
    '--url',
    url,
    '--user',
    ADDRESS,
    '--connections',
    String(idleConnections),
    '--rate',
    '0',
    '--seconds',
    '60',
    '--connect-rate',
    '4000',
  ],
  {
    stdio: ['ignore', 'ignore', 'ignore'],
  },
);
const deadline = Date.now() + 55_000;
while (server.sessionCount < idleConnections && Date.now() < deadline)
  await new Promise((r) => setTimeout(r, 250));
await new Promise((r) => setTimeout(r, 2000));
globalThis.gc?.();
const held = server.sessionCount;
const loaded = process.memoryUsage();
const broadcasts: number[] = [];
for (let k = 0; k < 5; k++) {
  height += 1;
  const t = performance.now();
  server.setWork(work(100 + k));
  broadcasts.push(performance.now() - t);
  await new Promise((r) => setTimeout(r, 500));
}
idle.kill('SIGTERM');
await server.stop();
await verifier.close();

const best = results.filter((r) => r.p99 < 50).sort((a, b) => b.verified - a.verified)[0] ?? results[0]!;
const perConnectionBytes = Math.round((loaded.rss - baseline.rss) / Math.max(1, held));
const heapPerConnection = Math.round((loaded.heapUsed - baseline.heapUsed) / Math.max(1, held));
const broadcastMs = Number((broadcasts.reduce((a, b) => a + b, 0) / broadcasts.length).toFixed(2));
console.log('| offered shares/s | verified shares/s | p50 ms | p99 ms |');
console.log('|---:|---:|---:|---:|');
for (const r of results) console.log(`| ${r.offered} | ${r.verified} | ${r.p50} | ${r.p99} |`);
console.log(
  `idle connections held: ${held}; RSS per connection ${perConnectionBytes} B (heap ${heapPerConnection} B); broadcast to ${held}: ${broadcastMs} ms`,
);
console.log(
  JSON.stringify({
    bench: 'stratum',
    sustainedVerifiedSharesPerSecond: best.verified,
    rawVerifierChecksPerSecond: rawChecksPerSecond,
    ratioToRawVerifier: Number((best.verified / rawChecksPerSecond).toFixed(2)),
    p50Ms: best.p50,
    p99Ms: best.p99,
    steps: results,
    idleConnectionsHeld: held,
    rssBytesPerConnection: perConnectionBytes,
    heapBytesPerConnection: heapPerConnection,
    bareSocketBytesPerConnection: bareBytesPerConnection,
    memoryRatioToBareSocket: Number((perConnectionBytes / bareBytesPerConnection).toFixed(2)),
    broadcastMs,
    broadcastConnections: held,
  }),
);
process.exit(0);
