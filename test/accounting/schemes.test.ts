import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BlockCreditInput,
  type CreditShare,
  NO_FEE,
  PplnsWindow,
  parseFees,
  pplnsCredits,
  ppsBlockCredits,
  propCredits,
  ratioText,
  soloCredits,
} from '../../src/accounting/index.ts';
import { byParty, r, ratioEq, rng, share, total } from './helpers.ts';

const fee = (percent: string) => parseFees([{ address: 'FEE', percent }]);
const input = (reward: bigint, fees = NO_FEE, finder = 'A'): BlockCreditInput => ({ reward, fees, finder });

describe('SOLO', () => {
  const cases: { name: string; reward: bigint; percent: string; want: Record<string, bigint> }[] = [
    { name: 'no fee', reward: 3_000_000_000n, percent: '0', want: { 'miner:A': 3_000_000_000n } },
    {
      name: '1.5 % fee',
      reward: 3_000_000_000n,
      percent: '1.5',
      want: { 'fee:FEE': 45_000_000n, 'miner:A': 2_955_000_000n },
    },
    {
      name: 'fee rounding: 1.5 % of 1,000,000,007',
      reward: 1_000_000_007n,
      percent: '1.5', // fee 15,000,000.105 → 15,000,000; finder 985,000,006.895 → 985,000,007
      want: { 'fee:FEE': 15_000_000n, 'miner:A': 985_000_007n },
    },
    { name: 'zero reward', reward: 0n, percent: '1', want: {} },
    { name: '100 % fee', reward: 10n, percent: '100', want: { 'fee:FEE': 10n } },
    { name: 'dust: 1 nanoERG, 1 % fee', reward: 1n, percent: '1', want: { 'miner:A': 1n } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { credits } = soloCredits(input(c.reward, fee(c.percent)));
      assert.deepEqual(byParty(credits), c.want);
      assert.equal(total(credits), c.reward);
    });
  }
  it('several fee recipients', () => {
    const fees = parseFees([
      { address: 'OPS', percent: '1' },
      { address: 'DEV', percent: '0.5' },
    ]);
    const { credits } = soloCredits(input(2_000_000_000n, fees));
    assert.deepEqual(byParty(credits), {
      'fee:OPS': 20_000_000n,
      'fee:DEV': 10_000_000n,
      'miner:A': 1_970_000_000n,
    });
  });
});

