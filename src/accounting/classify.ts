import type { BlockReward, ChainBlockAt, Ratio } from '../coin/index.ts';

export type { BlockReward } from '../coin/index.ts';

export type BlockStatus = 'pending' | 'confirmed' | 'orphaned';

/** What the pool recorded when it found the block. */
export interface PoolBlockRef {
  height: number;
  /** The 8-byte nonce (hex) the pool submitted. */
  nonce: string;
}

export interface ClassifyRules {
  /** Confirmations (tip − height + 1) before a block is confirmed: the coin's maturity (Ergo: 720, the reward lock). */
  confirmations: number;
  /**
   * A block whose height's best-chain block is someone else's is orphaned once that block has this many
   * confirmations (a race lost by one block can still turn while it has fewer).
   */
  orphanConfirmations: number;
  /** No block at all at the height although the tip is this far past it: orphaned (never pending forever). */
  giveUpAfter: number;
}

export const DEFAULT_CLASSIFY_RULES = { orphanConfirmations: 10, giveUpAfter: 30 } as const;

/** What the coin's chain says about a pool block's height; `ok: false` is a transient failure (node error). */
export type ChainView =
  | { ok: false; error: string }
  | {
      ok: true;
      /** The best fully validated height. */
      tipHeight: number;
      /** The best-chain block at the block's height compared with the pool's, null if none. */
      best: ChainBlockAt | null;
      /** The pool's reward in that block (read only when it is ours); null when it could not be read. */
      reward: BlockReward | null;
    };

export type Classification =
  | {
      status: 'pending';
      reason: string;
      /** The chain holds our header at the height (reward known, counting confirmations). */
      onChain: boolean;
      confirmations: number;
      /** min(1, confirmations / required). */
      progress: Ratio;
      headerId?: string;
      reward?: BlockReward;
      /** The node could not be asked (nothing about the block changed). */
      transient?: boolean;
    }
  | { status: 'confirmed'; headerId: string; confirmations: number; reward: BlockReward }
  | { status: 'orphaned'; reason: string; bestHeaderId: string | null };

function checkRules(r: ClassifyRules): void {
  for (const [k, v] of [
    ['confirmations', r.confirmations],
    ['orphanConfirmations', r.orphanConfirmations],
    ['giveUpAfter', r.giveUpAfter],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${k} must be a whole number ≥ 1`);
  }
}

function progressOf(confirmations: number, required: number): Ratio {
  const c = Math.max(0, Math.min(confirmations, required));
  return { num: BigInt(c), den: BigInt(required) };
}

/**
 * Decides a pool block's state from the chain (pure):
 * - **transient**: the node could not be asked, or the block's transactions could not be read → pending,
 *   unchanged;
 * - **ours** (the coin says the best-chain block at the height is the pool's): confirmed once
 *   tip − height + 1 ≥ `confirmations`, else pending with its progress; the reward comes from the chain;
 * - **not ours**: orphaned once the best-chain block at the height has `orphanConfirmations`
 *   confirmations, pending before (a one-block race can still turn);
 * - **no block** although the tip is `giveUpAfter` blocks past the height: orphaned;
 * - tip below the height (node behind): pending.
 */
export function classifyBlock(block: PoolBlockRef, view: ChainView, rules: ClassifyRules): Classification {
  checkRules(rules);
  const required = rules.confirmations;
  const pending = (reason: string, extra: Partial<Extract<Classification, { status: 'pending' }>> = {}) =>
    ({
      status: 'pending',
      reason,
      onChain: false,
      confirmations: 0,
      progress: progressOf(0, required),
      ...extra,
    }) as const;
  if (!view.ok) return pending(`node error: ${view.error}`, { transient: true });
  const depth = view.tipHeight - block.height + 1;
  if (depth < 1) return pending(`the node's tip ${view.tipHeight} is below the block's height`);
  const best = view.best;
  if (!best) {
    if (depth >= rules.giveUpAfter)
      return { status: 'orphaned', reason: `no block at height ${block.height}`, bestHeaderId: null };
    return pending(`no block at height ${block.height} yet`);
  }
  if (!best.ours) {
    const why = best.mismatch ?? 'owner';
    if (depth >= rules.orphanConfirmations)
      return {
        status: 'orphaned',
        reason: `best-chain block ${best.id} at height ${block.height} is not ours (${why} mismatch)`,
        bestHeaderId: best.id,
      };
    return pending(`block ${best.id} leads at height ${block.height} (${why} mismatch)`);
  }
  const reward = view.reward;
  if (!reward)
    return pending(`transactions of block ${best.id} unavailable`, { transient: true, headerId: best.id });
  if (reward.boxIds.length === 0)
    return pending(`block ${best.id} has no output to the pool's reward script (check the reward script)`, {
      headerId: best.id,
      onChain: true,
      confirmations: depth,
      progress: progressOf(depth, required),
    });
  if (depth >= required) return { status: 'confirmed', headerId: best.id, confirmations: depth, reward };
  return pending(`${depth} of ${required} confirmations`, {
    onChain: true,
    confirmations: depth,
    progress: progressOf(depth, required),
    headerId: best.id,
    reward,
  });
}
