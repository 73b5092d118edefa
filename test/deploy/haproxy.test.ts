import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { stringify } from 'yaml';
import { type Devnet, startDevnet } from '../../src/devnet/index.ts';
import { CpuMiner } from '../../src/miner/index.ts';
import { createServerDatabase } from '../db/helpers.ts';
import { ADDRESS } from '../shares/helpers.ts';
import { PoolProcess } from '../shares/pool-process.ts';
import { freePort } from '../web/harness.ts';
import { HAPROXY, selfSignedPem, startHaproxy, until } from './helpers.ts';

/**
 * The HAProxy recipe for real (deploy/haproxy/haproxy.cfg, unchanged): two stratum instances on one
 * PostgreSQL behind HAProxy, which terminates TLS and sends PROXY v2. CPU miners from their own loopback
 * addresses mine over TLS; one instance is killed with SIGKILL and its miners come back through HAProxy on
 * the other; after a restart of the killed one (its journal ships what it acknowledged), every share a miner
 * saw accepted is in PostgreSQL exactly once, with the miner's address, not HAProxy's.
 */

const CONFIG = fileURLToPath(new URL('../../deploy/haproxy/haproxy.cfg', import.meta.url));
/** Every miner connects from an address of its own (127.0.0.0/8 is all loopback on Linux). */
const SOURCES = ['127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.14'];

