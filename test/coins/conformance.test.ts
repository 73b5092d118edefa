import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlockTracker, checkDatabaseLedger, parseFees } from '../../src/accounting/index.ts';
import { type CoinWork, parseDifficulty } from '../../src/coin/index.ts';
import { migrate, openDatabase } from '../../src/db/index.ts';
import { DatabaseShareStore, DurableShareSink } from '../../src/shares/index.ts';
import { type ShareSink, StratumServer } from '../../src/stratum/index.ts';
import { type StratumMessage, TestStratumClient } from '../helpers/stratum-client.ts';
import { portConfig } from '../helpers/stratum-harness.ts';
import { tempDir, until } from '../shares/helpers.ts';
import { type CoinFixture, ergoFixture, toyFixture } from './fixtures.ts';
import { TINY_POOL_KEY, type TinyChain } from './tiny-chain.ts';

/**
 * The same stratum, pipeline and block-lifecycle tests for every coin (issue 14): Ergo, and Toycoin
 * (test/coins/toycoin), a coin that exists only here, with its own algorithm, dialect and tiny chain. The
 * server, the pipeline and accounting are untouched by it: a new coin is a folder.
 */
const POOL = 'main';
const code = (reply: StratumMessage) => (reply.error as unknown[] | null)?.[0] ?? null;

interface Mining<W extends CoinWork> {
  server: StratumServer;
  chain: TinyChain<W>;
  port: number;
  close(): Promise<void>;
}

async function startMining<W extends CoinWork>(f: CoinFixture<W>, sink: ShareSink): Promise<Mining<W>> {
  const chain = f.chain();
  const d = parseDifficulty(f.difficulty);
  const server = new StratumServer({
    pools: [
      {
        id: POOL,
        coin: f.coin,
        ports: [portConfig({ startDifficulty: d, minDifficulty: d, maxDifficulty: d })],
        checker: f.checker,
        blocks: chain,
      },
    ],
    sink,
    extranonce1Size: 2,
  });
  const port = (await server.start())[0]!.port;
  const stop = chain.onWork((work) => server.setWork(work));
  return {
    server,
    chain,
    port,
    async close() {
      stop();
      await server.stop();
    },
  };
}

/** A subscribed, authorized miner of the coin with its extranonce1 and first job. */
async function connect<W extends CoinWork>(f: CoinFixture<W>, port: number, worker = 'rig') {
  const client = await TestStratumClient.open(port);
  const sub = await client.send('mining.subscribe', ['conformance/1.0']);
  const extranonce1 = String((sub.result as unknown[])[1]);
  const login = `${f.address}.${worker}`;
  assert.equal((await client.send('mining.authorize', [login, 'x'])).result, true);
  const notify = await client.nextNotify();
  return { client, extranonce1, login, jobId: f.jobIdOf(notify) };
}

type Kind = 'block' | 'share' | 'low';

/** The next nonces of a miner's space until one of the wanted kind, judged with the coin's own checker. */
async function findNonce<W extends CoinWork>(
  f: CoinFixture<W>,
  work: W,
  extranonce1: string,
  start: { k: number },
  want: Kind,
): Promise<string> {
  const target = f.coin.stratum.shareTarget(work, parseDifficulty(f.difficulty));
  for (let tries = 0; tries < 20_000; tries++) {
    const nonce = extranonce1 + (start.k++).toString(16).padStart(16 - extranonce1.length, '0');
    const hit = await f.checker.hit(work, nonce);
    const kind: Kind = f.coin.stratum.isBlock(work, hit) ? 'block' : hit < target ? 'share' : 'low';
    if (kind === want) return nonce;
  }
  throw new Error(`no ${want} nonce in 20,000 tries`);
}

