import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDifficulty } from '../../src/coin/index.ts';
import { loopbackSources, runLoadgen } from '../../src/miner/index.ts';
import { MINER_ADDRESS, msgHex, portConfig, startHarness } from '../helpers/stratum-harness.ts';

const BIN = fileURLToPath(new URL('../../bin/enigmapool', import.meta.url));

describe('load generator', () => {
  it('runs simulated miners for a bounded time, every submit answered', async () => {
    const h = await startHarness({
      limits: { maxConnectionsPerAddress: 10_000, messagesPerSecond: 1000, messageBurst: 1000 },
    });
    try {
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 100, version: 3 });
      const report = await runLoadgen({
        url: { host: '127.0.0.1', port: h.ports[0]!.port, tls: false },
        user: MINER_ADDRESS,
        connections: 60,
        rate: 5,
        seconds: 3,
        connectRate: 1000,
        sourceAddresses: ['127.0.0.1', '127.0.0.2'],
      });
      assert.equal(report.authorized, 60);
      assert.ok(report.submitted > 300, `${report.submitted} submitted`);
      assert.equal(report.accepted, report.submitted);
      assert.equal(report.unanswered, 0);
      assert.deepEqual(report.rejected, {});
      assert.ok(report.latencyMs.p50 > 0 && report.latencyMs.p99 >= report.latencyMs.p50);
      assert.equal(h.sink.shares.length, report.accepted);
      assert.equal(
        new Set(h.sink.shares.map((s) => s.clientAddress)).size,
        2,
        'two loopback source addresses',
      );
    } finally {
      await h.close();
    }
  });

  it('--mode valid mines real shares: every nonce it submits meets the target (issue 11.11)', async () => {
    // Start difficulty 1 (random nonces never meet it); the port lets a miner ask for d=1e-9.
    const h = await startHarness({
      ports: [portConfig({ startDifficulty: parseDifficulty('1'), minDifficulty: parseDifficulty('1e-12') })],
    });
    try {
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 100, version: 3 });
      const report = await runLoadgen({
        url: { host: '127.0.0.1', port: h.ports[0]!.port, tls: false },
        user: MINER_ADDRESS,
        connections: 4,
        rate: 5,
        seconds: 2,
        connectRate: 100,
        sourceAddresses: ['127.0.0.1'],
        mode: 'valid',
      });
      assert.equal(report.mode, 'valid');
      assert.ok(report.accepted >= 4, `${report.accepted} accepted`);
      assert.equal(report.accepted, report.submitted);
      assert.deepEqual(report.rejected, {});
      assert.ok(report.hashes > report.submitted, `${report.hashes} hashes for ${report.submitted} shares`);
      assert.equal(h.server.counters.accepted, report.accepted);
    } finally {
      await h.close();
    }
  });

  it('says plainly that random nonces are rejected by design', async () => {
    const h = await startHarness({ ports: [portConfig({ startDifficulty: parseDifficulty('1') })] });
    try {
      h.server.setWork({ msg: msgHex(1), b: 1n, height: 100, version: 3 });
      const args = [
        'loadgen',
        '--url',
        `stratum+tcp://127.0.0.1:${h.ports[0]!.port}`,
        '--user',
        MINER_ADDRESS,
      ];
      const child = spawn(BIN, [...args, '--connections', '1', '--seconds', '1'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 0, stderr);
      assert.match(
        stderr,
        /random nonces: the pool rejects nearly all of them as low difficulty \(23\), by design/,
      );
      assert.match(stderr, /--mode valid mines real shares/);
      assert.equal(JSON.parse(stdout.trim().split('\n').at(-1)!).mode, 'random');
    } finally {
      await h.close();
    }
  });

  it('spreads connections over loopback addresses beyond one ephemeral port range', () => {
    assert.deepEqual(loopbackSources(1000), ['127.0.0.1']);
    assert.deepEqual(loopbackSources(100_000), ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4']);
  });
});
