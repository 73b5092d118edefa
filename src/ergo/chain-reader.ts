import type { BlockReward, ChainBlockAt, ChainReader } from '../coin/index.ts';
import { REEMISSION_TOKEN_ID } from './emission.ts';
import type { BlockHeader, BlockTransactions, ErgoTransaction, NodeInfo } from './wire.ts';

/** The node routes the block lifecycle reads (ErgoNodeClient has them all). */
export interface ErgoChainNode {
  info(): Promise<Pick<NodeInfo, 'fullHeight'>>;
  blockIdsAt(height: number): Promise<string[]>;
  blockHeader(headerId: string): Promise<BlockHeader | null>;
  blockTransactions(headerId: string): Promise<BlockTransactions | null>;
}

export interface ErgoChainReaderOptions {
  /**
   * Reward scripts (ErgoTree hex) of the pool. Default: any miner-reward script of the pool key (whatever
   * its delay), i.e. what the node's emission and fee-collection transactions pay.
   */
  rewardErgoTrees?: readonly string[];
}

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

/** Is this header the pool's block: mined with the pool key and the nonce the pool submitted? */
export function compareHeader(
  header: Pick<BlockHeader, 'id' | 'powSolutions'>,
  nonce: string,
  poolKey: string,
): ChainBlockAt {
  const keyMatches = header.powSolutions.pk.toLowerCase() === poolKey.toLowerCase();
  const nonceMatches = header.powSolutions.n.toLowerCase() === nonce.toLowerCase();
  if (keyMatches && nonceMatches) return { id: header.id, ours: true };
  return { id: header.id, ours: false, mismatch: keyMatches ? 'nonce' : 'key' };
}

function checkPoolKey(poolKey: string): void {
  if (!/^0[23][0-9a-fA-F]{64}$/.test(poolKey))
    throw new RangeError('the pool key must be 33 bytes compressed hex (/mining/rewardPublicKey)');
}

/** Ergo's chain as accounting reads it: headers by height from a node, rewards by the pool's reward scripts. */
export function ergoChainReader(node: ErgoChainNode, options: ErgoChainReaderOptions = {}): ChainReader {
  const trees = options.rewardErgoTrees?.map((t) => t.toLowerCase());
  return {
    async tipHeight() {
      const tip = (await node.info()).fullHeight;
      if (tip === null) throw new Error('the node has no full blocks yet');
      return tip;
    },
    async blockAt(height, nonce, poolKey) {
      checkPoolKey(poolKey);
      const bestId = (await node.blockIdsAt(height))[0];
      if (!bestId) return null;
      const header = await node.blockHeader(bestId);
      if (!header) throw new Error(`header ${bestId} not found`);
      return compareHeader(header, nonce, poolKey);
    },
    async rewardIn(id, poolKey) {
      checkPoolKey(poolKey);
      const block = await node.blockTransactions(id);
      if (!block) return null;
      const isReward = trees
        ? (t: string) => trees.includes(t.toLowerCase())
        : (t: string) => isMinerRewardTreeOf(t, poolKey);
      return blockRewardOf(block.transactions, isReward);
    },
  };
}
