import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { clamp, parseDifficulty, type Ratio } from '../coin/index.ts';
import type { PoolContext, StratumContext } from './context.ts';
import { atDifficulty } from './difficulty-work.ts';
import { LineFramer, type LineHandler } from './framing.ts';
import type { Job } from './jobs.ts';
import {
  BUSY_MESSAGE,
  busyLine,
  errorLine,
  parseRequestLine,
  payoutThresholdFromPassword,
  type RequestId,
  replyLine,
  StratumErrorCode,
  splitWorkerLogin,
  staticDifficultyFromPassword,
} from './protocol.ts';
import { checkSubmit } from './submit.ts';
import type { TurnWriter } from './turn.ts';
import type { PortConfig } from './types.ts';
import {
  isEasier,
  startVardiff,
  type VardiffConfig,
  type VardiffState,
  vardiffOnIdle,
  vardiffOnShare,
} from './vardiff.ts';

/** An authorized worker of this connection; a payout threshold it asked for (t=) is applied on its first share. */
interface Login {
  address: string;
  worker: string;
  payoutThreshold: string | null;
}

/** A miner's writes buffered beyond this mean it stopped reading; it is dropped rather than hold memory. */
const MAX_WRITE_BUFFER = 1 << 20;

/**
 * One miner connection: framing, limits, and the subscribe / authorize / submit conversation. Replies wait in
 * the outbox for the end of the loop turn (LoopTurn) and leave in one write.
 */
export class Session implements LineHandler, TurnWriter {
  userAgent = '';
  extranonce1: string | null = null;
  readonly logins = new Map<string, Login>();
  readonly connectedAt: number;
  lastShareAt: number;
  closed = false;
  private readonly framer: LineFramer;
  private readonly decoder = new StringDecoder('utf8');
  /** Submits still being checked (instant methods are answered at once and never count). */
  private pending = 0;
  private vardiff!: VardiffState;
  /** null once the miner asked for a static difficulty (d=) or the port has none. */
  private vardiffConfig: VardiffConfig | null;
  private sentJob = false;
  private lastSentDifficulty: Ratio | null = null;
  private easiestSent: Ratio | null = null;
  /** Lines written this turn, sent when it ends (null: nothing waiting). */
  private outbox: (string | Buffer)[] | null = null;

  constructor(
    readonly id: number,
    private readonly ctx: StratumContext,
    /** The pool of the port it came in on: its coin, jobs and checks. */
    readonly pool: PoolContext,
    private readonly stream: Duplex | Socket,
    readonly clientAddress: string,
    readonly port: PortConfig,
    private readonly onClose: (session: Session, reason: string) => void,
  ) {
    const now = ctx.now();
    this.connectedAt = now;
    this.lastShareAt = now;
    this.framer = new LineFramer(ctx.limits, this, now);
    this.setVardiff(startVardiff(port.startDifficulty, now));
    this.vardiffConfig = port.vardiff
      ? { ...port.vardiff, min: port.minDifficulty, max: port.maxDifficulty }
      : null;
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', (err) => this.close(`socket error: ${err.message}`));
    stream.on('close', () => this.close('client closed the connection'));
    stream.on('end', () => this.close('client closed the connection'));
  }

  get difficulty(): Ratio {
    return this.vardiff.difficulty;
  }

  get authorized(): boolean {
    return this.logins.size > 0;
  }

  /** Current and previous difficulty (until the next change), the harder first. */
  get acceptable(): readonly Ratio[] {
    return this.vardiff.acceptable;
  }

  /** The easiest difficulty the pool sent this connection (before any job: the current one). */
  get easiestDifficulty(): Ratio {
    return this.easiestSent ?? this.vardiff.difficulty;
  }

  /** Feeds bytes read before the session existed (after a PROXY header), then resumes the socket. */
  start(initial: Buffer): void {
    if (initial.length > 0) this.onData(initial);
    this.stream.resume();
  }

  /**
   * set_difficulty [1] then notify with this connection's share target, always clean_jobs = true: for new
   * work and for a vardiff re-send alike (miners that switch only on clean_jobs pick up both).
   */
  sendJob(job: Job): void {
    if (!this.extranonce1 || !this.authorized || this.closed) return;
    const d = this.vardiff.difficulty;
    // Most miners share a few difficulties: the two lines are built once per job and difficulty, and
    // encoded once: writing one Buffer to many sockets skips a UTF-8 encoding per socket.
    const at = atDifficulty(this.pool.coin.stratum, job, d);
    at.lines ??= Buffer.from(this.pool.coin.stratum.jobLines(job.id, job.work, at.target));
    const lines = at.lines;
    // A broadcast goes out at once; behind replies still waiting it keeps its place in line.
    if (this.outbox) this.outbox.push(lines);
    else this.send(lines);
    this.sentJob = true;
    if (d !== this.lastSentDifficulty) {
      this.lastSentDifficulty = d;
      if (this.easiestSent === null || isEasier(d, this.easiestSent)) this.easiestSent = d;
    }
  }