for (const make of [ergoFixture, toyFixture]) {
  describe(`stratum and pipeline, coin by coin (issue 14): ${make.name.replace('Fixture', '')}`, () => {
    let f: CoinFixture;
    before(async () => {
      f = (await make()) as unknown as CoinFixture;
    });
    after(() => f.close());

    it('speaks the coin’s dialect: subscribe, authorize, its job lines; an address of another network is refused', async () => {
      const sink: ShareSink = { record: async () => undefined };
      const m = await startMining(f, sink);
      try {
        const miner = await connect(f, m.port);
        assert.match(miner.extranonce1, /^[0-9a-f]{4}$/);
        assert.ok(miner.jobId.length > 0);
        const bad = await miner.client.send('mining.authorize', [`${f.badAddress}.x`, 'x']);
        assert.equal(code(bad), 24);
        assert.match(String((bad.error as unknown[])[1]), new RegExp(`invalid ${f.coin.network} address`));
        miner.client.close();
      } finally {
        await m.close();
      }
    });

    it('checks each share with the coin’s proof of work; refuses duplicates, unknown jobs, bad nonces and low difficulty', async () => {
      const recorded: Parameters<ShareSink['record']>[0][] = [];
      const m = await startMining(f, { record: async (s) => void recorded.push(s) });
      try {
        const miner = await connect(f, m.port);
        const work = m.chain.current;
        const k = { k: 1 };
        const share = await findNonce(f, work, miner.extranonce1, k, 'share');
        const ok = await miner.client.send('mining.submit', f.submit(miner.login, miner.jobId, share));
        assert.equal(ok.result, true);
        const [s] = recorded;
        assert.ok(s);
        assert.deepEqual([s.poolId, s.nonce, s.height, s.isBlock], [POOL, share, work.height, false]);
        const target = f.coin.stratum.shareTarget(work, parseDifficulty(f.difficulty));
        assert.equal(s.expectedHashes, f.coin.stratum.expectedHashes(target));
        assert.equal(s.hit, await f.checker.hit(work, share));

        const again = await miner.client.send('mining.submit', f.submit(miner.login, miner.jobId, share));
        assert.equal(code(again), 22, 'duplicate');
        const unknown = await miner.client.send('mining.submit', f.submit(miner.login, 'nope', share));
        assert.equal(code(unknown), 21, 'job not found');
        const foreign = await miner.client.send(
          'mining.submit',
          f.submit(miner.login, miner.jobId, 'ffff000000000001'),
        );
        assert.equal(code(foreign), 20, 'a nonce outside the connection’s space');
        const low = await findNonce(f, work, miner.extranonce1, k, 'low');
        const short = await miner.client.send('mining.submit', f.submit(miner.login, miner.jobId, low));
        assert.equal(code(short), 23, 'low difficulty');
        assert.equal(recorded.length, 1);
        miner.client.close();
      } finally {
        await m.close();
      }
    });

    it('a block: on the coin’s chain before the reply, recorded as a block; the next height’s job reaches every miner and the old one is stale', async () => {
      const recorded: Parameters<ShareSink['record']>[0][] = [];
      const m = await startMining(f, { record: async (s) => void recorded.push(s) });
      try {
        const finder = await connect(f, m.port, 'finder');
        const other = await connect(f, m.port, 'other');
        const work = m.chain.current;
        const k = { k: 1 };
        const block = await findNonce(f, work, finder.extranonce1, k, 'block');
        const otherShare = await findNonce(f, work, other.extranonce1, { k: 1 }, 'share');
        const reply = await finder.client.send('mining.submit', f.submit(finder.login, finder.jobId, block));
        assert.equal(reply.result, true);
        assert.deepEqual(
          m.chain.blocks,
          [{ height: work.height, nonce: block }],
          'submitted before the reply',
        );
        const found = recorded.find((s) => s.isBlock)!;
        assert.deepEqual([found.nonce, found.blockAccepted, found.acceptedBy], [block, true, ['tiny']]);
        assert.equal(m.server.counters.block, 1);
        for (const miner of [finder, other]) {
          const next = await miner.client.nextNotify();
          assert.notEqual(f.jobIdOf(next), miner.jobId, 'a new job for the next height');
        }
        const stale = await other.client.send(
          'mining.submit',
          f.submit(other.login, other.jobId, otherShare),
        );
        assert.equal(code(stale), 21);
        assert.match(String((stale.error as unknown[])[1]), /stale/);
        finder.client.close();
        other.client.close();
      } finally {
        await m.close();
      }
    });

    it('the share pipeline and accounting: shares and the block land under the pool once; the block matures on the coin’s chain with the coin’s reward, credited to its finder', async (t) => {
      const dir = tempDir(t, 'ep-coin-');
      const db = await openDatabase({ dataDir: join(dir, 'db') });
      await migrate(db);
      const store = new DatabaseShareStore(db, {
        defaultPoolId: 'default',
        instance: '00',
        recordDelayMs: 0,
      });
      const sink = await DurableShareSink.open({ dir: join(dir, 'journal'), store, heartbeatMs: 100 });
      const m = await startMining(f, sink);
      try {
        const miner = await connect(f, m.port);
        const work = m.chain.current;
        const k = { k: 1 };
        const nonces = [
          await findNonce(f, work, miner.extranonce1, k, 'share'),
          await findNonce(f, work, miner.extranonce1, k, 'share'),
          await findNonce(f, work, miner.extranonce1, k, 'block'),
        ];
        for (const nonce of nonces)
          assert.equal(
            (await miner.client.send('mining.submit', f.submit(miner.login, miner.jobId, nonce))).result,
            true,
          );
        await until(async () => store.inserted.shares === 3, 10_000, 'three shares shipped');
        const shares = await db.query<{ nonce: string; height: number; is_block: boolean; pool_id: string }>(
          'SELECT nonce, height, is_block, pool_id FROM shares ORDER BY created_at, nonce',
        );
        assert.deepEqual(new Set(shares.rows.map((r) => r.nonce)), new Set(nonces));
        assert.ok(shares.rows.every((r) => r.height === work.height && r.pool_id === POOL));
        const blocks = await db.query<{ nonce: string; status: string; pool_id: string }>(
          'SELECT nonce, status, pool_id FROM blocks',
        );
        assert.deepEqual(blocks.rows, [{ nonce: nonces[2], status: 'pending', pool_id: POOL }]);

        // Accounting on the coin's chain: the block matures after 3 more blocks, paying the coin's reward
        // (its RewardRules) to its finder (SOLO), and the ledger balances.
        const tracker = new BlockTracker({
          db,
          poolId: POOL,
          chain: () => m.chain.reader(f.coin.rewards.blockReward),
          poolPublicKey: TINY_POOL_KEY,
          scheme: 'solo',
          fees: parseFees([]),
          pplnsFactor: { num: 2n, den: 1n },
          rules: { confirmations: 3, orphanConfirmations: 2, giveUpAfter: 10 },
        });
        for (let k = 0; k < 2; k++) m.chain.advance();
        const reward = f.coin.rewards.blockReward(work.height);
        assert.ok(reward > 0n);
        // Crediting waits until the journal's shipper reports every share up to the block's time as stored.
        await until(async () => (await tracker.tick()).confirmed === 1, 20_000, 'the block confirmed');
        const found = await db.query<{ status: string; reward: bigint }>('SELECT status, reward FROM blocks');
        assert.deepEqual(found.rows, [{ status: 'confirmed', reward }]);
        const balance = await db.query<{ address: string; payable: bigint }>(
          'SELECT address, payable FROM balances WHERE pool_id = $1',
          [POOL],
        );
        assert.deepEqual(balance.rows, [{ address: f.address, payable: reward }]);
        assert.deepEqual(await checkDatabaseLedger(db), []);
        miner.client.close();
      } finally {
        await m.close();
        await sink.close(5000);
        await db.close();
      }
    });
  });
}

