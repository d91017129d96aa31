import { describe, expect, it } from 'vitest';
import { IntervalCoverage, firstAbove, nearestIndex, overlapping, peakOverlap } from '../../src/stats/intervals.js';

const f64 = (values: number[]) => Float64Array.from(values);

describe('interval helpers', () => {
  // Back-to-back steps [0,10] [10,20] [20,30] [40,50] (idle 30–40).
  const starts = f64([0, 10, 20, 40]);
  const ends = f64([10, 20, 30, 50]);

  it('finds the first value above t', () => {
    expect(firstAbove(ends, 10)).toBe(1);
    expect(firstAbove(ends, 9.9)).toBe(0);
    expect(firstAbove(ends, 50)).toBe(4);
  });

  it('lists intervals overlapping by a positive length; touching is not overlapping', () => {
    expect(overlapping(starts, ends, 10, 20)).toEqual([1]);
    expect(overlapping(starts, ends, 5, 45)).toEqual([0, 1, 2, 3]);
    expect(overlapping(starts, ends, 30, 40)).toEqual([]);
  });

  it('measures the covered part of a range by a selected subset, clipped at both ends', () => {
    const all = new IntervalCoverage(starts, ends, () => true);
    expect(all.measure(5, 45)).toEqual({ coveredMs: 30, count: 4 });
    expect(all.measure(12, 18)).toEqual({ coveredMs: 6, count: 1 });
    expect(all.measure(30, 40)).toEqual({ coveredMs: 0, count: 0 });
    expect(all.measure(-10, 100)).toEqual({ coveredMs: 40, count: 4 });
    expect(all.measure(7, 7)).toEqual({ coveredMs: 0, count: 0 });
    const even = new IntervalCoverage(starts, ends, (i) => i % 2 === 0);
    expect(even.measure(5, 45)).toEqual({ coveredMs: 15, count: 2 });
    expect(even.measure(12, 25)).toEqual({ coveredMs: 5, count: 1 });
  });

  it('agrees with summing the overlaps one by one on random ranges', () => {
    const n = 200;
    const s = new Float64Array(n);
    const e = new Float64Array(n);
    let t = 0;
    for (let i = 0; i < n; i++) {
      t += (i * 7919) % 5; // idle gaps of 0–4 ms between some steps
      s[i] = t;
      t += 1 + ((i * 104729) % 13) / 2; // step lengths 1–7 ms
      e[i] = t;
    }
    const pick = (i: number) => i % 3 !== 0;
    const coverage = new IntervalCoverage(s, e, pick);
    for (let k = 0; k < 300; k++) {
      const from = ((k * 37) % 900) - 10;
      const to = from + ((k * 53) % 150);
      let covered = 0;
      let count = 0;
      for (const i of overlapping(s, e, from, to)) {
        if (!pick(i)) continue;
        covered += Math.min(to, e[i]) - Math.max(from, s[i]);
        count++;
      }
      const measured = coverage.measure(from, to);
      expect(measured.count).toBe(count);
      expect(measured.coveredMs).toBeCloseTo(covered, 9);
    }
  });

  it('finds the nearest value, the lower one on a tie', () => {
    expect(nearestIndex(ends, 14)).toBe(0);
    expect(nearestIndex(ends, 15)).toBe(0);
    expect(nearestIndex(ends, 16)).toBe(1);
    expect(nearestIndex(ends, -5)).toBe(0);
    expect(nearestIndex(ends, 99)).toBe(3);
    expect(nearestIndex(f64([]), 1)).toBe(-1);
  });
});

describe('peakOverlap', () => {
  it('reports the first stretch with the most open intervals', () => {
    // [0,10] [5,30] [8,12] overlap 3-deep in [8,10]; later [40,50] [41,49] [42,48] also 3 but not first.
    expect(peakOverlap([0, 5, 8, 40, 41, 42], [10, 30, 12, 50, 49, 48])).toEqual({ peak: 3, fromMs: 8, toMs: 10 });
  });

  it('lets an interval end before another starts at the same time', () => {
    expect(peakOverlap([0, 10, 20], [10, 20, 30])).toEqual({ peak: 1, fromMs: 0, toMs: 10 });
  });

  it('skips empty intervals', () => {
    expect(peakOverlap([5, NaN], [5, 7])).toEqual({ peak: 0, fromMs: NaN, toMs: NaN });
  });
});
