import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  blockTarget,
  calcN,
  DIFF1_TARGET,
  decodeCompactBits,
  encodeCompactBits,
  expectedHashes,
  GROUP_ORDER_Q,
  isBlockSolution,
  meetsTarget,
  networkDifficultyInShareUnits,
  shareDifficultyOfTarget,
  shareTarget,
  TWO_POW_256,
  vlqUnsigned,
} from '../../src/autolykos/index.ts';
import { formatRatio, parseDifficulty, ratio } from '../../src/coin/index.ts';

describe('compact nBits', () => {
  const cases: [number, bigint][] = [
    [0x070239b8, 626412390187008n],
    [117759902, 1371769604669440n],
    [0x01003456, 0n],
    [0x01123456, 0x12n],
    [0x02123456, 0x1234n],
    [0x03123456, 0x123456n],
    [0x04123456, 0x12345600n],
    [0x05009234, 0x92340000n],
    [0x20123456, 0x1234560000000000000000000000000000000000000000000000000000000000n],
  ];
  for (const [bits, value] of cases) {
    it(`decodes 0x${bits.toString(16)}`, () => assert.equal(decodeCompactBits(bits), value));
  }
  const roundTrips: [bigint, number][] = [
    [626412390187008n, 0x070239b8],
    [0x80n, 0x02008000],
    [0x92340000n, 0x05009234],
    [1n, 0x01010000],
    [0n, 0x01000000],
    [0x123456789n, 0x05012345],
  ];
  for (const [value, bits] of roundTrips) {
    it(`encodes ${value}`, () => assert.equal(encodeCompactBits(value), bits));
  }
  it('refuses negative and out-of-range compact values', () => {
    assert.throws(() => decodeCompactBits(0x04923456), /negative/);
    assert.throws(() => decodeCompactBits(2 ** 32), /uint32/);
  });
  it('round-trips through encode(decode(x)) for canonical values', () => {
    for (let exp = 4; exp < 33; exp++) {
      const bits = (exp << 24) | 0x5a3c1f;
      assert.equal(encodeCompactBits(decodeCompactBits(bits)), bits);
    }
  });
});

describe('N schedule edges', () => {
  const cases: [number, number][] = [
    [0, 67108864],
    [614399, 67108864],
    [614400, 70464240],
    [665599, 70464240],
    [665600, 73987410],
    [4198399, 2041852050],
    [4198400, 2143944600],
    [4249600, 2143944600],
    [2 ** 31 - 1, 2143944600],
  ];
  for (const [height, n] of cases) it(`N(${height}) = ${n}`, () => assert.equal(calcN(height), n));
  it('rejects a negative or fractional height', () => {
    assert.throws(() => calcN(-1));
    assert.throws(() => calcN(1.5));
  });
});

describe('targets and share difficulty', () => {
  it('b = floor(q / D) and the strict block rule', () => {
    const b = blockTarget(626412390187008n);
    assert.equal(b, GROUP_ORDER_Q / 626412390187008n);
    assert.ok(isBlockSolution(b - 1n, b));
    assert.ok(!isBlockSolution(b, b), 'hit == b is not a block (node rule is strict)');
    assert.throws(() => blockTarget(0n));
  });

  const shareCases: [string, bigint][] = [
    ['1', DIFF1_TARGET],
    ['0.5', DIFF1_TARGET * 2n],
    ['2', DIFF1_TARGET / 2n],
    ['3', DIFF1_TARGET / 3n],
    ['0.001', DIFF1_TARGET * 1000n],
    ['100000', DIFF1_TARGET / 100000n],
  ];
  const hardB = GROUP_ORDER_Q / 1_000_000_000n;
  for (const [d, target] of shareCases) {
    it(`share difficulty ${d} → target Diff1/${d}`, () => {
      assert.equal(shareTarget(parseDifficulty(d), 1n), target);
    });
  }
  it('the share target is never harder than b', () => {
    const b = blockTarget(1000n);
    assert.equal(shareTarget(parseDifficulty('1000000'), b), b);
    assert.equal(shareTarget(parseDifficulty('0.000001'), hardB), DIFF1_TARGET * 1000000n);
  });
  it('difficulty of a target inverts the share target exactly', () => {
    assert.deepEqual(shareDifficultyOfTarget(DIFF1_TARGET / 4n), ratio(4n));
    assert.deepEqual(shareDifficultyOfTarget(DIFF1_TARGET), ratio(1n));
  });
  it('expected hashes: difficulty 1 is 2^256/Diff1 ≈ 2^32 · 65536/65535', () => {
    const e = expectedHashes(DIFF1_TARGET);
    assert.deepEqual(e, ratio(TWO_POW_256, DIFF1_TARGET));
    assert.equal(e.num / e.den, 4295032833n);
    assert.deepEqual(expectedHashes(TWO_POW_256 * 5n), ratio(1n), 'a target every hit meets costs one hash');
  });
  it('network difficulty in share units is about D / 2^32', () => {
    const D = 2_000_000_000_000_000n;
    const inShares = networkDifficultyInShareUnits(blockTarget(D));
    const approx = inShares.num / inShares.den;
    assert.ok(approx > 465_000n && approx < 466_000n, `${approx}`);
  });
  it('meetsTarget is strict', () => {
    assert.ok(meetsTarget(9n, 10n));
    assert.ok(!meetsTarget(10n, 10n));
  });
});

describe('decimal difficulty parsing', () => {
  const ok: [string, bigint, bigint][] = [
    ['1', 1n, 1n],
    ['0.5', 1n, 2n],
    ['12.250', 49n, 4n],
    ['1e-3', 1n, 1000n],
    ['2.5E2', 250n, 1n],
    ['0.000001', 1n, 1000000n],
  ];
  for (const [text, num, den] of ok)
    it(`parses ${text}`, () => assert.deepEqual(parseDifficulty(text), { num, den }));
  for (const bad of ['', '-1', '0', 'abc', '1/2', '1e999', 'NaN']) {
    it(`refuses "${bad}"`, () => assert.throws(() => parseDifficulty(bad), RangeError));
  }
  it('formats ratios for humans', () => {
    assert.equal(formatRatio(ratio(1n, 3n)), '0.333333');
    assert.equal(formatRatio(ratio(5n, 2n)), '2.5');
    assert.equal(formatRatio(ratio(7n)), '7');
  });
});

describe('VLQ', () => {
  const cases: [number | bigint, string][] = [
    [0, '00'],
    [127, '7f'],
    [128, '8001'],
    [471746, 'c2e51c'],
    [1618929697400n, 'f884ebfd8e2f'],
  ];
  for (const [value, hex] of cases) {
    it(`encodes ${value}`, () => assert.equal(Buffer.from(vlqUnsigned(value)).toString('hex'), hex));
  }
});
