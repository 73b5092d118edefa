import type { Logger } from 'pino';
import type { ErgoNodeClient } from './client.ts';
import { describeError, NodeApiError, NodeUnavailableError } from './errors.ts';

/** One node's answer to a block solution. */
export interface SubmissionResult {
  node: string;
  /** HTTP 200: this node accepted the block. */
  accepted: boolean;
  /** HTTP status; null when the node did not answer (see `error`). */
  status: number | null;
  /** The node's reason/detail of a rejection, or the transport failure. */
  detail: string | null;
  /** The node said another solution for this candidate was already accepted (harmless here). */
  alreadySolved: boolean;
  latencyMs: number;
}

export interface SubmissionOutcome {
  /** Some node returned 200. */
  accepted: boolean;
  /** Short text for the caller's log: who accepted, or the first rejection. */
  detail?: string;
  /** The nodes that returned 200, in the order given. */
  acceptedBy: string[];
  results: SubmissionResult[];
}

/** "Block already solved : Some(<id>)" (node CandidateGenerator) — another node or solver got there first. */
export function isAlreadySolved(detail: string | null | undefined): boolean {
  return detail != null && /already solved/i.test(detail);
}

/** Overall outcome of per-node results: accepted if any node returned 200. */
export function summarizeSubmissions(results: SubmissionResult[]): SubmissionOutcome {
  const acceptedBy = results.filter((r) => r.accepted).map((r) => r.node);
  if (acceptedBy.length > 0)
    return { accepted: true, detail: `accepted by ${acceptedBy.join(', ')}`, acceptedBy, results };
  if (results.length === 0) return { accepted: false, detail: 'no node to submit to', acceptedBy, results };
  const first = results.find((r) => !r.alreadySolved) ?? results[0]!;
  return { accepted: false, detail: `${first.node}: ${first.detail ?? 'rejected'}`, acceptedBy, results };
}

/** Posts the nonce to every client at once (each exactly once) and collects one result per node. */
export async function submitToAll(
  clients: readonly ErgoNodeClient[],
  nonceHex: string,
  logger: Logger,
  now: () => number,
): Promise<SubmissionOutcome> {
  const results = await Promise.all(
    clients.map(async (client): Promise<SubmissionResult> => {
      const started = now();
      try {
        await client.submitSolution(nonceHex);
        const result: SubmissionResult = {
          node: client.name,
          accepted: true,
          status: 200,
          detail: null,
          alreadySolved: false,
          latencyMs: now() - started,
        };
        logger.info(
          { node: client.name, nonce: nonceHex, latencyMs: result.latencyMs },
          'block accepted by node',
        );
        return result;
      } catch (err) {
        const latencyMs = now() - started;
        const status = err instanceof NodeApiError ? err.status : null;
        const detail =
          err instanceof NodeApiError
            ? (err.detail ?? err.reason)
            : err instanceof NodeUnavailableError
              ? `${err.cause}: ${err.detail}`
              : describeError(err);
        const alreadySolved = isAlreadySolved(detail);
        const fields = { node: client.name, nonce: nonceHex, status, detail, latencyMs };
        if (alreadySolved) logger.info(fields, 'node: block already solved');
        else logger.warn(fields, 'block rejected by node');
        return { node: client.name, accepted: false, status, detail, alreadySolved, latencyMs };
      }
    }),
  );
  return summarizeSubmissions(results);
}