describe('HAProxy in front of two stratum instances', { timeout: 240_000 }, () => {
  let dir: string;
  let devnet: Devnet;
  let database: Awaited<ReturnType<typeof createServerDatabase>>;
  let haproxy: ChildProcess | null = null;
  let haproxyLog = () => '';
  const pools: PoolProcess[] = [];
  const miners: CpuMiner[] = [];
  let ports: { tls: number; tcp: number; stats: number; s1: number; s2: number };
  let configPath: string;

  const startStratum = (id: number, port: number) => {
    const p = PoolProcess.start([
      '--role',
      'stratum',
      '--instance-id',
      String(id),
      '--config',
      configPath,
      '--data-dir',
      join(dir, `stratum${id}`),
      '--stratum-port',
      String(port),
      '--database',
      database.url,
    ]);
    pools.push(p);
    return p;
  };

  before(async () => {
    assert.ok(existsSync(HAPROXY), `Debian haproxy is needed at ${HAPROXY} (apt-get install haproxy)`);
    dir = mkdtempSync(join(tmpdir(), 'enigmapool-haproxy-'));
    database = await createServerDatabase();
    devnet = await startDevnet({ port: 0, difficulty: 2_000_000n, blockTimeSeconds: 30 });
    ports = {
      tls: await freePort(),
      tcp: await freePort(),
      stats: await freePort(),
      s1: await freePort(),
      s2: await freePort(),
    };
    configPath = join(dir, 'pool.yaml');
    writeFileSync(
      configPath,
      stringify({
        network: 'mainnet',
        log: { level: 'info', format: 'json' },
        nodes: [{ name: 'devnet', url: devnet.url, apiKey: 'devnet' }],
        instance: { bits: 2 },
        stratum: {
          ports: [
            {
              port: 3052,
              host: '127.0.0.1',
              difficulty: { start: '0.000002', min: '0.000002', max: '1' },
              vardiff: false,
            },
          ],
          // HAProxy connects from 127.0.0.1; the miners from 127.0.0.11–14.
          proxyAddresses: ['127.0.0.1'],
        },
        demoMiner: { enabled: false },
      }),
    );
    const pem = selfSignedPem(dir);
    const one = startStratum(1, ports.s1);
    const two = startStratum(2, ports.s2);
    await Promise.all([one.stratumPort(90_000), two.stratumPort(90_000)]);
    const proxy = startHaproxy(CONFIG, {
      STRATUM_TLS_BIND: `127.0.0.1:${ports.tls}`,
      STRATUM_TCP_BIND: `127.0.0.1:${ports.tcp}`,
      TLS_PEM: pem,
      STATS_BIND: `127.0.0.1:${ports.stats}`,
      STRATUM_1: `127.0.0.1:${ports.s1}`,
      STRATUM_2: `127.0.0.1:${ports.s2}`,
    });
    haproxy = proxy.child;
    haproxyLog = proxy.log;
    await until(
      async () => {
        const csv = await fetch(`http://127.0.0.1:${ports.stats}/;csv`)
          .then((r) => r.text())
          .catch(() => '');
        return /stratum,stratum1,.*UP/.test(csv) && /stratum,stratum2,.*UP/.test(csv);
      },
      30_000,
      () => `both instances UP on the HAProxy stats page\n${haproxyLog()}`,
    );
  });

  after(async () => {
    for (const m of miners) await m.stop().catch(() => undefined);
    haproxy?.kill('SIGKILL');
    await Promise.all(pools.map((p) => p.stop(10_000).catch(() => undefined)));
    await devnet?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('mines over TLS, survives kill -9 of an instance, and keeps every acknowledged share exactly once', async (t) => {
    const sessions = SOURCES.map((localAddress, i) => {
      const miner = new CpuMiner({
        url: `stratum+ssl://127.0.0.1:${ports.tls}`,
        user: `${ADDRESS}.rig${i}`,
        threads: 1,
        localAddress,
        backoff: { initialMs: 200, maxMs: 1000 },
      });
      miners.push(miner);
      const connects: number[] = [];
      miner.on('connected', () => connects.push(Date.now()));
      return { miner, worker: `rig${i}`, localAddress, connects };
    });
    for (const s of sessions) await s.miner.start();
    await until(
      () => sessions.every((s) => s.miner.stats.accepted >= 2),
      90_000,
      () =>
        `every miner has accepted shares through HAProxy: ${JSON.stringify(sessions.map((s) => s.miner.stats))}\n` +
        `${pools.map((p) => p.messages().slice(-15).join('\n')).join('\n---\n')}\n${haproxyLog().slice(-3000)}`,
    );

    // Which instance holds which miner: the first instance's shares are in its database rows already.
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      await until(
        async () =>
          Number((await db.query('SELECT count(DISTINCT instance) AS n FROM shares')).rows[0].n) === 2,
        30_000,
        'shares shipped from both instances (round-robin)',
      );
      assert.ok(
        !pools.some((p) =>
          p.messages().some((m) => /refused .*(closed during preamble|not a configured proxy)/.test(m)),
        ),
        'HAProxy’s health checks are not logged as refused connections',
      );
      const first = pools[0]!;
      const killedAt = Date.now();
      first.child.kill('SIGKILL');
      await first.exited;
      const onFirst = (
        await db.query<{ worker: string }>(`SELECT DISTINCT worker FROM shares WHERE instance = '01'`)
      ).rows.map((r) => r.worker);
      assert.ok(onFirst.length > 0, 'the killed instance had miners');
      const moved = sessions.filter((s) => onFirst.includes(s.worker));
      const acceptedAtKill = new Map(moved.map((s) => [s.worker, s.miner.stats.accepted]));
      await until(
        () =>
          moved.every(
            (s) =>
              s.connects.some((at) => at > killedAt) &&
              s.miner.stats.accepted > acceptedAtKill.get(s.worker)!,
          ),
        30_000,
        'the killed instance’s miners reconnect through HAProxy and get shares accepted again',
      );
      const reconnectMs = Math.max(...moved.map((s) => s.connects.find((at) => at > killedAt)! - killedAt));
      t.diagnostic(`kill -9 → last of ${moved.length} miners reconnected in ${reconnectMs} ms`);

      for (const m of miners) await m.stop();
      // The killed instance comes back on its data dir: its journal ships what it acknowledged.
      startStratum(1, ports.s1);
      const expected = new Map(sessions.map((s) => [s.worker, s.miner.stats.accepted]));
      const total = [...expected.values()].reduce((a, b) => a + b, 0);
      await until(
        async () => Number((await db.query('SELECT count(*) AS n FROM shares')).rows[0].n) >= total,
        60_000,
        `${total} acknowledged shares in PostgreSQL`,
      );
      await new Promise((r) => setTimeout(r, 1500)); // anything extra (a double) would land by now
      const rows = await db.query<{ worker: string; client_address: string; n: string; ids: string }>(
        `SELECT worker, client_address, count(*) AS n, count(DISTINCT id) AS ids
           FROM shares GROUP BY worker, client_address ORDER BY worker`,
      );
      assert.deepEqual(
        rows.rows.map((r) => ({ worker: r.worker, from: r.client_address })),
        sessions.map((s) => ({ worker: s.worker, from: s.localAddress })),
        'shares recorded with the miner’s own address, not HAProxy’s',
      );
      for (const r of rows.rows) {
        const acknowledged = expected.get(r.worker)!;
        assert.equal(Number(r.ids), Number(r.n), `${r.worker}: no share twice`);
        if (!onFirst.includes(r.worker))
          assert.equal(Number(r.n), acknowledged, `${r.worker}: exactly its acks`);
        else {
          // A share journaled in the instant of the kill may have lost only its reply: durable, not acked.
          assert.ok(Number(r.n) >= acknowledged, `${r.worker}: every acknowledged share is there`);
          assert.ok(Number(r.n) <= acknowledged + 2, `${r.worker}: ${r.n} rows for ${acknowledged} acks`);
        }
      }
    } finally {
      await db.end();
    }
  });
});
