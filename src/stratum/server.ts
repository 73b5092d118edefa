import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import pino, { type Logger } from 'pino';
import type { NetworkName } from '../ergo/index.ts';
import { ClientAddressBook } from './bans.ts';
import type { StratumContext, StratumEventMap } from './context.ts';
import { ExtranonceAllocator } from './extranonce.ts';
import { type Job, JobBook, type Work } from './jobs.ts';
import { normalizeAddress, readPreamble } from './preamble.ts';
import { Session } from './session.ts';
import {
  type BlockSubmitter,
  DEFAULT_LIMITS,
  type HitVerifier,
  type PortConfig,
  type ShareOutcome,
  type ShareSink,
  type StratumLimits,
} from './types.ts';

export interface StratumServerOptions {
  ports: PortConfig[];
  network: NetworkName;
  verifier: HitVerifier;
  submitter: BlockSubmitter;
  sink: ShareSink;
  /** This process among several stratum instances: it prefixes job ids and extranonce1 values. */
  instanceId?: number;
  /** Bits of extranonce1 that hold the instance id (0 for a single instance). */
  instanceBits?: number;
  /** extranonce1 bytes (default 2: the miner rolls 6 bytes). */
  extranonce1Size?: number;
  limits?: Partial<StratumLimits>;
  logger?: Logger;
  now?: () => number;
  sweepIntervalMs?: number;
}

/** Share outcomes since start; stale shares are counted apart from invalid ones. */
export type ShareCounters = Record<ShareOutcome, number>;

export interface BoundPort {
  host: string;
  port: number;
  config: PortConfig;
}

/** The stratum server: ports, sessions, jobs and broadcasts. Work comes in through setWork(). */
export class StratumServer {
  readonly events = new EventEmitter<StratumEventMap>();
  readonly counters: ShareCounters = {
    accepted: 0,
    block: 0,
    stale: 0,
    duplicate: 0,
    'low-difficulty': 0,
    invalid: 0,
    unauthorized: 0,
    busy: 0,
  };
  private readonly ctx: StratumContext;
  private readonly sessions = new Set<Session>();
  private readonly servers: Server[] = [];
  private readonly memos = new WeakMap<Job, Map<string, unknown>>();
  private readonly proxies: Set<string>;
  private sweepTimer: NodeJS.Timeout | null = null;
  private nextSessionId = 1;

  constructor(private readonly options: StratumServerOptions) {
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    const instanceId = options.instanceId ?? 0;
    const instance = instanceId.toString(16).padStart(2, '0');
    const memos = this.memos;
    this.proxies = new Set(limits.proxyAddresses.map(normalizeAddress));
    this.events.on('share', ({ outcome }) => {
      this.counters[outcome] += 1;
    });
    this.ctx = {
      instance,
      network: options.network,
      jobs: new JobBook({ instancePrefix: instance }),
      extranonces: new ExtranonceAllocator({
        size: options.extranonce1Size ?? 2,
        instanceId,
        instanceBits: options.instanceBits ?? 0,
      }),
      verifier: options.verifier,
      submitter: options.submitter,
      sink: options.sink,
      addresses: new ClientAddressBook(limits.ban),
      limits,
      logger: options.logger ?? pino({ level: 'silent' }),
      events: this.events,
      now: options.now ?? Date.now,
      memo<T>(job: Job, key: string, compute: () => T): T {
        let perJob = memos.get(job);
        if (!perJob) {
          perJob = new Map();
          memos.set(job, perJob);
        }
        if (!perJob.has(key)) perJob.set(key, compute());
        return perJob.get(key) as T;
      },
    };
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  get currentJob(): Job | null {
    return this.ctx.jobs.current;
  }

  async start(): Promise<BoundPort[]> {
    const bound: BoundPort[] = [];
    for (const config of this.options.ports) {
      const tls = config.tls ? createSecureContext({ key: config.tls.key, cert: config.tls.cert }) : null;
      const server = createServer({ pauseOnConnect: false, noDelay: true }, (socket) =>
        this.accept(socket, config, tls),
      );
      server.on('error', (err) =>
        this.ctx.logger.error({ err, port: config.port }, 'stratum listener error'),
      );
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host ?? '0.0.0.0', () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      bound.push({ host: config.host ?? '0.0.0.0', port, config });
      this.servers.push(server);
      this.ctx.logger.info(
        { port, tls: Boolean(tls), detectTls: Boolean(config.tls?.detect) },
        'stratum port listening',
      );
    }
    this.sweepTimer = setInterval(() => this.sweep(), this.options.sweepIntervalMs ?? 5000);
    this.sweepTimer.unref();
    return bound;
  }

  /** New work from the node: a new job when msg changed; broadcast to every authorized miner. */
  setWork(work: Work): Job | null {
    const update = this.ctx.jobs.update(work, this.ctx.now());
    if (!update) return null;
    const started = performance.now();
    for (const session of this.sessions) session.sendJob(update.job, update.clean);
    this.ctx.logger.debug(
      {
        job: update.job.id,
        height: work.height,
        clean: update.clean,
        miners: this.sessions.size,
        ms: performance.now() - started,
      },
      'job broadcast',
    );
    return update.job;
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    const closing = this.servers
      .splice(0)
      .map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    for (const session of [...this.sessions]) session.close('server stopping');
    await Promise.all(closing);
  }

  private async accept(socket: Socket, config: PortConfig, tls: SecureContext | null): Promise<void> {
    socket.setKeepAlive(true, 60_000);
    socket.on('error', () => undefined); // errors during the preamble are reported as its outcome
    const peer = normalizeAddress(socket.remoteAddress ?? '');
    const { limits, logger, addresses } = this.ctx;
    const preamble = await readPreamble(socket, {
      trustedProxy: this.proxies.has(peer),
      tls,
      detectTls: Boolean(config.tls?.detect),
      timeoutMs: limits.silenceTimeoutMs,
      maxBytes: limits.maxLineBytes,
    });
    if (!preamble.ok) {
      logger.info({ client: peer, reason: preamble.reason }, 'connection refused');
      socket.destroy();
      return;
    }
    const client = preamble.clientAddress;
    const now = this.ctx.now();
    if (addresses.isBanned(client, now)) {
      this.refuse(socket, client, 'banned');
      return;
    }
    if (addresses.connectionCount(client) >= limits.maxConnectionsPerAddress) {
      this.refuse(socket, client, 'too many connections from this address');
      return;
    }
    addresses.connected(client);
    const id = this.nextSessionId++;
    const session = new Session(id, this.ctx, preamble.stream, client, config, (s, reason) => {
      this.sessions.delete(s);
      addresses.disconnected(client);
      logger.info({ session: s.id, client, reason }, 'miner disconnected');
      this.events.emit('disconnected', { sessionId: s.id, clientAddress: client, reason });
    });
    this.sessions.add(session);
    this.events.emit('connected', { sessionId: id, clientAddress: client, port: config.port });
    session.start(preamble.initial);
  }

  private refuse(socket: Socket, client: string, reason: string): void {
    this.ctx.logger.info({ client, reason }, 'connection refused');
    socket.destroy();
  }

  private sweep(): void {
    const now = this.ctx.now();
    for (const session of [...this.sessions]) session.sweep(now);
  }
}
