/**
 * The native Perfetto form: a stream of TracePackets on one sequence.
 *
 * - Clock: the first packet declares a sequence-scoped custom clock (id 64,
 *   incremental, 1 ns per unit) next to BOOTTIME (and REALTIME when the
 *   capture knows its epoch), and makes it the sequence's default clock. Every
 *   event packet then carries the delta from the previous one — a few bytes
 *   instead of an absolute 64-bit time. This needs timestamps that never
 *   decrease, which the timeline merge guarantees.
 * - Interning: event names, categories, annotation names and label values are
 *   emitted once in `interned_data` (on the first packet that uses them) and
 *   referred to by iid. The first packet clears the incremental state
 *   (SEQ_INCREMENTAL_STATE_CLEARED, first_packet_on_sequence); every event
 *   packet sets SEQ_NEEDS_INCREMENTAL_STATE, since it relies on the interning
 *   tables and on the incremental clock.
 * - Per-gap counters (engine_running, prefill_tokens) ride on the decode
 *   slice's END as extra_counter_values, their track uuids given once in
 *   TrackEventDefaults.
 *
 * Setup packets are encoded by reflection (`Type.encode`, clear and rare);
 * event packets, ~all of the bytes, by direct protobufjs Writer calls with
 * field keys read from the same .proto files (see docs/benchmarks.md).
 */
import protobuf from 'protobufjs';
import { ARG_DOUBLE, ARG_INT, ARG_INT_LIST, ARG_LABEL, ARG_TEXT, type EventArgs } from './args.js';
import type { ByteOutput } from './byteOutput.js';
import type { TraceTimeBase } from './clock.js';
import { InternTable } from './interning.js';
import { enumValue, perfettoSchema, tagOf, type PerfettoSchema } from './protoSchema.js';
import { TraceEventSink, type CounterSamples, type SliceCategory } from './sink.js';
import type { TrackLayout, TrackSpec } from './tracks.js';

export const SEQUENCE_ID = 1;
/** Sequence-scoped custom clock ids are 64–127. */
export const DELTA_CLOCK_ID = 64;
const FLUSH_BYTES = 64 * 1024;
const TWO_POW_32 = 4294967296;
const MAX_ARGS = 24;

/** Field keys of everything an event packet contains, from the schema. */
function eventKeys(schema: PerfettoSchema) {
  const { TracePacket, TrackEvent, DebugAnnotation, InternedData, root } = schema;
  const named = (type: string) => root.lookupType(`perfetto.protos.${type}`);
  return {
    packet: tagOf(schema.Trace, 'packet'),
    timestamp: tagOf(TracePacket, 'timestamp'),
    sequenceId: tagOf(TracePacket, 'trusted_packet_sequence_id'),
    sequenceFlags: tagOf(TracePacket, 'sequence_flags'),
    internedData: tagOf(TracePacket, 'interned_data'),
    trackEvent: tagOf(TracePacket, 'track_event'),
    type: tagOf(TrackEvent, 'type'),
    trackUuid: tagOf(TrackEvent, 'track_uuid'),
    categoryIids: tagOf(TrackEvent, 'category_iids'),
    nameIid: tagOf(TrackEvent, 'name_iid'),
    name: tagOf(TrackEvent, 'name'),
    counterValue: tagOf(TrackEvent, 'counter_value'),
    doubleCounterValue: tagOf(TrackEvent, 'double_counter_value'),
    extraCounterUuids: tagOf(TrackEvent, 'extra_counter_track_uuids'),
    extraCounterValues: tagOf(TrackEvent, 'extra_counter_values'),
    extraDoubleCounterUuids: tagOf(TrackEvent, 'extra_double_counter_track_uuids'),
    extraDoubleCounterValues: tagOf(TrackEvent, 'extra_double_counter_values'),
    flowIds: tagOf(TrackEvent, 'flow_ids'),
    terminatingFlowIds: tagOf(TrackEvent, 'terminating_flow_ids'),
    debugAnnotations: tagOf(TrackEvent, 'debug_annotations'),
    annotationNameIid: tagOf(DebugAnnotation, 'name_iid'),
    intValue: tagOf(DebugAnnotation, 'int_value'),
    doubleValue: tagOf(DebugAnnotation, 'double_value'),
    stringValue: tagOf(DebugAnnotation, 'string_value'),
    stringValueIid: tagOf(DebugAnnotation, 'string_value_iid'),
    arrayValues: tagOf(DebugAnnotation, 'array_values'),
    eventCategories: tagOf(InternedData, 'event_categories'),
    eventNames: tagOf(InternedData, 'event_names'),
    debugAnnotationNames: tagOf(InternedData, 'debug_annotation_names'),
    debugAnnotationStringValues: tagOf(InternedData, 'debug_annotation_string_values'),
    // EventCategory, EventName and DebugAnnotationName share {iid = 1, name = 2}; InternedString is {iid = 1, str = 2}.
    internedIid: tagOf(named('EventName'), 'iid'),
    internedName: tagOf(named('EventName'), 'name'),
    internedStr: tagOf(named('InternedString'), 'str'),
    sliceBegin: enumValue(schema, 'TrackEvent.Type', 'TYPE_SLICE_BEGIN'),
    sliceEnd: enumValue(schema, 'TrackEvent.Type', 'TYPE_SLICE_END'),
    counter: enumValue(schema, 'TrackEvent.Type', 'TYPE_COUNTER'),
    needsIncrementalState: enumValue(schema, 'TracePacket.SequenceFlags', 'SEQ_NEEDS_INCREMENTAL_STATE'),
  };
}
type EventKeys = ReturnType<typeof eventKeys>;

