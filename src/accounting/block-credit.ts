import type { Ratio } from '../coin/index.ts';
import type { Sql } from '../db/index.ts';
import { ratioText } from './exact.ts';
import type { FeeSchedule } from './fees.ts';
import { blockCreditEntries } from './ledger.ts';
import { type CreditShare, PplnsWindow } from './pplns.ts';
import { bigOf, insertEntries, jsonWithBigints } from './rows.ts';
import {
  type BlockCredits,
  type PayoutScheme,
  ppsBlockCredits,
  propCredits,
  soloCredits,
  splitReward,
} from './schemes.ts';
import { WeightSum } from './weights.ts';

/** The block row fields crediting needs. */
export interface CreditableBlock {
  id: bigint;
  /** The pool that found it: its shares are the window, its ledger gets the credits. */
  poolId: string;
  height: number;
  minerAddress: string;
  /** When the block was found (its share's time): the end of its window or round. */
  foundAt: Date;
  reward: bigint;
}

export interface CreditSettings {
  scheme: PayoutScheme;
  fees: FeeSchedule;
  pplnsFactor: Ratio;
  /** Shares read per page while walking a PPLNS window backwards. */
  pageSize?: number;
}

interface ShareRow {
  id: string;
  address: string;
  expected_hashes: string;
  network_difficulty: string;
  created_at: Date;
}

/**
 * The pool's shares at or before `end`, newest first (created_at DESC, id DESC), fed page by page into the
 * window.
 */
async function walkWindow(
  sql: Sql,
  poolId: string,
  end: Date,
  window: PplnsWindow,
  pageSize: number,
): Promise<Date | null> {
  let cursor: { at: Date; id: string } | null = null;
  let oldest: Date | null = null;
  for (;;) {
    const page: { rows: ShareRow[] } = cursor
      ? await sql.query<ShareRow>(
          `SELECT id, address, expected_hashes, network_difficulty, created_at FROM shares
            WHERE pool_id = $5 AND created_at <= $1 AND (created_at, id) < ($2, $3::uuid)
            ORDER BY created_at DESC, id DESC LIMIT $4`,
          [end, cursor.at, cursor.id, pageSize, poolId],
        )
      : await sql.query<ShareRow>(
          `SELECT id, address, expected_hashes, network_difficulty, created_at FROM shares
            WHERE pool_id = $3 AND created_at <= $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
          [end, pageSize, poolId],
        );
    for (const r of page.rows) {
      const share: CreditShare = {
        id: r.id,
        address: r.address,
        expectedHashes: bigOf(r.expected_hashes),
        networkDifficulty: bigOf(r.network_difficulty),
      };
      if (!window.add(share)) return oldest;
      oldest = r.created_at;
    }
    const last = page.rows.at(-1);
    if (!last || page.rows.length < pageSize) return oldest;
    cursor = { at: last.created_at, id: last.id };
  }
}

/** Σ expected hashes per (address, network difficulty) of the pool's shares in (from, to]. */
async function roundSums(sql: Sql, poolId: string, from: Date | null, to: Date) {
  const r = await sql.query<{ address: string; network_difficulty: string; hashes: string; first: Date }>(
    `SELECT address, network_difficulty, sum(expected_hashes) AS hashes, min(created_at) AS first FROM shares
      WHERE pool_id = $3 AND created_at <= $1 AND ($2::timestamptz IS NULL OR created_at > $2)
      GROUP BY address, network_difficulty`,
    [to, from, poolId],
  );
  return r.rows.map((x) => ({
    address: x.address,
    networkDifficulty: bigOf(x.network_difficulty),
    expectedHashes: bigOf(x.hashes),
    first: x.first,
  }));
}

/** The time of the pool's previous block before this one (`includeOrphans`: any status), or null. */
export async function previousBlockTime(
  sql: Sql,
  block: { id: bigint; poolId: string; foundAt: Date },
  includeOrphans: boolean,
) {
  const r = await sql.query<{ created_at: Date }>(
    `SELECT created_at FROM blocks
      WHERE pool_id = $4 AND id <> $1 AND (created_at < $2 OR (created_at = $2 AND id < $1))
        AND ($3 OR status <> 'orphaned')
      ORDER BY created_at DESC, id DESC LIMIT 1`,
    [block.id, block.foundAt, includeOrphans, block.poolId],
  );
  return r.rows[0]?.created_at ?? null;
}

/** Effort of the round ending with this block: Σ H / D of the pool's shares since its previous block. */
export async function blockEffort(sql: Sql, block: { id: bigint; poolId: string; foundAt: Date }) {
  const from = await previousBlockTime(sql, block, true);
  const sum = new WeightSum();
  let hashes = 0n;
  for (const g of await roundSums(sql, block.poolId, from, block.foundAt)) {
    sum.addHashes(g.expectedHashes, g.networkDifficulty);
    hashes += g.expectedHashes;
  }
  return { roundHashes: hashes, effort: sum.toRatio() };
}

/**
 * Computes a block's split under the pool's scheme from the shares in the database, writes its ledger
 * rows (linked to the block: immature while pending) and records scheme, window and credited_at on the
 * block row. Must run inside the transaction that holds the block row locked.
 */
export async function creditBlock(tx: Sql, block: CreditableBlock, s: CreditSettings): Promise<BlockCredits> {
  const input = { reward: block.reward, fees: s.fees, finder: block.minerAddress };
  let result: BlockCredits;
  let windowStart: Date | null = block.foundAt;
  if (s.scheme === 'pps') result = ppsBlockCredits(block.reward);
  else if (s.scheme === 'solo') result = soloCredits(input);
  else if (s.scheme === 'pplns') {
    const window = new PplnsWindow(s.pplnsFactor);
    windowStart =
      (await walkWindow(tx, block.poolId, block.foundAt, window, s.pageSize ?? 10_000)) ?? block.foundAt;
    const weights = new Map<string, Ratio>();
    for (const [address, sum] of window.byAddress) if (!sum.isZero()) weights.set(address, sum.toRatio());
    result = { ...splitReward(input, weights), window: window.summary() };
  } else {
    const from = await previousBlockTime(tx, block, false);
    const groups = await roundSums(tx, block.poolId, from, block.foundAt);
    result = propCredits(input, groups);
    windowStart =
      groups.reduce<Date | null>((m, g) => (m === null || g.first < m ? g.first : m), null) ?? block.foundAt;
  }
  const details = {
    scheme: s.scheme,
    reward: block.reward,
    ...(result.window
      ? {
          window: {
            factor: ratioText(result.window.factor),
            weight: ratioText(result.window.weight, 12),
            full: result.window.full,
            shares: result.window.shares,
            boundary: result.window.boundary && {
              share: result.window.boundary.id,
              address: result.window.boundary.address,
              counted: ratioText(result.window.boundary.counted, 12),
            },
          },
        }
      : {}),
    ...(result.fallback ? { fallback: result.fallback } : {}),
  };
  await insertEntries(
    tx,
    block.poolId,
    blockCreditEntries(String(block.id), result.credits, `block ${block.height}`),
    { details },
  );
  await tx.query(
    `UPDATE blocks SET scheme = $2, window_start = $3, window_end = $4, credited_at = now(),
            reward_details = coalesce(reward_details, '{}'::jsonb) || $5::jsonb
      WHERE id = $1 AND pool_id = $6`,
    [block.id, s.scheme, windowStart, block.foundAt, jsonWithBigints({ credit: details }), block.poolId],
  );
  return result;
}
