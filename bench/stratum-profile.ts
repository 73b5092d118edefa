// Where the stratum server's main thread spends its time under load: a V8 CPU profile (the same sampler as
// `node --cpu-prof`) of the server in this process while `enigmapool loadgen` runs as a child process.
// Run: node --import tsx bench/stratum-profile.ts [CONNECTIONS] [RATE_PER_CONNECTION] [SECONDS] [OUT.cpuprofile]
// Prints the main thread's time by kind and the top functions by self time, then one JSON line. The profile
// file opens in Chrome DevTools (Performance → Load profile) for a closer look.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { VerifierPool } from '../src/autolykos/index.ts';
import { MemoryShareSink } from '../src/stratum/index.ts';
import { EVERY_NONCE_WORK, everyNonceServer } from './every-nonce-server.ts';

const BIN = fileURLToPath(new URL('../bin/enigmapool', import.meta.url));
const ADDRESS = '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA';
const connections = Number(process.argv[2] ?? 2000);
const rate = Number(process.argv[3] ?? 6);
const seconds = Number(process.argv[4] ?? 10);
const out = process.argv[5];

/** Self time of V8's and Node's own frames, by what they do for the stratum. */
const KINDS: [string, RegExp][] = [
  [
    'socket writes (the write syscall and its stream)',
    /^(writeUtf8String|writeBuffer|writev|writeLatin1String|writeGeneric|writevGeneric|handleWriteReq|createWriteWrap|writeOrBuffer|_write|onwrite|afterWriteDispatched)$/,
  ],
  [
    'socket reads (stream, UTF-8 decoding)',
    /^(onStreamRead|readableAddChunk.*|addChunk|maybeReadMore.*|decode|write \(string_decoder\)|emit)$/,
  ],
  ['JSON parsing and framing', /^(parseRequestLine|feed|onData|onLine|exceedsBytes)$/],
  [
    'verifier messages (batches out, hits back)',
    /^(postMessage|settle|dispatch|send|bytesToBigInt|tableSize|\(anon\) verifier-pool)$/,
  ],
  ['garbage collection', /^\(garbage collector\)$/],
  ['idle (waiting for I/O)', /^\(idle\)$/],
];

const verifier = await VerifierPool.start({ workers: 2 });
const server = everyNonceServer(verifier, new MemoryShareSink(10));
const [bound] = await server.start();
server.setWork(EVERY_NONCE_WORK);
const args = ['loadgen', '--url', `stratum+tcp://127.0.0.1:${bound!.port}`, '--user', ADDRESS];
args.push('--connections', String(connections), '--rate', String(rate), '--seconds', String(seconds + 4));
const child = spawn(process.execPath, [BIN, ...args, '--source-addresses', '127.0.9.1'], {
  stdio: ['ignore', 'pipe', 'ignore'],
});
let report = '';
child.stdout.on('data', (d) => {
  report += d;
});
await new Promise((r) => setTimeout(r, 3000)); // every miner up

const inspector = new Session();
inspector.connect();
await inspector.post('Profiler.enable');
await inspector.post('Profiler.setSamplingInterval', { interval: 250 });
await inspector.post('Profiler.start');
const accepted0 = server.counters.accepted;
const cpu0 = process.cpuUsage();
const started = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
const { profile } = await inspector.post('Profiler.stop');
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpu0);
const acceptedPerSecond = Math.round((server.counters.accepted - accepted0) / (wallMs / 1000));
if (out) writeFileSync(out, JSON.stringify(profile));
await new Promise((r) => child.on('exit', r));
await server.stop();
await verifier.close();

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
for (const id of profile.samples ?? []) {
  const frame = nodes.get(id)!.callFrame;
  const file =
    frame.url
      .split('/')
      .at(-1)
      ?.replace(/\.(ts|js)$/, '') ?? '';
  const name = frame.functionName || `(anon) ${file}`;
  const key = name === 'write' && file === 'string_decoder' ? 'write (string_decoder)' : name;
  self.set(key, (self.get(key) ?? 0) + 1);
}
const total = profile.samples?.length ?? 1;
const share = (n: number) => Number(((100 * n) / total).toFixed(1));
const kinds: Record<string, number> = {};
let classified = 0;
for (const [kind, pattern] of KINDS) {
  let n = 0;
  for (const [name, count] of self) if (pattern.test(name)) n += count;
  kinds[kind] = share(n);
  classified += n;
}
kinds['the rest (the share path, promises, events, timers)'] = share(total - classified);
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 25);
const loadgen = JSON.parse(report.trim().split('\n').at(-1)!) as { cpuPercent: number };

console.log(`${connections} connections × ${rate}/s: ${acceptedPerSecond} shares/s verified while profiled`);
console.log(
  `server process CPU ${Math.round((100 * (cpu.user + cpu.system)) / 1000 / wallMs)} % (system ${Math.round((100 * cpu.system) / 1000 / wallMs)} %, all threads), load generator ${loadgen.cpuPercent} %`,
);
console.log('| main thread, by kind | % of wall time |');
console.log('|---|---:|');
for (const [kind, pct] of Object.entries(kinds)) console.log(`| ${kind} | ${pct} |`);
console.log('| function (self time) | % |');
console.log('|---|---:|');
for (const [name, count] of top) console.log(`| ${name} | ${share(count)} |`);
console.log(
  JSON.stringify({
    bench: 'stratum-profile',
    connections,
    rate,
    acceptedPerSecond,
    serverCpuPercent: Math.round((100 * (cpu.user + cpu.system)) / 1000 / wallMs),
    loadgenCpuPercent: loadgen.cpuPercent,
    mainThread: kinds,
    top: Object.fromEntries(top.slice(0, 12).map(([name, count]) => [name, share(count)])),
  }),
);
process.exit(0);
