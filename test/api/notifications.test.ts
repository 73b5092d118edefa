import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import { EventNotifier, LocalEventBus, type PoolEvent, WebhookSender } from '../../src/api/index.ts';
import type { Database } from '../../src/db/index.ts';
import { freshDatabase } from '../db/helpers.ts';
import { WebhookReceiver as Receiver } from '../helpers/webhook-receiver.ts';
import { ALICE, DESCRIPTION, NEIGHBOUR, SOLO, seed } from './fixture.ts';

const until = async (check: () => boolean, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const logger = pino({ level: 'silent' });
const found: PoolEvent = { type: 'block.found', data: { height: 7, miner: ALICE, worker: 'rig1' } };

describe('webhooks', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await new Receiver().start();
  });
  after(() => receiver.close());
  beforeEach(() => {
    receiver.bodies.length = 0;
    receiver.statuses = [];
  });

  it('json, Discord, Slack and Telegram bodies, with the configured headers', async () => {
    const sender = new WebhookSender({
      targets: [
        { url: `${receiver.url}/json`, format: 'json', headers: { 'x-token': 'secret' } },
        { url: `${receiver.url}/discord`, format: 'discord', headers: {} },
        { url: `${receiver.url}/slack`, format: 'slack', headers: {} },
        { url: `${receiver.url}/bot123:abc/sendMessage`, format: 'telegram', chatId: '-1001', headers: {} },
      ],
      poolName: 'Test Pool',
      logger,
    });
    sender.send(found, 'block 7 found');
    await until(() => receiver.bodies.length === 4, 'four deliveries');
    const by = Object.fromEntries(receiver.bodies.map((b) => [b.path.split('/')[1], b]));
    assert.deepEqual((by.json!.body as { event: string; data: unknown }).event, 'block.found');
    assert.deepEqual((by.json!.body as { data: unknown }).data, found.data);
    assert.equal(by.json!.headers['x-token'], 'secret');
    assert.deepEqual(by.discord!.body, { content: 'block 7 found', username: 'Test Pool' });
    assert.deepEqual(by.slack!.body, { text: 'block 7 found' });
    assert.deepEqual(by['bot123:abc']!.body, {
      chat_id: '-1001',
      text: 'block 7 found',
      disable_web_page_preview: true,
    });
    await sender.close();
  });

  it('retries with backoff (and Retry-After on 429) until delivered, in order', async () => {
    receiver.statuses = [500, 429, 503];
    const sender = new WebhookSender({
      targets: [{ url: `${receiver.url}/x`, format: 'json', headers: {} }],
      poolName: 'p',
      logger,
      retryMs: 10,
    });
    sender.send(found, 'one');
    sender.send({ type: 'block.confirmed', data: { height: 7 } }, 'two');
    await until(() => receiver.bodies.length === 2, 'both delivered');
    assert.deepEqual(
      receiver.bodies.map((b) => (b.body as { text: string }).text),
      ['one', 'two'],
    );
    assert.equal(sender.delivered[0], 2);
    await sender.close();
  });

  it('gives up after its attempts, and never delays the pool or another webhook', async () => {
    const dead = `http://127.0.0.1:1/`; // nothing listens there
    const sender = new WebhookSender({
      targets: [
        { url: dead, format: 'json', headers: {} },
        { url: `${receiver.url}/alive`, format: 'json', headers: {} },
      ],
      poolName: 'p',
      logger,
      retryMs: 5,
      attempts: 3,
    });
    assert.equal(sender.send(found, 'x'), undefined, 'send() only queues: nothing to wait for');
    assert.equal(receiver.bodies.length, 0, 'nothing was delivered before send() returned');
    await until(() => receiver.bodies.some((b) => b.path === '/alive'), 'the live webhook');
    await until(() => sender.failed[0] === 1, 'the dead one given up');
    await sender.close();
  });

  it('only the events a webhook asked for, and only webhook events', async () => {
    const sender = new WebhookSender({
      targets: [{ url: `${receiver.url}/only`, format: 'json', headers: {}, events: ['payment.sent'] }],
      poolName: 'p',
      logger,
    });
    sender.send(found, 'not wanted');
    sender.send({ type: 'stats', data: {} }, 'never a webhook');
    sender.send({ type: 'payment.sent', data: { txId: 'aa' } }, 'wanted');
    const mine = () => receiver.bodies.filter((b) => b.path === '/only');
    await until(() => mine().length >= 1, 'one delivery');
    await sender.close();
    assert.deepEqual(
      mine().map((b) => (b.body as { text: string }).text),
      ['wanted'],
      'the unwanted events were never sent (they were queued before the wanted one)',
    );
  });
});

