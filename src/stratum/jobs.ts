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

export interface Job extends Work {
  id: string;
  msgBytes: Uint8Array;
  networkDifficulty: bigint;
  createdAt: number;
  /** Nonces already submitted for this job (duplicate detection), lower-case hex. */
  readonly nonces: Set<string>;
}

export type JobLookup = { job: Job; stale: false } | { job: Job; stale: true } | null;

export interface JobBookOptions {
  /** Prefix making job ids unique across stratum instances (hex, e.g. the instance id). */
  instancePrefix?: string;
  /** Jobs kept at the current height (one per distinct msg). */
  maxJobsPerHeight?: number;
  /** Older heights remembered only to tell a stale share from an unknown job. */
  staleHeights?: number;
}

/**
 * One job per distinct candidate msg. clean_jobs only when the height changes; shares for recent jobs at the
 * current height stay valid; a share for an older height is stale (counted apart from invalid ones).
 */
export class JobBook {
  private readonly jobs = new Map<string, Job>();
  private counter = 0;
  private currentJob: Job | null = null;
  private readonly prefix: string;
  private readonly maxJobsPerHeight: number;
  private readonly staleHeights: number;

  constructor(options: JobBookOptions = {}) {
    this.prefix = options.instancePrefix ?? '';
    this.maxJobsPerHeight = options.maxJobsPerHeight ?? 8;
    this.staleHeights = options.staleHeights ?? 3;
  }

  get current(): Job | null {
    return this.currentJob;
  }

  /** Registers new work; returns the new job and whether miners must drop old work, or null if unchanged. */
  update(work: Work, now: number): { job: Job; clean: boolean } | null {
    if (this.currentJob && this.currentJob.msg === work.msg && this.currentJob.height === work.height)
      return null;
    if (this.currentJob && work.height < this.currentJob.height) return null;
    const clean = !this.currentJob || work.height !== this.currentJob.height;
    this.counter += 1;
    const job: Job = {
      ...work,
      msg: work.msg.toLowerCase(),
      id: `${this.prefix}${this.counter.toString(16).padStart(8, '0')}`,
      msgBytes: hexToBytes(work.msg, 'msg', 32),
      networkDifficulty: networkDifficultyFromTarget(work.b),
      createdAt: now,
      nonces: new Set(),
    };
    this.jobs.set(job.id, job);
    this.currentJob = job;
    this.prune(job.height);
    return { job, clean };
  }

  lookup(jobId: string): JobLookup {
    const job = this.jobs.get(jobId);
    if (!job) return null;
    return { job, stale: this.currentJob !== null && job.height < this.currentJob.height } as JobLookup;
  }

  private prune(height: number): void {
    const atHeight = [...this.jobs.values()].filter((j) => j.height === height);
    for (const job of atHeight.slice(0, Math.max(0, atHeight.length - this.maxJobsPerHeight)))
      this.jobs.delete(job.id);
    for (const job of this.jobs.values())
      if (job.height <= height - this.staleHeights) this.jobs.delete(job.id);
  }
}
