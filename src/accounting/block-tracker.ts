import pino, { type Logger } from 'pino';
import type { ChainReader } from '../coin/index.ts';
import type { Database, Sql } from '../db/index.ts';
import type { Alert } from './alerts.ts';
import { blockEffort, type CreditSettings, creditBlock } from './block-credit.ts';
import { type ChainView, type Classification, type ClassifyRules, classifyBlock } from './classify.ts';
import { ratioText } from './exact.ts';
import { alertSilentInstances, bigOrNull, jsonWithBigints, sharesCompleteUntil } from './rows.ts';

export interface BlockTrackerOptions extends CreditSettings {
  db: Database;
  /** The pool whose blocks are tracked and credited. */
  poolId: string;
  /** The coin's chain, as one node shows it (called each pass: e.g. through the NodeSet's wallet node). */
  chain: () => ChainReader;
  /** The pool's identity on chain (Ergo: the wallet node's /mining/rewardPublicKey), resolved once. */
  poolPublicKey: string | (() => Promise<string>);
  rules: ClassifyRules;
  /**
   * Crediting waits for every pool instance's shares; one that reported nothing for this long raises an
   * 'instance-lagging' alert (default 15 min), repeated at most this often.
   */
  ingestStaleMs?: number;
  alert?: Alert;
  logger?: Logger;
  now?: () => Date;
}

export interface TrackerReport {
  checked: number;
  confirmed: number;
  orphaned: number;
  credited: number;
  transient: number;
  /** Orphaned blocks a deeper reorg put back on the best chain (pending again). */
  restored: number;
}

interface PendingRow {
  id: bigint;
  height: number;
  nonce: string;
  miner_address: string;
  status: string;
  header_id: string | null;
  confirmations: number;
  reward: bigint | null;
  effort: string | null;
  credited_at: Date | null;
  created_at: Date;
}

const PENDING_COLUMNS =
  'id, height, nonce, miner_address, status, header_id, confirmations, reward, effort, credited_at, created_at';

/**
 * The block lifecycle: polls every pending pool block through the node, classifies it (classifyBlock)
 * and applies the verdict in one database transaction per block, with the block row locked: confirmations,
 * header id and reward from the chain; the split into the ledger as soon as the reward is known (immature
 * while pending; the balances triggers move it to payable on confirmation or void it on orphaning); the
 * status. Blocks are credited only once every share up to their time is in the database, and a block is
 * confirmed only together with its credits.
 */
export class BlockTracker {
  private readonly logger: Logger;
  private readonly now: () => Date;
  private publicKey: string | null = null;
  private readonly lagAlerts = new Map<string, number>();

  constructor(private readonly o: BlockTrackerOptions) {
    this.logger = o.logger ?? pino({ level: 'silent' });
    this.now = o.now ?? (() => new Date());
  }

  private async poolKey(): Promise<string> {
    if (this.publicKey === null)
      this.publicKey =
        typeof this.o.poolPublicKey === 'string' ? this.o.poolPublicKey : await this.o.poolPublicKey();
    return this.publicKey;
  }

