import { readFileSync } from 'node:fs';

/**
 * The global connection cap: the configured maxConnections, lowered when the process may not open that many
 * files with headroom left (a fifth of the limit, at least 256) for the share journal, the database files
 * and connections, HTTP and the worker threads. At the cap a new connection is closed at accept.
 */
export function connectionCap(configured: number, openFileLimit: number | null): number {
  if (openFileLimit === null) return configured;
  const headroom = Math.max(256, Math.floor(openFileLimit / 5));
  return Math.max(1, Math.min(configured, openFileLimit - headroom));
}

/** The soft open-file limit of this process (Linux /proc/self/limits), or null where it cannot be read. */
export function openFileLimit(): number | null {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1];
    return soft === undefined || soft === 'unlimited' ? null : Number(soft);
  } catch {
    return null;
  }
}

/** Refused connections gathered into one log line per report, by reason, with a few of the addresses. */
export class RefusalTally {
  private readonly byReason = new Map<string, number>();
  private readonly addresses = new Set<string>();
  private total = 0;
  /** Since start, by reason (tests, metrics). */
  readonly sinceStart = new Map<string, number>();

  add(reason: string, address: string): void {
    this.total += 1;
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
    this.sinceStart.set(reason, (this.sinceStart.get(reason) ?? 0) + 1);
    if (this.addresses.size < 5) this.addresses.add(address);
  }

  /** The line to log for the refusals since the last call, or null when there were none. */
  take(): string | null {
    if (this.total === 0) return null;
    const reasons = [...this.byReason].map(([reason, n]) => `${reason} ${n}`).join(', ');
    const more = this.addresses.size >= 5 ? ', …' : '';
    const line = `stratum: refused ${this.total} connection(s): ${reasons} (from ${[...this.addresses].join(', ')}${more})`;
    this.byReason.clear();
    this.addresses.clear();
    this.total = 0;
    return line;
  }
}