  private setVardiff(next: VardiffState): void {
    this.vardiff = next;
  }

  /** Periodic sweep: silence, login and idle timeouts, and vardiff for quiet miners. */
  sweep(now: number): void {
    if (this.closed) return;
    const { silenceTimeoutMs, loginTimeoutMs } = this.ctx.limits;
    if (!this.extranonce1 && now - this.connectedAt > silenceTimeoutMs) {
      this.close('did not subscribe in time');
    } else if (!this.authorized && now - this.connectedAt > loginTimeoutMs) {
      this.close('did not authorize in time');
    } else if (this.authorized && now - this.lastShareAt > this.ctx.limits.idleTimeoutMs) {
      this.close('idle: no share for too long');
    } else if (this.vardiffConfig) {
      this.applyVardiff(vardiffOnIdle(this.vardiff, now, this.vardiffConfig));
    }
  }

  close(reason: string): void {
    if (this.closed) return;
    // A last word (an error that closes the connection) goes out before the socket does.
    if (this.outbox && !this.stream.destroyed) {
      this.flush();
      if (this.closed) return; // it was not reading: the flush closed it already
    }
    this.closed = true;
    this.stream.destroy();
    if (this.extranonce1) this.ctx.extranonces.release(this.extranonce1);
    this.onClose(this, reason);
  }

  /** Queues a line for the end of the turn. */
  private write(text: string): void {
    if (this.closed) return;
    if (this.outbox) this.outbox.push(text);
    else {
      this.outbox = [text];
      this.ctx.turn.later(this);
    }
  }

  /** The end of the turn: everything queued, in one write. */
  flush(): void {
    const out = this.outbox;
    this.outbox = null;
    if (!out) return;
    if (out.length === 1) this.send(out[0]!);
    else if (out.every((part) => typeof part === 'string')) this.send(out.join(''));
    else this.send(Buffer.concat(out.map((part) => (typeof part === 'string' ? Buffer.from(part) : part))));
  }

  private send(data: string | Buffer): void {
    if (this.closed) return;
    if (this.stream.writableLength > MAX_WRITE_BUFFER) {
      this.close('not reading its socket');
      return;
    }
    this.stream.write(data);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    // One decoder for the bytes read before the session and after: a character split between reads stays whole.
    const verdict = this.framer.feed(this.decoder.write(chunk), this.ctx.now());
    if (verdict) this.close(verdict);
  }

  /** One trimmed line from the framer. */
  onLine(line: string): void {
    const parsed = parseRequestLine(line);
    if (!parsed.ok) {
      this.close(`malformed line: ${parsed.reason}`);
      return;
    }
    const { id, method, params } = parsed.request;
    if (method !== 'mining.submit') {
      this.answerInstantly(id, method, params);
      return;
    }
    // Shed before any work: a miner with many submits in flight, or the fraction of submits the server cannot
    // take now (ShedController). Busy is cheap and honest; a timeout is neither.
    if (this.pending >= this.ctx.limits.maxPendingRequests || !this.ctx.admit()) {
      this.busy(id, params);
      return;
    }
    this.pending += 1;
    this.submit(id, params).then(
      () => {
        this.pending -= 1;
      },
      (err: Error) => {
        this.pending -= 1;
        this.ctx.logger.error({ err, session: this.id, method }, 'request failed');
        if (id !== null) this.write(errorLine(id, StratumErrorCode.Other, 'internal error'));
      },
    );
  }

  private busy(id: RequestId | null, params: unknown[]): void {
    if (id !== null) this.write(busyLine(id));
    const login = typeof params[0] === 'string' ? this.logins.get(params[0]) : undefined;
    this.ctx.emit('share', {
      poolId: this.pool.id,
      outcome: 'busy',
      sessionId: this.id,
      clientAddress: this.clientAddress,
      address: login?.address ?? null,
      worker: login?.worker ?? null,
      reason: BUSY_MESSAGE,
    });
  }

  /** Everything but submit is answered before the next line is read. */
  private answerInstantly(id: RequestId | null, method: string, params: unknown[]): void {
    try {
      switch (method) {
        case 'mining.subscribe':
          this.subscribe(id, params);
          return;
        case 'mining.authorize':
          this.authorize(id, params);
          return;
        case 'mining.extranonce.subscribe':
          if (id !== null) this.write(replyLine(id, true));
          return;
        default:
          if (id !== null) this.write(errorLine(id, StratumErrorCode.Other, `unsupported method ${method}`));
      }
    } catch (err) {
      this.ctx.logger.error({ err, session: this.id, method }, 'request failed');
      if (id !== null) this.write(errorLine(id, StratumErrorCode.Other, 'internal error'));
    }
  }

