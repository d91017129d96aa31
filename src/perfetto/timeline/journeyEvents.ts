/**
 * Journey stage slices (queue / prefill / decode / preempted) of each OTLP
 * request on its journey track, from the engine's own timestamps.
 */
import { argName, EventArgs } from '../args.js';
import { msToNs } from '../clock.js';
import { NO_FLOWS, type TraceEventSink } from '../sink.js';
import { sliceEventClass, type EntityEvents } from './entityStream.js';
import { JOURNEY_STAGES, type JourneyTimeline } from './journeyStages.js';

/** Arg names of these events. */
const ARG = {
  num_preemptions: argName('num_preemptions'),
  request_id: argName('request_id'),
  scheduler_step: argName('scheduler_step'),
};

export class JourneyEvents implements EntityEvents {
  readonly entityCount: number;
  private readonly args = new EventArgs();

  constructor(
    private readonly journey: JourneyTimeline,
    /** Track per journey request. */
    private readonly tracks: Int32Array,
    private readonly shiftNs: number,
  ) {
    this.entityCount = journey.requestCount;
  }

  eventCount(entity: number): number {
    return 2 * (this.journey.stageOffset[entity + 1] - this.journey.stageOffset[entity]);
  }

  timeNs(entity: number, index: number): number {
    const stage = this.journey.stageOffset[entity] + (index >> 1);
    return this.shiftNs + msToNs(index & 1 ? this.journey.endMs[stage] : this.journey.beginMs[stage]);
  }

  eventClass(_entity: number, index: number): number {
    return sliceEventClass(index);
  }

  emit(entity: number, index: number, ts: number, sink: TraceEventSink): void {
    const track = this.tracks[entity];
    if (index & 1) return sink.endSlice(track, ts, null, 0, NO_FLOWS);
    const j = this.journey;
    const stage = j.stageOffset[entity] + (index >> 1);
    const args = this.args.clear().text(ARG.request_id, j.label[entity]);
    if (j.schedulerStep[stage] >= 0) args.int(ARG.scheduler_step, j.schedulerStep[stage]);
    if (j.numPreemptions[stage] >= 0) args.int(ARG.num_preemptions, j.numPreemptions[stage]);
    sink.beginSlice(track, ts, 'journey', JOURNEY_STAGES[j.stage[stage]], true, args);
  }
}