/** Writes a non-negative integer as a varint; uint32 is the same encoding below 2^32 and avoids a 64-bit detour. */
function writeUnsigned(w: protobuf.Writer, value: number): void {
  if (value < TWO_POW_32) w.uint32(value);
  else w.uint64(value);
}

/** int64 varint: negatives take the 10-byte two's-complement form. */
function writeSigned(w: protobuf.Writer, value: number): void {
  if (value >= 0) writeUnsigned(w, value);
  else w.int64(value);
}

export class ProtoTraceSink extends TraceEventSink {
  private readonly schema = perfettoSchema();
  private readonly keys: EventKeys = eventKeys(this.schema);
  private readonly w = protobuf.Writer.create();
  private readonly utf8 = new TextEncoder();
  /** The delta clock's value after the last timestamped packet (it starts at 0 with the snapshot). */
  private lastTs = 0;
  private uuid: number[] = [];
  private doubleCounter: boolean[] = [];
  /** Tracks named by TrackEventDefaults.extra_counter_track_uuids: samples on exactly these omit their uuids. */
  private defaultCounterTracks: number[] = [];

  private readonly categories = new InternTable();
  private readonly eventNames = new InternTable();
  private readonly annotationNames = new InternTable();
  private readonly labelValues = new InternTable();
  private readonly annotationIid = new Float64Array(MAX_ARGS);
  private readonly labelIid = new Float64Array(MAX_ARGS);

  constructor(private readonly output: ByteOutput) {
    super();
  }

  open(layout: TrackLayout, time: TraceTimeBase): void {
    this.uuid = layout.tracks.map((t) => t.uuid);
    this.doubleCounter = layout.tracks.map((t) => t.counter?.valueType === 'double');
    const { engineRunning, prefillTokens } = layout.counters;
    if (engineRunning >= 0 && prefillTokens >= 0) this.defaultCounterTracks = [engineRunning, prefillTokens];
    this.writeSequenceStart(time);
    for (const track of layout.tracks) this.writeTrackDescriptor(track, layout);
  }

  private encodeSetupPacket(packet: Record<string, unknown>): void {
    const w = this.w;
    w.uint32(this.keys.packet).fork();
    this.schema.TracePacket.encode({ trusted_packet_sequence_id: SEQUENCE_ID, ...packet }, w);
    w.ldelim();
  }

  private writeSequenceStart(time: TraceTimeBase): void {
    const clock = (name: string) => enumValue(this.schema, 'BuiltinClock', name);
    const clocks: Record<string, unknown>[] = [
      // Trace time 0 = capture time 0 (+ shift); the delta clock starts at 0 there too.
      { clock_id: clock('BUILTIN_CLOCK_BOOTTIME'), timestamp: 0 },
      { clock_id: DELTA_CLOCK_ID, timestamp: 0, is_incremental: true, unit_multiplier_ns: 1 },
    ];
    if (time.realtimeAtZeroNs !== undefined) {
      clocks.push({ clock_id: clock('BUILTIN_CLOCK_REALTIME'), timestamp: time.realtimeAtZeroNs.toString() });
    }
    const flag = (name: string) => enumValue(this.schema, 'TracePacket.SequenceFlags', name);
    this.encodeSetupPacket({
      first_packet_on_sequence: true,
      sequence_flags: flag('SEQ_INCREMENTAL_STATE_CLEARED'),
      incremental_state_cleared: true,
      trace_packet_defaults: {
        timestamp_clock_id: DELTA_CLOCK_ID,
        track_event_defaults: { extra_counter_track_uuids: this.defaultCounterTracks.map((t) => this.uuid[t]) },
      },
      clock_snapshot: { clocks, primary_trace_clock: clock('BUILTIN_CLOCK_BOOTTIME') },
    });
  }

