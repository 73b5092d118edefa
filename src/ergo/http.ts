import type { Logger } from 'pino';
import {
  classifyTransportError,
  describeError,
  NodeApiError,
  NodeResponseError,
  NodeUnavailableError,
} from './errors.ts';
import { parseNodeJson, stringifyNodeJson } from './json.ts';
import { type BackoffPolicy, backoffDelay, shouldRetry } from './retry.ts';

/** Timer functions, injectable so tests can drive time; defaults are the globals. */
export interface Timers {
  setTimeout: typeof setTimeout;
  clearTimeout: typeof clearTimeout;
}

export const REAL_TIMERS: Timers = {
  setTimeout: (...args: Parameters<typeof setTimeout>) => setTimeout(...args),
  clearTimeout: (handle) => clearTimeout(handle),
} as Timers;

export interface HttpTransportOptions {
  /** Node name used in errors and logs. */
  name: string;
  /** Base url, e.g. http://127.0.0.1:9053 (a path prefix is kept). */
  url: string;
  apiKey?: string;
  /** Send api_key on every route, not only on the ones that need it. */
  apiKeyOnAllRoutes: boolean;
  timeoutMs: number;
  retries: number;
  backoff: BackoffPolicy;
  fetch: typeof fetch;
  logger: Logger;
  timers: Timers;
  random: () => number;
  now: () => number;
}

export interface RequestSpec {
  method: 'GET' | 'POST';
  /** Path below the base url, already escaped, e.g. `/blocks/at/5`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** JSON body (POST), written with stringifyNodeJson so bigints stay exact. */
  body?: unknown;
  /** Route needs the api_key header (wallet routes). */
  auth?: boolean;
  timeoutMs?: number;
  /** Overrides the transport's retry count (still only GETs are retried). */
  retries?: number;
  signal?: AbortSignal;
}

export interface HttpResult {
  status: number;
  /** Parsed JSON body (big integers as bigint); undefined for an empty body. */
  body: unknown;
  latencyMs: number;
}

const MAX_DETAIL = 500;

/** Text, first MAX_DETAIL characters, for error details of non-JSON bodies. */
function clip(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > MAX_DETAIL ? `${trimmed.slice(0, MAX_DETAIL)}…` : trimmed;
}

/** reason/detail of a failed response: the node's `{"error","reason","detail"}` body, or its plain text. */
export function errorFromBody(
  node: string,
  route: string,
  status: number,
  text: string,
  statusText: string,
): NodeApiError {
  let parsed: unknown;
  try {
    parsed = text.trim() ? parseNodeJson(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const { reason, detail } = parsed as { reason?: unknown; detail?: unknown };
    if (typeof reason === 'string') {
      const d = detail === undefined || detail === null ? null : String(detail);
      return new NodeApiError(node, route, status, reason, d);
    }
  }
  return new NodeApiError(
    node,
    route,
    status,
    statusText || `http ${status}`,
    text.trim() ? clip(text) : null,
  );
}

/** One node's HTTP transport: base url, api key, timeouts, GET retries with jittered backoff. */
export class HttpTransport {
  private readonly base: string;

  constructor(private readonly options: HttpTransportOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  get name(): string {
    return this.options.name;
  }

  get url(): string {
    return this.base;
  }

  /** Sends the request (retrying GETs per policy) and returns the parsed 2xx body; throws a typed NodeError. */
  async request(spec: RequestSpec): Promise<HttpResult> {
    const maxRetries = spec.retries ?? this.options.retries;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(spec);
      } catch (err) {
        if (!shouldRetry(spec.method, err, attempt, maxRetries)) throw err;
        const delay = backoffDelay(attempt, this.options.backoff, this.options.random);
        this.options.logger.debug(
          {
            node: this.name,
            route: `${spec.method} ${spec.path}`,
            attempt: attempt + 1,
            delay,
            err: describeError(err),
          },
          'node request failed, retrying',
        );
        await this.sleep(delay, spec.signal);
      }
    }
  }

  private async once(spec: RequestSpec): Promise<HttpResult> {
    const { options } = this;
    const route = `${spec.method} ${spec.path}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.apiKey !== undefined && (spec.auth || options.apiKeyOnAllRoutes))
      headers.api_key = options.apiKey;
    let body: string | undefined;
    if (spec.body !== undefined) {
      body = stringifyNodeJson(spec.body);
      headers['content-type'] = 'application/json';
    }
    const controller = new AbortController();
    let timedOut = false;
    const timeoutMs = spec.timeoutMs ?? options.timeoutMs;
    const timer = options.timers.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    if (spec.signal?.aborted) controller.abort();
    else spec.signal?.addEventListener('abort', onAbort, { once: true });
    const started = options.now();
    let status: number;
    let statusText: string;
    let text: string;
    try {
      const res = await options.fetch(this.base + spec.path + queryString(spec.query), {
        method: spec.method,
        headers,
        body,
        signal: controller.signal,
      });
      status = res.status;
      statusText = res.statusText;
      text = await res.text();
    } catch (err) {
      if (timedOut)
        throw new NodeUnavailableError(options.name, route, 'timeout', `no answer within ${timeoutMs} ms`);
      if (controller.signal.aborted)
        throw new NodeUnavailableError(options.name, route, 'aborted', 'aborted');
      const cause = classifyTransportError(err);
      const inner = (err as { cause?: unknown }).cause;
      const detail =
        inner instanceof Error ? inner.message : err instanceof Error ? err.message : String(err);
      throw new NodeUnavailableError(options.name, route, cause, detail);
    } finally {
      options.timers.clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
    }
    const latencyMs = options.now() - started;
    options.logger.trace({ node: options.name, route, status, latencyMs }, 'node request');
    if (status < 200 || status > 299) throw errorFromBody(options.name, route, status, text, statusText);
    if (!text.trim()) return { status, body: undefined, latencyMs };
    try {
      return { status, body: parseNodeJson(text), latencyMs };
    } catch (err) {
      throw new NodeResponseError(options.name, route, '', `is not JSON (${(err as Error).message})`);
    }
  }

  private sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        this.options.timers.clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.options.timers.setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

function queryString(query: RequestSpec['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
