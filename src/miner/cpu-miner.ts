import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import pino, { type Logger } from 'pino';
import type { FromHashWorker, ToHashWorker } from './hash-protocol.ts';
import { PoolConnection, type PoolJob, type PoolSession } from './stratum-connection.ts';
import { parsePoolUrl } from './url.ts';

export interface CpuMinerOptions {
  url: string;
  /** ADDRESS.worker */
  user: string;
  password?: string;
  threads?: number;
  agent?: string;
  logger?: Logger;
  reportIntervalMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** Connect from this local address (default: the system's choice). */
  localAddress?: string;
}

export interface MinerStats {
  accepted: number;
  rejected: number;
  hashes: number;
  /** Hashes per second over the last report interval. */
  hashrate: number;
  connected: boolean;
}

interface MinerEvents {
  accepted: [{ nonce: string }];
  rejected: [{ nonce: string; reason: string }];
  job: [PoolJob];
  connected: [PoolSession];
  disconnected: [string];
  /** Each report interval, after the stats were updated. */
  report: [MinerStats];
}

/**
 * A CPU miner that speaks stratum the way GPU miners do: subscribe, authorize, take the share target from
 * notify, roll its extranonce2 in worker threads, submit the full nonce, reconnect with backoff.
 */
export class CpuMiner extends EventEmitter<MinerEvents> {
  readonly stats: MinerStats = { accepted: 0, rejected: 0, hashes: 0, hashrate: 0, connected: false };
  private readonly workers: Worker[] = [];
  private connection: PoolConnection | null = null;
  private session: PoolSession | null = null;
  private readonly validJobs = new Map<number, string>();
  private readonly pending = new Map<number, string>();
  private jobKey = 0;
  private stopped = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reportTimer: NodeJS.Timeout | null = null;
  private hashesSinceReport = 0;
  private readonly logger: Logger;

  constructor(private readonly options: CpuMinerOptions) {
    super();
    parsePoolUrl(options.url);
    this.logger = options.logger ?? pino({ level: 'silent' });
  }

  async start(): Promise<void> {
    const threads = this.options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1 || threads > 256)
      throw new RangeError('threads must be 1–256');
    await Promise.all(Array.from({ length: threads }, () => this.spawnWorker()));
    const interval = this.options.reportIntervalMs ?? 10_000;
    this.reportTimer = setInterval(() => this.report(interval), interval);
    this.reportTimer.unref();
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.reportTimer) clearInterval(this.reportTimer);
    this.connection?.close();
    for (const w of this.workers) w.postMessage({ type: 'stop' } satisfies ToHashWorker);
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }

  private spawnWorker(): Promise<void> {
    const worker = new Worker(new URL('./hash-worker-entry.mjs', import.meta.url));
    this.workers.push(worker);
    return new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (message: FromHashWorker) => {
        if (message.type === 'ready') {
          this.logger.debug({ kernel: message.kernel }, 'hashing thread ready');
          resolve();
        } else if (message.type === 'hashes') {
          // counts posted after a disconnect paused the thread are not work for any pool
          if (!this.stats.connected) return;
          this.stats.hashes += message.count;
          this.hashesSinceReport += message.count;
        } else this.found(message.jobKey, message.nonce);
      });
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const url = parsePoolUrl(this.options.url);
    const connection = new PoolConnection(
      url,
      this.options.user,
      this.options.password ?? 'x',
      this.options.agent ?? 'EnigmaPool-CPU/0.1',
      this.options.localAddress,
    );
    this.connection = connection;
    connection.on('session', (session) => {
      if (session.extranonce2Size < 2) {
        connection.close();
        return;
      }
      this.session = session;
      this.attempt = 0;
      this.stats.connected = true;
      this.logger.info({ pool: this.options.url, extranonce1: session.extranonce1 }, 'connected to pool');
      this.emit('connected', session);
    });
    connection.on('job', (job) => this.onJob(job));
    connection.on('reply', ({ id, result, error }) => this.onReply(id, result, error));
    connection.on('loginRefused', (reason) =>
      this.logger.error({ user: this.options.user, reason }, 'pool refused the login'),
    );
    connection.on('closed', (reason) => this.onClosed(reason));
    connection.open();
  }

  private onJob(job: PoolJob): void {
    if (!this.session) return;
    this.jobKey += 1;
    if (job.clean) this.validJobs.clear();
    this.validJobs.set(this.jobKey, job.jobId);
    this.emit('job', job);
    const rollBytes = this.session.extranonce2Size - 1;
    this.workers.forEach((worker, lane) => {
      const prefix = this.session!.extranonce1 + (lane % 256).toString(16).padStart(2, '0');
      const message: ToHashWorker = {
        type: 'job',
        jobKey: this.jobKey,
        msg: job.msg,
        height: job.height,
        target: job.target,
        prefix,
        rollBytes,
      };
      worker.postMessage(message);
    });
  }

  private found(jobKey: number, nonce: string): void {
    const jobId = this.validJobs.get(jobKey);
    if (!jobId || !this.connection || !this.session) return;
    const id = this.connection.submit(jobId, nonce.slice(this.session.extranonce1.length), nonce);
    this.pending.set(id, nonce);
  }

  private onReply(id: number, result: unknown, error: unknown): void {
    const nonce = this.pending.get(id);
    if (nonce === undefined) return;
    this.pending.delete(id);
    if (result === true && !error) {
      this.stats.accepted += 1;
      this.emit('accepted', { nonce });
    } else {
      this.stats.rejected += 1;
      const reason = JSON.stringify(error);
      this.logger.warn({ nonce, reason }, 'share rejected');
      this.emit('rejected', { nonce, reason });
    }
  }

  private onClosed(reason: string): void {
    this.stats.connected = false;
    this.stats.hashrate = 0;
    this.hashesSinceReport = 0;
    this.session = null;
    this.pending.clear();
    this.validJobs.clear();
    for (const w of this.workers) w.postMessage({ type: 'pause' } satisfies ToHashWorker);
    this.emit('disconnected', reason);
    if (this.stopped) return;
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 1000, maxMs: 30_000 };
    const delay = Math.min(maxMs, initialMs * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt += 1;
    this.logger.warn({ reason, retryInMs: Math.round(delay) }, 'disconnected from pool');
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
    this.reconnectTimer.unref();
  }

  private report(intervalMs: number): void {
    // Hashes count only while connected: a miner without a pool reports no hashrate (it has no work).
    this.stats.hashrate = this.stats.connected ? (this.hashesSinceReport * 1000) / intervalMs : 0;
    this.hashesSinceReport = 0;
    this.emit('report', this.stats);
    if (!this.stats.connected) {
      this.logger.info(
        { accepted: this.stats.accepted, rejected: this.stats.rejected },
        'miner: not connected to the pool, not hashing',
      );
      return;
    }
    this.logger.info(
      {
        hashrate: `${Math.round(this.stats.hashrate)} H/s`,
        accepted: this.stats.accepted,
        rejected: this.stats.rejected,
      },
      'miner',
    );
  }
}
