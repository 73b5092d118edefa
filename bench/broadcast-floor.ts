// The floor under any job broadcast on this machine: one pre-encoded write of a job's lines to each of N live
// loopback sockets, from 1 process and from P processes at once (each holding N / P sockets, as several
// stratum processes would), the receiving clients in processes of their own that read every byte.
// Run: node --import tsx bench/broadcast-floor.ts [CONNECTIONS] [PROCESSES...]
//   e.g. node --import tsx bench/broadcast-floor.ts 10000 1 2  and  … 20000 2
// Prints the wall time from the agreed start to the last process's last write (median of 5), then one JSON line.
import { type ChildProcess, fork } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const [role, ...rest] = process.argv.slice(2);

/** set_difficulty and a notify as the stratum server sends them (about 270 bytes). */
const JOB = Buffer.from(
  `{"id":null,"method":"mining.set_difficulty","params":[1]}\n{"id":null,"method":"mining.notify","params":["0000000002",1900001,"${'0'.repeat(64)}","","",3,"${2n ** 255n}","",true]}\n`,
);

const message = <T>(child: ChildProcess) => new Promise<T>((resolve) => child.once('message', resolve));

if (role === 'client') {
  // Holds `count` connections and reads everything, as miners do.
  const [port, count] = rest.map(Number) as [number, number];
  let up = 0;
  // 500 at a time: a burst of thousands of SYNs overflows the listen backlog and waits on retransmits.
  for (let k = 0; k < count!; k++) {
    if (k % 500 === 499) await new Promise((r) => setTimeout(r, 20));
    const socket = connect({ port: port!, host: '127.0.0.1' });
    socket.on('data', () => undefined);
    socket.on('error', (err) => {
      console.error(`broadcast-floor client: ${err.message}`);
      process.exit(1);
    });
    socket.on('connect', () => {
      if (++up === count) process.send!('up');
    });
  }
} else if (role === 'server') {
  const count = Number(rest[0]);
  const held: Socket[] = [];
  const server = createServer((socket) => {
    held.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  // One client process per 10,000 connections (an ephemeral port range and the open-file limit each).
  const clients = Array.from({ length: Math.ceil(count / 10_000) }, (_, k) =>
    fork(SELF, ['client', String(port), String(Math.min(10_000, count - k * 10_000))]),
  );
  await Promise.all(clients.map((c) => message(c)));
  process.send!('ready');
  process.on('message', (m: { at: number } | 'stop') => {
    if (m === 'stop') {
      for (const c of clients) c.kill();
      process.exit(0);
    }
    setTimeout(() => {
      for (const socket of held) socket.write(JOB);
      const open = held.filter((s) => !s.destroyed).length;
      process.send!({ end: performance.timeOrigin + performance.now(), open });
    }, m.at - Date.now());
  });
} else {
  const connections = Number(role ?? 10_000);
  const processCounts = rest.length > 0 ? rest.map(Number) : [1, 2];
  const results: Record<string, number> = {};
  for (const processes of processCounts) {
    const servers = Array.from({ length: processes }, () =>
      fork(SELF, ['server', String(connections / processes)]),
    );
    await Promise.all(servers.map((s) => message(s)));
    await new Promise((r) => setTimeout(r, 1000));
    const walls: number[] = [];
    for (let k = 0; k < 5; k++) {
      const at = Date.now() + 300;
      const done = await Promise.all(
        servers.map((s) => {
          const reply = message<{ end: number; open: number }>(s);
          s.send({ at });
          return reply;
        }),
      );
      const open = done.reduce((n, d) => n + d.open, 0);
      if (open !== connections)
        throw new Error(`${open} of ${connections} sockets open: the floor needs live ones`);
      walls.push(Math.max(...done.map((d) => d.end)) - at);
      await new Promise((r) => setTimeout(r, 700));
    }
    for (const s of servers) s.send('stop');
    walls.sort((a, b) => a - b);
    results[`${processes}`] = Number(walls[2]!.toFixed(1));
    console.log(
      `${connections} live sockets from ${processes} process(es): median ${walls[2]!.toFixed(1)} ms (${walls.map((w) => w.toFixed(0)).join(', ')})`,
    );
    await new Promise((r) => setTimeout(r, 1000));
  }
  console.log(JSON.stringify({ bench: 'broadcast-floor', connections, medianMsByProcesses: results }));
  process.exit(0);
}
