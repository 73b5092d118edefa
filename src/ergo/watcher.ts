import type { Logger } from 'pino';
import type { ErgoNodeClient } from './client.ts';
import { describeError, NodeUnavailableError } from './errors.ts';
import { classifyHealth, type HealthProblem, type NodeStatus, smoothLatency } from './health.ts';
import type { Timers } from './http.ts';
import type { NodeInfo, WorkMessage } from './wire.ts';

export interface WatcherOptions {
  pollIntervalMs: number;
  /** Timeout of each health request; a stalled node is noticed after this long. */
  pollTimeoutMs: number;
  /** Also long-poll /mining/candidate?longpoll=<msg> so a new candidate is seen at once. */
  longPoll: boolean;
  timers: Timers;
  now: () => number;
  logger: Logger;
  /** The pool's reward key the candidate must pay (null: not known yet; undefined: not checked). */
  rewardKey?: () => string | null | undefined;
}

/** What one node looked like at its last poll. */
export interface WatchedState {
  status: NodeStatus;
  problems: HealthProblem[];
  info: NodeInfo | null;
  candidate: WorkMessage | null;
  /** Smoothed round trip of the health poll (ms). */
  latencyMs: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  /** Last poll in which /info and /mining/candidate both answered. */
  lastSuccessAt: number | null;
  checkedAt: number | null;
}

/**
 * Polls one node (/info and /mining/candidate together) every pollIntervalMs, classifies it and calls
 * `onUpdate` after each poll. Polls never overlap; stop() aborts requests in flight and clears timers.
 */
export class NodeWatcher {
  readonly state: WatchedState = {
    status: 'unknown',
    problems: [],
    info: null,
    candidate: null,
    latencyMs: null,
    lastError: null,
    lastErrorAt: null,
    lastSuccessAt: null,
    checkedAt: null,
  };
  private running = false;
  private controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private polling: Promise<void> | null = null;
  private pollAgain = false;
  private longPolling: Promise<void> | null = null;

  constructor(
    readonly client: ErgoNodeClient,
    private readonly options: WatcherOptions,
    private readonly onUpdate: (watcher: NodeWatcher) => void,
  ) {}

  get name(): string {
    return this.client.name;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.controller = new AbortController();
    this.pollNow();
    if (this.options.longPoll) this.longPolling = this.longPollLoop();
  }

  /** Polls as soon as possible (now, or right after the poll in flight). */
  pollNow(): void {
    if (!this.running) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.clearTimer();
    this.polling = this.poll()
      .catch((err: unknown) =>
        this.options.logger.error({ node: this.name, err: describeError(err) }, 'node poll crashed'),
      )
      .finally(() => {
        this.polling = null;
        if (!this.running) return;
        if (this.pollAgain) {
          this.pollAgain = false;
          this.pollNow();
        } else this.schedule();
      });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clearTimer();
    this.controller.abort();
    await Promise.allSettled([this.polling, this.longPolling]);
    this.polling = null;
    this.longPolling = null;
  }

  private schedule(): void {
    this.clearTimer();
    this.timer = this.options.timers.setTimeout(() => {
      this.timer = null;
      this.pollNow();
    }, this.options.pollIntervalMs);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.options.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private async fetchBoth(): Promise<{
    info: NodeInfo | null;
    candidate: WorkMessage | null;
    errors: unknown[];
  }> {
    const opts = { signal: this.controller.signal, timeoutMs: this.options.pollTimeoutMs, retries: 0 };
    const [info, candidate] = await Promise.allSettled([
      this.client.info(opts),
      this.client.miningCandidate(opts),
    ]);
    const errors: unknown[] = [];
    if (info.status === 'rejected') errors.push(info.reason);
    if (candidate.status === 'rejected') errors.push(candidate.reason);
    return {
      info: info.status === 'fulfilled' ? info.value : null,
      candidate: candidate.status === 'fulfilled' ? candidate.value : null,
      errors,
    };
  }

  private async poll(): Promise<void> {
    const { now } = this.options;
    const started = now();
    let result = await this.fetchBoth();
    let elapsed = now() - started;
    // A block that arrives between the two answers makes them disagree for one round trip: ask again.
    if (this.running && result.info?.fullHeight != null && result.candidate) {
      if (result.candidate.h !== result.info.fullHeight + 1) {
        const again = now();
        result = await this.fetchBoth();
        elapsed = now() - again;
      }
    }
    if (!this.running) return;
    this.apply(result, elapsed);
  }

  private apply(result: Awaited<ReturnType<NodeWatcher['fetchBoth']>>, elapsed: number): void {
    const { state, options } = this;
    const at = options.now();
    const verdict = classifyHealth(result.info, result.candidate, options.rewardKey?.());
    state.status = verdict.status;
    state.problems = verdict.problems;
    state.checkedAt = at;
    if (result.info) state.info = result.info;
    state.candidate = result.candidate;
    if (result.info || result.candidate) state.latencyMs = smoothLatency(state.latencyMs, elapsed);
    const errors = result.errors.filter((e) => !(e instanceof NodeUnavailableError && e.cause === 'aborted'));
    if (errors.length > 0) {
      state.lastError = errors.map(describeError).join('; ');
      state.lastErrorAt = at;
      options.logger.debug({ node: this.name, error: state.lastError }, 'node poll failed');
    } else state.lastSuccessAt = at;
    this.onUpdate(this);
  }

  /** Long-polls the candidate; a changed msg triggers a full poll (info + candidate stay consistent). */
  private async longPollLoop(): Promise<void> {
    while (this.running) {
      const msg = this.state.candidate?.msg;
      if (msg === undefined || this.state.status !== 'synced') {
        // Nothing to long-poll on yet: wait for the poll in flight, or one interval.
        if (this.polling) await this.polling;
        else await this.sleep(this.options.pollIntervalMs);
        continue;
      }
      let changed = false;
      try {
        const next = await this.client.miningCandidate({
          longPollMsg: msg,
          signal: this.controller.signal,
        });
        changed = next.msg !== msg;
      } catch {
        changed = false;
      }
      if (!this.running) return;
      if (changed) {
        this.pollNow();
        await this.polling;
      } else await this.sleep(this.options.pollIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.controller.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        this.options.timers.clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.options.timers.setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
