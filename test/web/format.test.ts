import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fillTemplate,
  formatAbsolute,
  formatCount,
  formatDifficulty,
  formatDuration,
  formatErg,
  formatErgExact,
  formatHashrate,
  formatPercent,
  formatRelative,
  parseNanoErg,
  searchableAddress,
  shortAddress,
} from '../../web/src/lib/format.ts';

describe('web format: ERG from the API’s decimal strings, exact', () => {
  const parse: [string, bigint][] = [
    ['0', 0n],
    ['1', 1_000_000_000n],
    ['1.5', 1_500_000_000n],
    ['0.000000001', 1n],
    ['67.5', 67_500_000_000n],
    ['-2.25', -2_250_000_000n],
    ['-0', 0n],
    ['97739924.999999999', 97_739_924_999_999_999n],
  ];
  for (const [text, nano] of parse) it(`parses ${text}`, () => assert.equal(parseNanoErg(text), nano));

  for (const bad of ['', '1.', '.5', '1.0000000001', '1e9', 'NaN', '1,5', ' ', '0x10', '--1']) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.throws(() => parseNanoErg(bad), /not an ERG amount/));
  }

  const shown: [string | bigint, Parameters<typeof formatErg>[1], string][] = [
    ['67.5', {}, '67.50'],
    ['0', {}, '0.00'],
    ['1', { minDecimals: 0 }, '1'],
    ['1234567.891', {}, '1,234,567.891'],
    ['0.12345', {}, '0.1235'], // half away from zero
    ['0.12344999', {}, '0.1234'],
    ['-0.12345', {}, '-0.1235'],
    ['0.00004999', {}, '<0.0001'],
    ['-0.00004', {}, '-<0.0001'],
    ['0.00005', {}, '0.0001'],
    ['9.99996', {}, '10.00'], // carries into the whole part
    ['0.000000001', { maxDecimals: 9 }, '0.000000001'],
    ['12.345678901', { maxDecimals: 9 }, '12.345678901'],
    ['33.000000001', { maxDecimals: 9 }, '33.000000001'],
    ['33.000000001', { maxDecimals: 4 }, '33.00'],
    ['0.5', { maxDecimals: 9 }, '0.50'],
    ['2.5', { maxDecimals: 0 }, '3'],
    [123_456_789_012n, {}, '123.4568'],
    // Through a float this would show 0.30000000000000004-style drift; bigint stays exact.
    ['0.300000001', { maxDecimals: 9 }, '0.300000001'],
    ['9007199.254740993', { maxDecimals: 9 }, '9,007,199.254740993'],
  ];
  for (const [value, format, text] of shown) {
    it(`shows ${String(value)} ${JSON.stringify(format)} as ${text}`, () =>
      assert.equal(formatErg(value, format), text));
  }

  it('shows every decimal for the exact form', () => {
    assert.equal(formatErgExact('1.100000000'), '1.1');
    assert.equal(formatErgExact('1000'), '1,000');
    assert.equal(formatErgExact('0.000000001'), '0.000000001');
  });
});

describe('web format: hashrates with units', () => {
  const cases: [number | null, string][] = [
    [null, '—'],
    [Number.NaN, '—'],
    [-1, '—'],
    [0, '0 H/s'],
    [1, '1 H/s'],
    [12.345, '12.3 H/s'],
    [999, '999 H/s'],
    [1000, '1.00 kH/s'],
    [1234, '1.23 kH/s'],
    [999_999, '1.00 MH/s'],
    [45_600_000, '45.6 MH/s'],
    [123_400_000_000, '123 GH/s'],
    [12.7e12, '12.7 TH/s'],
    [3.2e15, '3.20 PH/s'],
  ];
  for (const [h, text] of cases) it(`${h} → ${text}`, () => assert.equal(formatHashrate(h), text));
});

