/**
 * The native Perfetto form: TracePackets on several packet sequences, the way
 * the Perfetto service writes one sequence per thread: sequence 1 carries the
 * track descriptors, steps, journey stages and the active-request counter;
 * each request lane, within each window of requests (writeTrace.ts), is a
 * sequence of its own (2 + window × lanes + lane). trace_processor and
 * the UI sort events across sequences by time (ties in file order); within a
 * sequence they must not go back in time, and a lane's requests never
 * overlap, so writing request by request keeps every lane in order without
 * merging requests with each other (writeTrace.ts).
 *
 * - Clock: each sequence's first packet declares the sequence-scoped custom
 *   clock (id 64, incremental, 1 ns per unit) next to BOOTTIME (sequence 1
 *   adds REALTIME when the capture knows its epoch) and makes it the
 *   sequence's default clock. Every event packet then carries the delta from
 *   the previous one on its sequence — a few bytes instead of an absolute
 *   64-bit time.
 * - A lane sequence names its lane in TrackEventDefaults.track_uuid, so its
 *   events omit the track (with --track-per-request they name it).
 * - Interning, per sequence: event names, categories, annotation names and
 *   label values are emitted once in `interned_data` (on the first packet of
 *   the sequence that uses them) and referred to by iid. The first packet clears the incremental state
 *   (SEQ_INCREMENTAL_STATE_CLEARED, first_packet_on_sequence); every event
 *   packet sets SEQ_NEEDS_INCREMENTAL_STATE, since it relies on the interning
 *   tables and on the incremental clock.
 * - Per-gap counters (engine_running, prefill_tokens) ride on the decode
 *   slice's END as extra_counter_values, their track uuids given once in
 *   TrackEventDefaults.
 *
 * Setup packets are encoded by reflection (`Type.encode`, clear and rare);
 * event packets, ~all of the bytes, by the wire.ts functions with field keys
 * read from the same .proto files (see docs/benchmarks.md): each event
 * reserves an upper bound of its size once, then writes without checks.
 */
import { ARG_DOUBLE, ARG_INT, ARG_INT_LIST, ARG_LABEL, ARG_TEXT, argNameText, type ArgName, type EventArgs } from './args.js';
import type { ByteOutput } from './byteOutput.js';
import type { TraceTimeBase } from './clock.js';
import { InternTable } from './interning.js';
import { PacketCompressor } from './packetCompressor.js';
import { perfettoEventKeys, type EventKeys } from './protoKeys.js';
import { GAP_PACKETS_BOUND, GAP_TOKEN_ID_BOUND, GapIids, putGapPackets, putIntArrayValues } from './gapPackets.js';
import { enumValue, perfettoSchema } from './protoSchema.js';
import { DECODE_ARG, type DecodeGap } from './decodeGap.js';
import { TraceEventSink, type CounterSamples, type EventCounts, type SliceCategory } from './sink.js';
import type { TrackLayout, TrackSpec } from './tracks.js';
import { ByteBuffer, closeDelimited, MAX_VARINT_BYTES, putDouble, putFixed64, putInt64, putString, putVarint, stringBound, uninitialized } from './wire.js';

/** Sequence of the descriptors, steps, journey and counters; lane L of window W is sequence LANE_SEQUENCE_BASE + W × lanes + L. */
export const MAIN_SEQUENCE_ID = 1;
export const LANE_SEQUENCE_BASE = 2;
/** Sequence-scoped custom clock ids are 64–127. */
export const DELTA_CLOCK_ID = 64;
/** Output chunk size: 1 MB, plus room for every lane's share so a chunk does not split into slivers when lanes are many. */
const FLUSH_BYTES = 1 << 20;
const FLUSH_BYTES_PER_LANE = 8 << 10;
const LANE_BUFFER_BYTES = 16 << 10;
const MAX_ARGS = 24;
/** Upper bound of a packet's bytes around its event: packet key and length, timestamp, sequence id and flags, track_event key and length. */
const HEAD_BOUND = 48;
/** Upper bound of an event's fixed fields (type, track, category, name iid) and of one scalar annotation. */
const FIELDS_BOUND = 40;
const ANNOTATION_BOUND = 32;
/** Upper bound of one int in an array annotation (nested DebugAnnotation with int_value). */
const ARRAY_VALUE_BOUND = 20;
const NO_BYTES = new Uint8Array(0);