  /**
   * One pass over the pending blocks, oldest height first, and over the orphaned ones still within
   * `confirmations` of the tip: a deeper reorg can put an orphaned block back on the best chain.
   */
  async tick(): Promise<TrackerReport> {
    const report: TrackerReport = {
      checked: 0,
      confirmed: 0,
      orphaned: 0,
      credited: 0,
      transient: 0,
      restored: 0,
    };
    const chain = this.o.chain();
    let tip: number | null = null;
    let tipError = '';
    try {
      tip = await chain.tipHeight();
    } catch (err) {
      tipError = (err as Error).message;
    }
    const recheckFrom = tip === null ? null : tip - this.o.rules.confirmations + 1;
    const open = await this.o.db.query<PendingRow>(
      `SELECT ${PENDING_COLUMNS} FROM blocks
        WHERE pool_id = $2
          AND (status = 'pending' OR (status = 'orphaned' AND $1::integer IS NOT NULL AND height >= $1::integer))
        ORDER BY height, id`,
      [recheckFrom, this.o.poolId],
    );
    if (open.rows.length === 0) return report;
    const rules = this.o.rules;
    const poolKey = await this.poolKey();
    const complete = await sharesCompleteUntil(this.o.db);
    let waiting = false;
    for (const block of open.rows) {
      if (block.status === 'orphaned' && tip === null) continue;
      report.checked++;
      const view: ChainView =
        tip === null ? { ok: false, error: tipError } : await this.view(chain, block, tip, poolKey);
      const verdict = classifyBlock({ height: block.height, nonce: block.nonce }, view, rules);
      const sharesIn = complete === null || complete >= block.created_at;
      if (!sharesIn && block.credited_at === null) waiting = true;
      const applied = await this.apply(block, verdict, rules, sharesIn);
      if (applied.restored) report.restored++;
      if (applied.status === 'confirmed') report.confirmed++;
      if (applied.status === 'orphaned' && block.status === 'pending') report.orphaned++;
      if (applied.credited) report.credited++;
      if (verdict.status === 'pending' && verdict.transient) report.transient++;
    }
    if (waiting)
      await alertSilentInstances(this.o.db, this.now(), this.o.ingestStaleMs, this.lagAlerts, this.o.alert);
    return report;
  }

