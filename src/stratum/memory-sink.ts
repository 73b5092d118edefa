import type { AcceptedShare, ShareSink } from './types.ts';

/**
 * Keeps the last `limit` accepted shares in memory (tests and benchmarks). Older ones are dropped a quarter of
 * the limit at a time, so a full sink costs no more per share than an empty one.
 */
export class MemoryShareSink implements ShareSink {
  readonly shares: AcceptedShare[] = [];
  private limit: number;

  constructor(limit = 1_000_000) {
    this.limit = limit;
  }

  async record(share: AcceptedShare): Promise<void> {
    this.shares.push(share);
    if (this.shares.length > this.limit + Math.ceil(this.limit / 4))
      this.shares.splice(0, this.shares.length - this.limit);
  }
}
