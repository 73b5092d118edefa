import { createHash } from 'node:crypto';
import { VerifierPool } from '../../src/autolykos/index.ts';
import type { Coin, CoinWork, ShareChecker } from '../../src/coin/index.ts';
import { ERGO_DIALECT, type ErgoWork, ergoCoin, ergoShareChecker } from '../../src/ergo/index.ts';
import type { StratumMessage } from '../helpers/stratum-client.ts';
import { TinyChain } from './tiny-chain.ts';
import { toyChain } from './toycoin/chain.ts';
import { TOY_CHECKER, type ToyWork, toyCoin } from './toycoin/coin.ts';

/** What the shared stratum and pipeline tests need to know about a coin to mine it over a real socket. */
export interface CoinFixture<W extends CoinWork = CoinWork> {
  name: string;
  coin: Coin<W>;
  checker: ShareChecker<W>;
  /** A fresh tiny chain of the coin (its blocks about one nonce in 16–64). */
  chain(): TinyChain<W>;
  /** The port's static share difficulty: most nonces fall short of it, some are shares, a few blocks. */
  difficulty: string;
  /** A payout address the coin takes, and one it refuses. */
  address: string;
  badAddress: string;
  /** The job id of a notify in the coin's dialect. */
  jobIdOf(notify: StratumMessage): string;
  /** mining.submit params in the coin's dialect. */
  submit(login: string, jobId: string, nonce: string): unknown[];
  close(): Promise<void>;
}

export async function ergoFixture(): Promise<CoinFixture<ErgoWork>> {
  const verifier = await VerifierPool.start({ workers: 1 });
  const checker = ergoShareChecker(verifier);
  return {
    name: 'Ergo',
    coin: ergoCoin('mainnet'),
    checker,
    // b = 2^250: one nonce in 64 is a block.
    chain: () =>
      new TinyChain<ErgoWork>(
        (height) => ({
          height,
          msg: createHash('sha256').update(`ergo ${height}`).digest('hex'),
          b: 1n << 250n,
          version: 3,
        }),
        checker,
        ERGO_DIALECT,
      ),
    difficulty: '1e-9',
    address: '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA',
    badAddress: '3WvsT2Gm4EpsM9Pg18PdY6XyhNNMqXDsvJTbbf6ihLvAmSb7u5RN', // a testnet address
    jobIdOf: (notify) => String((notify.params as unknown[])[0]),
    submit: (login, jobId, nonce) => [login, jobId, nonce.slice(-12), 'undefined', nonce],
    close: () => verifier.close(),
  };
}

export async function toyFixture(): Promise<CoinFixture<ToyWork>> {
  return {
    name: 'Toycoin',
    coin: toyCoin('main'),
    checker: TOY_CHECKER,
    chain: () => toyChain(16),
    difficulty: '0.0001',
    address: `toy1${'ab'.repeat(20)}`,
    badAddress: `ttoy1${'ab'.repeat(20)}`,
    jobIdOf: (notify) => String((notify.params as unknown[])[0]),
    submit: (login, jobId, nonce) => [login, jobId, nonce],
    close: async () => undefined,
  };
}
