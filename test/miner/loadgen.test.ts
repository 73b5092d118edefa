import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loopbackSources, runLoadgen } from '../../src/miner/index.ts';
import { MINER_ADDRESS, msgHex, startHarness } from '../helpers/stratum-harness.ts';

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

  it('spreads connections over loopback addresses beyond one ephemeral port range', () => {
    assert.deepEqual(loopbackSources(1000), ['127.0.0.1']);
    assert.deepEqual(loopbackSources(100_000), ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4']);
  });
});
