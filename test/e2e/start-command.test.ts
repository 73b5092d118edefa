import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/enigmapool', import.meta.url));

describe('enigmapool start --devnet (the README run command)', () => {
  it('runs devnet, stratum and the demo miner, finds a block, and stops cleanly on Ctrl-C', async () => {
    // Its own data directory: the pool keeps its share journal and PGlite database there.
    const dataDir = mkdtempSync(join(tmpdir(), 'ep-start-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const args = [
      'start',
      '--devnet',
      '--devnet-port',
      '0',
      '--stratum-port',
      '0',
      '--api-port',
      '0',
      '--data-dir',
      dataDir,
    ];
    const child = spawn(BIN, args, {
      env: { ...process.env, ENIGMAPOOL_LOG__FORMAT: 'json', ENIGMAPOOL_DEVNET__DIFFICULTY: '20000' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const lines: string[] = [];
    let buffer = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      for (const line of parts) if (line) lines.push(JSON.parse(line).msg);
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const waitFor = async (pattern: RegExp, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!lines.some((l) => pattern.test(l))) {
        if (Date.now() > deadline) throw new Error(`no log line ${pattern} in:\n${lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await waitFor(/point miners at stratum\+tcp:\/\/127\.0\.0\.1:\d+/, 20_000);
      await waitFor(/demo miner: 1 CPU thread/, 20_000);
      await waitFor(/miner connected: 9\w+\.demo/, 20_000);
      await waitFor(/BLOCK FOUND at height \d+ by 9\w+\.demo/, 90_000);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0);
    assert.ok(lines.includes('stopped cleanly'), lines.join('\n'));
  });

  const bad: [string[], RegExp][] = [
    [['start'], /no Ergo node configured/],
    [['start', '--devnet', '--stratum-port', 'abc'], /--stratum-port must be a whole number/],
    [['start', '--devnet', '--start-difficulty', '-3'], /--start-difficulty/],
    [['start', '--config', '/nonexistent.yaml'], /cannot read config file/],
    [['start', '--bogus'], /bogus/],
  ];
  for (const [args, message] of bad) {
    it(`refuses ${args.join(' ')} with one line and exit 2`, () => {
      const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
    });
  }

  it('config --print shows the effective config with secrets masked', () => {
    const r = spawnSync(BIN, ['config', '--print'], {
      encoding: 'utf8',
      env: {
        ...process.env,
        ENIGMAPOOL_NODES__0__NAME: 'n1',
        ENIGMAPOOL_NODES__0__URL: 'http://127.0.0.1:9053',
        ENIGMAPOOL_NODES__0__APIKEY: 'hunter2',
      },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /apiKey: "?\*{8}"?/);
    assert.doesNotMatch(r.stdout, /hunter2/);
    assert.match(r.stdout, /port: 3052/);
  });
});
