import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ShedController } from '../../src/stratum/shedding.ts';

/** The fraction after feeding the controller these delay readings. */
function after(readings: number[], target = 20): ShedController {
  const c = new ShedController(target);
  for (const d of readings) c.update(d);
  return c;
}

describe('shed controller (issue 15)', () => {
  it('sheds nothing while the delay stays at or under the target', () => {
    for (const readings of [[0], [5, 10, 15, 20], Array(500).fill(20), [19, 20, 18, 20]])
      assert.equal(after(readings).fraction, 0, JSON.stringify(readings.slice(0, 5)));
  });

  it('rises while the delay stays over the target, the further over the faster', () => {
    const rows = [30, 60, 200].map((delay) => ({ delay, fraction: after(Array(3).fill(delay)).fraction }));
    for (const r of rows) assert.ok(r.fraction > 0, `${r.delay} ms`);
    assert.ok(rows[0]!.fraction < rows[1]!.fraction && rows[1]!.fraction < rows[2]!.fraction);
    let previous = 0;
    const c = new ShedController(20);
    for (let k = 0; k < 20; k++) {
      c.update(40);
      assert.ok(c.fraction >= previous, 'monotonic under a steady excess');
      previous = c.fraction;
    }
  });

  it('meets a sudden burst at once (the trend), and stays within [0, 1]', () => {
    assert.ok(after([0, 0, 150]).fraction >= 0.5, 'one reading of a 150 ms stall');
    assert.equal(after(Array(1000).fill(10_000)).fraction, 1);
    assert.equal(after([10_000, 0, 0, 0, 0, 0, 0, 0, 0, 0]).fraction, 0, 'back to 0 once the delay is gone');
  });

  it('admits exactly 1 − fraction of the submits, without a random draw', () => {
    for (const delays of [[50], [80, 80], [150], Array(200).fill(10_000)]) {
      const c = after(delays);
      let shed = 0;
      for (let k = 0; k < 10_000; k++) if (!c.admit()) shed += 1;
      assert.ok(Math.abs(shed - c.fraction * 10_000) <= 1, `${shed} shed at fraction ${c.fraction}`);
    }
    const idle = new ShedController(20);
    for (let k = 0; k < 100; k++) assert.equal(idle.admit(), true);
  });
});
