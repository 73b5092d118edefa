import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JournalFile, JournalFs } from '../../src/shares/index.ts';
import { nodeJournalFs } from '../../src/shares/index.ts';
import type { AcceptedShare } from '../../src/stratum/index.ts';

export const ADDRESS = '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA';

/** A share with fixed-width fields, so every journal record has the same size. */
export function makeShare(k: number, overrides: Partial<AcceptedShare> = {}): AcceptedShare {
  return {
    id: randomUUID(),
    poolId: 'ergo',
    address: ADDRESS,
    worker: 'rig01',
    difficulty: { num: 1n, den: 100_000n },
    expectedHashes: 42_949_672n,
    jobId: 'a0001',
    height: 1_000_000,
    networkDifficulty: 2_000_000_000_000_000n,
    clientAddress: '127.0.0.1',
    userAgent: 'test/1.0',
    nonce: (0x1000_0000_0000_0000n + BigInt(k)).toString(16),
    hit: 10n ** 70n + BigInt(k),
    time: 1_700_000_000_000,
    instance: 'p0',
    isBlock: false,
    blockAccepted: false,
    ...overrides,
  };
}

export function tempDir(t: { after: (fn: () => void) => void }, prefix = 'ep-shares-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Records writes and syncs; `failNext` makes the next write/datasync/truncate throw. */
export class SpyFs implements JournalFs {
  syncs = 0;
  writes = 0;
  /** Per path: bytes known written, and bytes covered by the last completed fdatasync. */
  written = new Map<string, number>();
  durable = new Map<string, number>();
  fail: { write?: number; datasync?: number; truncate?: number } = {};

  constructor(private readonly inner: JournalFs = nodeJournalFs) {}

  async open(path: string, flags: 'r' | 'r+' | 'wx+'): Promise<JournalFile> {
    const file = await this.inner.open(path, flags);
    const self = this;
    const take = (kind: 'write' | 'datasync' | 'truncate') => {
      const n = self.fail[kind];
      if (n !== undefined && n > 0) {
        self.fail[kind] = n - 1;
        throw Object.assign(new Error(`injected ${kind} failure`), { code: 'EIO' });
      }
    };
    return {
      read: (b, o, l, p) => file.read(b, o, l, p),
      async write(b, o, l, p) {
        take('write');
        self.writes++;
        const r = await file.write(b, o, l, p);
        self.written.set(path, Math.max(self.written.get(path) ?? 0, p + r.bytesWritten));
        return r;
      },
      async datasync() {
        take('datasync');
        const covered = self.written.get(path) ?? 0;
        await file.datasync();
        self.syncs++;
        self.durable.set(path, covered);
      },
      async truncate(len) {
        take('truncate');
        await file.truncate(len);
        self.written.set(path, len);
      },
      stat: () => file.stat(),
      close: () => file.close(),
    };
  }

  readdir(dir: string) {
    return this.inner.readdir(dir);
  }
  mkdir(dir: string) {
    return this.inner.mkdir(dir);
  }
  unlink(path: string) {
    return this.inner.unlink(path);
  }
  syncDir(dir: string) {
    return this.inner.syncDir(dir);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
