import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  blockTarget,
  bytesToHex,
  computeHit,
  decodeCompactBits,
  headerIdHex,
  headerMsg,
  hexToBytes,
} from '../../src/autolykos/index.ts';
import { INVALID_SOLUTION } from '../../src/devnet/index.ts';
import {
  BLOCK_MS,
  call,
  candidate,
  competitorBlock,
  findNonce,
  mineBlock,
  startTestNet,
  type TestNet,
  walletHeaders,
} from './helpers.ts';

describe('devnet mining', () => {
  let net: TestNet;
  let url: string;
  before(async () => {
    net = await startTestNet();
    url = net.devnet.url;
  });
  after(() => net.devnet.close());

  it('accepts an outside-mined block whose header verifies with the vector rules', async () => {
    const events: { height: number; id: string; byPool: boolean }[] = [];
    net.devnet.on('block', (b) => events.push(b));
    const start = net.devnet.height();
    const { id, nonce, work } = await mineBlock(net);
    assert.equal(net.devnet.height(), start + 1);
    assert.deepEqual(events, [{ height: start + 1, id, byPool: true }]);
    const header = (await call(url, `/blocks/${id}/header`)).body;
    assert.equal(headerIdHex(header), id);
    assert.equal(header.id, id);
    assert.equal(
      bytesToHex(headerMsg(header)),
      work.msg,
      'msg of the header = the candidate msg it was mined from',
    );
    assert.equal(header.powSolutions.n, nonce);
    assert.equal(header.powSolutions.pk, work.pk);
    const b = blockTarget(decodeCompactBits(header.nBits));
    assert.equal(b, work.b);
    const hit = computeHit(net.kernel, {
      msg: headerMsg(header),
      nonce: hexToBytes(nonce, 'n', 8),
      height: header.height,
    });
    assert.ok(hit < b);
    assert.equal(header.version, 3);
    assert.equal(header.votes, '000000');
  });

  it('rejects a wrong nonce with the node 500 body; a repeated solution is "Block already solved"', async () => {
    const work = await candidate(url);
    const bad = findNonce(net.kernel, work, 0n, false);
    const r = await call(url, '/mining/solution', { body: { n: bad } });
    assert.equal(r.status, 500);
    assert.deepEqual(r.body, { error: 500, reason: 'internal.error', detail: INVALID_SOLUTION });
    assert.equal(r.body.detail, 'Invalid block mined: h(f) < b condition not met');

    const { id, nonce } = await mineBlock(net);
    const again = await call(url, '/mining/solution', { body: { n: nonce, d: 0 } });
    assert.equal(again.status, 500);
    assert.equal(again.body.detail, `Block already solved : Some(${id})`);
    assert.deepEqual(await net.devnet.solve(nonce), {
      accepted: false,
      detail: `Block already solved : Some(${id})`,
    });
  });

  it('a mempool tx changes the msg at the same height; the previous candidate is still accepted, older ones not', async () => {
    const w1 = await candidate(url);
    net.devnet.addMempoolTransaction();
    const w2 = await candidate(url);
    assert.equal(w2.h, w1.h);
    assert.notEqual(w2.msg, w1.msg);
    net.devnet.addMempoolTransaction();
    const w3 = await candidate(url);
    assert.equal(w3.h, w1.h);
    assert.notEqual(w3.msg, w2.msg);

    // A nonce that wins only for w1 (two generations old) or only for w2 (the previous candidate).
    const winsOnlyFor = (target: typeof w1, others: (typeof w1)[]) => {
      for (let from = 0n; ; ) {
        const n = findNonce(net.kernel, target, from);
        const nonce = hexToBytes(n, 'n', 8);
        const elsewhere = others.some(
          (w) => computeHit(net.kernel, { msg: hexToBytes(w.msg, 'msg', 32), nonce, height: w.h }) < w.b,
        );
        if (!elsewhere) return n;
        from = BigInt(`0x${n}`) + 1n;
      }
    };
    const r = await call(url, '/mining/solution', { body: { n: winsOnlyFor(w1, [w2, w3]) } });
    assert.equal(r.status, 500);
    assert.equal(r.body.detail, INVALID_SOLUTION);

    const fromPrevious = winsOnlyFor(w2, [w3]);
    net.clock.t += BLOCK_MS;
    const ok = await call(url, '/mining/solution', { body: { n: fromPrevious } });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, {});
    const id = (await call(url, `/blocks/at/${w2.h}`)).body[0];
    const header = (await call(url, `/blocks/${id}/header`)).body;
    assert.equal(bytesToHex(headerMsg(header)), w2.msg);
    const txs = (await call(url, `/blocks/${id}/transactions`)).body.transactions;
    assert.equal(txs.length, 3, 'emission tx, the mempool tx of w2, fee tx');
    assert.equal(
      (await call(url, '/transactions/unconfirmed')).body.length,
      1,
      'the tx that came after w2 waits',
    );
  });

  it('a block with fee-paying txs has a fee tx paying the reward script', async () => {
    const { id } = await mineBlock(net);
    const txs = (await call(url, `/blocks/${id}/transactions`)).body.transactions;
    assert.equal(txs.length, 3);
    const emission = txs[0];
    const fee = txs[2];
    assert.equal(fee.outputs.length, 1);
    assert.equal(fee.outputs[0].ergoTree, emission.outputs[1].ergoTree);
    assert.ok(BigInt(fee.outputs[0].value) >= 1_000_000n);
    assert.deepEqual((await call(url, '/transactions/unconfirmed')).body, []);
  });

  it('competitor blocks advance the chain with another key; a stale pool solution becomes an orphan', async () => {
    const work = await candidate(url);
    const stale = findNonce(net.kernel, work);
    const events: boolean[] = [];
    net.devnet.on('block', (b) => events.push(b.byPool));
    await competitorBlock(net);
    assert.deepEqual(events, [false]);
    const [best] = (await call(url, `/blocks/at/${work.h}`)).body;
    const header = (await call(url, `/blocks/${best}/header`)).body;
    assert.notEqual(header.powSolutions.pk, net.devnet.minerPublicKey);
    assert.ok(
      computeHit(net.kernel, {
        msg: headerMsg(header),
        nonce: hexToBytes(header.powSolutions.n, 'n', 8),
        height: header.height,
      }) < blockTarget(decodeCompactBits(header.nBits)),
      'competitor blocks carry real PoW at small difficulties',
    );
    const next = await candidate(url);
    assert.equal(next.h, work.h + 1);
    // The solution of the superseded candidate (now "previous") is still taken by the node, on a fork.
    const r = await call(url, '/mining/solution', { body: { n: stale } });
    assert.equal(r.status, 200);
    const ids = (await call(url, `/blocks/at/${work.h}`)).body;
    assert.equal(ids.length, 2);
    assert.equal(ids[0], best, 'the competitor block stays best');
    assert.equal(net.devnet.height(), work.h);
    assert.equal((await candidate(url)).msg, next.msg, 'an orphan does not change the candidate');
  });

  it('reorg: a longer competitor fork orphans pool blocks, listed second in /blocks/at', async () => {
    const { id: pool1, work: w1 } = await mineBlock(net);
    const { id: pool2 } = await mineBlock(net);
    const tip = net.devnet.height();
    const walletTx = (await call(url, '/wallet/transactions', { headers: { api_key: 'devnet' } })).body
      .length;
    const r = await call(url, '/devnet/reorg', { body: { fromHeight: w1.h } });
    assert.equal(r.status, 200);
    assert.equal(net.devnet.height(), tip + 1);
    const at1 = (await call(url, `/blocks/at/${w1.h}`)).body;
    assert.equal(at1.length, 2);
    assert.equal(at1[1], pool1);
    assert.notEqual(at1[0], pool1);
    assert.equal((await call(url, `/blocks/at/${w1.h + 1}`)).body[1], pool2);
    const header = (await call(url, `/blocks/${at1[0]}/header`)).body;
    assert.notEqual(header.powSolutions.pk, net.devnet.minerPublicKey);
    // The orphaned blocks stay readable, their coinbase is no longer a wallet tx.
    assert.equal((await call(url, `/blocks/${pool1}`)).status, 200);
    const after = (await call(url, '/wallet/transactions', { headers: { api_key: 'devnet' } })).body.length;
    assert.equal(after, walletTx - 2);
    assert.equal((await candidate(url)).h, tip + 2);
    assert.equal((await call(url, '/devnet/reorg', { body: { fromHeight: 5 } })).status, 400);
    await net.devnet.reorg(net.devnet.height());
    assert.equal(net.devnet.height(), tip + 2);
  });

  it('longpoll: GET /mining/candidate?longpoll=<msg> answers when the msg changes', async () => {
    const work = await candidate(url);
    const started = Date.now();
    const pending = call(url, `/mining/candidate?longpoll=${work.msg}`);
    setTimeout(() => net.devnet.addMempoolTransaction(), 150);
    const r = await pending;
    assert.equal(r.status, 200);
    assert.notEqual(r.body.msg, work.msg);
    assert.ok(Date.now() - started >= 100);
    const immediate = await call(url, `/mining/candidate?longpoll=${'00'.repeat(32)}`);
    assert.equal(immediate.body.msg, r.body.msg);
  });

  it('retargets toward the block time, limited to ×2 per block', async () => {
    const d0 = BigInt((await call(url, '/info')).body.difficulty);
    // Blocks found instantly (clock not advanced): the difficulty rises, at most doubling per block.
    let previous = d0;
    for (let k = 0; k < 3; k++) {
      await net.devnet.mineCompetitorBlock();
      const next = blockTarget(1n) / (await candidate(url)).b;
      assert.ok(next >= previous && next <= previous * 2n, `${previous} → ${next}`);
      previous = next;
    }
    const info = (await call(url, '/info')).body;
    assert.ok(BigInt(info.difficulty) > d0);
    // Slow blocks bring it back down.
    for (let k = 0; k < 12; k++) {
      net.clock.t += BLOCK_MS * 4;
      await net.devnet.mineCompetitorBlock();
    }
    const later = (await call(url, '/info')).body.difficulty;
    assert.ok(BigInt(later) < BigInt(info.difficulty));
    assert.ok(BigInt(later) >= 1n);
  });
});