/** The schema's keys, read once: module constants keep the per-event path free of lookups. */
const SCHEMA = perfettoSchema();
const K: EventKeys = perfettoEventKeys();

/**
 * Opens an event packet at `p`: packet key and reserved length byte (at
 * p + 1: the key is one byte), delta timestamp, the sequence's `head`
 * (sequence id and flags, PacketSequence builds it once), any interned data,
 * track_event key and reserved length byte. Returns the end; the
 * track_event's length byte is the byte before it.
 */
function putPacketHead(buf: Uint8Array, p: number, deltaNs: number, head: Uint8Array, interned: Uint8Array): number {
  buf[p] = K.packet;
  p += 2;
  buf[p++] = K.timestamp;
  p = putVarint(buf, p, deltaNs);
  for (let i = 0; i < head.length; i++) buf[p++] = head[i];
  if (interned.length > 0) {
    buf.set(interned, p);
    p += interned.length;
  }
  buf[p] = K.trackEvent;
  return p + 2;
}

/** A debug annotation with an int value: name iid, int_value. */
function putIntAnnotation(buf: Uint8Array, p: number, nameIid: number, value: number): number {
  buf[p++] = K.debugAnnotations;
  const at = p++;
  buf[p++] = K.annotationNameIid;
  p = putVarint(buf, p, nameIid);
  buf[p++] = K.intValue;
  return closeDelimited(buf, at, putInt64(buf, p, value));
}

/** Closes the track_event (length byte at eventAt) and the packet started at `start`; returns the end. */
function closePacket(buf: Uint8Array, start: number, eventAt: number, p: number): number {
  return closeDelimited(buf, start + 1, closeDelimited(buf, eventAt, p));
}

/** What every sequence needs to know of the tracks, by track index. */
interface SinkTracks {
  uuid: number[];
  doubleCounter: boolean[];
  /** Tracks named by TrackEventDefaults.extra_counter_track_uuids: samples on exactly these omit their uuids. */
  defaultCounterTracks: number[];
}

/** Fields of a sequence's first packet besides the flags (ClockSnapshot, TracePacketDefaults). */
interface SequenceStart {
  realtimeAtZeroNs?: bigint;
  /** Track whose uuid goes into TrackEventDefaults.track_uuid; -1 for none. */
  defaultTrack: number;
}

/** One packet sequence: its buffered packets, its delta clock and its interning tables. */
class PacketSequence {
  readonly out: ByteBuffer;
  /** The delta clock's value after the last timestamped packet (it starts at 0 with the snapshot). */
  private lastTs = 0;
  private readonly categories = new InternTable();
  private readonly eventNames = new InternTable();
  private readonly annotationNames = new InternTable();
  private readonly labelValues = new InternTable();
  /** Set when a lookup introduced a string: the next packet carries interned_data. */
  private newInterned = false;
  // Per-event lookups skip the tables' hashing: the last category and name repeat, arg names index an array.
  private lastCategory = '';
  private lastCategoryIid = 0;
  private lastName = '';
  private lastNameIid = 0;
  /** iid per arg name id; 0 = not interned yet. */
  private annotationIidOfName = new Int32Array(64);
  private readonly annotationIid = new Int32Array(MAX_ARGS);
  private readonly labelIid = new Int32Array(MAX_ARGS);
  private readonly defaultTrack: number;
  /** The fields every event packet of this sequence repeats after its timestamp: sequence id and flags (putPacketHead, putGapPackets). */
  private readonly head: Uint8Array;
  /** Decode slices' iids once interned here: what putGapPackets needs. */
  private readonly gapIids = new GapIids();

  constructor(
    readonly id: number,
    private readonly tracks: SinkTracks,
    start: SequenceStart,
    bufferBytes: number,
  ) {
    this.out = new ByteBuffer(bufferBytes);
    this.defaultTrack = start.defaultTrack;
    const head = new Uint8Array(2 + MAX_VARINT_BYTES + 2);
    head[0] = K.sequenceId;
    let p = putVarint(head, 1, id);
    head[p++] = K.sequenceFlags;
    head[p++] = K.needsIncrementalState;
    this.head = head.slice(0, p);
    this.writeStart(start);
  }

