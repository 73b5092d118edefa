import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HitVerifier } from '../../src/stratum/index.ts';
import { type StratumMessage, TestStratumClient } from '../helpers/stratum-client.ts';
import { MINER_ADDRESS, msgHex, startHarness } from '../helpers/stratum-harness.ts';

const LOGIN = `${MINER_ADDRESS}.rig`;
/** Meets every test port's share target (difficulty 1e-10) and is no block at b = 1. */
const SHARE_HIT = 1n << 200n;

/** A verifier the test steers: it counts its checks, can hold them, and reports the wait the test sets. */
class SteeredVerifier implements HitVerifier {
  checks = 0;
  holding = false;
  waitMs = 0;
  private held: (() => void)[] = [];

  verify(): Promise<bigint> {
    this.checks += 1;
    if (!this.holding) return Promise.resolve(SHARE_HIT);
    return new Promise((resolve) => this.held.push(() => resolve(SHARE_HIT)));
  }

  takeWaitMs(): number {
    return this.waitMs;
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

async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const isBusy = (r: StratumMessage) =>
  Array.isArray(r.error) && r.error[0] === 20 && /server busy/.test(String(r.error[1]));

describe('stratum under overload (issue 15)', () => {
  it('a lagging event loop: submits are answered busy, unchecked, the miner stays; once it keeps up, all are checked', async () => {
    const verifier = new SteeredVerifier();
    const h = await startHarness({ verifier, shedIntervalMs: 10 });
    // Something else keeps this process's event loop busy: 40 ms of every 50 (the server shares the loop).
    const hog = setInterval(() => {
      const until = performance.now() + 40;
      while (performance.now() < until);
    }, 10);
    try {
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 100, version: 3 });
      const m = await miner(h.ports[0]!.port);
      await waitUntil(() => h.server.shedFraction > 0.5);
      const replies = await burst(m, 100, 20);
      const accepted = replies.filter((r) => r.result === true).length;
      const busy = replies.filter(isBusy).length;
      assert.ok(busy >= 10, `${busy} of 20 busy`);
      assert.equal(accepted + busy, 20, 'every submit answered, none refused for anything else');
      assert.equal(verifier.checks, accepted, 'busy shares were not checked');
      assert.equal(h.server.counters.busy, busy);
      assert.equal(h.sink.shares.length, accepted, 'busy shares are not recorded');
      clearInterval(hog);
      await waitUntil(() => h.server.shedFraction === 0);
      const later = await burst(m, 200, 10);
      assert.ok(
        later.every((r) => r.result === true),
        'once the loop keeps up, all are checked again',
      );
      assert.equal(m.client.closed, false, 'the miner stays connected');
      m.client.close();
    } finally {
      clearInterval(hog);
      await h.close();
    }
  });

  it('share checks waiting for the verifier: submits are shed until the wait is back under the target', async () => {
    const verifier = new SteeredVerifier();
    const h = await startHarness({ verifier, shedIntervalMs: 10 });
    try {
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 100, version: 3 });
      const m = await miner(h.ports[0]!.port);
      verifier.waitMs = 1000;
      await waitUntil(() => h.server.shedFraction === 1);
      const shed = await burst(m, 100, 3);
      assert.ok(shed.every(isBusy));
      assert.equal(verifier.checks, 0);
      verifier.waitMs = 0;
      await waitUntil(() => h.server.shedFraction === 0);
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
