/**
 * Ergo's monetary rules (SIGMA EmissionRules with mainnet `chain.monetary`) and EIP-27 re-emission
 * (node ReemissionRules). All amounts in nanoERG.
 */
export const NANOERG_PER_ERG = 1_000_000_000n;
const ERG = NANOERG_PER_ERG;

export const FIXED_RATE_PERIOD = 525_600;
export const FIXED_RATE = 75n * ERG;
export const EPOCH_LENGTH = 64_800;
export const ONE_EPOCH_REDUCTION = 3n * ERG;
export const FOUNDERS_INITIAL_REWARD = (15n * ERG) / 2n;
/** Blocks before a miner-reward box may be spent (the reward script's lock). */
export const MINER_REWARD_DELAY = 720;

/** EIP-27 on mainnet: activation height, the 12 ERG basic charge, and the height re-emission payouts start. */
export const EIP27_ACTIVATION_HEIGHT = 777_217;
export const REEMISSION_BASIC_CHARGE = 12n * ERG;
export const REEMISSION_START_HEIGHT = 2_080_800;
export const REEMISSION_REWARD_PER_BLOCK = 3n * ERG;
/** Token id of the re-emission tokens carried by post-EIP-27 miner-reward boxes. */
export const REEMISSION_TOKEN_ID = 'd9a2cc8a09abfaed87afacfbb7daee79a6b26f10c6613fc13d3f3953e5521d1a';

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** Coins created at height h (emission contract output). */
export function emissionAtHeight(h: number): bigint {
  if (h < FIXED_RATE_PERIOD) return FIXED_RATE;
  const epoch = 1 + Math.floor((h - FIXED_RATE_PERIOD) / EPOCH_LENGTH);
  return max(FIXED_RATE - ONE_EPOCH_REDUCTION * BigInt(epoch), 0n);
}

/** The founders' share of emission at h (7.5, then 4.5, then 1.5 ERG, then nothing). */
export function foundersRewardAtHeight(h: number): bigint {
  if (h < FIXED_RATE_PERIOD) return FOUNDERS_INITIAL_REWARD;
  if (h < FIXED_RATE_PERIOD + 2 * EPOCH_LENGTH)
    return emissionAtHeight(h) - FIXED_RATE + FOUNDERS_INITIAL_REWARD;
  return 0n;
}

/** Value of the miner-reward box of the emission transaction at h (before EIP-27 deductions). */
export function minersRewardAtHeight(h: number): bigint {
  return emissionAtHeight(h) - foundersRewardAtHeight(h);
}

/** nanoERG of the miner box that EIP-27 sends to the re-emission contract (carried as re-emission tokens). */
export function reemissionForHeight(h: number, activationHeight = EIP27_ACTIVATION_HEIGHT): bigint {
  if (h < activationHeight) return 0n;
  const emission = emissionAtHeight(h);
  if (emission >= REEMISSION_BASIC_CHARGE + 3n * ERG) return REEMISSION_BASIC_CHARGE;
  if (emission > 3n * ERG) return emission - 3n * ERG;
  return 0n;
}

export interface MinerReward {
  /** Value of the miner box (what the block's reward output holds). */
  gross: bigint;
  /** Re-emission tokens in that box: nanoERG the miner must forward to the re-emission contract. */
  reemissionTokens: bigint;
  /** What the miner may keep: gross − re-emission tokens (plus, after emission ends, the 3 ERG re-emission payout). */
  net: bigint;
}

/** The block reward a miner gets at h, excluding transaction fees (those arrive in a separate fee box). */
export function minerRewardAt(h: number, activationHeight = EIP27_ACTIVATION_HEIGHT): MinerReward {
  if (h >= REEMISSION_START_HEIGHT && activationHeight <= REEMISSION_START_HEIGHT) {
    const gross = minersRewardAtHeight(h) + REEMISSION_REWARD_PER_BLOCK;
    const tokens = reemissionForHeight(h, activationHeight);
    return { gross, reemissionTokens: tokens, net: gross - tokens };
  }
  const gross = minersRewardAtHeight(h);
  const tokens = reemissionForHeight(h, activationHeight);
  return { gross, reemissionTokens: tokens, net: gross - tokens };
}

/** Total coins issued by the emission contract through height h (EmissionRules.issuedCoinsAfterHeight). */
export function issuedCoinsAfterHeight(h: number): bigint {
  if (h < FIXED_RATE_PERIOD) return FIXED_RATE * BigInt(h);
  const fixedRateIssue = FIXED_RATE * BigInt(FIXED_RATE_PERIOD - 1);
  const epoch = Math.floor((h - FIXED_RATE_PERIOD) / EPOCH_LENGTH);
  let fullEpochs = 0n;
  for (let e = 1; e <= epoch; e++)
    fullEpochs += max(FIXED_RATE - ONE_EPOCH_REDUCTION * BigInt(e), 0n) * BigInt(EPOCH_LENGTH);
  const heightInEpoch = BigInt(((h - FIXED_RATE_PERIOD) % EPOCH_LENGTH) + 1);
  const rateThisEpoch = max(FIXED_RATE - ONE_EPOCH_REDUCTION * BigInt(epoch + 1), 0n);
  return fixedRateIssue + fullEpochs + heightInEpoch * rateThisEpoch;
}

/** All ERG that will ever be emitted. */
export const COINS_TOTAL = issuedCoinsAfterHeight(FIXED_RATE_PERIOD + 25 * EPOCH_LENGTH);
