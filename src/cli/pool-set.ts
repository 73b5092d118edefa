import type { Logger } from 'pino';
import { type Accounting, sharedAccounting, startAccounting } from '../accounting/index.ts';
import type { PoolDescription } from '../api/index.ts';
import type { VerifierPool } from '../autolykos/index.ts';
import type { Coin } from '../coin/index.ts';
import { parseDifficulty } from '../coin/index.ts';
import { defaultPoolId, type PoolConfig, poolsOf, type ResolvedPool } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import { type ErgoWork, ergoChainReader, NodeSet } from '../ergo/index.ts';
import type { PortConfig, StratumPoolOptions } from '../stratum/index.ts';
import { coinOf, ergoStratumPool } from './coins.ts';
import type { ObservedPool } from './observe-pool.ts';
import type { SharePipeline } from './pipeline.ts';
import { processName } from './services.ts';
import { readPortTls } from './tls-files.ts';

/** One configured pool at run time: its coin and the node set it takes work from and pays through. */
export interface PoolRuntime {
  pool: ResolvedPool;
  coin: Coin<ErgoWork>;
  nodes: NodeSet;
  /** The node that pays its miners (null: no payouts from this pool). */
  walletNode: string | undefined;
}

/**
 * The configured pools, the default first, with their node sets: one node set per distinct list of nodes
 * and wallet node, so pools over the deployment's shared nodes share one set of pollers (and get the same
 * candidates). `override` (the devnet) replaces every pool's nodes.
 */
export function poolRuntimes(
  config: PoolConfig,
  override: { nodes: PoolConfig['nodes']; walletNode: string } | null,
  logger: Logger,
): PoolRuntime[] {
  const main = defaultPoolId(config);
  const resolved = poolsOf(config);
  const pools = [...resolved.filter((p) => p.id === main), ...resolved.filter((p) => p.id !== main)];
  const sets = new Map<string, NodeSet>();
  return pools.map((pool) => {
    const nodes = override?.nodes ?? pool.nodes;
    const walletNode = override?.walletNode ?? pool.walletNode;
    if (nodes.length === 0)
      throw new Error(
        `no Ergo node for pool ${pool.id}: add \`nodes:\` to the config (or the pool's own) or start with --devnet`,
      );
    const key = JSON.stringify({ nodes, walletNode });
    let set = sets.get(key);
    if (!set) {
      set = new NodeSet({
        nodes,
        ...(walletNode ? { walletNode } : {}),
        pollIntervalMs: config.pollIntervalMs,
        logger: logger.child({ part: 'nodes' }),
      });
      sets.set(key, set);
    }
    return { pool, coin: coinOf(pool), nodes: set, walletNode };
  });
}

/** The pools as stats and the API see them: a description each (see describePools) and its nodes. */
export function observedPools(
  runtimes: readonly PoolRuntime[],
  descriptions: readonly PoolDescription[],
): ObservedPool[] {
  return runtimes.map((rt) => ({
    description: descriptions.find((d) => d.id === rt.pool.id)!,
    nodes: rt.nodes,
    accounting: rt.pool.accounting,
    rewardAt: rt.coin.rewards.blockReward,
    checkAddress: (address) => rt.coin.checkAddress(address),
  }));
}

/** The distinct node sets of the pools (each started and stopped once). */
export function nodeSetsOf(runtimes: readonly PoolRuntime[]): NodeSet[] {
  return [...new Set(runtimes.map((r) => r.nodes))];
}

/** A configured pool as the stratum server takes it: its ports, its coin's checks on the shared verifier, its nodes. */
export function stratumPoolOf(
  rt: PoolRuntime,
  verifier: VerifierPool,
  observe: (seconds: number) => void,
): StratumPoolOptions<ErgoWork> {
  return ergoStratumPool({
    id: rt.pool.id,
    network: rt.pool.network,
    ports: rt.pool.ports.map(
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
    nodes: rt.nodes,
    observe,
  });
}

export interface PoolsAccounting {
  /** Each pool's accounting, by pool id. */
  readonly pools: ReadonlyMap<string, Accounting>;
  /** This process leads (of several on one database): it runs every pool's jobs. */
  readonly leading: boolean;
  close(): Promise<void>;
}

/**
 * Every pool's accounting in this process under one lead (the `accounting` lease: a standby process takes
 * over all pools at once), with payout runs one at a time (pools may pay from one wallet). Blocks are
 * checked against the node each pool takes work from; payouts go through its wallet node.
 */
export function startPoolsAccounting(
  config: PoolConfig,
  runtimes: readonly PoolRuntime[],
  db: Database,
  pipeline: Pick<SharePipeline, 'deferred' | 'ready'> | null,
  logger: Logger,
): PoolsAccounting {
  const parent = logger.child({ part: 'accounting' });
  const leaseMs = Math.min(...runtimes.map((r) => r.pool.accounting.leaderLeaseSeconds)) * 1000;
  const shared = sharedAccounting({ db, holder: processName(config), leaseMs, logger: parent });
  const several = runtimes.length > 1;
  const pools = new Map<string, Accounting>();
  for (const rt of runtimes) {
    const { pool, nodes, walletNode } = rt;
    const log = several ? parent.child({ pool: pool.id }) : parent;
    if (!walletNode)
      log.warn(`accounting: pool ${pool.id} has no walletNode, so this instance makes no payouts for it`);
    const fallback = pool.nodes[0]?.name ?? 'devnet';
    pools.set(
      pool.id,
      startAccounting({
        config: pool.accounting,
        db,
        poolId: pool.id,
        ...(pipeline?.deferred ? { ready: pipeline.ready } : {}),
        shared,
        chain: () => ergoChainReader(nodes.client(nodes.current ?? walletNode ?? fallback)),
        wallet: walletNode ? () => nodes.wallet() : null,
        nodes: () => nodes.clients(),
        poolPublicKey: () => nodes.rewardPublicKey(),
        checkAddress: (address) => rt.coin.checkAddress(address),
        rewardAt: rt.coin.rewards.blockReward,
        maturity: rt.coin.rewards.maturity,
        instance: config.instance.id.toString(16).padStart(2, '0'),
        logger: log,
      }),
    );
  }
  return {
    pools,
    get leading() {
      return shared.leadership.leading;
    },
    async close() {
      for (const accounting of pools.values()) await accounting.close();
      await shared.release();
    },
  };
}
