import type { VerifierPool } from '../autolykos/index.ts';
import type { BlockSubmission, Coin } from '../coin/index.ts';
import type { ResolvedPool } from '../config/index.ts';
import {
  type ErgoWork,
  ergoBlockSubmitter,
  ergoCoin,
  ergoShareChecker,
  type NetworkName,
} from '../ergo/index.ts';
import type { PortConfig, StratumPoolOptions } from '../stratum/index.ts';

/**
 * An Ergo pool for the stratum server: the coin on its network, shares checked on a verifier pool's threads,
 * blocks to the nodes. `observe` gets each check's seconds (the share-check metric).
 */
export function ergoStratumPool(o: {
  id: string;
  network: NetworkName;
  ports: PortConfig[];
  verifier: Pick<VerifierPool, 'verify'> & Partial<Pick<VerifierPool, 'queueAgeMs'>>;
  nodes: { submitSolution(nonce: string, candidate?: { height: number }): Promise<BlockSubmission> };
  observe?: (seconds: number) => void;
}): StratumPoolOptions<ErgoWork> {
  return {
    id: o.id,
    coin: ergoCoin(o.network),
    ports: o.ports,
    checker: ergoShareChecker(o.verifier, o.observe),
    blocks: ergoBlockSubmitter(o.nodes),
  };
}

/** The coin a configured pool mines, on its network (the composition's list of coins: one line per coin). */
export function coinOf(pool: Pick<ResolvedPool, 'coin' | 'network'>): Coin<ErgoWork> {
  switch (pool.coin) {
    case 'ergo':
      return ergoCoin(pool.network);
  }
}
