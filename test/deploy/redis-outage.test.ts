import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AckingMiner } from '../shares/acking-miner.ts';
import { ADDRESS } from '../shares/helpers.ts';
import { PoolProcess, writePoolConfig } from '../shares/pool-process.ts';
import { freePort } from '../web/harness.ts';
import { until } from './helpers.ts';

/**
 * Redis is a cache and a bus, never the source of truth: the pool's own Redis server (a private one on a
 * free port) is killed while a miner submits; the pool keeps acknowledging shares and serving the API,
 * says so once, and reconnects by itself when Redis is back.
 */

function redisServer(port: number): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
}

describe('Redis down', { timeout: 240_000 }, () => {
  it('the pool keeps mining and answering while Redis is down, and reconnects by itself', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'enigmapool-redis-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const port = await freePort();
    let redis = redisServer(port);
    t.after(() => {
      redis.kill('SIGKILL');
    });
    const pool = PoolProcess.start([
      '--config',
      writePoolConfig(dir),
      '--redis',
      `redis://127.0.0.1:${port}`,
    ]);
    t.after(() => {
      pool.child.kill('SIGKILL');
    });
    const stratumPort = await pool.stratumPort(180_000);
    const api = /api: (http:\/\/[^/]+)\//.exec(await pool.waitFor(/^api: http/, 60_000))![1]!;
    const miner = await AckingMiner.connect(stratumPort, `${ADDRESS}.rig1`, 8);
    miner.start();
    await until(() => miner.acked.size >= 100, 60_000, 'shares acknowledged');

    redis.kill('SIGKILL');
    const downAt = Date.now();
    await pool.waitFor(/redis: unreachable/, 30_000);
    const before = miner.acked.size;
    await until(() => miner.acked.size >= before + 200, 60_000, 'shares acknowledged while Redis is down');
    const stats = await fetch(`${api}/api/v1/stats`);
    assert.equal(stats.status, 200, 'the API answers from the other caches');
    assert.equal(miner.rejected.size, 0, 'nothing rejected');

    redis = redisServer(port);
    await pool.waitFor(/redis: connected again/, 60_000);
    t.diagnostic(
      `Redis down for ${Date.now() - downAt} ms: ${miner.acked.size - before} shares acknowledged meanwhile`,
    );
    assert.equal(
      pool.lines.filter((l) => /redis: unreachable/.test(l.msg)).length,
      1,
      'said once, not once per failed command',
    );
    miner.stop();
    await until(() => miner.inFlight.size === 0, 10_000, 'the last replies');
    miner.close();
    assert.equal((await pool.stop()).code, 0, pool.messages().join('\n'));
  });
});
