import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { PoolUrl } from './url.ts';

export interface LoadgenOptions {
  url: PoolUrl;
  /** Login base: each simulated miner authorizes as `${user}.lg<index>`. */
  user: string;
  connections: number;
  /** Submits per second per connection (0 = hold the connection idle after authorize). */
  rate: number;
  seconds: number;
  /** Connections opened per second while ramping up. */
  connectRate: number;
  /** Loopback source addresses, rotated, so more than ~28k connections fit (one ephemeral port range each). */
  sourceAddresses: string[];
  onProgress?: (report: LoadgenReport) => void;
}

export interface LoadgenReport {
  connections: number;
  connected: number;
  authorized: number;
  failedConnections: number;
  submitted: number;
  accepted: number;
  rejected: Record<string, number>;
  unanswered: number;
  sharesPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  elapsedSeconds: number;
}

interface SimMiner {
  socket: Socket;
  extranonce1: string;
  jobId: string | null;
  buffer: string;
  sent: Map<number, number>;
  nextId: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Thousands of simulated miners over real sockets: each subscribes, authorizes, and submits random nonces
 * for the current job at a set rate, for a bounded time, then everything closes by itself.
 */
export async function runLoadgen(options: LoadgenOptions): Promise<LoadgenReport> {
  const miners: SimMiner[] = [];
  const latencies: number[] = [];
  const report: LoadgenReport = {
    connections: options.connections,
    connected: 0,
    authorized: 0,
    failedConnections: 0,
    submitted: 0,
    accepted: 0,
    rejected: {},
    unanswered: 0,
    sharesPerSecond: 0,
    latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 },
    elapsedSeconds: 0,
  };
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  let measureFrom = Number.POSITIVE_INFINITY;

  const submit = (m: SimMiner, index: number) => {
    if (!m.jobId || performance.now() > deadline) return;
    const id = m.nextId++;
    const nonce = m.extranonce1 + randomBytes(8 - m.extranonce1.length / 2).toString('hex');
    m.sent.set(id, performance.now());
    report.submitted += 1;
    m.socket.write(
      `{"id":${id},"method":"mining.submit","params":["${options.user}.lg${index}","${m.jobId}","","","${nonce}"]}\n`,
    );
  };

  const onLine = (m: SimMiner, index: number, line: string) => {
    const msg = JSON.parse(line) as {
      id: number | null;
      method?: string;
      params?: unknown[];
      result?: unknown;
      error?: unknown;
    };
    if (msg.method === 'mining.notify') {
      const first = m.jobId === null;
      m.jobId = String(msg.params![0]);
      if (first) {
        report.authorized += 1;
        if (options.rate > 0) {
          const interval = 1000 / options.rate;
          m.timer = setTimeout(function tick() {
            submit(m, index);
            if (performance.now() < deadline) m.timer = setTimeout(tick, interval * (0.5 + Math.random()));
          }, Math.random() * interval);
        }
      }
      return;
    }
    if (msg.id === 1 && Array.isArray(msg.result)) {
      m.extranonce1 = String(msg.result[1]);
      m.socket.write(`{"id":2,"method":"mining.authorize","params":["${options.user}.lg${index}","x"]}\n`);
      return;
    }
    if (typeof msg.id !== 'number' || msg.id < 3) return;
    const sentAt = m.sent.get(msg.id);
    if (sentAt === undefined) return;
    m.sent.delete(msg.id);
    if (sentAt >= measureFrom) latencies.push(performance.now() - sentAt);
    if (msg.result === true) report.accepted += 1;
    else {
      const code = Array.isArray(msg.error) ? String(msg.error[0]) : JSON.stringify(msg.error);
      report.rejected[code] = (report.rejected[code] ?? 0) + 1;
    }
  };

  const open = (index: number) => {
    const localAddress = options.sourceAddresses[index % options.sourceAddresses.length]!;
    const socket = connect({ host: options.url.host, port: options.url.port, localAddress });
    const m: SimMiner = {
      socket,
      extranonce1: '',
      jobId: null,
      buffer: '',
      sent: new Map(),
      nextId: 3,
      timer: null,
    };
    miners.push(m);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      report.connected += 1;
      socket.write('{"id":1,"method":"mining.subscribe","params":["enigmapool-loadgen"]}\n');
    });
    socket.on('data', (chunk: string) => {
      m.buffer += chunk;
      for (let nl = m.buffer.indexOf('\n'); nl >= 0; nl = m.buffer.indexOf('\n')) {
        const line = m.buffer.slice(0, nl);
        m.buffer = m.buffer.slice(nl + 1);
        if (line) onLine(m, index, line);
      }
    });
    socket.on('error', () => {
      if (!socket.readyState || socket.connecting) report.failedConnections += 1;
    });
  };

  // Ramp up at connectRate, then run until the deadline.
  for (let opened = 0; opened < options.connections && performance.now() < deadline; ) {
    const step = Math.max(1, Math.round(options.connectRate / 20));
    for (let k = 0; k < step && opened < options.connections; k++) open(opened++);
    await new Promise((r) => setTimeout(r, 50));
  }
  // Latency is measured once every miner is up, so the ramp does not skew it.
  measureFrom = performance.now();
  const measuredSubmitsBefore = report.submitted;
  const progress = setInterval(() => options.onProgress?.(summarize()), 1000);
  await new Promise((r) => setTimeout(r, Math.max(0, deadline - performance.now())));
  clearInterval(progress);
  await new Promise((r) => setTimeout(r, 1000)); // replies still in flight
  const final = summarize();
  for (const m of miners) {
    if (m.timer) clearTimeout(m.timer);
    report.unanswered += m.sent.size;
    m.socket.destroy();
  }
  final.unanswered = report.unanswered;
  return final;

  function summarize(): LoadgenReport {
    const sorted = Float64Array.from(latencies).sort();
    const pick = (q: number) =>
      sorted.length === 0
        ? 0
        : Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2));
    const measuredSeconds = Math.max(0.001, (Math.min(performance.now(), deadline) - measureFrom) / 1000);
    return {
      ...report,
      rejected: { ...report.rejected },
      sharesPerSecond: Math.round((report.submitted - measuredSubmitsBefore) / measuredSeconds),
      latencyMs: {
        p50: pick(0.5),
        p90: pick(0.9),
        p99: pick(0.99),
        max: sorted.length ? Number(sorted[sorted.length - 1]!.toFixed(2)) : 0,
      },
      elapsedSeconds: Number(((performance.now() - started) / 1000).toFixed(2)),
    };
  }
}

/** Loopback source addresses for n connections: one address per ~28,000 connections (the ephemeral port range). */
export function loopbackSources(connections: number): string[] {
  const count = Math.max(1, Math.ceil(connections / 28_000));
  return Array.from({ length: count }, (_, k) => `127.0.${Math.floor(k / 250)}.${(k % 250) + 1}`);
}