describe('one stratum server, two pools of two coins (issue 14)', () => {
  it('each port speaks its own coin, shares carry their pool, and no extranonce1 is handed out twice', async () => {
    const ergo = await ergoFixture();
    const toy = await toyFixture();
    const ergoChain = ergo.chain();
    const toyChainOf = toy.chain();
    const recorded: Parameters<ShareSink['record']>[0][] = [];
    const port = (f: CoinFixture<CoinWork>) => {
      const d = parseDifficulty(f.difficulty);
      return {
        port: 0,
        host: '127.0.0.1',
        startDifficulty: d,
        minDifficulty: d,
        maxDifficulty: d,
        vardiff: null,
      };
    };
    const server = new StratumServer({
      pools: [
        {
          id: 'erg',
          coin: ergo.coin,
          ports: [port(ergo as never)],
          checker: ergo.checker,
          blocks: ergoChain,
        },
        { id: 'toy', coin: toy.coin, ports: [port(toy as never)], checker: toy.checker, blocks: toyChainOf },
      ],
      sink: { record: async (s) => void recorded.push(s) },
      extranonce1Size: 1,
    });
    const [ergoPort, toyPort] = await server.start();
    const stops = [
      ergoChain.onWork((w) => server.setWork(w, 'erg')),
      toyChainOf.onWork((w) => server.setWork(w, 'toy')),
    ];
    try {
      assert.deepEqual([ergoPort!.pool, toyPort!.pool], ['erg', 'toy']);
      assert.throws(() => server.setWork(ergoChain.current), /name the pool/);
      const miners = [];
      for (let k = 0; k < 6; k++)
        miners.push(
          await connect(k % 2 ? (toy as never) : (ergo as never), k % 2 ? toyPort!.port : ergoPort!.port),
        );
      assert.equal(new Set(miners.map((m) => m.extranonce1)).size, 6, 'one extranonce1 space for both pools');
      const toyMiner = miners[1]!;
      const toyShare = await findNonce(toy, toyChainOf.current, toyMiner.extranonce1, { k: 1 }, 'share');
      const ok = await toyMiner.client.send(
        'mining.submit',
        toy.submit(toyMiner.login, toyMiner.jobId, toyShare),
      );
      assert.equal(ok.result, true);
      const ergoMiner = miners[0]!;
      const ergoShare = await findNonce(ergo, ergoChain.current, ergoMiner.extranonce1, { k: 1 }, 'share');
      const ok2 = await ergoMiner.client.send(
        'mining.submit',
        ergo.submit(ergoMiner.login, ergoMiner.jobId, ergoShare),
      );
      assert.equal(ok2.result, true);
      assert.deepEqual(
        recorded.map((s) => [s.poolId, s.nonce]),
        [
          ['toy', toyShare],
          ['erg', ergoShare],
        ],
      );
      const wrongDialect = await toyMiner.client.send(
        'mining.submit',
        ergo.submit(toyMiner.login, toyMiner.jobId, toyShare),
      );
      assert.notEqual(wrongDialect.result, true, 'an Ergo-shaped submit means nothing on the Toycoin port');
      for (const m of miners) m.client.close();
    } finally {
      for (const stop of stops) stop();
      await server.stop();
      await ergo.close();
    }
  });
});
