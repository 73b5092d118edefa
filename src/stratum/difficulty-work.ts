import { expectedHashes, type Ratio, shareTarget } from '../autolykos/index.ts';
import type { DifficultyWork, Job } from './jobs.ts';

const difficultyKeys = new WeakMap<Ratio, string>();

/** "num/den", cached per ratio object: sessions hold their difficulty as one object between retargets. */
export function difficultyKey(d: Ratio): string {
  let key = difficultyKeys.get(d);
  if (key === undefined) {
    key = `${d.num}/${d.den}`;
    difficultyKeys.set(d, key);
  }
  return key;
}

/** The job at difficulty d: its share target and expected hashes, big-integer work done once per pair. */
export function atDifficulty(job: Job, d: Ratio): DifficultyWork {
  const key = difficultyKey(d);
  let work = job.atDifficulty.get(key);
  if (work === undefined) {
    const target = shareTarget(d, job.b);
    const expected = expectedHashes(target);
    work = { target, expectedHashes: expected.num / expected.den };
    job.atDifficulty.set(key, work);
  }
  return work;
}
