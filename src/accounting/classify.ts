import type { Ratio } from '../coin/index.ts';
import { type ErgoTransaction, MINER_REWARD_DELAY, REEMISSION_TOKEN_ID } from '../ergo/index.ts';

export type BlockStatus = 'pending' | 'confirmed' | 'orphaned';

/** What the pool recorded when it found the block. */
export interface PoolBlockRef {
  height: number;
  /** The 8-byte nonce (hex) the pool submitted. */
  nonce: string;
}

export interface ClassifyRules {
  /** The pool's mining key (33 bytes compressed hex, /mining/rewardPublicKey). */
  poolPublicKey: string;
  /** Confirmations (tip − height + 1) before a block is confirmed; 720 on mainnet (the reward lock). */
  confirmations: number;
  /**
   * A block whose height's best-chain header is someone else's is orphaned once that header has this many
   * confirmations (a race lost by one block can still turn while it has fewer).
   */
  orphanConfirmations: number;
  /** No header at all at the height although the tip is this far past it: orphaned (never pending forever). */
  giveUpAfter: number;
  /**
   * Reward scripts (ErgoTree hex) of the pool. Default: any miner-reward script of the pool key (whatever
   * its delay), i.e. what the node's emission and fee-collection transactions pay.
   */
  rewardErgoTrees?: readonly string[];
}

export const DEFAULT_CLASSIFY_RULES = {
  confirmations: MINER_REWARD_DELAY,
  orphanConfirmations: 10,
  giveUpAfter: 30,
} as const;

export interface ChainHeaderView {
  id: string;
  height: number;
  powSolutions: { pk: string; n: string };
}

/** What the node says about a pool block's height; `ok: false` is a transient failure (node error). */
export type ChainView =
  | { ok: false; error: string }
  | {
      ok: true;
      /** The node's best full-block height. */
      tipHeight: number;
      /** Best-chain header at the block's height (/blocks/at/{h}[0]), null if none. */
      bestHeader: ChainHeaderView | null;
      /** Transactions of that block (needed only when it is ours); null when they could not be read. */
      transactions: readonly ErgoTransaction[] | null;
    };

export interface BlockReward {
  /** Σ values of the pool's reward-script outputs in the block (emission box + fee box). */
  gross: bigint;
  /** Σ re-emission tokens (REEMISSION_TOKEN_ID only) in those outputs: nanoERG owed to the re-emission contract. */
  reemission: bigint;
  /** gross − reemission: what the pool may distribute. */
  reward: bigint;
  /** Of gross: the emission box (reward outputs of the block's first transaction, the emission tx). */
  emission: bigint;
  /** Of gross: the other reward outputs (the fee-collection box). */
  fees: bigint;
  /** Box ids of those outputs. */
  boxIds: string[];
}

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

const REWARD_TREE_PREFIX = '100204';
const REWARD_TREE_SUFFIX = 'ea02d192a39a8cc7a70173007301';

/** Does this ErgoTree pay the miner-reward script of `publicKey` (any reward delay)? */
export function isMinerRewardTreeOf(ergoTree: string, publicKey: string): boolean {
  const tree = ergoTree.toLowerCase();
  const body = `08cd${publicKey.toLowerCase()}${REWARD_TREE_SUFFIX}`;
  if (!tree.startsWith(REWARD_TREE_PREFIX) || !tree.endsWith(body)) return false;
  const delay = tree.slice(REWARD_TREE_PREFIX.length, tree.length - body.length);
  return /^([89a-f][0-9a-f])*[0-7][0-9a-f]$/.test(delay); // one VLQ: continuation bytes, then a last byte
}

/**
 * The pool's reward in a block: Σ (value − re-emission tokens) of outputs paying a pool reward script.
 * Only the re-emission token id is subtracted — never "the first asset", which breaks when a box
 * carries other tokens.
 */
export function blockRewardOf(
  transactions: readonly ErgoTransaction[],
  isRewardTree: (ergoTree: string) => boolean,
): BlockReward {
  let gross = 0n;
  let emission = 0n;
  let reemission = 0n;
  const boxIds: string[] = [];
  for (const [k, tx] of transactions.entries()) {
    for (const out of tx.outputs) {
      if (!isRewardTree(out.ergoTree)) continue;
      gross += out.value;
      if (k === 0) emission += out.value;
      for (const a of out.assets) if (a.tokenId.toLowerCase() === REEMISSION_TOKEN_ID) reemission += a.amount;
      boxIds.push(out.boxId);
    }
  }
  if (reemission > gross)
    throw new RangeError('re-emission tokens exceed the reward outputs (invalid block)');
  return { gross, reemission, reward: gross - reemission, emission, fees: gross - emission, boxIds };
}

function checkRules(r: ClassifyRules): void {
  if (!/^0[23][0-9a-fA-F]{64}$/.test(r.poolPublicKey))
    throw new RangeError('poolPublicKey must be 33 bytes compressed hex');
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
 * - **ours** (best-chain header at the height has our nonce and our key): confirmed once
 *   tip − height + 1 ≥ `confirmations`, else pending with its progress; the reward comes from the chain;
 * - **not ours**: orphaned once the best-chain header at the height has `orphanConfirmations`
 *   confirmations, pending before (a one-block race can still turn);
 * - **no header** although the tip is `giveUpAfter` blocks past the height: orphaned;
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
  const best = view.bestHeader;
  if (!best) {
    if (depth >= rules.giveUpAfter)
      return { status: 'orphaned', reason: `no header at height ${block.height}`, bestHeaderId: null };
    return pending(`no header at height ${block.height} yet`);
  }
  const ours =
    best.powSolutions.pk.toLowerCase() === rules.poolPublicKey.toLowerCase() &&
    best.powSolutions.n.toLowerCase() === block.nonce.toLowerCase();
  if (!ours) {
    const why = best.powSolutions.pk.toLowerCase() !== rules.poolPublicKey.toLowerCase() ? 'key' : 'nonce';
    if (depth >= rules.orphanConfirmations)
      return {
        status: 'orphaned',
        reason: `best-chain block ${best.id} at height ${block.height} is not ours (${why} mismatch)`,
        bestHeaderId: best.id,
      };
    return pending(`block ${best.id} leads at height ${block.height} (${why} mismatch)`);
  }
  if (!view.transactions)
    return pending(`transactions of block ${best.id} unavailable`, { transient: true, headerId: best.id });
  const trees = rules.rewardErgoTrees?.map((t) => t.toLowerCase());
  const isReward = trees
    ? (t: string) => trees.includes(t.toLowerCase())
    : (t: string) => isMinerRewardTreeOf(t, rules.poolPublicKey);
  const reward = blockRewardOf(view.transactions, isReward);
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
