import type { Ratio } from '../coin/index.ts';
import type { AcceptedShare } from '../stratum/index.ts';

/** How journal shares become rows of `shares` and `blocks` (pure; column names from src/db/migrations). */
export const SHARE_COLUMNS = [
  'id',
  'pool_id',
  'address',
  'worker',
  'difficulty',
  'expected_hashes',
  'job_id',
  'height',
  'network_difficulty',
  'client_address',
  'user_agent',
  'nonce',
  'hit',
  'created_at',
  'instance',
  'is_block',
  'block_accepted',
];

/** PostgreSQL types of SHARE_COLUMNS, for the `unnest($1::uuid[], …)` insert. */
export const SHARE_COLUMN_TYPES = [
  'uuid',
  'text',
  'text',
  'text',
  'numeric',
  'numeric',
  'text',
  'int4',
  'numeric',
  'text',
  'text',
  'text',
  'numeric',
  'timestamptz',
  'text',
  'bool',
  'bool',
];

export const BLOCK_COLUMNS = [
  'pool_id',
  'height',
  'nonce',
  'miner_address',
  'worker',
  'share_id',
  'instance',
  'status',
  'network_difficulty',
  'created_at',
  'source_node',
  'source_pk',
  'accepted_by',
];

/** Fractional digits kept when a difficulty is not a finite decimal (its denominator has a prime other than 2, 5). */
const MAX_FRACTION_DIGITS = 40;

/**
 * A positive ratio as a decimal string for a `numeric` column: exact whenever the reduced denominator is of
 * the form 2^a·5^b (every difficulty parsed from decimal text or from a JS number is), otherwise truncated
 * after 40 fractional digits.
 */
export function ratioToDecimal(value: Ratio): string {
  const { num, den } = value;
  if (den <= 0n || num < 0n) throw new RangeError('ratioToDecimal takes a non-negative ratio with den > 0');
  let rest = den;
  let twos = 0;
  let fives = 0;
  while (rest % 2n === 0n) {
    rest /= 2n;
    twos++;
  }
  while (rest % 5n === 0n) {
    rest /= 5n;
    fives++;
  }
  const g = gcd(num, rest);
  const digits = rest / g === 1n ? Math.max(twos, fives) : MAX_FRACTION_DIGITS;
  const scaled = (num * 10n ** BigInt(digits)) / den;
  if (digits === 0) return scaled.toString();
  const text = scaled.toString().padStart(digits + 1, '0');
  const fraction = text.slice(-digits).replace(/0+$/, '');
  const whole = text.slice(0, -digits);
  return fraction ? `${whole}.${fraction}` : whole;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** PostgreSQL text cannot hold NUL; a miner's user agent or worker name could. */
export function text(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}

/**
 * The pool a share is credited to: the one that accepted it, or the deployment's default pool for a share
 * journaled before shares named their pool ('').
 */
export function poolOf(share: AcceptedShare, defaultPoolId: string): string {
  return share.poolId === '' ? defaultPoolId : share.poolId;
}

export function shareRow(share: AcceptedShare, defaultPoolId: string): unknown[] {
  return [
    share.id,
    text(poolOf(share, defaultPoolId)),
    text(share.address),
    text(share.worker),
    ratioToDecimal(share.difficulty),
    share.expectedHashes,
    text(share.jobId),
    share.height,
    share.networkDifficulty,
    text(share.clientAddress),
    text(share.userAgent),
    text(share.nonce),
    share.hit,
    new Date(share.time),
    text(share.instance),
    share.isBlock,
    share.blockAccepted,
  ];
}

/**
 * Rows as one array per column, for `INSERT … SELECT * FROM unnest($1::uuid[], …)`: 17 parameters whatever
 * the batch size (measured ~1.7× the rows/s of a multi-row VALUES insert on both engines). Times go as ISO
 * text so both drivers serialise the arrays the same way.
 */
export function shareColumns(shares: AcceptedShare[], defaultPoolId: string): unknown[][] {
  const columns: unknown[][] = SHARE_COLUMNS.map(() => new Array(shares.length));
  shares.forEach((share, r) => {
    shareRow(share, defaultPoolId).forEach((value, c) => {
      columns[c]![r] = value instanceof Date ? value.toISOString() : value;
    });
  });
  return columns;
}

export function unnestInsertSql(
  table: string,
  columns: string[],
  types: string[],
  conflict: string[],
): string {
  const params = types.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
  return (
    `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${params}) ` +
    `ON CONFLICT (${conflict.join(', ')}) DO NOTHING`
  );
}

/**
 * Every block candidate (hit < b) is recorded as a pending block, whatever the nodes answered: a block whose
 * every submit timed out can still be on the chain. The lifecycle confirms or orphans it from the chain.
 */
export function isRecordedBlock(share: AcceptedShare): boolean {
  return share.isBlock;
}

export function blockRow(share: AcceptedShare, defaultPoolId: string): unknown[] {
  return [
    text(poolOf(share, defaultPoolId)),
    share.height,
    text(share.nonce),
    text(share.address),
    text(share.worker),
    share.id,
    text(share.instance),
    'pending',
    share.networkDifficulty,
    new Date(share.time),
    share.source ? text(share.source.node) : null,
    share.source ? text(share.source.pk) : null,
    share.acceptedBy ? share.acceptedBy.map(text) : null,
  ];
}

/**
 * Per instance, the share time up to which every share it accepted is in the database after a batch: the
 * batch's newest share time minus the longest a share can take between getting its time and reaching the
 * journal (`recordDelayMs`: the block submission to the nodes happens in between). Later records can only be
 * younger than that (journal order follows record() calls).
 */
export function ingestProgress(shares: AcceptedShare[], recordDelayMs: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of shares) out.set(s.instance, Math.max(out.get(s.instance) ?? 0, s.time - recordDelayMs));
  return out;
}
