import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { headerVectors, NODE_SPEC_VECTOR, readVectorFile } from '../fixtures/vectors.ts';

const BIN = fileURLToPath(new URL('../../bin/enigmapool', import.meta.url));

function run(...args: string[]) {
  const result = spawnSync(BIN, args, { encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

const dir = mkdtempSync(join(tmpdir(), 'enigmapool-pow-'));

/** The raw JSON text of vector k's header, so big numbers reach the CLI exactly as the node prints them. */
function headerFile(k: number, edit?: (text: string) => string): string {
  const raw = readVectorFile('headers.json');
  let start = -1;
  for (let n = 0; n <= k; n++) start = raw.indexOf('"header":', start + 1);
  let depth = 0;
  let i = raw.indexOf('{', start);
  const from = i;
  for (; i < raw.length; i++) {
    if (raw[i] === '{') depth++;
    if (raw[i] === '}' && --depth === 0) break;
  }
  const path = join(dir, `header-${k}-${Math.random()}.json`);
  const text = raw.slice(from, i + 1);
  writeFileSync(path, edit ? edit(text) : text);
  return path;
}

describe('enigmapool pow', () => {
  it('prints N and hit for --msg --nonce --height', () => {
    const r = run(
      'pow',
      '--msg',
      NODE_SPEC_VECTOR.msg,
      '--nonce',
      NODE_SPEC_VECTOR.nonce.toUpperCase(),
      '--height',
      '614400',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { N: NODE_SPEC_VECTOR.N, hit: NODE_SPEC_VECTOR.hit });
  });

  it('checks a real mainnet header file', () => {
    const v = headerVectors.find((x) => x.header.version === 3)!;
    const r = run('pow', '--header', headerFile(headerVectors.indexOf(v)));
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout);
    assert.equal(got.msg, v.expect.msg);
    assert.equal(got.id, v.expect.id);
    assert.equal(got.N, v.expect.N);
    assert.equal(got.difficulty, v.expect.difficulty);
    assert.equal(got.b, v.expect.b);
    assert.equal(got.hit, v.expect.hit);
    assert.equal(got.validPow, true);
    assert.equal(got.idMatchesHeader, true);
  });

  it('reports validPow false for a wrong nonce', () => {
    const k = headerVectors.findIndex((x) => !x.expect.validPow);
    const r = run('pow', '--header', headerFile(k));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).validPow, false);
  });

  it('keeps a timestamp beyond 2^53 exact (node spec header)', () => {
    const k = headerVectors.findIndex((x) => x.header.height === 614_400);
    const r = run('pow', '--header', headerFile(k));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).msg, headerVectors[k]!.expect.msg);
  });

  const badInputs: [string, string[], RegExp][] = [
    [
      'a short msg',
      ['--msg', 'abcd', '--nonce', '0000000000003105', '--height', '1'],
      /--msg must be 32 bytes/,
    ],
    [
      'a non-hex nonce',
      ['--msg', NODE_SPEC_VECTOR.msg, '--nonce', 'zz00000000003105', '--height', '1'],
      /--nonce is not a hex/,
    ],
    [
      'a long nonce',
      ['--msg', NODE_SPEC_VECTOR.msg, '--nonce', '000000000000310500', '--height', '1'],
      /--nonce must be 8 bytes/,
    ],
    [
      'a non-numeric height',
      ['--msg', NODE_SPEC_VECTOR.msg, '--nonce', '0000000000003105', '--height', '12a'],
      /--height must be a whole number/,
    ],
    ['a missing nonce', ['--msg', NODE_SPEC_VECTOR.msg, '--height', '5'], /--nonce is required/],
    ['an unknown option', ['--msgg', 'x'], /msgg/],
    ['an unknown kernel', ['--bench', '--kernel', 'gpu'], /--kernel must be one of/],
    ['a missing header file', ['--header', '/nonexistent/h.json'], /--header: cannot read/],
  ];
  for (const [what, args, message] of badInputs) {
    it(`refuses ${what} with one line and exit code 2`, () => {
      const r = run('pow', ...args);
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.split('\n').length, 1, r.stderr);
    });
  }

  it('names a missing header field', () => {
    const r = run(
      'pow',
      '--header',
      headerFile(0, (t) => t.replace(/,\s*"parentId": "[0-9a-f]+"/, '')),
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /parentId is missing/);
  });

  it('names a header field of the wrong length', () => {
    const r = run(
      'pow',
      '--header',
      headerFile(0, (t) => t.replace(/"stateRoot": "([0-9a-f]+)"/, '"stateRoot": "$1ab"')),
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /stateRoot must be 33 bytes/);
  });

  it('--bench prints, last, one JSON line with checksPerSecond and workers', () => {
    const r = run('pow', '--bench', '--seconds', '1', '--workers', '1');
    assert.equal(r.code, 0, r.stderr);
    const last = JSON.parse(r.stdout.split('\n').at(-1)!);
    assert.equal(last.workers, 1);
    assert.ok(last.checksPerSecond > 0);
    assert.ok(last.checks > 0);
  });
});
