import { constants } from 'node:fs';
import { mkdir, open, opendir, readdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The file operations the journal and the checkpoint use; tests wrap them to count syncs or inject faults. */
export interface JournalFile {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

export interface JournalFs {
  /** r: read only; r+: read and write an existing file; wx+: create a new file (fails if it exists). */
  open(path: string, flags: 'r' | 'r+' | 'wx+'): Promise<JournalFile>;
  readdir(dir: string): Promise<string[]>;
  /** mkdir -p. */
  mkdir(dir: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** fsync of a directory, so a created or renamed entry survives a crash. */
  syncDir(dir: string): Promise<void>;
}

export const nodeJournalFs: JournalFs = {
  open: (path, flags) => open(path, flags, 0o644),
  readdir: (dir) => readdir(dir),
  mkdir: async (dir) => {
    await mkdir(dir, { recursive: true });
  },
  unlink: (path) => unlink(path),
  syncDir: async (dir) => {
    const handle = await open(dir, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

/** Writes all of `buffer` at `position` (a regular file may take it in several writes). */
export async function writeFully(file: JournalFile, buffer: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesWritten } = await file.write(buffer, done, buffer.length - done, position + done);
    if (bytesWritten <= 0) throw new Error('journal write made no progress');
    done += bytesWritten;
  }
}

/** Reads up to `length` bytes at `position`, fewer only at the end of the file. */
export async function readFully(file: JournalFile, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

/** Timers and a clock, injected so tests can drive them. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Appends `data` to a file (created if missing) and fdatasyncs it. */
export async function appendDurably(fs: JournalFs, path: string, data: Buffer): Promise<void> {
  let file: JournalFile;
  let created = false;
  try {
    file = await fs.open(path, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    file = await fs.open(path, 'wx+');
    created = true;
  }
  try {
    await writeFully(file, data, (await file.stat()).size);
    await file.datasync();
  } finally {
    await file.close();
  }
  if (created) await fs.syncDir(dirname(path));
}

/**
 * fsyncs every file and directory under `root` (for an embedded database that never fsyncs by itself), two at
 * a time so the journal's own fdatasyncs still find a free libuv thread.
 */
export async function fsyncTree(root: string): Promise<void> {
  const paths: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of await opendir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) paths.push(path);
    }
    paths.push(dir);
  };
  await walk(root);
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++]!;
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(path, constants.O_RDONLY);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed meanwhile
        throw err;
      }
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  };
  await Promise.all([worker(), worker()]);
}
