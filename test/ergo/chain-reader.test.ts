import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BlockHeader,
  blockRewardOf,
  type ErgoChainNode,
  type ErgoTransaction,
  ergoChainReader,
  isMinerRewardTreeOf,
  minerRewardErgoTree,
  NANOERG_PER_ERG,
  REEMISSION_TOKEN_ID,
} from '../../src/ergo/index.ts';

// Ergo's chain as accounting reads it: which block at a height is the pool's (key and nonce), and the
// pool's reward in it from its reward-script outputs, net of EIP-27 re-emission tokens.

const PK = `02${'ab'.repeat(32)}`;
const OTHER_PK = `03${'cd'.repeat(32)}`;
const NONCE = '00000000deadbeef';
const HEIGHT = 1000;
const TREE = minerRewardErgoTree(PK, 720);
const OTHER_TOKEN = 'ff'.repeat(32);
const erg = (text: string) => {
  const [whole, frac = ''] = text.split('.');
  return BigInt(whole!) * NANOERG_PER_ERG + BigInt(frac.padEnd(9, '0'));
};

let boxes = 0;
function tx(outputs: { value: bigint; tree?: string; assets?: [string, bigint][] }[]): ErgoTransaction {
  const id = (++boxes).toString(16).padStart(64, '0');
  return {
    id,
    inputs: [],
    dataInputs: [],
    size: 100,
    outputs: outputs.map((o, index) => ({
      boxId: `${(++boxes).toString(16).padStart(64, '0')}`,
      value: o.value,
      ergoTree: o.tree ?? TREE,
      assets: (o.assets ?? []).map(([tokenId, amount]) => ({ tokenId, amount })),
      creationHeight: HEIGHT,
      additionalRegisters: {},
      transactionId: id,
      index,
    })),
  };
}

/** Emission tx (box 0: the emission contract, box 1: our 9 ERG reward with 6 ERG of re-emission tokens) + a fee box. */
const OUR_TXS = [
  tx([
    { value: erg('1000000'), tree: '101004020e36100204a00b08cd0279be' },
    { value: erg('9'), assets: [[REEMISSION_TOKEN_ID, erg('6')]] },
  ]),
  tx([{ value: erg('0.0021') }]),
];

/** One node holding one block at HEIGHT (or none), its header and its transactions (null: unreadable). */
function node(block: { pk?: string; n?: string; txs?: ErgoTransaction[] | null; header?: boolean } | null) {
  const id = 'aa'.repeat(32);
  const calls: string[] = [];
  const chain: ErgoChainNode = {
    async info() {
      return { fullHeight: HEIGHT + 10 };
    },
    async blockIdsAt(h) {
      calls.push(`ids ${h}`);
      return block && h === HEIGHT ? [id] : [];
    },
    async blockHeader(headerId) {
      calls.push('header');
      if (!block || block.header === false || headerId !== id) return null;
      return { id, height: HEIGHT, powSolutions: { pk: block.pk ?? PK, n: block.n ?? NONCE } } as BlockHeader;
    },
    async blockTransactions(headerId) {
      calls.push('transactions');
      if (!block || headerId !== id || block.txs === null) return null;
      return { headerId: id, transactions: block.txs ?? OUR_TXS, size: 0 };
    },
  };
  return { chain, calls, id };
}

