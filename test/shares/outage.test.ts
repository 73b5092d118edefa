import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/db/index.ts';
import { createServerDatabase } from '../db/helpers.ts';
import { WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { AckingMiner } from './acking-miner.ts';
import { ADDRESS, sleep, tempDir, until } from './helpers.ts';
import { PoolProcess, writePoolConfig } from './pool-process.ts';
import { TcpProxy } from './tcp-proxy.ts';

/**
 * PostgreSQL unavailable for a while under load. The pool (`bin/enigmapool start --config …`) reaches its own
 * test database on the shared server through a loopback TCP proxy; cutting the proxy resets the pool's
 * connections and refuses new ones, exactly what a stopped server looks like from the pool, without stopping
 * the server everyone else's tests use. Miners must keep being acknowledged during the outage, and every
 * acknowledged share must be in `shares` exactly once after the database is back.
 */
describe('PostgreSQL outage under load', { timeout: 240_000 }, () => {
  it('miners keep getting acknowledgements and every share lands once the database is back', async (t) => {
    const dir = tempDir(t, 'ep-outage-');
    const server = await createServerDatabase();
    t.after(() => server.drop());
    const proxy = new TcpProxy(5432);
    const proxyPort = await proxy.start();
    t.after(() => proxy.close());
    const hooks = await new WebhookReceiver().start();
    t.after(() => hooks.close());
    const events = () => hooks.bodies.map((b) => (b.body as { event: string }).event);
    const config = writePoolConfig(dir, {
      blockShares: 5000,
      webhook: `${hooks.url}/hook`,
      database: `postgres://postgres@127.0.0.1:${proxyPort}/${server.name}`,
    });
    const pool = PoolProcess.start(['--config', config]);
    t.after(() => {
      pool.child.kill('SIGKILL');
    });
    const port = await pool.stratumPort(90_000);
    const miners = await Promise.all([1, 2].map((k) => AckingMiner.connect(port, `${ADDRESS}.rig${k}`, 16)));
    for (const m of miners) m.start();
    const acked = () => miners.reduce((n, m) => n + m.acked.size, 0);
    const direct = await openDatabase({ url: server.url, poolSize: 1 });
    t.after(() => direct.close());
    const rowCount = async () =>
      Number((await direct.query<{ n: bigint }>('SELECT count(*) AS n FROM shares')).rows[0]!.n);

    await until(async () => (await rowCount()) >= 300, 60_000, 'shares shipped before the outage');
    await proxy.cut();
    const cutAt = Date.now();
    const ackedAtCut = acked();
    const rowsAtCut = await rowCount();
    await pool.waitFor(/DATABASE UNAVAILABLE for \d+ s: \d+ share\(s\)/, 30_000);
    const outageSeconds = (Date.now() - cutAt) / 1000;
    const ackedDuringOutage = acked() - ackedAtCut;
    const rowsDuringOutage = (await rowCount()) - rowsAtCut;
    assert.ok(ackedDuringOutage >= 200, `only ${ackedDuringOutage} shares acknowledged during the outage`);
    assert.ok(rowsDuringOutage <= miners.length * 64, 'the database really was unreachable');

    await until(async () => events().includes('database.down'), 10_000, 'the database.down webhook');
    await proxy.restore();
    await pool.waitFor(/database is back after \d+ s/, 30_000);
    await until(async () => events().includes('database.up'), 10_000, 'the database.up webhook');
    await sleep(1000);
    for (const m of miners) m.stop();
    await until(() => miners.every((m) => m.inFlight.size === 0), 10_000, 'the last replies');
    const ackedNonces = new Set(miners.flatMap((m) => [...m.acked]));
    await until(async () => (await rowCount()) >= ackedNonces.size, 60_000, 'the backlog shipped');
    for (const m of miners) m.close();
    const exit = await pool.stop();
    assert.equal(exit.code, 0, pool.messages().join('\n'));

    const rows = await direct.query<{ nonce: string }>('SELECT nonce FROM shares');
    const stored = new Map<string, number>();
    for (const r of rows.rows) stored.set(r.nonce, (stored.get(r.nonce) ?? 0) + 1);
    t.diagnostic(
      `outage ${outageSeconds.toFixed(1)} s: ${ackedDuringOutage} shares acknowledged during it ` +
        `(${(ackedDuringOutage / outageSeconds).toFixed(0)}/s); ${ackedNonces.size} acknowledged in all, ${rows.rows.length} rows`,
    );
    assert.deepEqual(
      [...ackedNonces].filter((n) => !stored.has(n)),
      [],
      'acknowledged shares missing',
    );
    assert.deepEqual(
      [...stored].filter(([, c]) => c > 1),
      [],
      'shares stored twice',
    );
    assert.equal(rows.rows.length, ackedNonces.size);
  });
});