  /** Packets are encoded by reflection here: rare, and clearer. */
  writeSetupPacket(packet: Record<string, unknown>): void {
    const body = SCHEMA.TracePacket.encode({ trusted_packet_sequence_id: this.id, ...packet }).finish();
    const buf = this.out.reserve(2 * MAX_VARINT_BYTES + body.length);
    let p = putVarint(buf, this.out.pos, K.packet);
    p = putVarint(buf, p, body.length);
    buf.set(body, p);
    this.out.pos = p + body.length;
  }

  private writeStart(start: SequenceStart): void {
    const clock = (name: string) => enumValue(SCHEMA, 'BuiltinClock', name);
    const clocks: Record<string, unknown>[] = [
      // Trace time 0 = capture time 0 (+ shift); the delta clock starts at 0 there too.
      { clock_id: clock('BUILTIN_CLOCK_BOOTTIME'), timestamp: 0 },
      { clock_id: DELTA_CLOCK_ID, timestamp: 0, is_incremental: true, unit_multiplier_ns: 1 },
    ];
    if (start.realtimeAtZeroNs !== undefined) {
      clocks.push({ clock_id: clock('BUILTIN_CLOCK_REALTIME'), timestamp: start.realtimeAtZeroNs.toString() });
    }
    const trackEventDefaults: Record<string, unknown> = {
      extra_counter_track_uuids: this.tracks.defaultCounterTracks.map((t) => this.tracks.uuid[t]),
    };
    if (start.defaultTrack >= 0) trackEventDefaults.track_uuid = this.tracks.uuid[start.defaultTrack];
    const flag = (name: string) => enumValue(SCHEMA, 'TracePacket.SequenceFlags', name);
    this.writeSetupPacket({
      first_packet_on_sequence: true,
      sequence_flags: flag('SEQ_INCREMENTAL_STATE_CLEARED'),
      incremental_state_cleared: true,
      trace_packet_defaults: { timestamp_clock_id: DELTA_CLOCK_ID, track_event_defaults: trackEventDefaults },
      clock_snapshot: { clocks, primary_trace_clock: clock('BUILTIN_CLOCK_BOOTTIME') },
    });
  }

  /**
   * A decode slice's two packets, written directly: the same bytes as
   * begin() with `gap.fillArgs` and end() with `gap.fillCounters` (a test
   * compares them), without building the args or resolving them one by one.
   * Nearly every gap takes putGapPackets (gapPackets.ts says when); the first
   * on a sequence, and unusual ones, take the general path.
   * Returns the number of counter samples written.
   */
  decodeGap(gap: DecodeGap, scratch: CounterSamples): number {
    const iids = this.gapIids;
    const withCounters = gap.numRunning >= 0 && gap.prefillTokens >= 0;
    const fast =
      iids.ready &&
      gap.name === this.lastName &&
      this.lastNameIid < 128 &&
      this.lastCategory === 'request' &&
      gap.track === this.defaultTrack &&
      (withCounters ? iids.numRunning !== 0 && this.tracks.defaultCounterTracks.length === 2 : gap.numRunning < 0 && gap.prefillTokens < 0) &&
      (gap.tokenTo === gap.tokenFrom || iids.tokenIds !== 0);
    if (!fast) {
      const samples = this.decodeGapInGeneral(gap, scratch);
      this.noteGapIids();
      return samples;
    }
    iids.name = this.lastNameIid;
    const buf = this.out.reserve(GAP_PACKETS_BOUND + GAP_TOKEN_ID_BOUND * (gap.tokenTo - gap.tokenFrom));
    this.out.pos = putGapPackets(buf, this.out.pos, gap, gap.beginNs - this.lastTs, this.head, iids, withCounters);
    this.lastTs = gap.endNs;
    return withCounters ? 2 : 0;
  }

  /** After a decode slice: the iids it interned, for the fast path (0 where unknown or not one byte). */
  private noteGapIids(): void {
    const iids = this.gapIids;
    const known = (id: ArgName) => {
      const iid = id < this.annotationIidOfName.length ? this.annotationIidOfName[id] : 0;
      return iid < 128 ? iid : 0;
    };
    iids.category = this.lastCategoryIid < 128 ? this.lastCategoryIid : 0;
    iids.req = known(DECODE_ARG.req);
    iids.gapMs = known(DECODE_ARG.gap_ms);
    iids.tokens = known(DECODE_ARG.tokens);
    // Interned together or not at all: the fast path writes both or neither.
    iids.numRunning = known(DECODE_ARG.num_running);
    iids.prefillTokens = known(DECODE_ARG.prefill_tokens);
    if (iids.prefillTokens === 0) iids.numRunning = 0;
    iids.tokenIds = known(DECODE_ARG.token_ids);
    iids.ready = iids.category !== 0 && iids.req !== 0 && iids.gapMs !== 0 && iids.tokens !== 0;
  }

