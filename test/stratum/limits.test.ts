import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { TestStratumClient } from '../helpers/stratum-client.ts';
import { MINER_ADDRESS, msgHex, startHarness } from '../helpers/stratum-harness.ts';

/** Connection limits, timeouts and framing (issue 11, items 7, 8, 10 and 12). */
const LOGIN = `${MINER_ADDRESS}.rig`;
const WORK = { msg: msgHex(1), b: 1n, height: 1000, version: 3 };
const nonceFor = (extranonce1: string, k: number) => extranonce1 + k.toString(16).padStart(12, '0');

async function miner(port: number, localAddress: string) {
  const client = await TestStratumClient.open(port, { localAddress });
  const sub = await client.send('mining.subscribe', ['test']);
  await client.send('mining.authorize', [LOGIN, 'x']);
  const notify = await client.nextNotify();
  return { client, extranonce1: (sub.result as string[])[1]!, jobId: (notify.params as string[])[0]! };
}

/** A socket that connects and never sends a byte. */
function silentSocket(
  port: number,
  localAddress: string,
): Promise<{ socket: Socket; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    let closed = false;
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    socket.on('close', () => {
      closed = true;
    });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve({ socket, closed: () => closed });
    });
  });
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('global connection cap (issue 11.7)', () => {
  it('counts sockets from accept, refuses the flood over the cap, and the connected miner keeps its acks', async () => {
    const h = await startHarness({
      // The silent sockets never time out during the test, however slow the machine.
      limits: { maxConnections: 20, maxConnectionsPerAddress: 1000, silenceTimeoutMs: 600_000 },
      openFileLimit: null,
    });
    try {
      const port = h.ports[0]!.port;
      h.server.setWork(WORK);
      const good = await miner(port, '127.0.0.1');
      // 60 silent sockets from 60 addresses: none sends a PROXY header, TLS or a line.
      const flood = await Promise.all(
        Array.from({ length: 60 }, (_, k) => silentSocket(port, `127.0.5.${k + 1}`)),
      );
      await until(
        () => flood.filter((f) => f.closed()).length >= 41,
        'the sockets over the cap to be closed',
      );
      assert.equal(h.server.connectionCount, 20, 'the cap: 1 miner and 19 silent sockets');
      assert.equal(flood.filter((f) => f.closed()).length, 41, 'only those over the cap were refused');
      for (let k = 1; k <= 5; k++) {
        const reply = await good.client.send('mining.submit', [
          LOGIN,
          good.jobId,
          '',
          '',
          nonceFor(good.extranonce1, k),
        ]);
        assert.equal(reply.result, true, 'the connected miner is never starved');
      }
      const newcomer = await TestStratumClient.open(port, { localAddress: '127.0.0.9' });
      newcomer.raw('{"id":1,"method":"mining.subscribe","params":[]}\n');
      await newcomer.whenClosed();
      assert.equal(newcomer.messages.length, 0, 'refused cleanly: closed, nothing sent');
      assert.ok((h.server.refused.get('server full') ?? 0) >= 42);
      for (const f of flood) f.socket.destroy();
      await until(() => h.server.connectionCount === 1, 'the flood to be gone');
      const later = await miner(port, '127.0.0.9');
      const reply = await later.client.send('mining.submit', [
        LOGIN,
        later.jobId,
        '',
        '',
        nonceFor(later.extranonce1, 1),
      ]);
      assert.equal(reply.result, true, 'new miners are taken again below the cap');
      good.client.close();
      later.client.close();
    } finally {
      await h.close();
    }
  });

  it('keeps headroom below the open-file limit', async () => {
    const h = await startHarness({ limits: { maxConnections: 16_000 }, openFileLimit: 1024 });
    try {
      assert.equal(
        h.server.maxConnections,
        768,
        '1024 minus a fifth (at least 256) for the journal, database and HTTP',
      );
    } finally {
      await h.close();
    }
  });
});

describe('silent and half-logged-in connections (issue 11.8)', () => {
  it('a socket that never sends a byte counts against its address from accept', async () => {
    const h = await startHarness({ limits: { maxConnectionsPerAddress: 3, silenceTimeoutMs: 600_000 } });
    try {
      const port = h.ports[0]!.port;
      const silent = await Promise.all([1, 2, 3].map(() => silentSocket(port, '127.0.6.1')));
      const fourth = await TestStratumClient.open(port, { localAddress: '127.0.6.1' });
      fourth.raw('{"id":1,"method":"mining.subscribe","params":[]}\n');
      await fourth.whenClosed();
      assert.equal(fourth.messages.length, 0);
      for (const s of silent) s.socket.destroy();
    } finally {
      await h.close();
    }
  });

  it('subscribed but never authorized: timed out, and its extranonce1 is free again', async () => {
    // extranonce1 of 1 byte with 7 instance bits: a space of 2 values, so a held one is visible.
    const h = await startHarness({
      extranonce1Size: 1,
      instanceBits: 7,
      limits: { loginTimeoutMs: 300 },
      sweepIntervalMs: 50,
    });
    try {
      const port = h.ports[0]!.port;
      const holders = await Promise.all([1, 2].map(() => TestStratumClient.open(port)));
      for (const c of holders) assert.equal((await c.send('mining.subscribe', [])).error, null);
      const third = await TestStratumClient.open(port);
      const full = await third.send('mining.subscribe', []);
      assert.match(String((full.error as unknown[])[1]), /server full/);
      for (const c of holders) await c.whenClosed();
      const fourth = await TestStratumClient.open(port);
      const reply = await fourth.send('mining.subscribe', []);
      assert.equal(reply.error, null, 'the timed-out connections released their extranonce1');
      fourth.close();
    } finally {
      await h.close();
    }
  });
});

