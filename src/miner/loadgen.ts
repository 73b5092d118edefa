import { randomInt } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { hexToBytes, TWO_POW_256, VerifierPool } from '../autolykos/index.ts';
import { LatencyLog, type LatencySummary } from './latency.ts';
import type { PoolUrl } from './url.ts';

/**
 * random: nonces the pool has not seen (a per-connection counter from a random start), checked by the pool
 * like any share and nearly all rejected as low difficulty (23) by design; they load the share path, and from
 * an address not exempt from bans they get it banned.
 * valid: real shares: every nonce's Autolykos hit is computed here and only nonces under the share target
 * the pool sent are submitted; loadgen asks for a static difficulty (`d=` in the password, clamped by the
 * pool to the port's minimum), so point it at a port whose minimum difficulty is that low.
 */
export type LoadgenMode = 'random' | 'valid';

/** Valid mode's default d: a target near 2^254, so about one nonce in four is a share. */
export const VALID_MODE_DIFFICULTY = '1e-9';
/** Nonces one simulated miner tries per tick in valid mode before it gives up until the next tick. */
const SEARCH_PER_TICK = 64;
/** The scheduler's tick: submits due within it go out together (one timer for all miners, not one each). */
const TICK_MS = 4;

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
  /** Connections the pool closed while the load ran (a pool that drops busy miners shows it here). */
  closedByPool: number;
  /** Connections still open when the load ended. */
  connectedAtEnd: number;
  submitted: number;
  accepted: number;
  rejected: Record<string, number>;
  /** Of the rejected: answered "server busy" (the pool shed the share without checking it). */
  busy: number;
  unanswered: number;
  /** Valid mode: Autolykos hits computed to find the submitted shares. */
  hashes: number;
  /** Submits sent per second once every miner was up (the offered load). */
  sharesPerSecond: number;
  /** Submits answered "accepted" per second over the same window (what the pool verified and took). */
  acceptedPerSecond: number;
  /** Submit → reply, every answered submit of the measured window. */
  latencyMs: LatencySummary;
  /** Submit → reply of the accepted shares alone, and of the busy answers alone. */
  acceptedLatencyMs: LatencySummary;
  busyLatencyMs: LatencySummary;
  /** This process's CPU time over the measured window, in % of one core (it shares the machine). */
  cpuPercent: number;
  elapsedSeconds: number;
}

interface SimMiner {
  index: number;
  login: string;
  socket: Socket;
  open: boolean;
  extranonce1: string;
  jobId: string | null;
  /** Valid mode: the job's msg, height and share target. */
  msg: Uint8Array | null;
  height: number;
  target: bigint;
  /** The next extranonce2 (a counter: every nonce a miner sends is new, as a real miner's are). */
  counter: number;
  searching: boolean;
  buffer: string;
  sent: Map<number, number>;
  nextId: number;
  /** When the next submit is due (ms, performance.now()). */
  dueAt: number;
}

const BUSY = /busy/i;

