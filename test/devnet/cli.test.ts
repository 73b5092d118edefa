import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { devnetOptions } from '../../src/cli/devnet.ts';
import { UsageError } from '../../src/cli/errors.ts';
import { call } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/enigmapool', import.meta.url));

describe('enigmapool devnet', () => {
  it('rejects a bad flag with one line naming it and exit code 2', () => {
    for (const [args, pattern] of [
      [['--bogus'], /bogus/],
      [['--difficulty', 'lots'], /--difficulty/],
    ] as const) {
      const r = spawnSync(BIN, ['devnet', ...args], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, pattern);
    }
  });

  it('names the flag of every bad value', () => {
    const cases: [string[], RegExp][] = [
      [['--port', 'abc'], /--port/],
      [['--port', '70000'], /--port/],
      [['--difficulty', '0'], /--difficulty/],
      [['--block-time', '0'], /--block-time/],
      [['--block-time=-3'], /--block-time/],
      [['--nodes', '0'], /--nodes/],
      [['--height', '1.5'], /--height/],
      [['--competitor-block-time', 'soon'], /--competitor-block-time/],
      [['--mempool-interval', 'x'], /--mempool-interval/],
      [['--reward-delay', '0'], /--reward-delay/],
      [['--network', 'moon'], /--network/],
    ];
    for (const [args, pattern] of cases) {
      assert.throws(
        () => devnetOptions(args),
        (err: Error) => err instanceof UsageError && pattern.test(err.message),
      );
    }
    assert.deepEqual(
      devnetOptions(['--port', '0', '--difficulty', '123456789012345678901']).difficulty,
      123456789012345678901n,
    );
    assert.equal(devnetOptions([]).port, 9053);
  });

  it('runs in the foreground, logs blocks as single lines and closes cleanly on SIGINT', async () => {
    const state = join(mkdtempSync(join(tmpdir(), 'enigmapool-devnet-cli-')), 'state.json');
    const child = spawn(
      BIN,
      ['devnet', '--port', '0', '--difficulty', '20', '--height', '1000', '--state', state],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 20_000;
      while (!/nodes: (http:\S+)/.test(out) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const url = /nodes: (http:\S+)/.exec(out)?.[1];
      assert.ok(url, out);
      assert.ok(url.startsWith('http://127.0.0.1:'));
      assert.equal((await call(url, '/info')).body.fullHeight, 1000);
      assert.equal((await call(url, '/devnet/competitor-block', { method: 'POST' })).status, 200);
      while (!/block 1001 [0-9a-f]{64} by competitor \(difficulty \d+\)/.test(out) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.match(out, /^\S+Z INFO {2}block 1001 [0-9a-f]{64} by competitor \(difficulty \d+\)$/m);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0);
    assert.match(out, /devnet closed/);
    assert.ok(existsSync(state));
  });
});
