import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { floor, mul, ONE, parseDecimal, type Ratio } from '../coin/index.ts';
import type { PoolUrl } from './url.ts';

export interface PoolJob {
  jobId: string;
  height: number;
  msg: string;
  /** The share target: notify[6] times the last mining.set_difficulty (decimal). */
  target: string;
  clean: boolean;
}

/**
 * Both Ergo stratum dialects in one rule. miningcore (and EnigmaPool) send set_difficulty [1] and the whole
 * share target in notify[6]; the Node.js Ergo stratum servers send set_difficulty [d] and b in notify[6],
 * the share target being b·d. Multiplying notify[6] by the last set_difficulty is right for both (1 leaves
 * it as is); 0, absent or garbage means 1, as in the Node.js server's README.
 */
function difficultyMultiplier(value: unknown): Ratio {
  if (typeof value !== 'number' && typeof value !== 'string') return ONE;
  try {
    const d = parseDecimal(value, 'difficulty');
    return d.num > 0n ? d : ONE;
  } catch {
    return ONE;
  }
}

/** notify[6]: a decimal big integer (or 0x hex, which some servers write for a 64-digit target). */
function parseTarget(value: unknown): bigint | null {
  const text = String(value).trim();
  if (!/^(\d+|0x[0-9a-f]+)$/i.test(text)) return null;
  return BigInt(text);
}

export interface PoolSession {
  extranonce1: string;
  extranonce2Size: number;
}

interface ConnectionEvents {
  session: [PoolSession];
  job: [PoolJob];
  reply: [{ id: number; result: unknown; error: unknown }];
  loginRefused: [string];
  closed: [string];
}

/** The miner's side of one stratum connection: line framing, subscribe, authorize, notify, submit. */
export class PoolConnection extends EventEmitter<ConnectionEvents> {
  private socket: Socket | null = null;
  private buffer = '';
  private nextId = 1;
  private authorizeId = -1;
  private difficulty: Ratio = ONE;
  /** The last notify as the pool sent it (target = notify[6]), re-targeted when set_difficulty changes. */
  private lastNotify: PoolJob | null = null;

  constructor(
    private readonly url: PoolUrl,
    private readonly user: string,
    private readonly password: string,
    private readonly agent: string,
    /** The local address to connect from (a host with several addresses; tests of a proxy's PROXY header). */
    private readonly localAddress?: string,
  ) {
    super();
  }

  open(): void {
    const onConnect = () => {
      this.send('mining.subscribe', [this.agent]);
      this.send('mining.extranonce.subscribe', []);
    };
    const from = this.localAddress ? { localAddress: this.localAddress } : {};
    const socket = this.url.tls
      ? tlsConnect(
          { host: this.url.host, port: this.url.port, rejectUnauthorized: false, ...from },
          onConnect,
        )
      : connect({ host: this.url.host, port: this.url.port, ...from }, onConnect);
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (err) => this.shutdown(err.message));
    socket.on('close', () => this.shutdown('connection closed'));
  }

  /**
   * Returns the request id so the caller can match the reply. nTime means nothing in Ergo; miningcore's
   * Ergo job accepts only the literal "undefined" there (what GPU miners send), so that is what goes.
   */
  submit(jobId: string, extranonce2: string, nonce: string): number {
    return this.send('mining.submit', [this.user, jobId, extranonce2, 'undefined', nonce]);
  }

  close(): void {
    this.socket?.destroy();
  }

  private send(method: string, params: unknown[]): number {
    const id = this.nextId++;
    this.socket?.write(`${JSON.stringify({ id, method, params })}\n`);
    return id;
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.onLine(line);
    }
    if (this.buffer.length > 1 << 16) this.shutdown('pool sent an oversized line');
  }

  private onLine(line: string): void {
    let message: { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: unknown };
    try {
      message = JSON.parse(line);
    } catch {
      this.shutdown('pool sent a line that is not JSON');
      return;
    }
    if (message.method === 'mining.notify' && Array.isArray(message.params)) {
      const p = message.params as unknown[];
      const target = parseTarget(p[6]);
      if (target === null) {
        this.shutdown(`pool sent a share target that is not a number: ${JSON.stringify(p[6])}`);
        return;
      }
      this.lastNotify = {
        jobId: String(p[0]),
        height: Number(p[1]),
        msg: String(p[2]),
        target: target.toString(),
        clean: Boolean(p[8]),
      };
      this.emitJob(this.lastNotify);
      return;
    }
    if (message.method === 'mining.set_difficulty' && Array.isArray(message.params)) {
      const next = difficultyMultiplier(message.params[0]);
      const changed = next.num * this.difficulty.den !== this.difficulty.num * next.den;
      this.difficulty = next;
      // The Node.js servers change d between jobs: the current job is mined at the new target at once.
      if (changed && this.lastNotify) this.emitJob({ ...this.lastNotify, clean: false });
      return;
    }
    if (message.method !== undefined) return;
    if (message.id === 1 && Array.isArray(message.result)) {
      const [, extranonce1, size] = message.result as [unknown, string, number];
      this.emit('session', { extranonce1: String(extranonce1).toLowerCase(), extranonce2Size: Number(size) });
      this.authorizeId = this.send('mining.authorize', [this.user, this.password]);
      return;
    }
    if (message.id === this.authorizeId) {
      if (message.error) this.emit('loginRefused', JSON.stringify(message.error));
      return;
    }
    if (typeof message.id === 'number')
      this.emit('reply', { id: message.id, result: message.result, error: message.error });
  }

  private emitJob(job: PoolJob): void {
    const target = floor(mul({ num: BigInt(job.target), den: 1n }, this.difficulty));
    this.emit('job', { ...job, target: target.toString() });
  }

  private shutdown(reason: string): void {
    if (!this.socket) return;
    this.socket.destroy();
    this.socket = null;
    this.emit('closed', reason);
  }
}
