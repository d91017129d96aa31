/**
 * Test-side reader for the traces `vcr proto` writes: decodes a .pftrace with
 * protobufjs from the project's protos and replays it the way
 * trace_processor does, in its two phases:
 *
 * 1. Tokenization, in file order. `compressed_packets` wrappers are inflated
 *    (zlib) and their packets read in place of the wrapper. Each packet is
 *    read against its own sequence's (`trusted_packet_sequence_id`)
 *    incremental state — interning tables, packet defaults (default clock,
 *    default track, default extra counter tracks), sequence-scoped
 *    incremental clocks — so every event gets its absolute timestamp, track
 *    and resolved strings here. Track descriptors are recorded here too.
 * 2. Parsing, in timestamp order: the tokenized events are sorted by
 *    timestamp, ties kept in file order (trace_processor's sorter breaks ties
 *    by push order), then BEGIN/END stacks per track build the slices,
 *    counters (TYPE_COUNTER and extra counter values) are recorded and flows
 *    bound — so a terminating flow id sorted before its source is dropped.
 *
 * Anything trace_processor would silently drop or mis-handle is reported in
 * `problems` instead of being ignored: tokenization problems first, in file
 * order, then parsing problems in sorted order. "packet N" counts packets
 * after inflation (compressed wrappers are not counted).
 *
 * `decodeChromeJson` reads the `--format json` form into the same shapes, so
 * the two forms can be compared slice by slice.
 */
import { inflateSync } from 'node:zlib';
import { perfettoSchema, type PerfettoSchema } from '../../src/perfetto/protoSchema.js';

const SEQ_INCREMENTAL_STATE_CLEARED = 1;
const SEQ_NEEDS_INCREMENTAL_STATE = 2;
const TYPE_SLICE_BEGIN = 1;
const TYPE_SLICE_END = 2;
const TYPE_INSTANT = 3;
const TYPE_COUNTER = 4;
const BOOTTIME = 6;
const REALTIME = 1;

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface DecodedTrack {
  uuid: number;
  name: string;
  parentUuid?: number;
  description?: string;
  rank?: number;
  childOrdering?: number;
  siblingMergeBehavior?: number;
  process?: { pid: number; name: string };
  counter?: { unit?: number; unitName?: string; yAxisShareKey?: string };
}

export type ArgValue = number | string | number[];
/** The DebugAnnotation value field an arg travelled in (ints and doubles both decode to numbers). */
export type ArgKind = 'int' | 'double' | 'string' | 'array';

export interface DecodedSlice {
  trackUuid: number;
  track: string;
  /** Name of the track's parent (the process group). */
  group: string;
  category?: string;
  name: string;
  ts: number;
  dur: number;
  /** Nesting depth on its track when it began (0 = top level). */
  depth: number;
  args: Record<string, ArgValue>;
  argKinds: Record<string, ArgKind>;
}

export interface DecodedCounter {
  trackUuid: number;
  track: string;
  group: string;
  ts: number;
  value: number;
}

export interface DecodedFlow {
  id: number;
  from: DecodedSlice;
  to: DecodedSlice;
}

export interface DecodedTrace {
  /**
   * TracePackets read, counting the packets inside `compressed_packets`
   * wrappers (after inflation) and not the wrappers themselves: the same
   * number for a trace written plain or compressed.
   */
  packets: number;
  /** `compressed_packets` wrappers inflated (0 for an uncompressed trace). */
  compressedPackets: number;
  tracks: Map<number, DecodedTrack>;
  /** Ordered by end event (the order trace_processor completes them), in timestamp order across sequences. */
  slices: DecodedSlice[];
  /** In timestamp order (ties in file order), as trace_processor records them. */
  counters: DecodedCounter[];
  flows: DecodedFlow[];
  /** Final interning tables of sequence 1 (or of the first sequence seen when there is no sequence 1), iid → string. */
  interned: { eventNames: Map<number, string>; categories: Map<number, string>; annotationNames: Map<number, string>; stringValues: Map<number, string> };
  /** From the clock snapshots (of any sequence; the last one to set a field wins). */
  clock: { incrementalClockId?: number; unitMultiplierNs?: number; realtimeAtZeroNs?: bigint; primaryTraceClock?: number };
  /** Sequence flags and first_packet_on_sequence of each packet, in file order after inflating compressed packets. */
  packetFlags: { sequence: number; flags: number; first: boolean; hasTimestamp: boolean; usesInterning: boolean }[];
  /** Final interning tables of every sequence, by trusted_packet_sequence_id. */
  internedBySequence: Map<number, DecodedTrace['interned']>;
  problems: string[];
}

