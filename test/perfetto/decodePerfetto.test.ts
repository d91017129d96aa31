import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { perfettoSchema } from '../../src/perfetto/protoSchema.js';
import { decodeChromeJson, decodePerfetto } from '../helpers/decodePerfetto.js';

/**
 * The decoder the other tests rely on, checked against traces built here by
 * protobufjs reflection from plain objects (not by the writer under test).
 */
const CLEARED = 1;
const NEEDS = 2;
const BEGIN = 1;
const END = 2;
const COUNTER = 4;

function encode(packets: Record<string, unknown>[]): Uint8Array {
  const { Trace } = perfettoSchema();
  return Trace.encode(Trace.fromObject({ packet: packets })).finish();
}

const start = (extra: Record<string, unknown> = {}) => ({
  trusted_packet_sequence_id: 1,
  first_packet_on_sequence: true,
  sequence_flags: CLEARED,
  ...extra,
});
const track = (uuid: number, name: string, extra: Record<string, unknown> = {}) => ({
  trusted_packet_sequence_id: 1,
  track_descriptor: { uuid, name, ...extra },
});
const event = (timestamp: number, trackEvent: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  trusted_packet_sequence_id: 1,
  sequence_flags: NEEDS,
  timestamp,
  track_event: trackEvent,
  ...extra,
});

/** A lane sequence's first packet: its own clock snapshot (BOOTTIME `boot` = clock 64 at `base`, `unitNs` per unit) and defaults. */
const laneStart = (seq: number, clock: { boot: number; base: number; unitNs: number }, trackEventDefaults: Record<string, unknown>) =>
  start({
    trusted_packet_sequence_id: seq,
    clock_snapshot: { clocks: [{ clock_id: 6, timestamp: clock.boot }, { clock_id: 64, timestamp: clock.base, is_incremental: true, unit_multiplier_ns: clock.unitNs }] },
    trace_packet_defaults: { timestamp_clock_id: 64, track_event_defaults: trackEventDefaults },
  });
const onSeq = (seq: number, extra: Record<string, unknown> = {}) => ({ trusted_packet_sequence_id: seq, ...extra });

/**
 * Sequence 1 (steps, counters) and two lane sequences, written in chunks the
 * way the Perfetto service interleaves them: every sequence interns its own
 * iid 1, runs its own incremental clock and names its lane as default track.
 * Trace times: step 100–200, active 150 and 250 (sequence 1); prefill
 * 100–150 on lane 0 with prefill_tokens at 150 (sequence 2); decode 150–200 on
 * lane 1 (sequence 3).
 */
const lanesTrace = (): Record<string, unknown>[] => [
  // Sequence 1: clock 64 = BOOTTIME, 1 ns units.
  start({
    trace_packet_defaults: { timestamp_clock_id: 64 },
    clock_snapshot: { clocks: [{ clock_id: 6, timestamp: 0 }, { clock_id: 64, timestamp: 0, is_incremental: true, unit_multiplier_ns: 1 }] },
  }),
  track(1, 'steps'),
  track(10, 'lane 0'),
  track(11, 'lane 1'),
  track(3, 'active', { counter: {} }),
  track(4, 'prefill_tokens', { counter: {} }),
  event(100, { type: BEGIN, track_uuid: 1, name_iid: 1 }, { interned_data: { event_names: [{ iid: 1, name: 'step' }] } }),
  event(50, { type: COUNTER, track_uuid: 3, counter_value: 1 }),
  event(50, { type: END, track_uuid: 1 }),
  event(50, { type: COUNTER, track_uuid: 3, counter_value: 0 }),
  // Sequence 3 (lane 1): clock 64 starts at 1000 at BOOTTIME 0, 1 ns units.
  laneStart(3, { boot: 0, base: 1000, unitNs: 1 }, { track_uuid: 11 }),
  event(150, { type: BEGIN, name_iid: 1 }, onSeq(3, { interned_data: { event_names: [{ iid: 1, name: 'decode' }] } })),
  // Sequence 2 (lane 0): clock 64 starts at 0 at BOOTTIME 50, 10 ns units; counter 4 by default.
  laneStart(2, { boot: 50, base: 0, unitNs: 10 }, { track_uuid: 10, extra_counter_track_uuids: [4] }),
  event(5, { type: BEGIN, name_iid: 1 }, onSeq(2, { interned_data: { event_names: [{ iid: 1, name: 'prefill' }] } })),
  event(5, { type: END, extra_counter_values: [7] }, onSeq(2)),
  // Sequence 3 again.
  event(50, { type: END }, onSeq(3)),
];

