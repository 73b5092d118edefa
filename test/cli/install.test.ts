/**
 * The production install, for real: the project's files (as a clone has them) copied to a temporary directory,
 * `npm ci --omit=dev` there (offline: the npm cache holds every package after the first `npm ci`), then the
 * CLI run as an operator would, on plain node from the compiled dist/, with no devDependency installed.
 */
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadMigrations } from '../../src/db/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INSTALL_TIMEOUT = 300_000;

/** The environment without npm's lifecycle variables (this may run under `npm test`) or pool overrides. */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(npm_|ENIGMAPOOL_)/i.test(k)),
) as NodeJS.ProcessEnv;

function run(cwd: string, command: string, args: string[], timeout = 60_000): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout });
}

const show = (r: SpawnSyncReturns<string>) =>
  `exit ${r.status} ${r.signal ?? ''}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`;

describe('production install (npm ci --omit=dev)', { timeout: INSTALL_TIMEOUT + 120_000 }, () => {
  let dir: string;
  let app: string;
  const cli = (...args: string[]) => run(app, process.execPath, ['bin/enigmapool', ...args]);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'enigmapool-install-'));
    app = join(dir, 'app');
    const files = run(ROOT, 'git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
    assert.equal(files.status, 0, show(files));
    for (const file of files.stdout.split('\0').filter(Boolean)) {
      if (!existsSync(join(ROOT, file))) continue; // deleted in the work tree, not yet committed
      mkdirSync(dirname(join(app, file)), { recursive: true });
      cpSync(join(ROOT, file), join(app, file));
    }
    let install = run(
      app,
      'npm',
      ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'],
      INSTALL_TIMEOUT,
    );
    if (install.status !== 0)
      install = run(
        app,
        'npm',
        ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'],
        INSTALL_TIMEOUT,
      );
    assert.equal(install.status, 0, show(install));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('installs no devDependency, and compiles src/ into dist/ with its runtime files', () => {
    for (const dev of ['tsx', 'vite', '@biomejs/biome'])
      assert.ok(!existsSync(join(app, 'node_modules', dev)), `${dev} is a devDependency`);
    assert.ok(existsSync(join(app, 'dist/cli/index.js')));
    assert.ok(existsSync(join(app, 'dist/autolykos/verifier-worker-entry.mjs')));
    assert.ok(existsSync(join(app, 'dist/miner/hash-worker-entry.mjs')));
    for (const m of loadMigrations()) assert.ok(existsSync(join(app, 'dist/db/migrations', `${m.name}.sql`)));
  });

  it('--help and a usage error on plain node', () => {
    const help = cli('--help');
    assert.equal(help.status, 0, show(help));
    assert.match(help.stdout, /^EnigmaPool — an Ergo mining pool\n\nUsage: enigmapool <command>/);
    const bad = cli('no-such-command');
    assert.equal(bad.status, 2, show(bad));
    assert.equal(bad.stderr.trim(), 'enigmapool: unknown command "no-such-command" (try: enigmapool help)');
  });

  it('help loads none of the pool’s packages (each command is imported when it runs)', () => {
    const probe = run(app, process.execPath, [
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module';
       const { main } = await import('./dist/cli/index.js');
       await main(['--help'], () => {});
       console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`,
    ]);
    assert.equal(probe.status, 0, show(probe));
    assert.deepEqual(JSON.parse(probe.stdout), []);
  });

  it('migrate creates a PGlite database; config prints; pow checks shares in worker threads', () => {
    const migrate = cli('migrate', '--data-dir', join(dir, 'data'));
    assert.equal(migrate.status, 0, show(migrate));
    const latest = loadMigrations().at(-1)!;
    assert.match(migrate.stdout, new RegExp(`applied ${latest.name}\\n`));
    assert.match(migrate.stdout, /database at version \d+ \(PGlite in .*\/data\/db\)/);
    const config = cli('config', '--print');
    assert.equal(config.status, 0, show(config));
    assert.match(config.stdout, /^network: mainnet$/m);
    // The verifier's worker threads start from dist/ and load the native addon from build/Release.
    const bench = cli('pow', '--bench', '--seconds', '1', '--workers', '1');
    assert.equal(bench.status, 0, show(bench));
    assert.ok(JSON.parse(bench.stdout.trim().split('\n').at(-1)!).checks > 0, bench.stdout);
  });

  it('a src/ newer than dist/ is refused with the fix, and `npm run build` makes it current', () => {
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(app, 'dist/.built'), hourAgo, hourAgo); // as if src/ had been edited since the install
    const stale = cli('--help');
    assert.equal(stale.status, 1, show(stale));
    assert.equal(
      stale.stderr.trim(),
      'enigmapool: dist/ is older than src/ and tsx is not installed: run `npm run build`',
    );
    const build = run(app, 'npm', ['run', 'build'], 120_000);
    assert.equal(build.status, 0, show(build));
    const help = cli('--help');
    assert.equal(help.status, 0, show(help));
  });
});
