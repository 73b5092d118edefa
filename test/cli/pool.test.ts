import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startPool } from '../../src/cli/pool.ts';
import { configSchema } from '../../src/config/index.ts';
import { MemoryShareSink } from '../../src/stratum/index.ts';
import { captureLogs } from '../helpers/log-capture.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const devnetConfig = () =>
  configSchema.parse({
    devnet: { enabled: true, port: 0 },
    stratum: { ports: [{ port: 0, host: '127.0.0.1' }] },
  });

describe('startPool close (issue 11.13)', () => {
  it('closes each part once, last opened first, however often close() is called', async () => {
    const { logger, lines } = captureLogs('info');
    const pool = await startPool(devnetConfig(), logger, new MemoryShareSink());
    await pool.close();
    await pool.close();
    const steps = lines.map((l) => l.msg).filter((m) => /^stratum: stopped/.test(m));
    assert.equal(steps.length, 1, 'the stratum stopped once');
    assert.equal(lines.filter((l) => l.msg === 'shutdown step failed').length, 0);
  });

  it('leaves nothing behind that keeps the pool alive: the summary interval is cleared', async () => {
    const { logger } = captureLogs('info');
    let pool: Awaited<ReturnType<typeof startPool>> | null = await startPool(
      devnetConfig(),
      logger,
      new MemoryShareSink(),
    );
    const stratum = new WeakRef(pool.stratum);
    await pool.close();
    pool = null;
    // A WeakRef's target survives the job that created or read it: collect in later turns, read once after.
    for (let k = 0; k < 5; k++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      gc();
    }
    assert.equal(stratum.deref(), undefined, 'the stopped stratum server was garbage-collected');
  });
});

describe('startPool: stratum limits from the config (issue 15)', () => {
  it('the configured limits reach the stratum server; the rest keep their defaults', async () => {
    const { logger } = captureLogs('info');
    const config = configSchema.parse({
      devnet: { enabled: true, port: 0 },
      stratum: {
        ports: [{ port: 0, host: '127.0.0.1' }],
        limits: { overloadTargetMs: 7, maxPendingRequests: 9 },
      },
    });
    const pool = await startPool(config, logger, new MemoryShareSink());
    try {
      assert.equal(pool.stratum.limits.overloadTargetMs, 7);
      assert.equal(pool.stratum.limits.maxPendingRequests, 9);
      assert.equal(pool.stratum.limits.messagesPerSecond, 50, 'a default');
    } finally {
      await pool.close();
    }
  });
});

describe('startPool: the stratum hint and the demo miner use the address the pool listens on (issue 11.21)', () => {
  for (const [host, shown] of [
    ['127.0.0.2', '127.0.0.2'],
    ['::1', '[::1]'],
    ['0.0.0.0', '127.0.0.1'],
  ] as const) {
    it(`stratum on ${host}`, async () => {
      const { logger, lines } = captureLogs('info');
      const config = configSchema.parse({
        devnet: { enabled: true, port: 0 },
        stratum: { ports: [{ port: 0, host }] },
        demoMiner: { enabled: true, threads: 1 },
      });
      const pool = await startPool(config, logger, new MemoryShareSink());
      try {
        const port = pool.ports[0]!.port;
        assert.notEqual(port, 3052);
        const hint = lines.map((l) => l.msg).find((m) => m.startsWith('stratum: point miners at'));
        assert.ok(hint?.startsWith(`stratum: point miners at stratum+tcp://${shown}:${port} `), hint);
        const miner = pool.demoMiner!;
        const deadline = Date.now() + 30_000;
        while (!miner.stats.connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
        assert.ok(miner.stats.connected, 'the demo miner reached the stratum port');
      } finally {
        await pool.close();
      }
    });
  }
});
