import { describe, expect, it } from 'vitest';
import { timeOrderedSplit } from '../../src/fit/holdout.js';

describe('timeOrderedSplit', () => {
  it('trains on the earliest samples and tests on the latest', () => {
    const times = Float64Array.from({ length: 10 }, (_, i) => i * 10);
    const split = timeOrderedSplit(times, 0.2);
    expect(split).toEqual({ trainCount: 8, testCount: 2, splitTimeMs: 80 });
    // Every training time precedes every test time: never a random split.
    expect(Math.max(...times.slice(0, split.trainCount))).toBeLessThan(Math.min(...times.slice(split.trainCount)));
  });

  it('moves samples tied with the first test sample into the test set', () => {
    const split = timeOrderedSplit(Float64Array.from([0, 1, 2, 3, 3, 3, 4, 5]), 0.5);
    expect(split.trainCount).toBe(3);
    expect(split.splitTimeMs).toBe(3);
  });

  it('has no test set at fraction 0', () => {
    const split = timeOrderedSplit(Float64Array.from([1, 2, 3]), 0);
    expect(split.trainCount).toBe(3);
    expect(split.testCount).toBe(0);
    expect(split.splitTimeMs).toBeNaN();
  });

  it('rejects unsorted times and fractions outside [0, 1)', () => {
    expect(() => timeOrderedSplit(Float64Array.from([2, 1]), 0.5)).toThrow(/time order/);
    expect(() => timeOrderedSplit(Float64Array.from([1, 2]), 1)).toThrow(RangeError);
    expect(() => timeOrderedSplit(Float64Array.from([1, 2]), -0.1)).toThrow(RangeError);
  });
});
