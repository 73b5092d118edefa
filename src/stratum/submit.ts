import { randomUUID } from 'node:crypto';
import { type CoinWork, type Ratio, ShareCheckOverloadedError } from '../coin/index.ts';
import type { PoolContext, StratumContext } from './context.ts';
import { atDifficulty } from './difficulty-work.ts';
import { BUSY_MESSAGE, StratumErrorCode } from './protocol.ts';
import type { AcceptedShare, ShareOutcome } from './types.ts';

/** The parts of a session the share check needs. */
export interface SubmitterSession {
  readonly id: number;
  readonly clientAddress: string;
  readonly userAgent: string;
  readonly extranonce1: string | null;
  readonly logins: ReadonlyMap<string, { address: string; worker: string }>;
  /** The connection's difficulty now. */
  readonly difficulty: Ratio;
  /** Difficulties a share may be credited at (the current one, and the previous one), the harder first. */
  readonly acceptable: readonly Ratio[];
  /** The easiest difficulty the pool ever sent this connection: a share meeting it is not invalid work. */
  readonly easiestDifficulty: Ratio;
}

/**
 * `invalidWork` is what counts toward a ban: malformed or unknown work, and hits that meet no difficulty the
 * pool ever gave the connection. Stale, duplicate, unauthorized and busy submits, and low-difficulty shares
 * that met a difficulty the pool gave, do not.
 */
export type SubmitResult =
  | { ok: true; outcome: 'accepted' | 'block'; share: AcceptedShare }
  | { ok: false; outcome: ShareOutcome; code: StratumErrorCode; message: string; invalidWork: boolean };

function reject(
  outcome: ShareOutcome,
  code: StratumErrorCode,
  message: string,
  invalidWork = outcome === 'invalid',
): SubmitResult {
  return { ok: false, outcome, code, message, invalidWork };
}

/**
 * mining.submit [login, jobId, …the coin's fields], checked in this order: subscribed, authorized, job
 * (unknown → invalid; another height or replaced too long ago → stale), the nonce (the coin's dialect),
 * duplicate, the coin's proof of work. A block candidate is submitted to the nodes before anything else
 * happens, then recorded and acknowledged.
 */
export async function checkSubmit<W extends CoinWork>(
  ctx: StratumContext,
  pool: PoolContext<W>,
  session: SubmitterSession,
  params: unknown[],
): Promise<SubmitResult> {
  if (session.extranonce1 === null)
    return reject('invalid', StratumErrorCode.NotSubscribed, 'not subscribed');
  const [login, jobId] = params;
  const identity = typeof login === 'string' ? session.logins.get(login) : undefined;
  if (!identity) return reject('unauthorized', StratumErrorCode.Unauthorized, 'unauthorized worker');
  if (typeof jobId !== 'string') return reject('invalid', StratumErrorCode.Other, 'invalid params');
  const found = pool.jobs.lookup(jobId, ctx.now());
  if (!found) return reject('invalid', StratumErrorCode.JobNotFound, 'job not found');
  if (found.stale === 'height')
    return reject('stale', StratumErrorCode.JobNotFound, 'stale share (job is for another block)');
  if (found.stale === 'replaced')
    return reject('stale', StratumErrorCode.JobNotFound, 'stale share (job was replaced by newer work)');
  const { job } = found;
  const dialect = pool.coin.stratum;
  const nonce = dialect.submittedNonce(params, session.extranonce1, ctx.extranonces.extranonce2Size);
  if (!nonce.ok) return reject('invalid', StratumErrorCode.Other, nonce.reason);
  if (job.nonces.has(nonce.nonce)) return reject('duplicate', StratumErrorCode.Duplicate, 'duplicate share');
  job.nonces.add(nonce.nonce);

  let hit: bigint;
  try {
    hit = await pool.checker.hit(job.work, nonce.nonce);
  } catch (err) {
    job.nonces.delete(nonce.nonce); // not checked, so the miner may send it again
    if (err instanceof ShareCheckOverloadedError) return reject('busy', StratumErrorCode.Other, BUSY_MESSAGE);
    throw err;
  }

  const now = ctx.now();
  const isBlock = dialect.isBlock(job.work, hit);
  // A share's hit is below its target: the same strict rule for every coin's hash-below-target proof.
  let credited: Ratio | null = null;
  for (const d of session.acceptable) {
    if (hit < atDifficulty(dialect, job, d).target) {
      credited = d;
      break;
    }
  }
  if (!isBlock && credited === null) {
    const metGiven = hit < atDifficulty(dialect, job, session.easiestDifficulty).target;
    return reject('low-difficulty', StratumErrorCode.LowDifficulty, 'low difficulty share', !metGiven);
  }
  const difficulty = credited ?? session.difficulty;

  let blockAccepted = false;
  let blockDetail: string | undefined;
  let acceptedBy: string[] = [];
  if (isBlock) {
    // Submit first: a node takes solutions only for its current or previous candidate.
    const result = await pool.blocks
      .submitBlock(job.work, nonce.nonce)
      .catch((err: Error) => ({ accepted: false, detail: err.message, acceptedBy: [] }));
    blockAccepted = result.accepted;
    blockDetail = result.detail;
    acceptedBy = [...(result.acceptedBy ?? [])];
  }
  const share: AcceptedShare = {
    id: randomUUID(),
    poolId: pool.id,
    address: identity.address,
    worker: identity.worker,
    difficulty,
    expectedHashes: atDifficulty(dialect, job, difficulty).expectedHashes,
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
    ...(isBlock && job.work.source ? { source: job.work.source } : {}),
    ...(isBlock ? { acceptedBy } : {}),
  };
  if (isBlock)
    ctx.emit('block', {
      share,
      accepted: blockAccepted,
      ...(blockDetail ? { detail: blockDetail } : {}),
    });
  await ctx.sink.record(share);
  return { ok: true, outcome: isBlock ? 'block' : 'accepted', share };
}