  private decodeGapInGeneral(gap: DecodeGap, scratch: CounterSamples): number {
    // Intern in the generic order: category, name, then the args as fillArgs lists them.
    const categoryIid = this.categoryIid('request');
    const nameIid = this.nameIid(gap.name);
    const reqIid = this.annotationIidOf(DECODE_ARG.req);
    const gapMsIid = this.annotationIidOf(DECODE_ARG.gap_ms);
    const tokensIid = this.annotationIidOf(DECODE_ARG.tokens);
    const numRunningIid = gap.numRunning >= 0 ? this.annotationIidOf(DECODE_ARG.num_running) : 0;
    const prefillIid = gap.prefillTokens >= 0 ? this.annotationIidOf(DECODE_ARG.prefill_tokens) : 0;
    const listLength = gap.tokenTo - gap.tokenFrom;
    const tokenIdsIid = listLength > 0 ? this.annotationIidOf(DECODE_ARG.token_ids) : 0;
    const interned = this.internedData();
    const bound = 2 * (HEAD_BOUND + FIELDS_BOUND) + interned.length + 8 * ANNOTATION_BOUND + ARRAY_VALUE_BOUND * listLength;
    const buf = this.out.reserve(bound);

    let start = this.out.pos;
    let p = putPacketHead(buf, start, gap.beginNs - this.lastTs, this.head, interned);
    let eventAt = p - 1;
    buf[p++] = K.type;
    buf[p++] = K.sliceBegin;
    p = this.putTrack(buf, p, gap.track);
    buf[p++] = K.categoryIids;
    p = putVarint(buf, p, categoryIid);
    buf[p++] = K.nameIid;
    p = putVarint(buf, p, nameIid);
    p = putIntAnnotation(buf, p, reqIid, gap.req);
    buf[p++] = K.debugAnnotations;
    let at = p++;
    buf[p++] = K.annotationNameIid;
    p = putVarint(buf, p, gapMsIid);
    buf[p++] = K.doubleValue;
    p = closeDelimited(buf, at, putDouble(buf, p, gap.gapMs));
    p = putIntAnnotation(buf, p, tokensIid, gap.tokens);
    if (numRunningIid !== 0) p = putIntAnnotation(buf, p, numRunningIid, gap.numRunning);
    if (prefillIid !== 0) p = putIntAnnotation(buf, p, prefillIid, gap.prefillTokens);
    if (tokenIdsIid !== 0) {
      buf[p++] = K.debugAnnotations;
      at = p++;
      buf[p++] = K.annotationNameIid;
      p = putVarint(buf, p, tokenIdsIid);
      p = closeDelimited(buf, at, putIntArrayValues(buf, p, gap.tokenIds, gap.tokenFrom, gap.tokenTo));
    }
    p = closePacket(buf, start, eventAt, p);

    start = p;
    p = putPacketHead(buf, start, gap.endNs - gap.beginNs, this.head, NO_BYTES);
    eventAt = p - 1;
    this.lastTs = gap.endNs;
    buf[p++] = K.type;
    buf[p++] = K.sliceEnd;
    p = this.putTrack(buf, p, gap.track);
    let samples: number;
    if (this.tracks.defaultCounterTracks.length === 2 && gap.numRunning >= 0 && gap.prefillTokens >= 0) {
      // Both samples, on the sequence's default counter tracks (both int): values only.
      buf[p++] = K.extraCounterValues;
      p = putInt64(buf, p, gap.numRunning);
      buf[p++] = K.extraCounterValues;
      p = putInt64(buf, p, gap.prefillTokens);
      samples = 2;
    } else {
      const counters = gap.fillCounters(scratch);
      samples = counters ? counters.length : 0;
      if (counters) p = this.putExtraCounters(buf, p, counters);
    }
    this.out.pos = closePacket(buf, start, eventAt, p);
    return samples;
  }

  /** track_uuid, unless the track is the sequence's default. */
  private putTrack(buf: Uint8Array, p: number, track: number): number {
    if (track === this.defaultTrack) return p;
    buf[p++] = K.trackUuid;
    return putVarint(buf, p, this.tracks.uuid[track]);
  }