describe('devnet nodes with their own mining keys (nodeKeys: own)', () => {
  it('node 1 hands out candidates for its own key, its blocks pay its key and its wallet, not node 0’s', async () => {
    const net = await startTestNet({ nodes: 2, nodeKeys: 'own' });
    try {
      const [n0, n1] = net.devnet.nodes;
      assert.equal(n0!.publicKey, net.devnet.minerPublicKey);
      assert.notEqual(n1!.publicKey, n0!.publicKey);
      assert.equal((await call(n1!.url, '/mining/rewardPublicKey')).body.rewardPubkey, n1!.publicKey);
      const [w0, w1] = await Promise.all([candidate(n0!.url), candidate(n1!.url)]);
      assert.equal(w0.pk, n0!.publicKey);
      assert.equal(w1.pk, n1!.publicKey);
      assert.equal(w1.h, w0.h);
      const addresses = async (url: string) =>
        (await call(url, '/wallet/addresses', { headers: walletHeaders })).body as string[];
      assert.notDeepEqual(await addresses(n0!.url), await addresses(n1!.url));

      const nonce = findNonce(net.kernel, w1);
      const solved = await call(n1!.url, '/mining/solution', { body: { n: nonce } });
      assert.equal(solved.status, 200, solved.text);
      const [id] = (await call(n0!.url, `/blocks/at/${w1.h}`)).body as string[];
      const header = (await call(n0!.url, `/blocks/${id}/header`)).body;
      assert.equal(header.powSolutions.pk, n1!.publicKey, 'the block pays node 1’s key');
      const txs = async (url: string) =>
        (await call(url, '/wallet/transactions', { headers: walletHeaders })).body as unknown[];
      assert.equal((await txs(n1!.url)).length, 1, 'the reward is in node 1’s wallet');
      assert.equal((await txs(n0!.url)).length, 0, 'and not in the pool wallet');
      assert.equal((await candidate(n1!.url)).h, w1.h + 1, 'both nodes move on');
      assert.equal((await candidate(n0!.url)).pk, n0!.publicKey);
    } finally {
      await net.devnet.close();
    }
  });
});