interface SequenceState {
  valid: boolean;
  eventNames: Map<number, string>;
  categories: Map<number, string>;
  annotationNames: Map<number, string>;
  stringValues: Map<number, string>;
  defaultClockId?: number;
  /** TrackEventDefaults.track_uuid: the track of events that omit track_uuid. */
  defaultTrackUuid?: number;
  defaultExtraCounterUuids: number[];
  defaultExtraDoubleCounterUuids: number[];
  /** Incremental clocks: id → { current value, unit ns, snapshot value, boottime at snapshot }. */
  clocks: Map<number, { value: number; unitNs: number; base: number; bootAtBase: number; incremental: boolean }>;
}

function newSequence(): SequenceState {
  return {
    valid: false,
    eventNames: new Map(),
    categories: new Map(),
    annotationNames: new Map(),
    stringValues: new Map(),
    defaultExtraCounterUuids: [],
    defaultExtraDoubleCounterUuids: [],
    clocks: new Map(),
  };
}

const num = (value: unknown): number => Number(value);

/** A track event after tokenization: absolute time, resolved track and strings; waits for the sort. */
interface TokenizedEvent {
  /** Packet index (after inflation), for problem messages. */
  at: number;
  ts: number;
  type: number;
  trackUuid: number;
  name: string;
  category?: string;
  args: Record<string, ArgValue>;
  argKinds: Record<string, ArgKind>;
  counterValue?: number;
  /** Extra counter values with their (explicit or default) track uuids. */
  samples: { trackUuid: number; value: number }[];
  flowsOut: number[];
  flowsIn: number[];
}

interface OpenSlice {
  slice: DecodedSlice;
}

const TO_OBJECT = { longs: String, enums: Number, bytes: Array, defaults: false };

/**
 * The trace's packets in file order, each `compressed_packets` wrapper
 * replaced by the packets it inflates to (recursively, as trace_processor
 * reads them). Only the wrapper's compressed_packets is read.
 */
function readPackets(schema: PerfettoSchema, bytes: Uint8Array, problems: string[]): { packets: Obj[]; compressed: number } {
  const packets: Obj[] = [];
  let compressed = 0;
  const read = (data: Uint8Array) => {
    const trace = schema.Trace.decode(data) as unknown as { packet?: Obj[] };
    for (const message of trace.packet ?? []) {
      if (!Object.prototype.hasOwnProperty.call(message, 'compressed_packets')) {
        packets.push(schema.TracePacket.toObject(message as never, TO_OBJECT) as Obj);
        continue;
      }
      const wrapper = compressed++;
      const others = Object.keys(message).filter((key) => key !== 'compressed_packets' && key !== '$unknown');
      if (others.length > 0) problems.push(`compressed packet ${wrapper}: also sets ${others.join(', ')} (trace_processor reads only the compressed packets)`);
      let inflated: Uint8Array;
      try {
        inflated = inflateSync(message.compressed_packets as Uint8Array);
      } catch (error) {
        problems.push(`compressed packet ${wrapper}: does not inflate (${(error as Error).message})`);
        continue;
      }
      read(inflated);
    }
  };
  read(bytes);
  return { packets, compressed };
}