describe("Ergo's chain reader", () => {
  it('the tip is the full height; a node without full blocks is an error (transient for accounting)', async () => {
    assert.equal(await ergoChainReader(node(null).chain).tipHeight(), HEIGHT + 10);
    const fresh = { ...node(null).chain, info: async () => ({ fullHeight: null }) };
    await assert.rejects(ergoChainReader(fresh).tipHeight(), /no full blocks/);
  });

  it("the pool's block: its key and nonce, compared case-insensitively", async () => {
    const { chain, id } = node({ pk: PK.toUpperCase(), n: NONCE.toUpperCase() });
    assert.deepEqual(await ergoChainReader(chain).blockAt(HEIGHT, NONCE, PK), { id, ours: true });
  });

  it('another key or another nonce is not ours, and says which', async () => {
    const reader = (b: { pk?: string; n?: string }) => ergoChainReader(node(b).chain);
    assert.equal((await reader({ pk: OTHER_PK }).blockAt(HEIGHT, NONCE, PK))?.mismatch, 'key');
    assert.equal((await reader({ n: '0000000000000001' }).blockAt(HEIGHT, NONCE, PK))?.mismatch, 'nonce');
  });

  it('no block at the height is null; a block id without its header is an error', async () => {
    assert.equal(await ergoChainReader(node(null).chain).blockAt(HEIGHT, NONCE, PK), null);
    await assert.rejects(
      ergoChainReader(node({ header: false }).chain).blockAt(HEIGHT, NONCE, PK),
      /not found/,
    );
  });

  it("the pool's reward: its reward-script outputs net of re-emission; unreadable transactions are null", async () => {
    const { chain, id } = node({});
    const reward = await ergoChainReader(chain).rewardIn(id, PK);
    assert.equal(reward?.gross, erg('9.0021'));
    assert.equal(reward?.reemission, erg('6'));
    assert.equal(reward?.reward, erg('3.0021'));
    assert.equal(reward?.emission, erg('9'));
    assert.equal(reward?.fees, erg('0.0021'));
    assert.equal(await ergoChainReader(node({ txs: null }).chain).rewardIn(id, PK), null);
  });

  it('explicit reward scripts replace the pool key’s reward script', async () => {
    const { chain, id } = node({});
    assert.equal(
      (await ergoChainReader(chain, { rewardErgoTrees: [TREE] }).rewardIn(id, PK))?.reward,
      erg('3.0021'),
    );
    const elsewhere = await ergoChainReader(chain, { rewardErgoTrees: [`0008cd${PK}`] }).rewardIn(id, PK);
    assert.deepEqual(elsewhere?.boxIds, []);
  });

  it('refuses a pool key that is not 33 bytes of compressed hex', async () => {
    const reader = ergoChainReader(node({}).chain);
    await assert.rejects(reader.blockAt(HEIGHT, NONCE, 'xx'), /pool key/);
    await assert.rejects(reader.rewardIn('aa'.repeat(32), 'xx'), /pool key/);
  });
});

describe('reward from the chain', () => {
  const mine = (t: string) => isMinerRewardTreeOf(t, PK);
  it('subtracts only re-emission tokens, never "the first asset"', () => {
    const txs = [
      tx([
        {
          value: erg('9'),
          assets: [
            [OTHER_TOKEN, 5n],
            [REEMISSION_TOKEN_ID, erg('6')],
          ],
        },
      ]),
      tx([{ value: erg('0.5'), assets: [[OTHER_TOKEN, 1000n]] }]),
    ];
    const r = blockRewardOf(txs, mine);
    assert.equal(r.gross, erg('9.5'));
    assert.equal(r.reemission, erg('6'));
    assert.equal(r.reward, erg('3.5'));
    assert.equal(r.boxIds.length, 2);
  });
  it('ignores outputs to other scripts (the emission contract, other miners, the wallet key)', () => {
    const txs = [
      tx([
        { value: erg('1000'), tree: minerRewardErgoTree(OTHER_PK, 720) },
        { value: erg('1'), tree: `0008cd${PK}` },
        { value: erg('2') },
      ]),
    ];
    assert.equal(blockRewardOf(txs, mine).reward, erg('2'));
  });
  it('before EIP-27 the box carries no tokens: reward = value', () => {
    assert.equal(blockRewardOf([tx([{ value: erg('67.5') }])], mine).reward, erg('67.5'));
  });
  it('recognizes the reward script of the pool key whatever the delay', () => {
    for (const delay of [1, 5, 63, 64, 720, 100_000])
      assert.ok(isMinerRewardTreeOf(minerRewardErgoTree(PK, delay), PK), `${delay}`);
    assert.ok(!isMinerRewardTreeOf(minerRewardErgoTree(OTHER_PK, 720), PK));
    assert.ok(!isMinerRewardTreeOf(`0008cd${PK}`, PK));
    assert.ok(!isMinerRewardTreeOf(TREE.replace('100204a00b', '100204a0ab'), PK));
  });
  it('refuses tokens above the value (invalid block)', () => {
    assert.throws(
      () => blockRewardOf([tx([{ value: 1n, assets: [[REEMISSION_TOKEN_ID, 2n]] }])], mine),
      /exceed/,
    );
  });
});
