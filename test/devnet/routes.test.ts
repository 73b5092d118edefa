import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { blockTarget, decodeCompactBits } from '../../src/autolykos/index.ts';
import {
  emissionAtHeight,
  minerRewardAt,
  minerRewardErgoTree,
  p2pkAddress,
  parseAddress,
} from '../../src/ergo/index.ts';
import { call, mineBlock, startTestNet, type TestNet, walletHeaders } from './helpers.ts';

const HEX64 = /^[0-9a-f]{64}$/;
const ERROR_KEYS = ['detail', 'error', 'reason'];

function assertNodeError(
  r: { status: number; body: Record<string, unknown> },
  status: number,
  reason: string,
) {
  assert.equal(r.status, status);
  assert.deepEqual(Object.keys(r.body).sort(), ERROR_KEYS);
  assert.equal(r.body.error, status);
  assert.equal(r.body.reason, reason);
}

describe('devnet node routes: status codes and JSON shapes', () => {
  let net: TestNet;
  let url: string;
  before(async () => {
    net = await startTestNet({ startHeight: 1_500_000 });
    url = net.devnet.url;
  });
  after(() => net.devnet.close());

  it('GET /info has every NodeInfo field, big integers as raw JSON numbers', async () => {
    const r = await call(url, '/info');
    assert.equal(r.status, 200);
    const info = r.body;
    for (const key of [
      'name',
      'appVersion',
      'network',
      'headersHeight',
      'fullHeight',
      'maxPeerHeight',
      'bestHeaderId',
      'bestFullHeaderId',
      'previousFullHeaderId',
      'difficulty',
      'headersScore',
      'fullBlocksScore',
      'unconfirmedCount',
      'stateRoot',
      'stateType',
      'stateVersion',
      'isMining',
      'isExplorer',
      'peersCount',
      'launchTime',
      'lastSeenMessageTime',
      'lastMemPoolUpdateTime',
      'genesisBlockId',
      'parameters',
      'eip27Supported',
      'eip37Supported',
    ]) {
      assert.ok(key in info, `missing ${key}`);
    }
    assert.equal(info.network, 'mainnet');
    assert.match(info.name, /^ergo-mainnet-/);
    assert.equal(info.fullHeight, 1_500_000);
    assert.equal(info.headersHeight, info.fullHeight);
    assert.equal(info.difficulty, 20);
    assert.equal(typeof info.headersScore, 'bigint', 'scores beyond 2^53 parse as bigint');
    assert.match(r.text, /"headersScore":\d{20,}/, 'raw JSON number, not a string');
    assert.equal(info.isMining, true);
    assert.equal(info.parameters.blockVersion, 3);
    assert.match(info.bestFullHeaderId, HEX64);
  });

  it('GET /mining/candidate is a WorkMessage with b > 2^53 exact as a raw number', async () => {
    const r = await call(url, '/mining/candidate');
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body).sort(), ['b', 'h', 'msg', 'pk']);
    assert.match(r.body.msg, HEX64);
    assert.equal(r.body.h, 1_500_001);
    assert.equal(r.body.pk, net.devnet.minerPublicKey);
    assert.equal(typeof r.body.b, 'bigint');
    assert.ok(r.body.b > 2n ** 53n);
    assert.equal(r.body.b, blockTarget(20n));
    assert.ok(r.text.includes(`"b":${blockTarget(20n)}`), 'b written as a raw JSON integer');
  });

  it('POST /mining/solution: a malformed body → 400 bad.request', async () => {
    assertNodeError(await call(url, '/mining/solution', { body: { n: 'xyz' } }), 400, 'bad.request');
    assertNodeError(await call(url, '/mining/solution', { rawBody: '{"n": ' }), 400, 'bad.request');
  });

  it('GET /mining/rewardAddress and /mining/rewardPublicKey', async () => {
    const a = await call(url, '/mining/rewardAddress');
    assert.equal(a.status, 200);
    const parsed = parseAddress(a.body.rewardAddress, 'mainnet');
    assert.equal(parsed.type, 'P2S');
    assert.equal(parsed.ergoTree, minerRewardErgoTree(net.devnet.minerPublicKey, 720));
    const k = await call(url, '/mining/rewardPublicKey');
    assert.deepEqual(k.body, { rewardPubkey: net.devnet.minerPublicKey });
    assert.equal(net.devnet.walletAddress, p2pkAddress(net.devnet.minerPublicKey, 'mainnet'));
  });

  it('GET /blocks/at, /blocks/{id}, /header, /transactions, /lastHeaders', async () => {
    const { id, work } = await mineBlock(net);
    const at = await call(url, `/blocks/at/${work.h}`);
    assert.equal(at.status, 200);
    assert.deepEqual(at.body, [id]);
    assert.deepEqual((await call(url, '/blocks/at/99999999')).body, [], 'unknown height → 200 []');
    assert.equal((await call(url, `/blocks/at/${work.h - 9}`)).body.length, 1, 'synthesized history');

    const header = await call(url, `/blocks/${id}/header`);
    assert.equal(header.status, 200);
    for (const key of [
      'id',
      'parentId',
      'height',
      'timestamp',
      'version',
      'nBits',
      'difficulty',
      'powSolutions',
      'votes',
      'transactionsRoot',
      'stateRoot',
      'adProofsRoot',
      'extensionHash',
      'size',
      'extensionId',
      'transactionsId',
      'adProofsId',
      'unparsedBytes',
    ]) {
      assert.ok(key in header.body, `header.${key}`);
    }
    assert.equal(typeof header.body.difficulty, 'string');
    assert.equal(typeof header.body.nBits, 'number');
    assert.equal(BigInt(header.body.difficulty), decodeCompactBits(header.body.nBits));
    assert.deepEqual(Object.keys(header.body.powSolutions).sort(), ['d', 'n', 'pk', 'w']);
    assert.equal(header.body.powSolutions.pk, net.devnet.minerPublicKey);

    const full = await call(url, `/blocks/${id}`);
    assert.equal(full.status, 200);
    assert.deepEqual(Object.keys(full.body).sort(), [
      'adProofs',
      'blockTransactions',
      'extension',
      'header',
      'size',
    ]);
    assert.deepEqual(full.body.header, header.body);

    const txs = await call(url, `/blocks/${id}/transactions`);
    assert.equal(txs.status, 200);
    assert.equal(txs.body.headerId, id);
    const emission = txs.body.transactions[0];
    const miner = emission.outputs[1];
    for (const key of [
      'boxId',
      'value',
      'ergoTree',
      'assets',
      'creationHeight',
      'additionalRegisters',
      'transactionId',
      'index',
    ]) {
      assert.ok(key in miner, `output.${key}`);
    }
    const reward = minerRewardAt(work.h);
    assert.equal(BigInt(miner.value), reward.gross);
    assert.equal(miner.ergoTree, minerRewardErgoTree(net.devnet.minerPublicKey, 720));
    assert.equal(BigInt(miner.assets[0].amount), reward.reemissionTokens);

    const last = await call(url, '/blocks/lastHeaders/5');
    assert.equal(last.status, 200);
    assert.equal(last.body.length, 5);
    assert.equal(last.body[4].id, id, 'oldest first, tip last');
    assert.equal(last.body[3].id, header.body.parentId);

    const paged = await call(url, `/blocks?offset=${work.h - 1}&limit=5`);
    assert.deepEqual(paged.body, [header.body.parentId, id]);

    assertNodeError(await call(url, `/blocks/${'ab'.repeat(32)}`), 404, 'not-found');
    assertNodeError(await call(url, `/blocks/${'ab'.repeat(32)}/header`), 404, 'not-found');
    assertNodeError(await call(url, '/blocks/nothex/transactions'), 404, 'not-found');
    assertNodeError(await call(url, '/no/such/route'), 404, 'not-found');
  });

  it('GET /emission/at/{h}: net miner reward, issued and remaining coins, re-emission', async () => {
    const r = await call(url, '/emission/at/1500000');
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body).sort(), [
      'height',
      'minerReward',
      'reemitted',
      'totalCoinsIssued',
      'totalRemainCoins',
    ]);
    assert.equal(emissionAtHeight(1_500_000), 27_000_000_000n);
    assert.equal(r.body.minerReward, 15_000_000_000);
    assert.equal(r.body.reemitted, 12_000_000_000);
    assert.equal(typeof r.body.totalCoinsIssued, 'bigint');
  });

  it('GET /transactions/unconfirmed lists the mempool', async () => {
    assert.deepEqual((await call(url, '/transactions/unconfirmed')).body, []);
    net.devnet.addMempoolTransaction();
    const r = await call(url, '/transactions/unconfirmed');
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 1);
    assert.match(r.body[0].id, HEX64);
    assert.equal((await call(url, '/info')).body.unconfirmedCount, 1);
  });

  it('GET /utils/address/{a} checks checksum and network', async () => {
    const good = await call(url, `/utils/address/${net.devnet.walletAddress}`);
    assert.deepEqual(good.body, { address: net.devnet.walletAddress, isValid: true });
    const broken = `${net.devnet.walletAddress.slice(0, -1)}${net.devnet.walletAddress.endsWith('a') ? 'b' : 'a'}`;
    const bad = await call(url, `/utils/address/${broken}`);
    assert.equal(bad.status, 200);
    assert.equal(bad.body.isValid, false);
    assert.equal(typeof bad.body.error, 'string');
    const testnet = p2pkAddress(net.devnet.minerPublicKey, 'testnet');
    assert.equal((await call(url, `/utils/address/${testnet}`)).body.isValid, false);
    const posted = await call(url, '/utils/address', { body: net.devnet.walletAddress });
    assert.equal(posted.body.isValid, true);
  });

  it('wallet routes: 403 without or with a wrong api_key', async () => {
    for (const path of ['/wallet/status', '/wallet/balances', '/wallet/addresses', '/wallet/transactions']) {
      assertNodeError(await call(url, path), 403, 'invalid.api-key');
      assertNodeError(await call(url, path, { headers: { api_key: 'nope' } }), 403, 'invalid.api-key');
    }
    assertNodeError(await call(url, '/wallet/payment/send', { body: [] }), 403, 'invalid.api-key');
  });

  it('wallet routes: shapes', async () => {
    const h = walletHeaders;
    const status = await call(url, '/wallet/status', { headers: h });
    assert.equal(status.status, 200);
    assert.deepEqual(status.body, {
      isInitialized: true,
      isUnlocked: true,
      changeAddress: net.devnet.walletAddress,
      walletHeight: net.devnet.height(),
      error: '',
    });
    const balances = await call(url, '/wallet/balances', { headers: h });
    assert.deepEqual(Object.keys(balances.body).sort(), ['assets', 'balance', 'height']);
    assert.equal(balances.body.balance, 0, 'a fresh pool block is not mature');
    assert.deepEqual((await call(url, '/wallet/addresses', { headers: h })).body, [net.devnet.walletAddress]);
    const txs = await call(url, '/wallet/transactions', { headers: h });
    assert.equal(txs.status, 200);
    assert.equal(txs.body.length, 1, "the pool block's emission tx");
    for (const key of [
      'id',
      'inputs',
      'dataInputs',
      'outputs',
      'size',
      'inclusionHeight',
      'numConfirmations',
      'scans',
    ]) {
      assert.ok(key in txs.body[0], `WalletTransaction.${key}`);
    }
    assert.ok(txs.body[0].outputs.every((o: { address?: string }) => typeof o.address === 'string'));
    const byId = await call(url, `/wallet/transactionById?id=${txs.body[0].id}`, { headers: h });
    assert.deepEqual(byId.body, txs.body[0]);
    assertNodeError(
      await call(url, `/wallet/transactionById?id=${'00'.repeat(32)}`, { headers: h }),
      404,
      'not-found',
    );
    assertNodeError(await call(url, '/wallet/transactionById', { headers: h }), 400, 'bad.request');
    assertNodeError(
      await call(url, '/wallet/transactions?minInclusionHeight=x', { headers: h }),
      400,
      'bad.request',
    );

    assert.equal((await call(url, '/wallet/lock', { headers: h })).status, 200);
    assert.equal((await call(url, '/wallet/status', { headers: h })).body.isUnlocked, false);
    assertNodeError(await call(url, '/wallet/unlock', { headers: h, body: {} }), 400, 'bad.request');
    assert.equal((await call(url, '/wallet/unlock', { headers: h, body: { pass: 'x' } })).status, 200);
    assert.equal((await call(url, '/wallet/status', { headers: h })).body.isUnlocked, true);
  });
});
