import { bytesToHex, computeHit, decodeCompactBits, type HitKernel, hexToBytes } from '../autolykos/index.ts';
import type { ErgoTransaction } from '../ergo/index.ts';
import { type BlockTemplate, buildTemplate, type StoredBlock, sealBlock } from './blocks.ts';
import { Chain, ChainError } from './chain.ts';
import { DeterministicRandom, hashText, type KeyPair, keyPairFromSeed, publicKeyOf } from './random.ts';
import { compactRounded, RETARGET_WINDOW, retarget } from './retarget.ts';
import { HISTORY_LENGTH, type SimParams, type SimState, STATE_FORMAT } from './state.ts';
import { strangerTransaction, userTransactions } from './transactions.ts';

export interface SimDeps {
  kernel: HitKernel;
  now: () => number;
}

export type SolveOutcome = { accepted: true; block: StoredBlock } | { accepted: false; detail: string };

export const INVALID_SOLUTION = 'Invalid block mined: h(f) < b condition not met';

/** Competitor blocks carry a real PoW solution when the difficulty is at most this (cheap to mine). */
const REAL_POW_MAX_DIFFICULTY = 512n;
const COMPETITOR_KEYS = 5;

type Listener<T> = (value: T) => void;

/**
 * The simulated network's pure state machine: the block tree, the mempool, the node's current and
 * previous candidate and the wallet flag. No timers, sockets or files: time comes from `deps.now`.
 */
export class Simulation {
  readonly chain: Chain;
  readonly rng: DeterministicRandom;
  readonly minerPk: string;
  current: BlockTemplate;
  previous: BlockTemplate | null = null;
  mempool: ErgoTransaction[];
  walletUnlocked: boolean;
  /** Bumped whenever the mempool changes (wallet view cache key). */
  mempoolVersion = 0;
  private readonly competitors: KeyPair[] = [];
  /** Current and previous candidates of the pool's other mining keys (nodes with their own key). */
  private readonly otherKeys = new Map<string, { current: BlockTemplate; previous: BlockTemplate | null }>();
  private readonly blockListeners: Listener<StoredBlock>[] = [];
  private readonly candidateListeners: Listener<BlockTemplate>[] = [];
  private readonly changeListeners: Listener<void>[] = [];

  private constructor(
    readonly params: SimParams,
    private readonly deps: SimDeps,
    private readonly minerSecretKey: string,
    readonly launchTime: number,
    chain: Chain | null,
    rng: DeterministicRandom,
    mempool: ErgoTransaction[],
    walletUnlocked: boolean,
  ) {
    this.rng = rng;
    this.minerPk = publicKeyOf(minerSecretKey);
    this.mempool = mempool;
    this.walletUnlocked = walletUnlocked;
    this.chain = chain ?? this.synthesizeHistory();
    this.current = this.templateOn(this.chain.tip, this.minerPk, true, this.mempool);
  }

  /** A fresh network whose tip is at params.startHeight after a short synthesized history. */
  static create(params: SimParams, deps: SimDeps): Simulation {
    if (!Number.isSafeInteger(params.startHeight) || params.startHeight < 1)
      throw new RangeError('startHeight must be a whole number ≥ 1');
    const rng = new DeterministicRandom(params.seed);
    const miner = rng.keyPair('miner');
    return new Simulation(params, deps, miner.secretKey, deps.now(), null, rng, [], true);
  }

  /** A network restored from a state file (its chain, keys, wallet and mempool win over options). */
  static restore(state: SimState, params: SimParams, deps: SimDeps): Simulation {
    if (state.network !== params.network)
      throw new Error(`state file is for ${state.network}, not ${params.network}`);
    const p: SimParams = { ...params, seed: state.seed, rewardDelay: state.rewardDelay };
    const rng = new DeterministicRandom(state.seed, state.rngCounter);
    return new Simulation(
      p,
      deps,
      state.minerSecretKey,
      state.launchTime,
      Chain.fromSnapshot(state.chain),
      rng,
      state.mempool,
      state.walletUnlocked,
    );
  }

