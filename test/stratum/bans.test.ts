import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientAddressBook, DEFAULT_BAN_POLICY } from '../../src/stratum/bans.ts';
import { captureLogs, INFO } from '../helpers/log-capture.ts';
import { TestStratumClient } from '../helpers/stratum-client.ts';
import { MINER_ADDRESS, msgHex, startHarness } from '../helpers/stratum-harness.ts';

/** Who gets banned, and what a ban does (issue 11, items 9, 11, 12 and 13). */
const LOGIN = `${MINER_ADDRESS}.rig`;
const nonceFor = (extranonce1: string, k: number) => extranonce1 + k.toString(16).padStart(12, '0');
const BAN_TESTS = { enabled: true, checkThreshold: 10, invalidPercent: 50, banSeconds: 60, exempt: [] };

async function miner(port: number, localAddress: string, password = 'x') {
  const client = await TestStratumClient.open(port, { localAddress });
  const sub = await client.send('mining.subscribe', ['test']);
  await client.send('mining.authorize', [LOGIN, password]);
  const notify = await client.nextNotify();
  return { client, extranonce1: (sub.result as string[])[1]!, jobId: (notify.params as string[])[0]! };
}

/** A nonce with another connection's extranonce1: malformed work, error 20. */
const invalidWork = (k: number) => `ffff${k.toString(16).padStart(12, '0')}`;

