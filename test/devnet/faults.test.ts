import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { REJECTED_SOLUTION } from '../../src/devnet/index.ts';
import { BLOCK_MS, call, candidate, findNonce, mineBlock, startTestNet, type TestNet } from './helpers.ts';

/** How a fresh request to the node fails ('answered' if it does not). A pooled keep-alive connection cut
 * by the fault may first fail with a socket error; only a new connection shows the refusal. */
async function refused(url: string): Promise<string> {
  let code = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fetch(`${url}/info`, { signal: AbortSignal.timeout(2_000) });
      return 'answered';
    } catch (err) {
      code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code ?? (err as Error).name;
      if (code !== 'UND_ERR_SOCKET') return code;
    }
  }
  return code;
}

describe('devnet fault injection (two node endpoints on one chain)', () => {
  let net: TestNet;
  before(async () => {
    net = await startTestNet({ nodes: 2 });
  });
  after(() => net.devnet.close());

  it('nodes have their own ports and share the chain', async () => {
    const [a, b] = net.devnet.nodes;
    assert.ok(a && b);
    assert.notEqual(a.port, b.port);
    assert.equal(net.devnet.url, a.url);
    await mineBlock(net, b.url);
    const infoA = (await call(a.url, '/info')).body;
    const infoB = (await call(b.url, '/info')).body;
    assert.equal(infoA.bestFullHeaderId, infoB.bestFullHeaderId);
    assert.equal((await candidate(a.url)).msg, (await candidate(b.url)).msg);
  });

  it('down: connection refused until cleared, then the same port again', async () => {
    const node = net.devnet.nodes[0]!;
    const port = node.port;
    await node.setFault({ mode: 'down' });
    assert.equal(await refused(node.url), 'ECONNREFUSED');
    assert.equal((await call(net.devnet.nodes[1]!.url, '/info')).status, 200, 'the other node is fine');
    await node.setFault({ mode: 'none' });
    assert.equal(node.port, port);
    assert.equal((await call(node.url, '/info')).status, 200);

    // Also through the admin route of the node itself (the answer arrives before the socket closes).
    const r = await call(node.url, '/devnet/fault', { body: { node: 0, mode: 'down' } });
    assert.equal(r.status, 200);
    for (let k = 0; k < 50 && (await refused(node.url)) !== 'ECONNREFUSED'; k++)
      await new Promise((ok) => setTimeout(ok, 10));
    assert.equal(await refused(node.url), 'ECONNREFUSED');
    assert.equal(
      (await call(net.devnet.nodes[1]!.url, '/devnet/fault', { body: { node: 0, mode: 'none' } })).status,
      200,
    );
    assert.equal((await call(node.url, '/info')).status, 200);
  });

  it('stalled: requests hang (admin routes still answer); cleared → answers again', async () => {
    const node = net.devnet.nodes[1]!;
    await node.setFault({ mode: 'stalled' });
    await assert.rejects(
      fetch(`${node.url}/info`, { signal: AbortSignal.timeout(300) }),
      (err: Error) => err.name === 'TimeoutError',
    );
    const hanging = fetch(`${node.url}/mining/candidate`, { signal: AbortSignal.timeout(5_000) }).then(
      () => 'answered',
      () => 'dropped',
    );
    const state = await call(node.url, '/devnet/state');
    assert.equal(state.status, 200);
    assert.equal(state.body.nodes[1].fault.mode, 'stalled');
    await node.setFault({ mode: 'none' });
    assert.equal(await hanging, 'dropped', 'pending requests are dropped when the fault clears');
    assert.equal((await call(node.url, '/info')).status, 200);
  });

  it('out-of-sync: fullHeight lags headersHeight, the candidate stays at the lagging height', async () => {
    const node = net.devnet.nodes[1]!;
    const height = net.devnet.height();
    await node.setFault({ mode: 'out-of-sync', behind: 3 });
    const info = (await call(node.url, '/info')).body;
    assert.equal(info.headersHeight, height);
    assert.equal(info.fullHeight, height - 3);
    assert.ok(info.maxPeerHeight > info.fullHeight);
    const lagging = await candidate(node.url);
    assert.equal(lagging.h, height - 2);
    const tipId = info.bestHeaderId;
    assert.equal((await call(node.url, `/blocks/${tipId}/header`)).status, 200, 'headers are synced');
    assert.equal((await call(node.url, `/blocks/${tipId}`)).status, 404, 'the full block is not');
    await mineBlock(net);
    const later = await candidate(node.url);
    assert.equal(later.msg, lagging.msg, 'the lagging candidate does not move');
    // A solution for it is taken, but the block is an orphan on a stale fork.
    net.clock.t += BLOCK_MS;
    const r = await call(node.url, '/mining/solution', { body: { n: findNonce(net.kernel, lagging) } });
    assert.equal(r.status, 200);
    const ids = (await call(node.url, `/blocks/at/${lagging.h}`)).body;
    assert.equal(ids.length, 2);
    await node.setFault({ mode: 'none' });
    const synced = (await call(node.url, '/info')).body;
    assert.equal(synced.fullHeight, synced.headersHeight);
    assert.equal((await candidate(node.url)).h, net.devnet.height() + 1);
  });

  it('reject-solutions: a valid solution gets a 500 node error and no block', async () => {
    const node = net.devnet.nodes[0]!;
    const r0 = await call(node.url, '/devnet/fault', { body: { mode: 'reject-solutions' } });
    assert.equal(r0.status, 200);
    const work = await candidate(node.url);
    const nonce = findNonce(net.kernel, work);
    const height = net.devnet.height();
    const r = await call(node.url, '/mining/solution', { body: { n: nonce } });
    assert.equal(r.status, 500);
    assert.deepEqual(r.body, { error: 500, reason: 'internal.error', detail: REJECTED_SOLUTION });
    assert.equal(net.devnet.height(), height);
    assert.deepEqual(await net.devnet.solve(nonce), { accepted: false, detail: REJECTED_SOLUTION });
    // The other node takes it.
    assert.equal(
      (await call(net.devnet.nodes[1]!.url, '/mining/solution', { body: { n: nonce } })).status,
      200,
    );
    await node.setFault({ mode: 'none' });
  });

  it('slow: every response is delayed', async () => {
    const node = net.devnet.nodes[0]!;
    await node.setFault({ mode: 'slow', delayMs: 600 });
    const started = performance.now();
    assert.equal((await call(node.url, '/info')).status, 200);
    assert.ok(performance.now() - started >= 590);
    await node.setFault({ mode: 'none' });
    const fast = performance.now();
    await call(node.url, '/info');
    assert.ok(performance.now() - fast < 590, 'no delay once cleared');
  });

  it('admin routes validate their input', async () => {
    const url = net.devnet.url;
    assert.equal((await call(url, '/devnet/fault', { body: { node: 7, mode: 'down' } })).status, 400);
    assert.equal((await call(url, '/devnet/fault', { body: { mode: 'sideways' } })).status, 400);
    assert.equal((await call(url, '/devnet/fault', { body: { mode: 'slow' } })).status, 400);
    assert.equal((await call(url, '/devnet/reorg', { body: {} })).status, 400);
    const c = await call(url, '/devnet/competitor-block', { method: 'POST' });
    assert.equal(c.status, 200);
    assert.equal(c.body.height, net.devnet.height());
    const m = await call(url, '/devnet/mempool-tx', { method: 'POST' });
    assert.equal(m.status, 200);
    assert.equal(m.body.unconfirmedCount, 1);
    const s = (await call(url, '/devnet/state')).body;
    assert.equal(s.height, net.devnet.height());
    assert.ok(s.blocksByPool.length >= 3);
    assert.equal(s.nodes.length, 2);
    await assert.rejects(net.devnet.nodes[0]!.setFault({ mode: 'nope' } as never), RangeError);
  });
});
