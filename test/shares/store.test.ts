import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  DatabaseShareStore,
  DurableShareSink,
  type JournalEntry,
  ratioToDecimal,
} from '../../src/shares/index.ts';
import { ENGINES, freshDatabase } from '../db/helpers.ts';
import { makeShare, tempDir, until } from './helpers.ts';

const entries = (n: number, from = 0): JournalEntry[] =>
  Array.from({ length: n }, (_, k) => ({ seq: from + k + 1, share: makeShare(from + k), bytes: 0 }));

describe('ratioToDecimal', () => {
  it('is exact for decimal difficulties and truncates the others at 40 digits', () => {
    assert.equal(ratioToDecimal({ num: 1n, den: 100_000n }), '0.00001');
    assert.equal(ratioToDecimal({ num: 3n, den: 8n }), '0.375');
    assert.equal(ratioToDecimal({ num: 12n, den: 1n }), '12');
    assert.equal(ratioToDecimal({ num: 5n, den: 2n }), '2.5');
    assert.equal(ratioToDecimal({ num: 1n, den: 3n }), `0.${'3'.repeat(40)}`);
    assert.equal(ratioToDecimal({ num: 10n ** 30n + 1n, den: 10n ** 30n }), `1.${'0'.repeat(29)}1`);
  });
});

