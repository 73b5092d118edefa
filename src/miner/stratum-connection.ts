import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { PoolUrl } from './url.ts';

export interface PoolJob {
  jobId: string;
  height: number;
  msg: string;
  target: string;
  clean: boolean;
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

  /** Returns the request id so the caller can match the reply. */
  submit(jobId: string, extranonce2: string, nonce: string): number {
    return this.send('mining.submit', [this.user, jobId, extranonce2, '', nonce]);
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
      this.emit('job', {
        jobId: String(p[0]),
        height: Number(p[1]),
        msg: String(p[2]),
        target: String(p[6]),
        clean: Boolean(p[8]),
      });
      return;
    }
    if (message.method !== undefined) return; // set_difficulty [1] and others: the target comes with notify
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

  private shutdown(reason: string): void {
    if (!this.socket) return;
    this.socket.destroy();
    this.socket = null;
    this.emit('closed', reason);
  }
}
