/** How fast the shed fraction follows the delay (per millisecond of delay over the target, per update). */
const GAIN_OVER_TARGET = 0.002;
/** … and its trend (per millisecond the delay grew since the last update), so a burst is met at once. */
const GAIN_TREND = 0.005;

/**
 * What fraction of submits to shed (answer "busy" unchecked), steered by how long share checks wait for a
 * verifier thread: a proportional-integral controller in the manner of PIE (RFC 8033), updated every few
 * milliseconds with that delay.
 *
 * Why a fraction and not a threshold: on a machine whose cores the verifier threads share with the event loop,
 * the delay has spikes of a scheduler's time slice that a threshold answers by shedding everything for a
 * moment while the threads sit idle; a fraction that rises only while the delay stays over the target sheds
 * just the excess, and the rest is checked at full speed. The admission itself is deterministic (a running
 * credit), so exactly that fraction is shed, with no random draw per share.
 */
export class ShedController {
  /** The fraction shed now, in [0, 1]. */
  fraction = 0;
  private lastDelayMs = 0;
  private credit = 0;

  constructor(private readonly targetMs: number) {}

  /** A new reading of the delay (ms): the fraction moves toward what keeps the delay at the target. */
  update(delayMs: number): void {
    // Under the target a growing delay is no reason to shed yet; a falling one always speeds the way down.
    const trend = delayMs - this.lastDelayMs;
    const next =
      this.fraction +
      GAIN_OVER_TARGET * (delayMs - this.targetMs) +
      GAIN_TREND * (delayMs > this.targetMs ? trend : Math.min(0, trend));
    this.lastDelayMs = delayMs;
    this.fraction = next < 0 ? 0 : next > 1 ? 1 : next;
    if (this.fraction === 0) this.credit = 0;
  }

  /** Should this submit be checked? Over many calls, `fraction` of them are answered no. */
  admit(): boolean {
    if (this.fraction === 0) return true;
    this.credit += this.fraction;
    if (this.credit < 1) return true;
    this.credit -= 1;
    return false;
  }
}
