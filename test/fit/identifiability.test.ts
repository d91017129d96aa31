import { describe, expect, it } from 'vitest';
import { checkIdentifiability } from '../../src/fit/identifiability.js';

const col = (values: number[]) => Float64Array.from(values);

describe('checkIdentifiability', () => {
  it('accepts independent features and reports a small condition number', () => {
    const result = checkIdentifiability(['a', 'b'], [col([1, 2, 3, 4, 5, 6]), col([3, 1, 4, 1, 5, 9])]);
    expect(result.usable).toEqual(['a', 'b']);
    expect(result.issues).toEqual([]);
    expect(result.rank).toBe(2);
    expect(result.conditionNumber).toBeGreaterThanOrEqual(1);
    expect(result.conditionNumber).toBeLessThan(10);
    expect(result.illConditioned).toBe(false);
  });

  it('reports a feature without variation as constant (collinear with the intercept)', () => {
    const result = checkIdentifiability(['prefill', 'decode'], [col([0, 0, 0, 0]), col([1, 5, 2, 8])]);
    expect(result.usable).toEqual(['decode']);
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ feature: 'prefill', reason: 'constant' });
    expect(result.issues[0].detail).toMatch(/cannot be told apart from the intercept/);
  });

  it('sets aside an exact linear combination and names its partners', () => {
    const a = [1, 2, 3, 4, 5, 6, 7];
    const b = [2, 7, 1, 8, 2, 8, 1];
    const sum = a.map((v, i) => v + 2 * b[i] + 3);
    const result = checkIdentifiability(['a', 'b', 'a_plus_2b'], [col(a), col(b), col(sum)]);
    expect(result.usable).toHaveLength(2);
    expect(result.rank).toBe(2);
    const issue = result.issues.find((i) => i.reason === 'collinear')!;
    expect(issue).toBeDefined();
    const partners = ['a', 'b', 'a_plus_2b'].filter((name) => name !== issue.feature);
    for (const partner of partners) expect(issue.detail).toContain(partner);
  });

  it('flags strongly collinear (but not exactly dependent) features as ill-conditioned', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    const b = a.map((v, i) => v + (i % 2 === 0 ? 0.001 : -0.001));
    const result = checkIdentifiability(['a', 'b'], [col(a), col(b)]);
    expect(result.usable).toEqual(['a', 'b']);
    expect(result.illConditioned).toBe(true);
    expect(result.conditionNumber).toBeGreaterThan(100);
  });
});
