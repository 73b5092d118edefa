import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startDevnet } from '../../src/devnet/index.ts';
import { call, competitorBlock, mineBlock, startTestNet, walletHeaders } from './helpers.ts';

const PAYEE = '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA';

describe('devnet persistence', () => {
  it('saves the whole state on close and continues from it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enigmapool-devnet-'));
    const statePath = join(dir, 'state.json');
    const first = await startTestNet({ statePath, rewardDelay: 2 });
    const { id: poolBlock, work } = await mineBlock(first);
    await competitorBlock(first);
    const pay = await call(first.devnet.url, '/wallet/payment/send', {
      headers: walletHeaders,
      body: [{ address: PAYEE, value: 1_000_000_000 }],
    });
    assert.equal(pay.status, 200);
    first.devnet.addMempoolTransaction();
    const before = {
      info: (await call(first.devnet.url, '/info')).body,
      at: (await call(first.devnet.url, `/blocks/at/${work.h}`)).body,
      block: (await call(first.devnet.url, `/blocks/${poolBlock}`)).text,
      wallet: (await call(first.devnet.url, '/wallet/transactions', { headers: walletHeaders })).text,
      balances: (await call(first.devnet.url, '/wallet/balances', { headers: walletHeaders })).text,
      mempool: (await call(first.devnet.url, '/transactions/unconfirmed')).text,
    };
    const height = first.devnet.height();
    const key = first.devnet.minerPublicKey;
    await first.devnet.close();
    assert.ok(existsSync(statePath));
    assert.ok(readFileSync(statePath, 'utf8').length > 1000);

    const second = await startTestNet({ statePath, startHeight: 5_000, difficulty: 999n });
    try {
      const url = second.devnet.url;
      assert.equal(second.devnet.height(), height, 'the saved chain wins over startHeight');
      assert.equal(second.devnet.minerPublicKey, key);
      const info = (await call(url, '/info')).body;
      assert.equal(info.bestFullHeaderId, before.info.bestFullHeaderId);
      assert.equal(info.difficulty, before.info.difficulty);
      assert.equal(info.headersScore, before.info.headersScore);
      assert.deepEqual((await call(url, `/blocks/at/${work.h}`)).body, before.at);
      assert.equal((await call(url, `/blocks/${poolBlock}`)).text, before.block);
      assert.equal((await call(url, '/wallet/transactions', { headers: walletHeaders })).text, before.wallet);
      assert.equal((await call(url, '/wallet/balances', { headers: walletHeaders })).text, before.balances);
      assert.equal((await call(url, '/transactions/unconfirmed')).text, before.mempool);
      const tx = await call(url, `/wallet/transactionById?id=${pay.body}`, { headers: walletHeaders });
      assert.equal(tx.body.numConfirmations, 0);
      // And it carries on: the next block confirms the payment.
      second.clock.t = Number(info.lastSeenMessageTime) + 30_000;
      await mineBlock(second);
      const confirmed = await call(url, `/wallet/transactionById?id=${pay.body}`, { headers: walletHeaders });
      assert.equal(confirmed.body.numConfirmations, 1);
    } finally {
      await second.devnet.close();
    }
  });

  it('refuses a state file that is not one, and a network mismatch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enigmapool-devnet-'));
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, '{"hello":1}');
    await assert.rejects(startDevnet({ port: 0, statePath: junk }), /not a devnet state file/);
    const statePath = join(dir, 'state.json');
    const net = await startTestNet({ statePath });
    await net.devnet.close();
    await assert.rejects(startDevnet({ port: 0, statePath, network: 'testnet' }), /mainnet/);
  });
});
