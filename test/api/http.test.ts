import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { Database } from '../../src/db/index.ts';
import { freshDatabase } from '../db/helpers.ts';
import { ALICE, BOB, type Served, seed, serve } from './fixture.ts';

/** Reads websocket messages as JSON until `count` arrived (bounded in time). */
function collect(url: string, count: number, onOpen: () => void): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const got: Record<string, unknown>[] = [];
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`got ${got.length} of ${count} messages: ${JSON.stringify(got)}`));
    }, 5000);
    ws.on('open', onOpen);
    ws.on('message', (data) => {
      got.push(JSON.parse(String(data)));
      if (got.length === count) {
        clearTimeout(timer);
        ws.close();
        resolve(got);
      }
    });
    ws.on('error', reject);
  });
}

/** Prometheus text format: HELP/TYPE comments and `name{labels} value` samples. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    samples.set(m[1]! + (m[2] ?? ''), Number(m[3]));
  }
  return samples;
}

describe('API over HTTP: caching, limits, docs, metrics, websockets, admin, website', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let db: Database;
  let s: Served;
  const web = mkdtempSync(join(tmpdir(), 'enigmapool-web-'));
  before(async () => {
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>EnigmaPool</title><div id="root"></div>');
    mkdirSync(join(web, 'assets'));
    writeFileSync(join(web, 'assets', 'app.1a2b3c.js'), 'console.log(1)');
    fresh = await freshDatabase('postgres', { migrated: true });
    db = fresh.db;
    await seed(db);
    s = await serve(db, { adminToken: 'a-long-admin-token-for-tests', webDir: web });
  });
  after(async () => {
    await s.close();
    await fresh.cleanup();
    rmSync(web, { recursive: true, force: true });
  });

  it('ETags give a 304 for an unchanged answer; big answers are compressed', async () => {
    const first = await s.get('/api/v1/stats');
    const etag = first.headers.get('etag');
    assert.ok(etag);
    const again = await fetch(`${s.api.url}/api/v1/stats`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const raw = await fetch(`${s.api.url}/api/v1/openapi.json`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(raw.headers.get('content-encoding'), 'gzip');
    // fetch decodes it; the body is the OpenAPI document
    assert.ok(((await raw.json()) as { openapi: string }).openapi.startsWith('3.'));
  });

  it('the OpenAPI document is generated from the route schemas, and the docs page is served', async () => {
    const doc = (await s.get('/api/v1/openapi.json')).body;
    for (const path of [
      '/api/v1/stats',
      '/api/v1/blocks',
      '/api/v1/miners/{address}',
      '/api/v1/payments/{txId}',
    ])
      assert.ok(doc.paths[path], `${path} documented`);
    assert.ok(!doc.paths['/api/pools'], 'miningcore routes are documented by their own spec, not here');
    const page = await fetch(`${s.api.url}/api/v1/docs/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /swagger/i);
  });

  it('/metrics is Prometheus text for allowed addresses', async () => {
    const r = await s.get('/metrics');
    assert.equal(r.status, 200);
    const samples = parsePrometheus(r.body);
    assert.equal(samples.get('enigmapool_test_gauge'), 0);
  });

  it('the website: files, and bookmarkable URLs fall back to index.html; API paths stay JSON', async () => {
    const page = await fetch(`${s.api.url}/miner/${ALICE}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="root">/);
    assert.equal(page.headers.get('cache-control'), 'no-cache', 'a bookmarked page is revalidated');
    const home = await fetch(`${s.api.url}/`);
    assert.equal(home.headers.get('cache-control'), 'no-cache');
    const asset = await fetch(`${s.api.url}/assets/app.1a2b3c.js`);
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    writeFileSync(join(web, 'config.js'), 'window.x = 1');
    const late = await fetch(`${s.api.url}/config.js`);
    assert.equal(late.status, 200, 'a file added after start is served');
    assert.equal(late.headers.get('cache-control'), 'no-cache');
    const api404 = await s.get('/api/v9/nothing');
    assert.equal(api404.status, 404);
    assert.equal(api404.body.error, 'not_found');
  });

  it('admin: only with the bearer token; the threshold must be at least the pool minimum', async () => {
    const url = `${s.api.url}/api/v1/admin/miners/${BOB}/settings`;
    const post = (body: unknown, token?: string) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    assert.equal((await post({ paymentThreshold: '5' })).status, 401);
    assert.equal((await post({ paymentThreshold: '5' }, 'wrong-token-wrong-token')).status, 401);
    const low = await post({ paymentThreshold: '0.5' }, 'a-long-admin-token-for-tests');
    assert.equal(low.status, 400);
    assert.equal(((await low.json()) as { field: string }).field, 'paymentThreshold');
    const ok = await post({ paymentThreshold: '5.25' }, 'a-long-admin-token-for-tests');
    assert.equal(ok.status, 200);
    const miner = await s.get(`/api/v1/miners/${BOB}`);
    assert.equal(miner.body.payoutThreshold, '5.25');
    assert.equal(miner.body.payoutThresholdSource, 'miner');
    assert.equal((await s.get(`/api/pools/ergo/miners/${BOB}/settings`)).body.paymentThreshold, 5.25);
  });

  it('admin: a payment in doubt is abandoned once (its amounts return to the balances); others are refused', async () => {
    const post = (id: string | number, body: unknown, token = 'a-long-admin-token-for-tests') =>
      fetch(`${s.api.url}/api/v1/admin/payments/${id}/abandon`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    const row = await db.query<{ id: bigint }>(
      `INSERT INTO payments (pool_id, status, created_at) VALUES ('ergo', 'in_flight', now()) RETURNING id`,
    );
    const id = Number(row.rows[0]!.id);
    assert.equal((await post(id, { reason: 'checked' }, 'wrong-token-wrong-token')).status, 401);
    assert.equal((await post(id, {})).status, 400, 'a reason is required');
    assert.equal((await post('x', { reason: 'checked' })).status, 400);
    assert.equal((await post(999_999, { reason: 'checked' })).status, 404);
    const theirs = await db.query<{ id: bigint }>(
      `INSERT INTO payments (pool_id, status, created_at) VALUES ('solo', 'in_flight', now()) RETURNING id`,
    );
    assert.equal(
      (await post(Number(theirs.rows[0]!.id), { reason: 'checked' })).status,
      404,
      'another pool’s payment is not this API’s to abandon',
    );
    const ok = await post(id, { reason: 'checked the explorer: never made' });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { id, status: 'failed', reason: 'checked the explorer: never made' });
    const again = await post(id, { reason: 'twice' });
    assert.equal(again.status, 409, 'a failed payment cannot be abandoned again');
    const planned = await db.query<{ id: bigint }>(
      `INSERT INTO payments (pool_id, status, created_at) VALUES ('ergo', 'planned', now()) RETURNING id`,
    );
    assert.equal(
      (await post(Number(planned.rows[0]!.id), { reason: 'x-planned' })).status,
      409,
      'planned: the next run settles it',
    );
    const busy = await db.query<{ id: bigint }>(
      `INSERT INTO payments (pool_id, status, created_at) VALUES ('ergo', 'in_flight', now()) RETURNING id`,
    );
    await db.query(
      `INSERT INTO leases (name, holder, token, expires_at) VALUES ('payouts', 'a-run', 1, now() + interval '1 minute')`,
    );
    const during = await post(Number(busy.rows[0]!.id), { reason: 'while a run holds the lease' });
    assert.equal(during.status, 409, 'not while a payout run may be sending it');
    await db.query(`DELETE FROM leases WHERE name = 'payouts'`);
    assert.equal((await post(Number(busy.rows[0]!.id), { reason: 'after the run' })).status, 200);
    const status = await db.query<{ status: string; last_error: string }>(
      'SELECT status, last_error FROM payments WHERE id = $1',
      [id],
    );
    assert.deepEqual(status.rows[0], {
      status: 'failed',
      last_error: 'abandoned by the operator: checked the explorer: never made',
    });
  });

  it('websockets: our events on /api/v1/ws, miningcore’s shapes on /notifications', async () => {
    const wsUrl = s.api.url.replace('http', 'ws');
    const event = {
      type: 'block.found' as const,
      data: { height: 1925100, miner: ALICE, worker: 'rig1', at: '' },
    };
    const [ours, theirs] = await Promise.all([
      collect(`${wsUrl}/api/v1/ws`, 2, () => setTimeout(() => s.bus.publish(event), 50)),
      collect(`${wsUrl}/notifications`, 2, () => setTimeout(() => s.bus.publish(event), 50)),
    ]);
    assert.deepEqual(ours[0], { type: 'hello', data: { pool: 'ergo', pools: ['ergo'] } });
    assert.deepEqual(ours[1], { ...event, pool: 'ergo' }, 'an event without a pool is the default pool’s');
    assert.equal(theirs[0]!.type, 'greeting');
    assert.deepEqual(theirs[1], {
      type: 'blockfound',
      poolId: 'ergo',
      symbol: 'ERG',
      name: 'Ergo',
      blockHeight: 1925100,
      miner: ALICE,
      minerExplorerLink: `https://explorer.example/a/${ALICE}`,
      source: 'rig1',
    });
  });

  it('health: ok while the figures are fresh', async () => {
    const r = await s.get('/api/v1/health');
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'ok');
    assert.equal(r.body.database, 'ok');
  });
});

describe('API rate limit', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let s: Served;
  before(async () => {
    fresh = await freshDatabase('pglite', { migrated: true });
    s = await serve(fresh.db, {
      rateLimit: { max: 30, allow: [] },
      metrics: { enabled: true, allow: ['127.0.0.1', '::1'] },
    });
  });
  after(async () => {
    await s.close();
    await fresh.cleanup();
  });

  it('flooding gets a 429 with a JSON body, metrics are not limited', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 40; i++) codes.push((await s.get('/api/health-check')).status);
    assert.equal(codes.filter((c) => c === 200).length, 30);
    assert.equal(codes.filter((c) => c === 429).length, 10);
    const limited = await s.get('/api/v1/stats');
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error, 'rate_limited');
    assert.ok(limited.headers.get('retry-after'));
    assert.equal((await s.get('/metrics')).status, 200);
  });
});

describe('API metrics allow-list', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let s: Served;
  before(async () => {
    fresh = await freshDatabase('pglite', { migrated: true });
    s = await serve(fresh.db, { metrics: { enabled: true, allow: ['10.1.2.3'] } });
  });
  after(async () => {
    await s.close();
    await fresh.cleanup();
  });

  it('/metrics is refused (403, JSON) to an address not on the list', async () => {
    const r = await s.get('/metrics');
    assert.equal(r.status, 403);
    assert.equal(r.body.error, 'forbidden');
  });
});

describe('API metrics on a port of their own', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let s: Served;
  before(async () => {
    fresh = await freshDatabase('pglite', { migrated: true });
    s = await serve(fresh.db, { metrics: { enabled: true, port: 0, allow: ['127.0.0.1', '::1'] } });
  });
  after(async () => {
    await s.close();
    await fresh.cleanup();
  });

  it('serves /metrics there, and not on the API port', async () => {
    assert.ok(s.api.metricsUrl && !s.api.metricsUrl.startsWith(s.api.url));
    const r = await fetch(s.api.metricsUrl);
    assert.equal(r.status, 200);
    assert.match(await r.text(), /enigmapool_test_gauge/);
    assert.equal((await s.get('/metrics')).status, 404);
  });
});
