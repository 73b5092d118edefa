import { EventEmitter } from 'node:events';
import type { Server } from 'node:net';
import pino, { type Logger } from 'pino';
import type { BlockSubmitter, Coin, CoinWork, ShareChecker } from '../coin/index.ts';
import { connectionCap, openFileLimit } from './admission.ts';
import { ClientAddressBook } from './bans.ts';
import type { PoolContext, StratumContext, StratumEventMap } from './context.ts';
import { type Admitted, Door } from './door.ts';
import { ExtranonceAllocator } from './extranonce.ts';
import { type Job, JobBook } from './jobs.ts';
import { type BoundPort, listenPort } from './listen.ts';
import { normalizeAddress } from './preamble.ts';
import { Session } from './session.ts';
import { ShedController } from './shedding.ts';
import { LoopTurn } from './turn.ts';
import {
  DEFAULT_LIMITS,
  type PortConfig,
  type ShareOutcome,
  type ShareSink,
  type StratumLimits,
} from './types.ts';

/** One pool the server serves: its ports, its coin, and where its shares are checked and its blocks go. */
export interface StratumPoolOptions<W extends CoinWork = CoinWork> {
  /** Shares carry it (config `pools[].id`). */
  id: string;
  coin: Coin<W>;
  ports: PortConfig[];
  checker: ShareChecker<W>;
  blocks: BlockSubmitter<W>;
}

export interface StratumServerOptions {
  /**
   * The pools, each on its own ports. They share this server's connection cap, bans and extranonce1 space
   * (pools on the same nodes get the same candidates: disjoint nonce spaces keep their shares apart).
   */
  // biome-ignore lint/suspicious/noExplicitAny: each pool has its own coin's work type
  pools: StratumPoolOptions<any>[];
  /** Where every pool's accepted shares go (each carries its pool id). */
  sink: ShareSink;
  /** This process among several stratum instances: it prefixes job ids and extranonce1 values. */
  instanceId?: number;
  /** Bits of extranonce1 that hold the instance id (0 for a single instance). */
  instanceBits?: number;
  /** extranonce1 bytes (default 2: the miner rolls 6 bytes). */
  extranonce1Size?: number;
  limits?: Partial<Omit<StratumLimits, 'ban'>> & { ban?: Partial<StratumLimits['ban']> };
  logger?: Logger;
  now?: () => number;
  sweepIntervalMs?: number;
  /** How often the delay is read and the shed fraction updated (ms, default 20). */
  shedIntervalMs?: number;
  /** The process's open-file limit (default: read from /proc/self/limits); the connection cap keeps below it. */
  openFileLimit?: number | null;
}

/** Share outcomes since start; stale shares are counted apart from invalid ones. */
export type ShareCounters = Record<ShareOutcome, number>;

