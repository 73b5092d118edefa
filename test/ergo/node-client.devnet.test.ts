/** ErgoNodeClient over real HTTP against the devnet (src/devnet): every route the pool uses. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { blockTarget } from '../../src/autolykos/index.ts';
import { INVALID_SOLUTION, startDevnet } from '../../src/devnet/index.ts';
import {
  ErgoNodeClient,
  issuedCoinsAfterHeight,
  minerRewardAt,
  minerRewardErgoTree,
  NodeApiError,
  NodeUnavailableError,
  p2pkAddress,
  parseAddress,
  reemissionForHeight,
} from '../../src/ergo/index.ts';
import { BLOCK_MS, findNonce, type Net, RequestLog, startNet } from './helpers.ts';

const API_KEY = 'devnet';
const PAYEE = '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA';
const REWARD_DELAY = 2;
const T = { timeout: 20_000 };

/** The raw digits of a JSON number field, straight from the body text (no parser involved). */
async function rawNumber(url: string, field: string): Promise<bigint> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).text();
  const m = new RegExp(`"${field}"\\s*:\\s*(\\d+)`).exec(text);
  assert.ok(m, `${field} in ${text.slice(0, 200)}`);
  return BigInt(m[1]!);
}

describe('ErgoNodeClient against the devnet', () => {
  let net: Net;
  let node: ErgoNodeClient;

  /** Mines the current candidate with the client (one block interval later on the chain clock). */
  async function mine(): Promise<{ id: string; nonce: string; h: number }> {
    const work = await node.miningCandidate();
    const nonce = findNonce(net.kernel, work);
    net.clock.t += BLOCK_MS;
    await node.submitSolution(nonce);
    const [id] = await node.blockIdsAt(work.h);
    return { id: id!, nonce, h: work.h };
  }

  before(async () => {
    net = await startNet({ nodes: 2, rewardDelay: REWARD_DELAY });
    node = new ErgoNodeClient({ name: 'devnet-0', url: net.devnet.nodes[0]!.url, apiKey: API_KEY });
  });
  after(() => net.devnet.close());

  it('info: heights, peers, block version; difficulty and scores exact', T, async () => {
    const info = await node.info();
    assert.equal(info.fullHeight, net.devnet.height());
    assert.equal(info.headersHeight, info.fullHeight);
    assert.ok(info.peersCount > 0);
    assert.equal(info.network, 'mainnet');
    assert.equal(info.parameters.blockVersion, 3);
    assert.equal(info.difficulty, 20n);
    assert.equal(typeof info.headersScore, 'bigint');
    assert.equal(info.headersScore, await rawNumber(`${node.url}/info`, 'headersScore'));
  });

  it('candidate: b round-trips exactly (≈2^252, far beyond a double)', T, async () => {
    const work = await node.miningCandidate();
    assert.equal(work.h, net.devnet.height() + 1);
    assert.equal(work.pk, net.devnet.minerPublicKey);
    assert.equal(work.b, blockTarget(20n));
    assert.equal(work.b, await rawNumber(`${node.url}/mining/candidate`, 'b'));
    assert.ok(work.b > 2n ** 250n);
    assert.notEqual(BigInt(Number(work.b)), work.b, 'a double would have lost it');
  });

  it('difficulty beyond 2^53 in /info round-trips exactly', T, async () => {
    const big = await startDevnet({ port: 0, difficulty: 123_456_789_012_345_678_901_234n });
    try {
      const client = new ErgoNodeClient({ name: 'big', url: big.url });
      const info = await client.info();
      const raw = await rawNumber(`${big.url}/info`, 'difficulty');
      assert.ok(raw > 2n ** 53n);
      assert.equal(info.difficulty, raw);
      assert.equal((await client.miningCandidate()).b, await rawNumber(`${big.url}/mining/candidate`, 'b'));
    } finally {
      await big.close();
    }
  });

  it('long-poll answers as soon as the candidate changes', T, async () => {
    const work = await node.miningCandidate();
    const started = Date.now();
    const pending = node.miningCandidate({ longPollMsg: work.msg });
    setTimeout(() => net.devnet.addMempoolTransaction(), 100);
    const next = await pending;
    assert.notEqual(next.msg, work.msg);
    assert.equal(next.h, work.h, 'same height, new mempool');
    const took = Date.now() - started;
    assert.ok(took < 15_000, `answered after ${took} ms: the devnet holds an unchanged longpoll for 25 s`);
  });

  it(
    'submitSolution: accepted once; again → "Block already solved"; a wrong nonce → typed 500',
    T,
    async () => {
      const before = net.devnet.height();
      const { id, nonce, h } = await mine();
      assert.equal(h, before + 1);
      assert.equal(net.devnet.height(), before + 1);
      await assert.rejects(node.submitSolution(nonce), (err: unknown) => {
        assert.ok(err instanceof NodeApiError);
        assert.equal(err.status, 500);
        assert.equal(err.reason, 'internal.error');
        assert.equal(err.detail, `Block already solved : Some(${id})`);
        assert.equal(err.node, 'devnet-0');
        return true;
      });
      const work = await node.miningCandidate();
      const bad = findNonce(net.kernel, work, false);
      await assert.rejects(
        node.submitSolution(bad),
        (err: unknown) =>
          err instanceof NodeApiError && err.status === 500 && err.detail === INVALID_SOLUTION,
      );
    },
  );

  it('reward address and public key match the reward script', T, async () => {
    const pk = await node.rewardPublicKey();
    assert.equal(pk, net.devnet.minerPublicKey);
    const address = await node.rewardAddress();
    const parsed = parseAddress(address, 'mainnet');
    assert.equal(parsed.type, 'P2S');
    assert.equal(parsed.ergoTree, minerRewardErgoTree(pk, REWARD_DELAY));
  });

  it(
    'blocks: ids at a height, full block, header, transactions, last headers; unknown → null/[]',
    T,
    async () => {
      const { id, nonce, h } = await mine();
      assert.deepEqual(await node.blockIdsAt(h), [id]);
      assert.deepEqual(await node.blockIdsAt(h + 1_000), []);
      const block = await node.block(id);
      assert.ok(block);
      assert.equal(block.header.id, id);
      assert.equal(block.header.height, h);
      assert.equal(block.header.powSolutions.n, nonce);
      assert.equal(block.header.powSolutions.pk, net.devnet.minerPublicKey);
      assert.equal(block.header.difficulty, '20');
      const header = await node.blockHeader(id);
      assert.deepEqual(header, block.header);
      const txs = await node.blockTransactions(id);
      assert.ok(txs);
      assert.equal(txs.headerId, id);
      assert.deepEqual(txs.transactions, block.blockTransactions.transactions);
      const coinbase = txs.transactions[0]!;
      assert.ok(coinbase.outputs.every((o) => typeof o.value === 'bigint'));
      const minerBox = coinbase.outputs.find(
        (o) => o.ergoTree === minerRewardErgoTree(net.devnet.minerPublicKey, REWARD_DELAY),
      );
      assert.ok(minerBox, 'coinbase pays the reward script');
      assert.equal(minerBox.value, minerRewardAt(h).gross);
      const last = await node.lastHeaders(3);
      assert.equal(last.length, 3);
      assert.equal(last.at(-1)!.id, id);
      assert.deepEqual(
        last.map((x) => x.height),
        [h - 2, h - 1, h],
      );
      const unknown = 'ab'.repeat(32);
      assert.equal(await node.block(unknown), null);
      assert.equal(await node.blockHeader(unknown), null);
      assert.equal(await node.blockTransactions(unknown), null);
    },
  );

  it('emission at a height matches the chain rules (net of re-emission)', T, async () => {
    const h = net.devnet.height();
    const e = await node.emissionAt(h);
    assert.equal(e.height, h);
    assert.equal(e.minerReward, minerRewardAt(h).net);
    assert.equal(e.reemitted, reemissionForHeight(h));
    assert.equal(e.totalCoinsIssued, issuedCoinsAfterHeight(h));
    assert.equal(typeof e.totalRemainCoins, 'bigint');
  });

  it('unconfirmed transactions with limit and offset', T, async () => {
    net.devnet.addMempoolTransaction();
    net.devnet.addMempoolTransaction();
    const all = await node.unconfirmedTransactions(50, 0);
    assert.ok(all.length >= 2);
    assert.ok(all.every((tx) => tx.outputs.every((o) => typeof o.value === 'bigint')));
    const second = await node.unconfirmedTransactions(1, 1);
    assert.equal(second.length, 1);
    assert.equal(second[0]!.id, all[1]!.id);
  });

  it("validateAddress: the node's verdict", T, async () => {
    assert.deepEqual(await node.validateAddress(net.devnet.walletAddress), {
      address: net.devnet.walletAddress,
      isValid: true,
    });
    const testnet = p2pkAddress(net.devnet.minerPublicKey, 'testnet');
    const v = await node.validateAddress(testnet);
    assert.equal(v.isValid, false);
    assert.ok(v.error);
  });

  it('wallet: status, lock/unlock, balances, addresses, payment, transaction lookups', T, async () => {
    for (let k = 0; k < REWARD_DELAY + 2; k++) await mine();
    const status = await node.walletStatus();
    assert.equal(status.isInitialized, true);
    assert.deepEqual(await node.walletAddresses(), [net.devnet.walletAddress]);
    const balances = await node.walletBalances();
    assert.equal(typeof balances.balance, 'bigint');
    assert.ok(balances.balance > 1_000_000_000n, `mature balance ${balances.balance}`);

    await node.walletLock();
    assert.equal((await node.walletStatus()).isUnlocked, false);
    await assert.rejects(node.paymentSend([{ address: PAYEE, value: 1_000_000_000n }]), (err: unknown) => {
      assert.ok(err instanceof NodeApiError);
      assert.equal(err.status, 400);
      assert.equal(err.reason, 'bad.request');
      assert.match(err.detail ?? '', /Wallet is locked/);
      return true;
    });
    await node.walletUnlock('any password');
    assert.equal((await node.walletStatus()).isUnlocked, true);

    const txId = await node.paymentSend([{ address: PAYEE, value: 1_234_567_891n }]);
    assert.match(txId, /^[0-9a-f]{64}$/);
    const pending = await node.walletTransactionById(txId);
    assert.ok(pending);
    assert.equal(pending.id, txId);
    const paid = pending.outputs.find((o) => o.address === PAYEE);
    assert.ok(paid);
    assert.equal(paid.value, 1_234_567_891n);
    assert.equal(paid.transactionId, txId);

    const tx2 = await node.transactionSend({
      requests: [{ address: PAYEE, value: 2_000_000_000n }],
      fee: 2_000_000n,
    });
    assert.match(tx2, /^[0-9a-f]{64}$/);
    const { h } = await mine();
    const included = await node.walletTransactionById(txId);
    assert.ok(included);
    assert.equal(included.inclusionHeight, h);
    assert.equal(included.numConfirmations, 1);
    const inRange = await node.walletTransactions({ minInclusionHeight: h, maxInclusionHeight: h });
    assert.ok(inRange.some((t) => t.id === txId));
    assert.ok(inRange.some((t) => t.id === tx2));
    assert.ok(inRange.every((t) => t.inclusionHeight === h));
    assert.equal(await node.walletTransactionById('cd'.repeat(32)), null);

    await assert.rejects(
      node.paymentSend([{ address: p2pkAddress(net.devnet.minerPublicKey, 'testnet'), value: 1n }]),
      (err: unknown) =>
        err instanceof NodeApiError && err.status === 400 && /Invalid address/.test(err.detail ?? ''),
    );
  });

  it('wallet routes with a wrong or missing api key → NodeApiError 403', T, async () => {
    for (const apiKey of ['wrong', undefined]) {
      const c = new ErgoNodeClient({ name: 'nokey', url: node.url, apiKey });
      await assert.rejects(c.walletStatus(), (err: unknown) => {
        assert.ok(err instanceof NodeApiError);
        assert.equal(err.status, 403);
        assert.equal(err.route, 'GET /wallet/status');
        return true;
      });
      await assert.rejects(
        c.paymentSend([{ address: PAYEE, value: 1n }]),
        (e: unknown) => e instanceof NodeApiError && e.status === 403,
      );
      assert.equal((await c.info()).network, 'mainnet', 'public routes need no key');
    }
    const everywhere = new ErgoNodeClient({
      name: 'all',
      url: node.url,
      apiKey: API_KEY,
      apiKeyOnAllRoutes: true,
    });
    assert.ok((await everywhere.info()).fullHeight);
  });

  it('a stalled node times out (typed), with and without retries; a down node is refused', T, async () => {
    const second = net.devnet.nodes[1]!;
    const log = new RequestLog();
    const once = new ErgoNodeClient({
      name: 'devnet-1',
      url: second.url,
      timeoutMs: 200,
      retries: 0,
      fetch: log.fetch,
    });
    const retrying = new ErgoNodeClient({
      name: 'devnet-1',
      url: second.url,
      timeoutMs: 200,
      retries: 2,
      backoff: { baseMs: 20, maxMs: 40 },
      fetch: log.fetch,
    });
    await second.setFault({ mode: 'stalled' });
    try {
      const started = Date.now();
      await assert.rejects(once.info(), (err: unknown) => {
        assert.ok(err instanceof NodeUnavailableError);
        assert.equal(err.cause, 'timeout');
        assert.equal(err.route, 'GET /info');
        return true;
      });
      assert.ok(Date.now() - started >= 190, 'it waited for its timeout');
      assert.equal(log.to(second.url, '/info').length, 1, 'retries: 0 is one request');
      await assert.rejects(
        retrying.miningCandidate(),
        (e: unknown) => e instanceof NodeUnavailableError && e.cause === 'timeout',
      );
      assert.equal(log.to(second.url, '/mining/candidate').length, 3, 'a GET is tried 1 + 2 retries times');
      await assert.rejects(
        retrying.submitSolution('0000000000000001'),
        (e: unknown) => e instanceof NodeUnavailableError && e.cause === 'timeout',
      );
      assert.equal(log.to(second.url, '/mining/solution').length, 1, 'the solution is not retried');
    } finally {
      await second.setFault({ mode: 'none' });
    }
    assert.equal((await once.info()).network, 'mainnet', 'answers again once the fault is cleared');
    await second.setFault({ mode: 'down' });
    try {
      await assert.rejects(
        once.info(),
        (e: unknown) => e instanceof NodeUnavailableError && e.cause === 'refused',
      );
    } finally {
      await second.setFault({ mode: 'none' });
    }
    assert.ok((await once.info()).fullHeight);
  });
});
