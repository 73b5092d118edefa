import type { BlockHeader } from '../ergo/index.ts';
import type { StoredBlock } from './blocks.ts';

/** The block tree as persisted: every block, and per height the ids with the best chain's first. */
export interface ChainSnapshot {
  blocks: StoredBlock[];
  heights: [number, string[]][];
}

/** Thrown for operations the chain cannot do (unknown parent, bad reorg height...). */
export class ChainError extends Error {
  override name = 'ChainError';
}

/**
 * The block tree (pure state): blocks by id and, per height, ids with the best chain's block first and
 * orphans after it — the order of /blocks/at. The best chain is contiguous from `lowest` to `height`.
 */
export class Chain {
  private readonly byId = new Map<string, StoredBlock>();
  private readonly atHeight = new Map<number, string[]>();
  private top: number;
  /** Bumped on every change (caches of derived views key on it). */
  version = 0;

  private constructor(readonly lowest: number) {
    this.top = lowest - 1;
  }

  /** A chain whose best blocks are `history` (consecutive, oldest first). */
  static fromHistory(history: readonly StoredBlock[]): Chain {
    const first = history[0];
    if (!first) throw new ChainError('history must not be empty');
    const chain = new Chain(first.header.height);
    chain.byId.set(first.header.id, first);
    chain.atHeight.set(first.header.height, [first.header.id]);
    chain.top = first.header.height;
    for (const block of history.slice(1)) chain.append(block);
    return chain;
  }

  static fromSnapshot(snapshot: ChainSnapshot): Chain {
    const lowest = Math.min(...snapshot.heights.map(([h]) => h));
    if (!Number.isFinite(lowest)) throw new ChainError('state holds no blocks');
    const chain = new Chain(lowest);
    for (const block of snapshot.blocks) chain.byId.set(block.header.id, block);
    for (const [h, ids] of snapshot.heights) {
      for (const id of ids) if (!chain.byId.has(id)) throw new ChainError(`state lists unknown block ${id}`);
      chain.atHeight.set(h, [...ids]);
      chain.top = Math.max(chain.top, h);
    }
    return chain;
  }

  snapshot(): ChainSnapshot {
    return {
      blocks: [...this.byId.values()],
      heights: [...this.atHeight.entries()].sort((a, b) => a[0] - b[0]).map(([h, ids]) => [h, [...ids]]),
    };
  }

  get height(): number {
    return this.top;
  }

  get tip(): StoredBlock {
    return this.bestAt(this.top)!;
  }

  get(id: string): StoredBlock | undefined {
    return this.byId.get(id.toLowerCase());
  }

  bestAt(height: number): StoredBlock | undefined {
    const id = this.atHeight.get(height)?.[0];
    return id === undefined ? undefined : this.byId.get(id);
  }

  idsAt(height: number): string[] {
    return [...(this.atHeight.get(height) ?? [])];
  }

  isBest(id: string): boolean {
    const block = this.get(id);
    return block !== undefined && this.atHeight.get(block.header.height)?.[0] === block.header.id;
  }

  /** Best-chain blocks from `from` (default lowest) to the tip, oldest first. */
  *best(from = this.lowest): Generator<StoredBlock> {
    for (let h = Math.max(from, this.lowest); h <= this.top; h++) yield this.bestAt(h)!;
  }

  /** The last n best headers, oldest first (as /blocks/lastHeaders). */
  lastHeaders(n: number, upTo = this.top): BlockHeader[] {
    const out: BlockHeader[] = [];
    for (let h = Math.max(this.lowest, upTo - n + 1); h <= upTo; h++) out.push(this.bestAt(h)!.header);
    return out;
  }

  /** Timestamps of `id` and up to n − 1 of its ancestors, oldest first. */
  ancestorTimestamps(id: string, n: number): number[] {
    const out: number[] = [];
    let block = this.get(id);
    while (block && out.length < n) {
      out.push(Number(block.header.timestamp));
      block = this.get(block.header.parentId);
    }
    return out.reverse();
  }

  /** Adds a block on top of the best chain. */
  append(block: StoredBlock): void {
    if (block.header.parentId !== this.tip.header.id) throw new ChainError('block does not extend the tip');
    this.insert(block, true);
  }

  /** Adds a block beside the best chain (an orphan at its height, listed after the best one). */
  addFork(block: StoredBlock): void {
    if (!this.byId.has(block.header.parentId)) throw new ChainError('fork parent is unknown');
    if (block.header.height > this.top) throw new ChainError('a fork must not be longer than the best chain');
    this.insert(block, false);
  }

  /**
   * Makes `fork` (consecutive blocks whose first extends the best block at its height − 1) the best
   * chain: the replaced blocks stay as orphans, listed after the new best ones.
   */
  reorg(fork: readonly StoredBlock[]): StoredBlock[] {
    const first = fork[0];
    if (!first) throw new ChainError('empty fork');
    const from = first.header.height;
    if (this.bestAt(from - 1)?.header.id !== first.header.parentId)
      throw new ChainError('fork does not branch off the best chain');
    if (from + fork.length - 1 <= this.top) throw new ChainError('fork is not longer than the best chain');
    const orphaned = [...this.best(from)];
    fork.forEach((block, k) => {
      if (k > 0 && block.header.parentId !== fork[k - 1]!.header.id)
        throw new ChainError('fork is not a chain');
    });
    for (const block of fork) this.insert(block, true);
    return orphaned;
  }

  private insert(block: StoredBlock, best: boolean): void {
    const { id, height } = block.header;
    if (this.byId.has(id)) throw new ChainError(`block ${id} already exists`);
    this.byId.set(id, block);
    const ids = this.atHeight.get(height) ?? [];
    if (best) ids.unshift(id);
    else ids.push(id);
    this.atHeight.set(height, ids);
    if (height > this.top) this.top = height;
    this.version++;
  }
}
