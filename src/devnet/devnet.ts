import { EventEmitter } from 'node:events';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { CURRENT_MAINNET_HEIGHT, hexToBytes, loadKernel } from '../autolykos/index.ts';
import { MINER_REWARD_DELAY } from '../ergo/index.ts';
import type { StoredBlock } from './blocks.ts';
import { NodeEndpoint } from './endpoint.ts';
import { createNodeApp } from './http/app.ts';
import type { DevnetControl } from './http/context.ts';
import { workMessage } from './http/routes-node.ts';
import { loadStateFile, StateSaver } from './persistence.ts';
import { DeterministicRandom } from './random.ts';
import { Simulation } from './simulation.ts';
import type { SimParams } from './state.ts';
import { TimerSet } from './timers.ts';
import type { Devnet, DevnetBlockEvent, DevnetFault, DevnetOptions } from './types.ts';
import { WalletService } from './wallet-service.ts';

export const DEFAULT_PORT = 9053;
export const DEFAULT_DIFFICULTY = 200_000n;
/** Detail of POST /mining/solution on a node with the 'reject-solutions' fault. */
export const REJECTED_SOLUTION = 'Invalid block mined: block is not applicable to the current state';

interface Settings extends SimParams {
  host: string;
  port: number;
  nodes: number;
  competitorBlockTimeSeconds: number | null;
  mempoolIntervalMs: number | null;
  apiKey: string;
  statePath: string | null;
  nodeKeys: 'shared' | 'own';
}

function positive(value: number | undefined | null, name: string, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw new RangeError(`${name} must be a positive number`);
  return v;
}

function whole(value: number | undefined, name: string, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min || v > max)
    throw new RangeError(`${name} must be a whole number between ${min} and ${max}`);
  return v;
}

/** Options with defaults applied; a RangeError names the first bad option. */
export function resolveOptions(o: DevnetOptions): Settings {
  const port = whole(o.port, 'port', DEFAULT_PORT, 0, 65_535);
  const nodes = whole(o.nodes, 'nodes', 1, 1, 64);
  if (port !== 0 && port + nodes - 1 > 65_535) throw new RangeError('port + nodes − 1 must not exceed 65535');
  const difficulty = o.difficulty ?? DEFAULT_DIFFICULTY;
  if (typeof difficulty !== 'bigint' || difficulty < 1n)
    throw new RangeError('difficulty must be a bigint ≥ 1');
  const network = o.network ?? 'mainnet';
  if (network !== 'mainnet' && network !== 'testnet')
    throw new RangeError('network must be mainnet or testnet');
  const apiKey = o.apiKey ?? 'devnet';
  if (typeof apiKey !== 'string' || apiKey === '') throw new RangeError('apiKey must be a non-empty string');
  const nodeKeys = o.nodeKeys ?? 'shared';
  if (nodeKeys !== 'shared' && nodeKeys !== 'own') throw new RangeError('nodeKeys must be shared or own');
  return {
    nodeKeys,
    host: o.host ?? '127.0.0.1',
    port,
    nodes,
    network,
    difficulty,
    blockTimeMs: positive(o.blockTimeSeconds, 'blockTimeSeconds', 30) * 1000,
    startHeight: whole(o.startHeight, 'startHeight', CURRENT_MAINNET_HEIGHT, 1, 0x7fffffff - 1),
    competitorBlockTimeSeconds:
      o.competitorBlockTimeSeconds == null
        ? null
        : positive(o.competitorBlockTimeSeconds, 'competitorBlockTimeSeconds', 1),
    mempoolIntervalMs:
      o.mempoolIntervalMs == null ? null : positive(o.mempoolIntervalMs, 'mempoolIntervalMs', 1),
    rewardDelay: whole(o.rewardDelay, 'rewardDelay', MINER_REWARD_DELAY, 1, 1_000_000),
    apiKey,
    statePath: o.statePath ?? null,
    seed: o.seed ?? 'enigmapool-devnet',
  };
}

