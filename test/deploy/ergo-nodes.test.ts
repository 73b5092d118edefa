import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { startDevnet } from '../../src/devnet/index.ts';
import { PoolProcess } from '../shares/pool-process.ts';
import { freePort } from '../web/harness.ts';
import { startHaproxy, until } from './helpers.ts';

/**
 * deploy/haproxy/ergo-nodes.cfg for real: HAProxy balances HTTP over two devnet nodes, checking each
 * through the pool's /health/nodes/NAME. A node faulted out of sync leaves the rotation, and comes back.
 */

const CONFIG = fileURLToPath(new URL('../../deploy/haproxy/ergo-nodes.cfg', import.meta.url));

describe('HAProxy over the Ergo nodes by sync status', { timeout: 180_000 }, () => {
  it('a node out of sync leaves the rotation and comes back when synced', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'enigmapool-nodes-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const devnet = await startDevnet({ port: 0, nodes: 2, difficulty: 200_000n });
    t.after(() => devnet.close());
    const apiPort = await freePort();
    const config = join(dir, 'pool.yaml');
    writeFileSync(
      config,
      stringify({
        network: 'mainnet',
        dataDir: join(dir, 'data'),
        log: { level: 'info', format: 'json' },
        nodes: devnet.nodes.map((n, k) => ({ name: `devnet${k}`, url: n.url, apiKey: 'devnet' })),
        walletNode: 'devnet0',
        stratum: { ports: [{ port: 0, host: '127.0.0.1' }] },
        demoMiner: { enabled: false },
      }),
    );
    const pool = PoolProcess.start(['--config', config], { ENIGMAPOOL_API__PORT: String(apiPort) });
    t.after(() => pool.stop(10_000));
    await pool.waitFor(/^api: http/, 120_000);

    const bind = `127.0.0.1:${await freePort()}`;
    const host = (url: string) => new URL(url).host;
    const proxy = startHaproxy(CONFIG, {
      NODES_BIND: bind,
      POOL_API: `127.0.0.1:${apiPort}`,
      NODE_1: host(devnet.nodes[0]!.url),
      NODE_2: host(devnet.nodes[1]!.url),
      NODE_1_NAME: 'devnet0',
      NODE_2_NAME: 'devnet1',
    });
    t.after(() => {
      proxy.child.kill('SIGKILL');
    });
    const servedBy = async () => {
      const seen = new Set<string>();
      for (let k = 0; k < 8; k++) {
        const r = await fetch(`http://${bind}/info`).catch(() => null);
        if (r?.status === 200) seen.add(r.headers.get('x-ergo-node') ?? '?');
        await r?.arrayBuffer();
      }
      return [...seen].sort().join(',');
    };
    await until(
      async () => (await servedBy()) === 'node1,node2',
      60_000,
      `both nodes in rotation\n${proxy.log()}`,
    );

    await fetch(`${devnet.nodes[1]!.url}/devnet/fault`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'out-of-sync', behind: 10 }),
    });
    const faultedAt = Date.now();
    await until(
      async () => (await fetch(`http://127.0.0.1:${apiPort}/health/nodes/devnet1`)).status === 503,
      30_000,
      'the pool reports devnet1 unhealthy',
    );
    await until(
      async () => (await servedBy()) === 'node1',
      30_000,
      `devnet1 out of the rotation\n${proxy.log()}`,
    );
    t.diagnostic(`out of sync → out of HAProxy's rotation in ${Date.now() - faultedAt} ms`);
    assert.equal((await fetch(`http://127.0.0.1:${apiPort}/health/nodes/devnet0`)).status, 200);

    await fetch(`${devnet.nodes[1]!.url}/devnet/fault`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'none' }),
    });
    await until(async () => (await servedBy()) === 'node1,node2', 30_000, 'devnet1 back in the rotation');
  });
});
