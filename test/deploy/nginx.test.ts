// The NGINX recipe (deploy/nginx/enigmapool.conf.template) run for real with Debian's nginx in front of
// two `enigmapool api` processes on one PostgreSQL database and one Redis prefix: TLS, both instances
// used, cached answers served while one and then both instances are down, uncached ones failing over, a
// websocket event from the Redis bus arriving through NGINX, and the website served by NGINX itself.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pino from 'pino';
import WebSocket from 'ws';
import { RedisEventBus } from '../../src/api/index.ts';
import { createServerDatabase } from '../db/helpers.ts';
import { selfSignedCert } from '../helpers/tls-cert.ts';
import {
  BIN,
  type Child,
  freePort,
  httpsGet,
  nginxBinary,
  ROOT,
  renderTemplate,
  spawnLogged,
  stopNginx,
  until,
} from './nginx-helpers.ts';

const TEMPLATE = join(ROOT, 'deploy/nginx/enigmapool.conf.template');
const WEB_ROOT = join(ROOT, 'web/dist');
const REDIS = 'redis://127.0.0.1:6379';

describe('NGINX in front of two API instances', { timeout: 180_000 }, () => {
  const nginx = nginxBinary();
  const prefix = `enigmapool-test:${randomBytes(4).toString('hex')}:`;
  const dir = mkdtempSync(join(tmpdir(), 'enigmapool-nginx-'));
  const tls = selfSignedCert();
  let database: Awaited<ReturnType<typeof createServerDatabase>>;
  const apis: { child: Child; address: string }[] = [];
  let proxy: Child;
  let base = '';
  let httpPort = 0;
  const get = (path: string, headers: Record<string, string> = {}) =>
    httpsGet(`${base}${path}`, tls.cert, headers);

  async function startApi(): Promise<{ child: Child; address: string }> {
    const child = spawnLogged(
      process.execPath,
      [BIN, 'api', '--database', database.url, '--redis', REDIS, '--api-port', '0'],
      {
        ...process.env,
        ENIGMAPOOL_API__HOST: '127.0.0.1',
        ENIGMAPOOL_API__TRUSTPROXY: '[127.0.0.1]',
        ENIGMAPOOL_REDIS__PREFIX: prefix,
        ENIGMAPOOL_LOG__FORMAT: 'json',
      },
    );
    const address = await until(`an API address in:\n${child.log()}`, 60_000, () => {
      if (child.process.exitCode !== null) throw new Error(`api exited:\n${child.log()}`);
      return /api: http:\/\/([0-9.]+:\d+)\/api\/v1\/stats/.exec(child.log())?.[1];
    });
    return { child, address };
  }

  before(async () => {
    database = await createServerDatabase();
    apis.push(await startApi(), await startApi());

    chmodSync(dir, 0o755); // nginx's workers run as another user when the test runs as root
    writeFileSync(join(dir, 'cert.pem'), tls.cert);
    writeFileSync(join(dir, 'key.pem'), tls.key);
    mkdirSync(join(dir, 'tmp'));
    const httpsPort = await freePort();
    httpPort = await freePort();
    writeFileSync(
      join(dir, 'enigmapool.conf'),
      renderTemplate(TEMPLATE, {
        POOL_CACHE_DIR: join(dir, 'cache'),
        POOL_API_1: apis[0]!.address,
        POOL_API_2: apis[1]!.address,
        POOL_HTTP_LISTEN: `127.0.0.1:${httpPort}`,
        POOL_HTTPS_LISTEN: `127.0.0.1:${httpsPort}`,
        POOL_SERVER_NAME: 'localhost',
        POOL_TLS_CERT: join(dir, 'cert.pem'),
        POOL_TLS_KEY: join(dir, 'key.pem'),
        POOL_WEB_ROOT: WEB_ROOT,
      }),
    );
    // The main context an operator's distribution provides; the recipe is the included file.
    writeFileSync(
      join(dir, 'nginx.conf'),
      `worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr notice;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  include ${dir}/enigmapool.conf;
}
`,
    );
    proxy = spawnLogged(
      nginx,
      ['-p', dir, '-e', 'stderr', '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
      process.env,
    );
    base = `https://127.0.0.1:${httpsPort}`;
    await until(`nginx answering; its log:\n${proxy.log()}`, 15_000, async () => {
      if (proxy.process.exitCode !== null) throw new Error(`nginx exited:\n${proxy.log()}`);
      return get('/api/health-check').then(
        (a) => (a.status === 200 ? a : undefined),
        () => undefined,
      );
    });
  });

  after(async () => {
    // nginx's master stops its workers on SIGTERM; killed outright, it would leave them running (and
    // holding this process's pipes).
    if (proxy) await stopNginx(proxy);
    for (const { child } of apis) {
      if (child.process.exitCode === null && child.process.signalCode === null) {
        child.process.kill('SIGKILL');
        await child.exited;
      }
    }
    rmSync(dir, { recursive: true, force: true });
    const redis = new Redis(REDIS, { maxRetriesPerRequest: 1 });
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await database?.drop();
  });

  it('terminates TLS and spreads uncached requests over both instances', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const answer = await get('/api/health-check');
      assert.equal(answer.status, 200);
      seen.add(String(answer.headers['x-upstream']));
    }
    assert.deepEqual([...seen].sort(), apis.map((a) => a.address).sort());
  });

  it('caches what the API marks cacheable, and only that', async () => {
    const first = await get('/api/v1/stats');
    assert.equal(first.status, 200);
    assert.equal(first.headers['cache-control'], 'public, max-age=10', 'the API’s header passes unchanged');
    assert.equal(first.headers['x-cache-status'], 'MISS');
    const second = await get('/api/v1/stats');
    assert.equal(second.headers['x-cache-status'], 'HIT');
    assert.equal(second.body, first.body);
    assert.equal((await get('/api/v1/blocks')).headers['x-cache-status'], 'MISS');
    assert.equal((await get('/api/v1/blocks')).headers['x-cache-status'], 'HIT');
    // no-store answers go to an instance every time.
    const health = await get('/api/health-check');
    assert.equal(health.headers['cache-control'], 'no-store');
    assert.equal((await get('/api/health-check')).headers['x-cache-status'], 'MISS');
  });

  it('passes websockets through: an event on the Redis bus reaches clients of both instances', async () => {
    const clients = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<{
            socket: WebSocket;
            upstream: string;
            messages: { type: string; data: Record<string, unknown> }[];
          }>((resolve, reject) => {
            // servername reaches tls.connect (the certificate is for localhost); ws's types omit it.
            const options = { ca: tls.cert, servername: 'localhost' } as WebSocket.ClientOptions;
            const socket = new WebSocket(`${base.replace('https', 'wss')}/api/v1/ws`, options);
            const messages: { type: string; data: Record<string, unknown> }[] = [];
            socket.on('message', (m) => messages.push(JSON.parse(String(m))));
            let upstream = '';
            socket.on('upgrade', (res) => {
              upstream = String(res.headers['x-upstream']);
            });
            socket.once('open', () => resolve({ socket, upstream, messages }));
            socket.once('error', reject);
          }),
      ),
    );
    const upstreams = clients.map((c) => c.upstream).sort();
    assert.deepEqual(upstreams, apis.map((a) => a.address).sort(), 'one websocket on each instance');

    const pub = new Redis(REDIS, { maxRetriesPerRequest: 1 });
    const sub = new Redis(REDIS, { maxRetriesPerRequest: 1 });
    const bus = new RedisEventBus(pub, sub, `${prefix}events`, 'nginx-test', pino({ level: 'silent' }));
    try {
      await bus.ready;
      const event = {
        type: 'block.found' as const,
        data: { height: 1_234_567, miner: '9fTest', worker: 'rig1', at: new Date().toISOString() },
      };
      const found = (c: (typeof clients)[number]) =>
        c.messages.find((m) => m.type === 'block.found' && m.data.height === event.data.height);
      // Published until both have it: an instance's subscription may still be on its way when it answers.
      await until('block.found on both websockets', 10_000, async () => {
        if (clients.every(found)) return true;
        bus.publish(event);
        await new Promise((r) => setTimeout(r, 200));
        return undefined;
      });
      for (const c of clients) {
        assert.equal(c.messages[0]?.type, 'hello');
        assert.deepEqual(found(c)?.data, event.data);
      }
    } finally {
      for (const c of clients) c.socket.terminate();
      await bus.close();
      pub.disconnect();
      sub.disconnect();
    }
  });

  it('with one instance killed: cached answers still served, uncached ones fail over to the other', async () => {
    await get('/api/v1/pool'); // cached from here on
    const [dead, live] = apis as [(typeof apis)[number], (typeof apis)[number]];
    dead.child.process.kill('SIGKILL');
    await dead.child.exited;
    for (let i = 0; i < 6; i++) {
      const health = await get('/api/health-check');
      assert.equal(health.status, 200, `uncached request ${i} failed over`);
      assert.match(String(health.headers['x-upstream']), new RegExp(`${live.address}$`));
      for (const path of ['/api/v1/stats', '/api/v1/pool']) {
        assert.equal((await get(path)).status, 200, path);
      }
    }
  });

  it('with both instances killed: cached answers still served, past their max-age too', async () => {
    const live = apis[1]!;
    live.child.process.kill('SIGKILL');
    await live.child.exited;
    assert.equal((await get('/api/health-check')).status, 502, 'nothing cached to serve');
    const blocks = await get('/api/v1/blocks');
    assert.equal(blocks.status, 200);
    assert.match(blocks.headers['x-cache-status'] as string, /^(HIT|STALE)$/);
    // /api/v1/stats is kept 10 s: once that is over, the stale copy is served rather than an error.
    const stale = await until('a stale /api/v1/stats', 20_000, async () => {
      const stats = await get('/api/v1/stats');
      assert.equal(stats.status, 200);
      return stats.headers['x-cache-status'] === 'STALE' ? stats : undefined;
    });
    assert.equal(JSON.parse(stale.body).updatedAt, null);
  });

  it('serves the website itself: index.html revalidated, hashed assets for a year, pre-compressed', async () => {
    // Both instances are down here: these come from NGINX alone.
    for (const path of ['/', '/miner/9fTest', '/blocks']) {
      const page = await get(path);
      assert.equal(page.status, 200, path);
      assert.match(page.body, /<div id="root">|<!doctype html>/i);
      assert.equal(page.headers['cache-control'], 'no-cache', path);
      assert.equal(page.headers['x-upstream'], undefined, `${path} does not go to an instance`);
    }
    const script = readdirSync(join(WEB_ROOT, 'assets')).find((n) => n.endsWith('.js'));
    assert.ok(script, 'the website is built (npm ci)');
    const asset = await get(`/assets/${script}`, { 'accept-encoding': 'gzip' });
    assert.equal(asset.status, 200);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(asset.headers['content-encoding'], 'gzip', 'the .gz copy the build wrote');
    assert.match(String(asset.headers['content-type']), /javascript/);
    assert.equal((await get('/assets/missing.js')).status, 404);
    assert.equal((await get('/metrics')).status, 404, 'metrics are not public');
  });

  it('redirects plain HTTP to HTTPS', async () => {
    const res = await fetch(`http://127.0.0.1:${httpPort}/blocks?page=2`, { redirect: 'manual' });
    assert.equal(res.status, 301);
    assert.match(res.headers.get('location') ?? '', /^https:\/\/127\.0\.0\.1\/blocks\?page=2$/);
  });
});
