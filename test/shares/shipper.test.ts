import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import {
  backoffDelay,
  DurableShareSink,
  type JournalEntry,
  type ShareStore,
} from '../../src/shares/index.ts';
import { makeShare, tempDir, until } from './helpers.ts';

/** An in-memory "database" keyed by share id, that can be made to fail. */
class FakeStore implements ShareStore {
  rows = new Map<string, number>();
  writes = 0;
  failing = false;
  batches: number[] = [];
  async write(entries: JournalEntry[]) {
    this.writes++;
    if (this.failing) throw new Error('connection refused (fake)');
    for (const e of entries) this.rows.set(e.share.id, e.seq);
    this.batches.push(entries.length);
  }
}

function captureLogs() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write(line: string) {
        lines.push(JSON.parse(line));
      },
    },
  );
  return { logger, lines };
}

const FAST_BACKOFF = { baseMs: 5, capMs: 40 };

describe('shipper', { timeout: 60_000 }, () => {
  it('backoff grows exponentially, is capped, and is jittered within [d/2, d]', () => {
    const opts = { baseMs: 100, capMs: 5000 };
    assert.equal(
      backoffDelay(0, opts, () => 0),
      50,
    );
    assert.equal(
      backoffDelay(0, opts, () => 0.999999),
      100,
    );
    assert.equal(
      backoffDelay(3, opts, () => 0),
      400,
    );
    assert.equal(
      backoffDelay(10, opts, () => 0.999999),
      5000,
    );
    assert.equal(
      backoffDelay(1000, opts, () => 0),
      2500,
    );
  });

  it('ships every record once, in batches, advances the checkpoint and deletes shipped segments', async (t) => {
    const dir = tempDir(t);
    const store = new FakeStore();
    const registry = new Registry();
    const sink = await DurableShareSink.open({
      dir,
      store,
      registry,
      segmentBytes: 4096,
      batchRecords: 100,
      batchDelayMs: 5,
    });
    const shares = Array.from({ length: 1000 }, (_, k) => makeShare(k));
    await Promise.all(shares.map((s) => sink.record(s)));
    assert.ok(await sink.drain(10_000));
    assert.equal(store.rows.size, 1000);
    assert.ok(Math.max(...store.batches) <= 100);
    assert.equal(sink.stats.shippedSeq, 1000);
    assert.equal(sink.stats.backlog, 0);
    assert.equal(readdirSync(dir).filter((n) => n.endsWith('.seg')).length, 1, 'shipped segments deleted');
    const metrics = await registry.metrics();
    assert.match(metrics, /enigmapool_shares_shipped_total 1000/);
    assert.match(metrics, /enigmapool_shares_journaled_total 1000/);
    assert.match(metrics, /enigmapool_share_backlog 0/);
    await sink.close();
  });

  it('keeps accepting while the database fails, warns with the backlog, and lands everything once it is back', async (t) => {
    const dir = tempDir(t);
    const store = new FakeStore();
    const { logger, lines } = captureLogs();
    const registry = new Registry();
    const sink = await DurableShareSink.open({
      dir,
      store,
      logger,
      registry,
      backoff: FAST_BACKOFF,
      warnEveryMs: 100,
      batchDelayMs: 5,
    });
    store.failing = true;
    const shares = Array.from({ length: 300 }, (_, k) => makeShare(k));
    for (let i = 0; i < 300; i += 30) {
      await Promise.all(shares.slice(i, i + 30).map((s) => sink.record(s))); // acknowledged: durable locally
      await new Promise((r) => setTimeout(r, 30));
    }
    assert.equal(store.rows.size, 0);
    assert.equal(sink.stats.backlog, 300);
    assert.notEqual(sink.stats.outageSince, null);
    await until(() => lines.some((l) => /DATABASE UNAVAILABLE .*300 share/.test(l.msg)), 5000, 'the warning');
    assert.match(await registry.metrics(), /enigmapool_share_db_errors_total [1-9]/);
    store.failing = false;
    assert.ok(await sink.drain(10_000));
    assert.deepEqual([...store.rows.keys()].sort(), shares.map((s) => s.id).sort());
    assert.ok(lines.some((l) => /database is back after/.test(l.msg)));
    await sink.close();
  });

  it('close() ships within its deadline during an outage, then the next start replays the rest', async (t) => {
    const dir = tempDir(t);
    const store = new FakeStore();
    store.failing = true;
    const sink = await DurableShareSink.open({ dir, store, backoff: FAST_BACKOFF });
    const shares = Array.from({ length: 50 }, (_, k) => makeShare(k));
    await Promise.all(shares.map((s) => sink.record(s)));
    const started = Date.now();
    const { backlog } = await sink.close(300);
    assert.ok(Date.now() - started < 3000, 'bounded');
    assert.equal(backlog, 50);
    await assert.rejects(sink.record(makeShare(99)), /closed/);

    store.failing = false;
    const { logger, lines } = captureLogs();
    const again = await DurableShareSink.open({ dir, store, logger });
    assert.ok(await again.drain(10_000));
    assert.equal(store.rows.size, 50);
    assert.ok(lines.some((l) => /50 share\(s\) after the last checkpoint/.test(l.msg)));
    await again.close();
  });

  it('a batch that reached the database but not the checkpoint is offered again (and must be a no-op)', async (t) => {
    const dir = tempDir(t);
    const store = new FakeStore();
    const sink = await DurableShareSink.open({ dir, store });
    await Promise.all(Array.from({ length: 20 }, (_, k) => sink.record(makeShare(k))));
    assert.ok(await sink.drain(5000));
    await sink.close();
    // Roll the checkpoint back to "nothing shipped", as if the process died right after the commit.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dir}/checkpoint`, Buffer.alloc(32));
    const seen: number[] = [];
    const replay = await DurableShareSink.open({
      dir,
      store: {
        write: async (entries) => {
          seen.push(...entries.map((e) => e.seq));
          await store.write(entries);
        },
      },
    });
    await replay.record(makeShare(100));
    assert.ok(await replay.drain(5000));
    assert.deepEqual(
      seen,
      Array.from({ length: 21 }, (_, k) => k + 1),
    );
    assert.equal(store.rows.size, 21);
    await replay.close();
  });

  it('with a store that must be synced, the journal keeps shares until a sync covered them', async (t) => {
    const dir = tempDir(t);
    // An engine that loses commits not yet synced when the machine goes down (PGlite never fsyncs).
    class LossyStore extends FakeStore {
      durable = new Map<string, number>();
      syncs = 0;
      syncFails = false;
      async sync() {
        if (this.syncFails) throw new Error('fsync failed (fake)');
        this.syncs++;
        this.durable = new Map(this.rows);
      }
    }
    const store = new LossyStore();
    const sink = await DurableShareSink.open({ dir, store, syncEveryMs: 300, batchDelayMs: 1 });
    const first = Array.from({ length: 50 }, (_, k) => makeShare(k));
    await Promise.all(first.map((s) => sink.record(s)));
    await until(() => store.rows.size === 50, 5000, 'the first batch committed');
    assert.equal(sink.stats.shippedSeq, 50);
    assert.equal(sink.stats.durableSeq, 0, 'not checkpointed before a sync');
    await until(() => sink.stats.durableSeq === 50, 5000, 'the periodic sync');
    assert.equal(store.durable.size, 50);

    // More shares land, then the machine "loses power" before the next sync: the checkpoint stays at 50.
    store.syncFails = true;
    const second = Array.from({ length: 30 }, (_, k) => makeShare(100 + k));
    await Promise.all(second.map((s) => sink.record(s)));
    await until(() => store.rows.size === 80, 5000, 'the second batch committed');
    await sink.close(500);
    assert.equal(sink.stats.durableSeq, 50);

    const rebooted = new LossyStore();
    rebooted.rows = new Map(store.durable); // what survived
    const again = await DurableShareSink.open({ dir, store: rebooted });
    assert.ok(await again.drain(5000));
    assert.deepEqual([...rebooted.rows.keys()].sort(), [...first, ...second].map((s) => s.id).sort());
    assert.equal(again.stats.durableSeq, 80);
    await again.close();
  });

  it('retries a transaction that hangs past the write timeout', async (t) => {
    const dir = tempDir(t);
    let calls = 0;
    const landed: string[] = [];
    const sink = await DurableShareSink.open({
      dir,
      writeTimeoutMs: 100,
      backoff: FAST_BACKOFF,
      store: {
        write: async (entries) => {
          calls++;
          if (calls === 1) return new Promise<void>(() => undefined); // a connection that never answers
          landed.push(...entries.map((e) => e.share.id));
        },
      },
    });
    const share = makeShare(1);
    await sink.record(share);
    assert.ok(await sink.drain(5000));
    assert.deepEqual(landed, [share.id]);
    await sink.close();
  });
});
