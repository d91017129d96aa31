import { describe, expect, it } from 'vitest';
import { nearestRank, nearestRankIndex } from '../../src/stats/percentile.js';
import { rng } from './fixtures.js';

describe('nearestRank', () => {
  const sorted = Float64Array.from([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);

  it('takes the value at rank ceil(p·n)', () => {
    expect(nearestRank(sorted, 0.5)).toBe(50);
    expect(nearestRank(sorted, 0.51)).toBe(60);
    expect(nearestRank(sorted, 0.9)).toBe(90);
    expect(nearestRank(sorted, 0.95)).toBe(100);
    expect(nearestRank(sorted, 0.99)).toBe(100);
    expect(nearestRank(sorted, 1)).toBe(100);
  });

  it('is the minimum at p = 0 and NaN for an empty sample', () => {
    expect(nearestRank(sorted, 0)).toBe(10);
    expect(nearestRank(new Float64Array(), 0.5)).toBeNaN();
    expect(nearestRank(Float64Array.from([7]), 0.999)).toBe(7);
  });

  it('computes the rank in integers, immune to products like 0.07·100 = 7.000000000000001', () => {
    expect(Math.ceil(0.07 * 100)).toBe(8);
    expect(nearestRankIndex(100, 0.07)).toBe(7);
    expect(nearestRankIndex(100, 0.56)).toBe(56);
    expect(nearestRankIndex(100, 0.57)).toBe(57);
    expect(nearestRankIndex(1000, 0.999)).toBe(999);
    expect(nearestRankIndex(1001, 0.999)).toBe(1000);
  });

  it('agrees with the definition: the smallest sample value with at least p·n values at or below it', () => {
    const random = rng(99);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(random() * 300);
      const values = Float64Array.from({ length: n }, () => Math.floor(random() * 50)).sort();
      const permille = Math.floor(random() * 1001);
      const p = permille / 1000;
      // count(≤ v) ≥ p·n  ⇔  1000·count ≥ permille·n, exact in integers.
      const expected = values.find((v) => 1000 * values.filter((w) => w <= v).length >= permille * n)!;
      expect(nearestRank(values, p)).toBe(expected);
    }
  });

  it('rejects fractions outside [0, 1]', () => {
    expect(() => nearestRank(sorted, 1.5)).toThrow(RangeError);
    expect(() => nearestRank(sorted, NaN)).toThrow(RangeError);
  });
});
