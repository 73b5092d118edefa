import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimatedEarningsPerDay, luckOf, networkRate } from '../../src/stats/index.ts';

describe('network hashrate from headers', () => {
  it('Σ difficulty of blocks 2…n ÷ their time span, not difficulty ÷ 120 s', () => {
    const D = 2n * 10n ** 15n;
    // Four blocks 100, 140 and 60 s apart: three blocks of work in 300 s.
    const headers = [0, 100, 240, 300].map((s) => ({
      timestamp: 1_700_000_000_000 + s * 1000,
      difficulty: D,
    }));
    const r = networkRate(headers.reverse());
    assert.ok(r);
    assert.equal(r.meanBlockSeconds, 100);
    assert.equal(r.hashrate, Number(3n * D) / 300);
  });

  it('null with fewer than two headers or no time between them', () => {
    assert.equal(networkRate([]), null);
    assert.equal(networkRate([{ timestamp: 1, difficulty: 5n }]), null);
    assert.equal(
      networkRate([
        { timestamp: 1, difficulty: 5n },
        { timestamp: 1, difficulty: 5n },
      ]),
      null,
    );
  });
});

describe('luck', () => {
  it('the mean effort of the blocks whose effort is recorded', () => {
    assert.deepEqual(luckOf([0.5, null, 1.5, 1]), { blocks: 3, averageEffort: 1 });
    assert.deepEqual(luckOf([null]), { blocks: 0, averageEffort: null });
  });
});

describe('estimated earnings per day', () => {
  const D = 10n ** 15n; // expected hashes per block
  const reward = 6n * 10n ** 9n; // 6 ERG
  const base = { networkDifficulty: D, reward, fee: { num: 1n, den: 100n } };
  const table = [
    {
      name: 'PPS: the miner’s expected blocks per day × reward × (1 − fee)',
      input: { ...base, scheme: 'pps' as const, minerHashrate: 1e9, poolHashrate: 1e10, windowShare: null },
      // 1e9 H/s × 86 400 s ÷ 1e15 = 0.0864 blocks/day × 6 ERG × 0.99
      nano: 513_216_000n,
    },
    {
      name: 'SOLO: the same expectation',
      input: { ...base, scheme: 'solo' as const, minerHashrate: 1e9, poolHashrate: 1e10, windowShare: null },
      nano: 513_216_000n,
    },
    {
      name: 'PPLNS: its window share × the pool’s blocks per day × reward × (1 − fee)',
      input: { ...base, scheme: 'pplns' as const, minerHashrate: 1e9, poolHashrate: 1e10, windowShare: 0.1 },
      nano: 513_216_000n,
    },
    {
      name: 'PPLNS without a window share: nothing to estimate',
      input: { ...base, scheme: 'pplns' as const, minerHashrate: 1e9, poolHashrate: 1e10, windowShare: null },
      nano: 0n,
    },
    {
      name: 'no network difficulty yet: zero',
      input: {
        ...base,
        networkDifficulty: 0n,
        scheme: 'pps' as const,
        minerHashrate: 1e9,
        poolHashrate: 1e9,
        windowShare: null,
      },
      nano: 0n,
    },
  ];
  for (const row of table) it(row.name, () => assert.equal(estimatedEarningsPerDay(row.input), row.nano));
});
