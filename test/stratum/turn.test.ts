import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoopTurn } from '../../src/stratum/turn.ts';

describe('loop turn', () => {
  it('flushes every writer once at the end of its turn, in the order they wrote, with one end per turn', () => {
    const ends: (() => void)[] = [];
    const turn = new LoopTurn((fn) => ends.push(fn));
    const flushed: string[] = [];
    const write = (name: string) => ({ flush: () => void flushed.push(name) });
    turn.later(write('a'));
    turn.later(write('b'));
    assert.equal(ends.length, 1, 'one end scheduled for the turn');
    assert.deepEqual(flushed, [], 'nothing leaves before the turn ends');
    for (const fn of ends.splice(0)) fn();
    assert.deepEqual(flushed, ['a', 'b']);
    turn.later(write('c'));
    assert.equal(ends.length, 1, 'the next turn schedules its own end');
    for (const fn of ends.splice(0)) fn();
    assert.deepEqual(flushed, ['a', 'b', 'c'], 'each once');
  });
});
