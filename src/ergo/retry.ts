import { NodeApiError, NodeUnavailableError } from './errors.ts';

/** Jittered exponential backoff between retries of one request. */
export interface BackoffPolicy {
  /** Delay scale of the first retry (ms). */
  baseMs: number;
  /** Upper bound of any delay (ms). */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 2_000 };

/**
 * Delay before retry number `attempt` (0 = first retry): "equal jitter" — half of the exponential step
 * is fixed, the other half random, so consecutive clients spread out but never retry immediately.
 * Bounds: [cap/2, cap] with cap = min(maxMs, baseMs·2^attempt). `random` returns [0, 1).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(cap / 2 + (cap / 2) * r);
}

/** HTTP statuses worth another try: overload or a proxy in front of the node that lost it. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/**
 * Whether a failed request may be sent again. Only GETs are ever retried (they are idempotent):
 * POST /mining/solution is submitted once per node and payments are never repeated.
 * `attempt` counts retries already made.
 */
export function shouldRetry(method: string, error: unknown, attempt: number, maxRetries: number): boolean {
  if (method !== 'GET' || attempt >= maxRetries) return false;
  if (error instanceof NodeUnavailableError) return error.cause !== 'aborted';
  if (error instanceof NodeApiError) return RETRYABLE_STATUSES.has(error.status);
  return false;
}
