/** NodeSet over real HTTP against a 3-node devnet: health, failover, events, submit-to-all, wallet node. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { INVALID_SOLUTION, REJECTED_SOLUTION } from '../../src/devnet/index.ts';
import {
  type HealthEvent,
  type HeightEvent,
  NodeSet,
  type NodeSetOptions,
  type ResubmitEvent,
  type SwitchEvent,
  type WorkEvent,
} from '../../src/ergo/index.ts';
import {
  BLOCK_MS,
  findNonce,
  type Net,
  Recorder,
  RequestLog,
  sleepMs,
  startNet,
  WAIT_MS,
  waitFor,
} from './helpers.ts';

const POLL = 150;
const POLL_TIMEOUT = 400;
const T = { timeout: 120_000 };

describe('NodeSet against a 3-node devnet', () => {
  let net: Net;
  let set: NodeSet;
  let works: Recorder<WorkEvent>;
  let heights: Recorder<HeightEvent>;
  let switches: Recorder<SwitchEvent>;
  let healths: Recorder<HealthEvent>;
  let log: RequestLog;

  function create(over: Partial<NodeSetOptions> = {}): NodeSet {
    log = new RequestLog();
    set = new NodeSet({
      fetch: log.fetch,
      nodes: net.devnet.nodes.map((n, k) => ({
        name: `n${k}`,
        url: n.url,
        apiKey: 'devnet',
        priority: k + 1,
      })),
      walletNode: 'n0',
      pollIntervalMs: POLL,
      pollTimeoutMs: POLL_TIMEOUT,
      ...over,
    });
    works = new Recorder(set, 'work');
    heights = new Recorder(set, 'height');
    switches = new Recorder(set, 'switch', () => log.mark());
    healths = new Recorder(set, 'health');
    return set;
  }

  const fault = (k: number, f: Parameters<Net['devnet']['nodes'][0]['setFault']>[0]) =>
    net.devnet.nodes[k]!.setFault(f);

  /**
   * Health polls of node k (each asks /info) that started after `from` and before the event at `to`. A switch
   * within one poll interval of a fault is one that comes at the first poll after it: at most one.
   */
  const pollsOf = (k: number, from: number, to: number) =>
    log.to(net.devnet.nodes[k]!.url, '/info', from, to).length;

  async function competitorBlock(): Promise<void> {
    net.clock.t += BLOCK_MS;
    await net.devnet.mineCompetitorBlock();
  }

  beforeEach(async () => {
    net = await startNet({ nodes: 3 });
  });
  afterEach(async () => {
    await set?.stop();
    await net.devnet.close();
  });

  it('work and height come from the preferred node; a block gives a height and a work event', T, async () => {
    create().start();
    const first = await works.next(() => true);
    assert.equal(first.value.node, 'n0');
    assert.equal(first.value.work.h, net.devnet.height() + 1);
    assert.equal(first.value.tipHeight, net.devnet.height());
    assert.equal(first.value.blockVersion, 3);
    assert.equal(typeof first.value.work.b, 'bigint');
    assert.deepEqual(
      switches.events.map((e) => e.value),
      [{ from: null, to: 'n0' }],
    );
    assert.deepEqual(
      heights.events.map((e) => e.value),
      [{ height: net.devnet.height(), previous: null, node: 'n0' }],
    );

    const h = set.health();
    assert.equal(h.current, 'n0');
    assert.deepEqual(
      h.nodes.map((n) => [n.name, n.status, n.current, n.wallet]),
      [
        ['n0', 'synced', true, true],
        ['n1', 'synced', false, false],
        ['n2', 'synced', false, false],
      ],
    );
    assert.ok(h.nodes.every((n) => n.latencyMs !== null && n.lastSuccessAt !== null && n.lastError === null));
    assert.ok(h.nodes.every((n) => n.candidateHeight === n.fullHeight! + 1 && n.peersCount! > 0));
    assert.equal(h.work?.msg, first.value.work.msg);

    const tip = net.devnet.height();
    await competitorBlock();
    const height = await heights.next((e) => e.height === tip + 1);
    assert.deepEqual(height.value, { height: tip + 1, previous: tip, node: 'n0' });
    const next = await works.next((e) => e.work.h === tip + 2);
    assert.equal(next.value.node, 'n0');
    assert.equal(next.value.tipHeight, tip + 1);

    const count = works.count;
    net.devnet.addMempoolTransaction();
    const sameHeight = await works.next((e) => e.work.h === tip + 2, WAIT_MS, count);
    assert.notEqual(sameHeight.value.work.msg, next.value.work.msg, 'a mempool change is new work');
    assert.equal(heights.events.length, 2, 'but no height event');
  });

  it(
    'primary down → work continues from the next node within one poll interval; back when it recovers',
    T,
    async () => {
      create().start();
      await works.next((e) => e.node === 'n0');
      await fault(0, { mode: 'down' });
      let from = log.mark();
      const away = await switches.next((e) => e.to === 'n1');
      assert.ok(
        pollsOf(0, from, away.mark) <= 1,
        `switched after ${pollsOf(0, from, away.mark)} polls of n0`,
      );
      assert.equal(set.current, 'n1');
      assert.equal(set.currentWork()?.node, 'n1', 'same candidate, new source: no job change needed');
      const n0 = set.health().nodes[0]!;
      assert.equal(n0.status, 'down');
      assert.deepEqual(n0.problems, ['unreachable']);
      assert.match(n0.lastError ?? '', /refused|reset/);

      const tip = net.devnet.height();
      const sinceDown = works.count;
      await competitorBlock();
      // n1 or n2, whichever polls first after the block, gives its work (best height first); then n1 again.
      await works.next((e) => e.work.h === tip + 2, WAIT_MS, sinceDown);
      await waitFor(
        'n1 current at the new height',
        () => set.current === 'n1' && set.currentWork()?.work.h === tip + 2,
      );
      assert.ok(
        works.events.slice(sinceDown).every((e) => e.value.node !== 'n0'),
        'no work from the node that is down',
      );

      await fault(0, { mode: 'none' });
      from = log.mark();
      const back = await switches.next((e) => e.from === 'n1' && e.to === 'n0');
      assert.ok(pollsOf(0, from, back.mark) <= 1, `back after ${pollsOf(0, from, back.mark)} polls of n0`);
      await competitorBlock();
      // Whichever node sees the new block first gives the new work (the best height wins over priority);
      // once n0 is at that height too, it is the current node again.
      await works.next((e) => e.work.h === tip + 3);
      await waitFor(
        'n0 current at the new height',
        () => set.current === 'n0' && set.currentWork()?.work.h === tip + 3,
      );

      assert.deepEqual(
        healths.events.filter((e) => e.value.node === 'n0').map((e) => [e.value.previous, e.value.status]),
        [
          ['unknown', 'synced'],
          ['synced', 'down'],
          ['down', 'synced'],
        ],
        'one health event per status change, not per poll',
      );
    },
  );

  it('an out-of-sync primary is never used, at start or when it falls behind', T, async () => {
    await fault(0, { mode: 'out-of-sync', behind: 3 });
    create().start();
    const first = await works.next(() => true);
    assert.equal(first.value.node, 'n1');
    const n0 = set.health().nodes[0]!;
    assert.equal(n0.status, 'syncing');
    assert.deepEqual(n0.problems, ['full-blocks-behind-headers']);
    assert.equal(n0.fullHeight, net.devnet.height() - 3);
    assert.ok(works.events.every((e) => e.value.node !== 'n0'));

    await fault(0, { mode: 'none' });
    await switches.next((e) => e.to === 'n0');
    await fault(0, { mode: 'out-of-sync', behind: 2 });
    const from = log.mark();
    const away = await switches.next((e) => e.from === 'n0' && e.to === 'n1');
    assert.ok(pollsOf(0, from, away.mark) <= 1, `left after ${pollsOf(0, from, away.mark)} polls of n0`);
  });

  it('a stalled primary is left once its poll times out', T, async () => {
    create().start();
    await works.next((e) => e.node === 'n0');
    await fault(0, { mode: 'stalled' });
    const from = log.mark();
    const away = await switches.next((e) => e.to === 'n1');
    // The first poll after the fault is the one that times out: no later poll was needed.
    assert.ok(pollsOf(0, from, away.mark) <= 1, `left after ${pollsOf(0, from, away.mark)} polls of n0`);
    const n0 = set.health().nodes[0]!;
    assert.equal(n0.status, 'down');
    assert.match(n0.lastError ?? '', /timeout/);
  });

  it('all nodes down: no crash, no work, the last work stays; recovers by itself', T, async () => {
    create().start();
    const last = (await works.next((e) => e.node === 'n0')).value;
    for (let k = 0; k < 3; k++) await fault(k, { mode: 'down' });
    await switches.next((e) => e.to === null);
    const during = works.count;
    await sleepMs(5 * POLL);
    await competitorBlock();
    await sleepMs(3 * POLL);
    assert.equal(works.count, during, 'no work while every node is down');
    assert.equal(set.currentWork()?.work, last.work, 'the last work stays current');
    const h = set.health();
    assert.equal(h.current, null);
    assert.equal(h.work?.msg, last.work.msg);
    assert.ok(h.nodes.every((n) => n.status === 'down' && n.lastErrorAt !== null));

    await fault(2, { mode: 'none' });
    const recovered = await works.next((e) => e.node === 'n2', WAIT_MS, during);
    assert.equal(recovered.value.work.h, last.work.h + 1, 'new work on the block found meanwhile');
    assert.equal(set.current, 'n2');
    await fault(0, { mode: 'none' });
    await fault(1, { mode: 'none' });
    await switches.next((e) => e.from === 'n2' && e.to === 'n0');
  });

  it(
    'submitSolution posts to every healthy node at once; per-node results; one rejecting is fine',
    T,
    async () => {
      await fault(2, { mode: 'reject-solutions' });
      create().start();
      await waitFor('all nodes synced', () => set.health().nodes.every((n) => n.status === 'synced'));
      const work = set.currentWork()!.work;
      await assert.rejects(set.submitSolution('xyz'), RangeError);
      const bad = findNonce(net.kernel, work, false);
      const rejected = await set.submitSolution(bad);
      assert.equal(rejected.accepted, false);
      assert.deepEqual(
        rejected.results.map((r) => [r.node, r.accepted, r.status, r.detail]),
        [
          ['n0', false, 500, INVALID_SOLUTION],
          ['n1', false, 500, INVALID_SOLUTION],
          ['n2', false, 500, REJECTED_SOLUTION],
        ],
      );

      const nonce = findNonce(net.kernel, work);
      net.clock.t += BLOCK_MS;
      const tip = net.devnet.height();
      const outcome = await set.submitSolution(nonce);
      assert.equal(outcome.accepted, true);
      assert.equal(net.devnet.height(), tip + 1);
      const [r0, r1, r2] = outcome.results;
      assert.deepEqual(
        outcome.results.map((r) => r.node),
        ['n0', 'n1', 'n2'],
      );
      assert.equal(
        [r0!, r1!].filter((r) => r.accepted && r.status === 200).length,
        1,
        'exactly one node took it',
      );
      const other = r0!.accepted ? r1! : r0!;
      assert.equal(other.status, 500);
      assert.equal(other.alreadySolved, true);
      assert.match(other.detail ?? '', /^Block already solved/);
      assert.deepEqual(
        [r2!.accepted, r2!.status, r2!.detail, r2!.alreadySolved],
        [false, 500, REJECTED_SOLUTION, false],
      );
      assert.ok(outcome.results.every((r) => r.latencyMs >= 0));
      // At once: every node's POST started before the first answer came back.
      const posts = net.devnet.nodes.map((n) => log.to(n.url, '/mining/solution').at(-1)!);
      const firstEnd = Math.min(...posts.map((r) => r.end!));
      assert.ok(
        posts.every((r) => r.start < firstEnd),
        'the solution is posted to all nodes in parallel',
      );
      assert.match(outcome.detail ?? '', /^accepted by n[01]$/);
      await works.next((e) => e.work.h === tip + 2);
    },
  );

  it('the node the work came from gets the solution even when it is marked unhealthy', T, async () => {
    await fault(1, { mode: 'down' });
    await fault(2, { mode: 'down' });
    create().start();
    const work = (await works.next((e) => e.node === 'n0')).value.work;
    await fault(0, { mode: 'slow', delayMs: POLL_TIMEOUT + 300 });
    await switches.next((e) => e.to === null);
    assert.equal(set.health().nodes[0]!.status, 'down');
    const nonce = findNonce(net.kernel, work);
    net.clock.t += BLOCK_MS;
    const outcome = await set.submitSolution(nonce);
    assert.deepEqual(
      outcome.results.map((r) => [r.node, r.accepted, r.status]),
      [['n0', true, 200]],
    );
    assert.ok(outcome.results[0]!.latencyMs >= POLL_TIMEOUT + 250);
  });

  it('wallet() is exactly the configured wallet node, whatever its mining health', T, async () => {
    await fault(2, { mode: 'out-of-sync' });
    create({ walletNode: 'n2' }).start();
    await works.next(() => true);
    assert.equal(set.wallet().name, 'n2');
    assert.equal(set.wallet().url, net.devnet.nodes[2]!.url);
    assert.equal((await set.wallet().walletStatus()).isInitialized, true);
    assert.deepEqual(await set.wallet().walletAddresses(), [net.devnet.walletAddress]);
    assert.equal(set.health().nodes.find((n) => n.wallet)?.name, 'n2');
    assert.equal(set.client('n1').name, 'n1');
    assert.throws(() => set.client('nope'), RangeError);

    const noWallet = new NodeSet({ nodes: [{ name: 'a', url: net.devnet.url, priority: 1 }] });
    assert.throws(() => noWallet.wallet(), /no walletNode/);
    assert.throws(() => new NodeSet({ nodes: [] }), RangeError);
    const dup = { name: 'a', url: net.devnet.url, priority: 1 };
    assert.throws(() => new NodeSet({ nodes: [dup, dup] }), /unique/);
    assert.throws(() => new NodeSet({ nodes: [dup], walletNode: 'b' }), /walletNode/);
    assert.throws(() => new NodeSet({ nodes: [dup], pollIntervalMs: 0 }), /pollIntervalMs/);
    assert.throws(() => new NodeSet({ nodes: [{ ...dup, priority: Number.NaN }] }), /priority/);
  });

  it('long-poll delivers a mempool change long before the next poll', T, async () => {
    // The next scheduled poll is ten minutes away: new work within the wait can only come by long-poll.
    create({ pollIntervalMs: 600_000, longPoll: true }).start();
    const first = await works.next(() => true);
    // Every node's watcher holds a longpoll (the devnet counts them) before the mempool changes.
    await waitFor('a longpoll held by each node', async () => {
      const state = (await fetch(`${net.devnet.url}/devnet/state`).then((r) => r.json())) as {
        pendingLongpolls: number;
      };
      return state.pendingLongpolls === 3;
    });
    const from = log.mark();
    net.devnet.addMempoolTransaction();
    const next = await works.next((e) => e.work.msg !== first.value.work.msg);
    assert.equal(next.value.work.h, first.value.work.h);
    assert.equal(next.value.node, 'n0');
    const held = log
      .to(net.devnet.nodes[0]!.url, '/mining/candidate', -1, from)
      .filter((r) => r.url.includes('longpoll=') && r.end !== null && r.end > from);
    assert.equal(held.length, 1, 'the longpoll n0 held across the change was answered');
  });

  it('a slow node is measured, the preferred one stays current', T, async () => {
    await fault(0, { mode: 'slow', delayMs: 300 });
    create().start();
    await works.next(() => true);
    await waitFor('latency samples', () => set.health().nodes[0]!.latencyMs! >= 300);
    const h = set.health();
    assert.equal(h.current, 'n0');
    assert.ok(h.nodes[1]!.latencyMs! < h.nodes[0]!.latencyMs!, `n1 ${h.nodes[1]!.latencyMs} ms`);
    assert.equal(switches.count, 1);
  });

  it('a throwing listener does not stop the polling', T, async () => {
    create();
    set.on('work', () => {
      throw new Error('listener bug');
    });
    set.start();
    const first = await works.next(() => true);
    await competitorBlock();
    await works.next((e) => e.work.h === first.value.work.h + 1);
  });
});

