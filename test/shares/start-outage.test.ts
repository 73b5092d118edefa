import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/db/index.ts';
import { createServerDatabase } from '../db/helpers.ts';
import { AckingMiner } from './acking-miner.ts';
import { ADDRESS, tempDir, until } from './helpers.ts';
import { PoolProcess, writePoolConfig } from './pool-process.ts';
import { TcpProxy } from './tcp-proxy.ts';

/**
 * A pool restarted while its PostgreSQL server is down (the TCP proxy in front of it is closed at start):
 * it starts, mines on the journal alone, ships every share once the server is back, and its accounting waits
 * for the database instead of failing.
 */
describe('start during a database outage', { timeout: 900_000 }, () => {
  it('a restart while PostgreSQL is down starts, mines on the journal, ships when it is back', async (t) => {
    const dir = tempDir(t, 'ep-start-outage-');
    const server = await createServerDatabase();
    t.after(() => server.drop());
    const proxy = new TcpProxy(5432);
    const proxyPort = await proxy.start();
    t.after(() => proxy.close());
    const config = writePoolConfig(dir, {
      database: `postgres://postgres@127.0.0.1:${proxyPort}/${server.name}`,
    });

    // A first run against the server (the data dir now knows it), then Ctrl-C.
    const first = PoolProcess.start(['--config', config]);
    t.after(() => {
      first.child.kill('SIGKILL');
    });
    await first.stratumPort(180_000);
    assert.equal((await first.stop()).code, 0, first.messages().join('\n'));

    await proxy.cut();
    const pool = PoolProcess.start(['--config', config]);
    t.after(() => {
      pool.child.kill('SIGKILL');
    });
    await pool.waitFor(/database: PostgreSQL at .* is unreachable .*so the pool starts anyway/, 180_000);
    await pool.waitFor(/accounting: waiting for the database/, 120_000);
    const port = await pool.stratumPort(120_000);
    const miner = await AckingMiner.connect(port, `${ADDRESS}.rig1`, 8);
    miner.start();
    await until(() => miner.acked.size >= 200, 60_000, 'shares acknowledged on the journal alone');
    assert.ok(
      !pool.messages().some((m) => /accounting: the database is reachable/.test(m)),
      'accounting waits while the database is down',
    );

    await proxy.restore();
    await pool.waitFor(/accounting: the database is reachable; blocks, credits and payouts start/, 120_000);
    miner.stop();
    await until(() => miner.inFlight.size === 0, 10_000, 'the last replies');
    const direct = await openDatabase({ url: server.url, poolSize: 1 });
    t.after(() => direct.close());
    const stored = async () =>
      (await direct.query<{ nonce: string }>('SELECT nonce FROM shares')).rows.map((r) => r.nonce);
    await until(async () => (await stored()).length >= miner.acked.size, 60_000, 'the journal shipped');
    miner.close();
    assert.equal((await pool.stop()).code, 0, pool.messages().join('\n'));
    const nonces = await stored();
    assert.equal(new Set(nonces).size, nonces.length, 'no share stored twice');
    assert.deepEqual(
      [...miner.acked].filter((n) => !nonces.includes(n)),
      [],
      'every acknowledged share is in the database',
    );
  });
});
