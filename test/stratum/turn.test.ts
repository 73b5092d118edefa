import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoopTurn } from '../../src/stratum/turn.ts';

/** A turn with a hand-moved clock and a hand-run end. */
function manualTurn(budgetMs: number) {
  let now = 0;
  const ends: (() => void)[] = [];
  const turn = new LoopTurn({ budgetMs, now: () => now, defer: (fn) => ends.push(fn) });
  return {
    turn,
    advance: (ms: number) => {
      now += ms;
    },
    end: () => {
      for (const fn of ends.splice(0)) fn();
    },
    scheduled: () => ends.length,
  };
}

describe('loop turn', () => {
  it('is over budget only once it has run longer than the budget', () => {
    const rows: { elapsed: number; over: boolean }[] = [
      { elapsed: 0, over: false },
      { elapsed: 9.9, over: false },
      { elapsed: 10, over: false },
      { elapsed: 10.1, over: true },
      { elapsed: 500, over: true },
    ];
    for (const { elapsed, over } of rows) {
      const t = manualTurn(10);
      t.turn.enter();
      t.advance(elapsed);
      assert.equal(t.turn.overBudget(), over, `${elapsed} ms into a 10 ms turn`);
    }
  });

  it('is never over budget between turns, and a new turn starts its own clock', () => {
    const t = manualTurn(10);
    t.advance(100);
    assert.equal(t.turn.overBudget(), false, 'no turn running');
    t.turn.enter();
    t.advance(50);
    assert.equal(t.turn.overBudget(), true);
    t.end();
    assert.equal(t.turn.overBudget(), false);
    t.turn.enter();
    t.advance(5);
    assert.equal(t.turn.overBudget(), false, 'the next turn is on time');
    assert.equal(t.turn.overBudgetTurns, 1);
  });

  it('schedules one end per turn however often it is entered', () => {
    const t = manualTurn(10);
    t.turn.enter();
    t.turn.enter();
    t.turn.later({ flush: () => undefined });
    assert.equal(t.scheduled(), 1);
    t.end();
    t.turn.enter();
    assert.equal(t.scheduled(), 1);
  });

  it('flushes every writer once at the end of its turn, in the order they wrote', () => {
    const t = manualTurn(10);
    const flushed: string[] = [];
    t.turn.later({ flush: () => flushed.push('a') });
    t.turn.later({ flush: () => flushed.push('b') });
    assert.deepEqual(flushed, [], 'nothing leaves before the turn ends');
    t.end();
    assert.deepEqual(flushed, ['a', 'b']);
    t.end();
    assert.deepEqual(flushed, ['a', 'b'], 'not again');
  });
});
