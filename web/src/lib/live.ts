// The live feed: /api/v1/ws events, reconnecting with backoff. While it is not open, pages poll
// (see useApi), so numbers keep moving behind a proxy that drops websockets.
import { websocketUrl } from './config.ts';
import { type Topic, topicsFor } from './topics.ts';
import type { LiveEvent } from './types.ts';

export type LiveState = 'connecting' | 'open' | 'closed';
type EventListener = (event: LiveEvent) => void;
/** Whether a listener wants the events of this pool (null: an event of the whole deployment). */
type PoolFilter = (pool: string | null) => boolean;

const MAX_BACKOFF_MS = 30_000;

class LiveFeed {
  state: LiveState = 'closed';
  /** The default pool's id, from the server's hello (null until then). */
  defaultPool: string | null = null;
  private socket: WebSocket | null = null;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly stateListeners = new Set<() => void>();
  private readonly topicListeners = new Map<Topic, Map<() => void, PoolFilter>>();
  private readonly eventListeners = new Set<EventListener>();

  start(): void {
    if (this.socket || typeof WebSocket === 'undefined') return;
    this.setState('connecting');
    let socket: WebSocket;
    try {
      socket = new WebSocket(websocketUrl('/api/v1/ws'));
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      this.setState('open');
    };
    socket.onmessage = (message) => this.dispatch(message.data);
    socket.onclose = () => {
      this.socket = null;
      this.setState('closed');
      this.scheduleRetry();
    };
    // onerror is always followed by onclose, which retries.
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.attempts);
    this.attempts++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.start();
    }, delay);
  }

  private dispatch(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let event: LiveEvent;
    try {
      event = JSON.parse(raw) as LiveEvent;
    } catch {
      return;
    }
    if (!event || typeof event.type !== 'string') return;
    if (event.type === 'hello') this.defaultPool = event.data.pool;
    for (const l of this.eventListeners) l(event);
    const pool = event.pool ?? null;
    const called = new Set<() => void>();
    for (const topic of topicsFor(event))
      for (const [l, wants] of this.topicListeners.get(topic) ?? [])
        if (!called.has(l) && wants(pool)) {
          called.add(l);
          l();
        }
  }

  private setState(state: LiveState): void {
    if (this.state === state) return;
    this.state = state;
    for (const l of this.stateListeners) l();
  }

  onState(listener: () => void): () => void {
    this.stateListeners.add(listener);
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  onEvent(listener: EventListener): () => void {
    this.eventListeners.add(listener);
    return () => {
      this.eventListeners.delete(listener);
    };
  }

  /** Calls `listener` on an event of one of `topics` whose pool `wants` (every pool's by default). */
  onTopics(topics: readonly Topic[], listener: () => void, wants: PoolFilter = () => true): () => void {
    for (const t of topics) {
      const map = this.topicListeners.get(t) ?? new Map<() => void, PoolFilter>();
      this.topicListeners.set(t, map);
      map.set(listener, wants);
    }
    return () => {
      for (const t of topics) this.topicListeners.get(t)?.delete(listener);
    };
  }
}

export const live = new LiveFeed();
