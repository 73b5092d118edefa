import { clamp, compare, equal, mul, type Ratio, ratio } from '../autolykos/index.ts';
import { roundSignificant } from './ratio-math.ts';

/**
 * Variable share difficulty per connection, a pure state machine: the caller feeds share times and idle
 * ticks and applies the difficulty it returns. Difficulties are exact ratios in share-difficulty units.
 */
export interface VardiffConfig {
  /** Seconds between shares to aim for. */
  targetSeconds: number;
  /** Least seconds between two retargets (unless the connection floods, see minSharesToRetarget). */
  retargetSeconds: number;
  /** No change while the observed interval is within ± this percentage of the target. */
  variancePercent: number;
  min: Ratio;
  max: Ratio;
  /** One retarget changes the difficulty by at most this factor up or down. */
  maxFactor: number;
  /** This many shares since the last retarget allow an early retarget (a fast miner on a low start). */
  floodShares: number;
  /** Shares meeting the previous target stay valid this long after a change. */
  graceSeconds: number;
}

export const DEFAULT_VARDIFF: Omit<VardiffConfig, 'min' | 'max'> = {
  targetSeconds: 15,
  retargetSeconds: 90,
  variancePercent: 30,
  maxFactor: 4,
  floodShares: 20,
  graceSeconds: 30,
};

export interface VardiffState {
  difficulty: Ratio;
  previous: Ratio | null;
  /** When the difficulty last changed (ms). */
  changedAt: number;
  /** Start of the current observation window (ms). */
  windowStart: number;
  sharesInWindow: number;
  lastShareAt: number;
}

export function startVardiff(difficulty: Ratio, now: number): VardiffState {
  return {
    difficulty,
    previous: null,
    changedAt: now,
    windowStart: now,
    sharesInWindow: 0,
    lastShareAt: now,
  };
}

/** After an accepted share: maybe a new difficulty. */
export function vardiffOnShare(state: VardiffState, now: number, config: VardiffConfig): VardiffState {
  const next = { ...state, sharesInWindow: state.sharesInWindow + 1, lastShareAt: now };
  const elapsedMs = now - next.windowStart;
  const due = elapsedMs >= config.retargetSeconds * 1000 || next.sharesInWindow >= config.floodShares;
  if (!due) return next;
  return retarget(next, now, elapsedMs / next.sharesInWindow, config);
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
  const window = { ...state, windowStart: now, sharesInWindow: 0 };
  if (Math.abs(averageMs - targetMs) <= variance) return window;
  // new = d · target / average, as an exact ratio of whole milliseconds, limited per step and by min/max.
  const factor = ratio(BigInt(Math.round(targetMs)), BigInt(Math.max(1, Math.round(averageMs))));
  const limit = BigInt(Math.round(config.maxFactor * 1000));
  const limited = clamp(factor, ratio(1000n, limit), ratio(limit, 1000n));
  const wanted = clamp(roundSignificant(mul(state.difficulty, limited)), config.min, config.max);
  if (equal(wanted, state.difficulty)) return window;
  return { ...window, previous: state.difficulty, difficulty: wanted, changedAt: now };
}

/** The difficulties a share may be credited at now: current, and the previous one within the grace period. */
export function acceptableDifficulties(state: VardiffState, now: number, config: VardiffConfig): Ratio[] {
  if (state.previous && now - state.changedAt <= config.graceSeconds * 1000)
    return [state.difficulty, state.previous];
  return [state.difficulty];
}

export function isEasier(a: Ratio, b: Ratio): boolean {
  return compare(a, b) < 0;
}
