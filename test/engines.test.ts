import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import semver from 'semver';

const root = new URL('../', import.meta.url);
const ours = (
  JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } }
).engines.node;
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

describe('package.json engines is true for everything npm ci installs (issue 11.21)', () => {
  it('every Node version our engines allow satisfies every locked package', () => {
    const unmet = Object.entries(lock.packages)
      .filter(([path]) => path !== '')
      .flatMap(([path, p]) => {
        const needs = !Array.isArray(p.engines) ? p.engines?.node : undefined;
        return needs && !semver.subset(ours, needs) ? [`${path}@${p.version} needs node ${needs}`] : [];
      });
    assert.deepEqual(unmet, [], `engines.node is "${ours}"`);
  });

  it('this Node satisfies our engines', () =>
    assert.ok(semver.satisfies(process.versions.node, ours), `${process.versions.node} vs ${ours}`));
});