/**
 * The stratum server: ports, sessions, jobs and broadcasts, for one or several pools of any coin (the coin
 * seam, src/coin: the server imports no coin). Work comes in through setWork().
 */
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
  /** Connections held at once, from accept: the configured cap, lowered below the open-file limit. */
  readonly maxConnections: number;
  private readonly ctx: StratumContext;
  private readonly pools = new Map<string, PoolContext>();
  private readonly sessions = new Set<Session>();
  private readonly byAddress = new Map<string, Set<Session>>();
  private readonly servers: Server[] = [];
  private readonly door: Door;
  private suspended: { reason: string; since: number } | null = null;
  /** Closing many sessions at once (a ban, a suspension): one summary line instead of one per session. */
  private closingMany = false;
  private unwatchSink: (() => void) | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly shed: ShedController;
  private shedTimer: NodeJS.Timeout | null = null;
  private nextSessionId = 1;

  constructor(private readonly options: StratumServerOptions) {
    const limits: StratumLimits = {
      ...DEFAULT_LIMITS,
      ...options.limits,
      ban: { ...DEFAULT_LIMITS.ban, ...options.limits?.ban },
    };
    this.maxConnections = connectionCap(
      limits.maxConnections,
      options.openFileLimit === undefined ? openFileLimit() : options.openFileLimit,
    );
    const instanceId = options.instanceId ?? 0;
    const instance = instanceId.toString(16).padStart(2, '0');
    this.events.on('share', ({ outcome }) => {
      this.counters[outcome] += 1;
    });
    const shed = new ShedController(limits.overloadTargetMs);
    this.shed = shed;
    if (options.pools.length === 0) throw new RangeError('a stratum server needs at least one pool');
    for (const pool of options.pools) {
      if (this.pools.has(pool.id)) throw new RangeError(`two pools with the id ${pool.id}`);
      this.pools.set(pool.id, {
        id: pool.id,
        coin: pool.coin,
        jobs: new JobBook({ coin: pool.coin.stratum, instancePrefix: instance }),
        checker: pool.checker,
        blocks: pool.blocks,
      });
    }
    this.ctx = {
      instance,
      extranonces: new ExtranonceAllocator({
        size: options.extranonce1Size ?? 2,
        instanceId,
        instanceBits: options.instanceBits ?? 0,
      }),
      sink: options.sink,
      addresses: new ClientAddressBook(limits.ban),
      limits,
      logger: options.logger ?? pino({ level: 'silent' }),
      turn: new LoopTurn(),
      admit: () => shed.admit(),
      emit: (event, payload) => this.emitSafe(event, payload),
      ban: (clientAddress) => this.closeBanned(clientAddress),
      now: options.now ?? Date.now,
    };
    this.door = new Door({
      ctx: this.ctx,
      maxConnections: this.maxConnections,
      refusingAll: () => (this.suspended ? 'not taking miners (share journal failed)' : null),
      admit: (admitted) => this.admit(admitted),
    });
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** The limits in force: the defaults with the configured ones over them. */
  get limits(): Readonly<StratumLimits> {
    return this.ctx.limits;
  }

  /** The fraction of submits answered busy now because the server is behind (0 when it keeps up). */
  get shedFraction(): number {
    return this.shed.fraction;
  }

  /** Every socket held now, including those still in their preamble (what the connection cap counts). */
  get connectionCount(): number {
    return this.door.sockets.size;
  }

  /** Connections refused since start, by reason. */
  get refused(): ReadonlyMap<string, number> {
    return this.door.refusals.sinceStart;
  }

  /** Why the server takes no miners now (the share sink cannot write), or null. */
  get suspendedReason(): string | null {
    return this.suspended?.reason ?? null;
  }

  /** Addresses and bans the server remembers, and jobs it keeps (bounded; see ClientAddressBook, JobBook). */
  get memory(): { addresses: number; bans: number; jobs: number } {
    let jobs = 0;
    for (const pool of this.pools.values()) jobs += pool.jobs.size;
    return { ...this.ctx.addresses.size, jobs };
  }

  /** The current job of a pool (omitted: the only one). */
  currentJobOf(poolId?: string): Job | null {
    return this.pool(poolId).jobs.current;
  }

  /** The current job of the first pool (a single-pool server's). */
  get currentJob(): Job | null {
    return this.currentJobOf(this.options.pools[0]!.id);
  }

  private pool(poolId: string | undefined): PoolContext {
    if (poolId === undefined) {
      if (this.pools.size !== 1) throw new RangeError('name the pool: this server serves several');
      return this.pools.values().next().value!;
    }
    const pool = this.pools.get(poolId);
    if (!pool) throw new RangeError(`no pool ${poolId} on this server`);
    return pool;
  }

  async start(): Promise<BoundPort[]> {
    const configured = this.ctx.limits.maxConnections;
    if (this.maxConnections < configured)
      this.ctx.logger.warn(
        `stratum: at most ${this.maxConnections} connections (not ${configured}): the process may open only ${openFileLimit() ?? '?'} files and keeps headroom for the journal, the database and HTTP; raise the limit (ulimit -n) to hold more`,
      );
    const bound: BoundPort[] = [];
    for (const options of this.options.pools) {
      const pool = this.pools.get(options.id)!;
      for (const config of options.ports) {
        const listening = await listenPort(
          config,
          pool.id,
          (socket, tls) => this.door.onConnection(socket, pool, config, tls),
          this.ctx.logger,
        );
        this.servers.push(listening.server);
        bound.push(listening.bound);
      }
    }
    this.unwatchSink =
      this.options.sink.watchHealth?.((health) =>
        health.healthy ? this.resume() : this.suspend(health.reason),
      ) ?? null;
    this.sweepTimer = setInterval(() => this.sweep(), this.options.sweepIntervalMs ?? 5000);
    this.sweepTimer.unref();
    this.watchDelay(this.options.shedIntervalMs ?? 20);
    return bound;
  }

  /**
   * New work for a pool (omitted: the only one): a new job when it changed (the coin's workKey, or the
   * height); broadcast to every authorized miner of that pool.
   */
  setWork<W extends CoinWork>(work: W, poolId?: string): Job<W> | null {
    const pool = this.pool(poolId) as PoolContext<W>;
    const update = pool.jobs.update(work, this.ctx.now());
    if (!update) return null;
    if (update.lowerThan !== null)
      this.ctx.logger.warn(
        { height: work.height, previous: update.lowerThan },
        `stratum: work at height ${work.height}, below the previous ${update.lowerThan} (a reorg, or a switch to a node one block behind): miners switch to it, and shares for other heights are stale`,
      );
    const started = performance.now();
    for (const session of this.sessions) if (session.pool === pool) session.sendJob(update.job);
    this.ctx.logger.debug(
      {
        pool: pool.id,
        job: update.job.id,
        height: work.height,
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
    if (this.shedTimer) clearInterval(this.shedTimer);
    this.shedTimer = null;
    this.unwatchSink?.();
    this.unwatchSink = null;
    const closing = this.servers
      .splice(0)
      .map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    this.closeAll([...this.sessions], 'server stopping');
    for (const socket of this.door.sockets) socket.destroy(); // those still in their preamble
    await Promise.all(closing);
  }

  /**
   * Every `intervalMs`, how long the oldest share check has waited for a verifier thread; the shed fraction
   * follows it. Not the event loop's lag: the loop's work is mostly the socket I/O every submit costs, shed or
   * not, so shedding would not shorten it and a controller on it would shed shares the threads could check.
   */
  private watchDelay(intervalMs: number): void {
    const checkers = [...new Set(this.options.pools.map((p) => p.checker))].filter((c) => c.queueAgeMs);
    if (checkers.length === 0) return;
    this.shedTimer = setInterval(() => {
      let age = 0;
      for (const checker of checkers) age = Math.max(age, checker.queueAgeMs!());
      this.shed.update(age);
    }, intervalMs);
    this.shedTimer.unref();
  }

  /** The share sink cannot write: every miner goes (to its backup pool), and none is taken until it can. */
  private suspend(reason: string): void {
    if (this.suspended) return;
    this.suspended = { reason, since: this.ctx.now() };
    const closed = this.closeAll([...this.sessions], `not taking miners: ${reason}`);
    this.ctx.logger.error(
      `stratum: shares cannot be made durable (${reason}): closed ${closed} miner connection(s) so they fail over, and refusing new ones until the share journal writes again`,
    );
    this.emitSafe('suspended', { reason, connectionsClosed: closed });
  }

  private resume(): void {
    if (!this.suspended) return;
    const suspendedMs = this.ctx.now() - this.suspended.since;
    this.suspended = null;
    this.ctx.logger.info(
      `stratum: the share journal writes again: taking miners (after ${(suspendedMs / 1000).toFixed(1)} s)`,
    );
    this.emitSafe('resumed', { suspendedMs });
  }

  private closeBanned(client: string): void {
    const closed = this.closeAll([...(this.byAddress.get(client) ?? [])], 'banned: too much invalid work');
    const { banSeconds, invalidPercent, checkThreshold } = this.ctx.limits.ban;
    this.ctx.logger.warn(
      { client },
      `stratum: banned ${client} for ${banSeconds} s (over ${invalidPercent} % invalid work in ${checkThreshold} counted shares); closed its ${closed} connection(s)`,
    );
    const until = this.ctx.now() + banSeconds * 1000;
    this.emitSafe('banned', { clientAddress: client, connectionsClosed: closed, until, shared: false });
  }

  /**
   * A ban decided by another instance of the cluster (shared through Redis): this instance refuses the
   * address until then and closes its connections. Exempt addresses and bans already in force are ignored.
   */
  applySharedBan(client: string, until: number): boolean {
    const address = normalizeAddress(client);
    if (!this.ctx.addresses.ban(address, until, this.ctx.now())) return false;
    const closed = this.closeAll([...(this.byAddress.get(address) ?? [])], 'banned by another pool instance');
    this.ctx.logger.warn(
      { client: address },
      `stratum: banned ${address} until ${new Date(until).toISOString()} (by another instance); closed its ${closed} connection(s)`,
    );
    this.emitSafe('banned', { clientAddress: address, connectionsClosed: closed, until, shared: true });
    return true;
  }

  private closeAll(sessions: Session[], reason: string): number {
    this.closingMany = true;
    try {
      for (const session of sessions) session.close(reason);
    } finally {
      this.closingMany = false;
    }
    return sessions.length;
  }

  /** A connection through the door (src/stratum/door.ts) becomes a session of its port's pool. */
  private admit({ stream, clientAddress: client, pool, config, initial }: Admitted): void {
    const id = this.nextSessionId++;
    const session = new Session(id, this.ctx, pool, stream, client, config, (s, reason) =>
      this.onSessionClosed(s, reason),
    );
    this.sessions.add(session);
    let siblings = this.byAddress.get(client);
    if (!siblings) {
      siblings = new Set();
      this.byAddress.set(client, siblings);
    }
    siblings.add(session);
    this.emitSafe('connected', { sessionId: id, clientAddress: client, port: config.port, poolId: pool.id });
    session.start(initial);
  }

  private onSessionClosed(session: Session, reason: string): void {
    const client = session.clientAddress;
    this.sessions.delete(session);
    const siblings = this.byAddress.get(client);
    siblings?.delete(session);
    if (siblings?.size === 0) this.byAddress.delete(client);
    if (this.closingMany)
      this.ctx.logger.debug({ session: session.id, client, reason }, 'miner disconnected');
    else this.ctx.logger.info({ session: session.id, client, reason }, 'miner disconnected');
    this.emitSafe('disconnected', { sessionId: session.id, clientAddress: client, reason });
  }

  private sweep(): void {
    const now = this.ctx.now();
    for (const session of [...this.sessions]) session.sweep(now);
    this.ctx.addresses.sweep(now);
    for (const pool of this.pools.values()) pool.jobs.prune(now);
    const refused = this.door.refusals.take();
    if (refused) this.ctx.logger.info(refused);
  }

  /** A listener that throws is logged; it never reaches a socket handler, a timer or accept. */
  private emitSafe<K extends keyof StratumEventMap>(event: K, payload: StratumEventMap[K][0]): void {
    try {
      (this.events.emit as (e: K, p: StratumEventMap[K][0]) => boolean)(event, payload);
    } catch (err) {
      this.ctx.logger.error({ err, event }, 'stratum: an event listener failed');
    }
  }
}