  toState(): SimState {
    return {
      format: STATE_FORMAT,
      network: this.params.network,
      seed: this.params.seed,
      rngCounter: this.rng.counter,
      minerSecretKey: this.minerSecretKey,
      rewardDelay: this.params.rewardDelay,
      launchTime: this.launchTime,
      walletUnlocked: this.walletUnlocked,
      chain: this.chain.snapshot(),
      mempool: this.mempool,
    };
  }

  onBlock(listener: Listener<StoredBlock>): void {
    this.blockListeners.push(listener);
  }

  onCandidate(listener: Listener<BlockTemplate>): void {
    this.candidateListeners.push(listener);
  }

  onChange(listener: Listener<void>): void {
    this.changeListeners.push(listener);
  }

  /** Difficulty of the best full block (/info difficulty). */
  get difficulty(): bigint {
    return decodeCompactBits(this.chain.tip.header.nBits);
  }

  /** A candidate for the block after `parent` (node CandidateGenerator): retargeted difficulty, rewards. */
  templateOn(
    parent: StoredBlock,
    minerPk: string,
    byPool: boolean,
    mempool: readonly ErgoTransaction[],
    timestamp = this.deps.now(),
    pending: readonly StoredBlock[] = [],
  ): BlockTemplate {
    const timestamps: number[] = [];
    let cursor: StoredBlock | undefined = parent;
    while (cursor && timestamps.length <= RETARGET_WINDOW) {
      timestamps.unshift(Number(cursor.header.timestamp));
      const parentId: string = cursor.header.parentId;
      cursor = pending.find((b) => b.header.id === parentId) ?? this.chain.get(parentId);
    }
    const difficulty = retarget(decodeCompactBits(parent.header.nBits), timestamps, this.params.blockTimeMs);
    return buildTemplate({
      parentId: parent.header.id,
      parentStateRoot: parent.header.stateRoot,
      emissionBoxId: parent.transactions[0]!.outputs[0]!.boxId,
      parentScore: parent.score,
      height: parent.header.height + 1,
      timestamp: Math.max(Math.round(timestamp), Number(parent.header.timestamp) + 1),
      nBits: compactRounded(difficulty).nBits,
      minerPk,
      byPool,
      rewardDelay: this.params.rewardDelay,
      mempool,
    });
  }

  /**
   * Checks a nonce against the given candidates in order (the node: current, then previous): accepted iff
   * hit < b; a solution of an already solved candidate gets "Block already solved".
   */
  solve(
    nonceHex: string,
    templates: readonly (BlockTemplate | null)[] = [this.current, this.previous],
  ): SolveOutcome {
    const nonce = hexToBytes(nonceHex, 'n', 8);
    for (const t of templates) {
      if (!t) continue;
      const hit = computeHit(this.deps.kernel, {
        msg: hexToBytes(t.msg, 'msg', 32),
        nonce,
        height: t.header.height,
      });
      if (hit >= t.b) continue;
      if (t.solvedId !== null)
        return { accepted: false, detail: `Block already solved : Some(${t.solvedId})` };
      const block = sealBlock(t, bytesToHex(nonce));
      t.solvedId = block.header.id;
      this.addMinedBlock(block);
      return { accepted: true, block };
    }
    return { accepted: false, detail: INVALID_SOLUTION };
  }

  /** The mining key of node `k` when every node has its own key (node 0's is minerPk). */
  nodeKey(k: number): string {
    return k === 0 ? this.minerPk : keyPairFromSeed(hashText(this.params.seed, 'node-key', k)).publicKey;
  }

  /** The candidate a node with mining key `pk` hands out now. */
  candidateFor(pk: string): BlockTemplate {
    return this.templatesFor(pk)[0];
  }

