/**
 * K-way merge of per-entity event sequences into one time-ordered stream.
 *
 * An entity (a request, a journey, the step sequence, a counter series)
 * produces its events in time order; entities start in non-decreasing order
 * of their first event, so only the entities already under way sit in the
 * heap (about the concurrency, not the request count). Keys are read from
 * typed arrays by entity id: no per-event allocation.
 *
 * Ties at equal timestamps are ordered by class: slice ends first (a lane's
 * request closes before the next request opens on it, and a zero-length
 * slice closes before anything else starts there), then counter samples, then
 * slice begins; then by entity id (arrival order), which keeps the stream
 * deterministic.
 */
import type { TraceEventSink } from '../sink.js';

export const END = 0;
export const SAMPLE = 1;
export const BEGIN = 2;

export interface EntityEvents {
  /** Entities, in non-decreasing order of their first event's time. */
  readonly entityCount: number;
  /** Called before `enter`, like `timeNs(entity, 0)` and `eventClass(entity, 0)`. */
  eventCount(entity: number): number;
  /** Integer ns; non-decreasing over one entity's events. */
  timeNs(entity: number, index: number): number;
  /** END, SAMPLE or BEGIN. */
  eventClass(entity: number, index: number): number;
  /** Emits event `index`; `tsNs` is its timeNs, already computed for the merge. */
  emit(entity: number, index: number, tsNs: number, sink: TraceEventSink): void;
  /** The entity joins the merge (its first event is next in line): load what its later events need. */
  enter?(entity: number): void;
  /** The entity's last event was emitted: release what `enter` loaded. */
  leave?(entity: number): void;
}

/** For entities whose events are back-to-back slices: even index = begin, odd = end. */
export function sliceEventClass(index: number): number {
  return index & 1 ? END : BEGIN;
}

export class EntityEventStream {
  private readonly heap: Int32Array;
  private size = 0;
  private readonly nextIndex: Int32Array;
  private readonly remaining: Int32Array;
  private readonly nextTime: Float64Array;
  private readonly nextClass: Uint8Array;
  /** The next entity not yet in the heap. */
  private pending = 0;

  constructor(private readonly events: EntityEvents) {
    const n = events.entityCount;
    this.heap = new Int32Array(n);
    this.nextIndex = new Int32Array(n);
    this.remaining = new Int32Array(n);
    this.nextTime = new Float64Array(n);
    this.nextClass = new Uint8Array(n);
    this.activate();
  }

  /** Events of every entity: what the stream will emit in all. */
  get eventCount(): number {
    let count = 0;
    for (let entity = 0; entity < this.events.entityCount; entity++) count += this.events.eventCount(entity);
    return count;
  }

  /** Time of the next event; Infinity when the stream is exhausted. */
  peekTime(): number {
    return this.size > 0 ? this.nextTime[this.heap[0]] : Infinity;
  }

  peekClass(): number {
    return this.nextClass[this.heap[0]];
  }

  emitNext(sink: TraceEventSink): void {
    const entity = this.heap[0];
    const index = this.nextIndex[entity];
    this.events.emit(entity, index, this.nextTime[entity], sink);
    if (--this.remaining[entity] > 0) {
      this.nextIndex[entity] = index + 1;
      this.nextTime[entity] = this.events.timeNs(entity, index + 1);
      this.nextClass[entity] = this.events.eventClass(entity, index + 1);
      this.siftDown(0);
    } else {
      this.events.leave?.(entity);
      this.size--;
      if (this.size > 0) {
        this.heap[0] = this.heap[this.size];
        this.siftDown(0);
      }
    }
    this.activate();
  }

  /** Moves into the heap every waiting entity whose first event is not later than the current head. */
  private activate(): void {
    const events = this.events;
    while (this.pending < events.entityCount) {
      const entity = this.pending;
      const count = events.eventCount(entity);
      if (count > 0) {
        const first = events.timeNs(entity, 0);
        if (this.size > 0 && first > this.nextTime[this.heap[0]]) return;
        events.enter?.(entity);
        this.nextIndex[entity] = 0;
        this.remaining[entity] = count;
        this.nextTime[entity] = first;
        this.nextClass[entity] = events.eventClass(entity, 0);
        this.heap[this.size] = entity;
        this.siftUp(this.size++);
      }
      this.pending++;
    }
  }

  private before(a: number, b: number): boolean {
    const ta = this.nextTime[a];
    const tb = this.nextTime[b];
    if (ta !== tb) return ta < tb;
    const ca = this.nextClass[a];
    const cb = this.nextClass[b];
    return ca !== cb ? ca < cb : a < b;
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const entity = heap[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(entity, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entity;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const size = this.size;
    const entity = heap[i];
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && this.before(heap[right], heap[left]) ? right : left;
      if (!this.before(heap[child], entity)) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = entity;
  }
}

/**
 * The union of several streams in time order. At equal time and class the
 * earlier stream in `streams` goes first.
 */
export class MergedStreams {
  // Each stream's next (time, class), refreshed only for the stream that just emitted.
  private readonly time: Float64Array;
  private readonly eventClass: Uint8Array;
  emitted = 0;

  constructor(private readonly streams: EntityEventStream[]) {
    this.time = new Float64Array(streams.length);
    this.eventClass = new Uint8Array(streams.length);
    for (let i = 0; i < streams.length; i++) this.refresh(i);
  }

  get eventCount(): number {
    return this.streams.reduce((sum, stream) => sum + stream.eventCount, 0);
  }

  private refresh(i: number): void {
    const stream = this.streams[i];
    this.time[i] = stream.peekTime();
    if (this.time[i] !== Infinity) this.eventClass[i] = stream.peekClass();
  }

  /**
   * Emits the remaining events in order, stopping early when the sink wants
   * a flush. Returns true when it stopped for the flush: flush, then call
   * again.
   */
  emit(sink: TraceEventSink): boolean {
    const { time, eventClass, streams } = this;
    for (;;) {
      let best = -1;
      let bestTime = Infinity;
      let bestClass = 0;
      for (let i = 0; i < streams.length; i++) {
        const t = time[i];
        if (t < bestTime || (t === bestTime && t !== Infinity && eventClass[i] < bestClass)) {
          best = i;
          bestTime = t;
          bestClass = eventClass[i];
        }
      }
      if (best < 0) return false;
      streams[best].emitNext(sink);
      this.refresh(best);
      this.emitted++;
      if (sink.wantsFlush) return true;
    }
  }
}
