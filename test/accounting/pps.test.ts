import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  NO_FEE,
  type PpsShare,
  parseFees,
  ppsCredits,
  ratioText,
  roundEffort,
  shareWeight,
  WeightSum,
} from '../../src/accounting/index.ts';
import {
  blockTarget,
  DIFF1_TARGET,
  expectedHashes,
  shareTarget,
  TWO_POW_256,
} from '../../src/autolykos/index.ts';
import { parseDifficulty, type Ratio } from '../../src/coin/index.ts';
import { ergoCoin } from '../../src/ergo/index.ts';
import { byParty, erg, r, rng, share, total } from './helpers.ts';

const pps = (address: string, hashes: number | bigint, d: number | bigint, height = 1_925_000): PpsShare => ({
  ...share(address, hashes, d),
  height,
});
const threeErg = () => 3_000_000_000n;

/** Ergo mainnet's rule (emission minus EIP-27 re-emission), as the composition passes it from the coin. */
const MAINNET_REWARD = ergoCoin('mainnet').rewards.blockReward;

describe('PPS share credits', () => {
  const cases: {
    name: string;
    shares: PpsShare[];
    percent?: string;
    rewardAt?: (h: number) => bigint;
    want: Record<string, bigint>;
    carry: string;
  }[] = [
    {
      name: 'one share: reward × hashes ÷ network difficulty',
      shares: [pps('A', 10, 1000)],
      rewardAt: threeErg,
      want: { 'miner:A': 30_000_000n },
      carry: '0',
    },
    {
      name: 'the fee is taken from the share value',
      shares: [pps('A', 10, 1000)],
      percent: '1',
      rewardAt: threeErg,
      want: { 'fee:FEE': 300_000n, 'miner:A': 29_700_000n },
      carry: '0',
    },
    {
      name: 'a share at twice the network difficulty is worth half',
      shares: [pps('A', 10, 1000), pps('B', 10, 2000)],
      rewardAt: threeErg,
      want: { 'miner:A': 30_000_000n, 'miner:B': 15_000_000n },
      carry: '0',
    },
    {
      name: 'the reward at each share’s height (mainnet emission, EIP-27 net)',
      // 1,500,000: 27 − 12 = 15 ERG; 1,562,400: 24 − 12 = 12 ERG
      shares: [pps('A', 1, 100, 1_500_000), pps('A', 1, 100, 1_562_400)],
      want: { 'miner:A': erg('0.27') },
      carry: '0',
    },
    {
      name: 'fractions below a nanoERG are carried, not lost',
      shares: [pps('A', 1, 3)],
      rewardAt: () => 10n,
      want: { 'miner:A': 3n },
      carry: '0.333333333',
    },
    {
      name: 'zero reward height: nothing',
      shares: [pps('A', 1, 3)],
      rewardAt: () => 0n,
      want: {},
      carry: '0',
    },
    { name: 'no shares: nothing', shares: [], want: {}, carry: '0' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const fees = c.percent ? parseFees([{ address: 'FEE', percent: c.percent }]) : NO_FEE;
      const res = ppsCredits({ shares: c.shares, fees, rewardAt: c.rewardAt ?? MAINNET_REWARD });
      assert.deepEqual(byParty(res.credits), c.want);
      assert.equal(total(res.credits), res.total);
      assert.equal(ratioText(res.carry), c.carry);
    });
  }

  it('carry over periods: credits equal the floor of the exact total', () => {
    let carry = r(0);
    let paid = 0n;
    for (let k = 0; k < 3; k++) {
      const res = ppsCredits({ shares: [pps('A', 1, 3)], fees: NO_FEE, rewardAt: () => 10n, carry });
      paid += res.total;
      carry = res.carry;
    }
    assert.equal(paid, 10n); // 3 × 10/3
    assert.equal(carry.num, 0n);
  });

  it('random periods with fees: Σ credits over periods = floor(Σ exact values)', () => {
    const next = rng(11);
    const fees = parseFees([
      { address: 'F1', percent: '1.1' },
      { address: 'F2', percent: '0.3' },
    ]);
    let carry = r(0);
    let credited = 0n;
    let exact = r(0);
    for (let period = 0; period < 50; period++) {
      const shares = Array.from({ length: 1 + Math.floor(next() * 20) }, () =>
        pps(
          `M${Math.floor(next() * 5)}`,
          1 + Math.floor(next() * 1e6),
          1_000_000_007 + Math.floor(next() * 3),
        ),
      );
      const res = ppsCredits({ shares, fees, rewardAt: () => 3_000_000_000n, carry });
      credited += res.total;
      assert.equal(total(res.credits), res.total);
      exact = { num: exact.num * res.value.den + res.value.num * exact.den, den: exact.den * res.value.den };
      carry = res.carry;
    }
    assert.equal(credited, exact.num / exact.den);
  });

  it('refuses a carry outside [0, 1) and negative rewards', () => {
    assert.throws(() => ppsCredits({ shares: [], fees: NO_FEE, rewardAt: threeErg, carry: r(1) }), /carry/);
    assert.throws(
      () => ppsCredits({ shares: [pps('A', 1, 1)], fees: NO_FEE, rewardAt: () => -1n }),
      /reward/,
    );
  });

  it("Ergo's reward rules: the net reward follows the emission schedule", () => {
    assert.equal(MAINNET_REWARD(1_925_000), erg('3'));
    assert.equal(MAINNET_REWARD(1_500_000), erg('15'));
    assert.equal(MAINNET_REWARD(700_000), erg('66'));
  });
});

/** What the stratum records for an Ergo share (AcceptedShare.expectedHashes): 2^256 / its target, floored. */
function expectedHashesOfShare(difficulty: Ratio, blockTargetB: bigint): bigint {
  const e = expectedHashes(shareTarget(difficulty, blockTargetB));
  return e.num / e.den;
}

describe('share weights', () => {
  it('weight = expected hashes ÷ network difficulty, exact', () => {
    assert.equal(ratioText(shareWeight(share('A', 50, 200))), '0.25');
  });
  it('expected hashes of a share of difficulty 1 are 2^256 / DIFF1 (≈ 2^32)', () => {
    const b = blockTarget(2_000_000_000_000_000n);
    assert.equal(expectedHashesOfShare(parseDifficulty('1'), b), TWO_POW_256 / DIFF1_TARGET);
    const d = parseDifficulty('0.5');
    const e = expectedHashes((DIFF1_TARGET * d.den) / d.num);
    assert.equal(expectedHashesOfShare(d, b), e.num / e.den);
  });
  it('a share harder than the network is clamped to the block target: weight ≈ 1', () => {
    const D = 1_000_000n;
    const h = expectedHashesOfShare(parseDifficulty('1000000'), blockTarget(D));
    const w = shareWeight({ expectedHashes: h, networkDifficulty: D });
    assert.equal(ratioText(w, 6), '1');
  });
  it('sums over several network difficulties exactly', () => {
    const s = new WeightSum();
    s.addHashes(1n, 3n);
    s.addHashes(1n, 6n);
    s.addRatio(r(1, 4));
    assert.deepEqual(s.toRatio(), { num: 3n, den: 4n });
    assert.equal(ratioText(roundEffort([share('A', 150, 100), share('B', 50, 100)])), '2');
  });
});
