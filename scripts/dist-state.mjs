// Whether dist/ (compiled by scripts/build-dist.mjs) is current: 'missing', 'stale' (something under src/
// is newer than the build's start, dist/.built) or 'current'. Used by bin/enigmapool and the test runner.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest mtime of src/ and everything in it (a directory's mtime covers a deleted or renamed file). */
function newestSource(src) {
  let newest = statSync(src).mtimeMs;
  for (const entry of readdirSync(src, { recursive: true, encoding: 'utf8' }))
    newest = Math.max(newest, statSync(join(src, entry)).mtimeMs);
  return newest;
}

export function distState(root) {
  let built;
  try {
    built = statSync(join(root, 'dist/.built')).mtimeMs;
  } catch {
    return 'missing';
  }
  return newestSource(join(root, 'src')) > built ? 'stale' : 'current';
}
