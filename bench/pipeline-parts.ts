// Measurement pieces for bench/pipeline.ts: the references (raw fdatasync/s, single-row inserts/s) and the
// pipeline figures (shipper throughput, sink latency, journal growth during an outage).
import { randomUUID } from 'node:crypto';
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../src/db/index.ts';
import {
  DatabaseShareStore,
  DurableShareSink,
  SHARE_COLUMNS,
  ShareJournal,
  type ShareStore,
} from '../src/shares/index.ts';
import { shareRow } from '../src/shares/rows.ts';
import type { AcceptedShare } from '../src/stratum/index.ts';

export const ADDRESS = '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA';

export function share(k: number, isBlock = false): AcceptedShare {
  return {
    id: randomUUID(),
    poolId: 'ergo',
    address: ADDRESS,
    worker: `rig${k % 100}`,
    difficulty: { num: 1n, den: 1000n },
    expectedHashes: 4_294_967n,
    jobId: `0a${(k >> 8).toString(16)}`,
    height: 1_925_000,
    networkDifficulty: 1_935_735_456_000_000n,
    clientAddress: `10.0.${(k >> 8) & 255}.${k & 255}`,
    userAgent: 'lolMiner 1.88',
    nonce: (0x1000_0000_0000_0000n + BigInt(k)).toString(16),
    hit: 10n ** 74n + BigInt(k) * 7919n,
    time: Date.now(),
    instance: '00',
    isBlock,
    blockAccepted: isBlock,
  };
}

export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(3));
}

/** Reference 1: sequential 256-byte appends, each followed by fdatasync (the disk's commit rate and latency). */
export function rawFdatasync(
  dir: string,
  seconds: number,
): { perSecond: number; p50Ms: number; p99Ms: number } {
  const fd = openSync(join(dir, 'fsync-probe'), 'w');
  const block = Buffer.alloc(256, 7);
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  try {
    while (performance.now() < end) {
      const t0 = performance.now();
      writeSync(fd, block, 0, block.length, latencies.length * block.length);
      fdatasyncSync(fd);
      latencies.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    perSecond: Math.round(latencies.length / seconds),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  };
}

/** Reference 2: one autocommitted single-row INSERT into `shares` at a time. */
export async function singleRowInsertsPerSecond(db: Database, seconds: number): Promise<number> {
  const columns = SHARE_COLUMNS.join(', ');
  const params = SHARE_COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
  let n = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    await db.query(`INSERT INTO shares (${columns}) VALUES (${params})`, shareRow(share(n), 'ergo'));
    n++;
  }
  return Math.round(n / seconds);
}

/** Fills a fresh journal with `count` shares (large groups), as a backlog for the shipper. */
export async function fillJournal(dir: string, count: number): Promise<void> {
  const journal = await ShareJournal.open({ dir, maxGroupBytes: 4 << 20 });
  for (let k = 0; k < count; k += 5000) {
    await Promise.all(
      Array.from({ length: Math.min(5000, count - k) }, (_, i) => journal.append(share(k + i))),
    );
  }
  await journal.close();
}

/** Shipper throughput: a journal backlog of `count` shares replayed into the database; shares/s. */
export async function shipperSharesPerSecond(
  dir: string,
  db: Database,
  count: number,
  batchRecords: number,
): Promise<number> {
  await fillJournal(dir, count);
  const store = new DatabaseShareStore(db, { defaultPoolId: 'ergo' });
  const started = performance.now();
  const sink = await DurableShareSink.open({ dir, store, batchRecords });
  const done = await sink.drain(600_000);
  const seconds = (performance.now() - started) / 1000;
  await sink.close();
  if (!done || store.inserted.shares !== count)
    throw new Error(`shipped ${store.inserted.shares} of ${count}`);
  return Math.round(count / seconds);
}

export interface LatencyFigures {
  concurrency: number;
  sharesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Sink alone: `concurrency` submitters each awaiting record() back to back for `seconds`; per-call latency
 * and throughput. The store given decides what the shipper does meanwhile (a no-op, a database, a failure).
 */
export async function sinkLatency(
  record: (s: AcceptedShare) => Promise<void>,
  concurrency: number,
  seconds: number,
): Promise<LatencyFigures> {
  const latencies: number[] = [];
  let k = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const s = share(k++);
        const t0 = performance.now();
        await record(s);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const sorted = Float64Array.from(latencies).sort();
  return {
    concurrency,
    sharesPerSecond: Math.round(latencies.length / seconds),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  };
}

export const NOOP_STORE: ShareStore = { write: async () => undefined };

export const FAILING_STORE: ShareStore = {
  write: async () => {
    throw new Error('database unavailable (bench)');
  },
};

/** Journal growth while the database is down: closed-loop record() at `concurrency` for `seconds`. */
export async function outageGrowth(dir: string, seconds: number, concurrency: number) {
  const sink = await DurableShareSink.open({
    dir,
    store: FAILING_STORE,
    backoff: { baseMs: 1000, capMs: 1000 },
    warnEveryMs: 3_600_000,
  });
  const before = sink.stats;
  const figures = await sinkLatency((s) => sink.record(s), concurrency, seconds);
  const after = sink.stats;
  await sink.close(0);
  const shares = after.committedSeq - before.committedSeq;
  const bytes = after.journalBytes - before.journalBytes;
  return {
    sharesPerSecond: Math.round(shares / seconds),
    bytesPerSecond: Math.round(bytes / seconds),
    bytesPerShare: Math.round(bytes / shares),
    backlog: after.backlog,
    p99Ms: figures.p99Ms,
  };
}
