import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BlockReward,
  type ChainView,
  type Classification,
  type ClassifyRules,
  classifyBlock,
} from '../../src/accounting/index.ts';
import { erg } from './helpers.ts';

// The block lifecycle's rules over what a coin's chain reader says (test/ergo/chain-reader.test.ts reads
// Ergo's chain into these views).
const NONCE = '00000000deadbeef';
const HEIGHT = 1000;

/** 9 ERG to the pool's reward script with 6 ERG owed to re-emission, plus a 0.0021 ERG fee box. */
const OUR_REWARD: BlockReward = {
  gross: erg('9.0021'),
  reemission: erg('6'),
  reward: erg('3.0021'),
  emission: erg('9'),
  fees: erg('0.0021'),
  boxIds: ['01', '02'],
};

const RULES: ClassifyRules = { confirmations: 720, orphanConfirmations: 3, giveUpAfter: 30 };

function view(
  tip: number,
  best: { ours?: boolean; mismatch?: string; id?: string } | null,
  reward: BlockReward | null = OUR_REWARD,
): ChainView {
  return {
    ok: true,
    tipHeight: tip,
    best: best && {
      id: best.id ?? 'aa'.repeat(32),
      ours: best.ours ?? true,
      ...(best.mismatch ? { mismatch: best.mismatch } : {}),
    },
    reward: best?.ours === false ? null : reward,
  };
}

function summary(c: Classification): string {
  if (c.status === 'confirmed') return `confirmed reward=${c.reward.reward}`;
  if (c.status === 'orphaned') return `orphaned`;
  return `pending conf=${c.confirmations}${c.reward ? ` reward=${c.reward.reward}` : ''}${c.transient ? ' transient' : ''}`;
}

describe('block classification', () => {
  const net = erg('3.0021');
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
      name: 'configurable confirmations',
      view: view(HEIGHT + 9, {}),
      rules: { confirmations: 10 },
      want: `confirmed reward=${net}`,
    },
    {
      name: 'another key leads, young: pending (a race can turn)',
      view: view(HEIGHT + 1, { ours: false, mismatch: 'key' }),
      want: 'pending conf=0',
    },
    {
      name: 'another key at the height, 3 deep: orphaned',
      view: view(HEIGHT + 2, { ours: false, mismatch: 'key' }),
      want: 'orphaned',
    },
    {
      name: 'our key, other nonce, deep: orphaned',
      view: view(HEIGHT + 100, { ours: false, mismatch: 'nonce' }),
      want: 'orphaned',
    },
    {
      name: 'no block at the height, tip just past: pending',
      view: view(HEIGHT + 5, null),
      want: 'pending conf=0',
    },
    {
      name: 'no block and far past: orphaned (never pending forever)',
      view: view(HEIGHT + 29, null),
      want: 'orphaned',
    },
    {
      name: 'ours but its reward unreadable: pending, transient',
      view: view(HEIGHT + 800, {}, null),
      want: 'pending conf=0 transient',
    },
    {
      name: 'ours with no reward output (reward script misconfigured): pending, not lost',
      view: view(
        HEIGHT + 800,
        {},
        { gross: 0n, reemission: 0n, reward: 0n, emission: 0n, fees: 0n, boxIds: [] },
      ),
      want: 'pending conf=801',
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
      view(HEIGHT + 5, { ours: false, mismatch: 'key', id: 'cc'.repeat(32) }),
      RULES,
    );
    assert.deepEqual(c.status === 'orphaned' && c.bestHeaderId, 'cc'.repeat(32));
  });

  it('refuses bad rules', () => {
    assert.throws(
      () => classifyBlock({ height: 1, nonce: NONCE }, view(1, {}), { ...RULES, confirmations: 0 }),
      /confirmations/,
    );
  });
});
