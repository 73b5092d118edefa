import type { Logger } from 'pino';
import type { PoolEvent, PoolEventType } from './bus.ts';

/** A configured webhook (config `notifications.webhooks`). */
export interface WebhookTarget {
  url: string;
  /** Event types it wants; undefined: every webhook event. */
  events?: readonly PoolEventType[];
  format: 'json' | 'discord' | 'slack' | 'telegram';
  chatId?: string;
  headers: Record<string, string>;
}

export interface WebhookSenderOptions {
  targets: readonly WebhookTarget[];
  poolName: string;
  logger: Logger;
  fetch?: typeof fetch;
  /** Delivery attempts per event and webhook (default 8), first retry after `retryMs` (default 1 s), doubling. */
  attempts?: number;
  retryMs?: number;
  maxRetryMs?: number;
  /** Events waiting per webhook; the oldest is dropped beyond (default 1000). */
  maxQueue?: number;
  timeoutMs?: number;
}

/** The events webhooks are sent for (the others feed only the live websockets). */
export const WEBHOOK_EVENT_TYPES = [
  'block.found',
  'block.confirmed',
  'block.orphaned',
  'payment.sent',
  'payment.failed',
  'node.down',
  'node.up',
  'database.down',
  'database.up',
] as const satisfies readonly PoolEventType[];

interface Queued {
  event: PoolEvent;
  text: string;
}

/**
 * Webhooks: each target has its own bounded queue and one delivery at a time, retried with exponential
 * backoff (honouring 429 Retry-After), so a slow or dead endpoint delays only itself and never the pool.
 */
export class WebhookSender {
  private readonly queues: Queued[][];
  private readonly busy: boolean[];
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  /** Deliveries done and given up, per target (tests, logs). */
  readonly delivered: number[];
  readonly failed: number[];

  constructor(private readonly o: WebhookSenderOptions) {
    this.queues = o.targets.map(() => []);
    this.busy = o.targets.map(() => false);
    this.delivered = o.targets.map(() => 0);
    this.failed = o.targets.map(() => 0);
  }

  get size(): number {
    return this.o.targets.length;
  }

  /** Queues the event for every webhook that wants it; returns at once. */
  send(event: PoolEvent, text: string): void {
    if (this.closed || !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(event.type)) return;
    for (const [i, target] of this.o.targets.entries()) {
      if (target.events && !target.events.includes(event.type)) continue;
      const queue = this.queues[i]!;
      if (queue.length >= (this.o.maxQueue ?? 1000)) {
        queue.shift();
        this.o.logger.warn(
          { webhook: redact(target.url) },
          'webhook: queue full, the oldest event was dropped',
        );
      }
      queue.push({ event, text });
      this.pump(i);
    }
  }

  /** Stops retrying; waits up to `graceMs` for deliveries in progress. */
  async close(graceMs = 2000): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.busy.some(Boolean) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private pump(i: number): void {
    if (this.busy[i] || this.closed) return;
    const next = this.queues[i]![0];
    if (!next) return;
    this.busy[i] = true;
    void this.deliver(i, next, 1);
  }

  private async deliver(i: number, item: Queued, attempt: number): Promise<void> {
    const target = this.o.targets[i]!;
    let retryAfterMs: number | null = null;
    let problem: string | null = null;
    try {
      const res = await (this.o.fetch ?? fetch)(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...target.headers },
        body: JSON.stringify(webhookBody(target, item.event, item.text, this.o.poolName)),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        this.queues[i]!.shift();
        this.delivered[i]! += 1;
        this.busy[i] = false;
        this.pump(i);
        return;
      }
      problem = `HTTP ${res.status}`;
      const after = Number(res.headers.get('retry-after'));
      if (res.status === 429 && Number.isFinite(after)) retryAfterMs = after * 1000;
      if (res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 408)
        attempt = Infinity;
    } catch (err) {
      problem = (err as Error).message;
    }
    const attempts = this.o.attempts ?? 8;
    if (this.closed || attempt >= attempts) {
      this.queues[i]!.shift();
      this.failed[i]! += 1;
      this.o.logger.warn(
        { webhook: redact(target.url), event: item.event.type, problem },
        `webhook: gave up on a ${item.event.type} event (${problem})`,
      );
      this.busy[i] = false;
      this.pump(i);
      return;
    }
    const base = this.o.retryMs ?? 1000;
    const delay = retryAfterMs ?? Math.min(this.o.maxRetryMs ?? 300_000, base * 2 ** (attempt - 1));
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.deliver(i, item, attempt + 1);
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }
}

/** The request body in the target's format. */
export function webhookBody(
  target: WebhookTarget,
  event: PoolEvent,
  text: string,
  poolName: string,
): unknown {
  switch (target.format) {
    case 'discord':
      return { content: text, username: poolName };
    case 'slack':
      return { text };
    case 'telegram':
      return { chat_id: target.chatId, text, disable_web_page_preview: true };
    default:
      return {
        pool: poolName,
        poolId: event.pool ?? null,
        event: event.type,
        text,
        data: event.data,
        at: new Date().toISOString(),
      };
  }
}

/** Webhook URLs carry secrets (Discord and Telegram tokens): logs show only the host. */
function redact(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'webhook';
  }
}
