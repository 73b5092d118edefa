import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { equal, parseDifficulty } from '../../src/coin/index.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { TestStratumClient } from '../helpers/stratum-client.ts';
import {
  DEFAULT_VARDIFF,
  MINER_ADDRESS,
  msgHex,
  portConfig,
  startHarness,
} from '../helpers/stratum-harness.ts';

/** Jobs and difficulty as deployed miners expect them (issue 11, items 17, 23 and 24). */
const LOGIN = `${MINER_ADDRESS}.rig`;
const nonceFor = (extranonce1: string, k: number) => extranonce1 + k.toString(16).padStart(12, '0');
const code = (reply: { error?: unknown }) => (reply.error as unknown[] | null)?.[0] ?? null;

async function miner(port: number) {
  const client = await TestStratumClient.open(port);
  const sub = await client.send('mining.subscribe', ['test']);
  await client.send('mining.authorize', [LOGIN, 'x']);
  const notify = await client.nextNotify();
  return { client, extranonce1: (sub.result as string[])[1]!, notify };
}

describe('work at a lower height (issue 11.17)', () => {
  it('a reorg or a switch to a node one block behind gives miners valid work, and is logged', async () => {
    const { logger, lines } = captureLogs();
    const h = await startHarness({ logger });
    try {
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 1000, version: 3 });
      const m = await miner(h.ports[0]!.port);
      h.server.setWork({ msg: msgHex(2), b: 1n, height: 999, version: 3 });
      const lower = await m.client.nextNotify();
      const [jobId, height, , , , , , , clean] = lower.params as [string, number, ...unknown[]];
      assert.deepEqual([height, clean], [999, true]);
      const reply = await m.client.send('mining.submit', [LOGIN, jobId, '', '', nonceFor(m.extranonce1, 1)]);
      assert.equal(reply.result, true, 'work at the lower height is valid');
      const old = await m.client.send('mining.submit', [
        LOGIN,
        (m.notify.params as string[])[0]!,
        '',
        '',
        nonceFor(m.extranonce1, 2),
      ]);
      assert.equal(code(old), 21, 'the higher height is stale');
      assert.ok(lines.some((l) => /work at height 999, below the previous 1000/.test(l.msg)));
      m.client.close();
    } finally {
      await h.close();
    }
  });
});

describe('clean_jobs and jobs kept by age (issue 11.23)', () => {
  it('every new msg is clean; shares on recent jobs of the height stay valid, older ones are stale', async () => {
    const clock = { ms: 1_000_000 };
    const h = await startHarness({ now: () => clock.ms });
    try {
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 1000, version: 3 });
      const m = await miner(h.ports[0]!.port);
      const first = (m.notify.params as string[])[0]!;
      // A run of 20 mempool changes at the same height (before: only the last 8 jobs were kept).
      for (let k = 2; k <= 21; k++) {
        clock.ms += 100;
        h.server.setWork({ msg: msgHex(k), b: 1n, height: 1000, version: 3 });
        const notify = await m.client.nextNotify();
        assert.equal((notify.params as unknown[])[8], true, 'clean_jobs whenever msg changes');
      }
      const submit = (jobId: string, k: number) =>
        m.client.send('mining.submit', [LOGIN, jobId, '', '', nonceFor(m.extranonce1, k)]);
      assert.equal(code(await submit(first, 1)), null, 'the first job of the run is still valid');
      clock.ms += 31_000;
      const stale = await submit(first, 2);
      assert.equal(code(stale), 21);
      assert.match((stale.error as string[])[1]!, /stale share \(job was replaced/);
      assert.equal(h.server.counters.stale, 1, 'stale, not invalid');
      assert.equal(h.server.counters.invalid, 0);
      m.client.close();
    } finally {
      await h.close();
    }
  });
});

describe('vardiff re-send (issue 11.24)', () => {
  // 2.3e-10: every nonce meets it (target ≥ 2^256); 4× harder, about one nonce in four does.
  const start = parseDifficulty('2.3e-10');

  it('the retarget is re-sent clean, and the previous difficulty is honoured until the next change', async () => {
    const clock = { ms: 1_000_000 };
    const h = await startHarness({
      now: () => clock.ms,
      ports: [
        portConfig({
          startDifficulty: start,
          vardiff: {
            ...DEFAULT_VARDIFF,
            targetSeconds: 1,
            retargetSeconds: 3600,
            floodShares: 10,
            maxFactor: 4,
          },
        }),
      ],
    });
    try {
      h.server.setWork({ msg: msgHex(5), b: 1n, height: 9, version: 3 });
      const m = await miner(h.ports[0]!.port);
      const jobId = (m.notify.params as string[])[0]!;
      const submit = (k: number) =>
        m.client.send('mining.submit', [LOGIN, jobId, '', '', nonceFor(m.extranonce1, k)]);
      for (let k = 1; k <= 10; k++) assert.equal(code(await submit(k)), null);
      const resent = await m.client.nextNotify();
      assert.equal(
        (resent.params as unknown[])[8],
        true,
        'clean, so clients that switch only on clean_jobs follow',
      );
      // This client ignores the re-send and keeps mining at the old target, well past 30 s.
      clock.ms += 120_000;
      let credited = 0;
      for (let k = 11; k <= 40; k++) {
        assert.equal(code(await submit(k)), null, `share ${k} at the previous target is accepted`);
        credited += 1;
      }
      assert.equal(credited, 30);
      const atPrevious = h.sink.shares.slice(10).filter((share) => equal(share.difficulty, start)).length;
      assert.ok(atPrevious > 0, `${atPrevious} of them met only the previous difficulty`);
      assert.equal(h.server.counters['low-difficulty'], 0);
      assert.equal(m.client.closed, false);
      // Replies come in order: once this one is here, a notify from any retarget above would be too.
      await m.client.send('mining.extranonce.subscribe', []);
      assert.equal(
        m.client.messages.filter((x) => x.method === 'mining.notify').length,
        0,
        'its quick shares at the old target forced no further retarget',
      );
      m.client.close();
    } finally {
      await h.close();
    }
  });
});
