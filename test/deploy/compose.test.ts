// docker-compose.yml and the Dockerfile, checked where no Docker engine runs: every pool container's
// command line and environment through the CLI's own flags and config loader, the proxies' addresses
// against what the pool trusts, every placeholder of the NGINX and HAProxy recipes filled, every file
// they mount or copy present; and the image's HEALTHCHECK script run against a real API process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { PoolConfig } from '../../src/config/index.ts';
import { createServerDatabase } from '../db/helpers.ts';
import { effectiveConfig } from './cli-check.ts';
import { BIN, type Child, freePort, ROOT, renderTemplate, spawnLogged, until } from './nginx-helpers.ts';

interface Service {
  image?: string;
  build?: { context: string; target: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  networks?: string[] | Record<string, { ipv4_address?: string }>;
}

/** Compose's ${VAR:-default} with nothing set: the defaults. */
const interpolate = (text: string) => text.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

const compose = parse(interpolate(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')), {
  merge: true,
}) as {
  services: Record<string, Service>;
};
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const HEALTHCHECK = join(ROOT, 'deploy/docker/healthcheck.mjs');

/** The runtime stage's ENIGMAPOOL_* ENV, which every pool container starts with. */
function imageEnv(): Record<string, string> {
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const block = /\nENV ((?:.*\\\n)*.*)/.exec(runtime)?.[1] ?? '';
  return Object.fromEntries([...block.matchAll(/(ENIGMAPOOL_[A-Z0-9_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
}

const address = (s: Service) => (Array.isArray(s.networks) ? undefined : s.networks?.pool?.ipv4_address);

describe('docker-compose.yml and the Dockerfile', () => {
  const services = compose.services;
  const pool = Object.entries(services).filter(([, s]) => s.build?.target === 'runtime');
  const configs = new Map<string, PoolConfig>();

  it('has the whole cluster', () => {
    for (const name of [
      'postgres',
      'redis',
      'haproxy',
      'nginx',
      'stratum-1',
      'stratum-2',
      'accounting',
      'api-1',
      'api-2',
    ])
      assert.ok(services[name], name);
  });

  it('starts every pool container with flags and ENIGMAPOOL_* names the CLI accepts', () => {
    for (const [name, s] of pool) {
      const env = { ...imageEnv(), ...s.environment };
      const config = effectiveConfig(s.command ?? ['start'], env, {
        '/etc/enigmapool/pool.yaml': join(ROOT, 'deploy/pool.example.yaml'),
      });
      configs.set(name, config);
      assert.equal(config.database.url, 'postgres://pool:change-me@postgres:5432/pool', name);
      assert.equal(config.redis.url, 'redis://redis:6379', name);
      assert.equal(config.dataDir, '/var/lib/enigmapool', name);
      assert.equal(config.api.host, '0.0.0.0', `${name}: reachable from the other containers`);
    }
    const roles = [...configs].map(([name, c]) => `${name}: ${c.role} ${c.instance.id}/${c.instance.bits}`);
    assert.deepEqual(roles.sort(), [
      'accounting: accounting 0/4',
      'api-1: api 0/4',
      'api-2: api 0/4',
      'stratum-1: stratum 1/4',
      'stratum-2: stratum 2/4',
    ]);
    assert.throws(() => effectiveConfig(['start', '--role', 'stratm'], {}), /role/);
  });

  it('trusts exactly its proxies: X-Forwarded-For from NGINX, PROXY headers from HAProxy', () => {
    const nginx = address(services.nginx!);
    const haproxy = address(services.haproxy!);
    assert.ok(nginx && haproxy);
    for (const name of ['api-1', 'api-2']) assert.deepEqual(configs.get(name)?.api.trustProxy, [nginx], name);
    for (const name of ['stratum-1', 'stratum-2'])
      assert.deepEqual(configs.get(name)?.stratum.proxyAddresses, [haproxy], name);
  });

  it('fills every placeholder of the NGINX and HAProxy recipes, pointing at the right ports', () => {
    const nginxEnv = services.nginx!.environment!;
    const template = join(ROOT, 'deploy/nginx/enigmapool.conf.template');
    const pool = Object.fromEntries(Object.entries(nginxEnv).filter(([k]) => k.startsWith('POOL_')));
    const rendered = renderTemplate(template, pool);
    const used = new Set(
      [...readFileSync(template, 'utf8').matchAll(/\$\{(POOL_[A-Z0-9_]+)\}/g)].map((m) => m[1]),
    );
    assert.deepEqual(Object.keys(pool).sort(), [...used].sort(), 'no unused POOL_* variable');
    for (const name of ['api-1', 'api-2'])
      assert.match(rendered, new RegExp(`server ${name}:${configs.get(name)?.api.port} `));
    assert.ok(new RegExp(nginxEnv.NGINX_ENVSUBST_FILTER!).test('POOL_API_1'));

    const haproxyEnv = services.haproxy!.environment!;
    const cfg = readFileSync(join(ROOT, 'deploy/haproxy/haproxy.cfg'), 'utf8').replace(/^\s*#.*$/gm, '');
    const wanted = new Set([...cfg.matchAll(/"\$\{([A-Z0-9_]+)\}"/g)].map((m) => m[1]!));
    assert.deepEqual(Object.keys(haproxyEnv).sort(), [...wanted].sort());
    for (const name of ['stratum-1', 'stratum-2']) {
      const port = configs.get(name)!.stratum.ports[0]!.port;
      assert.ok(Object.values(haproxyEnv).includes(`${name}:${port}`), `HAProxy reaches ${name} on ${port}`);
    }
  });

  it('mounts and copies only files that exist, builds stages that exist', () => {
    for (const s of Object.values(services))
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (source.startsWith('./')) assert.ok(existsSync(join(ROOT, source)), source);
      }
    const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)/gm)].map((m) => m[1]);
    assert.equal(stages.at(-1), 'runtime', 'the default target is the pool');
    for (const s of Object.values(services))
      if (s.build) assert.ok(stages.includes(s.build.target), s.build.target);
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm))
      for (const source of m[1]!.split(/\s+/)) assert.ok(existsSync(join(ROOT, source)), `COPY ${source}`);
    assert.match(dockerfile, /^USER enigmapool$/m);
    assert.match(dockerfile, /^HEALTHCHECK .*\n?.*healthcheck\.mjs/m);
    assert.match(dockerfile, /^ENTRYPOINT \["\/opt\/enigmapool\/bin\/enigmapool"\]$/m);
    for (const [name, s] of pool)
      if (s.healthcheck) assert.equal(s.healthcheck.test.at(-1), 'metrics', name);
      else assert.equal(configs.get(name)?.role, 'api', `${name} uses the image's API healthcheck`);
    for (const name of ['stratum-1', 'stratum-2', 'accounting'])
      assert.equal(configs.get(name)?.api.metrics.port, 9100, `${name} serves /metrics for its healthcheck`);
  });
});

describe('the image healthcheck (deploy/docker/healthcheck.mjs) against a real API', {
  timeout: 90_000,
}, () => {
  let database: Awaited<ReturnType<typeof createServerDatabase>>;
  let api: Child;
  let port = '';
  const check = (env: Record<string, string>) =>
    spawnSync(process.execPath, [HEALTHCHECK], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });

  before(async () => {
    database = await createServerDatabase();
    api = spawnLogged(process.execPath, [BIN, 'api', '--database', database.url, '--api-port', '0'], {
      ...process.env,
      ENIGMAPOOL_API__HOST: '127.0.0.1',
      ENIGMAPOOL_LOG__FORMAT: 'json',
    });
    port = await until('the API', 60_000, () => {
      if (api.process.exitCode !== null) throw new Error(api.log());
      return /api: http:\/\/127\.0\.0\.1:(\d+)\//.exec(api.log())?.[1];
    });
  });
  after(async () => {
    if (api?.process.exitCode === null) {
      api.process.kill('SIGKILL');
      await api.exited;
    }
    await database?.drop();
  });

  it('passes while the API answers with its database up (stats not computed yet), fails once it is gone', async () => {
    const health = await (await fetch(`http://127.0.0.1:${port}/api/v1/health`)).json();
    assert.equal(health.status, 'degraded', 'no stats job in this test: the API says 503');
    const up = check({ ENIGMAPOOL_API__PORT: port });
    assert.equal(up.status, 0, up.stderr);
    api.process.kill('SIGKILL');
    await api.exited;
    const down = check({ ENIGMAPOOL_API__PORT: port });
    assert.equal(down.status, 1);
    assert.match(down.stderr, /fetch failed/);
  });

  it('`metrics` mode: passes while a role without the API serves /metrics, fails once it is gone', async () => {
    const metricsPort = String(await freePort());
    // An accounting instance whose Ergo node is unreachable still runs (and says so).
    const accounting = spawnLogged(
      process.execPath,
      [BIN, 'start', '--role', 'accounting', '--database', database.url],
      {
        ...process.env,
        ENIGMAPOOL_NODES__0__NAME: 'nowhere',
        ENIGMAPOOL_NODES__0__URL: 'http://127.0.0.1:9',
        ENIGMAPOOL_API__METRICS__PORT: metricsPort,
        ENIGMAPOOL_API__HOST: '127.0.0.1',
        ENIGMAPOOL_LOG__FORMAT: 'json',
      },
    );
    try {
      await until('the metrics line', 60_000, () => {
        if (accounting.process.exitCode !== null) throw new Error(accounting.log());
        return accounting.log().includes(`metrics: http://127.0.0.1:${metricsPort}/metrics`) || undefined;
      });
      const up = spawnSync(process.execPath, [HEALTHCHECK, 'metrics'], {
        env: { ...process.env, ENIGMAPOOL_API__METRICS__PORT: metricsPort },
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.equal(up.status, 0, up.stderr);
    } finally {
      accounting.process.kill('SIGKILL');
      await accounting.exited;
    }
    const down = spawnSync(process.execPath, [HEALTHCHECK, 'metrics'], {
      env: { ...process.env, ENIGMAPOOL_API__METRICS__PORT: metricsPort },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(down.status, 1);
  });
});
