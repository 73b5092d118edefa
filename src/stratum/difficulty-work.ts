import type { CoinWork, Ratio, StratumDialect } from '../coin/index.ts';
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
export function atDifficulty<W extends CoinWork>(
  coin: StratumDialect<W>,
  job: Job<W>,
  d: Ratio,
): DifficultyWork {
  const key = difficultyKey(d);
  let at = job.atDifficulty.get(key);
  if (at === undefined) {
    const target = coin.shareTarget(job.work, d);
    at = { target, expectedHashes: coin.expectedHashes(target) };
    job.atDifficulty.set(key, at);
  }
  return at;
}
