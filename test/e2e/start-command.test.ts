import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAddress, parseNodeJson } from '../../src/ergo/index.ts';

const BIN = fileURLToPath(new URL('../../bin/enigmapool', import.meta.url));

describe('enigmapool start --devnet (the README run command)', () => {
  /** `bin/enigmapool start --devnet …` with JSON logs; its log messages, and a wait for one. */
  function startDemo(dataDir: string, env: Record<string, string>) {
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
      env: { ...process.env, ENIGMAPOOL_LOG__FORMAT: 'json', ...env },
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
    const waitFor = async (pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const l of lines) {
          const m = pattern.exec(l);
          if (m) return m;
        }
        if (Date.now() > deadline) throw new Error(`no log line ${pattern} in:\n${lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const stop = async () => {
      child.kill('SIGINT');
      return exited;
    };
    return { child, lines, waitFor, stop };
  }

  const node = async (url: string, path: string, init: RequestInit = {}) =>
    parseNodeJson(
      await (await fetch(`${url}${path}`, { ...init, headers: { api_key: 'devnet' } })).text(),
    ) as {
      numConfirmations?: number;
      outputs?: { ergoTree: string; value: bigint }[];
      fullHeight?: number;
    };

  it('the default demo: a block, its confirmation, a payment to the demo miner; a restart carries on the same chain', {
    timeout: 900_000,
  }, async () => {
    // Its own data directory: the share journal, the PGlite database and the devnet's chain live there.
    const dataDir = mkdtempSync(join(tmpdir(), 'ep-start-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    // The default fees and payout settings; only the waits are shortened (maturity, check intervals).
    const env = {
      ENIGMAPOOL_DEVNET__DIFFICULTY: '20000',
      ENIGMAPOOL_DEVNET__REWARDDELAY: '2',
      ENIGMAPOOL_ACCOUNTING__CONFIRMATIONS: '2',
      ENIGMAPOOL_ACCOUNTING__BLOCKCHECKSECONDS: '1',
      ENIGMAPOOL_ACCOUNTING__PAYOUTS__INTERVALSECONDS: '2',
    };
    const pool = startDemo(dataDir, env);
    let devnetUrl: string;
    let txId: string;
    let heightAtStop: number;
    try {
      devnetUrl = (
        await pool.waitFor(/devnet: a simulated Ergo network at (http:\/\/[\d.:]+) /, 180_000)
      )[1]!;
      await pool.waitFor(/point miners at stratum\+tcp:\/\/127\.0\.0\.1:\d+/, 60_000);
      const address = (
        await pool.waitFor(/demo miner: 1 CPU thread\(s\) mining as (9\w+)\.demo/, 60_000)
      )[1]!;
      await pool.waitFor(/miner connected: 9\w+\.demo/, 60_000);
      const height = (await pool.waitFor(/BLOCK FOUND at height (\d+) by 9\w+\.demo/, 300_000))[1]!;
      for (let k = 0; k < 2; k++) await fetch(`${devnetUrl}/devnet/competitor-block`, { method: 'POST' });
      await pool.waitFor(new RegExp(`block ${height} confirmed`), 180_000);
      txId = (await pool.waitFor(/payment \d+ sent: ([0-9a-f]{64})/, 180_000))[1]!;
      await fetch(`${devnetUrl}/devnet/competitor-block`, { method: 'POST' });
      const tx = await node(devnetUrl, `/wallet/transactionById?id=${txId}`);
      assert.ok((tx.numConfirmations ?? 0) >= 1, 'the payment is on the chain');
      const tree = parseAddress(address).ergoTree;
      assert.ok(
        tx.outputs?.some((o) => o.ergoTree === tree && o.value > 0n),
        'it pays the demo miner',
      );
      assert.ok(!pool.lines.some((l) => /cannot cover the payouts/.test(l)), pool.lines.join('\n'));
      heightAtStop = (await node(devnetUrl, '/info')).fullHeight!;
    } catch (err) {
      pool.child.kill('SIGKILL');
      throw err;
    }
    assert.equal(await pool.stop(), 0);
    assert.ok(pool.lines.includes('stopped cleanly'), pool.lines.join('\n'));

    // Ctrl-C and start again: the devnet's chain and wallet are where the database left them.
    const again = startDemo(dataDir, env);
    try {
      const restored = await again.waitFor(
        /devnet: a simulated Ergo network at (http:\/\/[\d.:]+), its chain and wallet restored from .*devnet\.json \(height (\d+)\)/,
        180_000,
      );
      assert.ok(Number(restored[2]) >= heightAtStop, `height ${restored[2]} after ${heightAtStop}`);
      const tx = await node(restored[1]!, `/wallet/transactionById?id=${txId}`);
      assert.ok((tx.numConfirmations ?? 0) >= 1, 'the payment is still on the chain after the restart');
      await again.waitFor(/miner connected: 9\w+\.demo/, 120_000);
    } catch (err) {
      again.child.kill('SIGKILL');
      throw err;
    }
    assert.equal(await again.stop(), 0);
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
