import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestStratumClient } from '../helpers/stratum-client.ts';
import { type Harness, MINER_ADDRESS, msgHex, startHarness } from '../helpers/stratum-harness.ts';

const LOGIN = `${MINER_ADDRESS}.rig`;

async function miner(port: number, localAddress?: string) {
  const client = await TestStratumClient.open(port, localAddress ? { localAddress } : {});
  const sub = await client.send('mining.subscribe', ['test']);
  await client.send('mining.authorize', [LOGIN, 'x']);
  const notify = await client.nextNotify();
  return { client, extranonce1: (sub.result as string[])[1]!, jobId: (notify.params as string[])[0]! };
}

describe('stratum protection', () => {
  let h: Harness;
  let port: number;
  before(async () => {
    h = await startHarness({
      limits: {
        maxLineBytes: 1024,
        messagesPerSecond: 20,
        messageBurst: 40,
        maxConnectionsPerAddress: 5,
        // exempt: none, so loopback test addresses can be banned
        ban: { enabled: true, checkThreshold: 10, invalidPercent: 50, banSeconds: 60, exempt: [] },
      },
    });
    port = h.ports[0]!.port;
    h.server.setWork({ msg: msgHex(1), b: 1n, height: 1000, version: 3 });
  });
  after(() => h.close());

  it('a malformed line closes only that connection; another miner keeps mining', async () => {
    const good = await miner(port, '127.0.0.10');
    for (const junk of ['not json\n', '[1,2,3]\n', '{"id":1}\n']) {
      const bad = await TestStratumClient.open(port, { localAddress: '127.0.0.11' });
      bad.raw(junk);
      await bad.whenClosed();
    }
    const nonce = `${good.extranonce1}000000000001`;
    const reply = await good.client.send('mining.submit', [LOGIN, good.jobId, '', '', nonce]);
    assert.equal(reply.result, true);
    assert.equal(good.client.closed, false);
    good.client.close();
  });

  it('an oversized line or a line without end is cut off', async () => {
    const a = await TestStratumClient.open(port, { localAddress: '127.0.0.12' });
    a.raw(`{"id":1,"method":"mining.subscribe","params":["${'x'.repeat(2000)}"]}\n`);
    await a.whenClosed();
    const b = await TestStratumClient.open(port, { localAddress: '127.0.0.12' });
    b.raw('{'.repeat(5000));
    await b.whenClosed();
  });

  it('a message flood closes the flooding connection only', async () => {
    const good = await miner(port, '127.0.0.13');
    const flood = await TestStratumClient.open(port, { localAddress: '127.0.0.14' });
    flood.raw('{"id":1,"method":"mining.extranonce.subscribe","params":[]}\n'.repeat(500));
    await flood.whenClosed();
    const reply = await good.client.send('mining.submit', [
      LOGIN,
      good.jobId,
      '',
      '',
      `${good.extranonce1}000000000002`,
    ]);
    assert.equal(reply.result, true);
    good.client.close();
  });

  it('caps connections per client address', async () => {
    const clients = await Promise.all(
      Array.from({ length: 5 }, () => TestStratumClient.open(port, { localAddress: '127.0.0.15' })),
    );
    await Promise.all(clients.map((c) => c.send('mining.subscribe', [])));
    const sixth = await TestStratumClient.open(port, { localAddress: '127.0.0.15' });
    sixth.raw('{"id":1,"method":"mining.subscribe","params":[]}\n');
    await sixth.whenClosed();
    for (const c of clients) assert.equal(c.closed, false);
    for (const c of clients) c.close();
  });

  it('bans an address whose shares are mostly invalid, and only that address', async () => {
    const bad = await miner(port, '127.0.0.16');
    const other = await miner(port, '127.0.0.17');
    for (let k = 0; k < 10 && !bad.client.closed; k++) {
      await bad.client
        .send('mining.submit', [LOGIN, bad.jobId, '', '', `ffff00000000000${k}`])
        .catch(() => undefined);
    }
    await bad.client.whenClosed();
    const again = await TestStratumClient.open(port, { localAddress: '127.0.0.16' });
    again.raw('{"id":1,"method":"mining.subscribe","params":[]}\n');
    await again.whenClosed();
    const reply = await other.client.send('mining.submit', [
      LOGIN,
      other.jobId,
      '',
      '',
      `${other.extranonce1}000000000003`,
    ]);
    assert.equal(reply.result, true);
    other.client.close();
  });
});

describe('stratum timeouts', () => {
  it('drops a connection that stays silent after connect', async () => {
    const h = await startHarness({ limits: { silenceTimeoutMs: 300 }, sweepIntervalMs: 100 });
    try {
      const silent = await TestStratumClient.open(h.ports[0]!.port);
      await silent.whenClosed(5000);
    } finally {
      await h.close();
    }
  });

  it('drops an authorized miner that sends no share for the idle timeout', async () => {
    const h = await startHarness({ limits: { idleTimeoutMs: 400 }, sweepIntervalMs: 100 });
    try {
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 1, version: 3 });
      const { client } = await miner(h.ports[0]!.port);
      await client.whenClosed(5000);
    } finally {
      await h.close();
    }
  });
});