  /** interned_data for the strings introduced since the last packet (rare: encoded apart, then copied in). */
  private internedData(): Uint8Array {
    if (!this.newInterned) return NO_BYTES;
    const entries = new ByteBuffer(256);
    const entry = (key: number, iid: number, valueKey: number, value: string) => {
      const buf = entries.reserve(3 * MAX_VARINT_BYTES + stringBound(value) + 4);
      let p = putVarint(buf, entries.pos, key);
      const at = p++;
      p = putVarint(buf, p, K.internedIid);
      p = putVarint(buf, p, iid);
      p = putVarint(buf, p, valueKey);
      p = putString(buf, p, value);
      entries.pos = closeDelimited(buf, at, p);
    };
    const named = (table: InternTable, key: number, valueKey: number) => {
      let iid = table.pendingFirstIid;
      for (const value of table.pending) entry(key, iid++, valueKey, value);
      table.markEmitted();
    };
    named(this.categories, K.eventCategories, K.internedName);
    named(this.eventNames, K.eventNames, K.internedName);
    named(this.annotationNames, K.debugAnnotationNames, K.internedName);
    named(this.labelValues, K.debugAnnotationStringValues, K.internedStr);
    this.newInterned = false;
    const body = entries.take();
    const data = new Uint8Array(2 * MAX_VARINT_BYTES + body.length);
    let p = putVarint(data, 0, K.internedData);
    p = putVarint(data, p, body.length);
    data.set(body, p);
    return data.subarray(0, p + body.length);
  }

  /** iid of `value` in `table`, noting when it is new (and so must be emitted). */
  private intern(table: InternTable, value: string): number {
    const size = table.size;
    const iid = table.iid(value);
    if (table.size !== size) this.newInterned = true;
    return iid;
  }

  private categoryIid(category: SliceCategory): number {
    if (category !== this.lastCategory) {
      this.lastCategory = category;
      this.lastCategoryIid = this.intern(this.categories, category);
    }
    return this.lastCategoryIid;
  }

  private nameIid(name: string): number {
    if (name !== this.lastName) {
      this.lastName = name;
      this.lastNameIid = this.intern(this.eventNames, name);
    }
    return this.lastNameIid;
  }

  private annotationIidOf(id: ArgName): number {
    if (id < this.annotationIidOfName.length && this.annotationIidOfName[id] !== 0) return this.annotationIidOfName[id];
    if (id >= this.annotationIidOfName.length) {
      const grown = new Int32Array(2 * id + 2);
      grown.set(this.annotationIidOfName);
      this.annotationIidOfName = grown;
    }
    return (this.annotationIidOfName[id] = this.intern(this.annotationNames, argNameText(id)));
  }

  /** Resolves the args' iids; returns an upper bound of their encoded size. */
  private resolveArgs(args: EventArgs): number {
    let bound = 0;
    for (let i = 0; i < args.length; i++) {
      this.annotationIid[i] = this.annotationIidOf(args.names[i]);
      bound += ANNOTATION_BOUND;
      const kind = args.kinds[i];
      if (kind === ARG_LABEL) this.labelIid[i] = this.intern(this.labelValues, args.strings[i]);
      else if (kind === ARG_TEXT) bound += stringBound(args.strings[i]);
      else if (kind === ARG_INT_LIST) bound += ARRAY_VALUE_BOUND * (args.listTo - args.listFrom);
    }
    return bound;
  }

  begin(track: number, tsNs: number, category: SliceCategory, name: string, internName: boolean, args: EventArgs): void {
    // Resolve every iid first: new strings must go into this packet's interned_data, which precedes the event.
    const categoryIid = this.categoryIid(category);
    const nameIid = internName ? this.nameIid(name) : 0;
    const argsBound = this.resolveArgs(args);
    const interned = this.internedData();
    const buf = this.out.reserve(HEAD_BOUND + interned.length + FIELDS_BOUND + (internName ? 0 : stringBound(name)) + argsBound);
    const start = this.out.pos;
    let p = putPacketHead(buf, start, tsNs - this.lastTs, this.head, interned);
    const eventAt = p - 1;
    this.lastTs = tsNs;
    p = putVarint(buf, p, K.type);
    p = putVarint(buf, p, K.sliceBegin);
    p = this.putTrack(buf, p, track);
    p = putVarint(buf, p, K.categoryIids);
    p = putVarint(buf, p, categoryIid);
    if (internName) {
      p = putVarint(buf, p, K.nameIid);
      p = putVarint(buf, p, nameIid);
    } else {
      p = putVarint(buf, p, K.name);
      p = putString(buf, p, name);
    }
    for (let i = 0; i < args.length; i++) p = this.putAnnotation(buf, p, args, i);
    this.out.pos = closePacket(buf, start, eventAt, p);
  }

