import type { AcceptedShare, ShareSink } from './types.ts';

/** Keeps accepted shares in memory (tests, benchmarks, and the pool before the durable pipeline). */
export class MemoryShareSink implements ShareSink {
  readonly shares: AcceptedShare[] = [];
  private limit: number;

  constructor(limit = 1_000_000) {
    this.limit = limit;
  }

  async record(share: AcceptedShare): Promise<void> {
    this.shares.push(share);
    if (this.shares.length > this.limit) this.shares.splice(0, this.shares.length - this.limit);
  }
}
