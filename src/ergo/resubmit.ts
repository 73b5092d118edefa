import type { Logger } from 'pino';
import type { ErgoNodeClient } from './client.ts';
import type { Timers } from './http.ts';
import { type SubmissionResult, submitToAll } from './submit.ts';

/** One more attempt at a block solution on a node that had not answered before. */
export interface ResubmitEvent {
  nonce: string;
  height: number;
  result: SubmissionResult;
}

interface Queued {
  nonce: string;
  height: number;
  /** Nodes that have not answered this solution yet (a timeout, a refused or reset connection). */
  pending: ErgoNodeClient[];
}

export interface ResubmitterOptions {
  intervalMs: number;
  timers: Timers;
  logger: Logger;
  now: () => number;
  /** Height of the work the pool hands out now: a solution is worth sending only while it is for this height. */
  currentHeight: () => number | null;
  onResult: (event: ResubmitEvent) => void;
}

/**
 * Block solutions some nodes never answered (every submit timed out, or a node was unreachable): sent again to
 * exactly those nodes every interval while the candidate's height is still the current one, until each has
 * answered or one accepted the block. flush() makes one last attempt for everything queued (at shutdown).
 */
export class Resubmitter {
  private readonly queue: Queued[] = [];
  private timer: ReturnType<Timers['setTimeout']> | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly o: ResubmitterOptions) {}

  get size(): number {
    return this.queue.length;
  }

  add(nonce: string, height: number, pending: readonly ErgoNodeClient[]): void {
    if (this.stopped || pending.length === 0) return;
    this.queue.push({ nonce, height, pending: [...pending] });
    this.o.logger.warn(
      { nonce, height, nodes: pending.map((c) => c.name) },
      `block solution ${nonce}: no answer from ${pending.map((c) => c.name).join(', ')}; sending it again while height ${height} is current`,
    );
    this.schedule();
  }

  /** One attempt now for every queued solution still current (awaited), then nothing more is sent. */
  async flush(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.o.timers.clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    if (this.queue.length > 0) await this.attempt();
    this.queue.length = 0;
  }

  private schedule(): void {
    if (this.stopped || this.timer !== null || this.running || this.queue.length === 0) return;
    this.timer = this.o.timers.setTimeout(() => {
      this.timer = null;
      this.running = this.attempt().finally(() => {
        this.running = null;
        this.schedule();
      });
    }, this.o.intervalMs);
  }

  private async attempt(): Promise<void> {
    const height = this.o.currentHeight();
    for (const q of [...this.queue]) {
      if (q.height !== height) {
        this.o.logger.info(
          { nonce: q.nonce, height: q.height, current: height, nodes: q.pending.map((c) => c.name) },
          `block solution ${q.nonce}: height ${q.height} is no longer current; not sent again`,
        );
        this.drop(q);
        continue;
      }
      const outcome = await submitToAll(q.pending, q.nonce, this.o.logger, this.o.now);
      for (const result of outcome.results) this.o.onResult({ nonce: q.nonce, height: q.height, result });
      const silent = new Set(outcome.results.filter((r) => r.status === null).map((r) => r.node));
      q.pending = q.pending.filter((c) => silent.has(c.name));
      if (outcome.accepted || q.pending.length === 0) this.drop(q);
    }
  }

  private drop(q: Queued): void {
    const k = this.queue.indexOf(q);
    if (k >= 0) this.queue.splice(k, 1);
  }
}
