import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * Pool events (a block found, confirmed or orphaned, a payment, a new height, new stats, a node or the
 * database down or back) on their way to websockets and webhooks. The payloads are the API's own JSON
 * shapes, so a relay forwards them as they are.
 */
export type PoolEventType =
  | 'block.found'
  | 'block.progress'
  | 'block.confirmed'
  | 'block.orphaned'
  | 'payment.sent'
  | 'payment.failed'
  | 'payment.confirmed'
  | 'height'
  | 'stats'
  | 'node.down'
  | 'node.up'
  | 'database.down'
  | 'database.up';

export interface PoolEvent {
  type: PoolEventType;
  /**
   * The id of the pool it concerns. Absent: the deployment's (the database, nodes shared by the pools), or,
   * for an event of a pool's own kind (blocks, payments, heights, stats), the default pool's.
   */
  pool?: string;
  data: Record<string, unknown>;
}

/** The events that concern the whole deployment rather than one pool. */
export const DEPLOYMENT_EVENTS: readonly PoolEventType[] = [
  'node.down',
  'node.up',
  'database.down',
  'database.up',
];

/** The pool an event concerns: its `pool`; null for a deployment event without one; else the default pool's. */
export function poolOfEvent(e: PoolEvent, defaultPoolId: string): string | null {
  if (e.pool !== undefined) return e.pool;
  return DEPLOYMENT_EVENTS.includes(e.type) ? null : defaultPoolId;
}

export interface EventBus {
  publish(event: PoolEvent): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: (event: PoolEvent) => void): () => void;
  close(): Promise<void>;
}

/** One process: listeners are called in the publishing tick's next microtask, each guarded. */
export class LocalEventBus implements EventBus {
  protected readonly emitter = new EventEmitter();

  constructor(protected readonly logger?: Logger) {
    this.emitter.setMaxListeners(0);
  }

  publish(event: PoolEvent): void {
    this.deliver(event);
  }

  subscribe(listener: (event: PoolEvent) => void): () => void {
    const guarded = (event: PoolEvent) => {
      try {
        listener(event);
      } catch (err) {
        this.logger?.error({ err, event: event.type }, 'event listener failed');
      }
    };
    this.emitter.on('event', guarded);
    return () => this.emitter.off('event', guarded);
  }

  protected deliver(event: PoolEvent): void {
    queueMicrotask(() => this.emitter.emit('event', event));
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

/**
 * Several processes: every event is delivered here at once and published on a Redis channel; events
 * another instance published arrive through the subscription. Redis is a bus, never a store: while it is
 * down, local delivery goes on, remote instances miss the events, and it is logged once until it is back.
 */
export class RedisEventBus extends LocalEventBus {
  private down = false;
  /** Resolves once the subscription is in place (or failed: then events stay local until Redis is back). */
  readonly ready: Promise<void>;

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly channel: string,
    private readonly origin: string,
    logger: Logger,
  ) {
    super(logger);
    sub.on('message', (ch: string, text: string) => {
      if (ch !== channel) return;
      try {
        const { origin: from, event } = JSON.parse(text) as { origin: string; event: PoolEvent };
        if (from !== origin) this.deliver(event);
      } catch (err) {
        this.logger?.warn({ err }, 'event bus: a message that is not an event was ignored');
      }
    });
    this.ready = sub.subscribe(channel).then(
      () => undefined,
      (err: Error) => this.failed(err),
    );
  }

  override publish(event: PoolEvent): void {
    this.deliver(event);
    this.pub.publish(this.channel, JSON.stringify({ origin: this.origin, event })).then(
      () => this.recovered(),
      (err: Error) => this.failed(err),
    );
  }

  private failed(err: Error): void {
    if (this.down) return;
    this.down = true;
    this.logger?.error(
      { err },
      `event bus: Redis unreachable (${err.message}); events reach this instance only until it is back`,
    );
  }

  private recovered(): void {
    if (!this.down) return;
    this.down = false;
    this.logger?.info('event bus: Redis is back; events reach every instance again');
  }

  override async close(): Promise<void> {
    await super.close();
    await this.sub.unsubscribe(this.channel).catch(() => undefined);
  }
}
