/**
 * The scheduler-step track: one slice per step, named by its classification
 * (stepLabel), with the step's statistics as args. The sched_* counters are
 * sampled on each step's end — when the sidecar reported them (ts_ms) — and
 * the step's end also terminates the first-token flows of the requests it
 * produced.
 */
import { STEP_KINDS, type StepTable } from '../../capture/model.js';
import { stepLabel } from '../../capture/derive/steps.js';
import { argName, EventArgs } from '../args.js';
import { msToNs } from '../clock.js';
import { CounterSamples, type TraceEventSink } from '../sink.js';
import type { CounterTracks } from '../tracks.js';
import { sliceEventClass, type EntityEvents } from './entityStream.js';
import type { FlowsByStep } from './firstTokenFlows.js';

/** Arg names of these events. */
const ARG = {
  decode_tokens: argName('decode_tokens'),
  kind: argName('kind'),
  kv_cache_usage: argName('kv_cache_usage'),
  preempted: argName('preempted'),
  prefill_requests: argName('prefill_requests'),
  prefill_tokens: argName('prefill_tokens'),
  prefix_hits: argName('prefix_hits'),
  running: argName('running'),
  scheduler_cpu_us: argName('scheduler_cpu_us'),
  spec_accepted_tokens: argName('spec_accepted_tokens'),
  spec_draft_tokens: argName('spec_draft_tokens'),
  step: argName('step'),
  waiting: argName('waiting'),
  wall_known: argName('wall_known'),
};

export interface StepIntervals {
  startNs: Float64Array;
  endNs: Float64Array;
}

/**
 * Step intervals on the trace clock. All steps share one track, where an
 * overlap would silently mis-nest, so each interval is clipped to start no
 * earlier than its predecessor's end and to end no later than its
 * successor's start (only OTLP steps whose wall time is unknown, drawn as
 * start + scheduler CPU time, can need this).
 */
export function stepIntervalsNs(steps: StepTable, shiftNs: number): StepIntervals {
  const n = steps.count;
  const startNs = new Float64Array(n);
  const endNs = new Float64Array(n);
  let previousEnd = -Infinity;
  for (let i = 0; i < n; i++) {
    const start = Math.max(shiftNs + msToNs(steps.startMs[i]), previousEnd);
    let end = shiftNs + msToNs(steps.endMs[i]);
    if (i + 1 < n) end = Math.min(end, shiftNs + msToNs(steps.startMs[i + 1]));
    startNs[i] = start;
    endNs[i] = Math.max(end, start);
    previousEnd = endNs[i];
  }
  return { startNs, endNs };
}

export class StepEvents implements EntityEvents {
  readonly entityCount: number;
  private readonly args = new EventArgs();
  private readonly samples = new CounterSamples();

  constructor(
    private readonly steps: StepTable,
    private readonly intervals: StepIntervals,
    private readonly track: number,
    private readonly counters: CounterTracks,
    private readonly flows: FlowsByStep,
  ) {
    this.entityCount = steps.count > 0 ? 1 : 0;
  }

  eventCount(): number {
    return 2 * this.steps.count;
  }

  timeNs(_entity: number, index: number): number {
    return index & 1 ? this.intervals.endNs[index >> 1] : this.intervals.startNs[index >> 1];
  }

  eventClass(_entity: number, index: number): number {
    return sliceEventClass(index);
  }

  emit(_entity: number, index: number, ts: number, sink: TraceEventSink): void {
    const i = index >> 1;
    if (index & 1) {
      sink.endSlice(this.track, ts, this.sampleCounters(i), 0, this.flows.flowIds.subarray(this.flows.offsets[i], this.flows.offsets[i + 1]));
      return;
    }
    const s = this.steps;
    const kind = STEP_KINDS[s.kind[i]];
    const args = this.args.clear().int(ARG.step, s.stepId[i]).label(ARG.kind, kind);
    args.int(ARG.running, s.running[i]).int(ARG.waiting, s.waiting[i]);
    args.int(ARG.prefill_requests, s.prefillRequests[i]).int(ARG.prefill_tokens, s.prefillTokens[i]).int(ARG.decode_tokens, s.decodeTokens[i]);
    if (Number.isFinite(s.kvUsage[i])) args.double(ARG.kv_cache_usage, s.kvUsage[i]);
    if (s.prefixHits[i] >= 0) args.int(ARG.prefix_hits, s.prefixHits[i]);
    if (s.preempted[i] >= 0) args.int(ARG.preempted, s.preempted[i]);
    if (s.specDraft[i] > 0) args.int(ARG.spec_draft_tokens, s.specDraft[i]).int(ARG.spec_accepted_tokens, s.specAccepted[i]);
    if (s.source === 'otlp') {
      args.int(ARG.wall_known, s.wallKnown[i]);
      if (Number.isFinite(s.schedulerCpuUs[i])) args.double(ARG.scheduler_cpu_us, s.schedulerCpuUs[i]);
    }
    sink.beginSlice(this.track, ts, 'step', stepLabel(kind, s.running[i], s.prefillRequests[i], s.prefillTokens[i]), true, args);
  }

  private sampleCounters(i: number): CounterSamples {
    const s = this.steps;
    const c = this.counters;
    const samples = this.samples.clear();
    samples.add(c.schedRunning, s.running[i]).add(c.schedWaiting, s.waiting[i]);
    if (c.schedKvUsage >= 0 && Number.isFinite(s.kvUsage[i])) samples.add(c.schedKvUsage, s.kvUsage[i]);
    if (c.schedAcceptRate >= 0 && s.specDraft[i] > 0) samples.add(c.schedAcceptRate, s.specAccepted[i] / s.specDraft[i]);
    return samples;
  }
}
