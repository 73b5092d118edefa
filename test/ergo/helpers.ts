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

/** Polls `check` every 10 ms until it returns a value other than undefined/false; rejects after timeoutMs. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Records events of an emitter from now on, for assertions and waiting. */
export class Recorder<T> {
  readonly events: { at: number; value: T }[] = [];
  constructor(
    private readonly source: {
      on(e: string, l: (v: T) => void): unknown;
      off(e: string, l: (v: T) => void): unknown;
    },
    private readonly event: string,
  ) {
    source.on(event, this.listener);
  }
  private readonly listener = (value: T) => {
    this.events.push({ at: Date.now(), value });
  };
  /** Waits for an event (recorded after index `from`) matching `match`. */
  next(match: (v: T) => boolean, timeoutMs = 5_000, from = 0): Promise<{ at: number; value: T }> {
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
