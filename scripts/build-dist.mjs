// Compiles src/ (TypeScript) to dist/ (JavaScript) during `npm ci`/`npm install` and `npm run build`, so the
// CLI runs on plain node: no tsx at run time (a devDependency), and a start in a fraction of the time.
// tsc only strips types here (tsconfig.build.json has noCheck): type errors are `npm run typecheck`'s job,
// and an install without dev dependencies has no @types. typescript is therefore a runtime dependency.
// Files tsc does not emit (worker bootstraps, SQL migrations) are copied beside the JavaScript. dist/.built
// carries the build's start time: bin/enigmapool runs dist/ only while nothing under src/ is newer.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const started = new Date();

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.error(`enigmapool: compiling src/ to dist/ failed (tsc exit ${result.status})`);
  process.exit(1);
}
for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
  if (!/\.(mjs|sql)$/.test(file)) continue;
  mkdirSync(dirname(join(dist, file)), { recursive: true });
  cpSync(join(src, file), join(dist, file));
}
const stamp = join(dist, '.built');
writeFileSync(stamp, `${started.toISOString()}\n`);
utimesSync(stamp, started, started);
console.log('enigmapool: src/ compiled into dist/');
