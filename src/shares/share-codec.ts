import type { AcceptedShare } from '../stratum/index.ts';

/**
 * A share as a journal payload (pure): JSON with a format version, every bigint written as its exact decimal
 * string and the difficulty ratio as "num/den", so nothing is rounded on the way to the database.
 */
export const SHARE_FORMAT_VERSION = 1;

export class JournalFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JournalFormatError';
  }
}

interface SharePayloadV1 {
  v: 1;
  id: string;
  /** The pool (absent in journals written before pools existed: decoded as '', the default pool). */
  pool?: string;
  address: string;
  worker: string;
  difficulty: string;
  expectedHashes: string;
  jobId: string;
  height: number;
  networkDifficulty: string;
  clientAddress: string;
  userAgent: string;
  nonce: string;
  hit: string;
  time: number;
  instance: string;
  isBlock: boolean;
  blockAccepted: boolean;
  /** Block candidates: the source node and key (absent in journals written before it existed). */
  source?: { node: string; pk: string };
  /** Block candidates: the nodes that accepted it (absent in journals written before it existed). */
  acceptedBy?: string[];
}

export function encodeShare(share: AcceptedShare): Buffer {
  const payload: SharePayloadV1 = {
    v: 1,
    id: share.id,
    pool: share.poolId,
    address: share.address,
    worker: share.worker,
    difficulty: `${share.difficulty.num}/${share.difficulty.den}`,
    expectedHashes: share.expectedHashes.toString(),
    jobId: share.jobId,
    height: share.height,
    networkDifficulty: share.networkDifficulty.toString(),
    clientAddress: share.clientAddress,
    userAgent: share.userAgent,
    nonce: share.nonce,
    hit: share.hit.toString(),
    time: share.time,
    instance: share.instance,
    isBlock: share.isBlock,
    blockAccepted: share.blockAccepted,
    ...(share.source ? { source: { node: share.source.node, pk: share.source.pk } } : {}),
    ...(share.acceptedBy ? { acceptedBy: share.acceptedBy } : {}),
  };
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

const INTEGER = /^-?\d+$/;

function text(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new JournalFormatError(`share field ${key} is not a string`);
  return v;
}

function integer(o: Record<string, unknown>, key: string): bigint {
  const v = text(o, key);
  if (!INTEGER.test(v)) throw new JournalFormatError(`share field ${key} is not an integer`);
  return BigInt(v);
}

function safeNumber(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    throw new JournalFormatError(`share field ${key} is not a whole number`);
  return v;
}

function flag(o: Record<string, unknown>, key: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new JournalFormatError(`share field ${key} is not a boolean`);
  return v;
}

export function decodeShare(payload: Uint8Array): AcceptedShare {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch (err) {
    throw new JournalFormatError(`share payload is not JSON: ${(err as Error).message}`);
  }
  if (o === null || typeof o !== 'object') throw new JournalFormatError('share payload is not an object');
  if (o.v !== SHARE_FORMAT_VERSION)
    throw new JournalFormatError(`share payload version ${String(o.v)} (this build reads version 1)`);
  const [num, den, ...rest] = text(o, 'difficulty').split('/');
  if (rest.length > 0 || !num || !den || !INTEGER.test(num) || !INTEGER.test(den) || BigInt(den) === 0n)
    throw new JournalFormatError('share field difficulty is not a ratio');
  const source = o.source as Record<string, unknown> | undefined;
  if (source !== undefined && (source === null || typeof source !== 'object'))
    throw new JournalFormatError('share field source is not an object');
  const acceptedBy = o.acceptedBy;
  if (
    acceptedBy !== undefined &&
    !(Array.isArray(acceptedBy) && acceptedBy.every((n) => typeof n === 'string'))
  )
    throw new JournalFormatError('share field acceptedBy is not a list of node names');
  if (o.pool !== undefined && typeof o.pool !== 'string')
    throw new JournalFormatError('share field pool is not a string');
  return {
    id: text(o, 'id'),
    poolId: (o.pool as string | undefined) ?? '',
    address: text(o, 'address'),
    worker: text(o, 'worker'),
    difficulty: { num: BigInt(num), den: BigInt(den) },
    expectedHashes: integer(o, 'expectedHashes'),
    jobId: text(o, 'jobId'),
    height: safeNumber(o, 'height'),
    networkDifficulty: integer(o, 'networkDifficulty'),
    clientAddress: text(o, 'clientAddress'),
    userAgent: text(o, 'userAgent'),
    nonce: text(o, 'nonce'),
    hit: integer(o, 'hit'),
    time: safeNumber(o, 'time'),
    instance: text(o, 'instance'),
    isBlock: flag(o, 'isBlock'),
    blockAccepted: flag(o, 'blockAccepted'),
    ...(source ? { source: { node: text(source, 'node'), pk: text(source, 'pk') } } : {}),
    ...(acceptedBy !== undefined ? { acceptedBy: acceptedBy as string[] } : {}),
  };
}
