/** A connection with output waiting for the end of the turn. */
export interface TurnWriter {
  flush(): void;
}

export interface LoopTurnOptions {
  /** Once a turn has run this long (ms), the server is behind: the turn's further submits are shed. */
  budgetMs: number;
  /** Monotonic milliseconds. */
  now?: () => number;
  /** Runs a callback once the current turn's I/O callbacks are done (setImmediate). */
  defer?: (callback: () => void) => void;
}

/**
 * One turn of the event loop as the stratum server sees it: from the first socket or verifier callback after
 * an idle moment to the check phase that follows the I/O. Two things hang on it:
 * - Output: replies written during a turn leave together when it ends, one write per connection (several
 *   answers to one miner share a write) and in one burst, which costs the kernel far less per write than
 *   writes spread between reads.
 * - Overload: a turn that has already run longer than the budget means lines are arriving faster than the
 *   thread answers them; whatever else the turn holds was waiting in the kernel for at least that long, and
 *   checking it fully would only make the next turn longer. Those submits get a cheap "busy" instead, so the
 *   work done per turn stays bounded and the latency of the shares that are checked stays low.
 */
export class LoopTurn {
  private startedAt = -1;
  private writers: TurnWriter[] = [];
  private readonly budgetMs: number;
  private readonly now: () => number;
  private readonly defer: (callback: () => void) => void;
  /** Turns that shed submits, since start. */
  overBudgetTurns = 0;
  private shedThisTurn = false;

  constructor(options: LoopTurnOptions) {
    this.budgetMs = options.budgetMs;
    this.now = options.now ?? performance.now.bind(performance);
    this.defer = options.defer ?? setImmediate;
  }

  /** Called on every I/O callback: starts the turn if none is running. */
  enter(): void {
    if (this.startedAt >= 0) return;
    this.startedAt = this.now();
    this.defer(this.end);
  }

  /** Has the current turn run past its budget (the server is behind)? */
  overBudget(): boolean {
    if (this.startedAt < 0 || this.now() - this.startedAt <= this.budgetMs) return false;
    if (!this.shedThisTurn) {
      this.shedThisTurn = true;
      this.overBudgetTurns += 1;
    }
    return true;
  }

  /** The writer's output goes out when the turn ends; a writer registers once per turn. */
  later(writer: TurnWriter): void {
    this.enter();
    this.writers.push(writer);
  }

  private readonly end = (): void => {
    this.startedAt = -1;
    this.shedThisTurn = false;
    const writers = this.writers;
    this.writers = [];
    for (const writer of writers) writer.flush();
  };
}
