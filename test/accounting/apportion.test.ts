import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apportion, type Claim, parseDecimal, parseFees, ratioText } from '../../src/accounting/index.ts';
import { byParty, r, rng, total } from './helpers.ts';

const miner = (address: string, num: number, den = 1): Claim => ({
  address,
  kind: 'miner',
  weight: r(num, den),
});

describe('apportion (largest remainder, ties by address)', () => {
  const cases: { name: string; total: bigint; claims: Claim[]; want: Record<string, bigint> }[] = [
    { name: 'one party takes all', total: 7n, claims: [miner('A', 3)], want: { 'miner:A': 7n } },
    {
      name: 'even split',
      total: 10n,
      claims: [miner('A', 1), miner('B', 1)],
      want: { 'miner:A': 5n, 'miner:B': 5n },
    },
    {
      name: 'tie on remainder goes to the smaller address',
      total: 1n,
      claims: [miner('B', 1), miner('A', 1)],
      want: { 'miner:A': 1n },
    },
    {
      name: 'three-way tie: one nanoERG each for the first two addresses',
      total: 2n,
      claims: [miner('C', 1), miner('B', 1), miner('A', 1)],
      want: { 'miner:A': 1n, 'miner:B': 1n },
    },
    {
      name: 'largest remainder wins over address order',
      total: 10n,
      claims: [miner('A', 1, 3), miner('B', 2, 3)], // 3.33 / 6.67
      want: { 'miner:A': 3n, 'miner:B': 7n },
    },
    {
      name: 'same address twice is merged',
      total: 9n,
      claims: [miner('A', 1), miner('B', 1), miner('A', 1)],
      want: { 'miner:A': 6n, 'miner:B': 3n },
    },
    {
      name: 'same address as fee and miner stays two credits',
      total: 100n,
      claims: [miner('A', 99), { address: 'A', kind: 'fee', weight: r(1) }],
      want: { 'miner:A': 99n, 'fee:A': 1n },
    },
    { name: 'zero total', total: 0n, claims: [miner('A', 1)], want: {} },
    {
      name: 'zero weights are ignored',
      total: 5n,
      claims: [miner('A', 0), miner('B', 1)],
      want: { 'miner:B': 5n },
    },
    {
      name: 'dust: one nanoERG among many goes to the largest remainder',
      total: 1n,
      claims: [miner('A', 1), miner('B', 2), miner('C', 1)],
      want: { 'miner:B': 1n },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const credits = apportion(c.total, c.claims);
      assert.deepEqual(byParty(credits), c.want);
      assert.equal(total(credits), c.total);
    });
  }

  it('does not depend on the order of the claims', () => {
    const claims = [miner('D', 7, 3), miner('A', 1, 7), miner('C', 5), miner('B', 5)];
    const a = apportion(1_000_003n, claims);
    const b = apportion(1_000_003n, [...claims].reverse());
    assert.deepEqual(a, b);
  });

  it('refuses a positive amount over zero weight, negative weights and totals', () => {
    assert.throws(() => apportion(1n, []), /zero weight/);
    assert.throws(() => apportion(1n, [miner('A', 0)]), /zero weight/);
    assert.throws(() => apportion(1n, [miner('A', -1)]), /negative/);
    assert.throws(() => apportion(-1n, [miner('A', 1)]), /non-negative/);
  });

  it('random claims: Σ = total and every credit is floor or floor + 1 of its exact share', () => {
    const next = rng(7);
    for (let round = 0; round < 300; round++) {
      const n = 1 + Math.floor(next() * 12);
      const claims = Array.from({ length: n }, (_, k) =>
        miner(`M${k}`, Math.floor(next() * 1000), 1 + Math.floor(next() * 50)),
      );
      const amount = BigInt(Math.floor(next() * 1e6));
      const weights = claims.map((c) => c.weight);
      const den = weights.reduce((d, w) => d * w.den, 1n);
      const nums = weights.map((w) => w.num * (den / w.den));
      const sum = nums.reduce((a, b) => a + b, 0n);
      if (sum === 0n) continue;
      const credits = byParty(apportion(amount, claims));
      assert.equal(
        Object.values(credits).reduce((a, b) => a + b, 0n),
        amount,
      );
      claims.forEach((c, k) => {
        const exactFloor = (amount * nums[k]!) / sum;
        const got = credits[`miner:${c.address}`] ?? 0n;
        assert.ok(got === exactFloor || got === exactFloor + 1n, `${c.address}: ${got} vs ${exactFloor}`);
      });
    }
  });
});

describe('fees and decimals', () => {
  it('parses percentages exactly', () => {
    const f = parseFees([
      { address: 'A', percent: '1.5' },
      { address: 'B', percent: 0.25 },
      { address: 'C', percent: '0' },
    ]);
    assert.deepEqual(
      f.recipients.map((x) => [x.address, ratioText(x.rate, 6)]),
      [
        ['A', '0.015'],
        ['B', '0.0025'],
      ],
    );
    assert.equal(ratioText(f.total, 6), '0.0175');
  });
  const bad: [string, { address: string; percent: string }[], RegExp][] = [
    [
      'above 100 in total',
      [
        { address: 'A', percent: '60' },
        { address: 'B', percent: '40.1' },
      ],
      /above 100/,
    ],
    ['one above 100', [{ address: 'A', percent: '100.5' }], /above 100/],
    ['negative', [{ address: 'A', percent: '-1' }], /decimal/],
    ['not a number', [{ address: 'A', percent: '1,5' }], /decimal/],
    [
      'twice',
      [
        { address: 'A', percent: '1' },
        { address: 'A', percent: '1' },
      ],
      /twice/,
    ],
  ];
  for (const [name, recipients, re] of bad)
    it(`refuses ${name}`, () => assert.throws(() => parseFees(recipients), re));
  it('parses decimals without floats', () => {
    assert.deepEqual(parseDecimal('0.1'), { num: 1n, den: 10n });
    assert.deepEqual(parseDecimal('2'), { num: 2n, den: 1n });
    assert.deepEqual(parseDecimal('1e-3'), { num: 1n, den: 1000n });
    assert.deepEqual(parseDecimal('33.333333333333333333'), { num: 33333333333333333333n, den: 10n ** 18n });
  });
});
