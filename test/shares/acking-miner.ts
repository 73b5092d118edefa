import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A stratum client that submits nonces as fast as the pool answers (a window of requests in flight) and
 * records, per nonce, what the pool answered: acknowledged (result true), rejected, or never answered.
 * Every nonce is unique: extranonce1, a random per-client prefix, a counter.
 */
export class AckingMiner {
  readonly acked = new Set<string>();
  readonly rejected = new Map<string, string>();
  readonly inFlight = new Map<number, string>();
  submitted = 0;
  closed = false;
  private buffer = '';
  private extranonce1 = '';
  private jobId: string | null = null;
  private nextId = 3;
  private counter = 0;
  private running = false;
  private readonly prefix = randomBytes(2).toString('hex');
  private ready: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    private readonly login: string,
    private readonly window: number,
  ) {
    let resolveReady!: () => void;
    this.ready = new Promise((r) => {
      resolveReady = r;
    });
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (line) this.onLine(line, resolveReady);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
    });
    socket.write('{"id":1,"method":"mining.subscribe","params":["acking-miner/1.0"]}\n');
  }

  static async connect(port: number, login: string, window = 16): Promise<AckingMiner> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const miner = new AckingMiner(socket, login, window);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        miner.ready,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('no job from the pool')), 20_000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    return miner;
  }

  /** Keeps `window` submits in flight until stop() or the connection closes. */
  start(): void {
    this.running = true;
    for (let i = this.inFlight.size; i < this.window; i++) this.submit();
  }

  stop(): void {
    this.running = false;
  }

  close(): void {
    this.running = false;
    this.socket.destroy();
  }

  private submit(): void {
    if (!this.running || this.closed || !this.jobId) return;
    const id = this.nextId++;
    const width = 16 - this.extranonce1.length - this.prefix.length;
    const nonce = `${this.extranonce1}${this.prefix}${(this.counter++).toString(16).padStart(width, '0')}`;
    this.inFlight.set(id, nonce);
    this.submitted++;
    this.socket.write(
      `{"id":${id},"method":"mining.submit","params":["${this.login}","${this.jobId}","","","${nonce}"]}\n`,
    );
  }

  private onLine(line: string, ready: () => void): void {
    const msg = JSON.parse(line) as {
      id: number | null;
      method?: string;
      params?: unknown[];
      result?: unknown;
      error?: unknown;
    };
    if (msg.method === 'mining.notify') {
      this.jobId = String(msg.params![0]);
      ready();
      return;
    }
    if (msg.id === 1 && Array.isArray(msg.result)) {
      this.extranonce1 = String(msg.result[1]);
      this.socket.write(`{"id":2,"method":"mining.authorize","params":["${this.login}","x"]}\n`);
      return;
    }
    if (typeof msg.id !== 'number' || msg.id < 3) return;
    const nonce = this.inFlight.get(msg.id);
    if (nonce === undefined) return;
    this.inFlight.delete(msg.id);
    if (msg.result === true) this.acked.add(nonce);
    else this.rejected.set(nonce, JSON.stringify(msg.error));
    this.submit();
  }
}
