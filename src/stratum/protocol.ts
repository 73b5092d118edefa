/**
 * Stratum as every coin's miners speak it: newline-delimited JSON-RPC, the classic error codes, logins and
 * password options. Parsing is strict about shape and tolerant about what real miners vary (extra `jsonrpc`,
 * string ids, null params). What differs per coin (notify, submit fields) is the coin's StratumDialect.
 */

export const StratumErrorCode = {
  Other: 20,
  JobNotFound: 21,
  Duplicate: 22,
  LowDifficulty: 23,
  Unauthorized: 24,
  NotSubscribed: 25,
} as const;
export type StratumErrorCode = (typeof StratumErrorCode)[keyof typeof StratumErrorCode];

export type RequestId = number | string;

export interface StratumRequest {
  id: RequestId | null;
  method: string;
  params: unknown[];
}

export type ParsedLine = { ok: true; request: StratumRequest } | { ok: false; reason: string };

/** Parses one line from a miner; a failure reason is logged and closes that connection. */
export function parseRequestLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, reason: 'not a JSON object' };
  const { id, method, params } = value as Record<string, unknown>;
  if (typeof method !== 'string' || method.length === 0 || method.length > 100) {
    return { ok: false, reason: 'missing or invalid method' };
  }
  if (id !== undefined && id !== null && typeof id !== 'number' && typeof id !== 'string') {
    return { ok: false, reason: 'invalid id' };
  }
  if (params !== undefined && params !== null && !Array.isArray(params))
    return { ok: false, reason: 'params is not an array' };
  return {
    ok: true,
    request: { id: id ?? null, method, params: (params as unknown[] | null | undefined) ?? [] },
  };
}

/** A reply always carries id, result and error (some miners throw when `error` is absent). */
export function replyLine(id: RequestId | null, result: unknown): string {
  return `${JSON.stringify({ id, result, error: null })}\n`;
}

/** Errors use the classic stratum array form `[code, message, null]` that Ergo miners accept. */
export function errorLine(id: RequestId | null, code: StratumErrorCode, message: string): string {
  return `${JSON.stringify({ id, result: null, error: [code, message, null] })}\n`;
}

/** What a shed submit is told: not checked, not counted against the miner; it may send its next share. */
export const BUSY_MESSAGE = 'server busy, share not checked';
const BUSY_TAIL = `,"result":null,"error":[${StratumErrorCode.Other},${JSON.stringify(BUSY_MESSAGE)},null]}\n`;

/** errorLine(id, Other, BUSY_MESSAGE), built without serializing an object: shedding must stay cheap. */
export function busyLine(id: RequestId): string {
  return `{"id":${JSON.stringify(id)}${BUSY_TAIL}`;
}

/** `address.worker` → parts; further dots stay in the worker name. */
export function splitWorkerLogin(login: string): { address: string; worker: string } {
  const dot = login.indexOf('.');
  if (dot < 0) return { address: login.trim(), worker: '' };
  return { address: login.slice(0, dot).trim(), worker: login.slice(dot + 1).trim() };
}

/** Password items separated by `;` or `,`; `d=<decimal>` asks for a static share difficulty. */
export function staticDifficultyFromPassword(password: unknown): string | null {
  if (typeof password !== 'string') return null;
  for (const item of password.split(/[;,]/)) {
    const m = /^\s*d=([0-9.eE+-]+)\s*$/.exec(item);
    if (m) return m[1]!;
  }
  return null;
}

/** `t=<ERG>` in the password asks for a payout threshold (applied once the login has an accepted share). */
export function payoutThresholdFromPassword(password: unknown): string | null {
  if (typeof password !== 'string') return null;
  for (const item of password.split(/[;,]/)) {
    const m = /^\s*t=([0-9]+(?:\.[0-9]+)?)\s*$/.exec(item);
    if (m) return m[1]!;
  }
  return null;
}
