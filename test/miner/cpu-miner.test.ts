import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { parseDifficulty } from '../../src/coin/index.ts';
import { CpuMiner, parsePoolUrl } from '../../src/miner/index.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { MINER_ADDRESS, msgHex, portConfig, startHarness } from '../helpers/stratum-harness.ts';

const until = async (check: () => boolean, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('pool urls', () => {
  const good: [string, { host: string; port: number; tls: boolean }][] = [
    ['stratum+tcp://127.0.0.1:3052', { host: '127.0.0.1', port: 3052, tls: false }],
    ['stratum+ssl://pool.example:443', { host: 'pool.example', port: 443, tls: true }],
    ['stratum+tcp://[::1]:3052', { host: '::1', port: 3052, tls: false }],
  ];
  for (const [url, parsed] of good) it(`parses ${url}`, () => assert.deepEqual(parsePoolUrl(url), parsed));
  for (const bad of ['http://x:1', 'stratum+tcp://host', 'stratum+tcp://h:70000', '']) {
    it(`refuses "${bad}"`, () => assert.throws(() => parsePoolUrl(bad), RangeError));
  }
});

describe('CPU miner against the stratum server', () => {
  it('mines accepted shares with its worker name, and nothing is rejected', async () => {
    const h = await startHarness({ ports: [portConfig({ startDifficulty: parseDifficulty('2e-7') })] });
    const miner = new CpuMiner({
      url: `stratum+tcp://127.0.0.1:${h.ports[0]!.port}`,
      user: `${MINER_ADDRESS}.cpu`,
      threads: 1,
    });
    try {
      h.server.setWork({ msg: msgHex(11), b: 1n, height: 1_600_000, version: 3 });
      await miner.start();
      await until(() => miner.stats.accepted >= 5, 30_000, 'five accepted shares');
      assert.equal(miner.stats.rejected, 0);
      const shares = h.sink.shares.filter((s) => s.worker === 'cpu');
      assert.ok(shares.length >= 5);
      assert.ok(shares.every((s) => s.height === 1_600_000));
      // new work reaches the miner and its shares follow the new job
      h.server.setWork({ msg: msgHex(12), b: 1n, height: 1_600_001, version: 3 });
      const newJob = h.server.currentJob!.id;
      await until(() => h.sink.shares.some((s) => s.jobId === newJob), 30_000, 'a share for the new job');
      assert.equal(miner.stats.rejected, 0);
    } finally {
      await miner.stop();
      await h.close();
    }
  });

  it('reports no hashrate while disconnected (issue 11.21)', async () => {
    const h = await startHarness({ ports: [portConfig({ startDifficulty: parseDifficulty('2e-7') })] });
    const { logger, lines } = captureLogs('info');
    const miner = new CpuMiner({
      url: `stratum+tcp://127.0.0.1:${h.ports[0]!.port}`,
      user: `${MINER_ADDRESS}.cpu`,
      threads: 1,
      logger,
      reportIntervalMs: 100,
      // the pool stays away for the rest of the test
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    const reports: { connected: boolean; hashrate: number }[] = [];
    miner.on('report', (s) => reports.push({ connected: s.connected, hashrate: s.hashrate }));
    try {
      h.server.setWork({ msg: msgHex(31), b: 1n, height: 7, version: 3 });
      await miner.start();
      await until(
        () => reports.some((r) => r.connected && r.hashrate > 0),
        30_000,
        'a hashrate while mining',
      );
      // everything from the moment the miner learns the pool is gone
      let from = -1;
      let fromLine = -1;
      let hashes = -1;
      miner.once('disconnected', () => {
        from = reports.length;
        fromLine = lines.length;
        hashes = miner.stats.hashes;
      });
      await h.close();
      await until(() => from >= 0, 10_000, 'the disconnect');
      await until(() => reports.length >= from + 3, 30_000, 'three reports while disconnected');
      assert.deepEqual(
        reports.slice(from),
        reports.slice(from).map(() => ({ connected: false, hashrate: 0 })),
        'every report since the disconnect: not connected, 0 H/s',
      );
      assert.equal(miner.stats.hashrate, 0);
      assert.equal(miner.stats.hashes, hashes, 'no hashes counted without a pool');
      const logged = lines.slice(fromLine).filter((l) => l.msg.startsWith('miner'));
      assert.ok(logged.length >= 3, 'a report line each interval');
      assert.ok(
        logged.every((l) => l.hashrate === undefined && /not connected/.test(l.msg)),
        `no hashrate in the log while disconnected: ${JSON.stringify(logged)}`,
      );
    } finally {
      await miner.stop();
      await h.close();
    }
  });

  it('reconnects with backoff after the pool goes away: doubling delays up to the cap, reset by a session', async () => {
    const backoff = { initialMs: 100, maxMs: 400 };
    const { logger, lines } = captureLogs();
    const retries = () =>
      lines.filter((l) => l.msg === 'disconnected from pool').map((l) => l.retryInMs as number);
    const config = portConfig({ startDifficulty: parseDifficulty('2e-7') });
    let h = await startHarness({ ports: [config] });
    const port = h.ports[0]!.port;
    const miner = new CpuMiner({
      url: `stratum+tcp://127.0.0.1:${port}`,
      user: `${MINER_ADDRESS}.cpu`,
      threads: 1,
      backoff,
      logger,
    });
    // While the pool is away, something on its port takes each connection and drops it: every
    // reconnection attempt is counted, with when it came.
    const attempts: number[] = [];
    const dropper = createServer((socket) => {
      attempts.push(performance.now());
      socket.destroy();
    });
    try {
      h.server.setWork({ msg: msgHex(21), b: 1n, height: 5, version: 3 });
      await miner.start();
      await until(() => miner.stats.accepted >= 1, 30_000, 'a share');
      await h.close();
      await new Promise<void>((resolve) => dropper.listen(port, '127.0.0.1', resolve));
      await until(() => attempts.length >= 5, 30_000, 'five reconnection attempts');
      await new Promise<void>((resolve) => dropper.close(() => resolve()));
      const delays = retries();
      // Each delay is min(maxMs, initialMs · 2^attempt) with ±25 % jitter.
      const expected = [100, 200, 400, 400, 400];
      expected.forEach((base, k) => {
        const d = delays[k]!;
        assert.ok(
          d >= 0.75 * base - 1 && d <= 1.25 * base + 1,
          `retry ${k}: ${d} ms, expected ${base} ms ±25 %`,
        );
      });
      // No attempt came sooner than its logged delay after the one before (the first follows the pool's close).
      for (let k = 1; k < 5; k++) {
        const gap = attempts[k]! - attempts[k - 1]!;
        assert.ok(
          gap >= delays[k]! - 5,
          `attempt ${k} came ${gap.toFixed(0)} ms after the last, before ${delays[k]} ms`,
        );
      }
      h = await startHarness({ ports: [{ ...config, port }] });
      h.server.setWork({ msg: msgHex(22), b: 1n, height: 6, version: 3 });
      await until(() => h.sink.shares.length >= 1, 30_000, 'a share after reconnecting');
      // A session resets the backoff: the next disconnection waits the initial delay again.
      const before = retries().length;
      await h.close();
      await until(() => retries().length > before, 10_000, 'the next disconnection');
      const reset = retries()[before]!;
      assert.ok(reset >= 74 && reset <= 126, `after a session the retry is ${reset} ms, not ~100 ms`);
    } finally {
      if (dropper.listening) dropper.close();
      await miner.stop();
      await h.close();
    }
  });
});
