import pino, { type Logger } from 'pino';
import type { Ratio } from '../coin/index.ts';
import { type Database, setRetentionHold } from '../db/index.ts';
import type { Alert } from './alerts.ts';
import type { FeeSchedule } from './fees.ts';
import { ppsEntries } from './ledger.ts';
import { ppsCredits } from './pps.ts';
import { alertSilentInstances, bigOf, insertEntries, jsonWithBigints, sharesCompleteUntil } from './rows.ts';

export interface PpsRunnerOptions {
  db: Database;
  /** The pool whose shares are credited (its cursor and retention hold are its own). */
  poolId: string;
  fees: FeeSchedule;
  /** Net block reward at a height (default: mainnet emission − EIP-27). */
  rewardAt: (height: number) => bigint;
  /** Without share-shipping progress rows, credit shares older than this (default 10 s). */
  lagMs?: number;
  /** See BlockTracker (default 15 min). */
  ingestStaleMs?: number;
  alert?: Alert;
  logger?: Logger;
  now?: () => Date;
}

export interface PpsPeriod {
  from: Date | null;
  until: Date;
  shares: number;
  total: bigint;
  credits: number;
}

const CURSOR = 'pps';

interface Cursor {
  until: string;
  carry: { num: string; den: string };
}

/**
 * PPS crediting: every run credits the pool's shares accepted since the previous period up to the time every
 * pool instance has shipped its shares (share_ingest_progress), as one period of ppsCredits. The period's
 * rows, the new cursor (period end and the sub-nanoERG carry, the pool's row in pool_cursors) and the pool's
 * share retention hold are written in one transaction with the cursor row locked, so a period is credited
 * exactly once.
 */
export class PpsRunner {
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly lagAlerts = new Map<string, number>();

  constructor(private readonly o: PpsRunnerOptions) {
    this.logger = o.logger ?? pino({ level: 'silent' });
    this.now = o.now ?? (() => new Date());
  }

  async run(): Promise<PpsPeriod | null> {
    const now = this.now();
    const complete = await sharesCompleteUntil(this.o.db);
    const until = complete ?? new Date(now.getTime() - (this.o.lagMs ?? 10_000));
    await alertSilentInstances(this.o.db, now, this.o.ingestStaleMs, this.lagAlerts, this.o.alert);
    const poolId = this.o.poolId;
    return this.o.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO pool_cursors (pool_id, name, value) VALUES ($1, $2, 'null'::jsonb)
         ON CONFLICT (pool_id, name) DO NOTHING`,
        [poolId, CURSOR],
      );
      const row = await tx.query<{ value: Cursor | null }>(
        'SELECT value FROM pool_cursors WHERE pool_id = $1 AND name = $2 FOR UPDATE',
        [poolId, CURSOR],
      );
      const cursor = row.rows[0]?.value ?? null;
      const from = cursor ? new Date(cursor.until) : null;
      if (from && until <= from) return null;
      const carry: Ratio = cursor
        ? { num: BigInt(cursor.carry.num), den: BigInt(cursor.carry.den) }
        : { num: 0n, den: 1n };
      const groups = await tx.query<{
        address: string;
        height: number;
        network_difficulty: string;
        hashes: string;
        n: bigint;
      }>(
        `SELECT address, height, network_difficulty, sum(expected_hashes) AS hashes, count(*) AS n FROM shares
          WHERE pool_id = $3 AND created_at <= $1 AND ($2::timestamptz IS NULL OR created_at > $2)
          GROUP BY address, height, network_difficulty`,
        [until, from, poolId],
      );
      const shares = groups.rows.map((g) => ({
        address: g.address,
        height: g.height,
        networkDifficulty: bigOf(g.network_difficulty),
        expectedHashes: bigOf(g.hashes),
      }));
      const result = ppsCredits({
        shares,
        fees: this.o.fees,
        carry,
        rewardAt: this.o.rewardAt,
      });
      const period = `${from?.toISOString() ?? 'start'}..${until.toISOString()}`;
      await insertEntries(tx, poolId, ppsEntries(result.credits, `shares ${period}`), {
        details: { period: { from, until }, value: `${result.value.num}/${result.value.den}` },
        idempotencyKey: (e) => `pps:${period}:${e.kind}:${e.address}`,
      });
      const next: Cursor = {
        until: until.toISOString(),
        carry: { num: String(result.carry.num), den: String(result.carry.den) },
      };
      await tx.query(
        'UPDATE pool_cursors SET value = $3::jsonb, updated_at = now() WHERE pool_id = $1 AND name = $2',
        [poolId, CURSOR, jsonWithBigints(next)],
      );
      await setRetentionHold(tx, poolId, 'pps', until, 'shares after the last credited PPS period');
      const count = groups.rows.reduce((s, g) => s + Number(bigOf(g.n)), 0);
      if (result.total > 0n)
        this.logger.info(
          { period, shares: count, total: result.total.toString() },
          `PPS credited ${result.total} nanoERG`,
        );
      return { from, until, shares: count, total: result.total, credits: result.credits.length };
    });
  }
}
