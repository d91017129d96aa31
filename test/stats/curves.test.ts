import { describe, expect, it } from 'vitest';
import { survivalCurve } from '../../src/stats/survival.js';
import { qqPairs, qqProbabilities, TAIL_PROBABILITIES } from '../../src/stats/qq.js';
import { binEdges, histogram } from '../../src/stats/histogram.js';
import { nearestRank } from '../../src/stats/percentile.js';

const sorted = (values: number[]) => Float64Array.from(values).sort();

describe('survivalCurve', () => {
  it('gives P(X > x) at every distinct value of a small sample', () => {
    expect(survivalCurve(sorted([1, 2, 2, 4]))).toEqual([
      { x: 1, survival: 0.75 },
      { x: 2, survival: 0.25 },
      { x: 4, survival: 0 },
    ]);
  });

  it('reduces a large sample but keeps the tail point by point', () => {
    const values = sorted(Array.from({ length: 100_000 }, (_, i) => i));
    const points = survivalCurve(values, 400);
    expect(points.length).toBeLessThanOrEqual(400);
    expect(points.length).toBeGreaterThan(100);
    // The ten largest values each have their point (survival 9/n … 0).
    const tail = points.slice(-10).map((p) => p.x);
    expect(tail).toEqual([99_990, 99_991, 99_992, 99_993, 99_994, 99_995, 99_996, 99_997, 99_998, 99_999]);
    for (let k = 1; k < points.length; k++) {
      expect(points[k].x).toBeGreaterThan(points[k - 1].x);
      expect(points[k].survival).toBeLessThan(points[k - 1].survival);
    }
    for (const p of points) expect(p.survival).toBeCloseTo((values.length - 1 - p.x) / values.length, 12);
  });

  it('is empty for an empty sample', () => {
    expect(survivalCurve(new Float64Array(0))).toEqual([]);
  });
});

describe('qqPairs', () => {
  it('pairs nearest-rank quantiles at shared probabilities, tails included', () => {
    const ps = qqProbabilities(10);
    expect(ps).toEqual([0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95, 0.99, 0.995, 0.999].map((p) => expect.closeTo(p, 12)));
    for (const tail of TAIL_PROBABILITIES) expect(ps).toContain(tail);
    const a = sorted(Array.from({ length: 50 }, (_, i) => i));
    const b = sorted(Array.from({ length: 80 }, (_, i) => 2 * i));
    for (const pair of qqPairs(a, b, ps)) {
      expect(pair.x).toBe(nearestRank(a, pair.p));
      expect(pair.y).toBe(nearestRank(b, pair.p));
    }
    expect(qqPairs(a, new Float64Array(0))).toEqual([]);
  });
});

describe('histogram', () => {
  it('counts half-open bins, the last closed, and drops values outside', () => {
    const bins = histogram(sorted([-1, 0, 0.5, 1, 1.5, 2, 3]), binEdges(0, 2, 2));
    expect(bins.map((b) => [b.x0, b.x1, b.count])).toEqual([
      [0, 1, 2],
      [1, 2, 3],
    ]);
    expect(bins[1].fraction).toBeCloseTo(3 / 7, 12);
  });

  it('spaces log bins geometrically and pins the ends', () => {
    const edges = binEdges(1, 1000, 3, 'log');
    expect(Array.from(edges).map((e) => Number(e.toPrecision(12)))).toEqual([1, 10, 100, 1000]);
    expect(edges[3]).toBe(1000);
    expect(() => binEdges(0, 10, 3, 'log')).toThrow('log bins need lo > 0');
    expect(() => binEdges(5, 5, 3)).toThrow('bin range must be non-empty');
  });
});
