import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/db/index.ts';
import { AckingMiner } from './acking-miner.ts';
import { ADDRESS, sleep, tempDir } from './helpers.ts';
import { PoolProcess, writePoolConfig } from './pool-process.ts';

/**
 * kill -9 of the pool under load, then a restart on the same data directory: every share the pool
 * acknowledged is in `shares` exactly once. The pool runs as `bin/enigmapool start --config …` (devnet,
 * PGlite under the data directory); miners submit as fast as the pool answers, so the kill lands with
 * journal commits, shipper transactions and PGlite writes in flight.
 */
describe('kill -9 under load', { timeout: 240_000 }, () => {
  it('loses no acknowledged share and duplicates none after a restart', async (t) => {
    const dir = tempDir(t, 'ep-crash-');
    const config = writePoolConfig(dir, { blockShares: 3000 });
    const first = PoolProcess.start(['--config', config]);
    t.after(() => {
      first.child.kill('SIGKILL');
    });
    const port = await first.stratumPort(90_000);
    const miners = await Promise.all(
      [1, 2, 3, 4].map((k) => AckingMiner.connect(port, `${ADDRESS}.rig${k}`, 24)),
    );
    for (const m of miners) m.start();
    const acked = () => miners.reduce((n, m) => n + m.acked.size, 0);
    const deadline = Date.now() + 60_000;
    while (acked() < 3000 && Date.now() < deadline) await sleep(50);
    const blocksBefore = first.messages().filter((m) => /BLOCK FOUND/.test(m)).length;

    first.child.kill('SIGKILL');
    const exit = await first.exited;
    assert.equal(exit.signal, 'SIGKILL');
    await sleep(200); // replies written just before the kill still reach the miners
    for (const m of miners) m.close();
    const ackedNonces = new Set(miners.flatMap((m) => [...m.acked]));
    const inFlight = new Set(miners.flatMap((m) => [...m.inFlight.values()]));
    const submitted = miners.reduce((n, m) => n + m.submitted, 0);
    assert.ok(ackedNonces.size >= 1000, `only ${ackedNonces.size} acknowledged before the kill`);

    // Restart on the same data directory: the journal is recovered and the backlog replayed.
    const second = PoolProcess.start(['--config', config]);
    t.after(() => {
      second.child.kill('SIGKILL');
    });
    await second.stratumPort(90_000);
    const result = await second.stop();
    assert.equal(result.code, 0, second.messages().join('\n'));
    assert.ok(
      second
        .messages()
        .some((m) => /share shipper drained: every journaled share is in the database/.test(m)),
      second.messages().join('\n'),
    );

    const db = await openDatabase({ dataDir: join(dir, 'data', 'db') });
    try {
      const rows = await db.query<{ nonce: string; is_block: boolean; block_accepted: boolean }>(
        'SELECT nonce, is_block, block_accepted FROM shares',
      );
      const stored = new Map<string, number>();
      for (const r of rows.rows) stored.set(r.nonce, (stored.get(r.nonce) ?? 0) + 1);
      const lost = [...ackedNonces].filter((n) => !stored.has(n));
      const duplicated = [...stored].filter(([, count]) => count > 1);
      const unknown = [...stored.keys()].filter((n) => !ackedNonces.has(n) && !inFlight.has(n));
      const extra = [...stored.keys()].filter((n) => !ackedNonces.has(n));
      t.diagnostic(
        `submitted ${submitted}, acknowledged ${ackedNonces.size}, in flight at the kill ${inFlight.size}, ` +
          `rows ${rows.rows.length} (${extra.length} journaled but never acknowledged), blocks found ${blocksBefore}, ` +
          `torn tail ${second.messages().find((m) => /cut \d+ bytes/.test(m)) ?? 'none'}, ` +
          `replay: ${second.messages().find((m) => /after the last checkpoint/.test(m)) ?? 'nothing to replay'}`,
      );
      assert.deepEqual(lost, [], 'acknowledged shares lost');
      assert.deepEqual(duplicated, [], 'shares stored twice');
      assert.deepEqual(unknown, [], 'rows for nonces never submitted');
      const blocks = await db.query<{ nonce: string; status: string }>('SELECT nonce, status FROM blocks');
      // Every block candidate is a pending block, whatever the node answered (one found at the kill may
      // have had no answer at all): the chain decides.
      const candidates = rows.rows.filter((r) => r.is_block).map((r) => r.nonce);
      assert.deepEqual(blocks.rows.map((b) => b.nonce).sort(), candidates.sort());
      assert.ok(blocks.rows.every((b) => b.status === 'pending'));
    } finally {
      await db.close();
    }
  });
});