/** Starts the simulated network and its node endpoints (see index.ts for the contract). */
export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const settings = resolveOptions(options);
  const logger = options.logger ?? pino({ level: 'silent' });
  const now = options.now ?? Date.now;
  const deps = { kernel: await loadKernel('best'), now };
  const saved = settings.statePath ? loadStateFile(settings.statePath) : null;
  const sim = saved ? Simulation.restore(saved, settings, deps) : Simulation.create(settings, deps);
  const wallet = new WalletService(sim);
  const timers = new TimerSet();
  const saver = settings.statePath
    ? new StateSaver(settings.statePath, () => sim.toState(), timers, logger)
    : null;
  const events = new EventEmitter();
  const waiters = new Set<() => void>();
  const endpoints: NodeEndpoint[] = [];
  const apps: FastifyInstance[] = [];
  let closed = false;

  sim.onCandidate(() => {
    for (const wake of [...waiters]) wake();
  });
  sim.onChange(() => saver?.schedule());
  sim.onBlock((block: StoredBlock) => {
    const event: DevnetBlockEvent = {
      height: block.header.height,
      id: block.header.id,
      byPool: block.byPool,
    };
    logger.info(
      { ...event, difficulty: block.header.difficulty, miner: block.byPool ? 'pool' : 'competitor' },
      `block ${event.height} ${event.id} by ${block.byPool ? 'pool' : 'competitor'} (difficulty ${block.header.difficulty})`,
    );
    events.emit('block', event);
  });

  const control: DevnetControl = {
    now,
    waitForCandidate: (endpoint, msg, timeoutMs) =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        const done = () => {
          waiters.delete(check);
          timers.clear(timer);
          resolve();
        };
        const check = () => {
          if (closed || endpoint.candidate().msg !== msg) done();
        };
        const timer = timers.timeout(done, timeoutMs);
        waiters.add(check);
      }),
    submitSolution: (endpoint, nonceHex) => {
      if (endpoint.fault.mode === 'reject-solutions') return { accepted: false, detail: REJECTED_SOLUTION };
      const outcome = sim.solve(nonceHex, endpoint.templates());
      if (!outcome.accepted) return { accepted: false, detail: outcome.detail };
      const { height, id } = outcome.block.header;
      if (!sim.chain.isBest(id))
        logger.info({ height, id }, `block ${height} ${id} by pool is an orphan (stale candidate)`);
      return { accepted: true };
    },
    nodeCount: () => endpoints.length,
    setFault: (node, fault) => setFault(node, fault),
    mineCompetitorBlock: () => sim.mineCompetitorBlock(),
    reorg: (fromHeight) => {
      const fork = sim.reorg(fromHeight);
      logger.info(
        { fromHeight, height: sim.chain.height },
        `reorg from ${fromHeight}: ${fork.length} competitor blocks`,
      );
      return fork;
    },
    addMempoolTransaction: () => sim.addMempoolTransaction(),
    dropMempoolTransaction: (txId, node) => dropMempoolTransaction(txId, node),
    state: () => stateJson(),
  };

  function dropMempoolTransaction(txId: string, node?: number): boolean {
    if (node === undefined) return sim.dropTransaction(txId.toLowerCase());
    const endpoint = endpoints[node];
    if (!endpoint) throw new RangeError(`no node ${node}`);
    if (!sim.mempool.some((t) => t.id === txId.toLowerCase())) return false;
    endpoint.forgotten.add(txId.toLowerCase());
    return true;
  }

  async function setFault(node: number, fault: DevnetFault): Promise<void> {
    const endpoint = endpoints[node];
    if (!endpoint) throw new RangeError(`no node ${node}`);
    await endpoint.setFault(fault);
    logger.info({ node, fault }, `node ${node} fault: ${fault.mode}`);
    for (const wake of [...waiters]) wake();
  }

  function stateJson() {
    const all = sim.chain.snapshot().blocks;
    return {
      height: sim.chain.height,
      tipId: sim.chain.tip.header.id,
      difficulty: sim.difficulty,
      nextDifficulty: sim.current.difficulty,
      candidate: workMessage(sim.current),
      unconfirmedCount: sim.mempool.length,
      minerPublicKey: sim.minerPk,
      walletAddress: wallet.address,
      rewardAddress: wallet.rewardAddress,
      blocksByPool: all
        .filter((b) => b.byPool)
        .map((b) => ({ height: b.header.height, id: b.header.id, orphaned: !sim.chain.isBest(b.header.id) })),
      competitorBlocks: all.filter((b) => !b.byPool).length,
      /** Requests held by ?longpoll= until the candidate changes (or the devnet closes). */
      pendingLongpolls: waiters.size,
      nodes: endpoints.map((e) => ({
        node: e.index,
        url: e.url,
        publicKey: e.publicKey,
        fault: e.fault,
        fullHeight: e.fullHeight(),
      })),
    };
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    timers.clearAll();
    for (const wake of [...waiters]) wake();
    await Promise.all(endpoints.map((e) => e.close()));
    await Promise.all(apps.map((a) => a.close()));
    await saver?.flush();
    logger.info('devnet closed');
  }

  try {
    for (let k = 0; k < settings.nodes; k++) {
      const key = settings.nodeKeys === 'own' ? sim.nodeKey(k) : sim.minerPk;
      const endpoint = new NodeEndpoint(
        k,
        settings.host,
        settings.port === 0 ? 0 : settings.port + k,
        sim,
        timers,
        key,
      );
      const { app, handler } = await createNodeApp({
        sim,
        wallet: new WalletService(sim, key, {
          txs: () => endpoint.mempool(),
          version: () => [...endpoint.forgotten].join(','),
        }),
        endpoint,
        apiKey: settings.apiKey,
        control,
      });
      apps.push(app);
      endpoint.attach(handler);
      endpoints.push(endpoint);
      await endpoint.listen();
    }
  } catch (err) {
    await close();
    throw err;
  }

  const timing = new DeterministicRandom(`${settings.seed}:timing`);
  const competitorMs =
    settings.competitorBlockTimeSeconds === null ? null : settings.competitorBlockTimeSeconds * 1000;
  const scheduleCompetitor = () => {
    if (competitorMs === null) return;
    timers.timeout(
      () => {
        try {
          sim.mineCompetitorBlock();
        } catch (err) {
          logger.error({ err }, 'competitor block failed');
        }
        scheduleCompetitor();
      },
      timing.exponential('competitor', competitorMs),
    );
  };
  scheduleCompetitor();
  if (settings.mempoolIntervalMs !== null)
    timers.interval(() => sim.addMempoolTransaction(), settings.mempoolIntervalMs);
  if (!saved) saver?.schedule();

  logger.info(
    {
      url: endpoints[0]!.url,
      height: sim.chain.height,
      difficulty: sim.difficulty.toString(),
      network: settings.network,
    },
    `devnet ${settings.network} at height ${sim.chain.height}, difficulty ${sim.difficulty}, node 0 on ${endpoints[0]!.url}`,
  );

  return {
    url: endpoints[0]!.url,
    nodes: endpoints,
    minerPublicKey: sim.minerPk,
    walletAddress: wallet.address,
    height: () => sim.chain.height,
    mineCompetitorBlock: async () => {
      sim.mineCompetitorBlock();
    },
    reorg: async (fromHeight) => {
      control.reorg(fromHeight);
    },
    addMempoolTransaction: () => sim.addMempoolTransaction(),
    dropMempoolTransaction: async (txId, node) => dropMempoolTransaction(txId, node),
    solve: async (nonceHex) => {
      hexToBytes(nonceHex, 'nonce', 8);
      const result = control.submitSolution(endpoints[0]!, nonceHex);
      return result.accepted ? { accepted: true } : { accepted: false, detail: result.detail ?? '' };
    },
    on: (event, listener) => {
      events.on(event, listener);
    },
    close,
  };
}
