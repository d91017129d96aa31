/**
 * The event stream every trace format consumes. The timeline merge emits one
 * time-ordered stream of slice begins/ends and counter samples; the proto and
 * the Chrome JSON sinks each encode that same stream, which is what makes the
 * two forms carry identical slices and counter samples. Counts are kept here,
 * once, so the summary cannot differ between formats either.
 */
import { EventArgs } from './args.js';
import type { TraceTimeBase } from './clock.js';
import type { DecodeGap } from './decodeGap.js';
import type { TrackLayout } from './tracks.js';

/** Event categories: lets PerfettoSQL tell request slices from step and journey slices. */
export type SliceCategory = 'request' | 'step' | 'journey';

/** Counter samples taken at one instant (attached to a slice end), by track index. */
export class CounterSamples {
  length = 0;
  readonly tracks = new Int32Array(8);
  readonly values = new Float64Array(8);

  clear(): this {
    this.length = 0;
    return this;
  }

  add(track: number, value: number): this {
    this.tracks[this.length] = track;
    this.values[this.length] = value;
    this.length++;
    return this;
  }
}

export const NO_FLOWS = new Int32Array(0);

export interface EventCounts {
  slices: number;
  counterSamples: number;
  flows: number;
}

/**
 * Callers guarantee: `open` first; timestamps (integer ns) never decrease;
 * every endSlice closes the most recent open slice on its track.
 */
export abstract class TraceEventSink {
  readonly counts: EventCounts = { slices: 0, counterSamples: 0, flows: 0 };

  /** Declares the tracks (and, for the proto form, the clock) before any event. */
  abstract open(layout: TrackLayout, time: TraceTimeBase): void;

  /**
   * Opens a slice. `internName` says the name repeats (decode, step labels) and
   * is worth interning; unique names (`reqI prefill`) are written inline.
   */
  beginSlice(track: number, tsNs: number, category: SliceCategory, name: string, internName: boolean, args: EventArgs): void {
    this.counts.slices++;
    this.writeBegin(track, tsNs, category, name, internName, args);
  }

  /**
   * Closes the track's open slice. `counters` are samples taken at the same
   * instant; `flowOut` (0 = none) starts a flow at the closed slice;
   * `flowsIn` ends flows there.
   */
  endSlice(track: number, tsNs: number, counters: CounterSamples | null, flowOut: number, flowsIn: Int32Array): void {
    if (counters) this.counts.counterSamples += counters.length;
    if (flowOut !== 0) this.counts.flows++;
    this.writeEnd(track, tsNs, counters, flowOut, flowsIn);
  }

  counter(track: number, tsNs: number, value: number): void {
    this.counts.counterSamples++;
    this.writeCounter(track, tsNs, value);
  }

  protected readonly gapArgs = new EventArgs();
  protected readonly gapSamples = new CounterSamples();

  /**
   * A decode slice, begin and end (nothing else may come between them on its
   * track). A sink may override this with a direct encoding, which must write
   * exactly what this generic form writes.
   */
  decodeGap(gap: DecodeGap): void {
    this.beginSlice(gap.track, gap.beginNs, 'request', gap.name, true, gap.fillArgs(this.gapArgs));
    this.endSlice(gap.track, gap.endNs, gap.fillCounters(this.gapSamples), 0, NO_FLOWS);
  }

  protected abstract writeBegin(
    track: number,
    tsNs: number,
    category: SliceCategory,
    name: string,
    internName: boolean,
    args: EventArgs,
  ): void;
  protected abstract writeEnd(
    track: number,
    tsNs: number,
    counters: CounterSamples | null,
    flowOut: number,
    flowsIn: Int32Array,
  ): void;
  protected abstract writeCounter(track: number, tsNs: number, value: number): void;

  /**
   * Requests are written in windows (consecutive requests in arrival order,
   * writeTrace.ts); a sink may start fresh per-window state here. Called
   * before the window's first event; windows come in order from 0.
   */
  async startWindow(_window: number): Promise<void> {}

  /** True when enough output is buffered to be worth a write (~64 KiB). */
  abstract get wantsFlush(): boolean;
  abstract flush(): Promise<void>;
  /** Writes whatever is buffered plus the format's trailer. */
  abstract finish(): Promise<void>;
}
