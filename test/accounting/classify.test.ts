import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  blockRewardOf,
  type ChainView,
  type Classification,
  type ClassifyRules,
  classifyBlock,
  isMinerRewardTreeOf,
} from '../../src/accounting/index.ts';
import { type ErgoTransaction, minerRewardErgoTree, REEMISSION_TOKEN_ID } from '../../src/ergo/index.ts';
import { erg } from './helpers.ts';

const PK = `02${'ab'.repeat(32)}`;
const OTHER_PK = `03${'cd'.repeat(32)}`;
const NONCE = '00000000deadbeef';
const HEIGHT = 1000;
const TREE = minerRewardErgoTree(PK, 720);
const OTHER_TOKEN = 'ff'.repeat(32);

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

const RULES: ClassifyRules = {
  poolPublicKey: PK,
  confirmations: 720,
  orphanConfirmations: 3,
  giveUpAfter: 30,
};

function view(
  tip: number,
  header: { pk?: string; n?: string; id?: string } | null,
  txs = OUR_TXS,
): ChainView {
  return {
    ok: true,
    tipHeight: tip,
    bestHeader: header && {
      id: header.id ?? 'aa'.repeat(32),
      height: HEIGHT,
      powSolutions: { pk: header.pk ?? PK, n: header.n ?? NONCE },
    },
    transactions: txs,
  };
}

function summary(c: Classification): string {
  if (c.status === 'confirmed') return `confirmed reward=${c.reward.reward}`;
  if (c.status === 'orphaned') return `orphaned`;
  return `pending conf=${c.confirmations}${c.reward ? ` reward=${c.reward.reward}` : ''}${c.transient ? ' transient' : ''}`;
}

describe('block classification', () => {
  const net = erg('3') + erg('0.0021');
  const cases: { name: string; view: ChainView; rules?: Partial<ClassifyRules>; want: string }[] = [
    {
      name: 'node error: pending, transient',
      view: { ok: false, error: 'timeout' },
      want: 'pending conf=0 transient',
    },
    { name: 'node behind the height: pending', view: view(HEIGHT - 1, null), want: 'pending conf=0' },
    { name: 'ours, 1 confirmation', view: view(HEIGHT, {}), want: `pending conf=1 reward=${net}` },
    { name: 'ours, 719 confirmations', view: view(HEIGHT + 718, {}), want: `pending conf=719 reward=${net}` },
    {
      name: 'ours, 720 confirmations: confirmed',
      view: view(HEIGHT + 719, {}),
      want: `confirmed reward=${net}`,
    },
    {
      name: 'nonce compared case-insensitively',
      view: view(HEIGHT + 719, { n: NONCE.toUpperCase(), pk: PK.toUpperCase() }),
      want: `confirmed reward=${net}`,
    },
    {
      name: 'configurable confirmations',
      view: view(HEIGHT + 9, {}),
      rules: { confirmations: 10 },
      want: `confirmed reward=${net}`,
    },
    {
      name: 'another key leads, young: pending (a race can turn)',
      view: view(HEIGHT + 1, { pk: OTHER_PK }),
      want: 'pending conf=0',
    },
    {
      name: 'another key at the height, 3 deep: orphaned',
      view: view(HEIGHT + 2, { pk: OTHER_PK }),
      want: 'orphaned',
    },
    {
      name: 'our key, other nonce, deep: orphaned',
      view: view(HEIGHT + 100, { n: '0000000000000001' }),
      want: 'orphaned',
    },
    {
      name: 'no header at the height, tip just past: pending',
      view: view(HEIGHT + 5, null),
      want: 'pending conf=0',
    },
    {
      name: 'no header and far past: orphaned (never pending forever)',
      view: view(HEIGHT + 29, null),
      want: 'orphaned',
    },
    {
      name: 'ours but transactions unreadable: pending, transient',
      view: { ...view(HEIGHT + 800, {}), transactions: null } as ChainView,
      want: 'pending conf=0 transient',
    },
    {
      name: 'ours with no reward output (reward script misconfigured): pending, not lost',
      view: view(HEIGHT + 800, {}, [tx([{ value: 5n, tree: `0008cd${PK}` }])]),
      want: 'pending conf=801',
    },
    {
      name: 'explicit reward scripts',
      view: view(HEIGHT + 719, {}),
      rules: { rewardErgoTrees: [TREE] },
      want: `confirmed reward=${net}`,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(
        summary(classifyBlock({ height: HEIGHT, nonce: NONCE }, c.view, { ...RULES, ...c.rules })),
        c.want,
      );
    });
  }

  it('reports progress and the header id while pending', () => {
    const c = classifyBlock(
      { height: HEIGHT, nonce: NONCE },
      view(HEIGHT + 359, { id: 'bb'.repeat(32) }),
      RULES,
    );
    assert.equal(c.status, 'pending');
    if (c.status !== 'pending') return;
    assert.deepEqual(c.progress, { num: 360n, den: 720n });
    assert.equal(c.headerId, 'bb'.repeat(32));
    assert.equal(c.onChain, true);
  });

  it('names the competing block of an orphan', () => {
    const c = classifyBlock(
      { height: HEIGHT, nonce: NONCE },
      view(HEIGHT + 5, { pk: OTHER_PK, id: 'cc'.repeat(32) }),
      RULES,
    );
    assert.deepEqual(c.status === 'orphaned' && c.bestHeaderId, 'cc'.repeat(32));
  });

  it('refuses bad rules', () => {
    assert.throws(
      () => classifyBlock({ height: 1, nonce: NONCE }, view(1, {}), { ...RULES, poolPublicKey: 'xx' }),
      /poolPublicKey/,
    );
    assert.throws(
      () => classifyBlock({ height: 1, nonce: NONCE }, view(1, {}), { ...RULES, confirmations: 0 }),
      /confirmations/,
    );
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
