import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDifficulty, ratio } from '../../src/autolykos/index.ts';
import { ExtranonceAllocator } from '../../src/stratum/extranonce.ts';
import { JobBook } from '../../src/stratum/jobs.ts';
import { roundSignificant } from '../../src/stratum/ratio-math.ts';
import {
  acceptableDifficulties,
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
  const work = (k: number, height: number) => ({ msg: msg(k), b: 10n ** 60n, height, version: 3 });

  it('one job per distinct msg; clean only on a new height', () => {
    const book = new JobBook({ instancePrefix: '0a' });
    const first = book.update(work(1, 100), 0)!;
    assert.equal(first.clean, true);
    assert.equal(book.update(work(1, 100), 1), null, 'same msg → no new job');
    const second = book.update(work(2, 100), 2)!;
    assert.equal(second.clean, false, 'mempool change at the same height');
    assert.notEqual(second.job.id, first.job.id);
    assert.ok(second.job.id.startsWith('0a'));
    assert.deepEqual(
      book.lookup(first.job.id),
      { job: first.job, stale: false },
      'older job at the same height stays valid',
    );
    const third = book.update(work(3, 101), 3)!;
    assert.equal(third.clean, true);
    assert.equal(book.lookup(first.job.id)?.stale, true, 'previous height → stale');
    assert.equal(book.lookup('nope'), null);
  });
  it('ignores work for a lower height (a lagging node)', () => {
    const book = new JobBook();
    book.update(work(1, 100), 0);
    assert.equal(book.update(work(2, 99), 1), null);
  });
  it('forgets jobs beyond the per-height limit and old heights', () => {
    const book = new JobBook({ maxJobsPerHeight: 2, staleHeights: 2 });
    const a = book.update(work(1, 100), 0)!.job;
    book.update(work(2, 100), 0);
    book.update(work(3, 100), 0);
    assert.equal(book.lookup(a.id), null);
    const b = book.update(work(4, 101), 0)!.job;
    book.update(work(5, 103), 0);
    assert.equal(book.lookup(b.id), null);
  });
  it('derives the network difficulty from b', () => {
    const book = new JobBook();
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
  it('honours the previous difficulty for the grace period only', () => {
    const state = run(100, 20);
    const changedAt = state.changedAt;
    assert.equal(acceptableDifficulties(state, changedAt + 1000, config).length, 2);
    assert.equal(acceptableDifficulties(state, changedAt + 31_000, config).length, 1);
  });
  it('rounds to four significant digits', () => {
    assert.deepEqual(roundSignificant(ratio(123456n, 1000n)), ratio(12350n, 100n));
    assert.deepEqual(roundSignificant(ratio(1n, 3n)), ratio(3333n, 10000n));
    assert.deepEqual(roundSignificant(ratio(7n)), ratio(7n));
  });
});
