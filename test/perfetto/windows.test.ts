import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Capture } from '../../src/capture/model.js';
import { planWindows } from '../../src/perfetto/timeline/windows.js';
import { generatedCapture, useTempDir, writeProto } from './fixtures.js';
import type { DecodedTrace } from '../helpers/decodePerfetto.js';

describe('planWindows', () => {
  it('closes a window once it holds the budget, at request boundaries', () => {
    const events = [4, 4, 10, 2, 2, 2, 30, 2];
    expect(Array.from(planWindows(events.length, (e) => events[e], 8))).toEqual([0, 2, 3, 7, 8]);
    expect(Array.from(planWindows(events.length, (e) => events[e], 1000))).toEqual([0, 8]);
    expect(Array.from(planWindows(0, () => 2, 8))).toEqual([0]);
  });
});

/** What trace_processor would show, independent of packet layout. */
function content(trace: DecodedTrace) {
  const slice = (s: DecodedTrace['slices'][number]) => JSON.stringify([s.track, s.name, s.ts, s.dur, s.depth, s.category, s.args]);
  return {
    slices: trace.slices.map(slice).sort(),
    counters: trace.counters.map((c) => `${c.track}@${c.ts}=${c.value}`).sort(),
    flows: trace.flows.map((f) => `${f.id}:${slice(f.from)}->${slice(f.to)}`).sort(),
  };
}

describe('a trace written in many windows of requests', () => {
  const dir = useTempDir();
  let capture: Capture;
  beforeAll(async () => {
    capture = (await generatedCapture(join(dir), { requests: 60, seed: 21 })).capture;
  });

  it('carries the same slices, counters and flows as one window, each window on sequences of its own', async () => {
    const one = await writeProto(capture, dir);
    const many = await writeProto(capture, dir, { windowEvents: 300 });
    expect(one.trace.problems).toEqual([]);
    expect(many.trace.problems).toEqual([]);
    expect(many.trace.flows.length).toBeGreaterThan(10);
    expect(content(many.trace)).toEqual(content(one.trace));
    const sequences = (trace: DecodedTrace) => new Set(trace.packetFlags.map((p) => p.sequence)).size;
    expect(sequences(many.trace)).toBeGreaterThan(sequences(one.trace) + 10);
    // Every sequence starts afresh: cleared state on its first packet, none after.
    for (const id of new Set(many.trace.packetFlags.map((p) => p.sequence))) {
      const own = many.trace.packetFlags.filter((p) => p.sequence === id);
      expect(own[0]).toMatchObject({ first: true, flags: 1 });
      expect(own.slice(1).every((p) => !p.first)).toBe(true);
    }
  });
});
