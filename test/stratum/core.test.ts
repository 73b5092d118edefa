import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDifficulty, ratio } from '../../src/coin/index.ts';
import { ERGO_DIALECT, type ErgoWork } from '../../src/ergo/index.ts';
import { ExtranonceAllocator } from '../../src/stratum/extranonce.ts';
import { JobBook } from '../../src/stratum/jobs.ts';
import { roundSignificant } from '../../src/stratum/ratio-math.ts';
import {
  DEFAULT_VARDIFF,
  startVardiff,
  type VardiffConfig,
  vardiffOnIdle,
  vardiffOnShare,
} from '../../src/stratum/vardiff.ts';

describe('extranonce1 allocation', () => {
  it('hands out unique values with the instance id in the top bits', () => {
    const a = new ExtranonceAllocator({ size: 2, instanceId: 3, instanceBits: 4 });
    const values = Array.from({ length: 4096 }, () => a.acquire()!);
    assert.equal(new Set(values).size, 4096);
    for (const v of values) assert.equal(v[0], '3');
    assert.equal(a.acquire(), null, 'exhausted');
    a.release(values[100]!);
    assert.equal(a.acquire(), values[100]);
    assert.equal(a.extranonce2Size, 6);
  });
  it('does not reuse a released value before walking the space', () => {
    const a = new ExtranonceAllocator({ size: 1 });
    const first = a.acquire()!;
    a.release(first);
    assert.notEqual(a.acquire(), first);
  });
  it('refuses bad options', () => {
    assert.throws(() => new ExtranonceAllocator({ size: 5 }));
    assert.throws(() => new ExtranonceAllocator({ size: 2, instanceBits: 4, instanceId: 16 }));
  });
});

describe('job book', () => {
  const msg = (k: number) => k.toString(16).padStart(64, '0');
  const work = (k: number, height: number): ErgoWork => ({ msg: msg(k), b: 10n ** 60n, height, version: 3 });

  it('one job per distinct msg; a replaced job at the same height stays valid, another height is stale', () => {
    const book = new JobBook({ coin: ERGO_DIALECT, instancePrefix: '0a' });
    const first = book.update(work(1, 100), 0)!;
    assert.equal(book.update(work(1, 100), 1), null, 'same msg → no new job');
    const second = book.update(work(2, 100), 2)!;
    assert.notEqual(second.job.id, first.job.id);
    assert.ok(second.job.id.startsWith('0a'));
    assert.deepEqual(
      book.lookup(first.job.id, 3),
      { job: first.job, stale: null },
      'older job at the same height stays valid',
    );
    book.update(work(3, 101), 4);
    assert.equal(book.lookup(first.job.id, 5)?.stale, 'height', 'previous height → stale');
    assert.equal(book.lookup('nope', 5), null);
  });

  it('keeps jobs by age, not by count: 20 mempool changes in a row leave the first job valid (issue 11.23)', () => {
    const book = new JobBook({ coin: ERGO_DIALECT, validAfterReplacedMs: 30_000, rememberMs: 600_000 });
    const first = book.update(work(1, 100), 0)!.job;
    for (let k = 2; k <= 21; k++) book.update(work(k, 100), k * 100);
    assert.equal(book.lookup(first.id, 2100)?.stale, null, 'replaced 2 s ago: valid');
    assert.equal(book.lookup(first.id, 200 + 30_001)?.stale, 'replaced', 'replaced over 30 s ago: stale');
    book.prune(200 + 600_001);
    assert.equal(book.lookup(first.id, 200 + 600_001), null, 'forgotten after rememberMs');
    assert.ok(book.lookup(book.current!.id, 200 + 600_001), 'the current job is never forgotten');
  });

  it('stays bounded: at most maxJobs, the oldest forgotten first', () => {
    const book = new JobBook({ coin: ERGO_DIALECT, maxJobs: 5 });
    const ids = Array.from({ length: 12 }, (_, k) => book.update(work(k + 1, 100), k)!.job.id);
    assert.equal(book.size, 5);
    assert.equal(book.lookup(ids[0]!, 12), null);
    assert.ok(book.lookup(ids[11]!, 12));
  });

  it('empties the duplicate set of a job once it is stale', () => {
    const book = new JobBook({ coin: ERGO_DIALECT, validAfterReplacedMs: 1000 });
    const first = book.update(work(1, 100), 0)!.job;
    first.nonces.add('00');
    book.update(work(2, 100), 10);
    book.prune(500);
    assert.equal(first.nonces.size, 1, 'still valid: duplicates still detected');
    book.prune(2000);
    assert.equal(first.nonces.size, 0);
  });

  it('takes work at a lower height (a reorg, a node one block behind) and says so (issue 11.17)', () => {
    const book = new JobBook({ coin: ERGO_DIALECT });
    const high = book.update(work(1, 100), 0)!.job;
    const lower = book.update(work(2, 99), 1);
    assert.ok(lower, 'the lower work becomes the current job');
    assert.equal(lower.lowerThan, 100);
    assert.equal(book.current, lower.job);
    assert.equal(book.lookup(lower.job.id, 2)?.stale, null);
    assert.equal(book.lookup(high.id, 2)?.stale, 'height', 'shares for the higher height are stale');
    assert.equal(book.update(work(3, 100), 3)?.lowerThan, null);
  });

  it('derives the network difficulty from b', () => {
    const book = new JobBook({ coin: ERGO_DIALECT });
    const { job } = book.update(
      {
        ...work(1, 5),
        b: 115792089237316195423570985008687907852837564279074904382605163141518161494337n / 1000n,
      },
      0,
    )!;
    assert.equal(job.networkDifficulty, 1000n);
  });
});

