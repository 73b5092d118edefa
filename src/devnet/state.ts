import type { ErgoTransaction, NetworkName } from '../ergo/index.ts';
import type { ChainSnapshot } from './chain.ts';

export const STATE_FORMAT = 'enigmapool-devnet/1';

/** Everything the devnet persists (faults and candidates are runtime-only and rebuilt at start). */
export interface SimState {
  format: typeof STATE_FORMAT;
  network: NetworkName;
  seed: string;
  rngCounter: number;
  minerSecretKey: string;
  rewardDelay: number;
  launchTime: number;
  walletUnlocked: boolean;
  chain: ChainSnapshot;
  mempool: ErgoTransaction[];
}

/** Parameters that come from the options on every start. */
export interface SimParams {
  network: NetworkName;
  difficulty: bigint;
  blockTimeMs: number;
  startHeight: number;
  rewardDelay: number;
  seed: string;
}

/** Blocks synthesized before the start height so /blocks/lastHeaders and /blocks/at work at once. */
export const HISTORY_LENGTH = 10;

const BIGINT_TAG = 'bigint:';

/** State file text: bigints as tagged strings so a plain JSON round trip keeps every type. */
export function serializeState(state: SimState): string {
  return JSON.stringify(state, (_key, value) =>
    typeof value === 'bigint' ? `${BIGINT_TAG}${value}` : value,
  );
}

export function deserializeState(text: string): SimState {
  const state = JSON.parse(text, (_key, value) =>
    typeof value === 'string' && value.startsWith(BIGINT_TAG)
      ? BigInt(value.slice(BIGINT_TAG.length))
      : value,
  ) as SimState;
  if (state?.format !== STATE_FORMAT)
    throw new Error(`not a devnet state file (format ${String(state?.format)})`);
  return state;
}
