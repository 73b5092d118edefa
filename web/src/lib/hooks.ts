// React glue: data from the API that refreshes itself (live topics, or polling while the websocket
// is down), a shared clock for relative times, and the connectivity flags.
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { ApiError, connectivity, getJson } from './api.ts';
import { live } from './live.ts';
import { apiPath, poolOf } from './pool-param.ts';
import { useLocation } from './router.tsx';
import type { Topic } from './topics.ts';

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

/** Polling while the live feed is down (and a slow safety refresh while it is up). */
const POLL_MS_OFFLINE = 10_000;
const POLL_MS_LIVE = 120_000;

// Answers by path, shared by every component and kept across page changes, so going back to a page
// shows its last data at once while it refreshes.
const cache = new Map<string, unknown>();
const inFlight = new Map<string, Promise<unknown>>();

function load<T>(path: string): Promise<T> {
  let p = inFlight.get(path) as Promise<T> | undefined;
  if (!p) {
    p = getJson<T>(path).finally(() => inFlight.delete(path));
    inFlight.set(path, p);
  }
  return p;
}

/** Put data for a path that arrived another way (the live feed's stats events). */
const pushed = new Map<string, Set<() => void>>();
export function publish(path: string, data: unknown): void {
  cache.set(path, data);
  for (const l of pushed.get(path) ?? []) l();
}

/**
 * Whose data a path is: the picked pool's (`/stats` → `/pools/solo/stats` on `?pool=solo`, unprefixed for the
 * default pool), one given pool's, or the deployment's (`/pools`, a miner across pools: never prefixed).
 */
export type ApiScope = 'pool' | 'deployment' | { pool: string };

export function useApi<T>(
  relative: string | null,
  topics: readonly Topic[] = [],
  scope: ApiScope = 'pool',
): Resource<T> {
  const { query } = useLocation();
  const pool = scope === 'deployment' ? null : typeof scope === 'object' ? scope.pool : poolOf(query);
  const everyPool = scope === 'deployment';
  const path = relative === null || everyPool ? relative : apiPath(relative, pool);
  const [data, setData] = useState<T | undefined>(() =>
    path ? (cache.get(path) as T | undefined) : undefined,
  );
  const [error, setError] = useState<ApiError | undefined>();
  const [loading, setLoading] = useState(path !== null);
  const current = useRef(path);
  current.current = path;
  const topicKey = topics.join(',');

  const refresh = useCallback(() => {
    if (!path) return;
    load<T>(path).then(
      (value) => {
        if (current.current !== path) return;
        cache.set(path, value);
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (current.current !== path) return;
        setError(err instanceof ApiError ? err : new ApiError(0, 'client', String(err)));
        setLoading(false);
      },
    );
  }, [path]);

  useEffect(() => {
    if (!path) {
      setData(undefined);
      setLoading(false);
      return;
    }
    setData(cache.get(path) as T | undefined);
    setError(undefined);
    setLoading(true);
    refresh();
    const listeners = pushed.get(path) ?? new Set();
    pushed.set(path, listeners);
    const onPush = () => {
      setData(cache.get(path) as T);
      setError(undefined);
      setLoading(false);
    };
    listeners.add(onPush);
    // Another pool's events leave this pool's data as it is; the deployment's data follows every pool's.
    const mine = (eventPool: string | null) =>
      everyPool || eventPool === null || eventPool === (pool ?? live.defaultPool ?? eventPool);
    const offTopics = live.onTopics(topicKey ? (topicKey.split(',') as Topic[]) : [], refresh, mine);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => {
          if (document.visibilityState !== 'hidden') refresh();
          schedule();
        },
        live.state === 'open' ? POLL_MS_LIVE : POLL_MS_OFFLINE,
      );
    };
    // When the live feed opens, catch up on whatever its outage hid; when it drops, check the API at
    // once (the banner shows if it is down) and poll until the feed is back.
    let dropped = false;
    const offState = live.onState(() => {
      if (live.state === 'closed' || (live.state === 'open' && dropped)) refresh();
      if (live.state === 'closed') dropped = true;
      schedule();
    });
    schedule();
    return () => {
      listeners.delete(onPush);
      offTopics();
      offState();
      clearTimeout(timer);
    };
  }, [path, topicKey, refresh, everyPool, pool]);

  return { data, error, loading: loading && data === undefined, reload: refresh };
}

// One clock for every relative time on the page.
let now = Date.now();
const clockListeners = new Set<() => void>();
setInterval(() => {
  now = Date.now();
  for (const l of clockListeners) l();
}, 1000);

export function useNow(): number {
  return useSyncExternalStore(
    (l) => {
      clockListeners.add(l);
      return () => clockListeners.delete(l);
    },
    () => now,
  );
}

export function useLiveState() {
  return useSyncExternalStore(
    (l) => live.onState(l),
    () => live.state,
  );
}

export function useReachable(): boolean {
  return useSyncExternalStore(connectivity.subscribe, () => connectivity.reachable);
}