  private subscribe(id: RequestId | null, params: unknown[]): void {
    if (typeof params[0] === 'string') this.userAgent = params[0].trim().slice(0, 128);
    if (!this.extranonce1) {
      const extranonce1 = this.ctx.extranonces.acquire();
      if (!extranonce1) {
        this.write(errorLine(id, StratumErrorCode.Other, 'server full'));
        this.close('no extranonce1 left');
        return;
      }
      this.extranonce1 = extranonce1;
    }
    const subscription = `${this.ctx.instance}${this.id.toString(16)}`;
    const details = [
      ['mining.set_difficulty', subscription],
      ['mining.notify', subscription],
    ];
    this.write(replyLine(id, [details, this.extranonce1, this.ctx.extranonces.extranonce2Size]));
    this.maybeSendJob();
  }

  private authorize(id: RequestId | null, params: unknown[]): void {
    const [login, password] = params;
    if (typeof login !== 'string' || login.length === 0 || login.length > 256) {
      this.write(errorLine(id, StratumErrorCode.Unauthorized, 'missing worker name'));
      return;
    }
    const { address, worker } = splitWorkerLogin(login);
    if (!this.logins.has(login) && this.logins.size >= this.ctx.limits.maxWorkersPerConnection) {
      this.write(errorLine(id, StratumErrorCode.Unauthorized, 'too many workers on one connection'));
      return;
    }
    const badAddress = this.pool.coin.checkAddress(address);
    if (badAddress !== null) {
      this.ctx.logger.info(
        { session: this.id, client: this.clientAddress, login, reason: badAddress, pool: this.pool.id },
        'authorize refused: bad address',
      );
      const network = this.pool.coin.network;
      this.write(errorLine(id, StratumErrorCode.Unauthorized, `invalid ${network} address: ${badAddress}`));
      return;
    }
    const requested = staticDifficultyFromPassword(password);
    if (requested !== null) {
      let d: Ratio;
      try {
        d = parseDifficulty(requested);
      } catch {
        this.write(errorLine(id, StratumErrorCode.Unauthorized, `bad static difficulty d=${requested}`));
        return;
      }
      const fixed = clamp(d, this.port.minDifficulty, this.port.maxDifficulty);
      this.setVardiff(startVardiff(fixed, this.ctx.now()));
      this.vardiffConfig = null;
    }
    this.logins.set(login, { address, worker, payoutThreshold: payoutThresholdFromPassword(password) });
    this.write(replyLine(id, true));
    this.ctx.emit('authorized', { sessionId: this.id, poolId: this.pool.id, address, worker });
    this.maybeSendJob();
  }

  /** The first job, or the current one again when a login's d= changed the difficulty since it was sent. */
  private maybeSendJob(): void {
    const job = this.pool.jobs.current;
    if (job && (!this.sentJob || this.lastSentDifficulty !== this.vardiff.difficulty)) this.sendJob(job);
  }

  private async submit(id: RequestId | null, params: unknown[]): Promise<void> {
    const result = await checkSubmit(this.ctx, this.pool, this, params);
    const login = typeof params[0] === 'string' ? this.logins.get(params[0]) : undefined;
    const now = this.ctx.now();
    if (result.ok) {
      this.lastShareAt = now;
      this.write(replyLine(id, true));
      if (this.vardiffConfig)
        this.applyVardiff(vardiffOnShare(this.vardiff, now, this.vardiffConfig, result.share.difficulty));
      if (login?.payoutThreshold) {
        // Only an address that proved work on this connection may change its own settings.
        this.ctx.emit('settings', {
          poolId: this.pool.id,
          address: login.address,
          payoutThreshold: login.payoutThreshold,
          clientAddress: this.clientAddress,
        });
        login.payoutThreshold = null;
      }
    } else {
      this.write(errorLine(id, result.code, result.message));
    }
    this.ctx.emit('share', {
      poolId: this.pool.id,
      outcome: result.outcome,
      sessionId: this.id,
      clientAddress: this.clientAddress,
      address: login?.address ?? null,
      worker: login?.worker ?? null,
      ...(result.ok ? { share: result.share } : { reason: result.message }),
    });
    // Only accepted shares and invalid work are judged; stale, duplicate, busy and low-difficulty shares
    // that met a difficulty the pool gave this connection are neither.
    const verdict = result.ok ? 'valid' : result.invalidWork ? 'invalid' : null;
    if (verdict && this.ctx.addresses.share(this.clientAddress, verdict, now))
      this.ctx.ban(this.clientAddress);
  }

  private applyVardiff(next: VardiffState): void {
    const changed = next.difficulty !== this.vardiff.difficulty;
    this.setVardiff(next);
    const job = this.pool.jobs.current;
    if (changed && job) {
      this.ctx.logger.debug(
        { session: this.id, difficulty: `${next.difficulty.num}/${next.difficulty.den}` },
        'vardiff',
      );
      this.sendJob(job);
    }
  }
}
