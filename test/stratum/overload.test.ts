import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HitVerifier } from '../../src/stratum/index.ts';
import { type StratumMessage, TestStratumClient } from '../helpers/stratum-client.ts';
import { MINER_ADDRESS, msgHex, startHarness } from '../helpers/stratum-harness.ts';

const LOGIN = `${MINER_ADDRESS}.rig`;
/** Meets every test port's share target (difficulty 1e-10) and is no block at b = 1. */
const SHARE_HIT = 1n << 200n;

/** A verifier the test steers: it counts its checks, can hold them, can block the thread, can say "backed up". */
class SteeredVerifier implements HitVerifier {
  checks = 0;
  blockMs = 0;
  holding = false;
  backed = false;
  private held: (() => void)[] = [];

  verify(): Promise<bigint> {
    this.checks += 1;
    const until = performance.now() + this.blockMs;
    while (performance.now() < until); // a check that keeps the event loop busy (an overloaded thread)
    if (!this.holding) return Promise.resolve(SHARE_HIT);
    return new Promise((resolve) => this.held.push(() => resolve(SHARE_HIT)));
  }

  backedUp(): boolean {
    return this.backed;
  }

  release(): void {
    this.holding = false;
    for (const go of this.held.splice(0)) go();
  }
}

async function miner(port: number) {
  const client = await TestStratumClient.open(port);
  const sub = await client.send('mining.subscribe', ['test']);
  await client.send('mining.authorize', [LOGIN, 'x']);
  const notify = await client.nextNotify();
  return { client, extranonce1: (sub.result as string[])[1]!, jobId: (notify.params as string[])[0]! };
}

/** `count` submits with ids from `firstId`, written in one go (one read on the server). */
function burst(
  m: Awaited<ReturnType<typeof miner>>,
  firstId: number,
  count: number,
): Promise<StratumMessage[]> {
  const lines: string[] = [];
  const replies: Promise<StratumMessage>[] = [];
  for (let k = 0; k < count; k++) {
    const id = firstId + k;
    const nonce = `${m.extranonce1}${id.toString(16).padStart(16 - m.extranonce1.length, '0')}`;
    lines.push(
      `${JSON.stringify({ id, method: 'mining.submit', params: [LOGIN, m.jobId, '', '', nonce] })}\n`,
    );
    replies.push(m.client.waitFor((r) => r.id === id));
  }
  m.client.raw(lines.join(''));
  return Promise.all(replies);
}

const isBusy = (r: StratumMessage) =>
  Array.isArray(r.error) && r.error[0] === 20 && /server busy/.test(String(r.error[1]));

describe('stratum under overload (issue 15)', () => {
  it('a loop turn past its budget answers the rest of its submits busy, unchecked, and keeps the miner', async () => {
    const verifier = new SteeredVerifier();
    const h = await startHarness({ verifier, limits: { loopBudgetMs: 2 } });
    try {
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 100, version: 3 });
      const m = await miner(h.ports[0]!.port);
      verifier.blockMs = 5; // each check holds the thread past the budget
      const replies = await burst(m, 100, 20);
      const accepted = replies.filter((r) => r.result === true).length;
      const busy = replies.filter(isBusy).length;
      assert.ok(accepted >= 1, 'the turn begins with a checked share');
      assert.ok(busy >= 10, `${busy} of 20 answered busy`);
      assert.equal(accepted + busy, 20, 'every submit answered, none refused for anything else');
      assert.equal(verifier.checks, accepted, 'busy shares were not checked');
      assert.equal(h.server.counters.busy, busy);
      assert.equal(h.sink.shares.length, accepted, 'busy shares are not recorded');
      verifier.blockMs = 0;
      const later = await burst(m, 200, 5);
      assert.ok(
        later.every((r) => r.result === true),
        'the next turn is on time: all checked',
      );
      assert.equal(m.client.closed, false, 'the miner stays connected');
      m.client.close();
    } finally {
      await h.close();
    }
  });

  it('share checks backed up: submits are answered busy until they clear', async () => {
    const verifier = new SteeredVerifier();
    const h = await startHarness({ verifier });
    try {
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 100, version: 3 });
      const m = await miner(h.ports[0]!.port);
      verifier.backed = true;
      const shed = await burst(m, 100, 3);
      assert.ok(shed.every(isBusy));
      assert.equal(verifier.checks, 0);
      verifier.backed = false;
      const taken = await burst(m, 200, 3);
      assert.ok(taken.every((r) => r.result === true));
      assert.equal(m.client.closed, false);
      m.client.close();
    } finally {
      await h.close();
    }
  });

  it('a miner with maxPendingRequests submits being checked gets busy for more, not a disconnect', async () => {
    const verifier = new SteeredVerifier();
    const h = await startHarness({ verifier, limits: { maxPendingRequests: 2 } });
    try {
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 100, version: 3 });
      const m = await miner(h.ports[0]!.port);
      verifier.holding = true;
      const pending = burst(m, 100, 2);
      const over = await burst(m, 102, 3);
      assert.ok(over.every(isBusy), 'beyond two in flight: busy at once');
      verifier.release();
      assert.ok(
        (await pending).every((r) => r.result === true),
        'the two in flight are checked and taken',
      );
      assert.equal(m.client.closed, false);
      m.client.close();
    } finally {
      await h.close();
    }
  });
});
