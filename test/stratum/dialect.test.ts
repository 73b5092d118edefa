import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIFF1_TARGET } from '../../src/autolykos/index.ts';
import { TestStratumClient } from '../helpers/stratum-client.ts';
import { GROUP_Q, type Harness, MINER_ADDRESS, msgHex, startHarness } from '../helpers/stratum-harness.ts';

const LOGIN = `${MINER_ADDRESS}.rig1`;
const NO_BLOCKS_B = 1n; // no hit is below 1: nothing is a block

async function subscribed(port: number) {
  const client = await TestStratumClient.open(port);
  const reply = await client.send('mining.subscribe', ['lolMiner 1.88']);
  const [, extranonce1, size] = reply.result as [unknown, string, number];
  return { client, extranonce1, size };
}

async function authorized(port: number, password = 'x') {
  const s = await subscribed(port);
  const auth = await s.client.send('mining.authorize', [LOGIN, password]);
  assert.equal(auth.result, true);
  const notify = await s.client.nextNotify();
  return { ...s, notify };
}

const nonceFor = (extranonce1: string, k: number) => extranonce1 + k.toString(16).padStart(12, '0');

describe('stratum dialect over real sockets', () => {
  let h: Harness;
  let port: number;
  let height = 1_500_000;
  before(async () => {
    h = await startHarness();
    port = h.ports[0]!.port;
    h.server.setWork({ msg: msgHex(1), b: NO_BLOCKS_B, height, version: 3 });
  });
  after(() => h.close());

  it('subscribe answers [[set_difficulty, notify], extranonce1, 6] with error null', async () => {
    const { client } = await subscribed(port);
    const reply = client.messages.length === 0 ? null : client.messages[0];
    assert.equal(reply, null, 'nothing is sent before authorize');
    const again = await client.send('mining.subscribe', []);
    assert.equal(again.error, null);
    const [details, extranonce1, size] = again.result as [string[][], string, number];
    assert.deepEqual(
      details.map((d) => d[0]),
      ['mining.set_difficulty', 'mining.notify'],
    );
    assert.match(extranonce1, /^[0-9a-f]{4}$/);
    assert.equal(size, 6);
    client.close();
  });

  it('authorize sends set_difficulty [1] then notify with the decimal share target', async () => {
    const { client } = await subscribed(port);
    const auth = await client.send('mining.authorize', [LOGIN, 'x']);
    assert.deepEqual({ result: auth.result, error: auth.error }, { result: true, error: null });
    const setDiff = await client.waitFor((m) => m.method === 'mining.set_difficulty');
    assert.deepEqual(setDiff.params, [1]);
    const notify = await client.nextNotify();
    const [jobId, h0, msg, c1, c2, version, target, ntime, clean] = notify.params as unknown[];
    assert.equal(typeof jobId, 'string');
    assert.deepEqual([h0, msg, c1, c2, version, ntime, clean], [height, msgHex(1), '', '', 3, '', true]);
    assert.equal(target, (DIFF1_TARGET * 10n ** 10n).toString());
    client.close();
  });

  it('refuses a bad address at authorize with error 24 and keeps the connection', async () => {
    const { client } = await subscribed(port);
    for (const login of [
      '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vB.rig',
      'nonsense',
      '3WyAaMQmWbb3Zx1iQwwcRrM9ioGtsHy6y7XaPVJWjacVHmf3UbLe',
    ]) {
      const reply = await client.send('mining.authorize', [login, 'x']);
      assert.equal((reply.error as unknown[])[0], 24, login);
      assert.equal(reply.result, null);
    }
    assert.equal(client.closed, false);
    client.close();
  });

  it('accepts a share and records everything about it', async () => {
    const { client, extranonce1, notify } = await authorized(port);
    const jobId = (notify.params as string[])[0]!;
    const nonce = nonceFor(extranonce1, 1).toUpperCase();
    const reply = await client.send('mining.submit', [LOGIN, jobId, nonce.slice(4), '', nonce]);
    assert.deepEqual(
      { result: reply.result, error: reply.error },
      { result: true, error: null },
      JSON.stringify(reply),
    );
    const share = h.sink.shares.find((s) => s.nonce === nonce.toLowerCase())!;
    assert.ok(
      share,
      `recorded before the reply: ${JSON.stringify(h.sink.shares.map((s) => s.nonce))} ${nonce}`,
    );
    assert.equal(share.address, MINER_ADDRESS);
    assert.equal(share.worker, 'rig1');
    assert.equal(share.jobId, jobId);
    assert.equal(share.height, height);
    assert.equal(share.userAgent, 'lolMiner 1.88');
    assert.equal(share.clientAddress, '127.0.0.1');
    assert.equal(share.isBlock, false);
    assert.equal(share.networkDifficulty, GROUP_Q / NO_BLOCKS_B);
    assert.ok(share.expectedHashes >= 1n);
    assert.match(share.id, /^[0-9a-f-]{36}$/);
    client.close();
  });

  it('answers every error code without disconnecting for duplicate, stale or low-difficulty shares', async () => {
    const { client, extranonce1, notify } = await authorized(port);
    const jobId = (notify.params as string[])[0]!;
    const n1 = nonceFor(extranonce1, 2);
    const code = (m: { error?: unknown }) => (m.error as unknown[] | null)?.[0] ?? null;
    assert.equal(
      code(await client.send('mining.submit', [LOGIN, jobId, n1.slice(4), 'undefined', n1])),
      null,
    );
    assert.equal(
      code(await client.send('mining.submit', [LOGIN, jobId, n1.slice(4), '', n1])),
      22,
      'duplicate',
    );
    assert.equal(
      code(await client.send('mining.submit', [LOGIN, 'ffffffff', '', '', nonceFor(extranonce1, 3)])),
      21,
      'unknown job',
    );
    assert.equal(
      code(
        await client.send('mining.submit', [
          `${MINER_ADDRESS}.other`,
          jobId,
          '',
          '',
          nonceFor(extranonce1, 4),
        ]),
      ),
      24,
    );
    assert.equal(
      code(
        await client.send('mining.submit', [
          LOGIN,
          jobId,
          '',
          '',
          `ffff${nonceFor(extranonce1, 5).slice(4)}`,
        ]),
      ),
      20,
      'wrong extranonce1',
    );
    assert.equal(code(await client.send('mining.submit', [LOGIN, jobId, '', '', 'abcd'])), 20, 'short nonce');
    assert.equal(code(await client.send('mining.suggest_difficulty', [1])), 20, 'unknown method');
    assert.deepEqual((await client.send('mining.extranonce.subscribe', [])).result, true);
    // stale: a new height arrives; the old job's share is stale, counted apart from invalid
    height += 1;
    h.server.setWork({ msg: msgHex(2), b: NO_BLOCKS_B, height, version: 3 });
    const fresh = await client.nextNotify();
    assert.equal((fresh.params as unknown[])[8], true, 'clean_jobs on a new height');
    const staleReply = await client.send('mining.submit', [LOGIN, jobId, '', '', nonceFor(extranonce1, 6)]);
    assert.equal(code(staleReply), 21);
    assert.match((staleReply.error as string[])[1]!, /stale/);
    // a mempool change at the same height: clean_jobs too (issue 11.23), and the previous job stays valid
    const freshId = (fresh.params as string[])[0]!;
    h.server.setWork({ msg: msgHex(3), b: NO_BLOCKS_B, height, version: 3 });
    const sameHeight = await client.nextNotify();
    assert.equal((sameHeight.params as unknown[])[8], true, 'clean_jobs whenever msg changes');
    assert.equal(
      code(await client.send('mining.submit', [LOGIN, freshId, '', '', nonceFor(extranonce1, 7)])),
      null,
    );
    assert.equal(client.closed, false);
    assert.ok(h.server.counters.stale >= 1, 'stale counted');
    assert.ok(h.server.counters.duplicate >= 1, 'duplicate counted');
    assert.ok(h.server.counters.invalid >= 3, 'invalid counted apart from stale');
    client.close();
  });

  it('low-difficulty share → 23 (static d= in the password)', async () => {
    const { client, extranonce1, notify } = await authorized(port, 'x;d=1000000');
    const target = BigInt((notify.params as string[])[6]!);
    assert.equal(target, DIFF1_TARGET / 1000000n);
    const reply = await client.send('mining.submit', [
      LOGIN,
      (notify.params as string[])[0]!,
      '',
      '',
      nonceFor(extranonce1, 1),
    ]);
    assert.equal((reply.error as unknown[])[0], 23);
    assert.equal(client.closed, false);
    client.close();
  });

  it('not subscribed → 25', async () => {
    const client = await TestStratumClient.open(port);
    const reply = await client.send('mining.submit', [LOGIN, 'x', '', '', '0000000000000000']);
    assert.equal((reply.error as unknown[])[0], 25);
    client.close();
  });

  it('a block candidate is submitted to the node before the miner is answered', async () => {
    const { client, extranonce1 } = await authorized(port);
    height += 1;
    h.server.setWork({ msg: msgHex(9), b: GROUP_Q, height, version: 3 }); // every hit < q: a block
    const notify = await client.nextNotify();
    const nonce = nonceFor(extranonce1, 42);
    const before = h.submitter.nonces.length;
    const reply = await client.send('mining.submit', [LOGIN, (notify.params as string[])[0]!, '', '', nonce]);
    assert.equal(reply.result, true);
    assert.deepEqual(h.submitter.nonces.slice(before), [nonce]);
    const share = h.sink.shares.find((s) => s.nonce === nonce)!;
    assert.equal(share.isBlock, true);
    assert.equal(share.blockAccepted, true);
    client.close();
  });
});