  private async view(
    chain: ChainReader,
    block: PendingRow,
    tip: number,
    poolKey: string,
  ): Promise<ChainView> {
    try {
      if (tip < block.height) return { ok: true, tipHeight: tip, best: null, reward: null };
      const best = await chain.blockAt(block.height, block.nonce, poolKey);
      const reward = best?.ours ? await chain.rewardIn(best.id, poolKey) : null;
      return { ok: true, tipHeight: tip, best, reward };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  /**
   * Applies a verdict in one transaction; returns what changed. Every statement names the pool as well as
   * the block id, so a tracker never touches another pool's block.
   */
  private async apply(
    seen: PendingRow,
    v: Classification,
    rules: ClassifyRules,
    sharesIn: boolean,
  ): Promise<{ status: 'pending' | 'confirmed' | 'orphaned'; credited: boolean; restored?: boolean }> {
    const poolId = this.o.poolId;
    return this.o.db.transaction(async (tx) => {
      const locked = await tx.query<PendingRow>(
        `SELECT ${PENDING_COLUMNS} FROM blocks WHERE id = $1 AND pool_id = $2 FOR UPDATE`,
        [seen.id, poolId],
      );
      const block = locked.rows[0];
      if (!block) return { status: 'pending', credited: false };
      const restored = block.status === 'orphaned' && isOurs(v);
      if (block.status === 'orphaned' && !restored) return { status: 'orphaned', credited: false };
      if (block.status !== 'pending' && !restored) return { status: 'pending', credited: false };
      if (restored) {
        // Back on the best chain: its credits (if any) are immature again, by the balances trigger.
        await tx.query(
          `UPDATE blocks SET status = 'pending', orphaned_at = NULL, checked_at = now(),
                  reward_details = coalesce(reward_details, '{}'::jsonb) || $2::jsonb
            WHERE id = $1 AND pool_id = $3`,
          [
            block.id,
            jsonWithBigints({
              restored: { at: new Date(), headerId: v.status === 'orphaned' ? null : v.headerId },
            }),
            poolId,
          ],
        );
        this.logger.warn(
          { block: block.id, height: block.height },
          `block ${block.height} is back on the best chain after a reorg: pending again`,
        );
      }
      const foundAt = block.created_at;
      if (block.effort === null && sharesIn) {
        const e = await blockEffort(tx, { id: block.id, poolId, foundAt });
        await tx.query('UPDATE blocks SET round_hashes = $2, effort = $3 WHERE id = $1 AND pool_id = $4', [
          block.id,
          e.roundHashes,
          ratioText(e.effort, 12),
          poolId,
        ]);
      }
      if (v.status === 'pending' && v.transient) {
        await tx.query(
          'UPDATE blocks SET checked_at = now(), last_error = $2 WHERE id = $1 AND pool_id = $3',
          [block.id, v.reason, poolId],
        );
        return { status: 'pending', credited: false };
      }
      if (v.status === 'orphaned') {
        await tx.query(
          `UPDATE blocks SET status = 'orphaned', checked_at = now(), last_error = NULL,
                  reward_details = coalesce(reward_details, '{}'::jsonb) || $2::jsonb
            WHERE id = $1 AND pool_id = $3`,
          [
            block.id,
            jsonWithBigints({ orphaned: { reason: v.reason, bestHeaderId: v.bestHeaderId } }),
            poolId,
          ],
        );
        this.logger.warn(
          { block: block.id, height: block.height, reason: v.reason },
          `block ${block.height} orphaned`,
        );
        return { status: 'orphaned', credited: false };
      }
      const reward = v.reward;
      let credited = block.credited_at !== null;
      let creditedNow = false;
      if (reward && v.headerId) {
        await tx.query(
          `UPDATE blocks SET header_id = $2, reward = $3, reward_emission = $4, reward_fees = $5,
                  reward_reemission = $6,
                  reward_details = coalesce(reward_details, '{}'::jsonb) || $7::jsonb
            WHERE id = $1 AND pool_id = $8`,
          [
            block.id,
            v.headerId,
            reward.reward,
            reward.emission,
            reward.fees,
            reward.reemission,
            jsonWithBigints({ boxes: reward.boxIds, gross: reward.gross, reemission: reward.reemission }),
            poolId,
          ],
        );
        if (!credited && sharesIn && (await this.roundSettled(tx, block, rules))) {
          await creditBlock(
            tx,
            {
              id: block.id,
              poolId,
              height: block.height,
              minerAddress: block.miner_address,
              foundAt,
              reward: reward.reward,
            },
            this.o,
          );
          credited = true;
          creditedNow = true;
        }
      }
      const confirmations = v.confirmations;
      if (v.status === 'confirmed' && credited) {
        await tx.query(
          `UPDATE blocks SET status = 'confirmed', confirmations = $2, required_confirmations = $3,
                  checked_at = now(), last_error = NULL WHERE id = $1 AND pool_id = $4`,
          [block.id, confirmations, rules.confirmations, poolId],
        );
        this.logger.info(
          { block: block.id, height: block.height, reward: reward?.reward.toString() },
          `block ${block.height} confirmed`,
        );
        return { status: 'confirmed', credited: creditedNow, restored };
      }
      const note =
        v.status === 'confirmed' ? 'confirmed on chain; waiting for its shares to be credited' : null;
      await tx.query(
        `UPDATE blocks SET confirmations = $2, required_confirmations = $3, checked_at = now(), last_error = $4
          WHERE id = $1 AND pool_id = $5`,
        [
          block.id,
          confirmations,
          rules.confirmations,
          note ?? (v.status === 'pending' && !v.reward ? v.reason : null),
          poolId,
        ],
      );
      return { status: 'pending', credited: creditedNow, restored };
    });
  }

  /**
   * PROP only: the round of a block starts after its pool's previous non-orphaned block, so it is
   * credited once no earlier block is still undecided (pending and not yet `orphanConfirmations` deep as
   * ours). Other schemes do not depend on earlier blocks.
   */
  private async roundSettled(tx: Sql, block: PendingRow, rules: ClassifyRules): Promise<boolean> {
    if (this.o.scheme !== 'prop') return true;
    const r = await tx.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM blocks
        WHERE pool_id = $4 AND id <> $1 AND (created_at < $2 OR (created_at = $2 AND id < $1))
          AND status = 'pending' AND (header_id IS NULL OR confirmations < $3)`,
      [block.id, block.created_at, rules.orphanConfirmations, this.o.poolId],
    );
    return (bigOrNull(r.rows[0]?.n) ?? 0n) === 0n;
  }
}

/** The chain holds the block at its height with our nonce and key (pending with its reward, or confirmed). */
function isOurs(v: Classification): boolean {
  return v.status === 'confirmed' || (v.status === 'pending' && v.onChain);
}
