import type { PoolConfig, PoolEntryConfig, StratumPortConfig } from './schema.ts';

/** One pool of the deployment, with the top-level defaults filled in. */
export interface ResolvedPool {
  id: string;
  name: string;
  coin: PoolEntryConfig['coin'];
  network: PoolConfig['network'];
  nodes: PoolConfig['nodes'];
  walletNode: string | undefined;
  /** The deployment's top-level nodes (one node set serves every pool that shares them). */
  sharedNodes: boolean;
  ports: StratumPortConfig[];
  accounting: PoolConfig['accounting'];
}

/**
 * The pools a config runs: `pools:` with the top-level network, nodes and walletNode as defaults, or (without
 * `pools:`) the one pool of the top-level keys, `pool.id`.
 */
export function poolsOf(config: PoolConfig): ResolvedPool[] {
  if (!config.pools)
    return [
      {
        id: config.pool.id,
        name: config.pool.name,
        coin: 'ergo',
        network: config.network,
        nodes: config.nodes,
        walletNode: config.walletNode,
        sharedNodes: true,
        ports: config.stratum.ports,
        accounting: config.accounting,
      },
    ];
  return config.pools.map((p) => ({
    id: p.id,
    name: p.name ?? `${config.pool.name} ${p.id}`,
    coin: p.coin,
    network: p.network ?? config.network,
    nodes: p.nodes ?? config.nodes,
    walletNode: p.walletNode ?? (p.nodes ? undefined : config.walletNode),
    sharedNodes: p.nodes === undefined,
    ports: p.ports,
    accounting: p.accounting,
  }));
}

/**
 * The pool that rows written before pools existed belong to (the migration moves them there): the pool whose
 * id is `pool.id` (what the single pool was called), else the first.
 */
export function defaultPoolId(config: PoolConfig): string {
  const pools = poolsOf(config);
  return (pools.find((p) => p.id === config.pool.id) ?? pools[0]!).id;
}