for (const engine of ENGINES) {
  describe(`share store on ${engine}`, { timeout: 60_000 }, () => {
    it('replaying the same records twice stores every share once and every block once', async () => {
      const fresh = await freshDatabase(engine, { migrated: true });
      try {
        const store = new DatabaseShareStore(fresh.db, { defaultPoolId: 'ergo' });
        const batch = entries(1500);
        const block = batch[700]!.share;
        block.isBlock = true;
        block.blockAccepted = true;
        block.hit = 12345n;
        block.source = { node: 'main', pk: `02${'ab'.repeat(32)}` };
        block.acceptedBy = ['main', 'backup'];
        const unanswered = batch[900]!.share;
        unanswered.isBlock = true; // a candidate no node took (every submit timed out): still a pending block
        unanswered.hit = 99n;
        batch[5]!.share.userAgent = 'NULL';
        batch[6]!.share.userAgent = 'a\u0000b "q" {x,y} \\ \'s\' ✓';
        batch[6]!.share.worker = '';
        const huge = batch[3]!.share;
        huge.hit = 2n ** 256n - 1n;
        huge.expectedHashes = 2n ** 255n + 7n;
        huge.difficulty = { num: 123456789n, den: 1000n };

        await store.write(batch);
        await store.write(batch); // replay: the crash came after the commit, before the checkpoint
        await store.write(batch.slice(500, 1000));
        assert.deepEqual(store.inserted, { shares: 1500, blocks: 2 });

        const count = await fresh.db.query<{ n: bigint; ids: bigint }>(
          'SELECT count(*) AS n, count(DISTINCT id) AS ids FROM shares',
        );
        assert.deepEqual(count.rows[0], { n: 1500n, ids: 1500n });
        const blocks = await fresh.db.query<Record<string, unknown>>(
          `SELECT height, nonce, miner_address, worker, share_id, status, network_difficulty, source_node, source_pk,
                  accepted_by FROM blocks ORDER BY nonce`,
        );
        assert.deepEqual(blocks.rows, [
          {
            height: block.height,
            nonce: block.nonce,
            miner_address: block.address,
            worker: block.worker,
            share_id: block.id,
            status: 'pending',
            network_difficulty: block.networkDifficulty.toString(),
            source_node: 'main',
            source_pk: block.source.pk,
            accepted_by: ['main', 'backup'],
          },
          {
            height: unanswered.height,
            nonce: unanswered.nonce,
            miner_address: unanswered.address,
            worker: unanswered.worker,
            share_id: unanswered.id,
            status: 'pending',
            network_difficulty: unanswered.networkDifficulty.toString(),
            source_node: null,
            source_pk: null,
            accepted_by: null,
          },
        ]);
        const row = await fresh.db.query<Record<string, unknown>>(
          'SELECT hit::text AS hit, expected_hashes::text AS eh, difficulty::text AS d, created_at, nonce, is_block FROM shares WHERE id = $1',
          [huge.id],
        );
        assert.equal(row.rows[0]!.hit, (2n ** 256n - 1n).toString());
        assert.equal(row.rows[0]!.eh, (2n ** 255n + 7n).toString());
        assert.equal(row.rows[0]!.d, '123456.789');
        assert.equal((row.rows[0]!.created_at as Date).getTime(), huge.time);
        const agents = await fresh.db.query<{ user_agent: string; worker: string }>(
          'SELECT user_agent, worker FROM shares WHERE id = $1 OR id = $2 ORDER BY user_agent',
          [batch[5]!.share.id, batch[6]!.share.id],
        );
        assert.deepEqual(agents.rows, [
          { user_agent: 'NULL', worker: 'rig01' },
          { user_agent: 'ab "q" {x,y} \\ \'s\' ✓', worker: '' },
        ]);
        const progress = await fresh.db.query<{ instance: string; complete_until: Date }>(
          'SELECT instance, complete_until FROM share_ingest_progress',
        );
        assert.equal(progress.rows.length, 1);
        assert.equal(progress.rows[0]!.complete_until.getTime(), makeShare(0).time - 20_000);
      } finally {
        await fresh.cleanup();
      }
    });

    it('each share and block lands in the pool that accepted it; an older journal’s share in the default pool', async () => {
      const fresh = await freshDatabase(engine, { migrated: true });
      try {
        const store = new DatabaseShareStore(fresh.db, { defaultPoolId: 'main', instance: 'p0' });
        const batch = entries(6);
        const pools = ['ergo', 'solo', '', 'ergo', 'solo', ''];
        batch.forEach((e, k) => {
          e.share.poolId = pools[k]!;
          e.share.instance = 'p0';
        });
        // The same solution (height, nonce) recorded as a block by two pools: one row each.
        for (const k of [0, 1]) {
          batch[k]!.share.isBlock = true;
          batch[k]!.share.height = 1925001;
          batch[k]!.share.nonce = '00000000000000aa';
        }
        await store.write(batch);
        const shares = await fresh.db.query<{ id: string; pool_id: string }>(
          'SELECT id, pool_id FROM shares',
        );
        const poolOf = new Map(shares.rows.map((r) => [r.id, r.pool_id]));
        assert.deepEqual(
          batch.map((e) => poolOf.get(e.share.id)),
          ['ergo', 'solo', 'main', 'ergo', 'solo', 'main'],
        );
        const blocks = await fresh.db.query<{ pool_id: string; share_id: string }>(
          'SELECT pool_id, share_id FROM blocks ORDER BY pool_id',
        );
        assert.deepEqual(blocks.rows, [
          { pool_id: 'ergo', share_id: batch[0]!.share.id },
          { pool_id: 'solo', share_id: batch[1]!.share.id },
        ]);
        await store.write(batch);
        assert.deepEqual(store.inserted, { shares: 6, blocks: 2 }, 'a replay adds nothing in any pool');
        const progress = await fresh.db.query<{ instance: string }>(
          'SELECT instance FROM share_ingest_progress',
        );
        assert.deepEqual(
          progress.rows,
          [{ instance: 'p0' }],
          'one progress row per instance, whatever the pools',
        );
      } finally {
        await fresh.cleanup();
      }
    });

    it('an idle pool moves its share_ingest_progress on (crediting is not held up by a quiet spell)', async (t) => {
      const fresh = await freshDatabase(engine, { migrated: true });
      const dir = tempDir(t);
      try {
        const store = new DatabaseShareStore(fresh.db, {
          defaultPoolId: 'ergo',
          instance: 'p0',
          recordDelayMs: 1_000,
        });
        const sink = await DurableShareSink.open({ dir, store, heartbeatMs: 20 });
        const share = makeShare(1); // accepted long ago; nothing after it
        await sink.record(share);
        assert.ok(await sink.drain(10_000));
        const startedAt = Date.now();
        const progress = async () =>
          (
            await fresh.db.query<{ complete_until: Date }>(
              "SELECT complete_until FROM share_ingest_progress WHERE instance = 'p0'",
            )
          ).rows[0]?.complete_until.getTime() ?? 0;
        await until(
          async () => (await progress()) >= startedAt - 1_000,
          10_000,
          'progress past the quiet spell',
        );
        assert.ok((await progress()) > share.time);
        await sink.close();
      } finally {
        await fresh.cleanup();
      }
    });

    it('a share the database refuses for its data is set aside in the quarantine file; the others land', async (t) => {
      const fresh = await freshDatabase(engine, { migrated: true });
      const dir = tempDir(t);
      try {
        const sink = await DurableShareSink.open({
          dir,
          store: new DatabaseShareStore(fresh.db, { defaultPoolId: 'ergo' }),
          backoff: { baseMs: 5, capMs: 20 },
        });
        const all = entries(300).map((e) => e.share);
        all[123]!.height = 0; // violates CHECK (height > 0): the same on every retry
        await Promise.all(all.map((s) => sink.record(s)));
        assert.ok(await sink.drain(30_000));
        assert.equal(sink.stats.quarantined, 1);
        await sink.close();
        const n = await fresh.db.query<{ n: bigint }>('SELECT count(*) AS n FROM shares');
        assert.equal(n.rows[0]!.n, 299n);
        const lines = readFileSync(join(dir, 'quarantine.jsonl'), 'utf8').trim().split('\n');
        assert.equal(lines.length, 1);
        const set = JSON.parse(lines[0]!);
        assert.equal(set.seq, 124);
        assert.equal(set.share.id, all[123]!.id);
        assert.match(set.reason, /^23514 /);
      } finally {
        await fresh.cleanup();
      }
    });

    it('the durable sink ships into the database; a replay after a lost checkpoint adds nothing', async (t) => {
      const fresh = await freshDatabase(engine, { migrated: true });
      const dir = tempDir(t);
      try {
        const sink = await DurableShareSink.open({
          dir,
          store: new DatabaseShareStore(fresh.db, { defaultPoolId: 'ergo' }),
        });
        await Promise.all(entries(400).map((e) => sink.record(e.share)));
        assert.ok(await sink.drain(20_000));
        await sink.close();
        writeFileSync(join(dir, 'checkpoint'), Buffer.alloc(32)); // forget what was shipped
        const store = new DatabaseShareStore(fresh.db, { defaultPoolId: 'ergo' });
        const again = await DurableShareSink.open({ dir, store });
        assert.ok(await again.drain(20_000));
        await again.close();
        assert.deepEqual(store.inserted, { shares: 0, blocks: 0 });
        const n = await fresh.db.query<{ n: bigint }>('SELECT count(*) AS n FROM shares');
        assert.equal(n.rows[0]!.n, 400n);
      } finally {
        await fresh.cleanup();
      }
    });
  });
}
