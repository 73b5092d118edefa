import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VerifierPool } from '../../src/autolykos/index.ts';
import { type StratumMessage, TestStratumClient } from '../helpers/stratum-client.ts';
import type { HarnessOptions } from '../helpers/stratum-harness.ts';
import { MINER_ADDRESS, msgHex, startHarness } from '../helpers/stratum-harness.ts';

const LOGIN = `${MINER_ADDRESS}.rig`;
/** Meets every test port's share target (difficulty 1e-10) and is no block at b = 1. */
const SHARE_HIT = 1n << 200n;

/** A verifier the test steers: it counts its checks, can hold them, and reports the wait the test sets. */
class SteeredVerifier implements NonNullable<HarnessOptions['verifier']> {
  checks = 0;
  holding = false;
  waitMs = 0;
  private held: (() => void)[] = [];

  verify(): Promise<bigint> {
    this.checks += 1;
    if (!this.holding) return Promise.resolve(SHARE_HIT);
    return new Promise((resolve) => this.held.push(() => resolve(SHARE_HIT)));
  }

  queueAgeMs(): number {
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  it('verifier threads that cannot keep up: the excess is answered busy, unchecked, the miner stays', async () => {
    // One thread of the portable kernel, one check at a time: a few hundred checks per second.
    const slow = await VerifierPool.start({
      workers: 1,
      maxBatch: 1,
      maxInFlightPerWorker: 1,
      kernel: 'reference',
    });
    let checks = 0;
    const verifier: HarnessOptions['verifier'] = {
      verify: (input) => {
        checks += 1;
        return slow.verify(input);
      },
      queueAgeMs: () => slow.queueAgeMs(),
    };
    const h = await startHarness({
      verifier,
      shedIntervalMs: 5,
      limits: { maxPendingRequests: 1000, messagesPerSecond: 10_000, messageBurst: 10_000 },
    });
    try {
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 100, version: 3 });
      const m = await miner(h.ports[0]!.port);
      const replies: StratumMessage[] = [];
      for (let k = 0; k < 8; k++) {
        replies.push(...(await Promise.all([burst(m, 1000 + 100 * k, 100), sleep(10)]))[0]);
      }
      const accepted = replies.filter((r) => r.result === true).length;
      const busy = replies.filter(isBusy).length;
      assert.ok(busy >= 100, `${busy} of 800 busy`);
      assert.ok(accepted >= 50, `${accepted} of 800 checked and accepted`);
      assert.equal(accepted + busy, 800, 'every submit answered, none refused for anything else');
      assert.equal(checks, accepted, 'busy shares were not checked');
      assert.equal(h.server.counters.busy, busy);
      assert.equal(h.sink.shares.length, accepted, 'busy shares are not recorded');
      await waitUntil(() => h.server.shedFraction === 0);
      const later = await burst(m, 5000, 5);
      assert.ok(
        later.every((r) => r.result === true),
        'once the threads keep up, all are checked again',
      );
      assert.equal(m.client.closed, false, 'the miner stays connected');
      m.client.close();
    } finally {
      await h.close();
      await slow.close();
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
