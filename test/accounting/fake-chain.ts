import {
  type BlockHeader,
  type ErgoChainNode,
  type ErgoTransaction,
  minerRewardErgoTree,
  REEMISSION_TOKEN_ID,
} from '../../src/ergo/index.ts';
import { erg } from './helpers.ts';

export const POOL_PK = `02${'ab'.repeat(32)}`;
export const OTHER_PK = `03${'cd'.repeat(32)}`;
let boxes = 0;

/** A scripted chain: per height the best header and its transactions; `fail` makes every call throw. */
export class FakeChain implements ErgoChainNode {
  tip = 0;
  fail = false;
  readonly blocks = new Map<number, { id: string; pk: string; n: string; txs: ErgoTransaction[] }>();
  private guard() {
    if (this.fail) throw new Error('connect ECONNREFUSED');
  }
  async info() {
    this.guard();
    return { fullHeight: this.tip };
  }
  async blockIdsAt(h: number) {
    this.guard();
    const b = this.blocks.get(h);
    return b && h <= this.tip ? [b.id] : [];
  }
  async blockHeader(id: string) {
    this.guard();
    const b = [...this.blocks.entries()].find(([, x]) => x.id === id);
    if (!b) return null;
    return { id, height: b[0], powSolutions: { pk: b[1].pk, n: b[1].n } } as unknown as BlockHeader;
  }
  async blockTransactions(id: string) {
    this.guard();
    const b = [...this.blocks.values()].find((x) => x.id === id);
    return b ? { headerId: id, transactions: b.txs, size: 0 } : null;
  }
  /** A block at h by the pool (nonce n): 9 ERG box with 6 ERG of re-emission tokens + a 0.5 ERG fee box. */
  ours(h: number, n: string, id = h.toString(16).padStart(64, '0')) {
    const tree = minerRewardErgoTree(POOL_PK, 720);
    const out = (value: bigint, assets: { tokenId: string; amount: bigint }[] = []) => ({
      boxId: (++boxes).toString(16).padStart(64, '0'),
      value,
      ergoTree: tree,
      assets,
      creationHeight: h,
      additionalRegisters: {},
      transactionId: id,
      index: 0,
    });
    const tx = (outputs: ErgoTransaction['outputs']) => ({
      id,
      inputs: [],
      dataInputs: [],
      outputs,
      size: 0,
    });
    this.blocks.set(h, {
      id,
      pk: POOL_PK,
      n,
      txs: [tx([out(erg('9'), [{ tokenId: REEMISSION_TOKEN_ID, amount: erg('6') }])]), tx([out(erg('0.5'))])],
    });
  }
  theirs(h: number, id = `ff${h.toString(16).padStart(62, '0')}`) {
    this.blocks.set(h, { id, pk: OTHER_PK, n: '0000000000000001', txs: [] });
  }
}

/** What FakeChain.ours pays the pool: 9 ERG − 6 ERG of re-emission tokens + 0.5 ERG of fees. */
export const REWARD = erg('3.5');