  private putAnnotation(buf: Uint8Array, p: number, args: EventArgs, i: number): number {
    p = putVarint(buf, p, K.debugAnnotations);
    const at = p++;
    p = putVarint(buf, p, K.annotationNameIid);
    p = putVarint(buf, p, this.annotationIid[i]);
    switch (args.kinds[i]) {
      case ARG_INT:
        p = putVarint(buf, p, K.intValue);
        p = putInt64(buf, p, args.numbers[i]);
        break;
      case ARG_DOUBLE:
        p = putVarint(buf, p, K.doubleValue);
        p = putDouble(buf, p, args.numbers[i]);
        break;
      case ARG_LABEL:
        p = putVarint(buf, p, K.stringValueIid);
        p = putVarint(buf, p, this.labelIid[i]);
        break;
      case ARG_TEXT:
        p = putVarint(buf, p, K.stringValue);
        p = putString(buf, p, args.strings[i]);
        break;
      case ARG_INT_LIST:
        p = putIntArrayValues(buf, p, args.listSource, args.listFrom, args.listTo);
        break;
    }
    return closeDelimited(buf, at, p);
  }

  end(track: number, tsNs: number, counters: CounterSamples | null, flowOut: number, flowsIn: Int32Array): void {
    const interned = this.internedData();
    const samples = counters ? counters.length : 0;
    const buf = this.out.reserve(HEAD_BOUND + interned.length + FIELDS_BOUND + ANNOTATION_BOUND * (samples + 1 + flowsIn.length));
    const start = this.out.pos;
    let p = putPacketHead(buf, start, tsNs - this.lastTs, this.head, interned);
    const eventAt = p - 1;
    this.lastTs = tsNs;
    p = putVarint(buf, p, K.type);
    p = putVarint(buf, p, K.sliceEnd);
    p = this.putTrack(buf, p, track);
    if (counters && samples > 0) p = this.putExtraCounters(buf, p, counters);
    if (flowOut !== 0) {
      p = putVarint(buf, p, K.flowIds);
      p = putFixed64(buf, p, flowOut);
    }
    for (let i = 0; i < flowsIn.length; i++) {
      p = putVarint(buf, p, K.terminatingFlowIds);
      p = putFixed64(buf, p, flowsIn[i]);
    }
    this.out.pos = closePacket(buf, start, eventAt, p);
  }

  private putExtraCounters(buf: Uint8Array, p: number, counters: CounterSamples): number {
    const defaults = this.tracks.defaultCounterTracks;
    let onDefaults = counters.length === defaults.length;
    for (let i = 0; onDefaults && i < counters.length; i++) onDefaults = counters.tracks[i] === defaults[i];
    if (!onDefaults) {
      for (let i = 0; i < counters.length; i++) {
        const track = counters.tracks[i];
        if (this.tracks.doubleCounter[track]) continue;
        p = putVarint(buf, p, K.extraCounterUuids);
        p = putVarint(buf, p, this.tracks.uuid[track]);
      }
    }
    for (let i = 0; i < counters.length; i++) {
      if (this.tracks.doubleCounter[counters.tracks[i]]) continue;
      p = putVarint(buf, p, K.extraCounterValues);
      p = putInt64(buf, p, counters.values[i]);
    }
    for (let i = 0; i < counters.length; i++) {
      const track = counters.tracks[i];
      if (!this.tracks.doubleCounter[track]) continue;
      p = putVarint(buf, p, K.extraDoubleCounterUuids);
      p = putVarint(buf, p, this.tracks.uuid[track]);
      p = putVarint(buf, p, K.extraDoubleCounterValues);
      p = putDouble(buf, p, counters.values[i]);
    }
    return p;
  }