describe('web format: difficulty, percent, counts', () => {
  const difficulty: [string | null, string][] = [
    [null, '—'],
    ['abc', '—'],
    ['200', '200'],
    ['200000', '200 k'],
    ['1520000000000000', '1.52 P'],
    ['0.0001', '0.0001'],
  ];
  for (const [d, text] of difficulty)
    it(`difficulty ${d} → ${text}`, () => assert.equal(formatDifficulty(d), text));
  it('percent', () => {
    assert.equal(formatPercent(1.234), '123.4 %');
    assert.equal(formatPercent(0), '0.0 %');
    assert.equal(formatPercent(0.43216, 2), '43.22 %');
    assert.equal(formatPercent(null), '—');
  });
  it('counts', () => {
    assert.equal(formatCount(1925000), '1,925,000');
    assert.equal(formatCount(0), '0');
    assert.equal(formatCount(null), '—');
  });
});

describe('web format: times relative and absolute', () => {
  const now = Date.parse('2026-12-01T20:15:00.000Z');
  const relative: [string | null, string][] = [
    [null, '—'],
    ['garbage', '—'],
    ['2026-12-01T20:15:00.000Z', 'just now'],
    ['2026-12-01T20:14:57.000Z', 'just now'],
    ['2026-12-01T20:14:48.000Z', '12 s ago'],
    ['2026-12-01T20:10:00.000Z', '5 min ago'],
    ['2026-12-01T17:00:00.000Z', '3 h ago'],
    ['2026-11-29T20:15:00.000Z', '2 d ago'],
    ['2026-12-01T20:20:00.000Z', 'in 5 min'],
  ];
  for (const [iso, text] of relative)
    it(`${iso} → ${text}`, () => assert.equal(formatRelative(iso, now), text));
  it('absolute in UTC, whatever the local time zone', () => {
    assert.equal(formatAbsolute('2026-12-01T20:15:00.000Z'), '2026-12-01 20:15:00 UTC');
    assert.equal(formatAbsolute('2026-01-02T03:04:05+02:00'), '2026-01-02 01:04:05 UTC');
    assert.equal(formatAbsolute(null), '—');
    assert.equal(formatAbsolute('nope'), '—');
  });
  const durations: [number, string][] = [
    [0, '0 s'],
    [45, '45 s'],
    [90, '1 min 30 s'],
    [600, '10 min'],
    [5400, '1 h 30 min'],
    [86_400, '1 d'],
    [172_800 + 3600, '2 d 1 h'],
    [118, '1 min 58 s'],
  ];
  for (const [s, text] of durations)
    it(`duration ${s} s → ${text}`, () => assert.equal(formatDuration(s), text));
});

describe('web format: addresses and explorer links', () => {
  const address = '9fiKBhqDi8VHrEMnWcXhVR8uxa5Ys1jeVWh3kpJdBCiLd7bYQag';
  it('shortens', () => {
    assert.equal(shortAddress(address), '9fiKBh…bYQag');
    assert.equal(shortAddress('short'), 'short');
  });
  it('fills explorer templates, encoded', () => {
    assert.equal(
      fillTemplate('https://explorer.ergoplatform.com/en/addresses/{address}', { address }),
      `https://explorer.ergoplatform.com/en/addresses/${address}`,
    );
    assert.equal(fillTemplate('https://x/tx/{tx}?q=1', { tx: 'a b' }), 'https://x/tx/a%20b?q=1');
    assert.equal(fillTemplate('https://x/{block}', { tx: 'ab' }), null);
    assert.equal(fillTemplate('', { tx: 'ab' }), null);
  });
  it('accepts only plausible addresses in the search box', () => {
    assert.equal(searchableAddress(`  ${address} `), address);
    assert.equal(searchableAddress('9fiKBh'), null);
    assert.equal(searchableAddress(`${address.slice(0, 20)}0OIl${address.slice(24)}`), null); // not base58
    assert.equal(searchableAddress(''), null);
  });
});
