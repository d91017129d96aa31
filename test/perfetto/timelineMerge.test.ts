import { describe, expect, it } from 'vitest';
import { EventArgs } from '../../src/perfetto/args.js';
import { TraceEventSink, type CounterSamples, type SliceCategory } from '../../src/perfetto/sink.js';
import { SAMPLE, EntityEventStream, MergedStreams, sliceEventClass, type EntityEvents } from '../../src/perfetto/timeline/entityStream.js';
import { flowsByStep, producingSteps, NO_STEP } from '../../src/perfetto/timeline/firstTokenFlows.js';

/** Records what reaches a sink, in order. */
class RecordingSink extends TraceEventSink {
  readonly events: { kind: 'begin' | 'end' | 'counter'; track: number; ts: number; name?: string }[] = [];
  open(): void {}
  protected writeBegin(track: number, ts: number, _c: SliceCategory, name: string): void {
    this.events.push({ kind: 'begin', track, ts, name });
  }
  protected writeEnd(track: number, ts: number, _c: CounterSamples | null): void {
    this.events.push({ kind: 'end', track, ts });
  }
  protected writeCounter(track: number, ts: number): void {
    this.events.push({ kind: 'counter', track, ts });
  }
  get wantsFlush(): boolean {
    return false;
  }
  async flush(): Promise<void> {}
  async finish(): Promise<void> {}
}

/** Entities of back-to-back slices on given tracks; times in ns. */
class Slices implements EntityEvents {
  private readonly args = new EventArgs();
  constructor(private readonly boundaries: number[][], private readonly tracks: number[]) {}
  get entityCount() {
    return this.boundaries.length;
  }
  eventCount(e: number) {
    return 2 * (this.boundaries[e].length - 1);
  }
  timeNs(e: number, i: number) {
    return this.boundaries[e][(i + 1) >> 1];
  }
  eventClass(_e: number, i: number) {
    return sliceEventClass(i);
  }
  emit(e: number, i: number, ts: number, sink: TraceEventSink) {
    if (i & 1) sink.endSlice(this.tracks[e], ts, null, 0, new Int32Array(0));
    else sink.beginSlice(this.tracks[e], ts, 'request', `e${e}s${i >> 1}`, true, this.args.clear());
  }
}

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Emits everything (the sink never asks for a flush). */
function emitAll(streams: EntityEventStream[], sink: TraceEventSink): void {
  expect(new MergedStreams(streams).emit(sink)).toBe(false);
}

describe('EntityEventStream / MergedStreams', () => {
  it('emits every event once, in time order, ends before begins at equal times, each entity in its own order', async () => {
    const random = lcg(3);
    for (let round = 0; round < 20; round++) {
      // Entities sorted by start; integer times so ties are frequent; zero-length slices included.
      const starts = Array.from({ length: 30 }, () => Math.floor(random() * 50)).sort((a, b) => a - b);
      const boundaries = starts.map((start) => {
        const times = [start];
        for (let k = 0, n = 1 + Math.floor(random() * 5); k < n; k++) times.push(times[times.length - 1] + Math.floor(random() * 4));
        return times;
      });
      const sink = new RecordingSink();
      emitAll([new EntityEventStream(new Slices(boundaries, boundaries.map((_, e) => e)))], sink);
      expect(sink.events.length).toBe(boundaries.reduce((n, b) => n + 2 * (b.length - 1), 0));
      for (let i = 1; i < sink.events.length; i++) {
        const [a, b] = [sink.events[i - 1], sink.events[i]];
        expect(a.ts <= b.ts).toBe(true);
        if (a.ts === b.ts && a.kind === 'begin' && b.kind === 'end') expect(b.track).toBe(a.track); // only a zero-length slice's own end may follow a begin
      }
      for (let e = 0; e < boundaries.length; e++) {
        const mine = sink.events.filter((event) => event.track === e).map((event) => event.ts);
        expect(mine).toEqual(boundaries[e].flatMap((t, k) => (k === 0 ? [t] : k === boundaries[e].length - 1 ? [t] : [t, t])));
      }
    }
  });

  it('closes a lane before reopening it when one request ends as the next arrives on the same lane', async () => {
    const sink = new RecordingSink();
    // Two requests on track 0: [0,5] then [5,5] (zero length) then a third at [5,8].
    emitAll([new EntityEventStream(new Slices([[0, 5], [5, 5], [5, 8]], [0, 0, 0]))], sink);
    expect(sink.events.map((e) => `${e.kind}@${e.ts}`)).toEqual(['begin@0', 'end@5', 'begin@5', 'end@5', 'begin@5', 'end@8']);
  });

  it('breaks ties across streams by class, then by the order the streams are listed', async () => {
    const sink = new RecordingSink();
    const counter: EntityEvents = {
      entityCount: 1,
      eventCount: () => 1,
      timeNs: () => 5,
      eventClass: () => SAMPLE,
      emit: (_e, _i, ts, s) => s.counter(9, ts, 1),
    };
    emitAll(
      [new EntityEventStream(new Slices([[0, 5]], [1])), new EntityEventStream(new Slices([[5, 6]], [2])), new EntityEventStream(counter), new EntityEventStream(new Slices([[2, 5]], [3]))],
      sink,
    );
    expect(sink.events.map((e) => `${e.kind}${e.track}@${e.ts}`)).toEqual(['begin1@0', 'begin3@2', 'end1@5', 'end3@5', 'counter9@5', 'begin2@5', 'end2@6']);
  });

  it('stops when the sink wants a flush, and resumes where it stopped', () => {
    let flushes = 0;
    class SmallSink extends RecordingSink {
      override get wantsFlush(): boolean {
        return this.events.length > 0 && this.events.length % 3 === 0 && this.events.length / 3 > flushes;
      }
    }
    const sink = new SmallSink();
    const merged = new MergedStreams([new EntityEventStream(new Slices([[0, 5], [5, 9], [9, 12]], [1, 1, 1]))]);
    while (merged.emit(sink)) flushes++;
    expect(flushes).toBe(2);
    expect(sink.events.map((e) => `${e.kind}@${e.ts}`)).toEqual(['begin@0', 'end@5', 'begin@5', 'end@9', 'begin@9', 'end@12']);
    expect(merged.emitted).toBe(6);
  });
});

describe('first-token flows', () => {
  const start = Float64Array.from([10, 20, 30, 30, 45]);
  const end = Float64Array.from([20, 30, 30, 40, 50]);

  it('gives a first token to the step whose interval holds it, the step ending there on a tie', () => {
    const firstToken = Float64Array.from([15, 20, 30, 31, 40, 42, 5, 55, NaN, 10]);
    expect(Array.from(producingSteps(firstToken, start, end))).toEqual([0, 0, 1, 3, 3, NO_STEP, NO_STEP, NO_STEP, NO_STEP, 0]);
  });

  it('lists the flows ending at each step (flow id = request id + 1)', () => {
    const flows = flowsByStep(Int32Array.from([0, 0, 1, NO_STEP, 3]), 5);
    expect(Array.from(flows.offsets)).toEqual([0, 2, 3, 3, 4, 4]);
    expect(Array.from(flows.flowIds)).toEqual([1, 2, 3, 5]);
  });
});