  /** The candidates a node with mining key `pk` takes solutions for: its current one, then the previous one. */
  templatesFor(pk: string): [BlockTemplate, BlockTemplate | null] {
    if (pk === this.minerPk) return [this.current, this.previous];
    let t = this.otherKeys.get(pk);
    if (!t) {
      t = { current: this.templateOn(this.chain.tip, pk, true, this.mempool), previous: null };
      this.otherKeys.set(pk, t);
    }
    return [t.current, t.previous];
  }

  /** Another miner finds the next block on the tip (it takes the mempool). */
  mineCompetitorBlock(): StoredBlock {
    const t = this.templateOn(this.chain.tip, this.competitorKey(), false, this.mempool);
    const block = sealBlock(t, this.competitorNonce(t));
    this.addMinedBlock(block);
    return block;
  }

  /**
   * A competitor fork from `fromHeight` to tip + 1 becomes the best chain; the replaced blocks stay as
   * orphans. The fork re-includes the replaced blocks' user transactions at the same heights.
   */
  reorg(fromHeight: number): StoredBlock[] {
    const low = this.chain.lowest + 1;
    if (!Number.isSafeInteger(fromHeight) || fromHeight < low || fromHeight > this.chain.height)
      throw new ChainError(`fromHeight must be between ${low} and ${this.chain.height}, got ${fromHeight}`);
    // Coinbase and fee boxes of the replaced blocks vanish; so do txs spending them (and their dependents).
    const lost = new Set<string>();
    const valid = (tx: ErgoTransaction) => {
      if (tx.inputs.some((i) => lost.has(i.boxId))) {
        for (const o of tx.outputs) lost.add(o.boxId);
        return false;
      }
      return true;
    };
    for (const block of this.chain.best(fromHeight)) {
      const user = new Set(userTransactions(block.transactions));
      for (const tx of block.transactions) if (!user.has(tx)) for (const o of tx.outputs) lost.add(o.boxId);
    }
    const fork: StoredBlock[] = [];
    let parent = this.chain.bestAt(fromHeight - 1)!;
    for (let h = fromHeight; h <= this.chain.height + 1; h++) {
      const replaced = this.chain.bestAt(h);
      const txs = replaced ? userTransactions(replaced.transactions).filter(valid) : [];
      const time = replaced ? Number(replaced.header.timestamp) + 1 : this.deps.now();
      const t = this.templateOn(parent, this.competitorKey(), false, txs, time, fork);
      parent = sealBlock(t, this.competitorNonce(t));
      fork.push(parent);
    }
    const mempool = this.mempool.filter(valid);
    if (mempool.length !== this.mempool.length) {
      this.mempool = mempool;
      this.mempoolVersion++;
    }
    this.chain.reorg(fork);
    this.dropIncluded(fork);
    for (const block of fork) this.emit(this.blockListeners, block);
    this.refreshCandidate();
    return fork;
  }

  /** A stranger's fee-paying transaction enters the mempool: a new candidate at the same height. */
  addMempoolTransaction(tx: ErgoTransaction = strangerTransaction(this.rng, this.chain.height)): void {
    this.mempool = [...this.mempool, tx];
    this.mempoolVersion++;
    this.refreshCandidate();
  }

  /** The network forgets a mempool transaction (evicted everywhere): its inputs are free again. */
  dropTransaction(txId: string): boolean {
    const left = this.mempool.filter((tx) => tx.id !== txId);
    if (left.length === this.mempool.length) return false;
    this.mempool = left;
    this.mempoolVersion++;
    this.refreshCandidate();
    return true;
  }

  /** The node rebuilds its candidate: the current one becomes the previous one. */
  refreshCandidate(): void {
    this.previous = this.current;
    this.current = this.templateOn(this.chain.tip, this.minerPk, true, this.mempool);
    for (const [pk, t] of this.otherKeys)
      this.otherKeys.set(pk, {
        current: this.templateOn(this.chain.tip, pk, true, this.mempool),
        previous: t.current,
      });
    this.emit(this.candidateListeners, this.current);
    this.emit(this.changeListeners, undefined);
  }

