/** Runs the simulation to the end and keeps every event, for invariant checks. */
import { simulate, type FinishedRequest, type GenOptions, type IdleEndEvent, type SimTotals, type StepEvent } from '../../src/gen/index.js';

export interface Collected {
  steps: StepEvent[];
  idle: IdleEndEvent[];
  finished: FinishedRequest[];
  /** Events in stream order, by kind only (to check ordering). */
  order: ('step' | 'idle-end' | 'finished')[];
  totals: SimTotals;
}

export function collect(options: GenOptions): Collected {
  const out: Omit<Collected, 'totals'> = { steps: [], idle: [], finished: [], order: [] };
  const events = simulate(options);
  let next = events.next();
  while (!next.done) {
    const event = next.value;
    out.order.push(event.kind);
    if (event.kind === 'step') out.steps.push(event);
    else if (event.kind === 'idle-end') out.idle.push(event);
    else out.finished.push(event.request);
    next = events.next();
  }
  return { ...out, totals: next.value };
}

/** Request index → the step ids in which it was preempted. */
export function preemptionSteps(finished: FinishedRequest[]): Map<number, Set<number>> {
  const map = new Map<number, Set<number>>();
  for (const r of finished) {
    map.set(r.index, new Set(r.journey.filter((e) => e.type === 'PREEMPTED').map((e) => e.step)));
  }
  return map;
}