describe('rate limits and framing (issue 11.10)', () => {
  it('empty lines take tokens too: a stream of bare newlines is cut off', async () => {
    const h = await startHarness();
    try {
      const port = h.ports[0]!.port;
      const polite = await TestStratumClient.open(port);
      polite.raw('\n\r\n');
      assert.equal((await polite.send('mining.subscribe', [])).error, null, 'a few blank lines are fine');
      const flood = await TestStratumClient.open(port);
      await flood.send('mining.subscribe', []); // past the first read, which has limits of its own
      flood.raw('\n'.repeat(100_000));
      await flood.whenClosed();
      assert.equal(polite.closed, false);
      polite.close();
    } finally {
      await h.close();
    }
  });

  it('maxLineBytes counts UTF-8 bytes, not UTF-16 units', async () => {
    const h = await startHarness({ limits: { maxLineBytes: 1024 } });
    try {
      const port = h.ports[0]!.port;
      const ascii = await TestStratumClient.open(port);
      assert.equal((await ascii.send('mining.subscribe', ['e'.repeat(900)])).error, null);
      const wide = await TestStratumClient.open(port);
      await wide.send('mining.subscribe', []);
      wide.raw(`{"id":1,"method":"mining.subscribe","params":["${'€'.repeat(400)}"]}\n`); // 1,200+ bytes
      await wide.whenClosed();
      assert.equal(wide.messages.length, 0, 'no reply to the long line');
      ascii.close();
    } finally {
      await h.close();
    }
  });

  it('a first read over 8 KB of valid lines is not an oversized preamble', async () => {
    const h = await startHarness();
    try {
      const client = await TestStratumClient.open(h.ports[0]!.port);
      const lines = Array.from(
        { length: 150 },
        (_, k) => `{"id":${k + 1},"method":"mining.extranonce.subscribe","params":[]}\n`,
      ).join('');
      assert.ok(Buffer.byteLength(lines) > 8192);
      client.raw(lines);
      await until(() => client.messages.length === 150 || client.closed, 'the replies');
      assert.equal(client.closed, false);
      assert.equal(client.messages.length, 150);
      client.close();
    } finally {
      await h.close();
    }
  });

  it('more than 32 instant requests in one read are all answered (pending counts submits only)', async () => {
    const h = await startHarness();
    try {
      const client = await TestStratumClient.open(h.ports[0]!.port);
      await client.send('mining.subscribe', []);
      client.raw(
        Array.from(
          { length: 100 },
          (_, k) => `{"id":${k + 10},"method":"mining.extranonce.subscribe"}\n`,
        ).join(''),
      );
      await until(() => client.messages.length === 100 || client.closed, 'the replies');
      assert.equal(client.closed, false);
      assert.equal(client.messages.length, 100);
      client.close();
    } finally {
      await h.close();
    }
  });
});

describe('bounded memory (issue 11.12)', () => {
  it('one connection authorizes a bounded number of workers', async () => {
    const h = await startHarness({ limits: { maxWorkersPerConnection: 4 } });
    try {
      const client = await TestStratumClient.open(h.ports[0]!.port);
      await client.send('mining.subscribe', []);
      for (let k = 1; k <= 4; k++)
        assert.equal((await client.send('mining.authorize', [`${MINER_ADDRESS}.w${k}`, 'x'])).result, true);
      const fifth = await client.send('mining.authorize', [`${MINER_ADDRESS}.w5`, 'x']);
      assert.deepEqual((fifth.error as unknown[]).slice(0, 2), [24, 'too many workers on one connection']);
      assert.equal(
        (await client.send('mining.authorize', [`${MINER_ADDRESS}.w1`, 'x'])).result,
        true,
        'again',
      );
      client.close();
    } finally {
      await h.close();
    }
  });

  it('one-share visitors from many addresses leave a bounded address book', async () => {
    const h = await startHarness({ limits: { ban: { maxAddresses: 10 } } });
    try {
      const port = h.ports[0]!.port;
      h.server.setWork(WORK);
      for (let k = 1; k <= 30; k++) {
        const m = await miner(port, `127.0.11.${k}`);
        await m.client.send('mining.submit', [LOGIN, m.jobId, '', '', nonceFor(m.extranonce1, 1)]);
        m.client.close();
        await m.client.whenClosed();
      }
      await until(() => h.server.connectionCount === 0, 'every visitor gone');
      assert.ok(h.server.memory.addresses <= 10, `${h.server.memory.addresses} addresses remembered`);
    } finally {
      await h.close();
    }
  });
});