  /** Signals a state change that does not touch the chain (wallet lock, ...). */
  touch(): void {
    this.emit(this.changeListeners, undefined);
  }

  private addMinedBlock(block: StoredBlock): void {
    if (block.header.parentId !== this.chain.tip.header.id) {
      this.chain.addFork(block);
      this.emit(this.changeListeners, undefined);
      return;
    }
    this.chain.append(block);
    this.dropIncluded([block]);
    this.emit(this.blockListeners, block);
    this.refreshCandidate();
  }

  private dropIncluded(blocks: readonly StoredBlock[]): void {
    const included = new Set(blocks.flatMap((b) => b.transactions.map((t) => t.id)));
    const left = this.mempool.filter((tx) => !included.has(tx.id));
    if (left.length !== this.mempool.length) {
      this.mempool = left;
      this.mempoolVersion++;
    }
  }

  private emit<T>(listeners: readonly Listener<T>[], value: T): void {
    for (const listener of listeners) listener(value);
  }

  private competitorKey(): string {
    const k = this.rng.int('competitor', COMPETITOR_KEYS);
    while (this.competitors.length <= k) {
      this.competitors.push(
        keyPairFromSeed(hashText(this.params.seed, 'competitor-key', this.competitors.length)),
      );
    }
    return this.competitors[k]!.publicKey;
  }

  /** A competitor's nonce: really mined at small difficulties, else random (its PoW is not checked). */
  private competitorNonce(t: BlockTemplate): string {
    const start = this.rng.bytes32('nonce').subarray(0, 8);
    if (t.difficulty > REAL_POW_MAX_DIFFICULTY) return bytesToHex(start);
    const msg = hexToBytes(t.msg, 'msg', 32);
    const view = new DataView(start.buffer, start.byteOffset, 8);
    const base = view.getBigUint64(0);
    for (let k = 0n; k < 64n * REAL_POW_MAX_DIFFICULTY; k++) {
      const nonce = new Uint8Array(8);
      new DataView(nonce.buffer).setBigUint64(0, (base + k) & 0xffffffffffffffffn);
      if (computeHit(this.deps.kernel, { msg, nonce, height: t.header.height }) < t.b)
        return bytesToHex(nonce);
    }
    return bytesToHex(start);
  }

  private synthesizeHistory(): Chain {
    const { startHeight, blockTimeMs, difficulty } = this.params;
    const first = Math.max(1, startHeight - HISTORY_LENGTH + 1);
    const now = this.deps.now();
    const { nBits } = compactRounded(difficulty);
    let parent = {
      id: this.rng.hex32('genesis-parent'),
      stateRoot: `${this.rng.hex32('genesis-state')}19`,
      emissionBoxId: this.rng.hex32('emission-box'),
      score: BigInt(first - 1) * 1_000_000_000_000_000n,
    };
    const blocks: StoredBlock[] = [];
    for (let h = first; h <= startHeight; h++) {
      const t = buildTemplate({
        parentId: parent.id,
        parentStateRoot: parent.stateRoot,
        emissionBoxId: parent.emissionBoxId,
        parentScore: parent.score,
        height: h,
        timestamp: Math.round(now - (startHeight - h + 1) * blockTimeMs),
        nBits,
        minerPk: this.competitorKey(),
        byPool: false,
        rewardDelay: this.params.rewardDelay,
        mempool: [],
      });
      const block = sealBlock(t, this.competitorNonce(t));
      blocks.push(block);
      parent = {
        id: block.header.id,
        stateRoot: block.header.stateRoot,
        emissionBoxId: block.transactions[0]!.outputs[0]!.boxId,
        score: block.score,
      };
    }
    return Chain.fromHistory(blocks);
  }
}