  counter(track: number, tsNs: number, value: number): void {
    const interned = this.internedData();
    const buf = this.out.reserve(HEAD_BOUND + interned.length + FIELDS_BOUND);
    const start = this.out.pos;
    let p = putPacketHead(buf, start, tsNs - this.lastTs, this.head, interned);
    const eventAt = p - 1;
    this.lastTs = tsNs;
    p = putVarint(buf, p, K.type);
    p = putVarint(buf, p, K.counter);
    p = this.putTrack(buf, p, track);
    if (this.tracks.doubleCounter[track]) {
      p = putVarint(buf, p, K.doubleCounterValue);
      p = putDouble(buf, p, value);
    } else {
      p = putVarint(buf, p, K.counterValue);
      p = putInt64(buf, p, value);
    }
    this.out.pos = closePacket(buf, start, eventAt, p);
  }
}

export class ProtoTraceSink extends TraceEventSink {
  private readonly tracks: SinkTracks = { uuid: [], doubleCounter: [], defaultCounterTracks: [] };
  private main: PacketSequence | undefined;
  /** Lane sequences, started when the lane's first event arrives. */
  private lanes: (PacketSequence | undefined)[] = [];
  /** The window being written: its lanes are sequences LANE_SEQUENCE_BASE + window × laneCount + lane. */
  private window = 0;
  private laneOfTrack: Int32Array = new Int32Array(0);
  private lanesAreTracks = true;
  /** Setup packets (sequence 1's start, track descriptors): the file's first bytes, before any event uses a track. */
  private head: Uint8Array | undefined;
  /** Bytes buffered across all sequences since the last flush. */
  private buffered = 0;
  private flushBytes = FLUSH_BYTES;

  /** Set with `compress`: chunks go out as compressed_packets. */
  private readonly compressor: PacketCompressor | undefined;
  /**
   * Chunk buffers the compressor is done with, for the next chunks: memory
   * reused rather than fresh per chunk, whose first writes fault in every
   * page (a fifth of the encoding time). Plain chunks go to the output
   * stream, which keeps them until written, so they are never reused.
   */
  private readonly freeChunks: Uint8Array[] = [];

  private readonly lanesOnly: boolean;

  constructor(
    private readonly output: ByteOutput,
    /** `lanesOnly`: a window encoder's sink (parallel/windowWorker.ts) — lane sequences only, no setup packets. */
    options: { compress?: boolean; lanesOnly?: boolean } = {},
  ) {
    super();
    this.lanesOnly = options.lanesOnly ?? false;
    if (options.compress) this.compressor = new PacketCompressor(output, K.packet, K.compressedPackets, this.lanesOnly);
  }

  open(layout: TrackLayout, time: TraceTimeBase): void {
    this.tracks.uuid = layout.tracks.map((t) => t.uuid);
    this.tracks.doubleCounter = layout.tracks.map((t) => t.counter?.valueType === 'double');
    const { engineRunning, prefillTokens } = layout.counters;
    if (engineRunning >= 0 && prefillTokens >= 0) this.tracks.defaultCounterTracks = [engineRunning, prefillTokens];
    this.laneOfTrack = layout.laneOfTrack;
    this.lanesAreTracks = layout.lanesAreTracks;
    this.lanes = new Array<PacketSequence | undefined>(layout.laneCount).fill(undefined);
    this.flushBytes = FLUSH_BYTES + FLUSH_BYTES_PER_LANE * layout.laneCount;
    if (this.lanesOnly) return;
    const main = new PacketSequence(MAIN_SEQUENCE_ID, this.tracks, { realtimeAtZeroNs: time.realtimeAtZeroNs, defaultTrack: -1 }, FLUSH_BYTES);
    for (const track of layout.tracks) main.writeSetupPacket({ track_descriptor: trackDescriptor(track, layout) });
    this.head = main.out.take();
    this.main = main;
  }

  private sequenceOf(track: number): PacketSequence {
    const lane = this.laneOfTrack[track];
    if (lane < 0) {
      if (!this.main) throw new Error(`a lanes-only sink got an event on track ${track}, which is not a lane`);
      return this.main;
    }
    let sequence = this.lanes[lane];
    if (sequence === undefined) {
      const start = { defaultTrack: this.lanesAreTracks ? track : -1 };
      const id = LANE_SEQUENCE_BASE + this.window * this.lanes.length + lane;
      sequence = this.lanes[lane] = new PacketSequence(id, this.tracks, start, LANE_BUFFER_BYTES);
    }
    return sequence;
  }

  protected writeBegin(track: number, tsNs: number, category: SliceCategory, name: string, internName: boolean, args: EventArgs): void {
    const sequence = this.sequenceOf(track);
    const before = sequence.out.pos;
    sequence.begin(track, tsNs, category, name, internName, args);
    this.buffered += sequence.out.pos - before;
  }

