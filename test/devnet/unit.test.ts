import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FEE_CONTRACT } from '@fleet-sdk/core';
import { decodeCompactBits } from '../../src/autolykos/index.ts';
import { FEE_ERGO_TREE, parseFault, resolveOptions } from '../../src/devnet/index.ts';
import { DeterministicRandom } from '../../src/devnet/random.ts';
import { compactRounded, retarget } from '../../src/devnet/retarget.ts';
import { deserializeState, serializeState } from '../../src/devnet/state.ts';
import { emissionInfo, strangerTransaction, userTransactions } from '../../src/devnet/transactions.ts';
import { minerRewardAt } from '../../src/ergo/index.ts';

const spaced = (n: number, ms: number) => Array.from({ length: n }, (_, k) => 1_000_000 + k * ms);

describe('devnet pure rules', () => {
  it('retarget: steady at the target interval, ×2 / ×0.5 limits, never below 1', () => {
    assert.equal(retarget(1000n, spaced(9, 30_000), 30_000), 1000n);
    assert.equal(retarget(1000n, spaced(9, 15_000), 30_000), 2000n);
    assert.equal(retarget(1000n, spaced(9, 1), 30_000), 2000n, 'limited to ×2');
    assert.equal(retarget(1000n, spaced(9, 60_000), 30_000), 500n);
    assert.equal(retarget(1000n, spaced(9, 600_000), 30_000), 500n, 'limited to ×0.5');
    assert.equal(retarget(1n, spaced(9, 600_000), 30_000), 1n, 'never below 1');
    assert.equal(retarget(1000n, spaced(3, 20_000), 30_000), 1500n, 'short history: the intervals it has');
    assert.equal(retarget(1000n, [5], 30_000), 1000n);
    // Only the last 8 intervals count.
    assert.equal(retarget(1000n, [0, 1, ...spaced(9, 30_000)], 30_000), 1000n);
  });

  it('compact rounding: the difficulty used is decodeCompactBits(nBits)', () => {
    const { nBits, difficulty } = compactRounded(123_456_789_012n);
    assert.equal(difficulty, decodeCompactBits(nBits));
    assert.ok(difficulty <= 123_456_789_012n && difficulty > 123_000_000_000n);
    assert.equal(compactRounded(20n).difficulty, 20n);
  });

  it('the fee contract is the one every wallet uses', () => {
    assert.equal(FEE_ERGO_TREE, FEE_CONTRACT);
  });

  it('emission info matches the emission rules (net of EIP-27)', () => {
    for (const h of [700_000, 1_500_000, 1_925_000, 2_100_000]) {
      const info = emissionInfo(h);
      assert.equal(
        info.minerReward + info.reemitted,
        minerRewardAt(h).gross - (h >= 2_080_800 ? 3_000_000_000n : 0n),
      );
    }
    assert.equal(emissionInfo(1_500_000).minerReward, 15_000_000_000n);
  });

  it('stranger txs pay a fee; the fee-collection tx is not a user tx', () => {
    const rng = new DeterministicRandom('t');
    const tx = strangerTransaction(rng, 100);
    assert.equal(tx.outputs[1]!.ergoTree, FEE_ERGO_TREE);
    assert.ok(tx.outputs[1]!.value >= 1_000_000n);
    assert.deepEqual(userTransactions([tx, tx]), [tx]);
    assert.equal(
      new DeterministicRandom('t').hex32('x'),
      new DeterministicRandom('t').hex32('x'),
      'deterministic',
    );
    const r = new DeterministicRandom('u');
    for (let k = 0; k < 100; k++) {
      const f = r.float('f');
      assert.ok(f >= 0 && f < 1);
    }
  });

  it('state files keep bigints exact', () => {
    const state = { format: 'enigmapool-devnet/1', big: 2n ** 200n, small: 5n, text: 'bigint-ish' } as never;
    assert.deepEqual(deserializeState(serializeState(state)), state);
    assert.throws(() => deserializeState('{"format":"other"}'), /not a devnet state file/);
  });

  it('faults and options are validated, naming the field', () => {
    assert.deepEqual(parseFault({ mode: 'out-of-sync' }), { mode: 'out-of-sync', behind: 10 });
    assert.deepEqual(parseFault({ mode: 'slow', delayMs: 5 }), { mode: 'slow', delayMs: 5 });
    assert.throws(() => parseFault({ mode: 'out-of-sync', behind: 0 }), /behind/);
    assert.throws(() => parseFault({ mode: 'x' }), /mode/);
    assert.throws(() => resolveOptions({ port: 70_000 }), /port/);
    assert.throws(() => resolveOptions({ nodes: 0 }), /nodes/);
    assert.throws(() => resolveOptions({ difficulty: 0n }), /difficulty/);
    assert.throws(() => resolveOptions({ blockTimeSeconds: 0 }), /blockTimeSeconds/);
    assert.throws(() => resolveOptions({ startHeight: 0 }), /startHeight/);
    assert.throws(() => resolveOptions({ rewardDelay: 0 }), /rewardDelay/);
    assert.throws(() => resolveOptions({ port: 65_535, nodes: 2 }), /port/);
    const d = resolveOptions({});
    assert.equal(d.host, '127.0.0.1');
    assert.equal(d.port, 9053);
    assert.equal(d.difficulty, 200_000n);
    assert.equal(d.rewardDelay, 720);
    assert.equal(d.apiKey, 'devnet');
  });
});