describe('decodePerfetto', () => {
  it('accumulates an incremental custom clock (perfetto.md: deltas 1000, 10, 5, 20 at 1000 ns/unit)', () => {
    const trace = decodePerfetto(
      encode([
        start({
          trace_packet_defaults: { timestamp_clock_id: 64 },
          clock_snapshot: { clocks: [{ clock_id: 6, timestamp: 0 }, { clock_id: 64, timestamp: 0, is_incremental: true, unit_multiplier_ns: 1000 }] },
        }),
        track(1, 'c', { counter: {} }),
        ...[1000, 10, 5, 20].map((delta, i) => event(delta, { type: COUNTER, track_uuid: 1, counter_value: i })),
      ]),
    );
    expect(trace.problems).toEqual([]);
    expect(trace.counters.map((c) => c.ts)).toEqual([1_000_000, 1_010_000, 1_015_000, 1_035_000]);
    expect(trace.clock).toMatchObject({ incrementalClockId: 64, unitMultiplierNs: 1000 });
  });

  it('resolves interned names, categories, annotation names and string values', () => {
    const trace = decodePerfetto(
      encode([
        start(),
        track(7, 'lane 0'),
        event(100, { type: BEGIN, track_uuid: 7, category_iids: [1], name_iid: 1, debug_annotations: [{ name_iid: 1, string_value_iid: 1 }, { name_iid: 2, int_value: -3 }] }, {
          interned_data: {
            event_categories: [{ iid: 1, name: 'request' }],
            event_names: [{ iid: 1, name: 'decode' }],
            debug_annotation_names: [{ iid: 1, name: 'kind' }, { iid: 2, name: 'delta' }],
            debug_annotation_string_values: [{ iid: 1, str: Buffer.from('prefill') }],
          },
        }),
        event(250, { type: END, track_uuid: 7 }),
      ]),
    );
    expect(trace.problems).toEqual([]);
    expect(trace.slices).toEqual([
      expect.objectContaining({ track: 'lane 0', category: 'request', name: 'decode', ts: 100, dur: 150, args: { kind: 'prefill', delta: -3 } }),
    ]);
  });

  it('reports unknown iids, packets needing state on an uncleared sequence, and stray ends', () => {
    const trace = decodePerfetto(
      encode([
        { trusted_packet_sequence_id: 1, first_packet_on_sequence: true, track_descriptor: { uuid: 7, name: 'lane 0' } },
        event(100, { type: BEGIN, track_uuid: 7, name: 'x' }),
        start(),
        event(200, { type: BEGIN, track_uuid: 7, name_iid: 9 }),
        event(300, { type: END, track_uuid: 7 }),
        event(400, { type: END, track_uuid: 7 }),
      ]),
    );
    expect(trace.problems).toEqual([
      'packet 1: needs incremental state but the sequence was never cleared (trace_processor drops it)',
      'packet 3: event name iid 9 not interned',
      'packet 5: SLICE_END on track lane 0 with no open slice (trace_processor drops it)',
    ]);
  });

  it('reports interned references on a packet that does not declare SEQ_NEEDS_INCREMENTAL_STATE', () => {
    const trace = decodePerfetto(
      encode([
        start(),
        track(7, 'lane 0'),
        event(1, { type: BEGIN, track_uuid: 7, name_iid: 1 }, { sequence_flags: 0, interned_data: { event_names: [{ iid: 1, name: 'decode' }] } }),
        event(2, { type: END, track_uuid: 7 }),
      ]),
    );
    expect(trace.problems).toEqual(['packet 2: uses interned data without SEQ_NEEDS_INCREMENTAL_STATE']);
    expect(trace.slices.map((s) => s.name)).toEqual(['decode']);
  });

  it('mis-nests overlapping slices on one track exactly as trace_processor does (END closes the latest BEGIN)', () => {
    const trace = decodePerfetto(
      encode([
        start(),
        track(7, 'lane 0'),
        event(0, { type: BEGIN, track_uuid: 7, name: 'a' }),
        event(10, { type: BEGIN, track_uuid: 7, name: 'b' }),
        event(20, { type: END, track_uuid: 7 }),
        event(30, { type: END, track_uuid: 7 }),
      ]),
    );
    expect(trace.slices.map((s) => [s.name, s.ts, s.dur, s.depth])).toEqual([
      ['b', 10, 10, 1],
      ['a', 0, 30, 0],
    ]);
  });

  it('takes extra counter uuids from the sequence defaults and binds flows to the slices their events close', () => {
    const trace = decodePerfetto(
      encode([
        start({ trace_packet_defaults: { track_event_defaults: { extra_counter_track_uuids: [3, 4] } } }),
        track(1, 'lane 0'),
        track(2, 'steps'),
        track(3, 'engine_running', { counter: {} }),
        track(4, 'prefill_tokens', { counter: {} }),
        track(5, 'ratio', { counter: {} }),
        event(0, { type: BEGIN, track_uuid: 1, name: 'req0 prefill' }),
        event(0, { type: BEGIN, track_uuid: 2, name: 'step' }),
        event(5, { type: END, track_uuid: 1, flow_ids: [42], extra_counter_values: [7, 0] }),
        event(6, { type: END, track_uuid: 2, terminating_flow_ids: [42], extra_double_counter_track_uuids: [5], extra_double_counter_values: [0.5] }),
      ]),
    );
    expect(trace.problems).toEqual([]);
    expect(trace.counters.map((c) => [c.track, c.ts, c.value])).toEqual([
      ['engine_running', 5, 7],
      ['prefill_tokens', 5, 0],
      ['ratio', 6, 0.5],
    ]);
    expect(trace.flows.map((f) => [f.id, f.from.name, f.to.name])).toEqual([[42, 'req0 prefill', 'step']]);
  });

  it('reports a flow that terminates before it starts', () => {
    const trace = decodePerfetto(
      encode([start(), track(1, 't'), event(0, { type: BEGIN, track_uuid: 1, name: 's', terminating_flow_ids: [1] }), event(1, { type: END, track_uuid: 1 })]),
    );
    expect(trace.problems).toEqual(['packet 2: flow 1 terminates without a source (trace_processor ignores it)']);
  });

  it('reads the Chrome JSON form into the same shapes', () => {
    const json = JSON.stringify({
      traceEvents: [
        { ph: 'M', pid: 1, name: 'process_name', args: { name: 'inference trace: m' } },
        { ph: 'M', pid: 1, tid: 1, name: 'thread_name', args: { name: 'lane 0' } },
        { ph: 'X', pid: 1, tid: 1, cat: 'request', name: 'decode', ts: 1.5, dur: 0.001, args: { req: 0 } },
        { ph: 'C', pid: 1, name: 'active_requests', ts: 2, args: { value: 3 } },
      ],
    });
    expect(decodeChromeJson(json)).toEqual({
      slices: [expect.objectContaining({ group: 'inference trace: m', track: 'lane 0', category: 'request', name: 'decode', ts: 1500, dur: 1, args: { req: 0 } })],
      counters: [expect.objectContaining({ group: 'inference trace: m', track: 'active_requests', ts: 2000, value: 3 })],
      problems: [],
    });
  });

  it('reads compressed_packets wrappers in place: plain and compressed decode alike', () => {
    const packets = lanesTrace();
    const plain = decodePerfetto(encode(packets));
    const compressed = decodePerfetto(
      encode([
        { compressed_packets: deflateSync(encode(packets.slice(0, 7))) },
        ...packets.slice(7, 10),
        { compressed_packets: deflateSync(encode(packets.slice(10))) },
      ]),
    );
    expect(plain.problems).toEqual([]);
    expect(plain.compressedPackets).toBe(0);
    expect(compressed.compressedPackets).toBe(2);
    expect(compressed.packets).toBe(packets.length);
    expect({ ...compressed, compressedPackets: 0 }).toEqual(plain);
  });

  it('reports a compressed wrapper that does not inflate or carries other fields', () => {
    const trace = decodePerfetto(
      encode([
        { compressed_packets: deflateSync(encode([start(), track(1, 't')])), trusted_packet_sequence_id: 1 },
        { compressed_packets: Buffer.from('not zlib') },
        event(1, { type: BEGIN, track_uuid: 1, name: 'a' }),
        event(2, { type: END, track_uuid: 1 }),
      ]),
    );
    expect(trace.problems).toEqual([
      'compressed packet 0: also sets trusted_packet_sequence_id (trace_processor reads only the compressed packets)',
      expect.stringMatching(/^compressed packet 1: does not inflate/),
    ]);
    expect(trace.slices.map((s) => s.name)).toEqual(['a']);
  });

  it('tokenizes each sequence with its own interning, clock and default track, then builds slices in time order', () => {
    const trace = decodePerfetto(encode(lanesTrace()));
    expect(trace.problems).toEqual([]);
    // Same iid 1, three names; prefill ends at 150 where decode begins on another sequence.
    expect(trace.slices.map((s) => [s.track, s.name, s.ts, s.dur, s.depth])).toEqual([
      ['lane 0', 'prefill', 100, 50, 0],
      ['steps', 'step', 100, 100, 0],
      ['lane 1', 'decode', 150, 50, 0],
    ]);
    // In time order, not file order (active 250 is written before prefill_tokens 150).
    expect(trace.counters.map((c) => [c.track, c.ts, c.value])).toEqual([
      ['active', 150, 1],
      ['prefill_tokens', 150, 7],
      ['active', 250, 0],
    ]);
    expect([...trace.interned.eventNames]).toEqual([[1, 'step']]);
    expect(trace.packets).toBe(16);
    expect(trace.packetFlags.filter((p) => p.first).length).toBe(3);
  });

  it('keeps file order for events of two sequences at one timestamp on one track', () => {
    const end = event(10, { type: END, track_uuid: 1 });
    const begin = event(10, { type: BEGIN, track_uuid: 1, name: 'b' }, onSeq(2));
    const build = (tie: Record<string, unknown>[]) =>
      decodePerfetto(encode([start(), track(1, 't'), event(0, { type: BEGIN, track_uuid: 1, name: 'a' }), start(onSeq(2)), ...tie, event(20, { type: END, track_uuid: 1 }, onSeq(2))]));
    expect(build([end, begin]).slices.map((s) => [s.name, s.ts, s.dur, s.depth])).toEqual([
      ['a', 0, 10, 0],
      ['b', 10, 10, 0],
    ]);
    // BEGIN first: the END at 10 closes b, and a runs to 20.
    expect(build([begin, end]).slices.map((s) => [s.name, s.ts, s.dur, s.depth])).toEqual([
      ['b', 10, 0, 1],
      ['a', 0, 20, 0],
    ]);
  });

  it('binds a flow across sequences at one timestamp only when its source comes first in the file', () => {
    const setup = [start(), track(1, 'steps'), track(10, 'lane 0')];
    const steps = [event(150, { type: BEGIN, track_uuid: 1, name: 'step', terminating_flow_ids: [42] }), event(200, { type: END, track_uuid: 1 })];
    const lane = [
      start(onSeq(2, { trace_packet_defaults: { track_event_defaults: { track_uuid: 10 } } })),
      event(100, { type: BEGIN, name: 'prefill' }, onSeq(2)),
      event(150, { type: END, flow_ids: [42] }, onSeq(2)),
    ];
    const bound = decodePerfetto(encode([...setup, ...lane, ...steps]));
    expect(bound.problems).toEqual([]);
    expect(bound.flows.map((f) => [f.id, f.from.name, f.to.name])).toEqual([[42, 'prefill', 'step']]);

    const dropped = decodePerfetto(encode([...setup, ...steps, ...lane]));
    expect(dropped.flows).toEqual([]);
    expect(dropped.problems).toEqual(['packet 3: flow 42 terminates without a source (trace_processor ignores it)', 'flow 42 has no destination']);
  });

  it('reports timestamps going back within a sequence, not across sequences', () => {
    const trace = decodePerfetto(
      encode([
        start(),
        track(1, 't'),
        track(2, 'u'),
        event(100, { type: BEGIN, track_uuid: 1, name: 'a' }),
        start(onSeq(2)),
        event(10, { type: BEGIN, track_uuid: 2, name: 'b' }, onSeq(2)),
        event(50, { type: END, track_uuid: 1 }),
        event(20, { type: END, track_uuid: 2 }, onSeq(2)),
      ]),
    );
    // Sorted, sequence 1's END at 50 comes before its BEGIN at 100.
    expect(trace.problems).toEqual([
      'packet 6: timestamp 50 before previous 100 on sequence 1',
      'packet 6: SLICE_END on track t with no open slice (trace_processor drops it)',
      'slice a on t never ends',
    ]);
    expect(trace.slices.map((s) => [s.name, s.ts, s.dur])).toEqual([['b', 10, 10]]);
  });
});
