import { existsSync, mkdirSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { VerifierPool } from '../autolykos/index.ts';
import { defaultPoolId, type PoolConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import { type Devnet, startDevnet } from '../devnet/index.ts';
import { ergoWorkSource, type NodeSet } from '../ergo/index.ts';
import { CpuMiner } from '../miner/index.ts';
import { LateAcceptances } from '../shares/index.ts';
import { type BoundPort, type ShareSink, StratumServer } from '../stratum/index.ts';
import { demoMinerAddress } from './demo-key.ts';
import { describePools } from './describe.ts';
import { type Observability, startObservability } from './observe.ts';
import { closeSharePipeline, openSharePipeline, type SharePipeline } from './pipeline.ts';
import {
  nodeSetsOf,
  observedPools,
  type PoolRuntime,
  type PoolsAccounting,
  poolRuntimes,
  startPoolsAccounting,
  stratumPoolOf,
} from './pool-set.ts';

export interface RunningPool {
  devnet: Devnet | null;
  /** Every configured pool at run time (its coin and node set), the default first. */
  pools: PoolRuntime[];
  /** The default pool's node set. */
  nodes: NodeSet;
  stratum: StratumServer;
  ports: BoundPort[];
  verifier: VerifierPool;
  demoMiner: CpuMiner | null;
  /** Block maturity, the ledger and payouts of every pool (only with the durable pipeline's database). */
  accounting: PoolsAccounting | null;
  /** Stats, the API, events and notifications (only with the durable pipeline's database). */
  observed: Observability | null;
  /** The durable share pipeline (journal + database), unless a sink was passed in. */
  pipeline: SharePipeline | null;
  sink: ShareSink;
  metrics: Registry;
  close(): Promise<void>;
}

/**
 * Starts everything a config asks for, wired together, and tells the operator what is happening: every
 * configured pool (`pools:`, or the one of the top-level keys) on one stratum server, one share pipeline and
 * one verifier pool, each pool with its node set (shared when their nodes are), accounting and stats. Shares
 * go to the durable pipeline (journal under dataDir, shipped into the configured database) unless a sink is
 * given.
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
    if (config.devnet.enabled) {
      devnet = await startPoolDevnet(config, logger);
      closers.push(() => devnet!.close());
    }
    const main = defaultPoolId(config);
    const runtimes = poolRuntimes(
      config,
      devnet
        ? {
            nodes: [{ name: 'devnet', url: devnet.url, apiKey: 'devnet', priority: 0 }],
            walletNode: 'devnet',
          }
        : null,
      logger,
    );
    const verifier = await VerifierPool.start();
    closers.push(() => verifier.close());
    logger.info(
      `share checks: ${verifier.workerCount} threads with the ${verifier.kernelName} Autolykos kernel`,
    );

    let observed: Observability | null = null;
    const observe = (seconds: number) => observed?.metrics.observeShareCheck(seconds);
    const stratum = new StratumServer({
      pools: runtimes.map((rt) => stratumPoolOf(rt, verifier, observe)),
      sink,
      instanceId: config.instance.id,
      instanceBits: config.instance.bits,
      extranonce1Size: config.stratum.extranonce1Size,
      limits: { ...config.stratum.limits, proxyAddresses: config.stratum.proxyAddresses },
      logger: logger.child({ part: 'stratum' }),
    });
    for (const rt of runtimes) {
      const stopWork = ergoWorkSource(rt.nodes).onWork((work) => stratum.setWork(work, rt.pool.id));
      closers.push(async () => stopWork());
    }
    const nodeSets = nodeSetsOf(runtimes);
    closers.push(wireEvents(nodeSets, stratum, runtimes.length > 1, logger));
    const ports = await stratum.start();
    closers.push(async () => {
      await stratum.stop();
      logger.info('stratum: stopped; miner connections closed');
    });
    if (pipeline) closers.push(noteLateAcceptances(pipeline.db, runtimes, logger));
    for (const set of nodeSets) {
      set.start();
      closers.push(() => set.stop());
    }
    // Role stratum leaves blocks, credits, payouts, the stats job and the API to the other roles.
    const everything = config.role === 'all';
    const accounting =
      pipeline && everything ? startPoolsAccounting(config, runtimes, pipeline.db, pipeline, logger) : null;
    if (accounting) closers.push(() => accounting.close());
    if (pipeline) {
      const descriptions = describePools(config, ports, main);
      const o = await startObservability({
        config,
        logger,
        db: pipeline.db,
        pools: observedPools(runtimes, descriptions),
        stratum,
        sink: pipeline.sink,
        registry: metrics,
        verifierQueue: () => verifier.queued,
        parts: { stats: everything, api: everything },
        ...(accounting ? { leading: () => accounting.leading } : {}),
      });
      observed = o;
      closers.push(() => o.close());
    }
    for (const p of ports) {
      const everywhere = p.host === '0.0.0.0' || p.host === '::';
      const rt = runtimes.find((r) => r.pool.id === p.pool)!;
      logger.info(
        `stratum: point miners at ${stratumUrl(p)}${everywhere ? " (or this machine's address)" : ''} with user <your ${rt.pool.network} address>.<worker>${runtimes.length > 1 ? ` (pool ${p.pool}, ${rt.pool.accounting.scheme.toUpperCase()})` : ''}`,
      );
    }

    let demoMiner: CpuMiner | null = null;
    if (config.demoMiner.enabled) {
      const address = config.demoMiner.address ?? demoMinerAddress(runtimes[0]!.pool.network);
      const port = ports.find((p) => p.pool === main)!;
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
      pools: runtimes,
      nodes: runtimes[0]!.nodes,
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

/** The devnet of `start --devnet`: its chain and wallet in the data dir beside the database, so both survive a restart together. */
async function startPoolDevnet(config: PoolConfig, logger: Logger): Promise<Devnet> {
  mkdirSync(resolve(config.dataDir), { recursive: true });
  const statePath = join(resolve(config.dataDir), 'devnet.json');
  const restored = existsSync(statePath);
  const devnet = await startDevnet({
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
  logger.info(
    restored
      ? `devnet: a simulated Ergo network at ${devnet.url}, its chain and wallet restored from ${statePath} (height ${devnet.height()})`
      : `devnet: a simulated Ergo network at ${devnet.url} (height ${devnet.height()}, difficulty ${config.devnet.difficulty}); its chain and wallet are kept in ${statePath}`,
  );
  devnet.on('block', (b) => {
    if (!b.byPool) logger.info(`chain: block ${b.height} found by another miner`);
  });
  return devnet;
}

/**
 * Nodes that take a block only on a resubmission are added to its row: each pool's own row (a node set
 * shared by pools resubmits for all of them; only the pool with that block matches). Stopped after the
 * node sets' last flush of queued submissions, which runs on their stop.
 */
function noteLateAcceptances(
  db: Database,
  runtimes: readonly PoolRuntime[],
  logger: Logger,
): () => Promise<void> {
  const notes = runtimes.map((rt) => ({
    nodes: rt.nodes,
    late: new LateAcceptances({ db, poolId: rt.pool.id, logger: logger.child({ part: 'blocks' }) }),
  }));
  for (const set of nodeSetsOf(runtimes)) {
    const mine = notes.filter((n) => n.nodes === set);
    set.on('resubmit', ({ nonce, height, result }) => {
      if (result.accepted) for (const n of mine) void n.late.note(height, nonce, result.node);
    });
  }
  return async () => {
    for (const n of notes) n.late.stop();
  };
}

/** The URL a miner on this machine dials for a bound port: its own address, loopback for a wildcard. */
function stratumUrl(p: Pick<BoundPort, 'host' | 'port' | 'config'>): string {
  const host = p.host === '0.0.0.0' ? '127.0.0.1' : p.host === '::' ? '::1' : p.host;
  return `stratum+${p.config.tls ? 'ssl' : 'tcp'}://${isIPv6(host) ? `[${host}]` : host}:${p.port}`;
}

/** Logs what the operator wants to see; returns the step that stops the periodic summary. */
function wireEvents(
  nodeSets: readonly NodeSet[],
  stratum: StratumServer,
  several: boolean,
  logger: Logger,
): () => Promise<void> {
  for (const nodeSet of nodeSets) {
    nodeSet.on('height', ({ height, node }) => logger.debug({ height, node }, 'new chain height'));
    nodeSet.on('switch', ({ from, to }) => {
      if (to === null)
        logger.warn(
          `nodes: no healthy Ergo node (was ${from}); miners keep their last job until one recovers`,
        );
      else logger.info(`nodes: taking work from ${to}${from ? ` (was ${from})` : ''}`);
    });
  }
  const inPool = (pool: string) => (several ? ` in pool ${pool}` : '');
  stratum.events.on('authorized', ({ poolId, address, worker }) =>
    logger.info(`miner connected: ${address}${worker ? `.${worker}` : ''}${inPool(poolId)}`),
  );
  stratum.events.on('block', ({ share, accepted, detail }) => {
    const who = `${share.address}${share.worker ? `.${share.worker}` : ''}${inPool(share.poolId)}`;
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
