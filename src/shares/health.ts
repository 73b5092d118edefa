import type { Logger } from 'pino';
import { type Clock, type JournalFile, writeFully } from './io.ts';

export interface JournalHealthState {
  healthy: boolean;
  /** Why not (the disk error), or 'writing again'. */
  reason: string;
}

/** Bytes a probe writes past the last record (then cuts again): room for a group of shares. */
export const PROBE_BYTES = 64 * 1024;

/**
 * Whether the journal can make shares durable: false from a failed commit (a full or failing disk) until a
 * probe, every `everyMs`, or a commit writes again. The journal runs the probe (see probeWrite).
 */
export class JournalHealth {
  private healthy = true;
  private timer: unknown = null;
  private stopped = false;

  constructor(
    private readonly options: {
      clock: Clock;
      logger: Logger;
      everyMs: number;
      onHealth: ((health: JournalHealthState) => void) | undefined;
      /** true: it wrote; false: it failed; null: not run now (a commit is running). */
      probe: () => Promise<boolean | null>;
    },
  ) {}

  get isHealthy(): boolean {
    return this.healthy;
  }

  failed(err: unknown): void {
    if (this.stopped) return;
    this.schedule();
    if (!this.healthy) return;
    this.healthy = false;
    this.options.onHealth?.({ healthy: false, reason: (err as Error)?.message ?? String(err) });
  }

  succeeded(): void {
    if (this.healthy) return;
    this.healthy = true;
    this.options.logger.info('share journal: writing again');
    this.options.onHealth?.({ healthy: true, reason: 'writing again' });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer !== null || this.stopped) return;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      void this.run();
    }, this.options.everyMs);
  }

  private async run(): Promise<void> {
    if (this.healthy || this.stopped) return;
    const wrote = await this.options.probe().catch(() => false);
    if (wrote) this.succeeded();
    else this.schedule();
  }
}

/**
 * Writes `bytes` zeros at `position` (just past the last record), fdatasyncs and cuts them again: can the
 * disk take a group now? Zeros a crash leaves behind are a torn tail, cut when the journal opens.
 */
export async function probeWrite(file: JournalFile, position: number, bytes = PROBE_BYTES): Promise<boolean> {
  try {
    await writeFully(file, Buffer.alloc(bytes), position);
    await file.datasync();
    await file.truncate(position);
    await file.datasync();
    return true;
  } catch {
    await file.truncate(position).catch(() => undefined);
    return false;
  }
}
