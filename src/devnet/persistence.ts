import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { deserializeState, type SimState, serializeState } from './state.ts';
import type { TimerSet } from './timers.ts';

/** The saved state at `path`, or null when there is no file yet (a malformed file is an error). */
export function loadStateFile(path: string): SimState | null {
  if (!existsSync(path)) return null;
  try {
    return deserializeState(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot load devnet state ${path}: ${(err as Error).message}`);
  }
}

/** Writes the state shortly after each change (coalesced) and on flush; atomic via a temp file + rename. */
export class StateSaver {
  private pending: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly snapshot: () => SimState,
    private readonly timers: TimerSet,
    private readonly logger: Logger,
    private readonly delayMs = 100,
  ) {}

  schedule(): void {
    if (this.pending) return;
    this.pending = this.timers.timeout(() => {
      this.pending = null;
      void this.flush();
    }, this.delayMs);
  }

  /** Writes now (after any write in progress); resolves when the file is on disk. */
  flush(): Promise<void> {
    this.timers.clear(this.pending);
    this.pending = null;
    const text = serializeState(this.snapshot());
    this.writing = this.writing.then(async () => {
      const tmp = `${this.path}.${process.pid}.tmp`;
      try {
        await writeFile(tmp, text);
        await rename(tmp, this.path);
      } catch (err) {
        this.logger.error({ err, path: this.path }, 'cannot save devnet state');
      }
    });
    return this.writing;
  }
}
