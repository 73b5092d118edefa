import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const DOMAINS = [
  'coin',
  'autolykos',
  'ergo',
  'devnet',
  'stratum',
  'shares',
  'db',
  'accounting',
  'stats',
  'api',
  'miner',
  'config',
  'cli',
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|mjs)$/.test(name) ? [path] : [];
  });
}

const IMPORT_RE =
  /(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2]!;
    if (spec.startsWith('.')) found.push(resolve(dirname(file), spec));
  }
  return found;
}

const domainOf = (file: string) => relative(SRC, file).split('/')[0]!;
const files = sourceFiles(SRC);

describe('architecture', () => {
  it('has only the known domain folders, each with an index.ts', () => {
    for (const name of readdirSync(SRC)) {
      assert.ok(DOMAINS.includes(name), `src/${name} is not one of the domains ${DOMAINS.join(', ')}`);
      assert.ok(statSync(join(SRC, name, 'index.ts')).isFile(), `src/${name}/index.ts`);
    }
  });

  it('other folders import a domain only through its index.ts', () => {
    const violations: string[] = [];
    for (const file of files) {
      for (const target of relativeImports(file)) {
        if (domainOf(target) !== domainOf(file) && target !== join(SRC, domainOf(target), 'index.ts')) {
          violations.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
        }
      }
    }
    assert.deepEqual(violations, []);
  });

  it('has no import cycles between domains or files', () => {
    const graph = new Map(files.map((f) => [f, relativeImports(f).filter((t) => files.includes(t))]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    assert.deepEqual(cycles, []);
  });

  it('keeps the stratum server and the share pipeline generic over the coin (issue 14)', () => {
    // A coin is a folder implementing src/coin's Coin; these domains must not reach into any coin's code.
    const COIN_CODE = ['autolykos', 'ergo', 'devnet'];
    const violations: string[] = [];
    for (const file of files)
      if (['stratum', 'shares', 'coin'].includes(domainOf(file)))
        for (const target of relativeImports(file))
          if (COIN_CODE.includes(domainOf(target)))
            violations.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
    assert.deepEqual(violations, []);
  });

  it('keeps source files small (≤ 400 lines)', () => {
    const big = files
      .map((f) => [relative(SRC, f), readFileSync(f, 'utf8').split('\n').length] as const)
      .filter(([, lines]) => lines > 400);
    assert.deepEqual(big, []);
  });
});
