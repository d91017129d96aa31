/**
 * The client side of the simulation: who sends which request when. The
 * scheduler pulls arrivals in API-time order and reports each request's
 * departure back, which is what drives the closed-loop scenarios.
 */
import type { GenConfig } from './config.js';
import { ClosedLoopWorkload, MultiturnWorkload } from './closedLoop.js';
import { OpenLoopWorkload, burstArrivals, poissonArrivals, sweepArrivals } from './openLoop.js';
import { RequestShaper, type OutputPlan } from './requestShape.js';
import { Rng } from './rng.js';

/** One request as the client sends it. */
export interface RequestSpec extends OutputPlan {
  /** 0-based, in API arrival order. */
  index: number;
  /** api.ARRIVED, µs since the first arrival. */
  apiArrivalUs: number;
  promptIds: number[];
  /** Client-side concurrency the request ran under (trace `concurrency`). */
  concurrency: number;
  /** Closed-loop client (or multiturn session slot) that sent it. */
  client?: number;
}

export interface Workload {
  /** API time of the next arrival, or undefined when none is pending (closed-loop clients may add more on departures). */
  peekArrivalUs(): number | undefined;
  /** Removes and returns the next arrival (call only when `peekArrivalUs()` is defined). */
  takeArrival(): RequestSpec;
  /** The request left the API layer (api.DEPARTED or api.ABORTED) with these output token ids. */
  onDeparted(spec: RequestSpec, departedUs: number, outputIds: readonly number[]): void;
}

/** How many requests to issue: a count, or until an API-time limit (µs, exclusive). */
export interface IssueLimit {
  requests?: number;
  untilUs?: number;
}

export function createWorkload(config: GenConfig): Workload {
  const shaper = new RequestShaper(config, new Rng(config.seed, 'workload.lengths'), new Rng(config.seed, 'workload.tokens'));
  const timing = new Rng(config.seed, 'workload.timing');
  const limit: IssueLimit = {
    requests: config.requests,
    untilUs: config.durationS === undefined ? undefined : config.durationS * 1e6,
  };
  switch (config.scenario) {
    case 'poisson':
      return new OpenLoopWorkload(poissonArrivals(config, timing), shaper, limit);
    case 'burst':
      return new OpenLoopWorkload(burstArrivals(config), shaper, limit);
    case 'sweep':
      return new OpenLoopWorkload(sweepArrivals(config, timing), shaper, limit);
    case 'closed':
      return new ClosedLoopWorkload(config, shaper, timing, limit);
    case 'multiturn':
      return new MultiturnWorkload(config, shaper, timing, limit);
  }
}