describe('PPLNS', () => {
  // Network difficulty 100 unless said otherwise: a share of h hashes weighs h / 100; factor 2 = 200 hashes.
  const cases: {
    name: string;
    reward: bigint;
    percent?: string;
    factor?: string;
    shares: CreditShare[]; // newest first
    want: Record<string, bigint>;
    full: boolean;
    weight: string;
    boundary?: { address: string; counted: string } | null;
  }[] = [
    {
      name: 'one share (window not full): the whole reward to it',
      reward: 1000n,
      shares: [share('A', 50)],
      want: { 'miner:A': 1000n },
      full: false,
      weight: '0.5',
      boundary: null,
    },
    {
      name: 'boundary inside a share: it counts only for the part inside',
      reward: 1000n,
      shares: [share('A', 150), share('B', 100), share('C', 100)],
      want: { 'miner:A': 750n, 'miner:B': 250n },
      full: true,
      weight: '2',
      boundary: { address: 'B', counted: '0.5' },
    },
    {
      name: 'boundary exactly at a share end: that share counts in full, the next not at all',
      reward: 1000n,
      shares: [share('A', 100), share('B', 100), share('C', 100)],
      want: { 'miner:A': 500n, 'miner:B': 500n },
      full: true,
      weight: '2',
      boundary: { address: 'B', counted: '1' },
    },
    {
      name: 'unfilled window: the shares present get everything in proportion',
      reward: 100n,
      shares: [share('A', 30), share('B', 10)],
      want: { 'miner:A': 75n, 'miner:B': 25n },
      full: false,
      weight: '0.4',
      boundary: null,
    },
    {
      name: 'weights use the network difficulty at each share’s time',
      reward: 2000n,
      // A: 100/100 = 1; B: 200/400 = 0.5; C: 300/200 = 1.5 → 0.5 inside
      shares: [share('A', 100, 100), share('B', 200, 400), share('C', 300, 200)],
      want: { 'miner:A': 1000n, 'miner:B': 500n, 'miner:C': 500n },
      full: true,
      weight: '2',
      boundary: { address: 'C', counted: '0.5' },
    },
    {
      name: 'a single share bigger than the window',
      reward: 999n,
      shares: [share('A', 1000), share('B', 1)],
      want: { 'miner:A': 999n },
      full: true,
      weight: '2',
      boundary: { address: 'A', counted: '2' },
    },
    {
      name: 'workers of one address are merged',
      reward: 90n,
      shares: [share('A', 20), share('B', 20), share('A', 20)],
      want: { 'miner:A': 60n, 'miner:B': 30n },
      full: false,
      weight: '0.6',
      boundary: null,
    },
    {
      name: 'fee rounding with a tie between miners (ties by address)',
      reward: 1_000_000_007n,
      percent: '1.5',
      // fee 15,000,000.105; each miner 492,500,003.4475 → the leftover nanoERG goes to A
      shares: [share('B', 100), share('A', 100)],
      want: { 'fee:FEE': 15_000_000n, 'miner:A': 492_500_004n, 'miner:B': 492_500_003n },
      full: true,
      weight: '2',
      boundary: { address: 'A', counted: '1' },
    },
    {
      name: 'factor 0.5',
      reward: 100n,
      factor: '0.5',
      shares: [share('A', 40), share('B', 40)],
      want: { 'miner:A': 80n, 'miner:B': 20n },
      full: true,
      weight: '0.5',
      boundary: { address: 'B', counted: '0.1' },
    },
    {
      name: 'zero reward credits nothing',
      reward: 0n,
      percent: '1',
      shares: [share('A', 100)],
      want: {},
      full: false,
      weight: '1',
    },
    {
      name: 'dust: 2 nanoERG over three equal miners',
      reward: 2n,
      shares: [share('C', 10), share('B', 10), share('A', 10)],
      want: { 'miner:A': 1n, 'miner:B': 1n },
      full: false,
      weight: '0.3',
    },
    {
      name: 'no shares at all: the finder gets the miners’ part (explicit rule)',
      reward: 100n,
      percent: '1',
      shares: [],
      want: { 'fee:FEE': 1n, 'miner:A': 99n },
      full: false,
      weight: '0',
      boundary: null,
    },
    {
      name: 'zero-weight shares only: the finder gets it',
      reward: 10n,
      shares: [share('B', 0)],
      want: { 'miner:A': 10n },
      full: false,
      weight: '0',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const factor = c.factor === '0.5' ? r(1, 2) : r(2);
      const res = pplnsCredits(input(c.reward, fee(c.percent ?? '0')), c.shares, factor);
      assert.deepEqual(byParty(res.credits), c.want);
      assert.equal(total(res.credits), c.reward);
      assert.equal(res.window!.full, c.full);
      assert.equal(ratioText(res.window!.weight), c.weight);
      if (c.boundary !== undefined) {
        const b = res.window!.boundary;
        assert.deepEqual(b && { address: b.address, counted: ratioText(b.counted) }, c.boundary);
      }
    });
  }

  it('stops consuming shares once full (incremental use)', () => {
    const w = new PplnsWindow(r(1));
    assert.equal(w.add(share('A', 60)), true);
    assert.equal(w.full, false);
    assert.equal(w.add(share('B', 60)), true);
    assert.equal(w.full, true);
    assert.equal(w.add(share('C', 60)), false);
    assert.equal(w.summary().shares, 2);
  });

  it('refuses a non-positive factor and bad shares', () => {
    assert.throws(() => new PplnsWindow(r(0)), /positive/);
    assert.throws(() => new PplnsWindow(r(1)).add(share('A', 1, 0)), /networkDifficulty/);
    assert.throws(() => new PplnsWindow(r(1)).add(share('A', -1)), /expectedHashes/);
  });

  it('random windows agree with a brute-force exact reference', () => {
    const next = rng(42);
    for (let round = 0; round < 150; round++) {
      const n = 1 + Math.floor(next() * 40);
      const ds = [97n, 100n, 1_000_003n, 12_345n];
      const shares = Array.from({ length: n }, (_, k) =>
        share(
          `M${Math.floor(next() * 6)}`,
          BigInt(Math.floor(next() * 5000)),
          ds[Math.floor(next() * (round % 4 === 0 ? 1 : ds.length))]!,
          `s${k}`,
        ),
      );
      const factor = r(1 + Math.floor(next() * 5), 1 + Math.floor(next() * 3));
      const reward = BigInt(Math.floor(next() * 1e9));
      const res = pplnsCredits(input(reward, fee('1.5')), shares, factor);
      // Reference: plain rational arithmetic, share by share.
      const inside = new Map<string, { num: bigint; den: bigint }>();
      let left = { ...factor };
      for (const s of shares) {
        if (left.num === 0n) break;
        const w = { num: s.expectedHashes, den: s.networkDifficulty };
        const take = w.num * left.den >= left.num * w.den ? left : w;
        const prev = inside.get(s.address) ?? { num: 0n, den: 1n };
        inside.set(s.address, { num: prev.num * take.den + take.num * prev.den, den: prev.den * take.den });
        left = { num: left.num * take.den - take.num * left.den, den: left.den * take.den };
      }
      let sumW = { num: 0n, den: 1n };
      for (const w of inside.values())
        sumW = { num: sumW.num * w.den + w.num * sumW.den, den: sumW.den * w.den };
      assert.equal(total(res.credits), reward);
      assert.ok(ratioEq(res.window!.weight, sumW), `window weight round ${round}`);
      if (sumW.num === 0n) continue;
      const got = byParty(res.credits);
      for (const [address, w] of inside) {
        // exact = reward × 0.985 × w / W
        const num = reward * 985n * w.num * sumW.den;
        const den = 1000n * w.den * sumW.num;
        const floor = num / den;
        const credit = got[`miner:${address}`] ?? 0n;
        assert.ok(
          credit === floor || credit === floor + 1n,
          `round ${round} ${address}: ${credit} vs ${floor}`,
        );
      }
    }
  });

  it('many miners: 2,000 miners and 20,000 shares sum exactly', () => {
    const next = rng(3);
    const shares = Array.from({ length: 20_000 }, (_, k) =>
      share(
        `9miner${Math.floor(next() * 2000)}`,
        BigInt(1 + Math.floor(next() * 1e6)),
        1_000_000_000n + BigInt(k >> 10),
        `s${k}`,
      ),
    );
    const reward = 3_000_000_000n + 123_456_789n;
    const res = pplnsCredits(input(reward, fee('0.9')), shares, r(2));
    assert.equal(total(res.credits), reward);
    assert.ok(res.credits.length > 1000);
  });
});

