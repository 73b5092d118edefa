import { clamp, compare, equal, mul, type Ratio, ratio } from '../coin/index.ts';
import { roundSignificant } from './ratio-math.ts';

/**
 * Variable share difficulty per connection, a pure state machine: the caller feeds share times and idle
 * ticks and applies the difficulty it returns. Difficulties are exact ratios in share-difficulty units.
 */
export interface VardiffConfig {
  /** Seconds between shares to aim for. */
  targetSeconds: number;
  /** Least seconds between two retargets (except a connection's first, see floodShares). */
  retargetSeconds: number;
  /** No change while the observed interval is within ± this percentage of the target. */
  variancePercent: number;
  min: Ratio;
  max: Ratio;
  /** One retarget changes the difficulty by at most this factor up or down. */
  maxFactor: number;
  /**
   * This many shares at the current difficulty allow an early retarget (a fast miner on a low start), but
   * only while none in the window met just the previous, easier one: a client still mining at it (it ignored
   * the re-sent job) waits for retargetSeconds, so an early retarget never drops the difficulty it is at.
   */
  floodShares: number;
}

export const DEFAULT_VARDIFF: Omit<VardiffConfig, 'min' | 'max'> = {
  targetSeconds: 15,
  retargetSeconds: 90,
  variancePercent: 30,
  maxFactor: 4,
  floodShares: 20,
};

/**
 * The previous difficulty stays acceptable until the next change (as miningcore): a client may keep mining
 * at it after the re-sent job. Shares are counted only when they meet the current difficulty, so a client
 * still at the previous one is measured at the rate it would have at the current one.
 */
export interface VardiffState {
  difficulty: Ratio;
  previous: Ratio | null;
  /** Difficulties a share may be credited at, the harder first (current and previous). */
  acceptable: readonly Ratio[];
  /** Start of the current observation window (ms). */
  windowStart: number;
  /** Shares in the window that met the current difficulty. */
  sharesInWindow: number;
  /** Shares in the window that met only the previous, easier difficulty. */
  easierInWindow: number;
  lastShareAt: number;
}

export function startVardiff(difficulty: Ratio, now: number): VardiffState {
  return {
    difficulty,
    previous: null,
    acceptable: [difficulty],
    windowStart: now,
    sharesInWindow: 0,
    easierInWindow: 0,
    lastShareAt: now,
  };
}

/** Did a share credited at `credited` meet the current difficulty (it met every easier one too)? */
export function metCurrent(state: VardiffState, credited: Ratio): boolean {
  return credited === state.difficulty || credited === state.acceptable[0];
}

/** After an accepted share credited at `credited`: maybe a new difficulty. */
export function vardiffOnShare(
  state: VardiffState,
  now: number,
  config: VardiffConfig,
  credited: Ratio = state.difficulty,
): VardiffState {
  const current = metCurrent(state, credited);
  const next = {
    ...state,
    sharesInWindow: state.sharesInWindow + (current ? 1 : 0),
    easierInWindow: state.easierInWindow + (current ? 0 : 1),
    lastShareAt: now,
  };
  const elapsedMs = now - next.windowStart;
  const early = next.sharesInWindow >= config.floodShares && next.easierInWindow === 0;
  if (elapsedMs < config.retargetSeconds * 1000 && !early) return next;
  return retarget(next, now, elapsedMs / Math.max(1, next.sharesInWindow), config);
}

/** Periodic sweep: a connection that has gone quiet for a retarget period gets an easier target. */
export function vardiffOnIdle(state: VardiffState, now: number, config: VardiffConfig): VardiffState {
  if (now - state.lastShareAt < config.retargetSeconds * 1000) return state;
  if (now - state.windowStart < config.retargetSeconds * 1000) return state;
  return retarget(state, now, (now - state.windowStart) / Math.max(1, state.sharesInWindow), config);
}

function retarget(state: VardiffState, now: number, averageMs: number, config: VardiffConfig): VardiffState {
  const targetMs = config.targetSeconds * 1000;
  const variance = (targetMs * config.variancePercent) / 100;
  const window = { ...state, windowStart: now, sharesInWindow: 0, easierInWindow: 0 };
  if (Math.abs(averageMs - targetMs) <= variance) return window;
  // new = d · target / average, as an exact ratio of whole milliseconds, limited per step and by min/max.
  const factor = ratio(BigInt(Math.round(targetMs)), BigInt(Math.max(1, Math.round(averageMs))));
  const limit = BigInt(Math.round(config.maxFactor * 1000));
  const limited = clamp(factor, ratio(1000n, limit), ratio(limit, 1000n));
  const wanted = clamp(roundSignificant(mul(state.difficulty, limited)), config.min, config.max);
  if (equal(wanted, state.difficulty)) return window;
  const previous = state.difficulty;
  const acceptable = compare(wanted, previous) > 0 ? [wanted, previous] : [previous, wanted];
  return { ...window, previous, difficulty: wanted, acceptable };
}

export function isEasier(a: Ratio, b: Ratio): boolean {
  return compare(a, b) < 0;
}