  private writeTrackDescriptor(track: TrackSpec, layout: TrackLayout): void {
    const descriptor: Record<string, unknown> = { uuid: track.uuid, name: track.name };
    if (track.description) descriptor.description = track.description;
    if (track.parent >= 0) {
      descriptor.parent_uuid = layout.tracks[track.parent].uuid;
      descriptor.sibling_order_rank = track.rank;
    }
    const enumOf = (path: string, name: string) => enumValue(this.schema, path, name);
    if (track.kind === 'group') {
      descriptor.process = { pid: track.pid, process_name: track.name };
      descriptor.child_ordering = enumOf('TrackDescriptor.ChildTracksOrdering', 'EXPLICIT');
    }
    if (track.kind === 'slices') {
      // Lanes and request tracks stay separate tracks even if names ever collide.
      descriptor.sibling_merge_behavior = enumOf('TrackDescriptor.SiblingMergeBehavior', 'SIBLING_MERGE_BEHAVIOR_NONE');
    }
    if (track.counter) {
      const counter: Record<string, unknown> = {
        unit: enumOf('CounterDescriptor.Unit', track.counter.unit === 'count' ? 'UNIT_COUNT' : 'UNIT_UNSPECIFIED'),
      };
      if (track.counter.unitName) counter.unit_name = track.counter.unitName;
      if (track.counter.yAxisShareKey) counter.y_axis_share_key = track.counter.yAxisShareKey;
      descriptor.counter = counter;
    }
    this.encodeSetupPacket({ track_descriptor: descriptor });
  }

  /** Opens a timestamped event packet: delta timestamp, sequence, flags, then any newly interned strings. */
  private startEventPacket(tsNs: number): void {
    const w = this.w;
    const k = this.keys;
    w.uint32(k.packet).fork();
    w.uint32(k.timestamp);
    writeUnsigned(w, tsNs - this.lastTs);
    this.lastTs = tsNs;
    w.uint32(k.sequenceId).uint32(SEQUENCE_ID);
    w.uint32(k.sequenceFlags).uint32(k.needsIncrementalState);
    if (
      this.categories.pending.length + this.eventNames.pending.length + this.annotationNames.pending.length + this.labelValues.pending.length >
      0
    ) {
      this.writeInternedData();
    }
    w.uint32(k.trackEvent).fork();
  }

  private endEventPacket(): void {
    this.w.ldelim().ldelim();
  }

  private writeInternedData(): void {
    const w = this.w;
    const k = this.keys;
    w.uint32(k.internedData).fork();
    const named = (table: InternTable, key: number) => {
      let iid = table.pendingFirstIid;
      for (const value of table.pending) {
        w.uint32(key).fork().uint32(k.internedIid).uint32(iid++).uint32(k.internedName).string(value).ldelim();
      }
      table.markEmitted();
    };
    named(this.categories, k.eventCategories);
    named(this.eventNames, k.eventNames);
    named(this.annotationNames, k.debugAnnotationNames);
    let iid = this.labelValues.pendingFirstIid;
    for (const value of this.labelValues.pending) {
      w.uint32(k.debugAnnotationStringValues).fork().uint32(k.internedIid).uint32(iid++);
      w.uint32(k.internedStr).bytes(this.utf8.encode(value)).ldelim();
    }
    this.labelValues.markEmitted();
    w.ldelim();
  }

