import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.ts';

const BIN = fileURLToPath(new URL('../../bin/enigmapool', import.meta.url));

/** `node bin/enigmapool …` to its exit (spawn, so the test's own servers keep answering meanwhile). */
function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ENIGMAPOOL_LOG__FORMAT: 'json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function occupyPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

/** A one-line error, exit 2, and nothing written to the data dir (the database was never opened). */
function assertRefusedEarly(r: { status: number | null; stderr: string }, dataDir: string, line: RegExp) {
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.match(lines[0]!, line);
  assert.equal(existsSync(dataDir), false, 'the data dir (and the database in it) was never created');
}

describe('start: ports are checked before anything is opened (issue 11.21)', () => {
  const quiet = ['--devnet', '--devnet-port', '0', '--api-port', '0', '--no-demo-miner'];

  it('--stratum-port 70000 is one line naming the option', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'enigmapool-edges-')), 'data');
    const r = await run(['start', ...quiet, '--stratum-port', '70000', '--data-dir', dataDir]);
    assertRefusedEarly(
      r,
      dataDir,
      /^enigmapool: --stratum-port must be a port number from 0 to 65535, got "70000"$/,
    );
  });

  it('a stratum port in use is one line naming the option and the port', async () => {
    const { server, port } = await occupyPort();
    try {
      const dataDir = join(mkdtempSync(join(tmpdir(), 'enigmapool-edges-')), 'data');
      const r = await run(['start', ...quiet, '--stratum-port', String(port), '--data-dir', dataDir]);
      assertRefusedEarly(
        r,
        dataDir,
        new RegExp(`^enigmapool: --stratum-port: 0\\.0\\.0\\.0:${port} is already in use`),
      );
    } finally {
      server.close();
    }
  });

  it('with pools, a port in use names its pool key; --stratum-port sets the default pool’s first port', async () => {
    const { server, port } = await occupyPort();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'enigmapool-edges-'));
      const dataDir = join(dir, 'data');
      const file = join(dir, 'pools.json');
      writeFileSync(
        file,
        JSON.stringify({
          pools: [
            { id: 'pplns', ports: [{ port: 0, host: '127.0.0.1' }] },
            { id: 'solo', ports: [{ port, host: '127.0.0.1' }] },
          ],
        }),
      );
      const inUse = await run(['start', ...quiet, '--config', file, '--data-dir', dataDir]);
      assertRefusedEarly(
        inUse,
        dataDir,
        new RegExp(`^enigmapool: pools\\.1\\.ports\\.0\\.port: 127\\.0\\.0\\.1:${port} is already in use`),
      );
      const flag = await run([
        'start',
        ...quiet,
        '--config',
        file,
        '--stratum-port',
        String(port),
        '--data-dir',
        dataDir,
      ]);
      assertRefusedEarly(
        flag,
        dataDir,
        new RegExp(`^enigmapool: --stratum-port: 127\\.0\\.0\\.1:${port} is already in use`),
      );
    } finally {
      server.close();
    }
  });

  it('an API port in use from the environment names its config key', async () => {
    const { server, port } = await occupyPort();
    try {
      const dataDir = join(mkdtempSync(join(tmpdir(), 'enigmapool-edges-')), 'data');
      const r = await run(
        [
          'start',
          '--devnet',
          '--devnet-port',
          '0',
          '--stratum-port',
          '0',
          '--no-demo-miner',
          '--data-dir',
          dataDir,
        ],
        { ENIGMAPOOL_API__PORT: String(port) },
      );
      assertRefusedEarly(
        r,
        dataDir,
        new RegExp(`^enigmapool: api\\.port: 127\\.0\\.0\\.1:${port} is already in use`),
      );
    } finally {
      server.close();
    }
  });
});

describe('COMMAND --help prints its usage (issue 11.21)', () => {
  for (const command of ['start', 'miner']) {
    it(`node bin/enigmapool ${command} --help`, async () => {
      const r = await run([command, '--help']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`enigmapool ${command} `));
      assert.doesNotMatch(r.stderr, /Unknown option/);
    });
  }

  for (const command of ['start', 'api', 'config', 'migrate', 'pow', 'miner', 'loadgen', 'devnet'])
    for (const flag of ['--help', '-h'])
      it(`${command} ${flag}, also after other options`, async () => {
        const out: string[] = [];
        assert.equal(await main([command, '--config', 'x.yaml', flag], (l) => out.push(l)), 0);
        assert.match(out.join('\n'), new RegExp(`^Usage:\\n  enigmapool ${command} `));
      });
});
