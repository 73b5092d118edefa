import { hexToBytes, networkDifficultyFromTarget } from '../autolykos/index.ts';

/** Work from the node: the candidate's msg, target b, height, and the block version for notify. */
export interface Work {
  msg: string;
  b: bigint;
  height: number;
  version: number;
  /** The node the candidate came from and the key it pays (recorded with a block found on it). */
  source?: { node: string; pk: string };
}

/** What a job looks like at one share difficulty: computed once per job and difficulty, shared by sessions. */
export interface DifficultyWork {
  /** The share target for difficulty d as the notify carries it (never harder than b). */
  target: bigint;
  /** Expected Autolykos evaluations for a share at this target: 2^256 / target, floored. */
  expectedHashes: bigint;
  /** set_difficulty and notify for this job at this difficulty, encoded once (broadcasts write the Buffer). */
  lines?: Buffer;
}

export interface Job extends Work {
  id: string;
  msgBytes: Uint8Array;
  networkDifficulty: bigint;
  createdAt: number;
  /** When a newer job replaced this one (ms), or null while it is the current job. */
  replacedAt: number | null;
  /** Nonces already submitted for this job (duplicate detection), lower-case hex; emptied once it is stale. */
  readonly nonces: Set<string>;
  /** Targets and notify lines per share difficulty (see atDifficulty); emptied once the job is stale. */
  readonly atDifficulty: Map<string, DifficultyWork>;
}

/** Why a known job no longer takes shares: its height is not the current one, or it was replaced too long ago. */
export type StaleReason = 'height' | 'replaced';

export type JobLookup = { job: Job; stale: StaleReason | null } | null;

export interface JobUpdate {
  job: Job;
  /** The previous job's height when the new work is lower (a reorg, or a switch to a node behind). */
  lowerThan: number | null;
}

export interface JobBookOptions {
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
 * One job per distinct candidate msg, each sent with clean_jobs = true (every miner convention switches on
 * it). Jobs are kept by age: a replaced job at the current height takes shares for `validAfterReplacedMs`,
 * then (like any job at another height) its shares are stale, counted apart from invalid ones; after
 * `rememberMs` it is forgotten. Work at a lower height is taken too (the node is the authority on its tip).
 */
export class JobBook {
  private readonly jobs = new Map<string, Job>();
  private counter = 0;
  private currentJob: Job | null = null;
  private readonly prefix: string;
  private readonly validMs: number;
  private readonly rememberMs: number;
  private readonly maxJobs: number;

  constructor(options: JobBookOptions = {}) {
    this.prefix = options.instancePrefix ?? '';
    this.validMs = options.validAfterReplacedMs ?? 30_000;
    this.rememberMs = options.rememberMs ?? 600_000;
    this.maxJobs = options.maxJobs ?? 1024;
  }

  get current(): Job | null {
    return this.currentJob;
  }

  get size(): number {
    return this.jobs.size;
  }

  /** Registers new work; returns the new job, or null when the msg and height are unchanged. */
  update(work: Work, now: number): JobUpdate | null {
    const previous = this.currentJob;
    const msg = work.msg.toLowerCase();
    if (previous && previous.msg === msg && previous.height === work.height) return null;
    this.counter += 1;
    const job: Job = {
      ...work,
      msg,
      id: `${this.prefix}${this.counter.toString(16).padStart(8, '0')}`,
      msgBytes: hexToBytes(work.msg, 'msg', 32),
      networkDifficulty: networkDifficultyFromTarget(work.b),
      createdAt: now,
      replacedAt: null,
      nonces: new Set(),
      atDifficulty: new Map(),
    };
    if (previous) previous.replacedAt = now;
    this.jobs.set(job.id, job);
    this.currentJob = job;
    this.prune(now);
    return { job, lowerThan: previous && work.height < previous.height ? previous.height : null };
  }

  lookup(jobId: string, now: number): JobLookup {
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

  private staleReason(job: Job, now: number): StaleReason | null {
    const current = this.currentJob!;
    if (job.height !== current.height) return 'height';
    if (job.replacedAt !== null && now - job.replacedAt > this.validMs) return 'replaced';
    return null;
  }
}