  protected writeBegin(track: number, tsNs: number, category: SliceCategory, name: string, internName: boolean, args: EventArgs): void {
    // Resolve every iid first: new strings must go into this packet's interned_data, which precedes the event.
    const categoryIid = this.categories.iid(category);
    const nameIid = internName ? this.eventNames.iid(name) : 0;
    for (let i = 0; i < args.length; i++) {
      this.annotationIid[i] = this.annotationNames.iid(args.names[i]);
      if (args.kinds[i] === ARG_LABEL) this.labelIid[i] = this.labelValues.iid(args.strings[i]);
    }
    this.startEventPacket(tsNs);
    const w = this.w;
    const k = this.keys;
    w.uint32(k.type).uint32(k.sliceBegin);
    w.uint32(k.trackUuid);
    writeUnsigned(w, this.uuid[track]);
    w.uint32(k.categoryIids).uint32(categoryIid);
    if (internName) w.uint32(k.nameIid).uint32(nameIid);
    else w.uint32(k.name).string(name);
    for (let i = 0; i < args.length; i++) this.writeAnnotation(args, i);
    this.endEventPacket();
  }

  private writeAnnotation(args: EventArgs, i: number): void {
    const w = this.w;
    const k = this.keys;
    w.uint32(k.debugAnnotations).fork();
    w.uint32(k.annotationNameIid).uint32(this.annotationIid[i]);
    switch (args.kinds[i]) {
      case ARG_INT:
        w.uint32(k.intValue);
        writeSigned(w, args.numbers[i]);
        break;
      case ARG_DOUBLE:
        w.uint32(k.doubleValue).double(args.numbers[i]);
        break;
      case ARG_LABEL:
        w.uint32(k.stringValueIid).uint32(this.labelIid[i]);
        break;
      case ARG_TEXT:
        w.uint32(k.stringValue).string(args.strings[i]);
        break;
      case ARG_INT_LIST:
        for (let j = args.listFrom; j < args.listTo; j++) {
          w.uint32(k.arrayValues).fork().uint32(k.intValue);
          writeSigned(w, args.listSource[j]);
          w.ldelim();
        }
        break;
    }
    w.ldelim();
  }

  protected writeEnd(track: number, tsNs: number, counters: CounterSamples | null, flowOut: number, flowsIn: Int32Array): void {
    this.startEventPacket(tsNs);
    const w = this.w;
    const k = this.keys;
    w.uint32(k.type).uint32(k.sliceEnd);
    w.uint32(k.trackUuid);
    writeUnsigned(w, this.uuid[track]);
    if (counters && counters.length > 0) this.writeExtraCounters(counters);
    if (flowOut !== 0) w.uint32(k.flowIds).fixed64(flowOut);
    for (let i = 0; i < flowsIn.length; i++) w.uint32(k.terminatingFlowIds).fixed64(flowsIn[i]);
    this.endEventPacket();
  }

  private writeExtraCounters(counters: CounterSamples): void {
    const w = this.w;
    const k = this.keys;
    const defaults = this.defaultCounterTracks;
    let onDefaults = counters.length === defaults.length;
    for (let i = 0; onDefaults && i < counters.length; i++) onDefaults = counters.tracks[i] === defaults[i];
    for (let i = 0; i < counters.length; i++) {
      const track = counters.tracks[i];
      if (this.doubleCounter[track]) continue;
      if (!onDefaults) {
        w.uint32(k.extraCounterUuids);
        writeUnsigned(w, this.uuid[track]);
      }
    }
    for (let i = 0; i < counters.length; i++) {
      if (this.doubleCounter[counters.tracks[i]]) continue;
      w.uint32(k.extraCounterValues);
      writeSigned(w, counters.values[i]);
    }
    for (let i = 0; i < counters.length; i++) {
      const track = counters.tracks[i];
      if (!this.doubleCounter[track]) continue;
      w.uint32(k.extraDoubleCounterUuids);
      writeUnsigned(w, this.uuid[track]);
      w.uint32(k.extraDoubleCounterValues).double(counters.values[i]);
    }
  }

  protected writeCounter(track: number, tsNs: number, value: number): void {
    this.startEventPacket(tsNs);
    const w = this.w;
    const k = this.keys;
    w.uint32(k.type).uint32(k.counter);
    w.uint32(k.trackUuid);
    writeUnsigned(w, this.uuid[track]);
    if (this.doubleCounter[track]) w.uint32(k.doubleCounterValue).double(value);
    else {
      w.uint32(k.counterValue);
      writeSigned(w, value);
    }
    this.endEventPacket();
  }

  get wantsFlush(): boolean {
    return this.w.pos >= FLUSH_BYTES;
  }

  async flush(): Promise<void> {
    if (this.w.pos === 0) return;
    const chunk = this.w.finish();
    this.w.reset();
    await this.output.write(chunk);
  }

  async finish(): Promise<void> {
    await this.flush();
  }
}
