import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { clamp, parseDifficulty, type Ratio, shareTarget } from '../autolykos/index.ts';
import { InvalidAddressError, parseAddress } from '../ergo/index.ts';
import type { StratumContext } from './context.ts';
import type { Job } from './jobs.ts';
import {
  errorLine,
  notifyLine,
  parseRequestLine,
  payoutThresholdFromPassword,
  type RequestId,
  replyLine,
  SET_DIFFICULTY_ONE,
  StratumErrorCode,
  splitWorkerLogin,
  staticDifficultyFromPassword,
} from './protocol.ts';
import { checkSubmit, difficultyKey } from './submit.ts';
import type { PortConfig } from './types.ts';
import {
  acceptableDifficulties,
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

/** One miner connection: framing, limits, and the subscribe / authorize / submit conversation. */
export class Session {
  userAgent = '';
  extranonce1: string | null = null;
  readonly logins = new Map<string, Login>();
  readonly connectedAt: number;
  lastShareAt: number;
  closed = false;
  private buffer = '';
  private pending = 0;
  private tokens: number;
  private tokensAt: number;
  private vardiff!: VardiffState;
  /** Memo keys of this connection's difficulty, rebuilt only when it changes (broadcasts read them). */
  private memoKeys = { target: '', update: '', clean: '' };
  /** null once the miner asked for a static difficulty (d=) or the port has none. */
  private vardiffConfig: VardiffConfig | null;
  private sentJob = false;

  constructor(
    readonly id: number,
    private readonly ctx: StratumContext,
    private readonly stream: Duplex | Socket,
    readonly clientAddress: string,
    readonly port: PortConfig,
    private readonly onClose: (session: Session, reason: string) => void,
  ) {
    const now = ctx.now();
    this.connectedAt = now;
    this.lastShareAt = now;
    this.tokens = ctx.limits.messageBurst;
    this.tokensAt = now;
    this.setVardiff(startVardiff(port.startDifficulty, now));
    this.vardiffConfig = port.vardiff
      ? { ...port.vardiff, min: port.minDifficulty, max: port.maxDifficulty }
      : null;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.onData(chunk));
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

  acceptableDifficulties(now: number): Ratio[] {
    return this.vardiffConfig
      ? acceptableDifficulties(this.vardiff, now, this.vardiffConfig)
      : [this.vardiff.difficulty];
  }

  /** Feeds bytes read before the session existed (after a PROXY header), then resumes the socket. */
  start(initial: Buffer): void {
    if (initial.length > 0) this.onData(initial.toString('utf8'));
    this.stream.resume();
  }

  /** set_difficulty [1] then notify with this connection's share target. */
  sendJob(job: Job, clean: boolean): void {
    if (!this.extranonce1 || !this.authorized || this.closed) return;
    const d = this.vardiff.difficulty;
    // Most miners share a few difficulties: the two lines are built once per job, difficulty and clean flag.
    const lines = this.ctx.memo(job, clean ? this.memoKeys.clean : this.memoKeys.update, () => {
      const target = this.ctx.memo(job, this.memoKeys.target, () => shareTarget(d, job.b));
      // Encoded once: writing one Buffer to many sockets skips a UTF-8 encoding per socket.
      return Buffer.from(SET_DIFFICULTY_ONE + notifyLine(job, target, clean));
    });
    this.write(lines);
    this.sentJob = true;
  }

  private setVardiff(next: VardiffState): void {
    if (next.difficulty !== this.vardiff?.difficulty) {
      const key = difficultyKey(next.difficulty);
      this.memoKeys = { target: `target:${key}`, update: `lines:${key}|0`, clean: `lines:${key}|1` };
    }
    this.vardiff = next;
  }

  /** Periodic sweep: idle and silence timeouts, and vardiff for quiet miners. */
  sweep(now: number): void {
    if (this.closed) return;
    if (!this.extranonce1 && now - this.connectedAt > this.ctx.limits.silenceTimeoutMs) {
      this.close('did not subscribe in time');
    } else if (this.authorized && now - this.lastShareAt > this.ctx.limits.idleTimeoutMs) {
      this.close('idle: no share for too long');
    } else if (this.vardiffConfig) {
      this.applyVardiff(vardiffOnIdle(this.vardiff, now, this.vardiffConfig));
    }
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.destroy();
    if (this.extranonce1) this.ctx.extranonces.release(this.extranonce1);
    this.onClose(this, reason);
  }

  private write(text: string | Buffer): void {
    if (this.closed) return;
    if (this.stream.writableLength > MAX_WRITE_BUFFER) {
      this.close('not reading its socket');
      return;
    }
    this.stream.write(text);
  }

  private onData(chunk: string): void {
    if (this.closed) return;
    this.buffer += chunk;
    let newline = this.buffer.indexOf('\n');
    while (newline >= 0 && !this.closed) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line.length > this.ctx.limits.maxLineBytes) {
        this.close('line too long');
        return;
      }
      if (line.length > 0) this.onLine(line);
      newline = this.buffer.indexOf('\n');
    }
    if (this.buffer.length > this.ctx.limits.maxLineBytes) this.close('line too long');
  }

  private onLine(line: string): void {
    const now = this.ctx.now();
    const { messagesPerSecond, messageBurst, maxPendingRequests } = this.ctx.limits;
    this.tokens = Math.min(messageBurst, this.tokens + ((now - this.tokensAt) / 1000) * messagesPerSecond);
    this.tokensAt = now;
    if (this.tokens < 1) {
      this.close('message flood');
      return;
    }
    this.tokens -= 1;
    const parsed = parseRequestLine(line);
    if (!parsed.ok) {
      this.close(`malformed line: ${parsed.reason}`);
      return;
    }
    if (this.pending >= maxPendingRequests) {
      this.close('too many pending requests');
      return;
    }
    const { id, method, params } = parsed.request;
    this.pending += 1;
    this.handle(id, method, params)
      .catch((err: Error) => {
        this.ctx.logger.error({ err, session: this.id, method }, 'request failed');
        if (id !== null) this.write(errorLine(id, StratumErrorCode.Other, 'internal error'));
      })
      .finally(() => {
        this.pending -= 1;
      });
  }

  private async handle(id: RequestId | null, method: string, params: unknown[]): Promise<void> {
    switch (method) {
      case 'mining.subscribe':
        return this.subscribe(id, params);
      case 'mining.authorize':
        return this.authorize(id, params);
      case 'mining.submit':
        return this.submit(id, params);
      case 'mining.extranonce.subscribe':
        if (id !== null) this.write(replyLine(id, true));
        return;
      default:
        if (id !== null) this.write(errorLine(id, StratumErrorCode.Other, `unsupported method ${method}`));
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
    this.maybeSendFirstJob();
  }

  private authorize(id: RequestId | null, params: unknown[]): void {
    const [login, password] = params;
    if (typeof login !== 'string' || login.length === 0 || login.length > 256) {
      this.write(errorLine(id, StratumErrorCode.Unauthorized, 'missing worker name'));
      return;
    }
    const { address, worker } = splitWorkerLogin(login);
    try {
      parseAddress(address, this.ctx.network);
    } catch (err) {
      const reason = err instanceof InvalidAddressError ? err.reason : (err as Error).message;
      this.ctx.logger.info(
        { session: this.id, client: this.clientAddress, login, reason },
        'authorize refused: bad address',
      );
      this.write(
        errorLine(id, StratumErrorCode.Unauthorized, `invalid ${this.ctx.network} address: ${reason}`),
      );
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
    this.ctx.events.emit('authorized', { sessionId: this.id, address, worker });
    this.maybeSendFirstJob();
  }

  private maybeSendFirstJob(): void {
    const job = this.ctx.jobs.current;
    if (job && !this.sentJob) this.sendJob(job, true);
  }

  private async submit(id: RequestId | null, params: unknown[]): Promise<void> {
    const result = await checkSubmit(this.ctx, this, params);
    const login = typeof params[0] === 'string' ? this.logins.get(params[0]) : undefined;
    const now = this.ctx.now();
    if (result.ok) {
      this.lastShareAt = now;
      this.write(replyLine(id, true));
      if (this.vardiffConfig) this.applyVardiff(vardiffOnShare(this.vardiff, now, this.vardiffConfig));
      if (login?.payoutThreshold) {
        // Only an address that proved work on this connection may change its own settings.
        this.ctx.events.emit('settings', {
          address: login.address,
          payoutThreshold: login.payoutThreshold,
          clientAddress: this.clientAddress,
        });
        login.payoutThreshold = null;
      }
    } else {
      this.write(errorLine(id, result.code, result.message));
    }
    this.ctx.events.emit('share', {
      outcome: result.outcome,
      sessionId: this.id,
      clientAddress: this.clientAddress,
      address: login?.address ?? null,
      worker: login?.worker ?? null,
      ...(result.ok ? { share: result.share } : { reason: result.message }),
    });
    const counted = result.outcome !== 'busy';
    if (
      counted &&
      this.ctx.addresses.share(this.clientAddress, result.ok || result.outcome === 'stale', now)
    ) {
      this.ctx.events.emit('banned', { clientAddress: this.clientAddress });
      this.close('banned: too many invalid shares');
    }
  }

  private applyVardiff(next: VardiffState): void {
    const changed = next.difficulty !== this.vardiff.difficulty;
    this.setVardiff(next);
    const job = this.ctx.jobs.current;
    if (changed && job) {
      this.ctx.logger.debug(
        { session: this.id, difficulty: `${next.difficulty.num}/${next.difficulty.den}` },
        'vardiff',
      );
      this.sendJob(job, false);
    }
  }
}
