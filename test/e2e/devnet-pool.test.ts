import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VerifierPool } from '../../src/autolykos/index.ts';
import { type Devnet, startDevnet } from '../../src/devnet/index.ts';
import { NodeSet, parseNodeJson } from '../../src/ergo/index.ts';
import { CpuMiner } from '../../src/miner/index.ts';
import { MemoryShareSink, type StratumServer } from '../../src/stratum/index.ts';
import { TestStratumClient } from '../helpers/stratum-client.ts';
import { ergoServer, MINER_ADDRESS } from '../helpers/stratum-harness.ts';

const until = async (check: () => boolean, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/**
 * The whole stratum path on the devnet: a CPU miner finds a block, the pool submits it to every healthy node
 * before answering, and the next block's work reaches every miner.
 */
describe('pool on the devnet, end to end', () => {
  let devnet: Devnet;
  let nodes: NodeSet;
  let verifier: VerifierPool;
  let stratum: StratumServer;
  let port: number;
  const sink = new MemoryShareSink();
  const blockResults: { accepted: boolean; nodes: string[] }[] = [];

  before(async () => {
    devnet = await startDevnet({ port: 0, nodes: 2, difficulty: 3000n, blockTimeSeconds: 5 });
    nodes = new NodeSet({
      nodes: devnet.nodes.map((n, k) => ({ name: `node${k}`, url: n.url, apiKey: 'devnet', priority: k })),
      walletNode: 'node0',
      pollIntervalMs: 200,
    });
    const submitter = {
      async submitSolution(nonce: string) {
        const outcome = await nodes.submitSolution(nonce);
        blockResults.push({ accepted: outcome.accepted, nodes: outcome.results.map((r) => r.node) });
        return outcome;
      },
    };
    verifier = await VerifierPool.start({ workers: 1 });
    stratum = ergoServer({ start: '1e-7', min: '1e-9', max: '1', verifier, nodes: submitter, sink });
    nodes.on('work', ({ work, blockVersion }) =>
      stratum.setWork({ msg: work.msg, b: work.b, height: work.h, version: blockVersion }),
    );
    port = (await stratum.start())[0]!.port;
    nodes.start();
    await until(() => stratum.currentJob !== null, 10_000, 'the first job');
  });

  after(async () => {
    await stratum.stop();
    await nodes.stop();
    await verifier.close();
    await devnet.close();
  });

  it('a block found by the CPU miner is submitted to every healthy node and announced to all miners', async () => {
    const watcher = await TestStratumClient.open(port);
    await watcher.send('mining.subscribe', ['watcher']);
    await watcher.send('mining.authorize', [`${MINER_ADDRESS}.watch`, 'x']);
    const first = await watcher.nextNotify();
    const startHeight = (first.params as number[])[1]!;
    await until(() => nodes.health().nodes.every((n) => n.status === 'synced'), 10_000, 'both nodes synced');

    const miner = new CpuMiner({
      url: `stratum+tcp://127.0.0.1:${port}`,
      user: `${MINER_ADDRESS}.cpu`,
      threads: 1,
    });
    await miner.start();
    try {
      await until(
        () => sink.shares.some((s) => s.isBlock && s.blockAccepted),
        120_000,
        'a block by the CPU miner',
      );
    } finally {
      await miner.stop();
    }
    const block = sink.shares.find((s) => s.isBlock && s.blockAccepted)!;
    assert.equal(block.worker, 'cpu');
    const accepted = blockResults.find((r) => r.accepted)!;
    assert.deepEqual([...accepted.nodes].sort(), ['node0', 'node1'], 'submitted to both healthy nodes');

    // The chain has our block at that height, with our nonce.
    const ids = parseNodeJson(
      await (await fetch(`${devnet.url}/blocks/at/${block.height}`)).text(),
    ) as string[];
    const header = parseNodeJson(await (await fetch(`${devnet.url}/blocks/${ids[0]}/header`)).text()) as {
      powSolutions: { n: string; pk: string };
    };
    assert.equal(header.powSolutions.n, block.nonce);
    assert.equal(header.powSolutions.pk, devnet.minerPublicKey);

    // Every miner gets work for the next height, with clean_jobs.
    const next = await watcher.waitFor(
      (m) =>
        m.method === 'mining.notify' &&
        (m.params as number[])[1]! > block.height &&
        (m.params as unknown[])[8] === true,
      10_000,
    );
    assert.ok((next.params as number[])[1]! > startHeight);
    watcher.close();
  });
});
