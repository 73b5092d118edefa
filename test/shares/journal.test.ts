import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeSlot, encodeSlot } from '../../src/shares/checkpoint.ts';
import { crc32, crc32Reference } from '../../src/shares/crc32.ts';
import { Checkpoint, JournalReader, nodeJournalFs, ShareJournal } from '../../src/shares/index.ts';
import { frameRecord, HEADER_BYTES, scanAll, scanChunk } from '../../src/shares/record.ts';
import { encodeShare } from '../../src/shares/share-codec.ts';
import { makeShare, SpyFs, sleep, tempDir } from './helpers.ts';

const RECORD = HEADER_BYTES + encodeShare(makeShare(1)).length;

async function readAll(journal: ShareJournal, after = 0) {
  const reader = new JournalReader(journal, after);
  const out = await reader.read(1_000_000);
  await reader.close();
  return out;
}

async function appendN(journal: ShareJournal, from: number, n: number) {
  const shares = Array.from({ length: n }, (_, i) => makeShare(from + i));
  const seqs = await Promise.all(shares.map((s) => journal.append(s)));
  return { shares, seqs };
}

function segmentFiles(dir: string) {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.seg'))
    .sort();
}

describe('crc32', () => {
  it('matches the standard check value and zlib', () => {
    assert.equal(crc32Reference(Buffer.from('123456789')), 0xcbf43926);
    for (let i = 0; i < 20; i++) {
      const data = randomBytes(1 + i * 37);
      assert.equal(crc32(data), crc32Reference(data));
      assert.equal(crc32(data.subarray(5), crc32(data.subarray(0, 5))), crc32Reference(data));
    }
  });
});

describe('record framing', () => {
  it('finds records, skips a damaged one by its CRC and reports the torn tail', () => {
    const frames = [1, 2, 3].map((k) => frameRecord(k, encodeShare(makeShare(k))));
    const damaged = Buffer.from(frames[1]!);
    damaged[HEADER_BYTES + 10]! ^= 0x01;
    const torn = frames[2]!.subarray(0, 25);
    const buf = Buffer.concat([frames[0]!, damaged, frames[2]!, torn]);
    const full = scanAll(buf, 100);
    assert.deepEqual(
      full.records.map((r) => r.seq),
      [1, 3],
    );
    assert.deepEqual(full.damaged, [{ offset: 100 + RECORD, bytes: RECORD }]);
    assert.deepEqual(full.tail, { offset: 100 + 3 * RECORD, bytes: 25 });
    const chunk = scanChunk(buf, 0);
    assert.deepEqual(
      chunk.records.map((r) => r.seq),
      [1],
    );
    assert.equal(chunk.stop, 'bad');
    assert.equal(chunk.end, RECORD);
    const cut = scanChunk(Buffer.concat([frames[0]!, frames[1]!.subarray(0, 40)]), 0);
    assert.equal(cut.stop, 'incomplete');
  });

  it('catches a flipped length or sequence number, not only payload bytes', () => {
    for (const at of [5, 12]) {
      const frame = frameRecord(7, encodeShare(makeShare(7)));
      frame[at]! ^= 0x01;
      const scan = scanAll(frame, 0);
      assert.equal(scan.records.length, 0, `byte ${at}`);
    }
  });
});