describe('bans (issue 11.9, 11.11)', () => {
  it('a ban closes every connection of the address, and only of that address', async () => {
    const h = await startHarness({ limits: { ban: BAN_TESTS } });
    try {
      const port = h.ports[0]!.port;
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 1000, version: 3 });
      const banned: { connectionsClosed: number }[] = [];
      h.server.events.on('banned', (e) => banned.push(e));
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => miner(port, '127.0.7.1')));
      const other = await miner(port, '127.0.7.2');
      for (let k = 0; k < 10 && !a!.client.closed; k++)
        await a!.client
          .send('mining.submit', [LOGIN, a!.jobId, '', '', invalidWork(k)])
          .catch(() => undefined);
      await Promise.all([a!, b!, c!].map((m) => m.client.whenClosed()));
      assert.deepEqual(
        banned.map((e) => e.connectionsClosed),
        [3],
      );
      const reply = await other.client.send('mining.submit', [
        LOGIN,
        other.jobId,
        '',
        '',
        nonceFor(other.extranonce1, 1),
      ]);
      assert.equal(reply.result, true);
      other.client.close();
    } finally {
      await h.close();
    }
  });

  it('stale, duplicate and low-difficulty shares at a difficulty the pool gave never ban', async () => {
    const h = await startHarness({ limits: { ban: BAN_TESTS } });
    try {
      const port = h.ports[0]!.port;
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 1000, version: 3 });
      const m = await miner(port, '127.0.9.1');
      const submit = (jobId: string, nonce: string) =>
        m.client.send('mining.submit', [LOGIN, jobId, '', '', nonce]);
      const code = (reply: { error?: unknown }) => (reply.error as unknown[] | null)?.[0] ?? null;
      assert.equal(code(await submit(m.jobId, nonceFor(m.extranonce1, 1))), null);
      for (let k = 0; k < 12; k++) assert.equal(code(await submit(m.jobId, nonceFor(m.extranonce1, 1))), 22);
      h.server.setWork({ msg: msgHex(2), b: 1n, height: 1001, version: 3 });
      const fresh = await m.client.nextNotify();
      for (let k = 0; k < 12; k++)
        assert.equal(code(await submit(m.jobId, nonceFor(m.extranonce1, 10 + k))), 21);
      // A second login asks for d=1000000: the pool sends the harder target, the miner keeps mining at the
      // easy one it was given first (every nonce meets it): low difficulty, but not invalid work.
      await m.client.send('mining.authorize', [`${MINER_ADDRESS}.b`, 'x;d=1000000']);
      const harder = await m.client.nextNotify();
      assert.ok(BigInt((harder.params as string[])[6]!) < BigInt((fresh.params as string[])[6]!));
      const jobId = (harder.params as string[])[0]!;
      for (let k = 0; k < 12; k++)
        assert.equal(code(await submit(jobId, nonceFor(m.extranonce1, 100 + k))), 23);
      assert.equal(m.client.closed, false);
      const again = await TestStratumClient.open(port, { localAddress: '127.0.9.1' });
      assert.equal((await again.send('mining.subscribe', [])).error, null, 'not banned');
      again.close();
      m.client.close();
    } finally {
      await h.close();
    }
  });

  it('a hit that meets no difficulty the pool ever gave is invalid work', async () => {
    const h = await startHarness({ limits: { ban: BAN_TESTS } });
    try {
      const port = h.ports[0]!.port;
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 1000, version: 3 });
      // d=1000000 from the first login: the only difficulty given; random nonces do not meet it.
      const m = await miner(port, '127.0.9.2', 'd=1000000');
      for (let k = 0; k < 10 && !m.client.closed; k++)
        await m.client
          .send('mining.submit', [LOGIN, m.jobId, '', '', nonceFor(m.extranonce1, k)])
          .catch(() => undefined);
      await m.client.whenClosed();
    } finally {
      await h.close();
    }
  });

  it('loopback is exempt by default: the operator’s own load test never locks out its miners', async () => {
    const h = await startHarness({
      limits: { ban: { enabled: true, checkThreshold: 10, invalidPercent: 50, banSeconds: 60 } },
    });
    try {
      const port = h.ports[0]!.port;
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 1000, version: 3 });
      const m = await miner(port, '127.0.0.1');
      for (let k = 0; k < 30; k++)
        await m.client.send('mining.submit', [LOGIN, m.jobId, '', '', invalidWork(k)]);
      assert.equal(m.client.closed, false);
      m.client.close();
    } finally {
      await h.close();
    }
  });

  it('refusals are one summary line, not one line per connection', async () => {
    const { logger, lines } = captureLogs();
    const h = await startHarness({ limits: { ban: BAN_TESTS }, logger, sweepIntervalMs: 2000 });
    try {
      const port = h.ports[0]!.port;
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 1000, version: 3 });
      const m = await miner(port, '127.0.10.1');
      for (let k = 0; k < 10 && !m.client.closed; k++)
        await m.client.send('mining.submit', [LOGIN, m.jobId, '', '', invalidWork(k)]).catch(() => undefined);
      await m.client.whenClosed();
      const attempts = await Promise.all(
        Array.from({ length: 20 }, () => TestStratumClient.open(port, { localAddress: '127.0.10.1' })),
      );
      await Promise.all(attempts.map((c) => c.whenClosed()));
      const summary = /^stratum: refused (\d+) connection\(s\): banned \1 \(from 127\.0\.10\.1\)$/;
      const refused = () => lines.reduce((sum, l) => sum + Number(summary.exec(l.msg)?.[1] ?? 0), 0);
      const deadline = Date.now() + 10_000;
      while (refused() < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const operatorLines = lines.filter((l) => l.level >= INFO);
      assert.equal(refused(), 20);
      // All 20 fell within one or (straddling a sweep) two 2-second reports.
      assert.ok(operatorLines.filter((l) => summary.test(l.msg)).length <= 2, 'summary lines');
      assert.equal(operatorLines.filter((l) => /connection refused/.test(l.msg)).length, 0);
      assert.equal(operatorLines.filter((l) => /banned 127\.0\.10\.1/.test(l.msg)).length, 1, 'one ban line');
    } finally {
      await h.close();
    }
  });
});

