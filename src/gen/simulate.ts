/**
 * The simulation driver: API arrivals → engine steps → departures, as a
 * stream of events (no I/O). Writers and tests consume the same stream.
 *
 * Clock: integer µs since the first request's api.ARRIVED. The engine sits
 * idle until a request is queued; a step starts at once when there is work
 * and the next starts when the previous ends (back to back). Requests
 * queued at or before a step's start are seen by it; requests queued during
 * a step wait for the next.
 */
import { resolveGenConfig, type GenConfig, type GenOptions } from './config.js';
import { Engine } from './engine.js';
import type { SimEvent, SimTotals } from './events.js';
import { ApiHandoff } from './handoff.js';
import { createWorkload } from './workload.js';

export function* simulate(options: GenOptions | GenConfig = {}): Generator<SimEvent, SimTotals, void> {
  const config = resolveGenConfig(options);
  const workload = createWorkload(config);
  const handoff = new ApiHandoff(workload, config);
  const engine = new Engine(config);
  const enqueue = engine.enqueue.bind(engine);
  const totals: SimTotals = { requests: 0, aborted: 0, steps: 0, preemptions: 0, gaps: 0, promptTokens: 0, cachedTokens: 0, endUs: 0 };
  let now = 0;
  /** Time of the last step end (the sidecar's last line); the sidecar's seed line is at 0. */
  let lastStepEndUs = 0;

  while (true) {
    if (engine.isIdle) {
      const next = handoff.nextQueuedUs();
      if (next === undefined) break;
      now = Math.max(now, next);
    }
    handoff.drainUntil(now, enqueue);
    // The engine went idle with an empty batch and work resumes later: mark it so the sidecar step intervals exclude idle time.
    if (engine.runningCount === 0 && now > lastStepEndUs) {
      yield { kind: 'idle-end', atUs: now, waiting: engine.waitingCount, kvUsage: engine.kvUsage() };
    }

    const { event, finished } = engine.step(now);
    for (const { spec, request } of finished) workload.onDeparted(spec, request.departedUs, request.outputIds);
    handoff.drainUntil(event.endUs, enqueue);
    event.waitingAfter = engine.waitingCount;
    yield event;
    for (const { request } of finished) {
      totals.requests++;
      if (request.finishReason === 'abort') totals.aborted++;
      totals.gaps += request.chunkEndUs.length - 1;
      totals.promptTokens += request.promptTokens;
      totals.cachedTokens += request.cachedTokens;
      totals.endUs = Math.max(totals.endUs, request.departedUs);
      yield { kind: 'finished', request };
    }
    now = lastStepEndUs = event.endUs;
  }
  totals.steps = engine.stepsStarted;
  totals.preemptions = engine.preemptions;
  return totals;
}
