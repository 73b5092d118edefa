import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAlreadySolved, type SubmissionResult, summarizeSubmissions } from '../../src/ergo/index.ts';

const result = (node: string, over: Partial<SubmissionResult> = {}): SubmissionResult => ({
  node,
  accepted: false,
  status: 500,
  detail: 'Invalid block mined: h(f) < b condition not met',
  alreadySolved: false,
  latencyMs: 3,
  ...over,
});

describe('block submission outcome', () => {
  const solved = 'Block already solved : Some(ab12)';
  const cases: { name: string; results: SubmissionResult[]; accepted: boolean; detail: string }[] = [
    { name: 'no node', results: [], accepted: false, detail: 'no node to submit to' },
    {
      name: 'one 200 is enough',
      results: [
        result('a', { accepted: true, status: 200, detail: null }),
        result('b', { detail: solved, alreadySolved: true }),
      ],
      accepted: true,
      detail: 'accepted by a',
    },
    {
      name: 'several accepted',
      results: [result('a', { accepted: true, status: 200 }), result('b', { accepted: true, status: 200 })],
      accepted: true,
      detail: 'accepted by a, b',
    },
    {
      name: 'all rejected: the first real rejection is reported, not "already solved"',
      results: [result('a', { detail: solved, alreadySolved: true }), result('b')],
      accepted: false,
      detail: 'b: Invalid block mined: h(f) < b condition not met',
    },
    {
      name: 'only "already solved": reported as such',
      results: [result('a', { detail: solved, alreadySolved: true })],
      accepted: false,
      detail: `a: ${solved}`,
    },
    {
      name: 'unreachable node',
      results: [result('a', { status: null, detail: 'refused: connect ECONNREFUSED' })],
      accepted: false,
      detail: 'a: refused: connect ECONNREFUSED',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const outcome = summarizeSubmissions(c.results);
      assert.equal(outcome.accepted, c.accepted);
      assert.equal(outcome.detail, c.detail);
      assert.equal(outcome.results, c.results);
    });
  }

  const details: [string | null, boolean][] = [
    ['Block already solved : Some(0011)', true],
    ['block ALREADY solved', true],
    ['Invalid block mined: h(f) < b condition not met', false],
    [null, false],
  ];
  for (const [detail, expected] of details)
    it(`isAlreadySolved(${JSON.stringify(detail)}) = ${expected}`, () =>
      assert.equal(isAlreadySolved(detail), expected));
});
