import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startDevnet } from '../../src/devnet/index.ts';
import { call } from './helpers.ts';

describe('devnet timers', () => {
  it('competitor blocks and mempool txs arrive at their rates; close() stops them', async () => {
    const devnet = await startDevnet({
      port: 0,
      difficulty: 20n,
      blockTimeSeconds: 0.05,
      competitorBlockTimeSeconds: 0.05,
      mempoolIntervalMs: 20,
    });
    const start = devnet.height();
    const blocks: boolean[] = [];
    devnet.on('block', (b) => blocks.push(b.byPool));
    const work = (await call(devnet.url, '/mining/candidate')).body;
    const msgs = new Set<string>([work.msg]);
    const deadline = Date.now() + 10_000;
    while ((blocks.length < 3 || msgs.size < 6) && Date.now() < deadline) {
      msgs.add((await call(devnet.url, '/mining/candidate')).body.msg);
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(blocks.length >= 3, `${blocks.length} competitor blocks`);
    assert.ok(blocks.every((byPool) => !byPool));
    assert.ok(msgs.size >= 6);
    assert.ok(devnet.height() >= start + 3);
    await devnet.close();
    const height = devnet.height();
    const count = blocks.length;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(devnet.height(), height, 'no blocks after close');
    assert.equal(blocks.length, count);
    await devnet.close();
  });

  it('close() answers a pending longpoll with the candidate, not a dropped connection', async () => {
    // No timers here: the candidate stays put, so only close() can end the longpoll.
    const devnet = await startDevnet({ port: 0, difficulty: 20n, competitorBlockTimeSeconds: null });
    const current = (await call(devnet.url, '/mining/candidate')).body.msg;
    const pending = call(devnet.url, `/mining/candidate?longpoll=${current}`);
    for (let tries = 0; (await call(devnet.url, '/devnet/state')).body.pendingLongpolls !== 1; tries++) {
      assert.ok(tries < 1_000, 'the longpoll never reached the devnet');
      await new Promise((r) => setTimeout(r, 10));
    }
    const closing = devnet.close();
    const answer = await pending;
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.msg, current);
    await closing;
  });
});
