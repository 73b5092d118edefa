// Stratum server throughput, latency, memory per idle connection and broadcast time, on loopback.
// Run: node --expose-gc --import tsx bench/stratum.ts [SECONDS_PER_STEP] [IDLE_CONNECTIONS]
// The server runs in this process (2 verifier workers); the load generator runs as a child process, so both
// compete for the same 2 cores as they would on one small machine. Every nonce is a share (difficulty 1e-10),
// so every submit is fully verified with Autolykos. Prints a table and, last, one JSON line.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { VerifierPool } from '../src/autolykos/index.ts';
import { MemoryShareSink } from '../src/stratum/index.ts';
import { everyNonceServer } from './every-nonce-server.ts';

const BIN = fileURLToPath(new URL('../bin/enigmapool', import.meta.url));
const ADDRESS = '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA';
const seconds = Number(process.argv[2] ?? 10);
const idleConnections = Number(process.argv[3] ?? 10_000);

const verifier = await VerifierPool.start({ workers: 2 });
const sink = new MemoryShareSink(100_000);
const server = everyNonceServer(verifier, sink);
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
const height = 1_900_000;
const work = (k: number) => ({ msg: k.toString(16).padStart(64, '0'), b: 1n, height, version: 3 });
server.setWork(work(1));

/** Runs a node child process and resolves with the JSON object on the last line of its output. */
function lastJsonLine<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)!))
        : reject(new Error(`${args.join(' ')}: exit ${code}`)),
    );
  });
}

const loadgen = (args: string[]) =>
  lastJsonLine<Record<string, unknown>>([BIN, 'loadgen', '--url', url, '--user', ADDRESS, ...args]);

// 1. Memory per idle connection and 2. broadcast time, each in a fresh process; the reference is a bare
// Node TCP server holding the same number of idle sockets, measured in the same run.
const memoryScript = fileURLToPath(new URL('./stratum-memory.ts', import.meta.url));
const memoryRun = (mode: 'bare' | 'stratum', source: string) =>
  lastJsonLine<Record<string, number>>([
    '--expose-gc',
    '--import',
    'tsx',
    memoryScript,
    mode,
    String(idleConnections),
    source,
  ]);
const bare = await memoryRun('bare', '127.0.1.1');
const idle = await memoryRun('stratum', '127.0.1.2');
process.stderr.write(`memory: bare ${JSON.stringify(bare)} stratum ${JSON.stringify(idle)}\n`);

// 3. Offered load steps: connections × rate; the highest step whose p99 stays under 50 ms is the sustained figure.
const steps = [
  { connections: 1000, rate: 2 },
  { connections: 1000, rate: 5 },
  { connections: 2000, rate: 4 },
  { connections: 2000, rate: 6 },
  { connections: 2000, rate: 8 },
];
const results: { offered: number; verified: number; p50: number; p99: number; rejected: unknown }[] = [];
for (const [index, step] of steps.entries()) {
  const before = sink.shares.length;
  const started = performance.now();
  const r = await loadgen([
    '--connections',
    String(step.connections),
    '--rate',
    String(step.rate),
    '--seconds',
    String(seconds),
    // A fresh source address per step: the previous step's closed sockets sit in TIME_WAIT on theirs.
    '--source-addresses',
    `127.0.2.${index + 1}`,
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

await server.stop();
await verifier.close();

const best = results.filter((r) => r.p99 < 50).sort((a, b) => b.verified - a.verified)[0] ?? results[0]!;
console.log('| offered shares/s | verified shares/s | p50 ms | p99 ms |');
console.log('|---:|---:|---:|---:|');
for (const r of results) console.log(`| ${r.offered} | ${r.verified} | ${r.p50} | ${r.p99} |`);
console.log(`reference: ${rawChecksPerSecond} raw checks/s (same verifier pool, no sockets)`);
console.log(
  `idle connections held: ${idle.held}; RSS per connection ${idle.rssPerConnection} B (heap ${idle.heapPerConnection} B); ` +
    `a bare Node socket: ${bare.rssPerConnection} B (heap ${bare.heapPerConnection} B); broadcast to ${idle.held}: ${idle.broadcastMsMedian} ms`,
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
    idleConnectionsHeld: idle.held,
    rssBytesPerConnection: idle.rssPerConnection,
    heapBytesPerConnection: idle.heapPerConnection,
    bareSocketRssBytesPerConnection: bare.rssPerConnection,
    memoryRatioToBareSocket: Number((idle.rssPerConnection! / bare.rssPerConnection!).toFixed(2)),
    broadcastMs: idle.broadcastMsMedian,
    broadcastConnections: idle.held,
  }),
);
process.exit(0);
