import { describe, expect, it } from 'vitest';
import { selectBetaSamples } from '../../src/fit/betaSamples.js';
import type { StepRow, StepRows } from '../../src/fit/stepRows.js';

function row(stepId: number, extra: Partial<StepRow> = {}): StepRow {
  return {
    stepId,
    startMs: stepId * 10,
    wallUs: 6000,
    prefillTokens: 0,
    decodeTokens: 8,
    running: 8,
    kvUsage: 0.1,
    preempted: 0,
    decodeContextTokens: 4000,
    ...extra,
  };
}

describe('selectBetaSamples', () => {
  const rows: StepRow[] = [
    row(1), // warm-up (first 3 steps)
    row(2, { wallUs: NaN }), // no wall time comes first
    row(3),
    row(4, { wallUs: NaN }),
    row(5, { wallUs: -1 }),
    row(6, { wallUs: 0 }),
    row(7, { preempted: 1 }),
    row(8, { preempted: 2 }),
    row(9, { decodeContextTokens: NaN }),
    row(10),
    row(11),
  ];
  const steps: StepRows = { source: 'otlp', rows, wallKnown: 9, contextMismatches: 1 };

  it('counts each excluded step under the first rule it fails, in the documented order', () => {
    const set = selectBetaSamples(steps, { warmupSteps: 3, maxPreemptedPerStep: 1, needsDecodeContext: true });
    const counts = Object.fromEntries(set.exclusions.map((e) => [e.rule, e.count]));
    expect(counts).toEqual({
      'no-wall-time': 2,
      'non-positive-duration': 2,
      'warm-up': 2,
      preemption: 1,
      'no-decode-context': 1,
    });
    expect(set.samples.map((s) => s.stepId)).toEqual([7, 10, 11]);
    expect(set.extracted).toBe(11);
    expect(set.samples.length + set.exclusions.reduce((sum, e) => sum + e.count, 0)).toBe(set.extracted);
  });

  it('keeps steps without a context when the features do not need one', () => {
    const set = selectBetaSamples(steps, { warmupSteps: 0, maxPreemptedPerStep: 0, needsDecodeContext: false });
    expect(set.exclusions.map((e) => e.rule)).not.toContain('no-decode-context');
    expect(set.samples.map((s) => s.stepId)).toEqual([1, 3, 9, 10, 11]);
  });
});
