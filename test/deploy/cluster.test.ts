import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { stringify } from 'yaml';
import { type Devnet, startDevnet } from '../../src/devnet/index.ts';
import { createServerDatabase } from '../db/helpers.ts';
import { AckingMiner } from '../shares/acking-miner.ts';
import { ADDRESS } from '../shares/helpers.ts';
import { PoolProcess } from '../shares/pool-process.ts';

/**
 * The pool as a cluster of roles on one PostgreSQL and one Redis: two stratum instances, an accounting
 * instance (which also runs the stats job) and an API instance. A block found on stratum instance 2 reaches
 * the API instance's websocket; the API's stats count the connections of both stratum instances.
 */

const REDIS = process.env.ENIGMAPOOL_TEST_REDIS ?? 'redis://127.0.0.1:6379';

describe('a cluster of roles', { timeout: 240_000 }, () => {
  let dir: string;
  let devnet: Devnet;
  let database: Awaited<ReturnType<typeof createServerDatabase>>;
  const procs: PoolProcess[] = [];
  const miners: AckingMiner[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'enigmapool-cluster-'));
    database = await createServerDatabase();
    // Every nonce is a share (difficulty 1e-10) and about one in 3,000 a block.
    devnet = await startDevnet({ port: 0, difficulty: 3000n, blockTimeSeconds: 60 });
  });

  after(async () => {
    for (const m of miners) m.close();
    await Promise.all(procs.map((p) => p.stop(10_000).catch(() => undefined)));
    await devnet?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a block found on stratum instance 2 shows on the API instance’s websocket; stats count both', async (t) => {
    const config = join(dir, 'pool.yaml');
    const prefix = `enigmapool-test:${randomUUID()}:`;
    writeFileSync(
      config,
      stringify({
        network: 'mainnet',
        log: { level: 'info', format: 'json' },
        nodes: [{ name: 'devnet', url: devnet.url, apiKey: 'devnet' }],
        walletNode: 'devnet',
        instance: { bits: 2 },
        stratum: {
          ports: [
            {
              port: 0,
              host: '127.0.0.1',
              difficulty: { start: '1e-10', min: '1e-10', max: '1' },
              vardiff: false,
            },
          ],
          limits: { messagesPerSecond: 1_000_000, messageBurst: 1_000_000, maxPendingRequests: 64 },
        },
        stats: { intervalSeconds: 5 },
        redis: { prefix },
        demoMiner: { enabled: false },
      }),
    );
    // The API role needs no nodes: it reads the database and the stats cache.
    const apiConfig = join(dir, 'api.yaml');
    writeFileSync(apiConfig, stringify({ network: 'mainnet', log: { format: 'json' }, redis: { prefix } }));
    const role = (name: string, id: number, extra: string[] = [], file = config) => {
      const p = PoolProcess.start([
        '--role',
        name,
        '--instance-id',
        String(id),
        '--config',
        file,
        '--database',
        database.url,
        '--redis',
        REDIS,
        ...extra,
      ]);
      procs.push(p);
      return p;
    };
    const stratum1 = role('stratum', 1, ['--data-dir', join(dir, 's1')]);
    const stratum2 = role('stratum', 2, ['--data-dir', join(dir, 's2')]);
    const accounting = role('accounting', 3);
    const api = role('api', 0, [], apiConfig);
    const [port1, port2] = await Promise.all([stratum1.stratumPort(120_000), stratum2.stratumPort(120_000)]);
    const apiUrl = /api: (http:\/\/[^/]+)\//.exec(await api.waitFor(/^api: http/, 120_000))![1]!;
    await accounting.waitFor(/accounting: this instance .* leads/, 120_000);
    assert.ok(!api.messages().some((m) => /stratum/.test(m)), 'the API role runs no stratum');

    const events: { type: string; data: Record<string, unknown> }[] = [];
    const ws = new WebSocket(`${apiUrl.replace('http', 'ws')}/api/v1/ws`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.on('message', (m) => events.push(JSON.parse(String(m))));

    // A quiet miner on instance 1 (it holds a connection), a busy one on instance 2 (it finds blocks).
    const idle = await AckingMiner.connect(port1, `${ADDRESS}.idle`, 1);
    const busy = await AckingMiner.connect(port2, `${ADDRESS}.busy`, 16);
    miners.push(idle, busy);
    busy.start();
    const deadline = Date.now() + 120_000;
    while (!events.some((e) => e.type === 'block.found')) {
      assert.ok(Date.now() < deadline, 'a block.found event on the API instance’s websocket');
      await new Promise((r) => setTimeout(r, 100));
    }
    const found = events.find((e) => e.type === 'block.found')!;
    assert.equal(found.data.miner, ADDRESS);
    assert.equal(found.data.worker, 'busy');
    assert.equal(found.data.instance, '02', 'found on stratum instance 2');
    busy.stop();

    // The stats job (on the accounting instance) counts both stratum instances' connections.
    let connections = 0;
    while (connections < 2) {
      assert.ok(
        Date.now() < deadline + 60_000,
        `connections of both instances in /api/v1/stats (${connections})`,
      );
      await new Promise((r) => setTimeout(r, 500));
      const stats = (await (await fetch(`${apiUrl}/api/v1/stats`)).json()) as {
        pool: { connections: number };
      };
      connections = stats.pool.connections;
    }
    t.diagnostic(`block.found from instance 02 on the API's websocket after ${busy.acked.size} shares`);
    ws.close();
  });
});
