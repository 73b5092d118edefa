import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNodeJson, stringifyNodeJson } from '../../src/ergo/index.ts';

describe('node JSON: only unsafe integers become bigint', () => {
  const table: [string, unknown][] = [
    ['1', 1],
    ['-42', -42],
    ['9007199254740991', 9007199254740991],
    ['9007199254740992', 9007199254740992n],
    ['-9007199254740993', -9007199254740993n],
    [
      '115792089237316195423570985008687907852837564279074904382605163141518161494337',
      2n ** 256n - 432420386565659656852420866394968145599n,
    ],
    ['1.5', 1.5],
    // decimals beyond a double's precision are approximate numbers, never a reason to refuse the reply
    ['1.2345678901234567890', 1.2345678901234567],
    ['0.1000000000000000000001', 0.1],
    ['9007199254740993.0', 9007199254740992],
    ['1e20', 1e20],
    ['1e-400', 0],
    // a number no double can hold stays as its text
    ['1e400', '1e400'],
    ['-1E+400', '-1E+400'],
  ];
  for (const [raw, expected] of table) {
    it(`${raw} → ${typeof expected} ${String(expected)}`, () => {
      const parsed = parseNodeJson(`{"x":${raw},"b":123456789012345678901234567890}`) as Record<
        string,
        unknown
      >;
      assert.equal(parsed.x, expected);
      assert.equal(parsed.b, 123456789012345678901234567890n);
    });
  }

  it('a reply with odd decimals elsewhere keeps its big integers exact', () => {
    const reply = '{"difficulty":1234567890123456789012,"score":1.2345678901234567890,"ratio":1e400,"h":5}';
    assert.deepEqual(parseNodeJson(reply), {
      difficulty: 1234567890123456789012n,
      score: 1.2345678901234567,
      ratio: '1e400',
      h: 5,
    });
  });

  it('bigints are written back as raw JSON numbers', () =>
    assert.equal(stringifyNodeJson({ b: 2n ** 70n, h: 1 }), '{"b":1180591620717411303424,"h":1}'));
});
