/** Every timer the devnet starts: unref'd (never keeps the process alive) and all cleared on close. */
export class TimerSet {
  private readonly live = new Set<NodeJS.Timeout>();
  private closed = false;

  timeout(fn: () => void, ms: number): NodeJS.Timeout | null {
    if (this.closed) return null;
    const t = setTimeout(() => {
      this.live.delete(t);
      fn();
    }, ms);
    t.unref();
    this.live.add(t);
    return t;
  }

  interval(fn: () => void, ms: number): NodeJS.Timeout | null {
    if (this.closed) return null;
    const t = setInterval(fn, ms);
    t.unref();
    this.live.add(t);
    return t;
  }

  /** Resolves after ms (or never, once closed: the caller's request is dropped with its socket). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.timeout(resolve, ms));
  }

  clear(t: NodeJS.Timeout | null): void {
    if (!t) return;
    clearTimeout(t);
    this.live.delete(t);
  }

  clearAll(): void {
    this.closed = true;
    for (const t of this.live) clearTimeout(t);
    this.live.clear();
  }
}
