import { type Ratio, ratio } from '../coin/index.ts';
import { compare, sub, ZERO } from './exact.ts';
import { checkShareWeight, type ShareWeight, WeightSum } from './weights.ts';

/** A share as the schemes see it: who earned it and its weight inputs. */
export interface CreditShare extends ShareWeight {
  address: string;
  /** Share id (for the window summary and audits). */
  id?: string;
}

/** Where a PPLNS window ended. */
export interface WindowSummary {
  /** The window's size: factor (in network difficulties). */
  factor: Ratio;
  /** Σ counted weight: = factor when full, less when the history ran out. */
  weight: Ratio;
  /** The window reached `factor` (false: every available share counted, the reward still fully paid). */
  full: boolean;
  /** Shares looked at (counted in full or in part). */
  shares: number;
  /** The share that crossed the boundary: its weight and the part of it inside the window. */
  boundary: { id: string | undefined; address: string; weight: Ratio; counted: Ratio } | null;
}

/**
 * Builds a PPLNS window from shares fed **newest first** (the block's own share first): the last shares
 * whose weights (expected hashes ÷ network difficulty at their time) add up to `factor`. The share that
 * crosses the boundary counts only for the part inside the window. Incremental (`add` until it answers
 * false), so a caller can page through millions of shares; the sums are exact (see WeightSum).
 */
export class PplnsWindow {
  readonly byAddress = new Map<string, WeightSum>();
  private remaining: Ratio;
  private runDifficulty = 0n;
  private runHashes = 0n;
  private capNum = 0n;
  private capDen = 1n;
  private count = 0;
  private boundary: WindowSummary['boundary'] = null;

  constructor(readonly factor: Ratio) {
    if (factor.num <= 0n || factor.den <= 0n) throw new RangeError('PPLNS factor must be positive');
    this.remaining = factor;
  }

  get full(): boolean {
    return this.remaining.num === 0n;
  }

  /** Adds the next older share; false when the window is already full (the share is not counted). */
  add(share: CreditShare): boolean {
    if (this.full) return false;
    checkShareWeight(share);
    const d = share.networkDifficulty;
    if (d !== this.runDifficulty) this.startRun(d);
    this.count++;
    const h = share.expectedHashes;
    const sum = this.sumOf(share.address);
    // Crossing iff runHashes + h ≥ remaining × d, i.e. (runHashes + h) × capDen ≥ capNum.
    if ((this.runHashes + h) * this.capDen >= this.capNum) {
      const countedNum = this.capNum - this.runHashes * this.capDen; // hashes × capDen inside the window
      const counted = { num: countedNum, den: this.capDen * d };
      sum.addRatio(counted);
      this.boundary = {
        id: share.id,
        address: share.address,
        weight: { num: h, den: d },
        counted: ratio(counted.num, counted.den),
      };
      this.remaining = ZERO;
      this.runHashes = 0n;
      this.runDifficulty = 0n;
      return true;
    }
    this.runHashes += h;
    sum.addHashes(h, d);
    return true;
  }

  summary(): WindowSummary {
    this.foldRun();
    return {
      factor: this.factor,
      weight: sub(this.factor, this.remaining),
      full: this.full,
      shares: this.count,
      boundary: this.boundary,
    };
  }

  private sumOf(address: string): WeightSum {
    let sum = this.byAddress.get(address);
    if (!sum) {
      sum = new WeightSum();
      this.byAddress.set(address, sum);
    }
    return sum;
  }

  /** Folds the current run of equal network difficulty into `remaining` and starts one at d. */
  private startRun(d: bigint): void {
    this.foldRun();
    this.runDifficulty = d;
    this.capNum = this.remaining.num * d;
    this.capDen = this.remaining.den;
  }

  private foldRun(): void {
    if (this.runDifficulty !== 0n && this.runHashes !== 0n) {
      this.remaining = sub(this.remaining, { num: this.runHashes, den: this.runDifficulty });
      if (compare(this.remaining, ZERO) < 0) throw new Error('PPLNS window overflow (bug)');
    }
    this.runHashes = 0n;
    if (this.runDifficulty !== 0n) {
      this.capNum = this.remaining.num * this.runDifficulty;
      this.capDen = this.remaining.den;
    }
  }
}