  protected writeEnd(track: number, tsNs: number, counters: CounterSamples | null, flowOut: number, flowsIn: Int32Array): void {
    const sequence = this.sequenceOf(track);
    const before = sequence.out.pos;
    sequence.end(track, tsNs, counters, flowOut, flowsIn);
    this.buffered += sequence.out.pos - before;
  }

  protected writeCounter(track: number, tsNs: number, value: number): void {
    const sequence = this.sequenceOf(track);
    const before = sequence.out.pos;
    sequence.counter(track, tsNs, value);
    this.buffered += sequence.out.pos - before;
  }

  override decodeGap(gap: DecodeGap): void {
    const sequence = this.sequenceOf(gap.track);
    const before = sequence.out.pos;
    this.counts.slices++;
    this.counts.counterSamples += sequence.decodeGap(gap, this.gapSamples);
    this.buffered += sequence.out.pos - before;
  }

  /**
   * Each window writes its lanes as sequences of their own, so a window's
   * bytes depend on nothing outside it: windows can be encoded apart (and in
   * parallel) and still give this very file.
   */
  override async startWindow(window: number): Promise<void> {
    await this.flush();
    this.window = window;
    this.lanes.fill(undefined);
  }

  get wantsFlush(): boolean {
    return this.buffered >= this.flushBytes;
  }

  /**
   * Writes the setup packets first of all (a chunk of their own, so every
   * window's chunks are the same whether a worker or this sink encoded them),
   * then one chunk: the lanes' packets, then sequence 1's.
   */
  async flush(): Promise<void> {
    if (this.head) {
      const head = this.head;
      this.head = undefined;
      await this.writeChunk(head);
    }
    const parts: Uint8Array[] = [];
    for (const lane of this.lanes) if (lane && lane.out.pos > 0) parts.push(lane.out.view());
    if (this.main && this.main.out.pos > 0) parts.push(this.main.out.view());
    if (parts.length > 0) {
      let length = 0;
      for (const part of parts) length += part.length;
      const memory = this.chunkMemory(length);
      const chunk = memory.subarray(0, length);
      let at = 0;
      for (const part of parts) {
        chunk.set(part, at);
        at += part.length;
      }
      for (const lane of this.lanes) lane?.out.clear();
      this.main?.out.clear();
      this.buffered = 0;
      await this.writeChunk(chunk, memory);
    }
  }

  /** Memory for a chunk of `length` bytes: a free chunk buffer when compressing and one is big enough. */
  private chunkMemory(length: number): Uint8Array {
    if (!this.compressor) return uninitialized(length);
    const free = this.freeChunks.findIndex((memory) => memory.length >= length);
    if (free >= 0) return this.freeChunks.splice(free, 1)[0];
    return uninitialized(Math.max(length, this.flushBytes + (this.flushBytes >> 1)));
  }

  /** `memory`: the buffer under a compressed chunk, free again once the compressor has read it. */
  private async writeChunk(chunk: Uint8Array, memory?: Uint8Array): Promise<void> {
    if (this.compressor) await this.compressor.push(chunk, () => memory && this.freeChunks.push(memory));
    else await this.output.write(chunk);
  }

  /**
   * Writes a window another sink encoded (its output bytes, already framed and
   * compressed as this sink would), after everything written so far.
   */
  async writeEncoded(chunks: readonly Uint8Array[], counts: EventCounts): Promise<void> {
    await this.flush();
    await this.compressor?.drain();
    for (const chunk of chunks) await this.output.write(chunk);
    this.counts.slices += counts.slices;
    this.counts.counterSamples += counts.counterSamples;
    this.counts.flows += counts.flows;
  }

  async finish(): Promise<void> {
    await this.flush();
    await this.compressor?.drain();
  }
}

function trackDescriptor(track: TrackSpec, layout: TrackLayout): Record<string, unknown> {
  const descriptor: Record<string, unknown> = { uuid: track.uuid, name: track.name };
  if (track.description) descriptor.description = track.description;
  if (track.parent >= 0) {
    descriptor.parent_uuid = layout.tracks[track.parent].uuid;
    descriptor.sibling_order_rank = track.rank;
  }
  const enumOf = (path: string, name: string) => enumValue(SCHEMA, path, name);
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
  return descriptor;
}
