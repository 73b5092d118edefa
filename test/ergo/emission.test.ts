import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  COINS_TOTAL,
  EIP27_ACTIVATION_HEIGHT,
  emissionAtHeight,
  issuedCoinsAfterHeight,
  minerRewardAt,
  minersRewardAtHeight,
  NANOERG_PER_ERG,
  reemissionForHeight,
} from '../../src/ergo/index.ts';

/** ERG with up to 9 decimals as exact nanoERG ("67.5" → 67_500_000_000n). */
function erg(text: string): bigint {
  const [whole, frac = ''] = text.split('.');
  return BigInt(whole!) * NANOERG_PER_ERG + BigInt(frac.padEnd(9, '0'));
}

describe('emission (protocol.md B.7)', () => {
  const cases: { height: number; emission: string; gross: string; reemission: string; net: string }[] = [
    { height: 1, emission: '75', gross: '67.5', reemission: '0', net: '67.5' },
    { height: 525_599, emission: '75', gross: '67.5', reemission: '0', net: '67.5' },
    { height: 525_600, emission: '72', gross: '67.5', reemission: '0', net: '67.5' },
    { height: 655_199, emission: '69', gross: '67.5', reemission: '0', net: '67.5' },
    { height: 655_200, emission: '66', gross: '66', reemission: '0', net: '66' },
    { height: EIP27_ACTIVATION_HEIGHT - 1, emission: '63', gross: '63', reemission: '0', net: '63' },
    { height: EIP27_ACTIVATION_HEIGHT, emission: '63', gross: '63', reemission: '12', net: '51' },
    { height: 1_432_800, emission: '30', gross: '30', reemission: '12', net: '18' },
    { height: 1_500_000, emission: '27', gross: '27', reemission: '12', net: '15' },
    { height: 1_562_399, emission: '27', gross: '27', reemission: '12', net: '15' },
    { height: 1_562_400, emission: '24', gross: '24', reemission: '12', net: '12' },
    { height: 1_600_000, emission: '24', gross: '24', reemission: '12', net: '12' },
    { height: 1_700_000, emission: '18', gross: '18', reemission: '12', net: '6' },
    { height: 1_800_000, emission: '15', gross: '15', reemission: '12', net: '3' },
    { height: 1_925_000, emission: '9', gross: '9', reemission: '6', net: '3' },
    { height: 2_080_799, emission: '3', gross: '3', reemission: '0', net: '3' },
    { height: 2_080_800, emission: '0', gross: '3', reemission: '0', net: '3' },
  ];
  for (const c of cases) {
    it(`height ${c.height}: emission ${c.emission}, miner box ${c.gross}, re-emission ${c.reemission}, net ${c.net} ERG`, () => {
      assert.equal(emissionAtHeight(c.height), erg(c.emission));
      assert.equal(reemissionForHeight(c.height), erg(c.reemission));
      const reward = minerRewardAt(c.height);
      assert.equal(reward.gross, erg(c.gross));
      assert.equal(reward.reemissionTokens, erg(c.reemission));
      assert.equal(reward.net, erg(c.net));
      if (c.height < 2_080_800) assert.equal(minersRewardAtHeight(c.height), erg(c.gross));
    });
  }

  it('COINS_TOTAL is 97,739,925 ERG and emission ends there', () => {
    assert.equal(COINS_TOTAL, erg('97739925'));
    assert.equal(issuedCoinsAfterHeight(3_000_000), COINS_TOTAL);
  });

  it('issued coins grow by the emission of each height', () => {
    for (const h of [525_599, 525_600, 1_500_000, 1_562_400])
      assert.equal(issuedCoinsAfterHeight(h) - issuedCoinsAfterHeight(h - 1), emissionAtHeight(h));
  });
});
