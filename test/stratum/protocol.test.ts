import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notifyLine, SET_DIFFICULTY_ONE, submittedNonce } from '../../src/ergo/index.ts';
import {
  errorLine,
  parseRequestLine,
  replyLine,
  StratumErrorCode,
  splitWorkerLogin,
  staticDifficultyFromPassword,
} from '../../src/stratum/protocol.ts';

describe('stratum line parsing', () => {
  const good: [string, unknown][] = [
    [
      '{"id":1,"method":"mining.subscribe","params":["lolMiner 1.88"]}',
      { id: 1, method: 'mining.subscribe', params: ['lolMiner 1.88'] },
    ],
    [
      '{"id":"a","method":"mining.subscribe","params":[],"jsonrpc":"2.0"}',
      { id: 'a', method: 'mining.subscribe', params: [] },
    ],
    [
      '{"id":2,"method":"mining.extranonce.subscribe"}',
      { id: 2, method: 'mining.extranonce.subscribe', params: [] },
    ],
    ['{"id":null,"method":"x","params":null}', { id: null, method: 'x', params: [] }],
  ];
  for (const [line, request] of good)
    it(`accepts ${line}`, () => assert.deepEqual(parseRequestLine(line), { ok: true, request }));
  const bad: [string, string][] = [
    ['garbage', 'not JSON'],
    ['[1,2]', 'not a JSON object'],
    ['42', 'not a JSON object'],
    ['{"id":1}', 'missing or invalid method'],
    ['{"id":1,"method":7}', 'missing or invalid method'],
    ['{"id":{},"method":"m"}', 'invalid id'],
    ['{"id":1,"method":"m","params":{"a":1}}', 'params is not an array'],
  ];
  for (const [line, reason] of bad)
    it(`refuses ${line}`, () => assert.deepEqual(parseRequestLine(line), { ok: false, reason }));
});

describe('stratum replies', () => {
  it('a success carries id, result and error null', () => {
    assert.equal(replyLine(7, true), '{"id":7,"result":true,"error":null}\n');
  });
  it('an error carries the code, message and result null', () => {
    assert.equal(
      errorLine(8, StratumErrorCode.JobNotFound, 'job not found'),
      '{"id":8,"result":null,"error":[21,"job not found",null]}\n',
    );
  });
  it('notify puts the decimal share target at index 6', () => {
    const line = notifyLine(
      { id: '0000002a', height: 1500000, msg: 'ab'.repeat(32), version: 3 },
      123n,
      true,
    );
    assert.deepEqual(JSON.parse(line), {
      id: null,
      method: 'mining.notify',
      params: ['0000002a', 1500000, 'ab'.repeat(32), '', '', 3, '123', '', true],
    });
    assert.deepEqual(JSON.parse(SET_DIFFICULTY_ONE), {
      id: null,
      method: 'mining.set_difficulty',
      params: [1],
    });
  });
});

describe('authorize parsing', () => {
  const logins: [string, string, string][] = [
    ['9fRAW.rig1', '9fRAW', 'rig1'],
    ['9fRAW', '9fRAW', ''],
    ['9fRAW.rig.one', '9fRAW', 'rig.one'],
    [' 9fRAW.rig1 ', '9fRAW', 'rig1'],
  ];
  for (const [login, address, worker] of logins) {
    it(`splits ${login}`, () => assert.deepEqual(splitWorkerLogin(login), { address, worker }));
  }
  const passwords: [unknown, string | null][] = [
    ['x', null],
    ['d=0.5', '0.5'],
    ['x;d=2', '2'],
    ['d=1e-3,foo', '1e-3'],
    [null, null],
  ];
  for (const [password, d] of passwords) {
    it(`reads d= from ${String(password)}`, () => assert.equal(staticDifficultyFromPassword(password), d));
  }
});

describe('submitted nonce', () => {
  const cases: [string, unknown, unknown, { ok: boolean; nonce?: string }][] = [
    ['full nonce', '00f3a2b1c4d5', 'a00100f3a2b1c4d5', { ok: true, nonce: 'a00100f3a2b1c4d5' }],
    ['upper case', '00F3A2B1C4D5', 'A00100F3A2B1C4D5', { ok: true, nonce: 'a00100f3a2b1c4d5' }],
    ['0x prefix', '', '0xa00100f3a2b1c4d5', { ok: true, nonce: 'a00100f3a2b1c4d5' }],
    ['only extranonce2', '00f3a2b1c4d5', '', { ok: true, nonce: 'a00100f3a2b1c4d5' }],
    ['wrong extranonce1', '00f3a2b1c4d5', 'b00100f3a2b1c4d5', { ok: false }],
    ['suffix mismatch', '00f3a2b1c4d6', 'a00100f3a2b1c4d5', { ok: false }],
    ['short nonce', '', 'a00100f3', { ok: false }],
    ['short extranonce2', 'f3a2', undefined, { ok: false }],
    ['non-hex', '', 'a001zzf3a2b1c4d5', { ok: false }],
  ];
  for (const [what, en2, full, expected] of cases) {
    it(what, () => {
      const got = submittedNonce('a001', 6, en2, full);
      assert.equal(got.ok, expected.ok);
      if (expected.nonce) assert.equal((got as { nonce: string }).nonce, expected.nonce);
    });
  }
});
