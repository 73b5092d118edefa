import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FEE_ERGO_TREE, PAY_TO_REEMISSION_ADDRESS } from '../../src/devnet/index.ts';
import { p2pkAddress, parseAddress, REEMISSION_TOKEN_ID } from '../../src/ergo/index.ts';
import {
  call,
  candidate,
  competitorBlock,
  mineBlock,
  startTestNet,
  type TestNet,
  walletHeaders,
} from './helpers.ts';

const ERG = 1_000_000_000n;
const PAYEE = '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA';
const h = walletHeaders;

describe('devnet wallet', () => {
  let net: TestNet;
  let url: string;
  before(async () => {
    // Height 1.5 M: the miner box holds 27 ERG carrying 12 ERG of re-emission tokens (net 15 ERG).
    net = await startTestNet({ startHeight: 1_500_000, rewardDelay: 3 });
    url = net.devnet.url;
  });
  after(() => net.devnet.close());

  const balance = async () => BigInt((await call(url, '/wallet/balances', { headers: h })).body.balance);
  const tx = async (id: string) => call(url, `/wallet/transactionById?id=${id}`, { headers: h });

  let firstPoolHeight = 0;
  let firstPayment = '';

  it('counts a reward only after rewardDelay confirmations, net of re-emission tokens', async () => {
    const { id: blockId, work: firstWork } = await mineBlock(net);
    firstPoolHeight = firstWork.h;
    const coinbase = (await call(url, `/blocks/${blockId}/transactions`)).body.transactions[0];
    const rewardAddress = (await call(url, '/mining/rewardAddress')).body.rewardAddress;
    let w = await tx(coinbase.id);
    assert.equal(w.status, 200);
    assert.equal(w.body.numConfirmations, 1);
    assert.equal(w.body.inclusionHeight, net.devnet.height());
    const mine = w.body.outputs.filter((o: { address: string }) => o.address === rewardAddress);
    assert.equal(mine.length, 1);
    assert.equal(BigInt(mine[0].value), 27n * ERG);
    assert.deepEqual(mine[0].assets, [{ tokenId: REEMISSION_TOKEN_ID, amount: Number(12n * ERG) }]);
    assert.equal(await balance(), 0n);
    await competitorBlock(net);
    assert.equal(await balance(), 0n, '2 confirmations < 3');
    await competitorBlock(net);
    w = await tx(coinbase.id);
    assert.equal(w.body.numConfirmations, 3);
    const b = (await call(url, '/wallet/balances', { headers: h })).body;
    assert.equal(BigInt(b.balance), 15n * ERG, 'gross 27 − 12 re-emission tokens');
    assert.deepEqual(b.assets, {}, 're-emission tokens are not listed as assets');
    assert.equal(b.height, net.devnet.height());
  });

  it('rejects bad payments with 400 bad.request naming the problem', async () => {
    const broken = `${PAYEE.slice(0, -1)}x`;
    let r = await call(url, '/wallet/payment/send', {
      headers: h,
      body: [{ address: broken, value: 1_000_000 }],
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.reason, 'bad.request');
    assert.ok(r.body.detail.includes(broken), r.body.detail);

    const testnet = p2pkAddress(net.devnet.minerPublicKey, 'testnet');
    r = await call(url, '/wallet/payment/send', {
      headers: h,
      body: [
        { address: PAYEE, value: 1_000_000 },
        { address: testnet, value: 1_000_000 },
      ],
    });
    assert.equal(r.status, 400);
    assert.ok(r.body.detail.includes(testnet));

    r = await call(url, '/wallet/payment/send', { headers: h, body: [{ address: PAYEE, value: 16n * ERG }] });
    assert.equal(r.status, 400);
    assert.match(r.body.detail, /^Bad request .*NotEnoughErgsError/s);

    assert.equal((await call(url, '/wallet/payment/send', { headers: h, body: [] })).status, 400);
    assert.equal(
      (await call(url, '/wallet/payment/send', { headers: h, body: [{ address: PAYEE }] })).status,
      400,
    );

    await call(url, '/wallet/lock', { headers: h });
    r = await call(url, '/wallet/payment/send', { headers: h, body: [{ address: PAYEE, value: ERG }] });
    assert.equal(r.status, 400);
    assert.match(r.body.detail, /locked/);
    await call(url, '/wallet/unlock', { headers: h, body: { pass: 'secret' } });
    assert.equal(await balance(), 15n * ERG, 'nothing was spent');
  });

  it('pays: tx id as a JSON string, mempool, then confirmations as blocks arrive', async () => {
    const before = await candidate(url);
    const r = await call(url, '/wallet/payment/send', {
      headers: h,
      body: [{ address: PAYEE, value: 5n * ERG }],
    });
    assert.equal(r.status, 200);
    assert.match(r.text, /^"[0-9a-f]{64}"$/);
    const id = r.body as string;
    firstPayment = id;
    const after = await candidate(url);
    assert.equal(after.h, before.h);
    assert.notEqual(after.msg, before.msg, 'the payment enters the candidate');
    assert.ok((await call(url, '/transactions/unconfirmed')).body.some((t: { id: string }) => t.id === id));
    let w = await tx(id);
    assert.equal(w.status, 200);
    assert.equal(w.body.numConfirmations, 0);
    assert.equal(await balance(), 0n, 'the spent reward box is no longer available');

    const outputs = w.body.outputs as { address: string; value: bigint | number; ergoTree: string }[];
    assert.equal(BigInt(outputs.find((o) => o.address === PAYEE)!.value), 5n * ERG);
    assert.equal(BigInt(outputs.find((o) => o.ergoTree === FEE_ERGO_TREE)!.value), 1_000_000n);
    const reemission = outputs.find((o) => o.ergoTree === parseAddress(PAY_TO_REEMISSION_ADDRESS).ergoTree)!;
    assert.equal(BigInt(reemission.value), 12n * ERG);
    const change = outputs.find((o) => o.address === net.devnet.walletAddress)!;
    assert.equal(BigInt(change.value), 27n * ERG - 5n * ERG - 1_000_000n - 12n * ERG);

    await competitorBlock(net);
    w = await tx(id);
    assert.equal(w.body.numConfirmations, 1);
    assert.equal(w.body.inclusionHeight, net.devnet.height());
    assert.deepEqual((await call(url, '/transactions/unconfirmed')).body, []);
    const inBlock = (await call(url, `/blocks/at/${net.devnet.height()}`)).body[0];
    const blockTxs = (await call(url, `/blocks/${inBlock}/transactions`)).body.transactions;
    assert.ok(blockTxs.some((t: { id: string }) => t.id === id));
    assert.equal(
      await balance(),
      27n * ERG - 5n * ERG - 1_000_000n - 12n * ERG,
      'confirmed change is spendable',
    );
    await competitorBlock(net);
    assert.equal((await tx(id)).body.numConfirmations, 2);
  });

  it('POST /wallet/transaction/send with an explicit fee; /wallet/transactions filters by inclusion height', async () => {
    const r = await call(url, '/wallet/transaction/send', {
      headers: h,
      body: { requests: [{ address: PAYEE, value: ERG }], fee: 2_000_000, inputsRaw: [], dataInputsRaw: [] },
    });
    assert.equal(r.status, 200);
    const w = (await tx(r.body)).body;
    assert.equal(
      BigInt(w.outputs.find((o: { ergoTree: string }) => o.ergoTree === FEE_ERGO_TREE).value),
      2_000_000n,
    );
    const { work } = await mineBlock(net);
    const all = (await call(url, '/wallet/transactions', { headers: h })).body as {
      inclusionHeight: number;
    }[];
    assert.ok(all.length >= 4);
    const recent = (await call(url, `/wallet/transactions?minInclusionHeight=${work.h}`, { headers: h }))
      .body;
    assert.ok(recent.length >= 2, 'payment + pool coinbase at the same height');
    assert.ok(recent.every((t: { inclusionHeight: number }) => t.inclusionHeight >= work.h));
    const old = (await call(url, `/wallet/transactions?maxInclusionHeight=${work.h - 1}`, { headers: h }))
      .body;
    assert.equal(old.length + recent.length, all.length);
    assert.equal(
      (await call(url, '/wallet/transaction/send', { headers: h, body: { requests: [], inputsRaw: ['00'] } }))
        .status,
      400,
    );
  });

  it('a reorg that orphans the rewards also drops the payments that spent them', async () => {
    assert.equal((await tx(firstPayment)).status, 200);
    await net.devnet.reorg(firstPoolHeight);
    assert.equal((await tx(firstPayment)).status, 404);
    assert.deepEqual((await call(url, '/wallet/transactions', { headers: h })).body, []);
    assert.equal(await balance(), 0n);
    for (let k = 0; k < 4; k++) await competitorBlock(net);
    assert.equal(await balance(), 0n);
  });
});
