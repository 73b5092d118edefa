import type { FastifyReply } from 'fastify';
import type { NodeErrorBody } from '../../ergo/index.ts';
import { stringifyNodeJson } from '../../ergo/index.ts';

const REASONS: Record<number, string> = {
  400: 'bad.request',
  403: 'invalid.api-key',
  404: 'not-found',
  500: 'internal.error',
};

/** A failure answered with the node's error body {"error","reason","detail"} (ApiError.scala). */
export class NodeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string | null,
  ) {
    super(detail ?? REASONS[status] ?? `HTTP ${status}`);
    this.name = 'NodeHttpError';
  }
}

export const badRequest = (detail: string) => new NodeHttpError(400, detail);
export const notFound = (detail: string) => new NodeHttpError(404, detail);
export const NOT_FOUND_DETAIL = 'The requested resource could not be found.';

export function errorBody(status: number, detail: string | null): NodeErrorBody {
  return { error: status, reason: REASONS[status] ?? 'error', detail };
}

/** Sends JSON the node's way: big integers as raw JSON numbers. */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type('application/json').send(stringifyNodeJson(body));
}

export function sendError(reply: FastifyReply, err: NodeHttpError): FastifyReply {
  return sendJson(reply, err.status, errorBody(err.status, err.detail));
}

/** A path or query integer in [min, max], or the given error. */
export function intParam(value: unknown, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!/^-?\d+$/.test(text)) throw notFound(`${name} must be an integer`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw badRequest(`${name} must be between ${min} and ${max}`);
  return n;
}

/** An optional query integer (400 when present but malformed). */
export function optionalInt(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value))
    throw badRequest(`query parameter ${name} must be a whole number`);
  return Number(value);
}

/** A path parameter ('' when absent). */
export function pathParam(params: unknown, name: string): string {
  const value = (params as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}
