/**
 * Typed failures of node requests. Every error names the node (config name) and the route
 * ("GET /mining/candidate"), so logs and the health snapshot say which node failed and where.
 */

/** The node answered with a non-2xx status; reason/detail come from its `{"error","reason","detail"}` body. */
export class NodeApiError extends Error {
  constructor(
    readonly node: string,
    readonly route: string,
    readonly status: number,
    readonly reason: string,
    readonly detail: string | null,
  ) {
    super(`${node}: ${route} → ${status} ${reason}${detail ? `: ${detail}` : ''}`);
    this.name = 'NodeApiError';
  }
}

/** Why a node could not be reached or did not answer. */
export type UnavailableCause =
  /** No complete answer within the timeout. */
  | 'timeout'
  /** Connection refused (nothing listens). */
  | 'refused'
  /** Connection reset or closed mid-request. */
  | 'reset'
  /** Host name did not resolve. */
  | 'dns'
  /** The caller aborted (e.g. NodeSet.stop()). */
  | 'aborted'
  /** Any other transport failure. */
  | 'network';

/** The request did not get an HTTP answer at all. */
export class NodeUnavailableError extends Error {
  constructor(
    readonly node: string,
    readonly route: string,
    override readonly cause: UnavailableCause,
    readonly detail: string,
  ) {
    super(`${node}: ${route} unavailable (${cause}): ${detail}`);
    this.name = 'NodeUnavailableError';
  }
}

/** A 2xx answer whose body is not what the route promises; `field` is the JSON path of the first problem. */
export class NodeResponseError extends Error {
  constructor(
    readonly node: string,
    readonly route: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${node}: ${route} returned a malformed response: ${field || '(body)'} ${problem}`);
    this.name = 'NodeResponseError';
  }
}

export type NodeError = NodeApiError | NodeUnavailableError | NodeResponseError;

export function isNodeError(err: unknown): err is NodeError {
  return (
    err instanceof NodeApiError || err instanceof NodeUnavailableError || err instanceof NodeResponseError
  );
}

const CODE_CAUSES: Record<string, UnavailableCause> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
};

/** Error codes of an error and its `cause` chain (fetch wraps the socket error in a TypeError). */
function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const { code, errors, cause } = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string') codes.push(code);
    if (Array.isArray(errors)) for (const inner of errors) codes.push(...errorCodes(inner));
    current = cause;
  }
  return codes;
}

/** Classifies a transport failure of fetch (pure; a timeout/abort is decided by the caller). */
export function classifyTransportError(err: unknown): UnavailableCause {
  for (const code of errorCodes(err)) {
    const cause = CODE_CAUSES[code];
    if (cause) return cause;
  }
  return 'network';
}

/** Text of an error for logs and the health snapshot. */
export function describeError(err: unknown): string {
  if (err instanceof NodeApiError) return `${err.status} ${err.reason}${err.detail ? `: ${err.detail}` : ''}`;
  if (err instanceof NodeUnavailableError) return `${err.cause}: ${err.detail}`;
  if (err instanceof NodeResponseError) return `malformed ${err.field || 'body'}: ${err.problem}`;
  return err instanceof Error ? err.message : String(err);
}
