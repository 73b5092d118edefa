import { randomUUID } from 'node:crypto';
import {
  expectedHashes,
  hexToBytes,
  isBlockSolution,
  meetsTarget,
  type Ratio,
  shareTarget,
  VerifierOverloadedError,
} from '../autolykos/index.ts';
import type { StratumContext } from './context.ts';
import { StratumErrorCode, submittedNonce } from './protocol.ts';
import type { AcceptedShare, ShareOutcome } from './types.ts';

/** The parts of a session the share check needs. */
export interface SubmitterSession {
  readonly id: number;
  readonly clientAddress: string;
  readonly userAgent: string;
  readonly extranonce1: string | null;
  readonly logins: ReadonlyMap<string, { address: string; worker: string }>;
  /** Difficulties a share may meet now (current first, then the previous one within its grace period). */
  acceptableDifficulties(now: number): Ratio[];
}

export type SubmitResult =
  | { ok: true; outcome: 'accepted' | 'block'; share: AcceptedShare }
  | { ok: false; outcome: ShareOutcome; code: StratumErrorCode; message: string };

function reject(outcome: ShareOutcome, code: StratumErrorCode, message: string): SubmitResult {
  return { ok: false, outcome, code, message };
}

export function difficultyKey(d: Ratio): string {
  return `${d.num}/${d.den}`;
}

/**
 * mining.submit [login, jobId, extranonce2, ntime, nonce], checked in this order: subscribed, authorized,
 * job (unknown → invalid, older height → stale), nonce, duplicate, Autolykos hit. A block candidate is
 * submitted to the node(s) before anything else happens, then recorded and acknowledged.
 */
export async function checkSubmit(
  ctx: StratumContext,
  session: SubmitterSession,
  params: unknown[],
): Promise<SubmitResult> {
  if (session.extranonce1 === null)
    return reject('invalid', StratumErrorCode.NotSubscribed, 'not subscribed');
  const [login, jobId, extranonce2, , nonceParam] = params;
  const identity = typeof login === 'string' ? session.logins.get(login) : undefined;
  if (!identity) return reject('unauthorized', StratumErrorCode.Unauthorized, 'unauthorized worker');
  if (typeof jobId !== 'string') return reject('invalid', StratumErrorCode.Other, 'invalid params');
  const found = ctx.jobs.lookup(jobId);
  if (!found) return reject('invalid', StratumErrorCode.JobNotFound, 'job not found');
  if (found.stale)
    return reject('stale', StratumErrorCode.JobNotFound, 'stale share (job is for an old block)');
  const { job } = found;
  const nonce = submittedNonce(session.extranonce1, ctx.extranonces.extranonce2Size, extranonce2, nonceParam);
  if (!nonce.ok) return reject('invalid', StratumErrorCode.Other, nonce.reason);
  if (job.nonces.has(nonce.nonce)) return reject('duplicate', StratumErrorCode.Duplicate, 'duplicate share');
  job.nonces.add(nonce.nonce);

  let hit: bigint;
  try {
    hit = await ctx.verifier.verify({
      msg: job.msgBytes,
      nonce: hexToBytes(nonce.nonce, 'nonce', 8),
      height: job.height,
    });
  } catch (err) {
    job.nonces.delete(nonce.nonce); // not checked, so the miner may send it again
    if (err instanceof VerifierOverloadedError)
      return reject('busy', StratumErrorCode.Other, 'server busy, share not checked');
    throw err;
  }

  const now = ctx.now();
  const isBlock = isBlockSolution(hit, job.b);
  let credited: Ratio | null = null;
  for (const d of session.acceptableDifficulties(now)) {
    const target = ctx.memo(job, `target:${difficultyKey(d)}`, () => shareTarget(d, job.b));
    if (meetsTarget(hit, target)) {
      credited = d;
      break;
    }
  }
  if (!isBlock && credited === null)
    return reject('low-difficulty', StratumErrorCode.LowDifficulty, 'low difficulty share');
  const difficulty = credited ?? session.acceptableDifficulties(now)[0]!;

  let blockAccepted = false;
  let blockDetail: string | undefined;
  if (isBlock) {
    // Submit first: the node only takes solutions for its current or previous candidate.
    const result = await ctx.submitter
      .submitSolution(nonce.nonce, { height: job.height })
      .catch((err: Error) => ({ accepted: false, detail: err.message }));
    blockAccepted = result.accepted;
    blockDetail = result.detail;
  }
  const target = ctx.memo(job, `target:${difficultyKey(difficulty)}`, () => shareTarget(difficulty, job.b));
  const expected = expectedHashes(target);
  const share: AcceptedShare = {
    id: randomUUID(),
    address: identity.address,
    worker: identity.worker,
    difficulty,
    expectedHashes: expected.num / expected.den,
    jobId: job.id,
    height: job.height,
    networkDifficulty: job.networkDifficulty,
    clientAddress: session.clientAddress,
    userAgent: session.userAgent,
    nonce: nonce.nonce,
    hit,
    time: now,
    instance: ctx.instance,
    isBlock,
    blockAccepted,
    ...(isBlock && job.source ? { source: job.source } : {}),
  };
  if (isBlock)
    ctx.events.emit('block', {
      share,
      accepted: blockAccepted,
      ...(blockDetail ? { detail: blockDetail } : {}),
    });
  await ctx.sink.record(share);
  return { ok: true, outcome: isBlock ? 'block' : 'accepted', share };
}
