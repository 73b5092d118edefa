import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface StratumMessage {
  id: number | string | null;
  method?: string;
  params?: unknown[];
  result?: unknown;
  error?: unknown;
}

/** A bare line-based stratum client for tests: send requests, await replies and notifications. */
export class TestStratumClient {
  readonly messages: StratumMessage[] = [];
  closed = false;
  private buffer = '';
  private nextId = 1;
  private waiters: { match: (m: StratumMessage) => boolean; resolve: (m: StratumMessage) => void }[] = [];
  private closeWaiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
        const message = JSON.parse(this.buffer.slice(0, nl)) as StratumMessage;
        this.buffer = this.buffer.slice(nl + 1);
        this.messages.push(message);
        const index = this.waiters.findIndex((w) => w.match(message));
        if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(message);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.closeWaiters.splice(0)) w();
    });
  }

  static open(
    port: number,
    options: { host?: string; localAddress?: string; tls?: boolean; preface?: Buffer } = {},
  ) {
    return new Promise<TestStratumClient>((resolve, reject) => {
      const host = options.host ?? '127.0.0.1';
      const socket = options.tls
        ? tlsConnect({
            host,
            port,
            rejectUnauthorized: false,
            ...(options.localAddress ? { localAddress: options.localAddress } : {}),
          })
        : connect({ host, port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
      socket.once('error', reject);
      socket.once(options.tls ? 'secureConnect' : 'connect', () => {
        socket.off('error', reject);
        if (options.preface) socket.write(options.preface);
        resolve(new TestStratumClient(socket));
      });
    });
  }

  send(method: string, params: unknown[] = []): Promise<StratumMessage> {
    const id = this.nextId++;
    const reply = this.waitFor((m) => m.id === id && m.method === undefined);
    this.socket.write(`${JSON.stringify({ id, method, params })}\n`);
    return reply;
  }

  raw(text: string): void {
    this.socket.write(text);
  }

  waitFor(match: (m: StratumMessage) => boolean, timeoutMs = 10_000): Promise<StratumMessage> {
    const seen = this.messages.find(match);
    if (seen) {
      this.messages.splice(this.messages.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a stratum message')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          this.messages.splice(this.messages.indexOf(m), 1);
          resolve(m);
        },
      });
    });
  }

  nextNotify(timeoutMs?: number): Promise<StratumMessage> {
    return this.waitFor((m) => m.method === 'mining.notify', timeoutMs);
  }

  whenClosed(timeoutMs = 10_000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('connection stayed open')), timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
