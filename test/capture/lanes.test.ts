import { describe, expect, it } from 'vitest';
import { packLanes } from '../../src/capture/derive/lanes.js';
import { activeRequestSweep } from '../../src/capture/derive/activeSweep.js';

/** Deterministic LCG so the property tests are reproducible without a dependency. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Brute-force peak: when request i (arrival order) enters, it overlaps every
 * earlier request still running past its arrival (ended strictly later), plus itself.
 */
function bruteForcePeak(arrival: number[], end: number[]): number {
  let peak = 0;
  for (let i = 0; i < arrival.length; i++) {
    let active = 1;
    for (let j = 0; j < i; j++) if (end[j] > arrival[i]) active++;
    peak = Math.max(peak, active);
  }
  return peak;
}

describe('packLanes', () => {
  it('reuses the lowest free lane and frees a lane when its request ended at or before the arrival', () => {
    // arrival order: 0 [0,10), 1 [2,5), 2 [5,8) reuses lane 1 (ended at 5 == arrival), 3 [6,20) needs lane 2, 4 [10,11) takes lane 0
    const arrival = Float64Array.from([0, 2, 5, 6, 10]);
    const end = Float64Array.from([10, 5, 8, 20, 11]);
    const { lane, laneCount } = packLanes(arrival, end);
    expect(Array.from(lane)).toEqual([0, 1, 1, 2, 0]);
    expect(laneCount).toBe(3);
  });

  it('skips requests without arrival', () => {
    const { lane, laneCount } = packLanes(Float64Array.from([0, NaN, 1]), Float64Array.from([5, NaN, 2]));
    expect(Array.from(lane)).toEqual([0, -1, 1]);
    expect(laneCount).toBe(2);
  });

  it('never overlaps two requests on a lane and uses exactly peak-concurrency lanes (random property)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rand = lcg(seed);
      const n = 1 + Math.floor(rand() * 60);
      const pairs = Array.from({ length: n }, () => {
        // Coarse grid so that ties (end == next arrival, equal arrivals, zero length) are frequent.
        const a = Math.floor(rand() * 20);
        return [a, a + Math.floor(rand() * 6)] as const;
      }).sort((x, y) => x[0] - y[0]);
      const arrival = pairs.map((p) => p[0]);
      const end = pairs.map((p) => p[1]);
      const { lane, laneCount } = packLanes(Float64Array.from(arrival), Float64Array.from(end));
      const lastEndOnLane = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const previous = lastEndOnLane.get(lane[i]);
        if (previous !== undefined) expect(previous).toBeLessThanOrEqual(arrival[i]);
        lastEndOnLane.set(lane[i], end[i]);
      }
      const sweep = activeRequestSweep(Float64Array.from(arrival), Float64Array.from(end));
      expect(laneCount).toBe(bruteForcePeak(arrival, end));
      expect(sweep.peak).toBe(laneCount);
    }
  });
});

describe('activeRequestSweep', () => {
  it('processes exits before entries at equal times and coalesces each time into one sample', () => {
    // [0,5) and [5,9): at t=5 one exits and one enters -> stays 1, never 2.
    const s = activeRequestSweep(Float64Array.from([0, 5]), Float64Array.from([5, 9]));
    expect(Array.from(s.timeMs)).toEqual([0, 5, 9]);
    expect(Array.from(s.active)).toEqual([1, 1, 0]);
    expect(s.peak).toBe(1);
  });

  it('counts overlapping requests and returns to zero', () => {
    const s = activeRequestSweep(Float64Array.from([0, 1, 2]), Float64Array.from([10, 3, 4]));
    expect(Array.from(s.timeMs)).toEqual([0, 1, 2, 3, 4, 10]);
    expect(Array.from(s.active)).toEqual([1, 2, 3, 2, 1, 0]);
    expect(s.peak).toBe(3);
  });

  it('shows a zero-length request in the peak but not in the settled sample', () => {
    const s = activeRequestSweep(Float64Array.from([3]), Float64Array.from([3]));
    expect(Array.from(s.active)).toEqual([0]);
    expect(s.peak).toBe(1);
  });

  it('ignores requests without arrival', () => {
    const s = activeRequestSweep(Float64Array.from([0, NaN]), Float64Array.from([2, NaN]));
    expect(Array.from(s.timeMs)).toEqual([0, 2]);
    expect(s.peak).toBe(1);
  });
});
