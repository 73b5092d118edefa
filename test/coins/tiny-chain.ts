import type {
  BlockSubmission,
  BlockSubmitter,
  ChainReader,
  CoinWork,
  ShareChecker,
  StratumDialect,
  WorkSource,
} from '../../src/coin/index.ts';

/** The key every block submitted to a tiny chain is mined with (the pool's). */
export const TINY_POOL_KEY = 'tiny pool key';

/**
 * A tiny simulated chain for any coin: work for the current height, a block accepted when its nonce's hit
 * makes one for the current work (checked with the coin's own checker), then the next height's work. Every
 * height below the current one holds a block: the pool's where it submitted one, else someone else's.
 */
export class TinyChain<W extends CoinWork> implements WorkSource<W>, BlockSubmitter<W> {
  readonly blocks: { height: number; nonce: string }[] = [];
  private listeners = new Set<(work: W) => void>();
  current: W;

  constructor(
    private readonly workAt: (height: number) => W,
    private readonly checker: ShareChecker<W>,
    private readonly dialect: StratumDialect<W>,
    startHeight = 100,
  ) {
    this.current = workAt(startHeight);
  }

  onWork(listener: (work: W) => void): () => void {
    this.listeners.add(listener);
    listener(this.current);
    return () => this.listeners.delete(listener);
  }

  async submitBlock(work: W, nonce: string): Promise<BlockSubmission> {
    if (work.height !== this.current.height) return { accepted: false, detail: 'not the current height' };
    const hit = await this.checker.hit(work, nonce);
    if (!this.dialect.isBlock(work, hit)) return { accepted: false, detail: 'not a block' };
    this.blocks.push({ height: work.height, nonce });
    this.advance();
    return { accepted: true, acceptedBy: ['tiny'] };
  }

  /** Someone else's block: the next height. */
  advance(): void {
    this.current = this.workAt(this.current.height + 1);
    for (const listener of this.listeners) listener(this.current);
  }

  /** The chain as accounting reads it; every pool block pays `rewardAt(height)` (the coin's rule). */
  reader(rewardAt: (height: number) => bigint): ChainReader {
    const tip = () => this.current.height - 1;
    return {
      tipHeight: async () => tip(),
      blockAt: async (height, nonce, poolKey) => {
        if (height > tip()) return null;
        const ours = this.blocks.find((b) => b.height === height);
        if (!ours || poolKey !== TINY_POOL_KEY)
          return { id: `other ${height}`, ours: false, mismatch: 'key' };
        if (ours.nonce.toLowerCase() !== nonce.toLowerCase())
          return { id: `pool ${height}`, ours: false, mismatch: 'nonce' };
        return { id: `pool ${height}`, ours: true };
      },
      rewardIn: async (id) => {
        const reward = rewardAt(Number(id.split(' ')[1]));
        return { gross: reward, reemission: 0n, reward, emission: reward, fees: 0n, boxIds: [id] };
      },
    };
  }
}