describe('share journal', () => {
  it('round-trips shares with every bigint and ratio exact', async (t) => {
    const dir = tempDir(t);
    const journal = await ShareJournal.open({ dir });
    const big = makeShare(1, {
      hit: 2n ** 256n - 1n,
      expectedHashes: 2n ** 200n + 12345678901234567890n,
      networkDifficulty: 10n ** 40n + 1n,
      difficulty: { num: 123456789012345678901234567890n, den: 98765432109876543210987654321n },
      isBlock: true,
      blockAccepted: true,
      userAgent: 'lolMiner 1.88 "quoted" ✓',
    });
    assert.equal(await journal.append(big), 1);
    await journal.close();
    const again = await ShareJournal.open({ dir });
    const [entry] = await readAll(again);
    assert.deepEqual(entry!.share, big);
    assert.equal(entry!.seq, 1);
    await again.close();
  });

  it('group commit: many concurrent appends share few fdatasyncs, each resolved only once durable', async (t) => {
    const dir = tempDir(t);
    const fs = new SpyFs();
    const journal = await ShareJournal.open({ dir, fs, groupWindowMs: 5 });
    const syncsBefore = fs.syncs;
    const active = join(dir, segmentFiles(dir)[0]!);
    const early: number[] = [];
    const appends = Array.from({ length: 2000 }, (_, k) =>
      journal.append(makeShare(k)).then((seq) => {
        if ((fs.durable.get(active) ?? 0) < seq * RECORD) early.push(seq);
        return seq;
      }),
    );
    const seqs = await Promise.all(appends);
    assert.deepEqual(early, [], 'no append resolved before an fdatasync covered it');
    assert.deepEqual(
      seqs,
      Array.from({ length: 2000 }, (_, k) => k + 1),
    );
    const syncs = fs.syncs - syncsBefore;
    assert.ok(syncs >= 1 && syncs <= 5, `${syncs} fdatasyncs for 2000 appends`);
    await journal.close();
  });

  it('commits a block candidate at once, taking the shares waiting in the window with it', async (t) => {
    const dir = tempDir(t);
    const journal = await ShareJournal.open({ dir, groupWindowMs: 60_000 });
    const started = Date.now();
    assert.equal(await journal.append(makeShare(0)), 1, 'a lone append is committed at once');
    await Promise.all([1, 2, 3].map((k) => journal.append(makeShare(k)))); // 1 alone, then 2 + 3 together
    assert.ok(Date.now() - started < 1000);
    let plainDone = false;
    const plain = journal.append(makeShare(4)).then(() => {
      plainDone = true;
    });
    await sleep(100);
    assert.equal(plainDone, false, 'while appends come in groups, a plain share waits for the group window');
    const blockAt = Date.now();
    const seq = await journal.append(makeShare(5, { isBlock: true }));
    await plain;
    assert.equal(seq, 6);
    assert.ok(Date.now() - blockAt < 1000);
    await journal.close();
  });

  it('a lone submitter never waits for the window; many submitters are gathered into few commits', async (t) => {
    const dir = tempDir(t);
    const fs = new SpyFs();
    const journal = await ShareJournal.open({ dir, fs, groupWindowMs: 1000 });
    const started = Date.now();
    for (let k = 0; k < 20; k++) await journal.append(makeShare(k));
    assert.ok(Date.now() - started < 1000, `20 sequential appends took ${Date.now() - started} ms`);
    await journal.close();

    const dir2 = tempDir(t);
    const fs2 = new SpyFs();
    const busy = await ShareJournal.open({ dir: dir2, fs: fs2, groupWindowMs: 5 });
    const before = fs2.syncs;
    await Promise.all(
      Array.from({ length: 32 }, async (_, w) => {
        for (let k = 0; k < 20; k++) await busy.append(makeShare(w * 100 + k));
      }),
    );
    const syncs = fs2.syncs - before;
    assert.ok(syncs <= 640 / 8, `${syncs} fdatasyncs for 640 appends from 32 submitters`);
    await busy.close();
  });

  it('cuts a torn tail on open and continues the sequence after it', async (t) => {
    const dir = tempDir(t);
    const journal = await ShareJournal.open({ dir });
    await appendN(journal, 0, 10);
    await journal.close();
    const file = join(dir, segmentFiles(dir)[0]!);
    appendFileSync(file, frameRecord(11, encodeShare(makeShare(11))).subarray(0, RECORD - 7));
    const reopened = await ShareJournal.open({ dir });
    assert.equal(reopened.recovery.tornBytes, RECORD - 7);
    assert.equal(statSync(file).size, 10 * RECORD);
    assert.equal(reopened.committedSeq, 10);
    assert.equal(await reopened.append(makeShare(11)), 11);
    await reopened.close();
    const third = await ShareJournal.open({ dir });
    assert.deepEqual(
      (await readAll(third)).map((e) => e.seq),
      Array.from({ length: 11 }, (_, k) => k + 1),
    );
    assert.equal(third.recovery.tornBytes, 0);
    await third.close();
  });

  it('treats zeros after the last record (a size extended without data) as a torn tail', async (t) => {
    const dir = tempDir(t);
    const journal = await ShareJournal.open({ dir });
    await appendN(journal, 0, 3);
    await journal.close();
    appendFileSync(join(dir, segmentFiles(dir)[0]!), Buffer.alloc(4096));
    const reopened = await ShareJournal.open({ dir });
    assert.equal(reopened.recovery.tornBytes, 4096);
    assert.equal((await readAll(reopened)).length, 3);
    await reopened.close();
  });

  it('detects a CRC mismatch inside the data, skips only that record and never misreads it', async (t) => {
    const dir = tempDir(t);
    const journal = await ShareJournal.open({ dir });
    const { shares } = await appendN(journal, 0, 10);
    await journal.close();
    const file = join(dir, segmentFiles(dir)[0]!);
    const bytes = readFileSync(file);
    bytes[4 * RECORD + HEADER_BYTES + 30]! ^= 0x20; // inside record 5's payload
    writeFileSync(file, bytes);
    const reopened = await ShareJournal.open({ dir });
    assert.deepEqual(reopened.recovery.damaged, [
      { segment: segmentFiles(dir)[0], offset: 4 * RECORD, bytes: RECORD },
    ]);
    assert.equal(reopened.recovery.tornBytes, 0);
    const damage: unknown[] = [];
    const reader = new JournalReader(reopened, 0, { onDamage: (d) => damage.push(d) });
    const entries = await reader.read(100);
    await reader.close();
    assert.deepEqual(
      entries.map((e) => e.seq),
      [1, 2, 3, 4, 6, 7, 8, 9, 10],
    );
    assert.deepEqual(
      entries.map((e) => e.share.id),
      shares.filter((_, i) => i !== 4).map((s) => s.id),
    );
    assert.equal(damage.length, 1);
    await reopened.close();
  });

  it('rotates segments by size and deletes a segment once everything in it is shipped', async (t) => {
    const dir = tempDir(t);
    const journal = await ShareJournal.open({ dir, segmentBytes: 10 * RECORD });
    for (let k = 0; k < 10; k++) await appendN(journal, k * 10, 10); // one group of 10 per commit
    await appendN(journal, 100, 5);
    assert.deepEqual(segmentFiles(dir), [
      '0000000000000001.seg',
      '0000000000000011.seg',
      '0000000000000021.seg',
      '0000000000000031.seg',
      '0000000000000041.seg',
      '0000000000000051.seg',
      '0000000000000061.seg',
      '0000000000000071.seg',
      '0000000000000081.seg',
      '0000000000000091.seg',
      '0000000000000101.seg',
    ]);
    assert.equal(journal.bytesOnDisk, 105 * RECORD);
    assert.equal(await journal.release(35), 3);
    assert.equal(segmentFiles(dir)[0], '0000000000000031.seg');
    assert.equal(journal.bytesOnDisk, 75 * RECORD);
    assert.deepEqual(
      (await readAll(journal, 35)).map((e) => e.seq),
      Array.from({ length: 70 }, (_, k) => k + 36),
    );
    assert.equal(await journal.release(105), 7);
    assert.deepEqual(segmentFiles(dir), ['0000000000000101.seg'], 'the active segment stays');
    await journal.close();

    // Reopened with the checkpoint at 105: the sequence goes on.
    const reopened = await ShareJournal.open({ dir, shippedSeq: 105, segmentBytes: 10 * RECORD });
    assert.equal(await reopened.append(makeShare(106)), 106);
    await reopened.close();
  });

  it('continues after the checkpoint when the journal files were removed', async (t) => {
    const dir = tempDir(t);
    const journal = await ShareJournal.open({ dir, shippedSeq: 500 });
    assert.equal(await journal.append(makeShare(1)), 501);
    assert.deepEqual(segmentFiles(dir), ['0000000000000501.seg']);
    await journal.close();
  });

  it('a reader sees records only once committed, and follows rotation', async (t) => {
    const dir = tempDir(t);
    const journal = await ShareJournal.open({ dir, segmentBytes: 3 * RECORD, groupWindowMs: 50 });
    const reader = new JournalReader(journal, 0);
    const pending = journal.append(makeShare(1));
    assert.deepEqual(await reader.read(10), [], 'not yet committed');
    await pending;
    assert.equal((await reader.read(10)).length, 1);
    for (let k = 2; k <= 9; k++) await journal.append(makeShare(k));
    assert.deepEqual(
      (await reader.read(100)).map((e) => e.seq),
      [2, 3, 4, 5, 6, 7, 8, 9],
    );
    await reader.close();
    await journal.close();
  });

  it('a failed fdatasync rejects its appends, leaves no trace, and the sequence continues without a gap', async (t) => {
    const dir = tempDir(t);
    const fs = new SpyFs();
    const journal = await ShareJournal.open({ dir, fs });
    await journal.append(makeShare(1));
    fs.fail.datasync = 1;
    await assert.rejects(journal.append(makeShare(2)), /injected datasync failure/);
    assert.equal(await journal.append(makeShare(3)), 2);
    await journal.close();
    const reopened = await ShareJournal.open({ dir });
    const entries = await readAll(reopened);
    assert.deepEqual(
      entries.map((e) => e.share.nonce),
      [makeShare(1).nonce, makeShare(3).nonce],
    );
    await reopened.close();
  });

  it('refuses every further share when the segment cannot be restored after a failed write', async (t) => {
    const dir = tempDir(t);
    const fs = new SpyFs();
    const journal = await ShareJournal.open({ dir, fs });
    fs.fail = { write: 1, truncate: 1 };
    await assert.rejects(journal.append(makeShare(1)), /injected write failure/);
    await assert.rejects(journal.append(makeShare(2)), /share journal cannot write/);
    await journal.close();
  });
});

