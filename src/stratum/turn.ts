/** A connection with output waiting for the end of the turn. */
export interface TurnWriter {
  flush(): void;
}

/**
 * One turn of the event loop as the stratum server sees it: from the first socket or verifier callback after
 * an idle moment to the check phase that follows the I/O. Replies written during a turn leave together when
 * it ends: one write per connection (several answers to one miner share a write), all connections in one
 * burst, which costs the kernel less per write than writes spread between reads.
 */
export class LoopTurn {
  private running = false;
  private writers: TurnWriter[] = [];

  /** Runs a callback once the current turn's I/O callbacks are done (setImmediate). */
  constructor(private readonly defer: (callback: () => void) => void = setImmediate) {}

  /** The writer's output goes out when the turn ends; a writer registers once per turn. */
  later(writer: TurnWriter): void {
    if (!this.running) {
      this.running = true;
      this.defer(this.end);
    }
    this.writers.push(writer);
  }

  private readonly end = (): void => {
    this.running = false;
    const writers = this.writers;
    this.writers = [];
    for (const writer of writers) writer.flush();
  };
}
