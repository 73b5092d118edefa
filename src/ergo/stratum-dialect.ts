import {
  expectedHashes,
  hexToBytes,
  isBlockSolution,
  networkDifficultyFromTarget,
  shareTarget,
} from '../autolykos/index.ts';
import { type CoinWork, notificationLine, type StratumDialect, type SubmittedNonce } from '../coin/index.ts';

/** Work from an Ergo node: the candidate's msg and block target b, at a height, with the block version. */
export interface ErgoWork extends CoinWork {
  /** The candidate's message, 32 bytes hex. */
  readonly msg: string;
  /** The block target: a nonce whose Autolykos hit is below it makes a block. */
  readonly b: bigint;
  /** The block version (notify carries it). */
  readonly version: number;
}

/** The candidate's msg as bytes, decoded once per piece of work (every share of a job needs it). */
const msgBytesOf = new WeakMap<ErgoWork, Uint8Array>();
export function msgBytes(work: ErgoWork): Uint8Array {
  let bytes = msgBytesOf.get(work);
  if (bytes === undefined) {
    bytes = hexToBytes(work.msg, 'msg', 32);
    msgBytesOf.set(work, bytes);
  }
  return bytes;
}

/** The share target travels in notify; set_difficulty is always [1] so every miner convention agrees. */
export const SET_DIFFICULTY_ONE = notificationLine('mining.set_difficulty', [1]);

/** mining.notify params: [jobId, height, msg, "", "", version, shareTarget (decimal string), "", clean]. */
export function notifyLine(
  job: { id: string; height: number; msg: string; version: number },
  target: bigint,
  clean: boolean,
): string {
  return notificationLine('mining.notify', [
    job.id,
    job.height,
    job.msg,
    '',
    '',
    job.version,
    target.toString(),
    '',
    clean,
  ]);
}

const HEX16 = /^[0-9a-fA-F]{16}$/;

/**
 * The 8-byte nonce of a submit: params[4] when it is 16 hex chars (any case, optional 0x), which must start
 * with extranonce1 and end with extranonce2 when both are given; else extranonce1 ‖ params[2].
 */
export function submittedNonce(
  extranonce1: string,
  extranonce2Size: number,
  extranonce2: unknown,
  fullNonce: unknown,
): SubmittedNonce {
  const en2 = typeof extranonce2 === 'string' ? extranonce2.replace(/^0x/i, '').toLowerCase() : '';
  const full = typeof fullNonce === 'string' ? fullNonce.replace(/^0x/i, '').toLowerCase() : '';
  if (full.length > 0) {
    if (!HEX16.test(full)) return { ok: false, reason: 'incorrect size of nonce' };
    if (!full.startsWith(extranonce1)) {
      return {
        ok: false,
        reason: `incorrect extranonce1 in nonce (expected ${extranonce1}, got ${full.slice(0, extranonce1.length)})`,
      };
    }
    if (en2.length > 0 && !full.endsWith(en2))
      return { ok: false, reason: 'nonce does not end with extranonce2' };
    return { ok: true, nonce: full };
  }
  if (en2.length !== 2 * extranonce2Size || !/^[0-9a-f]*$/.test(en2)) {
    return { ok: false, reason: 'incorrect size of extranonce2' };
  }
  return { ok: true, nonce: extranonce1 + en2 };
}

/**
 * The Ergo dialect (shared/ergo/protocol.md Part A): set_difficulty [1] and the full share target in
 * notify[6]; submit [login, jobId, extranonce2, nTime, nonce]; Autolykos v2 hits below b make blocks; the
 * share difficulty is Ergo's pool unit (target = DIFF1 / d, never harder than b).
 */
export const ERGO_DIALECT: StratumDialect<ErgoWork> = {
  workKey: (work) => work.msg.toLowerCase(),
  networkDifficulty: (work) => networkDifficultyFromTarget(work.b),
  shareTarget: (work, difficulty) => shareTarget(difficulty, work.b),
  expectedHashes(target) {
    const e = expectedHashes(target);
    return e.num / e.den;
  },
  isBlock: (work, hit) => isBlockSolution(hit, work.b),
  jobLines: (jobId, work, target) =>
    SET_DIFFICULTY_ONE +
    notifyLine(
      { id: jobId, height: work.height, msg: work.msg.toLowerCase(), version: work.version },
      target,
      true,
    ),
  submittedNonce: (params, extranonce1, extranonce2Size) =>
    submittedNonce(extranonce1, extranonce2Size, params[2], params[4]),
};