describe('PROP', () => {
  it('weights the round’s shares by expected hashes ÷ network difficulty', () => {
    const res = propCredits(input(1000n), [share('A', 100, 100), share('B', 100, 200), share('A', 50, 100)]);
    // A: 1 + 0.5 = 1.5, B: 0.5 → 750 / 250
    assert.deepEqual(byParty(res.credits), { 'miner:A': 750n, 'miner:B': 250n });
  });
  it('with a fee and a constant network difficulty it is by difficulty', () => {
    const res = propCredits(input(10_000n, fee('2')), [share('A', 3), share('B', 1)]);
    assert.deepEqual(byParty(res.credits), { 'fee:FEE': 200n, 'miner:A': 7350n, 'miner:B': 2450n });
  });
  it('an empty round goes to the finder', () => {
    const res = propCredits(input(5n, NO_FEE, 'F'), []);
    assert.deepEqual(byParty(res.credits), { 'miner:F': 5n });
    assert.equal(res.fallback, 'no-shares');
  });
});

describe('PPS block', () => {
  it('the whole block reward goes to the pool account', () => {
    assert.deepEqual(ppsBlockCredits(15_000_000_000n).credits, [
      { address: '@pool', kind: 'pool', amount: 15_000_000_000n },
    ]);
    assert.deepEqual(ppsBlockCredits(0n).credits, []);
  });
});
