import { describe, expect, it } from 'vitest';
import { ksDistance } from '../../src/stats/ks.js';

/** sup |F_a − F_b| evaluated at every sample point, the definition written out. */
function bruteForce(a: number[], b: number[]): number {
  const cdf = (xs: number[], t: number) => xs.filter((x) => x <= t).length / xs.length;
  return Math.max(...[...a, ...b].map((t) => Math.abs(cdf(a, t) - cdf(b, t))));
}

const sorted = (values: number[]) => Float64Array.from(values).sort();

describe('ksDistance', () => {
  it('is 0 for equal samples, ties included', () => {
    expect(ksDistance(sorted([1, 2, 2, 3]), sorted([3, 2, 1, 2]))).toBe(0);
  });

  it('is 1 for samples with disjoint ranges', () => {
    expect(ksDistance(sorted([1, 2]), sorted([3, 4, 5]))).toBe(1);
  });

  it('matches the definition on random samples with ties', () => {
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed / 2147483648);
    for (let trial = 0; trial < 20; trial++) {
      const a = Array.from({ length: 5 + trial }, () => Math.floor(next() * 10));
      const b = Array.from({ length: 3 + 2 * trial }, () => Math.floor(next() * 12));
      expect(ksDistance(sorted(a), sorted(b))).toBeCloseTo(bruteForce(a, b), 12);
    }
  });

  it('is NaN when a sample is empty', () => {
    expect(ksDistance(sorted([]), sorted([1]))).toBeNaN();
  });
});