/**
 * Thousands of simulated miners over real sockets: each subscribes, authorizes, and submits nonces (random,
 * or real shares: see LoadgenMode) for the current job at a set rate, for a bounded time, then everything
 * closes by itself. Built to cost little per share, because it runs on the machine it measures: one
 * scheduler timer for all miners, counters for nonces, and a reply fast path for the common answers.
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
  const all = new LatencyLog();
  const acceptedLatency = new LatencyLog();
  const busyLatency = new LatencyLog();
  let warnedHardTarget = false;
  const counts = { submitted: 0, accepted: 0, busy: 0, connected: 0, authorized: 0, failed: 0, closed: 0 };
  const rejected: Record<string, number> = {};
  let hashes = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const interval = options.rate > 0 ? 1000 / options.rate : 0;
  let measureFrom = Number.POSITIVE_INFINITY;
  /** Submits sent before the measured window, and accepted answers to submits sent within it. */
  let submittedBefore = 0;
  let acceptedInWindow = 0;
  let cpuFrom = process.cpuUsage();
  let ended = false;

  const send = (m: SimMiner, jobId: string, nonce: string) => {
    const id = m.nextId++;
    const now = performance.now();
    m.sent.set(id, now);
    counts.submitted += 1;
    m.socket.write(
      `{"id":${id},"method":"mining.submit","params":["${m.login}","${jobId}","","","${nonce}"]}\n`,
    );
  };

  const nextNonce = (m: SimMiner) => {
    const digits = 16 - m.extranonce1.length;
    const counter = (m.counter++).toString(16);
    return (
      m.extranonce1 + (counter.length >= digits ? counter.slice(-digits) : counter.padStart(digits, '0'))
    );
  };

  /** Valid mode: the next nonces of this miner's space until one's hit is under the target. */
  const mine = async (m: SimMiner) => {
    const jobId = m.jobId!;
    const msg = m.msg!;
    m.searching = true;
    try {
      for (let k = 0; k < SEARCH_PER_TICK && m.jobId === jobId && m.open; k++) {
        const nonce = nextNonce(m);
        hashes += 1;
        const hit = await hasher!.verify({ msg, nonce: hexToBytes(nonce, 'nonce', 8), height: m.height });
        if (hit < m.target && m.jobId === jobId) {
          if (performance.now() <= deadline) send(m, jobId, nonce);
          return;
        }
      }
    } finally {
      m.searching = false;
    }
  };

  const submit = (m: SimMiner) => {
    if (!m.jobId || !m.open) return;
    if (hasher) {
      if (!m.searching) void mine(m).catch(() => undefined);
      return;
    }
    send(m, m.jobId, nextNonce(m));
  };

  // One timer for every miner: each tick sends the submits that fell due, each miner's next one at a random
  // spacing around 1/rate (a Poisson-like stream overall, as many independent rigs give).
  const scheduler =
    interval > 0
      ? setInterval(() => {
          const now = performance.now();
          if (now > deadline) return;
          for (const m of miners) {
            if (m.jobId === null || !m.open) continue;
            while (m.dueAt <= now) {
              submit(m);
              m.dueAt += interval * (0.5 + Math.random());
            }
          }
        }, TICK_MS)
      : null;

  const onAnswer = (m: SimMiner, id: number, accepted: boolean, error: unknown) => {
    const sentAt = m.sent.get(id);
    if (sentAt === undefined) return;
    m.sent.delete(id);
    const now = performance.now();
    const measured = sentAt >= measureFrom && !ended;
    if (measured) all.add(now - sentAt);
    if (accepted) {
      counts.accepted += 1;
      if (measured) {
        acceptedInWindow += 1;
        acceptedLatency.add(now - sentAt);
      }
      return;
    }
    const code = Array.isArray(error) ? String(error[0]) : JSON.stringify(error);
    rejected[code] = (rejected[code] ?? 0) + 1;
    if (Array.isArray(error) && BUSY.test(String(error[1]))) {
      counts.busy += 1;
      if (measured) busyLatency.add(now - sentAt);
    }
  };

  const onLine = (m: SimMiner, line: string) => {
    // The common answer, `{"id":N,"result":true,"error":null}`, without building an object.
    if (line.startsWith('{"id":') && line.endsWith(',"result":true,"error":null}')) {
      const id = Number(line.slice(6, line.indexOf(',')));
      if (id >= 3) {
        onAnswer(m, id, true, null);
        return;
      }
    }
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
        counts.authorized += 1;
        m.dueAt = performance.now() + Math.random() * interval;
      }
      return;
    }
    if (msg.id === 1 && Array.isArray(msg.result)) {
      m.extranonce1 = String(msg.result[1]);
      m.socket.write(`{"id":2,"method":"mining.authorize","params":["${m.login}","${password}"]}\n`);
      return;
    }
    if (typeof msg.id === 'number' && msg.id >= 3) onAnswer(m, msg.id, msg.result === true, msg.error);
  };

  const open = (index: number) => {
    const localAddress = options.sourceAddresses[index % options.sourceAddresses.length]!;
    const socket = connect({ host: options.url.host, port: options.url.port, localAddress });
    const m: SimMiner = {
      index,
      login: `${options.user}.lg${index}`,
      socket,
      open: false,
      extranonce1: '',
      jobId: null,
      msg: null,
      height: 0,
      target: 0n,
      counter: randomInt(2 ** 40),
      searching: false,
      buffer: '',
      sent: new Map(),
      nextId: 3,
      dueAt: Number.POSITIVE_INFINITY,
    };
    miners.push(m);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      counts.connected += 1;
      m.open = true;
      socket.write('{"id":1,"method":"mining.subscribe","params":["enigmapool-loadgen"]}\n');
    });
    socket.on('data', (chunk: string) => {
      let data = m.buffer.length > 0 ? m.buffer + chunk : chunk;
      for (let nl = data.indexOf('\n'); nl >= 0; nl = data.indexOf('\n')) {
        if (nl > 0) onLine(m, data.slice(0, nl));
        data = data.slice(nl + 1);
      }
      m.buffer = data;
    });
    socket.on('error', () => {
      if (!m.open) counts.failed += 1;
    });
    socket.on('close', () => {
      if (m.open && !ended) counts.closed += 1;
      m.open = false;
    });
  };

  // Ramp up at connectRate, then run until the deadline.
  for (let opened = 0; opened < options.connections && performance.now() < deadline; ) {
    const step = Math.max(1, Math.round(options.connectRate / 20));
    for (let k = 0; k < step && opened < options.connections; k++) open(opened++);
    await new Promise((r) => setTimeout(r, 50));
  }
  // Measured once every miner is up, so the ramp does not skew rates or latency.
  measureFrom = performance.now();
  cpuFrom = process.cpuUsage();
  submittedBefore = counts.submitted;
  // Progress leaves the percentiles out: sorting every sample each second would load the machine it measures.
  const progress = setInterval(() => options.onProgress?.(summarize(false)), 1000);
  await new Promise((r) => setTimeout(r, Math.max(0, deadline - performance.now())));
  const final = summarize(true);
  ended = true;
  clearInterval(progress);
  if (scheduler) clearInterval(scheduler);
  await new Promise((r) => setTimeout(r, 1000)); // replies still in flight
  let unanswered = 0;
  for (const m of miners) {
    unanswered += m.sent.size;
    m.socket.destroy();
  }
  return { ...final, unanswered, rejected: { ...rejected }, busy: counts.busy };

  function summarize(withLatency: boolean): LoadgenReport {
    const latency = (log: LatencyLog) => (withLatency ? log.summary() : LatencyLog.EMPTY);
    const now = Math.min(performance.now(), deadline);
    const seconds = Math.max(0.001, (now - measureFrom) / 1000);
    const cpu = process.cpuUsage(cpuFrom);
    return {
      mode,
      connections: options.connections,
      connected: counts.connected,
      authorized: counts.authorized,
      failedConnections: counts.failed,
      closedByPool: counts.closed,
      connectedAtEnd: miners.filter((m) => m.open).length,
      submitted: counts.submitted,
      accepted: counts.accepted,
      rejected: { ...rejected },
      busy: counts.busy,
      unanswered: 0,
      hashes,
      sharesPerSecond: Math.round((counts.submitted - submittedBefore) / seconds),
      acceptedPerSecond: Math.round(acceptedInWindow / seconds),
      latencyMs: latency(all),
      acceptedLatencyMs: latency(acceptedLatency),
      busyLatencyMs: latency(busyLatency),
      cpuPercent: Math.round((cpu.user + cpu.system) / 10 / (seconds * 1000)),
      elapsedSeconds: Number(((performance.now() - started) / 1000).toFixed(2)),
    };
  }
}

/** Loopback source addresses for n connections: one address per ~28,000 connections (the ephemeral port range). */
export function loopbackSources(connections: number): string[] {
  const count = Math.max(1, Math.ceil(connections / 28_000));
  return Array.from({ length: count }, (_, k) => `127.0.${Math.floor(k / 250)}.${(k % 250) + 1}`);
}
