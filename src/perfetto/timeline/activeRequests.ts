/**
 * The active_requests counter: one sample per distinct arrival/end time with
 * the count after every event at that time (capture/derive/activeSweep: +1
 * at arrival, -1 at end, ends before arrivals at equal times — the lane
 * packing's rule, so the counter's peak is the lane count).
 */
import type { ActiveSeries } from '../../capture/derive/activeSweep.js';
import { msToNs } from '../clock.js';
import type { TraceEventSink } from '../sink.js';
import { SAMPLE, type EntityEvents } from './entityStream.js';

export class ActiveRequestEvents implements EntityEvents {
  readonly entityCount: number;

  constructor(
    private readonly series: ActiveSeries,
    private readonly track: number,
    private readonly shiftNs: number,
  ) {
    this.entityCount = track >= 0 && series.timeMs.length > 0 ? 1 : 0;
  }

  eventCount(): number {
    return this.series.timeMs.length;
  }

  timeNs(_entity: number, index: number): number {
    return this.shiftNs + msToNs(this.series.timeMs[index]);
  }

  eventClass(): number {
    return SAMPLE;
  }

  emit(_entity: number, index: number, ts: number, sink: TraceEventSink): void {
    sink.counter(this.track, ts, this.series.active[index]);
  }
}
