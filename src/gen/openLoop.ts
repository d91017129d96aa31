/**
 * Open-loop scenarios: arrivals follow a clock, not the server. A request's
 * `concurrency` is the number of requests in flight at the API (arrived and
 * not yet departed) when it arrived, itself included.
 */
import type { GenConfig } from './config.js';
import { MinHeap } from '../util/minHeap.js';
import type { LengthProfile, RequestShaper } from './requestShape.js';
import type { Rng } from './rng.js';
import type { IssueLimit, RequestSpec, Workload } from './workload.js';

export interface Arrival {
  /** API arrival, µs (float; rounded when the request is made). The first arrival is at 0. */
  us: number;
  profile: LengthProfile;
}

/** An endless, nondecreasing sequence of arrivals. */
export type ArrivalProcess = () => Arrival;

/** Poisson process at `rate` req/s, first arrival at t = 0. */
export function poissonArrivals(config: GenConfig, rng: Rng): ArrivalProcess {
  const profile = baseProfile(config);
  const meanGapUs = 1e6 / config.rate;
  let t: number | undefined;
  return () => {
    t = t === undefined ? 0 : t + rng.exponential(meanGapUs);
    return { us: t, profile };
  };
}

/** `burstSize` simultaneous arrivals every `burstIntervalS`, starting at t = 0. */
export function burstArrivals(config: GenConfig): ArrivalProcess {
  const profile = baseProfile(config);
  let k = 0;
  return () => ({ us: Math.floor(k++ / config.burstSize) * config.burstIntervalS * 1e6, profile });
}

/**
 * Sweep: time is cut into phases of `phaseDurationS`; each phase has its own
 * Poisson rate and length medians, cycling through lists of co-prime lengths
 * (5, 3, 4) so load, prompt length and output length vary independently and
 * every beta feature (prefill, decode, context) spans a wide range.
 */
export const SWEEP_RATE_FACTORS = [0.25, 1, 0.5, 2, 1.5] as const;
export const SWEEP_PROMPT_FACTORS = [1, 0.25, 4] as const;
export const SWEEP_OUTPUT_FACTORS = [1, 0.5, 2, 0.25] as const;

export function sweepArrivals(config: GenConfig, rng: Rng): ArrivalProcess {
  const phaseUs = config.phaseDurationS * 1e6;
  let t: number | undefined;
  return () => {
    if (t === undefined) t = 0;
    else {
      // Memoryless: a gap that would cross into the next phase restarts at the boundary with that phase's rate.
      while (true) {
        const phase = Math.floor(t / phaseUs);
        const gap = rng.exponential(1e6 / (config.rate * SWEEP_RATE_FACTORS[phase % SWEEP_RATE_FACTORS.length]));
        const end = (phase + 1) * phaseUs;
        if (t + gap < end) {
          t += gap;
          break;
        }
        t = end;
      }
    }
    const phase = Math.floor(t / phaseUs);
    return {
      us: t,
      profile: {
        promptMedian: Math.min(config.promptMax, config.promptMedian * SWEEP_PROMPT_FACTORS[phase % SWEEP_PROMPT_FACTORS.length]),
        outputMedian: config.outputMedian * SWEEP_OUTPUT_FACTORS[phase % SWEEP_OUTPUT_FACTORS.length],
      },
    };
  };
}

export function baseProfile(config: GenConfig): LengthProfile {
  return { promptMedian: config.promptMedian, outputMedian: config.outputMedian };
}

export class OpenLoopWorkload implements Workload {
  private next: Arrival | undefined;
  private issued = 0;
  private departed = 0;
  private readonly departures = new MinHeap<null>();

  constructor(
    private readonly arrivals: ArrivalProcess,
    private readonly shaper: RequestShaper,
    private readonly limit: IssueLimit,
  ) {}

  peekArrivalUs(): number | undefined {
    if (this.limit.requests !== undefined && this.issued >= this.limit.requests) return undefined;
    this.next ??= this.arrivals();
    const us = Math.round(this.next.us);
    if (this.limit.untilUs !== undefined && us >= this.limit.untilUs) return undefined;
    return us;
  }

  takeArrival(): RequestSpec {
    const apiArrivalUs = this.peekArrivalUs()!;
    const { profile } = this.next!;
    this.next = undefined;
    // Departures at or before this instant have left: a tie counts as gone.
    while ((this.departures.peekKey() ?? Infinity) <= apiArrivalUs) {
      this.departures.pop();
      this.departed++;
    }
    const concurrency = this.issued - this.departed + 1;
    const index = this.issued++;
    const promptIds = this.shaper.appendTokens([], this.shaper.promptLength(profile.promptMedian));
    return { index, apiArrivalUs, promptIds, concurrency, ...this.shaper.outputPlan(profile.outputMedian) };
  }

  onDeparted(_spec: RequestSpec, departedUs: number): void {
    this.departures.push(departedUs, null);
  }
}