export function decodePerfetto(bytes: Uint8Array): DecodedTrace {
  const schema = perfettoSchema();
  const problems: string[] = [];
  const { packets, compressed } = readPackets(schema, bytes, problems);
  const tracks = new Map<number, DecodedTrack>();
  /** Tracks referred to by an event so far, in file order. */
  const usedTracks = new Set<number>();
  const sequences = new Map<number, SequenceState>();
  /** Latest timestamp per sequence (timestamps need only be ordered within a sequence). */
  const lastTs = new Map<number, number>();
  const packetFlags: DecodedTrace['packetFlags'] = [];
  const clock: DecodedTrace['clock'] = {};
  const events: TokenizedEvent[] = [];

  const lookup = (table: Map<number, string>, iid: number, what: string, at: number): string => {
    const value = table.get(iid);
    if (value === undefined) problems.push(`packet ${at}: ${what} iid ${iid} not interned`);
    return value ?? `?${iid}`;
  };

  // Phase 1: tokenization, in file order.
  packets.forEach((packet, at) => {
    const seqId = packet.trusted_packet_sequence_id ?? 0;
    const flags = packet.sequence_flags ?? 0;
    let seq = sequences.get(seqId);
    if (!seq) {
      seq = newSequence();
      sequences.set(seqId, seq);
      if (!packet.first_packet_on_sequence) problems.push(`packet ${at}: first packet of sequence ${seqId} lacks first_packet_on_sequence`);
    }
    if (flags & SEQ_INCREMENTAL_STATE_CLEARED || packet.incremental_state_cleared) {
      const fresh = newSequence();
      fresh.valid = true;
      sequences.set(seqId, fresh);
      seq = fresh;
    }
    const event = packet.track_event;
    const usesInterning =
      event !== undefined &&
      (event.name_iid !== undefined ||
        (event.category_iids ?? []).length > 0 ||
        (event.debug_annotations ?? []).some((a: Obj) => a.name_iid !== undefined || a.string_value_iid !== undefined));
    packetFlags.push({ sequence: seqId, flags, first: Boolean(packet.first_packet_on_sequence), hasTimestamp: packet.timestamp !== undefined, usesInterning });
    if (flags & SEQ_NEEDS_INCREMENTAL_STATE && !seq.valid) {
      problems.push(`packet ${at}: needs incremental state but the sequence was never cleared (trace_processor drops it)`);
      return;
    }
    if (usesInterning && !(flags & SEQ_NEEDS_INCREMENTAL_STATE)) problems.push(`packet ${at}: uses interned data without SEQ_NEEDS_INCREMENTAL_STATE`);

    const defaults = packet.trace_packet_defaults;
    if (defaults) {
      const trackEventDefaults = defaults.track_event_defaults;
      seq.defaultClockId = defaults.timestamp_clock_id;
      seq.defaultTrackUuid = trackEventDefaults?.track_uuid === undefined ? undefined : num(trackEventDefaults.track_uuid);
      seq.defaultExtraCounterUuids = (trackEventDefaults?.extra_counter_track_uuids ?? []).map(num);
      seq.defaultExtraDoubleCounterUuids = (trackEventDefaults?.extra_double_counter_track_uuids ?? []).map(num);
    }
    const interned = packet.interned_data;
    if (interned) {
      const intern = (table: Map<number, string>, entries: Obj[] | undefined, field: 'name' | 'str', what: string) => {
        for (const entry of entries ?? []) {
          const iid = num(entry.iid);
          const value = field === 'str' ? new TextDecoder().decode(Uint8Array.from(entry.str ?? [])) : entry.name;
          if (table.has(iid) && table.get(iid) !== value) problems.push(`packet ${at}: ${what} iid ${iid} re-interned with another value`);
          if (iid !== table.size + 1 && !table.has(iid)) problems.push(`packet ${at}: ${what} iid ${iid} is not the next iid (${table.size + 1})`);
          table.set(iid, value);
        }
      };
      intern(seq.categories, interned.event_categories, 'name', 'category');
      intern(seq.eventNames, interned.event_names, 'name', 'event name');
      intern(seq.annotationNames, interned.debug_annotation_names, 'name', 'annotation name');
      intern(seq.stringValues, interned.debug_annotation_string_values, 'str', 'string value');
    }

    if (packet.clock_snapshot) {
      const clocks: Obj[] = packet.clock_snapshot.clocks ?? [];
      const boot = clocks.find((c) => c.clock_id === BOOTTIME);
      if (!boot) problems.push(`packet ${at}: clock snapshot without BOOTTIME`);
      if (packet.clock_snapshot.primary_trace_clock !== undefined) clock.primaryTraceClock = packet.clock_snapshot.primary_trace_clock;
      for (const c of clocks) {
        if (c.clock_id >= 64 && c.clock_id <= 127) {
          // Sequence-scoped: only this sequence's packets can use it.
          const unitNs = c.unit_multiplier_ns === undefined ? 1 : num(c.unit_multiplier_ns);
          const base = num(c.timestamp ?? 0);
          seq.clocks.set(c.clock_id, { value: base, unitNs, base, bootAtBase: num(boot?.timestamp ?? 0), incremental: Boolean(c.is_incremental) });
          clock.incrementalClockId = c.is_incremental ? c.clock_id : clock.incrementalClockId;
          clock.unitMultiplierNs = unitNs;
        }
        if (c.clock_id === REALTIME) clock.realtimeAtZeroNs = BigInt(c.timestamp) - BigInt(boot?.timestamp ?? 0);
      }
      return;
    }

    let ts: number | undefined;
    if (packet.timestamp !== undefined) {
      const raw = num(packet.timestamp);
      const clockId = packet.timestamp_clock_id ?? seq.defaultClockId;
      if (clockId === undefined || clockId === BOOTTIME) ts = raw;
      else {
        const custom = seq.clocks.get(clockId);
        if (!custom) {
          problems.push(`packet ${at}: timestamp on clock ${clockId} before its clock snapshot on sequence ${seqId}`);
          return;
        }
        custom.value = custom.incremental ? custom.value + raw : raw;
        ts = custom.bootAtBase + (custom.value - custom.base) * custom.unitNs;
      }
      const previous = lastTs.get(seqId) ?? -Infinity;
      if (ts < previous) problems.push(`packet ${at}: timestamp ${ts} before previous ${previous} on sequence ${seqId}`);
      lastTs.set(seqId, Math.max(previous, ts));
    }

    const descriptor = packet.track_descriptor;
    if (descriptor) {
      const uuid = num(descriptor.uuid);
      if (usedTracks.has(uuid)) problems.push(`packet ${at}: track ${uuid} described after an event used it`);
      if (tracks.has(uuid)) problems.push(`packet ${at}: track ${uuid} described twice`);
      const track: DecodedTrack = { uuid, name: descriptor.name ?? descriptor.static_name ?? '' };
      if (descriptor.parent_uuid !== undefined) track.parentUuid = num(descriptor.parent_uuid);
      if (descriptor.description !== undefined) track.description = descriptor.description;
      if (descriptor.sibling_order_rank !== undefined) track.rank = descriptor.sibling_order_rank;
      if (descriptor.child_ordering !== undefined) track.childOrdering = descriptor.child_ordering;
      if (descriptor.sibling_merge_behavior !== undefined) track.siblingMergeBehavior = descriptor.sibling_merge_behavior;
      if (descriptor.process) track.process = { pid: descriptor.process.pid, name: descriptor.process.process_name };
      if (descriptor.counter) {
        track.counter = { unit: descriptor.counter.unit, unitName: descriptor.counter.unit_name, yAxisShareKey: descriptor.counter.y_axis_share_key };
      }
      tracks.set(uuid, track);
      return;
    }

    if (!event) return;
    if (ts === undefined) {
      problems.push(`packet ${at}: track event without timestamp`);
      return;
    }
    const trackUuid = event.track_uuid !== undefined ? num(event.track_uuid) : (seq.defaultTrackUuid ?? 0);
    usedTracks.add(trackUuid);

    const samples: TokenizedEvent['samples'] = [];
    const extraUuids: number[] = (event.extra_counter_track_uuids ?? []).map(num);
    const extraValues: number[] = (event.extra_counter_values ?? []).map(num);
    const doubleUuids: number[] = (event.extra_double_counter_track_uuids ?? []).map(num);
    const doubleValues: number[] = event.extra_double_counter_values ?? [];
    const intUuids = extraUuids.length > 0 ? extraUuids : seq.defaultExtraCounterUuids;
    extraValues.forEach((value, i) => {
      if (i >= intUuids.length) problems.push(`packet ${at}: more extra counter values than uuids`);
      else samples.push({ trackUuid: intUuids[i], value });
    });
    const dblUuids = doubleUuids.length > 0 ? doubleUuids : seq.defaultExtraDoubleCounterUuids;
    doubleValues.forEach((value, i) => {
      if (i >= dblUuids.length) problems.push(`packet ${at}: more extra double counter values than uuids`);
      else samples.push({ trackUuid: dblUuids[i], value });
    });
    for (const sample of samples) usedTracks.add(sample.trackUuid);

    const type = event.type ?? 0;
    const tokenized: TokenizedEvent = {
      at,
      ts,
      type,
      trackUuid,
      name: '',
      args: {},
      argKinds: {},
      samples,
      flowsOut: (event.flow_ids ?? []).map(num),
      flowsIn: (event.terminating_flow_ids ?? []).map(num),
    };
    if (type === TYPE_COUNTER) {
      const value = event.counter_value !== undefined ? num(event.counter_value) : event.double_counter_value;
      if (value === undefined) problems.push(`packet ${at}: counter event without value`);
      else tokenized.counterValue = value;
    } else if (type === TYPE_SLICE_BEGIN || type === TYPE_INSTANT) {
      // Interned strings resolve against the tables as they stand at this point of the file.
      const state = seq;
      tokenized.name = event.name_iid !== undefined ? lookup(state.eventNames, num(event.name_iid), 'event name', at) : (event.name ?? '');
      const categoryIids: unknown[] = event.category_iids ?? [];
      tokenized.category = categoryIids.length > 0 ? lookup(state.categories, num(categoryIids[0]), 'category', at) : event.categories?.[0];
      for (const annotation of event.debug_annotations ?? []) {
        const key = annotation.name_iid !== undefined ? lookup(state.annotationNames, num(annotation.name_iid), 'annotation name', at) : annotation.name;
        tokenized.args[key] = annotationValue(annotation, (what, iid) => lookup(state.stringValues, iid, what, at));
        tokenized.argKinds[key] = annotationKind(annotation);
      }
    }
    events.push(tokenized);
  });

  // Phase 2: parsing, in timestamp order (Array.prototype.sort is stable: ties stay in file order).
  const sorted = [...events].sort((a, b) => a.ts - b.ts);
  const trackName = (uuid: number) => tracks.get(uuid)?.name ?? `?${uuid}`;
  const groupName = (uuid: number) => {
    const parent = tracks.get(uuid)?.parentUuid;
    return parent === undefined ? '' : trackName(parent);
  };
  const stacks = new Map<number, OpenSlice[]>();
  const slices: DecodedSlice[] = [];
  const counters: DecodedCounter[] = [];
  const flowSources = new Map<number, DecodedSlice>();
  const flows: DecodedFlow[] = [];

  for (const event of sorted) {
    const { at, ts, type, trackUuid: uuid } = event;
    const track = tracks.get(uuid);
    if (!track) problems.push(`packet ${at}: event on undeclared track ${uuid}`);
    const counterSample = (trackUuid: number, value: number) => {
      if (!tracks.get(trackUuid)?.counter) problems.push(`packet ${at}: counter value for non-counter track ${trackUuid}`);
      counters.push({ trackUuid, track: trackName(trackUuid), group: groupName(trackUuid), ts, value });
    };
    for (const sample of event.samples) counterSample(sample.trackUuid, sample.value);

    const bindFlows = (slice: DecodedSlice) => {
      for (const id of event.flowsOut) {
        if (flowSources.has(id)) problems.push(`packet ${at}: flow ${id} started twice`);
        flowSources.set(id, slice);
      }
      for (const id of event.flowsIn) {
        const from = flowSources.get(id);
        if (!from) problems.push(`packet ${at}: flow ${id} terminates without a source (trace_processor ignores it)`);
        else {
          flows.push({ id, from, to: slice });
          flowSources.delete(id);
        }
      }
    };

    if (type === TYPE_COUNTER) {
      if (!track?.counter) problems.push(`packet ${at}: TYPE_COUNTER on non-counter track ${uuid}`);
      if (event.counterValue !== undefined) counterSample(uuid, event.counterValue);
      continue;
    }
    if (type === TYPE_SLICE_BEGIN || type === TYPE_INSTANT) {
      if (track?.counter) problems.push(`packet ${at}: slice on counter track ${uuid}`);
      const stack = stacks.get(uuid) ?? [];
      stacks.set(uuid, stack);
      const slice: DecodedSlice = {
        trackUuid: uuid,
        track: trackName(uuid),
        group: groupName(uuid),
        category: event.category,
        name: event.name,
        ts,
        dur: 0,
        depth: stack.length,
        args: event.args,
        argKinds: event.argKinds,
      };
      if (type === TYPE_INSTANT) slices.push(slice);
      else stack.push({ slice });
      bindFlows(slice);
      continue;
    }
    if (type === TYPE_SLICE_END) {
      const open = stacks.get(uuid)?.pop();
      if (!open) {
        problems.push(`packet ${at}: SLICE_END on track ${trackName(uuid)} with no open slice (trace_processor drops it)`);
        continue;
      }
      open.slice.dur = ts - open.slice.ts;
      slices.push(open.slice);
      bindFlows(open.slice);
      continue;
    }
    problems.push(`packet ${at}: track event of unknown type ${type}`);
  }

  for (const [uuid, stack] of stacks) for (const open of stack) problems.push(`slice ${open.slice.name} on ${trackName(uuid)} never ends`);
  for (const [id] of flowSources) problems.push(`flow ${id} has no destination`);
  const first = sequences.get(1) ?? sequences.values().next().value ?? newSequence();
  return {
    packets: packets.length,
    compressedPackets: compressed,
    tracks,
    slices,
    counters,
    flows,
    interned: { eventNames: first.eventNames, categories: first.categories, annotationNames: first.annotationNames, stringValues: first.stringValues },
    clock,
    packetFlags,
    internedBySequence: new Map(
      [...sequences].map(([id, state]) => [
        id,
        { eventNames: state.eventNames, categories: state.categories, annotationNames: state.annotationNames, stringValues: state.stringValues },
      ]),
    ),
    problems,
  };
}

