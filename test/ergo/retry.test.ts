import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backoffDelay,
  classifyTransportError,
  DEFAULT_BACKOFF,
  NodeApiError,
  NodeResponseError,
  NodeUnavailableError,
  shouldRetry,
  type UnavailableCause,
} from '../../src/ergo/index.ts';

describe('retry backoff', () => {
  const policy = { baseMs: 100, maxMs: 2_000 };
  const bounds: { attempt: number; min: number; max: number }[] = [
    { attempt: 0, min: 50, max: 100 },
    { attempt: 1, min: 100, max: 200 },
    { attempt: 2, min: 200, max: 400 },
    { attempt: 4, min: 800, max: 1_600 },
    { attempt: 5, min: 1_000, max: 2_000 },
    { attempt: 30, min: 1_000, max: 2_000 },
  ];
  for (const b of bounds) {
    it(`attempt ${b.attempt}: delay within [${b.min}, ${b.max}] ms`, () => {
      assert.equal(
        backoffDelay(b.attempt, policy, () => 0),
        b.min,
      );
      assert.equal(
        backoffDelay(b.attempt, policy, () => 0.999999999),
        b.max - 1,
      );
      for (let i = 0; i < 200; i++) {
        const d = backoffDelay(b.attempt, policy, Math.random);
        assert.ok(d >= b.min && d <= b.max, `${d}`);
      }
    });
  }
  it('clamps a misbehaving random source and negative attempts', () => {
    assert.equal(
      backoffDelay(0, policy, () => 5),
      100,
    );
    assert.equal(
      backoffDelay(0, policy, () => -1),
      50,
    );
    assert.equal(
      backoffDelay(-3, policy, () => 0),
      50,
    );
  });
  it('default policy stays below 2 s', () => {
    assert.ok(backoffDelay(10, DEFAULT_BACKOFF, () => 1) <= 2_000);
  });
});

describe('retry decision', () => {
  const down = (cause: UnavailableCause) => new NodeUnavailableError('n', 'GET /info', cause, 'x');
  const api = (status: number) => new NodeApiError('n', 'GET /info', status, 'r', null);
  const cases: { name: string; method: string; error: unknown; attempt: number; retry: boolean }[] = [
    { name: 'GET refused', method: 'GET', error: down('refused'), attempt: 0, retry: true },
    { name: 'GET timeout', method: 'GET', error: down('timeout'), attempt: 1, retry: true },
    { name: 'GET reset, retries used up', method: 'GET', error: down('reset'), attempt: 2, retry: false },
    { name: 'GET aborted by caller', method: 'GET', error: down('aborted'), attempt: 0, retry: false },
    { name: 'GET 503', method: 'GET', error: api(503), attempt: 0, retry: true },
    { name: 'GET 502', method: 'GET', error: api(502), attempt: 0, retry: true },
    { name: 'GET 429', method: 'GET', error: api(429), attempt: 0, retry: true },
    { name: 'GET 500 (node error: deterministic)', method: 'GET', error: api(500), attempt: 0, retry: false },
    { name: 'GET 404', method: 'GET', error: api(404), attempt: 0, retry: false },
    { name: 'GET 403 (bad api key)', method: 'GET', error: api(403), attempt: 0, retry: false },
    {
      name: 'GET malformed body',
      method: 'GET',
      error: new NodeResponseError('n', 'GET /info', 'b', 'bad'),
      attempt: 0,
      retry: false,
    },
    {
      name: 'POST /mining/solution refused',
      method: 'POST',
      error: down('refused'),
      attempt: 0,
      retry: false,
    },
    { name: 'POST payment timeout', method: 'POST', error: down('timeout'), attempt: 0, retry: false },
    { name: 'POST 503', method: 'POST', error: api(503), attempt: 0, retry: false },
    { name: 'unknown error', method: 'GET', error: new Error('x'), attempt: 0, retry: false },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.retry ? 'retry' : 'no retry'}`, () => {
      assert.equal(shouldRetry(c.method, c.error, c.attempt, 2), c.retry);
    });
  }
});

describe('transport error classification', () => {
  const wrap = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: { code } });
  const cases: { code: string; cause: UnavailableCause }[] = [
    { code: 'ECONNREFUSED', cause: 'refused' },
    { code: 'ECONNRESET', cause: 'reset' },
    { code: 'UND_ERR_SOCKET', cause: 'reset' },
    { code: 'ENOTFOUND', cause: 'dns' },
    { code: 'UND_ERR_CONNECT_TIMEOUT', cause: 'timeout' },
    { code: 'EWHATEVER', cause: 'network' },
  ];
  for (const c of cases)
    it(`${c.code} → ${c.cause}`, () => assert.equal(classifyTransportError(wrap(c.code)), c.cause));
  it('looks into AggregateError (happy eyeballs)', () => {
    const agg = Object.assign(new TypeError('fetch failed'), {
      cause: { errors: [{ code: 'ECONNREFUSED' }, { code: 'ECONNREFUSED' }] },
    });
    assert.equal(classifyTransportError(agg), 'refused');
    assert.equal(classifyTransportError('weird'), 'network');
  });
});
