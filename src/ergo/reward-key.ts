import type { Logger } from 'pino';
import type { ErgoNodeClient } from './client.ts';
import { describeError } from './errors.ts';
import type { Timers } from './http.ts';

export function isPublicKey(key: string): boolean {
  return /^0[23][0-9a-fA-F]{64}$/.test(key);
}

/**
 * The pool's reward key: fixed by configuration, or learned from one node's /mining/rewardPublicKey (asked
 * again every interval until it answers). Until it is known, `current` is null and no candidate is trusted.
 */
export class RewardKey {
  private key: string | null;
  private learning: Promise<void> | null = null;
  private abort = new AbortController();

  constructor(
    fixed: string | undefined,
    private readonly source: ErgoNodeClient,
    private readonly o: { intervalMs: number; timers: Timers; logger: Logger; onLearned: () => void },
  ) {
    if (fixed !== undefined && !isPublicKey(fixed))
      throw new RangeError('rewardPublicKey must be 33 bytes of compressed public key hex');
    this.key = fixed?.toLowerCase() ?? null;
  }

  get current(): string | null {
    return this.key;
  }

  /** The key, or a rejection while it is not known (callers retry later; nothing waits forever). */
  async get(): Promise<string> {
    if (this.key === null)
      throw new Error(`the pool's reward key is not known yet (node ${this.source.name} has not answered)`);
    return this.key;
  }

  start(): void {
    if (this.key !== null || this.learning) return;
    this.abort = new AbortController();
    this.learning = this.learn().finally(() => {
      this.learning = null;
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.learning;
  }

  private async learn(): Promise<void> {
    const source = this.source;
    let warned = false;
    while (!this.abort.signal.aborted && this.key === null) {
      try {
        const key = await source.rewardPublicKey({ signal: this.abort.signal, retries: 0 });
        if (!isPublicKey(key)) throw new Error(`not a compressed public key: "${key}"`);
        this.key = key.toLowerCase();
        this.o.logger.info(
          { node: source.name, rewardKey: this.key },
          `pool reward key ${this.key} (from node ${source.name}): every node's candidate must pay it`,
        );
        this.o.onLearned();
        return;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        if (!warned)
          this.o.logger.warn(
            { node: source.name, err: describeError(err) },
            `cannot read the pool's reward key from node ${source.name}; no node gets miners until it answers`,
          );
        warned = true;
      }
      await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    const signal = this.abort.signal;
    return new Promise<void>((resolve) => {
      const done = () => {
        this.o.timers.clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.o.timers.setTimeout(done, this.o.intervalMs);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
