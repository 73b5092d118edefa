import { hexToBytes, VerifierOverloadedError, type VerifierPool } from '../autolykos/index.ts';
import {
  type BlockSubmission,
  type Coin,
  type ShareChecker,
  ShareCheckOverloadedError,
  type WorkSource,
} from '../coin/index.ts';
import { InvalidAddressError, type NetworkName, parseAddress } from './address.ts';
import { MINER_REWARD_DELAY, minerRewardAt } from './emission.ts';
import { ERGO_DIALECT, type ErgoWork, msgBytes } from './stratum-dialect.ts';

/** Ergo on one network: the coin the pool was built for, and the reference implementation of the seam. */
export function ergoCoin(network: NetworkName): Coin<ErgoWork> {
  return {
    id: 'ergo',
    network,
    units: { name: 'Ergo', symbol: 'ERG', decimals: 9, algorithm: 'Autolykos v2', family: 'ergo' },
    checkAddress(address) {
      try {
        parseAddress(address, network);
        return null;
      } catch (err) {
        return err instanceof InvalidAddressError ? err.reason : (err as Error).message;
      }
    },
    stratum: ERGO_DIALECT,
    rewards: {
      maturity: MINER_REWARD_DELAY,
      // What the miner may keep: the emission box minus EIP-27 re-emission tokens (fees come on top).
      blockReward: (height) => minerRewardAt(height).net,
    },
  };
}

/**
 * Ergo shares checked with Autolykos v2 on a VerifierPool's threads. `observe` gets each check's seconds
 * (a metric); a full pool is ShareCheckOverloadedError, so the server answers "busy".
 */
export function ergoShareChecker(
  pool: Pick<VerifierPool, 'verify'> & Partial<Pick<VerifierPool, 'queueAgeMs'>>,
  observe?: (seconds: number) => void,
): ShareChecker<ErgoWork> {
  const checker: ShareChecker<ErgoWork> = {
    async hit(work, nonce) {
      const started = performance.now();
      try {
        return await pool.verify({
          msg: msgBytes(work),
          nonce: hexToBytes(nonce, 'nonce', 8),
          height: work.height,
        });
      } catch (err) {
        if (err instanceof VerifierOverloadedError) throw new ShareCheckOverloadedError(err.message);
        throw err;
      } finally {
        observe?.((performance.now() - started) / 1000);
      }
    },
  };
  if (pool.queueAgeMs) checker.queueAgeMs = () => pool.queueAgeMs!();
  return checker;
}

/** Blocks go to the nodes with the candidate's height (they take one only while it is current). */
export function ergoBlockSubmitter(nodes: {
  submitSolution(nonce: string, candidate?: { height: number }): Promise<BlockSubmission>;
}): { submitBlock(work: ErgoWork, nonce: string): Promise<BlockSubmission> } {
  return { submitBlock: (work, nonce) => nodes.submitSolution(nonce, { height: work.height }) };
}

/** A node set's candidates as the stratum's work: each new candidate, with the node and key it came from. */
export function ergoWorkSource(nodes: {
  on(
    event: 'work',
    listener: (e: {
      work: { msg: string; b: bigint; h: number; pk: string };
      blockVersion: number;
      node: string;
    }) => void,
  ): unknown;
  off(event: 'work', listener: (...args: never[]) => void): unknown;
}): WorkSource<ErgoWork> {
  return {
    onWork(listener) {
      const forward = (e: {
        work: { msg: string; b: bigint; h: number; pk: string };
        blockVersion: number;
        node: string;
      }) =>
        listener({
          msg: e.work.msg,
          b: e.work.b,
          height: e.work.h,
          version: e.blockVersion,
          source: { node: e.node, pk: e.work.pk },
        });
      nodes.on('work', forward);
      return () => void nodes.off('work', forward);
    },
  };
}