describe('the event outbox and its notifier', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let db: Database;
  let receiver: Receiver;
  before(async () => {
    fresh = await freshDatabase('postgres', { migrated: true });
    db = fresh.db;
    receiver = await new Receiver().start();
  });
  after(async () => {
    await receiver.close();
    await fresh.cleanup();
  });

  it('every block and payment change is an event, delivered once to the bus and the webhooks', async () => {
    await seed(db); // three blocks found, one confirmed, one orphaned, one progressed; one payment inserted as sent
    await db.query(
      `UPDATE payments SET status = 'confirmed', confirmations = 10, confirmed_at = now() WHERE pool_id = 'ergo'`,
    );
    const kinds = await db.query<{ kind: string }>(
      `SELECT kind FROM pool_events WHERE pool_id = 'ergo' ORDER BY id`,
    );
    assert.deepEqual(
      kinds.rows.map((r) => r.kind),
      [
        'block.found',
        'block.found',
        'block.found',
        'block.confirmed',
        'block.progress',
        'block.orphaned',
        'payment.confirmed',
      ],
    );
    const bus = new LocalEventBus();
    const seen: PoolEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    const webhooks = new WebhookSender({
      targets: [{ url: `${receiver.url}/hook`, format: 'discord', headers: {} }],
      poolName: DESCRIPTION.name,
      logger,
    });
    const a = new EventNotifier({ db, bus, webhooks, pools: [DESCRIPTION], holder: 'a' });
    const b = new EventNotifier({ db, bus, webhooks, pools: [DESCRIPTION], holder: 'b' });
    assert.equal(await a.runOnce(), 7);
    assert.equal(await b.runOnce(), 0, 'the other instance neither holds the lease nor finds anything');
    assert.equal(await a.runOnce(), 0, 'delivered once');
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      seen.map((e) => e.type),
      ['block.confirmed', 'block.progress', 'block.orphaned', 'payment.confirmed'],
      'found blocks reach the websockets from the stratum at once, not from here',
    );
    const confirmed = seen[0]!.data as { height: number; reward: string; status: string };
    assert.deepEqual([confirmed.height, confirmed.reward, confirmed.status], [1925001, '5.94', 'confirmed']);
    // Webhooks: found ×3, confirmed, orphaned (progress and payment.confirmed are not webhook events).
    await until(() => receiver.bodies.length === 5, 'five webhook deliveries');
    const texts = receiver.bodies.map((x) => (x.body as { content: string }).content);
    assert.ok(
      texts.some((t) => /block 1925001 confirmed, reward 5\.94 ERG \(effort 80 %\)/.test(t)),
      texts.join('\n'),
    );
    assert.ok(texts.some((t) => /block 1925005 was orphaned/.test(t)));
    assert.ok(!texts.some((t) => /1925002/.test(t)), 'nothing of the neighbour pool');

    // The neighbour pool's events (its blocks found, one confirmed) wait for its own notifier.
    const theirs = new LocalEventBus();
    const got: PoolEvent[] = [];
    theirs.subscribe((e) => got.push(e));
    const neighbour = { ...DESCRIPTION, id: NEIGHBOUR };
    const c = new EventNotifier({ db, bus: theirs, webhooks: null, pools: [neighbour], holder: 'a' });
    assert.equal(await c.runOnce(), 3);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      got.map((e) => [e.type, (e.data as { height: number }).height]),
      [['block.confirmed', 1925002]],
    );
    await webhooks.close();
  });

  it('one notifier for both pools: each event carries its pool and is described with its pool’s name', async () => {
    // After the test above everything is delivered; now a change in each pool.
    await db.query(`UPDATE blocks SET status = 'orphaned' WHERE pool_id = $1 AND height = 1925001`, [
      NEIGHBOUR,
    ]);
    await db.query(`UPDATE blocks SET confirmations = 6 WHERE pool_id = 'ergo' AND height = 1925010`);
    await db.query(`UPDATE payments SET status = 'confirmed' WHERE pool_id = $1`, [NEIGHBOUR]);
    receiver.bodies.length = 0;
    const bus = new LocalEventBus();
    const seen: PoolEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    const webhooks = new WebhookSender({
      targets: [{ url: `${receiver.url}/both`, format: 'json', headers: {} }],
      poolName: 'EnigmaPool',
      logger,
    });
    const notifier = new EventNotifier({ db, bus, webhooks, pools: [DESCRIPTION, SOLO], holder: 'a' });
    assert.equal(await notifier.runOnce(), 3);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      seen.map((e) => [e.type, e.pool, (e.data as { height?: number }).height ?? null]),
      [
        ['block.orphaned', NEIGHBOUR, 1925001],
        ['block.progress', 'ergo', 1925010],
        ['payment.confirmed', NEIGHBOUR, null],
      ],
    );
    await until(() => receiver.bodies.length === 1, 'the orphaned block’s webhook');
    const body = receiver.bodies[0]!.body as { poolId: string; text: string };
    assert.equal(body.poolId, NEIGHBOUR);
    assert.equal(body.text, '❌ Solo Pool: block 1925001 was orphaned');
    await webhooks.close();
  });
});
