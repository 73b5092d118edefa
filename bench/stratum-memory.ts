// One fresh process per measurement: memory per idle connection of a bare Node TCP server ('bare') or of the
// stratum server with authorized miners ('stratum', which also times job broadcasts to all of them).
// Usage: node --expose-gc --import tsx bench/stratum-memory.ts bare|stratum CONNECTIONS SOURCE_ADDRESS
// Memory is the slope between half and all of the connections, so fixed costs (V8's young generation growing,
// code caches) do not count as per-connection memory. Prints one JSON line.
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { MemoryShareSink } from '../src/stratum/index.ts';
import { ergoServer } from '../test/helpers/stratum-harness.ts';

const BIN = fileURLToPath(new URL('../bin/enigmapool', import.meta.url));
const ADDRESS = '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA';
const [mode, countText, source] = process.argv.slice(2);
const count = Number(countText);

const settle = async () => {
  for (let k = 0; k < 3; k++) {
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 200));
  }
};

function holdIdle(port: number, connections: number, sourceAddress: string) {
  const args = [
    'loadgen',
    '--url',
    `stratum+tcp://127.0.0.1:${port}`,
    '--user',
    ADDRESS,
    '--connections',
    String(connections),
  ];
  args.push('--rate', '0', '--seconds', '120', '--connect-rate', '4000', '--source-addresses', sourceAddress);
  return spawn(process.execPath, [BIN, ...args], { stdio: 'ignore' });
}

/** Connects half, measures, connects the other half from a second source address, measures: the slope. */
async function slope(port: number, held: () => number) {
  const half = Math.floor(count / 2);
  const first = holdIdle(port, half, source ?? '127.0.0.1');
  await waitFor(() => held() >= half);
  await settle();
  const middle = process.memoryUsage();
  const heldMiddle = held();
  const secondSource = (source ?? '127.0.0.1').replace(/\.(\d+)$/, (_, d) => `.${Number(d) + 100}`);
  const second = holdIdle(port, count - half, secondSource);
  await waitFor(() => held() >= count);
  await settle();
  const end = process.memoryUsage();
  const added = held() - heldMiddle;
  return {
    children: [first, second],
    held: held(),
    rssPerConnection: Math.round((end.rss - middle.rss) / added),
    heapPerConnection: Math.round((end.heapUsed - middle.heapUsed) / added),
  };
}

async function waitFor(check: () => boolean) {
  const until = Date.now() + 60_000;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
  await new Promise((r) => setTimeout(r, 2000));
}

if (mode === 'bare') {
  const held: Socket[] = [];
  const server = createServer((socket) => {
    held.push(socket);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const result = await slope((server.address() as { port: number }).port, () => held.length);
  // The floor of a broadcast: one pre-encoded write to every socket, of the lines a stratum job takes
  // (set_difficulty and a notify of the same length). They must be lines the miners accept: a client that
  // chokes on them closes its sockets, and writes to closed sockets cost nothing.
  const writes: number[] = [];
  const open: number[] = [];
  for (let k = 0; k < 5; k++) {
    const line = Buffer.from(
      `{"id":null,"method":"mining.set_difficulty","params":[1]}\n{"id":null,"method":"mining.notify","params":["${(k + 2).toString(16).padStart(10, '0')}",1900001,"${'0'.repeat(63)}${k}","","",3,"${2n ** 255n}","",true]}\n`,
    );
    const t = performance.now();
    for (const socket of held) socket.write(line);
    writes.push(performance.now() - t);
    open.push(held.filter((s) => !s.destroyed).length);
    await new Promise((r) => setTimeout(r, 1000));
  }
  writes.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      mode,
      held: result.held,
      rssPerConnection: result.rssPerConnection,
      heapPerConnection: result.heapPerConnection,
      broadcastMsMedian: Number(writes[2]!.toFixed(2)),
      broadcastMsAll: writes.map((w) => Number(w.toFixed(2))),
      openAtEachBroadcast: open,
    }),
  );
  for (const child of result.children) child.kill('SIGTERM');
} else {
  const server = ergoServer({
    start: '1',
    verifier: { verify: async () => 0n },
    sink: new MemoryShareSink(),
    extranonce1Size: 3,
    limits: { maxConnectionsPerAddress: 1_000_000, idleTimeoutMs: 3_600_000 },
  });
  const [bound] = await server.start();
  let height = 1_900_000;
  const work = (k: number) => ({ msg: k.toString(16).padStart(64, '0'), b: 1n, height, version: 3 });
  server.setWork(work(1));
  const result = await slope(bound!.port, () => server.sessionCount);
  const held = result.held;
  const broadcasts: number[] = [];
  const open: number[] = [];
  for (let k = 0; k < 5; k++) {
    height += 1;
    const t = performance.now();
    server.setWork(work(100 + k));
    broadcasts.push(performance.now() - t);
    open.push(server.sessionCount);
    await new Promise((r) => setTimeout(r, 1000));
  }
  broadcasts.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      mode,
      held,
      rssPerConnection: result.rssPerConnection,
      heapPerConnection: result.heapPerConnection,
      broadcastMsMedian: Number(broadcasts[2]!.toFixed(2)),
      broadcastMsAll: broadcasts.map((b) => Number(b.toFixed(2))),
      openAtEachBroadcast: open,
    }),
  );
  for (const child of result.children) child.kill('SIGTERM');
  await server.stop();
}
process.exit(0);
