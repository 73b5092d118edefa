// A connection flood against the default global cap: silent sockets from many loopback addresses, reopened
// as soon as they are closed, while one well-behaved miner keeps submitting. Reports what the server held,
// what it refused, its memory at the cap, and the miner's acks.
// Run: node --expose-gc --import tsx bench/stratum-flood.ts [FLOOD_SOCKETS] [SECONDS]
// The flooder is a child process (its own open-file limit), so the server process holds only its side.
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { VerifierPool } from '../src/autolykos/index.ts';
import { MemoryShareSink } from '../src/stratum/index.ts';
import { EVERY_NONCE_WORK, everyNonceServer } from './every-nonce-server.ts';

const ADDRESS = '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA';

if (process.argv[2] === 'flood') {
  // Child: hold `count` silent sockets from 20 source addresses for `seconds`, reopening closed ones.
  const [port, count, seconds] = process.argv.slice(3).map(Number) as [number, number, number];
  const until = Date.now() + seconds * 1000;
  let opened = 0;
  let closedByServer = 0;
  const open = (k: number) => {
    if (Date.now() > until) return;
    opened += 1;
    const socket = connect({ host: '127.0.0.1', port, localAddress: `127.0.30.${(k % 20) + 1}` });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closedByServer += 1;
      setTimeout(() => open(k), 10);
    });
  };
  for (let k = 0; k < count; k++) {
    open(k);
    if (k % 500 === 499) await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));
  console.log(JSON.stringify({ opened, closedByServer }));
  process.exit(0);
}

const floodSockets = Number(process.argv[2] ?? 19_000);
const seconds = Number(process.argv[3] ?? 30);
const verifier = await VerifierPool.start({ workers: 1 });
// Default limits but per address (the flood comes from 20 addresses of 950 sockets each).
const server = everyNonceServer(verifier, new MemoryShareSink(10_000), {
  limits: { maxConnectionsPerAddress: 1_000_000 },
});
const [bound] = await server.start();
server.setWork(EVERY_NONCE_WORK);
const port = bound!.port;
const settle = async () => {
  for (let k = 0; k < 3; k++) {
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 200));
  }
};

/** The well-behaved miner: subscribe, authorize, then a submit every 100 ms; counts answers. */
function miner(localAddress: string) {
  const stats = { acked: 0, errors: 0, closed: false, lastAckAt: 0 };
  const socket: Socket = connect({ host: '127.0.0.1', port, localAddress });
  let buffer = '';
  let extranonce1 = '';
  let jobId = '';
  let id = 10;
  let timer: NodeJS.Timeout | null = null;
  socket.setEncoding('utf8');
  socket.on('connect', () => socket.write('{"id":1,"method":"mining.subscribe","params":["flood-bench"]}\n'));
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const m = JSON.parse(buffer.slice(0, nl)) as {
        id: number | null;
        method?: string;
        params?: unknown[];
        result?: unknown;
      };
      buffer = buffer.slice(nl + 1);
      if (m.id === 1) {
        extranonce1 = (m.result as string[])[1]!;
        socket.write(`{"id":2,"method":"mining.authorize","params":["${ADDRESS}.flood","x"]}\n`);
      } else if (m.method === 'mining.notify') {
        jobId = String(m.params![0]);
        timer ??= setInterval(() => {
          const nonce = extranonce1 + (id++).toString(16).padStart(16 - extranonce1.length, '0');
          socket.write(
            `{"id":${id},"method":"mining.submit","params":["${ADDRESS}.flood","${jobId}","","","${nonce}"]}\n`,
          );
        }, 100);
      } else if (typeof m.id === 'number' && m.id > 2) {
        if (m.result === true) {
          stats.acked += 1;
          stats.lastAckAt = performance.now();
        } else stats.errors += 1;
      }
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    stats.closed = true;
    if (timer) clearInterval(timer);
  });
  return { stats, close: () => socket.destroy() };
}

const good = miner('127.0.0.1');
await new Promise((r) => setTimeout(r, 1000));
await settle();
const before = process.memoryUsage();
const ackedBefore = good.stats.acked;
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    fileURLToPath(import.meta.url),
    'flood',
    String(port),
    String(floodSockets),
    String(seconds),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let childOut = '';
child.stdout.on('data', (d) => {
  childOut += d;
});
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, server.connectionCount);
}, 50);
// Once the server is at its cap: memory held there, and a newcomer's fate.
while (server.connectionCount < server.maxConnections) await new Promise((r) => setTimeout(r, 100));
await settle();
const atCap = process.memoryUsage();
const newcomer = await new Promise<string>((resolve) => {
  const s = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
  let answered = false;
  s.on('connect', () => s.write('{"id":1,"method":"mining.subscribe","params":[]}\n'));
  s.on('data', () => {
    answered = true;
  });
  s.on('error', () => undefined);
  s.on('close', () => resolve(answered ? 'answered' : 'closed without a reply'));
  setTimeout(() => s.destroy(), 5000);
});
await new Promise<void>((resolve) => child.on('exit', () => resolve()));
clearInterval(sampler);
const flood = JSON.parse(childOut.trim().split('\n').at(-1)!) as { opened: number; closedByServer: number };
const held = server.maxConnections;
const result = {
  bench: 'stratum-flood',
  cap: server.maxConnections,
  peakConnections: peak,
  floodSocketsOpened: flood.opened,
  refusedServerFull: server.refused.get('server full') ?? 0,
  refused: Object.fromEntries(server.refused),
  newcomerAtCap: newcomer,
  rssAtCapMB: Number((atCap.rss / 2 ** 20).toFixed(1)),
  rssHeldByFloodMB: Number(((atCap.rss - before.rss) / 2 ** 20).toFixed(1)),
  rssPerHeldSocketBytes: Math.round((atCap.rss - before.rss) / held),
  heapPerHeldSocketBytes: Math.round((atCap.heapUsed - before.heapUsed) / held),
  minerAcksDuringFlood: good.stats.acked - ackedBefore,
  minerErrors: good.stats.errors,
  minerStillConnected: !good.stats.closed,
};
console.log(JSON.stringify(result));
good.close();
await server.stop();
await verifier.close();
process.exit(0);
