import { beforeAll, describe, expect, it } from 'vitest';
import type { Capture } from '../../src/capture/model.js';
import { perfettoSchema, enumValue } from '../../src/perfetto/protoSchema.js';
import type { DecodedTrack, DecodedTrace } from '../helpers/decodePerfetto.js';
import { handCapture, ns, stepLine, useTempDir, writeProto } from './fixtures.js';

/** Twelve overlapping requests (so lanes 10 and 11 exist) and a small sidecar with a spec-decoding step. */
function manyRequests() {
  return Array.from({ length: 12 }, (_, i) => ({
    prompt_tokens: 10 + i,
    output_tokens: 3,
    ttft_ms: 4,
    itl_ms: [1, 1],
    arrival_ms: i * 0.5,
    itl_ctx: { num_running: [i + 1, i + 1], prefill_tokens: [0, 0] },
  }));
}

const SIDECAR = [
  stepLine(0, 0, 1),
  stepLine(2, 1, 0, { requests: 1, queries: 10 }),
  stepLine(4.5, 2, 3, { requests: 1, queries: 11 }),
  stepLine(5, 12, 0, undefined, { spec_decoding_stats: { num_drafts: 12, num_draft_tokens: 24, num_accepted_tokens: 18 } }),
  stepLine(6, 12, 0),
];

function children(trace: DecodedTrace, parentName: string): DecodedTrack[] {
  const parent = [...trace.tracks.values()].find((t) => t.name === parentName);
  return [...trace.tracks.values()].filter((t) => t.parentUuid === parent?.uuid).sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
}

