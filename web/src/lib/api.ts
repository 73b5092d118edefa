// The HTTP side: JSON from /api/v1 with the API's error bodies turned into ApiError, and one shared
// notion of "is the API reachable" for the banner.
import { apiBase } from './config.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The API could not be reached at all, or answered as a gateway/server in trouble. */
  get unreachable(): boolean {
    return this.status === 0 || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

type Listener = () => void;

/** Whether the last request reached the API, and when data last arrived. */
export const connectivity = {
  reachable: true,
  lastFailure: null as string | null,
  lastSuccessAt: null as number | null,
  listeners: new Set<Listener>(),
  set(reachable: boolean, failure: string | null) {
    if (reachable) this.lastSuccessAt = Date.now();
    if (this.reachable === reachable && this.lastFailure === failure) return;
    this.reachable = reachable;
    this.lastFailure = failure;
    for (const l of this.listeners) l();
  },
  subscribe(listener: Listener) {
    connectivity.listeners.add(listener);
    return () => {
      connectivity.listeners.delete(listener);
    };
  },
};

/** A request the API has not answered by then counts as the API being down (a server that is stopping
 * can accept a connection and never answer). */
const REQUEST_TIMEOUT_MS = 15_000;

export async function getJson<T>(path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${apiBase()}/api/v1${path}`, {
      // Always ask the server (a 304 when nothing changed, thanks to its ETags): an answer from the
      // browser's cache would hide a live update that just arrived, and an API that is down.
      cache: 'no-cache',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      headers: { accept: 'application/json' },
    });
  } catch {
    connectivity.set(false, 'no answer from the API');
    throw new ApiError(0, 'unreachable', 'The pool’s API did not answer.');
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const e = (body ?? {}) as { error?: string; message?: string; field?: string };
    const error = new ApiError(
      response.status,
      e.error ?? `http_${response.status}`,
      e.message ?? `The API answered ${response.status}.`,
      e.field,
    );
    connectivity.set(!error.unreachable, error.unreachable ? `the API answered ${response.status}` : null);
    throw error;
  }
  connectivity.set(true, null);
  return body as T;
}