describe('NodeSet.stop()', () => {
  it('clears every timer and request, with long-poll on', { timeout: 30_000 }, async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const baseline = timers();
    const net = await startNet({ nodes: 2 });
    const set = new NodeSet({
      nodes: net.devnet.nodes.map((n, k) => ({ name: `n${k}`, url: n.url, priority: k })),
      pollIntervalMs: 50,
      pollTimeoutMs: 300,
      longPoll: true,
    });
    const works = new Recorder<WorkEvent>(set, 'work');
    set.start();
    await works.next(() => true);
    await net.devnet.nodes[1]!.setFault({ mode: 'stalled' });
    await sleepMs(200);
    await set.stop();
    const events = works.count;
    await net.devnet.close();
    assert.equal(timers(), baseline, 'no timer of the node set is left');
    await sleepMs(150);
    assert.equal(works.count, events, 'nothing fires after stop');
  });
});

describe('NodeSet: every node must mine for the pool’s reward key', () => {
  it(
    'a backup with its own key is unhealthy with the reason and gets no work, even when the wallet node is down',
    T,
    async () => {
      const net = await startNet({ nodes: 2, nodeKeys: 'own' });
      const [own0, own1] = net.devnet.nodes.map((n) => n.publicKey);
      assert.notEqual(own0, own1);
      const set = new NodeSet({
        nodes: net.devnet.nodes.map((n, k) => ({ name: `n${k}`, url: n.url, apiKey: 'devnet', priority: k })),
        walletNode: 'n0',
        pollIntervalMs: POLL,
        pollTimeoutMs: POLL_TIMEOUT,
      });
      const works = new Recorder<WorkEvent>(set, 'work');
      const switches = new Recorder<SwitchEvent>(set, 'switch');
      try {
        await assert.rejects(set.rewardPublicKey(), /not known yet/);
        set.start();
        await works.next((e) => e.node === 'n0');
        assert.equal(await set.rewardPublicKey(), own0, 'the pool key is the wallet node’s');
        const mismatch = await waitFor('n1 flagged', () =>
          set.health().nodes.find((n) => n.name === 'n1' && n.problems.includes('reward-key-mismatch')),
        );
        assert.equal(mismatch.status, 'syncing');
        assert.equal(mismatch.candidatePk, own1);
        assert.equal(set.health().rewardKey, own0);

        await net.devnet.nodes[0]!.setFault({ mode: 'down' });
        await switches.next((e) => e.to === null);
        const count = works.count;
        await net.devnet.mineCompetitorBlock(); // n1 has new work: it must still not be handed out
        await waitFor('n1 polled at the new height', () =>
          set.health().nodes.find((n) => n.name === 'n1' && n.fullHeight === net.devnet.height()),
        );
        await sleepMs(3 * POLL);
        assert.equal(works.count, count, 'no work from a node that pays another key');
        assert.ok(works.events.every((e) => e.value.work.pk === own0));
        assert.equal(set.current, null);
      } finally {
        await set.stop();
        await net.devnet.close();
      }
    },
  );

  it('with a shared key the same backup takes over (the devnet default)', T, async () => {
    const net = await startNet({ nodes: 2 });
    const set = new NodeSet({
      nodes: net.devnet.nodes.map((n, k) => ({ name: `n${k}`, url: n.url, apiKey: 'devnet', priority: k })),
      walletNode: 'n0',
      pollIntervalMs: POLL,
      pollTimeoutMs: POLL_TIMEOUT,
    });
    const switches = new Recorder<SwitchEvent>(set, 'switch');
    try {
      set.start();
      await switches.next((e) => e.to === 'n0');
      await net.devnet.nodes[0]!.setFault({ mode: 'down' });
      await switches.next((e) => e.to === 'n1');
    } finally {
      await set.stop();
      await net.devnet.close();
    }
  });
});