describe('address book (issue 11.12)', () => {
  const policy = { ...DEFAULT_BAN_POLICY, exempt: [], checkThreshold: 2, maxAddresses: 100 };

  it('forgets idle addresses after forgetSeconds and keeps at most maxAddresses', () => {
    const book = new ClientAddressBook(policy);
    for (let k = 0; k < 1000; k++) {
      const address = `10.0.${k >> 8}.${k & 255}`;
      book.connected(address);
      book.share(address, 'valid', k);
      book.disconnected(address, k);
    }
    assert.equal(book.size.addresses, 100, '100k one-share visitors would leave at most maxAddresses');
    book.sweep(999 + policy.forgetSeconds * 1000 - 1);
    assert.ok(book.size.addresses > 0, 'not yet');
    book.sweep(1000 + policy.forgetSeconds * 1000);
    assert.equal(book.size.addresses, 0);
  });

  it('never forgets an address with connections', () => {
    const book = new ClientAddressBook({ ...policy, maxAddresses: 2 });
    book.connected('10.1.0.1');
    book.share('10.1.0.1', 'valid', 0);
    for (let k = 2; k < 10; k++) {
      book.connected(`10.1.0.${k}`);
      book.share(`10.1.0.${k}`, 'valid', 0);
      book.disconnected(`10.1.0.${k}`, 0);
    }
    book.sweep(10_000_000);
    assert.equal(book.connectionCount('10.1.0.1'), 1);
  });

  it('sweeps bans that ended, and keeps at most maxAddresses of them', () => {
    const book = new ClientAddressBook(policy);
    for (let k = 0; k < 150; k++) {
      const address = `10.2.0.${k}`;
      book.connected(address);
      assert.equal(book.share(address, 'invalid', 0), false);
      assert.equal(book.share(address, 'invalid', 0), true, 'banned');
    }
    assert.equal(book.size.bans, 100);
    book.sweep(policy.banSeconds * 1000 - 1);
    assert.equal(book.size.bans, 100);
    book.sweep(policy.banSeconds * 1000);
    assert.equal(book.size.bans, 0, 'swept without the address coming back');
  });

  it('exempt addresses and ranges are never banned; bad entries are refused', () => {
    const book = new ClientAddressBook({ ...policy, exempt: ['127.0.0.0/8', '::1', '192.0.2.7'] });
    for (const address of ['127.0.0.1', '127.9.9.9', '::1', '192.0.2.7']) {
      book.connected(address);
      book.share(address, 'invalid', 0);
      assert.equal(book.share(address, 'invalid', 0), false, address);
      assert.equal(book.isBanned(address, 1), false);
    }
    assert.equal(book.share('192.0.2.8', 'invalid', 0) || book.share('192.0.2.8', 'invalid', 0), true);
    assert.throws(() => new ClientAddressBook({ ...policy, exempt: ['not-an-ip'] }), /not-an-ip/);
    assert.throws(() => new ClientAddressBook({ ...policy, exempt: ['10.0.0.0/99'] }), /10\.0\.0\.0\/99/);
  });
});

describe('event listeners that throw (issue 11.13)', () => {
  it('never reach accept, a socket handler or the share reply', async () => {
    const { logger, lines } = captureLogs();
    const h = await startHarness({ logger });
    try {
      const port = h.ports[0]!.port;
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 1000, version: 3 });
      for (const event of ['connected', 'authorized', 'share', 'disconnected'] as const)
        h.server.events.on(event, () => {
          throw new Error(`listener of ${event} fails`);
        });
      const m = await miner(port, '127.0.0.1');
      const reply = await m.client.send('mining.submit', [
        LOGIN,
        m.jobId,
        '',
        '',
        nonceFor(m.extranonce1, 1),
      ]);
      assert.equal(reply.result, true);
      // Nothing else was written for that submit (before: an "internal error" after the ack).
      const next = await m.client.send('mining.extranonce.subscribe', []);
      assert.equal(next.result, true);
      assert.deepEqual(
        m.client.messages.filter((x) => x.id !== null),
        [],
        'no other reply',
      );
      m.client.close();
      await m.client.whenClosed();
      assert.equal(h.server.counters.accepted, 1, 'the server’s own counting still ran');
      const again = await miner(port, '127.0.0.1');
      again.client.close();
      const failures = lines.filter((l) => l.msg === 'stratum: an event listener failed');
      assert.ok(failures.length >= 4, `${failures.length} listener failures logged`);
    } finally {
      await h.close();
    }
  });
});
