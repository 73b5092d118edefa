// Runs every test/**/*.test.ts (or those whose path contains an argument), each file in its own node test
// runner process, JOBS at a time (TEST_JOBS, default: the machine's cores), longest first by the last run's
// times. Each file's output is printed whole when it ends, with its duration; a file that fails, is killed by
// a signal or runs past FILE_TIMEOUT_MS counts as failed, by name. The CLI's child processes run dist/, so
// it is rebuilt first when src/ is newer.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distState } from './dist-state.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FILE_TIMEOUT_MS = 15 * 60_000;
const TIMES = join(ROOT, 'node_modules/.cache/enigmapool/test-times.json');

function findTests(dir) {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return findTests(path);
      return name.endsWith('.test.ts') ? [path] : [];
    })
    .sort();
}

function readTimes() {
  try {
    return JSON.parse(readFileSync(TIMES, 'utf8'));
  } catch {
    return {};
  }
}

const filters = process.argv.slice(2);
const files = findTests('test').filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
const jobs = Math.max(1, Number(process.env.TEST_JOBS) || availableParallelism());

if (distState(ROOT) !== 'current') {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build-dist.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(1);
}

const times = readTimes();
const queue = [...files].sort((a, b) => (times[b] ?? 0) - (times[a] ?? 0));
const results = [];
const running = new Map();
const started = performance.now();

/** Ends a test file's process and everything it started (its own process group: a pool, HAProxy, …). */
function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.log(`\n${signal}: stopping ${[...running.keys()].join(', ') || 'nothing'}`);
    for (const child of running.values()) killGroup(child, 'SIGKILL');
    process.exit(1);
  });
}

/** Runs one file; resolves with its result once it has printed its output. */
function runFile(file) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '--test-reporter=spec', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.set(file, child);
    const chunks = [];
    child.stdout.on('data', (d) => chunks.push(d));
    child.stderr.on('data', (d) => chunks.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGKILL');
    }, FILE_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(file);
      // Whatever the file left running (a child it did not stop) ends with it.
      killGroup(child, 'SIGKILL');
      const seconds = (performance.now() - t0) / 1000;
      const output = Buffer.concat(chunks).toString();
      const count = (what) => Number(output.match(new RegExp(`^ℹ ${what} (\\d+)$`, 'm'))?.[1] ?? 0);
      const result = { file, code, signal, timedOut, seconds, pass: count('pass'), fail: count('fail') };
      result.ok = code === 0 && signal === null;
      let why = '';
      if (timedOut) why = ` (killed after ${FILE_TIMEOUT_MS / 60_000} min)`;
      else if (signal) why = ` (killed by ${signal})`;
      else if (code !== 0) why = ` (exit ${code})`;
      process.stdout.write(
        `\n── ${file} ${result.ok ? 'passed' : `FAILED${why}`} in ${seconds.toFixed(1)} s\n${output}`,
      );
      results.push(result);
      resolve();
    });
  });
}

async function worker() {
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) await runFile(file);
}
await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));

const wall = (performance.now() - started) / 1000;
const failed = results.filter((r) => !r.ok);
// Keep the durations for the next run's order (longest first).
mkdirSync(dirname(TIMES), { recursive: true });
writeFileSync(
  TIMES,
  JSON.stringify({ ...times, ...Object.fromEntries(results.map((r) => [r.file, r.seconds])) }, null, 1),
);

console.log(`\nslowest files (${jobs} at a time):`);
for (const r of [...results].sort((a, b) => b.seconds - a.seconds).slice(0, 10))
  console.log(`  ${r.seconds.toFixed(1).padStart(6)} s  ${r.file}`);
if (failed.length > 0) {
  console.log(`\nfailed files:`);
  for (const r of failed) {
    const why = r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit ${r.code}`;
    console.log(`  ${r.file}: ${why}${r.fail ? `, ${r.fail} failed test(s)` : ''}`);
  }
}
const passed = results.reduce((n, r) => n + r.pass, 0);
// A file that died without reporting counts as one failure, so a crash is never a pass.
const failures = results.reduce((n, r) => n + (r.ok ? r.fail : Math.max(1, r.fail)), 0);
console.log(`\n${files.length} files in ${wall.toFixed(0)} s`);
console.log(`tests: ${passed} passed, ${failures} failed`);
process.exit(failed.length === 0 && files.length > 0 ? 0 : 1);
