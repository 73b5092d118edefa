import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { accountingConfigSchema, startAccounting } from '../../src/accounting/index.ts';
import { VerifierPool } from '../../src/autolykos/index.ts';
import type { Database } from '../../src/db/index.ts';
import { type Devnet, startDevnet } from '../../src/devnet/index.ts';
import { ErgoNodeClient, ergoChainReader, ergoCoin, NodeSet, parseAddress } from '../../src/ergo/index.ts';
import { CpuMiner } from '../../src/miner/index.ts';
import { DatabaseShareStore, DurableShareSink } from '../../src/shares/index.ts';
import type { StratumServer } from '../../src/stratum/index.ts';
import { ENGINES, type Fresh, freshDatabase } from '../db/helpers.ts';
import { ergoServer } from '../helpers/stratum-harness.ts';
import { assertLedgerOk, balanceOf, minerAddress, POOL_ID } from './db-helpers.ts';

const until = async (check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

const ALICE = minerAddress('alice');
const BOB = minerAddress('bob');

/**
 * The whole path: CPU miners → stratum → durable share journal → database → block lifecycle → ledger →
 * payouts through the devnet wallet, with a shortened maturity (3 blocks).
 */
for (const engine of ENGINES) {
  describe(`pool + accounting on the devnet with CPU miners (${engine})`, () => {
    let fresh: Fresh;
    let db: Database;
    let devnet: Devnet;
    let nodes: NodeSet;
    let verifier: VerifierPool;
    let stratum: StratumServer;
    let sink: DurableShareSink;
    let journal: string;
    let port: number;

    before(async () => {
      fresh = await freshDatabase(engine, { migrated: true });
      db = fresh.db;
      devnet = await startDevnet({ port: 0, difficulty: 3000n, blockTimeSeconds: 5, rewardDelay: 3 });
      nodes = new NodeSet({
        nodes: [{ name: 'node0', url: devnet.url, apiKey: 'devnet', priority: 0 }],
        walletNode: 'node0',
        pollIntervalMs: 200,
      });
      verifier = await VerifierPool.start({ workers: 1 });
      journal = mkdtempSync(join(tmpdir(), 'enigmapool-accounting-'));
      sink = await DurableShareSink.open({
        dir: journal,
        store: new DatabaseShareStore(db, { defaultPoolId: POOL_ID, recordDelayMs: 0 }),
      });
      stratum = ergoServer({ start: '1e-7', min: '1e-9', max: '1', verifier, nodes, sink });
      nodes.on('work', ({ work, blockVersion }) =>
        stratum.setWork({ msg: work.msg, b: work.b, height: work.h, version: blockVersion }),
      );
      port = (await stratum.start())[0]!.port;
      nodes.start();
      await until(() => stratum.currentJob !== null, 10_000, 'the first job');
    });

    after(async () => {
      await stratum.stop();
      await sink.close();
      await nodes.stop();
      await verifier.close();
      await devnet.close();
      await fresh.cleanup();
      rmSync(journal, { recursive: true, force: true });
    });

    it('miners mine → blocks found → confirmed → balances → payouts in the wallet’s transactions', async () => {
      const miners = [ALICE, BOB].map(
        (address) =>
          new CpuMiner({ url: `stratum+tcp://127.0.0.1:${port}`, user: `${address}.cpu`, threads: 1 }),
      );
      // Two miners can both find a block at one height before the next job reaches them: the pool records
      // both candidates and the chain keeps one (the other is orphaned). Two heights make two blocks.
      const pooled = async () =>
        Number((await db.query<{ n: bigint }>('SELECT count(DISTINCT height) AS n FROM blocks')).rows[0]!.n);
      for (const m of miners) await m.start();
      try {
        await until(async () => (await pooled()) >= 2, 120_000, 'blocks at two heights found by the pool');
      } finally {
        for (const m of miners) await m.stop();
      }
      await until(() => sink.stats.backlog === 0, 10_000, 'every share shipped');
      const client = new ErgoNodeClient({ name: 'node0', url: devnet.url, apiKey: 'devnet' });
      const accounting = startAccounting({
        config: accountingConfigSchema.parse({
          scheme: 'pplns',
          confirmations: 3,
          orphanConfirmations: 2,
          blockCheckSeconds: 3600,
          payouts: {
            minimum: '0.1',
            txFeePaidBy: 'miners',
            intervalSeconds: 3600,
            confirmations: 1,
            inFlightGraceSeconds: 0,
          },
        }),
        db,
        poolId: POOL_ID,
        chain: () => ergoChainReader(nodes.wallet()),
        wallet: () => nodes.wallet(),
        poolPublicKey: () => client.rewardPublicKey(),
        checkAddress: ergoCoin('mainnet').checkAddress,
        maturity: ergoCoin('mainnet').rewards.maturity,
        rewardAt: ergoCoin('mainnet').rewards.blockReward,
      });
      try {
        for (let k = 0; k < 3; k++) await devnet.mineCompetitorBlock(); // maturity: 3 blocks
        await accounting.runOnce();
        const blocks = await db.query<{ height: number; status: string; reward: bigint | null }>(
          'SELECT height, status, reward FROM blocks ORDER BY height',
        );
        const confirmed = blocks.rows.filter((b) => b.status === 'confirmed');
        const shown = JSON.stringify(blocks.rows, (_k, v) => (typeof v === 'bigint' ? `${v}` : v));
        assert.ok(confirmed.length >= 2, shown);
        assert.ok(blocks.rows.every((b) => b.status !== 'pending'));
        // An orphan only lost its height to the pool's other candidate there.
        for (const b of blocks.rows.filter((r) => r.status === 'orphaned'))
          assert.ok(
            confirmed.some((c) => c.height === b.height),
            `orphaned alone at ${b.height}: ${shown}`,
          );
        await devnet.mineCompetitorBlock(); // the payment transactions are mined
        await accounting.runOnce();
        const txs = await client.walletTransactions();
        let paidTotal = 0n;
        for (const who of [ALICE, BOB]) {
          const b = await balanceOf(db, who);
          const tree = parseAddress(who).ergoTree;
          const outputs = txs.flatMap((t) => t.outputs.filter((o) => o.ergoTree === tree));
          assert.equal(b.payable, 0n, `${who} fully paid`);
          if (b.paid === 0n) continue; // a miner without shares in any window
          const sent = await db.query<{ amount: bigint; fee: bigint; n: bigint }>(
            `SELECT o.amount, p.fee, (SELECT count(*) FROM payment_outputs x WHERE x.payment_id = p.id) AS n
               FROM payment_outputs o JOIN payments p ON p.id = o.payment_id WHERE o.address = $1`,
            [who],
          );
          const row = sent.rows[0]!;
          assert.equal(outputs.length, 1, `${who}: one payment output`);
          assert.equal(outputs[0]!.value, row.amount, 'the output the ledger recorded');
          assert.equal(b.paid - outputs[0]!.value, row.fee / row.n, 'its part of the 0.001 ERG fee');
          paidTotal += b.paid;
        }
        const rewards = confirmed.reduce((s, b) => s + (b.reward ?? 0n), 0n);
        assert.equal(paidTotal, rewards, 'everything the confirmed blocks earned was paid to the miners');
        const payments = await db.query<{ status: string }>('SELECT status FROM payments');
        assert.ok(payments.rows.length > 0 && payments.rows.every((p) => p.status === 'confirmed'));
        await assertLedgerOk(db);
      } finally {
        await accounting.close();
      }
    });
  });
}
