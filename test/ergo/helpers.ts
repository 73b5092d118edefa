import { bytesToHex, computeHit, type HitKernel, hexToBytes, loadKernel } from '../../src/autolykos/index.ts';
import { type Devnet, type DevnetOptions, startDevnet } from '../../src/devnet/index.ts';

export const BLOCK_MS = 30_000;

export interface Net {
  devnet: Devnet;
  /** The devnet's clock (block timestamps, retarget); tests advance it one block interval per block. */
  clock: { t: number };
  kernel: HitKernel;
}

let kernel: HitKernel | null = null;

/** A devnet on ephemeral 127.0.0.1 ports at difficulty 20 (≈20 hashes per block), manual chain clock. */
export async function startNet(options: DevnetOptions = {}): Promise<Net> {
  const clock = { t: 1_790_000_000_000 };
  kernel ??= await loadKernel('best');
  const devnet = await startDevnet({ port: 0, difficulty: 20n, now: () => clock.t, ...options });
  return { devnet, clock, kernel };
}

/** First nonce from `start` with hit < b (or hit ≥ b when `valid` is false). */
export function findNonce(
  k: HitKernel,
  work: { msg: string; b: bigint; h: number },
  valid = true,
  start = 0n,
): string {
  const msg = hexToBytes(work.msg, 'msg', 32);
  const nonce = new Uint8Array(8);
  const view = new DataView(nonce.buffer);
  for (let i = start; i < start + 100_000n; i++) {
    view.setBigUint64(0, i);
    if (computeHit(k, { msg, nonce, height: work.h }) < work.b === valid) return bytesToHex(nonce);
  }
  throw new Error('no nonce found');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * How long a wait for an event may take before the test fails. Generous: on a loaded 2-core machine a
 * round trip over loopback can take a second; what the tests claim is checked by counting, not by the clock.
 */
export const WAIT_MS = 20_000;

/** Polls `check` every 10 ms until it returns a value other than undefined/false; rejects after timeoutMs. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** One HTTP request a client made through RequestLog.fetch; start and end are positions in one sequence. */
export interface LoggedRequest {
  url: string;
  method: string;
  start: number;
  end: number | null;
}

/**
 * Every request made through `fetch` (give it to a client or NodeSet), in order, with when it started and
 * ended in one sequence shared with `mark()`: tests count requests and order events instead of timing them.
 */
export class RequestLog {
  readonly requests: LoggedRequest[] = [];
  private seq = 0;
  readonly fetch: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const entry: LoggedRequest = { url, method: init?.method ?? 'GET', start: this.seq++, end: null };
    this.requests.push(entry);
    try {
      return await fetch(input, init);
    } finally {
      entry.end = this.seq++;
    }
  };
  /** A position in the sequence: requests started after it have a greater `start`. */
  mark(): number {
    return this.seq++;
  }
  /** Requests to `base` + `path` (query ignored) that started after `from` and, if given, before `to`. */
  to(base: string, path: string, from = -1, to = Number.POSITIVE_INFINITY): LoggedRequest[] {
    const prefix = base.replace(/\/+$/, '') + path;
    return this.requests.filter(
      (r) => (r.url === prefix || r.url.startsWith(`${prefix}?`)) && r.start > from && r.start < to,
    );
  }
}

/** Records events of an emitter from now on, for assertions and waiting; `mark` stamps each (RequestLog.mark). */
export class Recorder<T> {
  readonly events: { at: number; value: T; mark: number }[] = [];
  constructor(
    private readonly source: {
      on(e: string, l: (v: T) => void): unknown;
      off(e: string, l: (v: T) => void): unknown;
    },
    private readonly event: string,
    private readonly stamp: () => number = () => -1,
  ) {
    source.on(event, this.listener);
  }
  private readonly listener = (value: T) => {
    this.events.push({ at: Date.now(), value, mark: this.stamp() });
  };
  /** Waits for an event (recorded after index `from`) matching `match`. */
  next(
    match: (v: T) => boolean,
    timeoutMs = WAIT_MS,
    from = 0,
  ): Promise<{ at: number; value: T; mark: number }> {
    return waitFor(
      `a matching '${this.event}' event`,
      () => this.events.slice(from).find((e) => match(e.value)),
      timeoutMs,
    );
  }
  get count(): number {
    return this.events.length;
  }
  stop(): void {
    this.source.off(this.event, this.listener);
  }
}

export const sleepMs = sleep;