describe('vardiff', () => {
  const config: VardiffConfig = {
    ...DEFAULT_VARDIFF,
    min: parseDifficulty('0.01'),
    max: parseDifficulty('1000'),
  };
  const run = (shareEveryMs: number, count: number, start = parseDifficulty('1')) => {
    let state = startVardiff(start, 0);
    for (let k = 1; k <= count; k++) state = vardiffOnShare(state, k * shareEveryMs, config);
    return state;
  };

  it('raises difficulty for a fast miner, limited per step', () => {
    const state = run(100, 20);
    assert.deepEqual(state.difficulty, ratio(4n), 'flood of 20 shares → at most ×4');
    assert.deepEqual(state.previous, ratio(1n));
  });
  it('converges toward the target interval for a steady hashrate', () => {
    // A miner doing 0.5 difficulty-1 shares per second wants difficulty 7.5 for 15 s per share.
    let state = startVardiff(parseDifficulty('0.01'), 0);
    let now = 0;
    for (let k = 0; k < 400; k++) {
      const d = Number(state.difficulty.num) / Number(state.difficulty.den);
      now += (d / 0.5) * 1000;
      state = vardiffOnShare(state, now, config);
    }
    const d = Number(state.difficulty.num) / Number(state.difficulty.den);
    assert.ok(d > 7.5 * 0.7 && d < 7.5 * 1.3, `converged to ${d}`);
  });
  it('holds within the variance band', () => {
    const state = run(15_000 * 1.2, 10);
    assert.deepEqual(state.difficulty, ratio(1n));
  });
  it('lowers difficulty for an idle connection, not below min', () => {
    let state = startVardiff(parseDifficulty('0.02'), 0);
    state = vardiffOnIdle(state, 60_000, config);
    assert.deepEqual(state.difficulty, parseDifficulty('0.02'), 'not idle long enough');
    state = vardiffOnIdle(state, 200_000, config);
    assert.deepEqual(state.difficulty, parseDifficulty('0.01'), 'clamped at min');
  });
  it('honours the previous difficulty until the next change, harder first (issue 11.24)', () => {
    let state = run(100, 20);
    assert.deepEqual(state.acceptable, [ratio(4n), ratio(1n)]);
    // A client that ignored the re-sent job keeps mining at 1: its shares are credited at 1, and only those
    // that also meet 4 are counted, so the retarget sees the rate at 4 (15 s per share here): no change.
    for (let k = 1; k <= 40; k++) {
      const credited = k % 4 === 0 ? state.acceptable[0]! : state.acceptable[1]!;
      state = vardiffOnShare(state, 2000 + k * 3750, config, credited);
    }
    assert.deepEqual(state.difficulty, ratio(4n));
    assert.deepEqual(state.acceptable, [ratio(4n), ratio(1n)], 'still honoured long after 30 s');
  });
  it('quick shares of a client still at the previous difficulty force no early retarget (issue 11.24)', () => {
    let state = run(100, 20);
    assert.deepEqual(state.difficulty, ratio(4n));
    // It ignored the re-sent job: most of its quick shares meet only 1. Before the fix 20 of them retargeted
    // again (to 16, with 1 no longer accepted).
    for (let k = 1; k <= 80; k++) {
      const credited = k % 4 === 0 ? state.acceptable[0]! : state.acceptable[1]!;
      state = vardiffOnShare(state, 2000 + k * 100, config, credited);
    }
    assert.deepEqual(state.acceptable, [ratio(4n), ratio(1n)], 'no early retarget');
    state = vardiffOnShare(state, 2000 + 90_000, config);
    // The regular retarget, measured on the shares that met 4: 21 in 90 s → 4 · 15/4.29 = 14.
    assert.deepEqual(state.difficulty, ratio(14n), 'the regular retarget after retargetSeconds');
    assert.deepEqual(state.acceptable, [ratio(14n), ratio(4n)]);
  });
  it('rounds to four significant digits', () => {
    assert.deepEqual(roundSignificant(ratio(123456n, 1000n)), ratio(12350n, 100n));
    assert.deepEqual(roundSignificant(ratio(1n, 3n)), ratio(3333n, 10000n));
    assert.deepEqual(roundSignificant(ratio(7n)), ratio(7n));
  });
});
