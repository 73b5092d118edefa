import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { hexToBytes, TWO_POW_256, VerifierPool } from '../autolykos/index.ts';
import type { PoolUrl } from './url.ts';

/**
 * random: random nonces, checked by the pool like any share and nearly all rejected as low difficulty (23)
 * by design; they load the share path, and from an address not exempt from bans they get it banned.
 * valid: real shares: every nonce's Autolykos hit is computed here and only nonces under the share target
 * the pool sent are submitted; loadgen asks for a static difficulty (`d=` in the password, clamped by the
 * pool to the port's minimum), so point it at a port whose minimum difficulty is that low.
 */
export type LoadgenMode = 'random' | 'valid';

/** Valid mode's default d: a target near 2^254, so about one nonce in four is a share. */
export const VALID_MODE_DIFFICULTY = '1e-9';
/** Nonces one simulated miner tries per tick in valid mode before it gives up until the next tick. */
const SEARCH_PER_TICK = 64;

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
  /** Default random. */
  mode?: LoadgenMode;
  /** Valid mode: the static share difficulty asked for (default VALID_MODE_DIFFICULTY). */
  difficulty?: string;
  /** Valid mode: threads computing hits (default 1). */
  hashThreads?: number;
  onProgress?: (report: LoadgenReport) => void;
  /** Something the operator should know once (valid mode at a hard target). */
  onNotice?: (line: string) => void;
}

export interface LoadgenReport {
  mode: LoadgenMode;
  connections: number;
  connected: number;
  authorized: number;
  failedConnections: number;
  submitted: number;
  accepted: number;
  rejected: Record<string, number>;
  unanswered: number;
  /** Valid mode: Autolykos hits computed to find the submitted shares. */
  hashes: number;
  sharesPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  elapsedSeconds: number;
}

interface SimMiner {
  socket: Socket;
  extranonce1: string;
  jobId: string | null;
  /** Valid mode: the job's msg, height and share target, and the next extranonce2 to try. */
  msg: Uint8Array | null;
  height: number;
  target: bigint;
  counter: number;
  searching: boolean;
  buffer: string;
  sent: Map<number, number>;
  nextId: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Thousands of simulated miners over real sockets: each subscribes, authorizes, and submits nonces (random,
 * or real shares: see LoadgenMode) for the current job at a set rate, for a bounded time, then everything
 * closes by itself.
 */
export async function runLoadgen(options: LoadgenOptions): Promise<LoadgenReport> {
  const mode = options.mode ?? 'random';
  const hasher = mode === 'valid' ? await VerifierPool.start({ workers: options.hashThreads ?? 1 }) : null;
  try {
    return await generate(options, mode, hasher);
  } finally {
    await hasher?.close();
  }
}

async function generate(
  options: LoadgenOptions,
  mode: LoadgenMode,
  hasher: VerifierPool | null,
): Promise<LoadgenReport> {
  const password = mode === 'valid' ? `d=${options.difficulty ?? VALID_MODE_DIFFICULTY}` : 'x';
  const miners: SimMiner[] = [];
  const latencies: number[] = [];
  let warnedHardTarget = false;
  const report: LoadgenReport = {
    mode,
    connections: options.connections,
    connected: 0,
    authorized: 0,
    failedConnections: 0,
    submitted: 0,
    accepted: 0,
    rejected: {},
    unanswered: 0,
    hashes: 0,
    sharesPerSecond: 0,
    latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 },
    elapsedSeconds: 0,
  };
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  let measureFrom = Number.POSITIVE_INFINITY;

  const send = (m: SimMiner, index: number, jobId: string, nonce: string) => {
    const id = m.nextId++;
    m.sent.set(id, performance.now());
    report.submitted += 1;
    m.socket.write(
      `{"id":${id},"method":"mining.submit","params":["${options.user}.lg${index}","${jobId}","","","${nonce}"]}\n`,
    );
  };

  /** Valid mode: the next nonces of this miner's space until one's hit is under the target. */
  const mine = async (m: SimMiner, index: number) => {
    const jobId = m.jobId!;
    const msg = m.msg!;
    const en2Digits = 16 - m.extranonce1.length;
    m.searching = true;
    try {
      for (let k = 0; k < SEARCH_PER_TICK && m.jobId === jobId && !m.socket.destroyed; k++) {
        const nonce = m.extranonce1 + (m.counter++).toString(16).padStart(en2Digits, '0');
        report.hashes += 1;
        const hit = await hasher!.verify({ msg, nonce: hexToBytes(nonce, 'nonce', 8), height: m.height });
        if (hit < m.target && m.jobId === jobId) {
          if (performance.now() <= deadline) send(m, index, jobId, nonce);
          return;
        }
      }
    } finally {
      m.searching = false;
    }
  };

  const submit = (m: SimMiner, index: number) => {
    if (!m.jobId || performance.now() > deadline) return;
    if (hasher) {
      if (!m.searching) void mine(m, index).catch(() => undefined);
      return;
    }
    send(m, index, m.jobId, m.extranonce1 + randomBytes(8 - m.extranonce1.length / 2).toString('hex'));
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
      const [jobId, height, msgHex, , , , target] = msg.params as [string, number, string, ...string[]];
      m.jobId = String(jobId);
      if (hasher) {
        m.msg = hexToBytes(msgHex, 'msg', 32);
        m.height = Number(height);
        m.target = BigInt(target ?? 0);
        if (!warnedHardTarget && m.target * 1000n < TWO_POW_256) {
          warnedHardTarget = true;
          options.onNotice?.(
            `valid mode: the pool's share target needs about ${TWO_POW_256 / m.target} hashes per share (it clamped d= to its port minimum): shares will be rare`,
          );
        }
      }
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
      m.socket.write(
        `{"id":2,"method":"mining.authorize","params":["${options.user}.lg${index}","${password}"]}\n`,
      );
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
      msg: null,
      height: 0,
      target: 0n,
      counter: 0,
      searching: false,
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
