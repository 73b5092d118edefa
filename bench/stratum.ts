// Stratum server throughput, latency, memory per idle connection and broadcast time, on loopback.
// Run: node --expose-gc --import tsx bench/stratum.ts [SECONDS_PER_STEP] [IDLE_CONNECTIONS]
// The server runs in this process (2 verifier workers); the load generator runs as a child process, so both
// compete for the same 2 cores as they would on one small machine (its CPU share is reported beside each
// step). Every nonce is a share (difficulty 1e-10), so every submit the server takes is fully verified with
// Autolykos; past what it can take it answers "busy". Prints a table and, last, one JSON line.
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
const sink = new MemoryShareSink(1000);
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

// 3. Offered load steps: 2,000 connections × a rate each. Verified = accepted answers per second over the
// load generator's measured window; the overload steps go to 4× what the first run of this bench sustained.
const steps = [1, 2.5, 4, 5, 6, 8, 12, 16].map((rate) => ({ connections: 2000, rate }));
interface StepResult {
  offered: number;
  sent: number;
  verified: number;
  busy: number;
  p50: number;
  p99: number;
  busyP99: number;
  connectedAtEnd: number;
  closedByPool: number;
  loadgenCpu: number;
  serverCpu: number;
  rejected: unknown;
}
const results: StepResult[] = [];
for (const [index, step] of steps.entries()) {
  const child = loadgen([
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
  // The server's CPU over about the load generator's window (it measures once every miner is up, ~1 s).
  await new Promise((r) => setTimeout(r, 1500));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, (seconds - 1.5) * 1000));
  const cpu = process.cpuUsage(cpu0);
  const serverCpu = Math.round((cpu.user + cpu.system) / 10 / (performance.now() - t0));
  const r = await child;
  const accepted = r.acceptedLatencyMs as { p50: number; p99: number };
  const busy = r.busyLatencyMs as { p99: number };
  const measured = (r.sharesPerSecond as number) / Math.max(1, r.submitted as number);
  results.push({
    offered: step.connections * step.rate,
    sent: r.sharesPerSecond as number,
    verified: r.acceptedPerSecond as number,
    busy: Math.round((r.busy as number) * measured),
    p50: accepted.p50,
    p99: accepted.p99,
    busyP99: busy.p99,
    connectedAtEnd: r.connectedAtEnd as number,
    closedByPool: r.closedByPool as number,
    loadgenCpu: r.cpuPercent as number,
    serverCpu,
    rejected: r.rejected,
  });
  process.stderr.write(`step ${JSON.stringify(results.at(-1))}\n`);
}

await server.stop();
await verifier.close();

const peak = results.reduce((a, b) => (b.verified > a.verified ? b : a));
const overload = results.find((r) => r.offered >= 2 * peak.offered) ?? results.at(-1)!;
const sustained = results.filter((r) => r.p99 < 50).sort((a, b) => b.verified - a.verified)[0] ?? results[0]!;
console.log(
  '| offered shares/s | sent/s | verified shares/s | busy/s | p50 ms | p99 ms | busy p99 ms | miners connected at the end | load generator CPU % | server CPU % |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results)
  console.log(
    `| ${r.offered} | ${r.sent} | ${r.verified} | ${r.busy} | ${r.p50} | ${r.p99} | ${r.busyP99} | ${r.connectedAtEnd} | ${r.loadgenCpu} | ${r.serverCpu} |`,
  );
console.log(`reference: ${rawChecksPerSecond} raw checks/s (same verifier pool, no sockets)`);
console.log(
  `peak ${peak.verified}/s at ${peak.offered} offered; at ${overload.offered} offered (${(overload.offered / peak.offered).toFixed(1)}× the peak's) ${overload.verified}/s = ${((100 * overload.verified) / peak.verified).toFixed(0)} % of the peak`,
);
console.log(
  `idle connections held: ${idle.held}; RSS per connection ${idle.rssPerConnection} B (heap ${idle.heapPerConnection} B); ` +
    `a bare Node socket: ${bare.rssPerConnection} B (heap ${bare.heapPerConnection} B); broadcast to ${idle.held}: ${idle.broadcastMsMedian} ms, ` +
    `one bare write to each of ${bare.held} live sockets: ${bare.broadcastMsMedian} ms`,
);
console.log(
  JSON.stringify({
    bench: 'stratum',
    sustainedVerifiedSharesPerSecond: sustained.verified,
    rawVerifierChecksPerSecond: rawChecksPerSecond,
    ratioToRawVerifier: Number((sustained.verified / rawChecksPerSecond).toFixed(2)),
    p50Ms: sustained.p50,
    p99Ms: sustained.p99,
    peakVerifiedSharesPerSecond: peak.verified,
    peakOffered: peak.offered,
    overloadOffered: overload.offered,
    overloadVerified: overload.verified,
    overloadRatioToPeak: Number((overload.verified / peak.verified).toFixed(2)),
    minersDroppedUnderLoad: results.reduce((n, r) => n + r.closedByPool, 0),
    steps: results,
    idleConnectionsHeld: idle.held,
    rssBytesPerConnection: idle.rssPerConnection,
    heapBytesPerConnection: idle.heapPerConnection,
    bareSocketRssBytesPerConnection: bare.rssPerConnection,
    bareSocketHeapBytesPerConnection: bare.heapPerConnection,
    broadcastMs: idle.broadcastMsMedian,
    bareBroadcastMs: bare.broadcastMsMedian,
    broadcastRatioToBare: Number((idle.broadcastMsMedian! / bare.broadcastMsMedian!).toFixed(2)),
    broadcastConnections: idle.held,
  }),
);
process.exit(0);
