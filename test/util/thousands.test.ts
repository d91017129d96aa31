import { describe, expect, it } from 'vitest';
import { thousands } from '../../src/util/thousands.js';

describe('thousands', () => {
  it("writes integers as toLocaleString('en-US') does", () => {
    const values = [0, 7, 42, 999, 1000, 1001, 12_345, 999_999, 1_000_000, 9_916_243, 50_963_227, 2 ** 53 - 1, -1, -1234, -1_000_000];
    for (const value of values) expect(thousands(value), String(value)).toBe(value.toLocaleString('en-US'));
  });

  it('rounds a fraction to the nearest integer first, as a rate is shown', () => {
    expect(thousands(1234.6)).toBe('1,235');
    expect(thousands(-0.2)).toBe('0');
  });
});