function annotationKind(annotation: Obj): ArgKind {
  if (annotation.double_value !== undefined) return 'double';
  if (annotation.string_value !== undefined || annotation.string_value_iid !== undefined) return 'string';
  if (annotation.array_values !== undefined) return 'array';
  return 'int';
}

function annotationValue(annotation: Obj, lookupString: (what: string, iid: number) => string): ArgValue {
  if (annotation.int_value !== undefined) return num(annotation.int_value);
  if (annotation.uint_value !== undefined) return num(annotation.uint_value);
  if (annotation.double_value !== undefined) return annotation.double_value;
  if (annotation.bool_value !== undefined) return annotation.bool_value ? 1 : 0;
  if (annotation.string_value !== undefined) return annotation.string_value;
  if (annotation.string_value_iid !== undefined) return lookupString('string value', num(annotation.string_value_iid));
  if (annotation.array_values !== undefined) return (annotation.array_values as Obj[]).map((v) => annotationValue(v, lookupString) as number);
  return [];
}

/** The `--format json` form in the same shapes (no flows: the JSON form carries none). */
export function decodeChromeJson(text: string): { slices: DecodedSlice[]; counters: DecodedCounter[]; problems: string[] } {
  const parsed = JSON.parse(text) as { traceEvents: Obj[] };
  const processNames = new Map<number, string>();
  const threadNames = new Map<string, string>();
  for (const e of parsed.traceEvents) {
    if (e.ph !== 'M') continue;
    if (e.name === 'process_name') processNames.set(e.pid, e.args.name);
    if (e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args.name);
  }
  const usToNs = (us: number) => Math.round(us * 1000);
  const problems: string[] = [];
  const slices: DecodedSlice[] = [];
  const counters: DecodedCounter[] = [];
  for (const e of parsed.traceEvents) {
    if (e.ph === 'X') {
      const track = threadNames.get(`${e.pid}:${e.tid}`);
      if (track === undefined) problems.push(`slice ${e.name} on unnamed thread ${e.pid}:${e.tid}`);
      slices.push({
        trackUuid: e.tid,
        track: track ?? '',
        group: processNames.get(e.pid) ?? '',
        category: e.cat,
        name: e.name,
        ts: usToNs(e.ts),
        dur: usToNs(e.dur),
        depth: 0,
        args: e.args ?? {},
        // JSON cannot tell 3.0 from 3: whole numbers read as ints.
        argKinds: Object.fromEntries(
          Object.entries(e.args ?? {}).map(([k, v]) => [k, Array.isArray(v) ? 'array' : typeof v === 'string' ? 'string' : Number.isInteger(v) ? 'int' : 'double']),
        ),
      });
    } else if (e.ph === 'C') {
      counters.push({ trackUuid: 0, track: e.name, group: processNames.get(e.pid) ?? '', ts: usToNs(e.ts), value: e.args.value });
    } else if (e.ph !== 'M') problems.push(`unexpected phase ${e.ph}`);
  }
  return { slices, counters, problems };
}
