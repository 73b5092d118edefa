import { existsSync, mkdirSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { type Accounting, startAccounting } from '../accounting/index.ts';
import { parseDifficulty, VerifierPool } from '../autolykos/index.ts';
import { defaultPoolId, type PoolConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import { type Devnet, startDevnet } from '../devnet/index.ts';
import { ergoWorkSource, NodeSet } from '../ergo/index.ts';
import { CpuMiner } from '../miner/index.ts';
import { LateAcceptances } from '../shares/index.ts';
import { type BoundPort, type PortConfig, type ShareSink, StratumServer } from '../stratum/index.ts';
import { ergoStratumPool } from './coins.ts';
import { demoMinerAddress } from './demo-key.ts';
import { describePools } from './describe.ts';
import { type Observability, startObservability } from './observe.ts';
import { closeSharePipeline, openSharePipeline, type SharePipeline } from './pipeline.ts';
import { processName } from './services.ts';
import { readPortTls } from './tls-files.ts';

export interface RunningPool {
  devnet: Devnet | null;
  nodes: NodeSet;
  stratum: StratumServer;
  ports: BoundPort[];
  verifier: VerifierPool;
  demoMiner: CpuMiner | null;
  /** Block maturity, the ledger and payouts (only with the durable pipeline's database). */
  accounting: Accounting | null;
  /** Stats, the API, events and notifications (only with the durable pipeline's database). */
  observed: Observability | null;
  /** The durable share pipeline (journal + database), unless a sink was passed in. */
  pipeline: SharePipeline | null;
  sink: ShareSink;
  metrics: Registry;
  close(): Promise<void>;
}

/**
 * Starts everything a config asks for, wired together, and tells the operator what is happening. Shares go
 * to the durable pipeline (journal under dataDir, shipped into the configured database) unless a sink is given.
 */
export async function startPool(
  config: PoolConfig,
  logger: Logger,
  givenSink?: ShareSink,
): Promise<RunningPool> {
  const closers: (() => Promise<void>)[] = [];
  // Last opened, first closed; each step once, however often close() is called.
  const close = async () => {
    for (let c = closers.pop(); c; c = closers.pop())
      await c().catch((err) => logger.error({ err }, 'shutdown step failed'));
  };
  try {
    // The database first: a wrong URL or an unreachable server stops the start before anything listens.
    const metrics = new Registry();
    let pipeline: SharePipeline | null = null;
    let sink: ShareSink;
    if (givenSink) sink = givenSink;
    else {
      const opened = await openSharePipeline(config, logger, metrics);
      pipeline = opened;
      sink = opened.sink;
      closers.push(() => closeSharePipeline(opened, logger));
    }

    let devnet: Devnet | null = null;
    let nodes = config.nodes;
    let walletNode = config.walletNode;
    if (config.devnet.enabled) {
      // The devnet's chain and wallet live in the data dir beside the database, so both survive a restart together.
      mkdirSync(resolve(config.dataDir), { recursive: true });
      const statePath = join(resolve(config.dataDir), 'devnet.json');
      const restored = existsSync(statePath);
      devnet = await startDevnet({
        statePath,
        port: config.devnet.port,
        network: config.network,
        difficulty: BigInt(config.devnet.difficulty),
        blockTimeSeconds: config.devnet.blockTimeSeconds,
        competitorBlockTimeSeconds: config.devnet.competitorBlockTimeSeconds,
        rewardDelay: config.devnet.rewardDelay,
        ...(config.devnet.height ? { startHeight: config.devnet.height } : {}),
        logger: logger.child({ part: 'devnet' }, { level: 'warn' }),
      });
      closers.push(() => devnet!.close());
      nodes = [{ name: 'devnet', url: devnet.url, apiKey: 'devnet', priority: 0 }];
      walletNode = 'devnet';
      logger.info(
        restored
          ? `devnet: a simulated Ergo network at ${devnet.url}, its chain and wallet restored from ${statePath} (height ${devnet.height()})`
          : `devnet: a simulated Ergo network at ${devnet.url} (height ${devnet.height()}, difficulty ${config.devnet.difficulty}); its chain and wallet are kept in ${statePath}`,
      );
      devnet.on('block', (b) => {
        if (!b.byPool) logger.info(`chain: block ${b.height} found by another miner`);
      });
    }
    if (nodes.length === 0)
      throw new Error('no Ergo node configured: add `nodes:` to the config or start with --devnet');

    const nodeSet = new NodeSet({
      nodes,
      ...(walletNode ? { walletNode } : {}),
      pollIntervalMs: config.pollIntervalMs,
      logger: logger.child({ part: 'nodes' }),
    });
    const verifier = await VerifierPool.start();
    closers.push(() => verifier.close());
    logger.info(
      `share checks: ${verifier.workerCount} threads with the ${verifier.kernelName} Autolykos kernel`,
    );

    let observed: Observability | null = null;
    const poolId = config.pool.id;
    const stratum = new StratumServer({
      pools: [
        ergoStratumPool({
          id: poolId,
          network: config.network,
          ports: config.stratum.ports.map(
            (p): PortConfig => ({
              port: p.port,
              host: p.host,
              ...(p.name ? { name: p.name } : {}),
              startDifficulty: parseDifficulty(p.difficulty.start),
              minDifficulty: parseDifficulty(p.difficulty.min),
              maxDifficulty: parseDifficulty(p.difficulty.max),
              vardiff: p.vardiff === false ? null : p.vardiff,
              ...(p.tls ? { tls: readPortTls(p.tls) } : {}),
            }),
          ),
          verifier,
          nodes: nodeSet,
          observe: (seconds) => observed?.metrics.observeShareCheck(seconds),
        }),
      ],
      sink,
      instanceId: config.instance.id,
      instanceBits: config.instance.bits,
      extranonce1Size: config.stratum.extranonce1Size,
      limits: { ...config.stratum.limits, proxyAddresses: config.stratum.proxyAddresses },
      logger: logger.child({ part: 'stratum' }),
    });
    const stopWork = ergoWorkSource(nodeSet).onWork((work) => stratum.setWork(work, poolId));
    closers.push(async () => stopWork());
    closers.push(wireEvents(nodeSet, stratum, logger));
    const ports = await stratum.start();
    closers.push(async () => {
      await stratum.stop();
      logger.info('stratum: stopped; miner connections closed');
    });
    if (pipeline) {
      // Nodes that take a block only on a resubmission are added to its row (stopped after the node set's
      // last flush of queued submissions, which runs on stop).
      const late = new LateAcceptances({
        db: pipeline.db,
        poolId: config.pool.id,
        logger: logger.child({ part: 'blocks' }),
      });
      nodeSet.on('resubmit', ({ nonce, height, result }) => {
        if (result.accepted) void late.note(height, nonce, result.node);
      });
      closers.push(async () => late.stop());
    }
    nodeSet.start();
    closers.push(() => nodeSet.stop());
    // Role stratum leaves blocks, credits, payouts, the stats job and the API to the other roles.
    const everything = config.role === 'all';
    const accounting =
      pipeline && everything
        ? startPoolAccounting(config, pipeline.db, pipeline, nodeSet, walletNode, logger)
        : null;
    if (accounting) closers.push(() => accounting.close());
    if (pipeline) {
      const o = await startObservability({
        config,
        logger,
        db: pipeline.db,
        nodes: nodeSet,
        stratum,
        sink: pipeline.sink,
        registry: metrics,
        verifierQueue: () => verifier.queued,
        description: describePools(config, ports, defaultPoolId(config))[0]!,
        parts: { stats: everything, api: everything },
        ...(accounting ? { leading: () => accounting.leading } : {}),
      });
      observed = o;
      closers.push(() => o.close());
    }
    for (const p of ports) {
      const everywhere = p.host === '0.0.0.0' || p.host === '::';
      logger.info(
        `stratum: point miners at ${stratumUrl(p)}${everywhere ? " (or this machine's address)" : ''} with user <your ${config.network} address>.<worker>`,
      );
    }

    let demoMiner: CpuMiner | null = null;
    if (config.demoMiner.enabled) {
      const address = config.demoMiner.address ?? demoMinerAddress(config.network);
      const port = ports[0]!;
      demoMiner = new CpuMiner({
        url: stratumUrl(port),
        user: `${address}.demo`,
        threads: config.demoMiner.threads,
        logger: logger.child({ part: 'demo-miner' }, { level: 'warn' }),
      });
      await demoMiner.start();
      closers.push(() => demoMiner!.stop());
      logger.info(`demo miner: ${config.demoMiner.threads} CPU thread(s) mining as ${address}.demo`);
    }
    return {
      devnet,
      nodes: nodeSet,
      stratum,
      ports,
      verifier,
      demoMiner,
      pipeline,
      sink,
      metrics,
      accounting,
      observed,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The URL a miner on this machine dials for a bound port: its own address, loopback for a wildcard. */
function stratumUrl(p: Pick<BoundPort, 'host' | 'port' | 'config'>): string {
  const host = p.host === '0.0.0.0' ? '127.0.0.1' : p.host === '::' ? '::1' : p.host;
  return `stratum+${p.config.tls ? 'ssl' : 'tcp'}://${isIPv6(host) ? `[${host}]` : host}:${p.port}`;
}

/**
 * Blocks are checked against the node work comes from; payouts go through the one wallet node. Of several
 * instances on one database only the elected leader runs the jobs; the others stand by.
 */
export function startPoolAccounting(
  config: PoolConfig,
  db: Database,
  pipeline: Pick<SharePipeline, 'deferred' | 'ready'> | null,
  nodeSet: NodeSet,
  walletNode: string | undefined,
  logger: Logger,
): Accounting {
  const chainNode = () => nodeSet.client(nodeSet.current ?? walletNode ?? config.nodes[0]?.name ?? 'devnet');
  if (!walletNode) logger.warn('accounting: no walletNode configured, so this instance makes no payouts');
  return startAccounting({
    config: config.accounting,
    db,
    poolId: config.pool.id,
    ...(pipeline?.deferred ? { ready: pipeline.ready } : {}),
    leader: { holder: processName(config), leaseMs: config.accounting.leaderLeaseSeconds * 1000 },
    chain: chainNode,
    wallet: walletNode ? () => nodeSet.wallet() : null,
    nodes: () => nodeSet.clients(),
    poolPublicKey: () => nodeSet.rewardPublicKey(),
    network: config.network,
    instance: config.instance.id.toString(16).padStart(2, '0'),
    logger: logger.child({ part: 'accounting' }),
  });
}

/** Logs what the operator wants to see; returns the step that stops the periodic summary. */
function wireEvents(nodeSet: NodeSet, stratum: StratumServer, logger: Logger): () => Promise<void> {
  nodeSet.on('height', ({ height, node }) => logger.debug({ height, node }, 'new chain height'));
  nodeSet.on('switch', ({ from, to }) => {
    if (to === null)
      logger.warn(`nodes: no healthy Ergo node (was ${from}); miners keep their last job until one recovers`);
    else logger.info(`nodes: taking work from ${to}${from ? ` (was ${from})` : ''}`);
  });
  stratum.events.on('authorized', ({ address, worker }) =>
    logger.info(`miner connected: ${address}${worker ? `.${worker}` : ''}`),
  );
  stratum.events.on('block', ({ share, accepted, detail }) => {
    const who = `${share.address}${share.worker ? `.${share.worker}` : ''}`;
    if (accepted)
      logger.info(
        `BLOCK FOUND at height ${share.height} by ${who} (nonce ${share.nonce}; ${detail ?? 'accepted'})`,
      );
    else
      logger.warn(
        `block candidate at height ${share.height} by ${who} was not accepted: ${detail ?? 'rejected'}`,
      );
  });
  let lastAccepted = 0;
  const summary = setInterval(() => {
    const c = stratum.counters;
    const accepted = c.accepted + c.block;
    if (accepted === lastAccepted && stratum.sessionCount === 0) return;
    logger.info(
      `stratum: ${stratum.sessionCount} connection(s); shares accepted ${accepted} (+${accepted - lastAccepted}), stale ${c.stale}, ` +
        `invalid ${c.invalid + c.duplicate + c['low-difficulty']}, blocks ${c.block}`,
    );
    lastAccepted = accepted;
  }, 30_000);
  summary.unref();
  return async () => clearInterval(summary);
}