describe('tracks, counters and the packet sequence', () => {
  const dir = useTempDir();
  let capture: Capture;
  let trace: DecodedTrace;
  beforeAll(async () => {
    capture = await handCapture(dir, { meta: { model: 'org/model-7b' }, requests: manyRequests(), steps: SIDECAR });
    trace = (await writeProto(capture, dir)).trace;
  });

  it('names the request group after meta.model and orders its children explicitly: lanes in numeric order, then counters', () => {
    expect(trace.problems).toEqual([]);
    const group = [...trace.tracks.values()].find((t) => t.name === 'inference trace: org/model-7b');
    expect(group?.process).toEqual({ pid: 1, name: 'inference trace: org/model-7b' });
    expect(group?.childOrdering).toBe(enumValue(perfettoSchema(), 'TrackDescriptor.ChildTracksOrdering', 'EXPLICIT'));
    const names = children(trace, 'inference trace: org/model-7b').map((t) => [t.name, t.rank]);
    expect(names).toEqual([
      ...Array.from({ length: 12 }, (_, lane) => [`lane ${lane}`, lane]),
      ['active_requests', 12],
      ['engine_running', 13],
      ['prefill_tokens', 14],
    ]);
  });

  it('uses --name for the group label', async () => {
    const named = (await writeProto(capture, dir, { name: 'H100 replay' })).trace;
    expect([...named.tracks.values()].filter((t) => t.process).map((t) => t.name)).toEqual(['H100 replay', 'scheduler steps']);
  });

  it('declares counter tracks with units: counts, tokens, 0-1 ratios sharing an axis', () => {
    const count = enumValue(perfettoSchema(), 'CounterDescriptor.Unit', 'UNIT_COUNT');
    const unspecified = enumValue(perfettoSchema(), 'CounterDescriptor.Unit', 'UNIT_UNSPECIFIED');
    const counter = (name: string) => [...trace.tracks.values()].find((t) => t.name === name)?.counter;
    expect(counter('active_requests')).toMatchObject({ unit: count });
    expect(counter('engine_running')).toMatchObject({ unit: count });
    expect(counter('prefill_tokens')).toMatchObject({ unitName: 'tokens' });
    expect(counter('sched_running_reqs')).toMatchObject({ unit: count });
    expect(counter('sched_waiting_reqs')).toMatchObject({ unit: count });
    expect(counter('sched_kv_cache_usage')).toEqual({ unit: unspecified, unitName: 'ratio (0-1)', yAxisShareKey: 'ratio' });
    expect(counter('sched_accept_rate')).toEqual({ unit: unspecified, unitName: 'ratio (0-1)', yAxisShareKey: 'ratio' });
    expect(children(trace, 'scheduler steps').map((t) => t.name)).toEqual([
      'steps',
      'sched_running_reqs',
      'sched_waiting_reqs',
      'sched_kv_cache_usage',
      'sched_accept_rate',
    ]);
  });

  it('samples the acceptance rate only on steps that drafted tokens', () => {
    expect(trace.counters.filter((c) => c.track === 'sched_accept_rate').map((c) => [c.ts, c.value])).toEqual([[ns(5), 0.75]]);
  });

  it('describes every track before an event uses it and gives the busiest tracks the smallest uuids', () => {
    const lanes = [...trace.tracks.values()].filter((t) => t.name.startsWith('lane '));
    expect(Math.max(...lanes.map((t) => t.uuid))).toBe(12);
    const uuids = [...trace.tracks.keys()];
    expect(new Set(uuids).size).toBe(uuids.length);
  });

  it('writes sequence 1 plus one sequence per lane, each starting by clearing incremental state; every event packet needs it', () => {
    const flags = trace.packetFlags;
    const lanes = [...trace.tracks.values()].filter((t) => t.name.startsWith('lane ')).length;
    const sequences = [...new Set(flags.map((p) => p.sequence))].sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: 1 + lanes }, (_, i) => i + 1));
    expect(flags[0]).toMatchObject({ sequence: 1, first: true, flags: 1 });
    for (const sequence of sequences) {
      const own = flags.filter((p) => p.sequence === sequence);
      expect(own[0]).toMatchObject({ first: true, flags: 1 });
      expect(own.slice(1).every((p) => !p.first)).toBe(true);
    }
    const events = flags.filter((p) => p.hasTimestamp);
    expect(events.length).toBe(trace.slices.length * 2 + trace.counters.filter((c) => c.track === 'active_requests').length);
    expect(events.every((p) => p.flags === 2)).toBe(true);
  });

  it('interns names once per sequence, with iids 1..n per table, all resolving', () => {
    for (const tables of trace.internedBySequence.values()) {
      for (const table of [tables.eventNames, tables.categories, tables.annotationNames, tables.stringValues]) {
        expect([...table.keys()]).toEqual(Array.from({ length: table.size }, (_, i) => i + 1));
        expect(new Set(table.values()).size).toBe(table.size);
      }
    }
    const { eventNames, stringValues } = trace.interned;
    // Sequence 1 carries the steps; request slices live on the lane sequences.
    expect([...trace.interned.categories.values()]).toEqual(['step']);
    const laneCategories = new Set([...trace.internedBySequence].filter(([id]) => id > 1).flatMap(([, t]) => [...t.categories.values()]));
    expect([...laneCategories]).toEqual(['request']);
    const laneNames = new Set([...trace.internedBySequence].filter(([id]) => id > 1).flatMap(([, t]) => [...t.eventNames.values()]));
    expect([...laneNames]).toContain('decode');
    // Per-request names are unique, so they are written inline rather than interned.
    expect([...eventNames.values(), ...laneNames].some((name) => name.endsWith(' prefill'))).toBe(false);
    expect([...stringValues.values()].sort()).toEqual(['decode', 'prefill', 'prefill+decode']);
  });

  it('declares an incremental nanosecond clock next to BOOTTIME, without REALTIME when the epoch is unknown', () => {
    expect(trace.clock).toEqual({ incrementalClockId: 64, unitMultiplierNs: 1, primaryTraceClock: 6 });
  });

  it('shifts a capture with negative arrival times so trace time starts at 0', async () => {
    const early = await handCapture(dir, {
      requests: [
        { prompt_tokens: 1, output_tokens: 2, ttft_ms: 2, itl_ms: [1], arrival_ms: -5 },
        { prompt_tokens: 1, output_tokens: 1, ttft_ms: 1, arrival_ms: 0 },
      ],
    });
    const shifted = (await writeProto(early, dir)).trace;
    expect(shifted.problems).toEqual([]);
    expect(shifted.slices.map((s) => [s.name, s.ts, s.dur])).toEqual([
      ['req0 prefill', 0, ns(2)],
      ['decode', ns(2), ns(1)],
      ['req1 prefill', ns(5), ns(1)],
    ]);
  });
});
