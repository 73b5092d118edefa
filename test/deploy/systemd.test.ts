// The systemd units (deploy/systemd) checked by systemd itself (`systemd-analyze verify` in a throwaway
// root holding the distribution's units, ours and a stand-in for /opt/enigmapool/bin/enigmapool) and their
// command lines and environment by the CLI's own flags and config loader.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { effectiveConfig, words } from './cli-check.ts';
import { ROOT } from './nginx-helpers.ts';

const UNITS = join(ROOT, 'deploy/systemd');
const FILES = ['enigmapool-stratum@.service', 'enigmapool-accounting.service', 'enigmapool-api@.service'];
const INSTANCES = [
  'enigmapool-stratum@1.service',
  'enigmapool-stratum@2.service',
  'enigmapool-accounting.service',
  'enigmapool-api@8081.service',
];
const EXEC = '/opt/enigmapool/bin/enigmapool';

/** KEY=VALUE lines of an EnvironmentFile (ours has no quoting). */
function envFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

/** Every value of `key` in a unit file. */
function values(text: string, key: string): string[] {
  return [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!);
}

describe('systemd units', () => {
  const root = mkdtempSync(join(tmpdir(), 'enigmapool-systemd-'));
  const analyze = (...args: string[]) =>
    spawnSync('systemd-analyze', [...args, `--root=${root}`], { encoding: 'utf8' });

  before(() => {
    assert.equal(
      spawnSync('systemd-analyze', ['--version']).status,
      0,
      'systemd-analyze is installed (.ci/run)',
    );
    const system = ['/usr/lib/systemd/system', '/lib/systemd/system'].find((d) =>
      existsSync(join(d, 'sysinit.target')),
    );
    assert.ok(system, 'the distribution’s systemd units');
    cpSync(system, join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
    mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
    for (const f of FILES) cpSync(join(UNITS, f), join(root, 'etc/systemd/system', f));
    mkdirSync(join(root, 'opt/enigmapool/bin'), { recursive: true });
    writeFileSync(join(root, EXEC), '#!/bin/sh\n');
    chmodSync(join(root, EXEC), 0o755);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('pass `systemd-analyze verify` with no warning at all', () => {
    for (const unit of INSTANCES) {
      const r = analyze('verify', unit);
      assert.equal(r.status, 0, `${unit}: ${r.stderr}`);
      assert.equal(`${r.stdout}${r.stderr}`.trim(), '', `${unit} has no warnings`);
    }
  });

  it('would be caught by it: a misspelt key warns, a missing executable fails', () => {
    const unit = join(root, 'etc/systemd/system/enigmapool-accounting.service');
    const good = readFileSync(unit, 'utf8');
    writeFileSync(unit, good.replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes'));
    assert.match(analyze('verify', 'enigmapool-accounting.service').stderr, /Unknown key 'NoNewPrivilege'/);
    writeFileSync(unit, good);
    rmSync(join(root, EXEC));
    const missing = analyze('verify', 'enigmapool-accounting.service');
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /is not executable/);
    writeFileSync(join(root, EXEC), '#!/bin/sh\n');
    chmodSync(join(root, EXEC), 0o755);
  });

  it('run as the enigmapool user, sandboxed, restarted on failure, with the shared environment file', () => {
    for (const f of FILES) {
      const text = readFileSync(join(UNITS, f), 'utf8');
      const want: Record<string, string> = {
        User: 'enigmapool',
        Group: 'enigmapool',
        Restart: 'on-failure',
        NoNewPrivileges: 'yes',
        ProtectSystem: 'strict',
        ReadWritePaths: '/var/lib/enigmapool',
        LimitNOFILE: '65536',
      };
      for (const [key, value] of Object.entries(want))
        assert.deepEqual(values(text, key), [value], `${f} ${key}`);
      assert.equal(values(text, 'EnvironmentFile')[0], '/etc/enigmapool/env', f);
      // systemd's own score for the sandbox: 0 (locked down) … 10 (unprotected).
      const unit = INSTANCES.find((u) => u.startsWith(f.replace('@.service', '@')) || u === f)!;
      const security = analyze('security', '--offline=yes', unit);
      const score = Number(/exposure level for \S+: ([\d.]+)/.exec(security.stdout)?.[1]);
      assert.ok(score <= 2, `${unit}: exposure ${score} (systemd-analyze security)`);
    }
  });

  it('start the roles with flags and environment names the CLI accepts', () => {
    const env = envFile(join(UNITS, 'env.example'));
    const seen: string[] = [];
    for (const unit of INSTANCES) {
      const file = unit.replace(/@[^.]+\./, '@.');
      const instance = /@([^.]+)\./.exec(unit)?.[1] ?? '';
      const [exec, ...argv] = words(
        values(readFileSync(join(UNITS, file), 'utf8'), 'ExecStart')[0]!.replaceAll('%i', instance),
      );
      assert.equal(exec, EXEC);
      const config = effectiveConfig(argv, env, {
        '/etc/enigmapool/pool.yaml': join(ROOT, 'deploy/pool.example.yaml'),
      });
      seen.push(`${unit}: ${config.role} ${config.instance.id} ${config.dataDir} ${config.api.port}`);
    }
    assert.deepEqual(seen, [
      'enigmapool-stratum@1.service: stratum 1 /var/lib/enigmapool/stratum-1 8080',
      'enigmapool-stratum@2.service: stratum 2 /var/lib/enigmapool/stratum-2 8080',
      'enigmapool-accounting.service: accounting 0 /var/lib/enigmapool/accounting 8080',
      'enigmapool-api@8081.service: api 0 ./data 8081',
    ]);
    assert.throws(() => effectiveConfig(['start', '--rol', 'stratum'], env), /Unknown option/);
    assert.throws(() => effectiveConfig(['api'], { ...env, ENIGMAPOOL_API__PROT: '1' }), /unknown key/);
  });
});
