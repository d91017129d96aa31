import { describe, expect, it } from 'vitest';
import { mean, sortedSample } from '../../src/stats/sample.js';
import { ratio, relativeError } from '../../src/stats/relativeError.js';

describe('sortedSample / mean', () => {
  it('keeps finite values, sorted numerically', () => {
    expect(Array.from(sortedSample([10, NaN, 9, Infinity, -1, 100]))).toEqual([-1, 9, 10, 100]);
  });

  it('averages, NaN when empty', () => {
    expect(mean(Float64Array.from([1, 2, 6]))).toBe(3);
    expect(mean(new Float64Array(0))).toBeNaN();
  });
});

describe('relativeError / ratio', () => {
  it('is signed and relative to the reference', () => {
    expect(relativeError(10, 11)).toBeCloseTo(0.1, 12);
    expect(relativeError(10, 9)).toBeCloseTo(-0.1, 12);
    expect(relativeError(0, 0)).toBe(0);
    expect(relativeError(0, 2)).toBe(Infinity);
    expect(relativeError(NaN, 2)).toBeNaN();
  });

  it('divides, NaN on a zero denominator', () => {
    expect(ratio(9, 3)).toBe(3);
    expect(ratio(1, 0)).toBeNaN();
  });
});
