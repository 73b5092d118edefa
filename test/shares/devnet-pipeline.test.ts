import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VerifierPool } from '../../src/autolykos/index.ts';
import { migrate, openDatabase } from '../../src/db/index.ts';
import { startDevnet } from '../../src/devnet/index.ts';
import { NodeSet, parseNodeJson } from '../../src/ergo/index.ts';
import { CpuMiner } from '../../src/miner/index.ts';
import { DatabaseShareStore, DurableShareSink } from '../../src/shares/index.ts';
import { ergoServer } from '../helpers/stratum-harness.ts';
import { ADDRESS, tempDir, until } from './helpers.ts';

/**
 * The durable pipeline end to end on the devnet: the CPU miner mines through the stratum server until the pool
 * finds blocks; every share the stratum acknowledged is in `shares` exactly once, and every block a node
 * accepted is in `blocks`, pending, with the nonce that is in the chain's header.
 */
describe('share pipeline on the devnet, end to end', { timeout: 180_000 }, () => {
  it('every acknowledged share is stored exactly once; found blocks are pending with the right nonce', async (t) => {
    const dir = tempDir(t, 'ep-e2e-');
    const devnet = await startDevnet({ port: 0, difficulty: 60_000n, blockTimeSeconds: 5 });
    const nodes = new NodeSet({
      nodes: [{ name: 'devnet', url: devnet.url, apiKey: 'devnet', priority: 0 }],
      walletNode: 'devnet',
      pollIntervalMs: 200,
    });
    const verifier = await VerifierPool.start({ workers: 1 });
    const db = await openDatabase({ dataDir: join(dir, 'db') });
    await migrate(db);
    const sink = await DurableShareSink.open({
      dir: join(dir, 'journal'),
      store: new DatabaseShareStore(db, { defaultPoolId: 'ergo' }),
    });
    const stratum = ergoServer({ start: '4e-7', min: '1e-9', max: '1', verifier, nodes, sink });
    const acknowledged: { id: string; nonce: string; block: boolean; accepted: boolean }[] = [];
    stratum.events.on('share', (e) => {
      if (e.share)
        acknowledged.push({
          id: e.share.id,
          nonce: e.share.nonce,
          block: e.share.isBlock,
          accepted: e.share.blockAccepted,
        });
    });
    nodes.on('work', ({ work, blockVersion, node }) =>
      stratum.setWork({
        msg: work.msg,
        b: work.b,
        height: work.h,
        version: blockVersion,
        source: { node, pk: work.pk },
      }),
    );
    const port = (await stratum.start())[0]!.port;
    nodes.start();
    const miner = new CpuMiner({
      url: `stratum+tcp://127.0.0.1:${port}`,
      user: `${ADDRESS}.cpu`,
      threads: 1,
    });
    try {
      await until(() => stratum.currentJob !== null, 10_000, 'the first job');
      await miner.start();
      await until(
        () => acknowledged.filter((a) => a.block && a.accepted).length >= 2,
        150_000,
        'two blocks by the CPU miner',
      );
    } finally {
      await miner.stop();
      await stratum.stop();
      await nodes.stop();
    }
    try {
      assert.ok(await sink.drain(20_000), 'shipped');
      const rows = await db.query<{ id: string; nonce: string }>('SELECT id, nonce FROM shares');
      const ids = new Map<string, number>();
      for (const r of rows.rows) ids.set(r.id, (ids.get(r.id) ?? 0) + 1);
      t.diagnostic(`${acknowledged.length} shares acknowledged, ${rows.rows.length} rows`);
      assert.deepEqual(
        acknowledged.filter((a) => ids.get(a.id) !== 1),
        [],
        'every acknowledged share exactly once',
      );
      assert.equal(rows.rows.length, acknowledged.length);

      // Every candidate is a pending block, whatever the node answered; the chain decides.
      const found = acknowledged.filter((a) => a.block);
      const blocks = await db.query<{
        height: number;
        nonce: string;
        status: string;
        share_id: string;
        source_node: string;
        source_pk: string;
        accepted_by: string[];
      }>(
        'SELECT height, nonce, status, share_id, source_node, source_pk, accepted_by FROM blocks ORDER BY height',
      );
      assert.equal(blocks.rows.length, found.length);
      for (const b of blocks.rows) {
        assert.equal(b.status, 'pending');
        assert.equal(b.source_node, 'devnet', 'the node whose candidate it solved');
        assert.equal(b.source_pk, devnet.minerPublicKey, 'the key that candidate pays');
        const accepted = found.find((f) => f.id === b.share_id)?.accepted;
        assert.deepEqual(b.accepted_by, accepted ? ['devnet'] : [], 'the nodes that took it');
        if (!accepted) continue; // a race lost: not on the chain
        assert.equal(found.find((f) => f.id === b.share_id)?.nonce, b.nonce);
        // The chain holds our block at that height, with this nonce.
        const ids = parseNodeJson(
          await (await fetch(`${devnet.url}/blocks/at/${b.height}`)).text(),
        ) as string[];
        const headers = await Promise.all(
          ids.map(
            async (id) =>
              parseNodeJson(await (await fetch(`${devnet.url}/blocks/${id}/header`)).text()) as {
                powSolutions: { n: string };
              },
          ),
        );
        assert.ok(
          headers.some((h) => h.powSolutions.n === b.nonce),
          `block at ${b.height} with nonce ${b.nonce}`,
        );
      }
    } finally {
      await sink.close();
      await db.close();
      await verifier.close();
      await devnet.close();
    }
  });
});