describe('checkpoint', () => {
  it('starts at 0, survives reopen, and falls back to the other slot when one is torn', async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'checkpoint');
    const cp = await Checkpoint.open(nodeJournalFs, path);
    assert.equal(cp.seq, 0);
    await cp.save(10);
    await cp.save(25);
    await cp.save(20); // never backwards
    await cp.close();
    const bytes = readFileSync(path);
    assert.equal(bytes.length, 32);
    assert.deepEqual([decodeSlot(bytes.subarray(0, 16)), decodeSlot(bytes.subarray(16))].sort(), [10, 25]);
    const again = await Checkpoint.open(nodeJournalFs, path);
    assert.equal(again.seq, 25);
    await again.close();
    // Tear the newer slot (25 went to slot 0): the previous position (10) is what remains.
    const newer = decodeSlot(bytes.subarray(0, 16)) === 25 ? 0 : 16;
    bytes[newer + 6]! ^= 0xff;
    writeFileSync(path, bytes);
    const torn = await Checkpoint.open(nodeJournalFs, path);
    assert.equal(torn.seq, 10);
    await torn.save(30);
    await torn.close();
    assert.equal((await Checkpoint.open(nodeJournalFs, path)).seq, 30);
    assert.equal(decodeSlot(encodeSlot(2 ** 40)), 2 ** 40);
  });
});
