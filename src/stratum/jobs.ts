import type { CoinWork, StratumDialect } from '../coin/index.ts';

/** What a job looks like at one share difficulty: computed once per job and difficulty, shared by sessions. */
export interface DifficultyWork {
  /** The share target for difficulty d as the coin's notify carries it (never harder than a block's). */
  target: bigint;
  /** Expected hashes for a share at this target. */
  expectedHashes: bigint;
  /** The job's lines at this difficulty, encoded once (broadcasts write the Buffer). */
  lines?: Buffer;
}

/** A coin's work as the server tracks it: an id miners name in submits, and its age. */
export interface Job<W extends CoinWork = CoinWork> {
  id: string;
  work: W;
  height: number;
  /** Expected hashes per block at this work (the coin's network difficulty). */
  networkDifficulty: bigint;
  createdAt: number;
  /** When a newer job replaced this one (ms), or null while it is the current job. */
  replacedAt: number | null;
  /** Nonces already submitted for this job (duplicate detection), lower-case hex; emptied once it is stale. */
  readonly nonces: Set<string>;
  /** Targets and lines per share difficulty (see atDifficulty); emptied once the job is stale. */
  readonly atDifficulty: Map<string, DifficultyWork>;
}

/** Why a known job no longer takes shares: its height is not the current one, or it was replaced too long ago. */
export type StaleReason = 'height' | 'replaced';

export type JobLookup<W extends CoinWork = CoinWork> = { job: Job<W>; stale: StaleReason | null } | null;

export interface JobUpdate<W extends CoinWork = CoinWork> {
  job: Job<W>;
  /** The previous job's height when the new work is lower (a reorg, or a switch to a node behind). */
  lowerThan: number | null;
}

export interface JobBookOptions<W extends CoinWork> {
  /** What tells two pieces of the coin's work apart, and their network difficulty. */
  coin: Pick<StratumDialect<W>, 'workKey' | 'networkDifficulty'>;
  /** Prefix making job ids unique across stratum instances (hex, e.g. the instance id). */
  instancePrefix?: string;
  /**
   * A replaced job at the current height still takes shares for this long (default 30 s): submits in flight
   * and miners switching. Not longer: the node takes a block only for its current or previous candidate.
   */
  validAfterReplacedMs?: number;
  /** A replaced job is remembered this long (default 10 min), so its shares are stale, not unknown. */
  rememberMs?: number;
  /** At most this many jobs are remembered, the oldest forgotten first (default 1024). */
  maxJobs?: number;
}

/**
 * One job per distinct piece of work (the coin's workKey: Ergo's candidate msg), each sent with
 * clean_jobs = true (every miner convention switches on it). Jobs are kept by age: a replaced job at the current height takes shares for `validAfterReplacedMs`,
 * then (like any job at another height) its shares are stale, counted apart from invalid ones; after
 * `rememberMs` it is forgotten. Work at a lower height is taken too (the node is the authority on its tip).
 */
export class JobBook<W extends CoinWork = CoinWork> {
  private readonly jobs = new Map<string, Job<W>>();
  private counter = 0;
  private currentJob: Job<W> | null = null;
  private currentKey = '';
  private readonly coin: JobBookOptions<W>['coin'];
  private readonly prefix: string;
  private readonly validMs: number;
  private readonly rememberMs: number;
  private readonly maxJobs: number;

  constructor(options: JobBookOptions<W>) {
    this.coin = options.coin;
    this.prefix = options.instancePrefix ?? '';
    this.validMs = options.validAfterReplacedMs ?? 30_000;
    this.rememberMs = options.rememberMs ?? 600_000;
    this.maxJobs = options.maxJobs ?? 1024;
  }

  get current(): Job<W> | null {
    return this.currentJob;
  }

  get size(): number {
    return this.jobs.size;
  }

  /** Registers new work; returns the new job, or null when the work (its key) and height are unchanged. */
  update(work: W, now: number): JobUpdate<W> | null {
    const previous = this.currentJob;
    const key = this.coin.workKey(work);
    if (previous && this.currentKey === key && previous.height === work.height) return null;
    this.counter += 1;
    const job: Job<W> = {
      id: `${this.prefix}${this.counter.toString(16).padStart(8, '0')}`,
      work,
      height: work.height,
      networkDifficulty: this.coin.networkDifficulty(work),
      createdAt: now,
      replacedAt: null,
      nonces: new Set(),
      atDifficulty: new Map(),
    };
    if (previous) previous.replacedAt = now;
    this.jobs.set(job.id, job);
    this.currentJob = job;
    this.currentKey = key;
    this.prune(now);
    return { job, lowerThan: previous && work.height < previous.height ? previous.height : null };
  }

  lookup(jobId: string, now: number): JobLookup<W> {
    const job = this.jobs.get(jobId);
    if (!job) return null;
    return { job, stale: this.staleReason(job, now) };
  }

  /** Forgets jobs past rememberMs (or over maxJobs) and empties the duplicate sets and caches of stale ones. */
  prune(now: number): void {
    for (const [id, job] of this.jobs) {
      const expired = job !== this.currentJob && now - job.replacedAt! > this.rememberMs;
      if (!expired && this.jobs.size <= this.maxJobs) break; // in creation order: the rest are younger
      this.jobs.delete(id);
    }
    for (const job of this.jobs.values())
      if ((job.nonces.size > 0 || job.atDifficulty.size > 0) && this.staleReason(job, now)) {
        job.nonces.clear();
        job.atDifficulty.clear();
      }
  }

  private staleReason(job: Job<W>, now: number): StaleReason | null {
    const current = this.currentJob!;
    if (job.height !== current.height) return 'height';
    if (job.replacedAt !== null && now - job.replacedAt > this.validMs) return 'replaced';
    return null;
  }
}