describe('NodeSet: block solutions a node did not answer', () => {
  async function stalledSubmit(options: Partial<NodeSetOptions> = {}) {
    const net = await startNet({ nodes: 2 });
    const set = new NodeSet({
      nodes: net.devnet.nodes.map((n, k) => ({ name: `n${k}`, url: n.url, apiKey: 'devnet', priority: k })),
      walletNode: 'n0',
      pollIntervalMs: POLL,
      pollTimeoutMs: POLL_TIMEOUT,
      timeoutMs: 300,
      ...options,
    });
    const resubmits = new Recorder<ResubmitEvent>(set, 'resubmit');
    set.start();
    await waitFor('both synced', () => set.health().nodes.every((n) => n.status === 'synced'));
    const work = set.currentWork()!.work;
    const nonce = findNonce(net.kernel, work);
    const tip = net.devnet.height();
    for (const node of net.devnet.nodes) await node.setFault({ mode: 'stalled' });
    const outcome = await set.submitSolution(nonce, { height: work.h });
    return { net, set, resubmits, nonce, tip, outcome };
  }

  it(
    'every submit timed out: sent again to those nodes while the height is current, until one takes it',
    T,
    async () => {
      const { net, set, resubmits, nonce, tip, outcome } = await stalledSubmit();
      try {
        assert.equal(outcome.accepted, false);
        assert.deepEqual(
          outcome.results.map((r) => r.status),
          [null, null],
          'no node answered',
        );
        assert.equal(net.devnet.height(), tip);
        await net.devnet.nodes[1]!.setFault({ mode: 'none' });
        const taken = await resubmits.next((e) => e.result.accepted);
        assert.equal(taken.value.result.node, 'n1');
        assert.equal(taken.value.nonce, nonce);
        assert.equal(net.devnet.height(), tip + 1, 'the block is on the chain');
        const sent = resubmits.count;
        await net.devnet.nodes[0]!.setFault({ mode: 'none' });
        await sleepMs(4 * POLL);
        assert.equal(resubmits.count, sent, 'nothing more is sent once a node took it');
      } finally {
        await set.stop();
        await net.devnet.close();
      }
    },
  );

  it('a queued solution is delivered at shutdown', T, async () => {
    const { net, set, resubmits, tip } = await stalledSubmit({ resubmitIntervalMs: 600_000 });
    try {
      assert.equal(resubmits.count, 0);
      for (const node of net.devnet.nodes) await node.setFault({ mode: 'none' });
      await set.stop();
      assert.equal(net.devnet.height(), tip + 1, 'stop() sent it once more');
      assert.equal(resubmits.events.filter((e) => e.value.result.accepted).length, 1);
    } finally {
      await set.stop();
      await net.devnet.close();
    }
  });
});
