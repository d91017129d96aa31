import { describe, expect, it } from 'vitest';
import type { CoreEventType, JourneyEvent, JourneyRequest } from '../../src/capture/otlpRecords.js';
import { decodeActivity, decodeRuns } from '../../src/fit/decodeRuns.js';
import { buildStepRows } from '../../src/fit/stepRows.js';
import { simulate } from '../../src/gen/index.js';
import { generated } from './genCapture.js';

function core(type: CoreEventType, step: number, extra: Partial<JourneyEvent> = {}): JourneyEvent {
  return { layer: 'core', type, timeNs: BigInt(step) * 1_000_000n, tsMs: step, schedulerStep: step, prefillTotalTokens: 100, ...extra };
}

function journey(events: JourneyEvent[]): JourneyRequest {
  return { traceId: 't', events, line: 1 };
}

describe('decodeRuns', () => {
  it('decodes from the step after FIRST_TOKEN through FINISHED, context growing by one per step', () => {
    const runs = decodeRuns(
      journey([core('QUEUED', 3), core('SCHEDULED', 4), core('FIRST_TOKEN', 5, { decodeDoneTokens: 1 }), core('FINISHED', 9, { decodeDoneTokens: 5 })]),
    );
    // Before step 6 the cache holds the prompt (100); the first output token is fed by step 6.
    expect(runs).toEqual([{ firstStep: 6, lastStep: 9, contextAtFirst: 100 }]);
  });

  it('stops before the preempting step and resumes after the recompute step', () => {
    const runs = decodeRuns(
      journey([
        core('QUEUED', 3),
        core('SCHEDULED', 4),
        core('FIRST_TOKEN', 5, { decodeDoneTokens: 1 }),
        core('PREEMPTED', 8, { decodeDoneTokens: 3 }),
        core('SCHEDULED', 10, { scheduleKind: 'RESUME' }),
        core('FINISHED', 12, { decodeDoneTokens: 6 }),
      ]),
    );
    // Steps 6–7 decode outputs 2–3; step 10 recomputes 103 tokens and emits output 4; steps 11–12 decode.
    expect(runs).toEqual([
      { firstStep: 6, lastStep: 7, contextAtFirst: 100 },
      { firstStep: 11, lastStep: 12, contextAtFirst: 103 },
    ]);
  });

  it('has no run for a request that finished with its first token, or one without step ids', () => {
    expect(decodeRuns(journey([core('QUEUED', 1), core('SCHEDULED', 2), core('FIRST_TOKEN', 3), core('FINISHED', 3)]))).toEqual([]);
    expect(decodeRuns(journey([{ ...core('FIRST_TOKEN', 3), schedulerStep: undefined }, core('FINISHED', 9)]))).toEqual([]);
  });

  it('sums requests and context per step', () => {
    const a = journey([core('FIRST_TOKEN', 1, { decodeDoneTokens: 1 }), core('FINISHED', 3)]);
    const b = journey([core('FIRST_TOKEN', 2, { decodeDoneTokens: 1, prefillTotalTokens: 10 }), core('FINISHED', 4, { prefillTotalTokens: 10 })]);
    const activity = decodeActivity([a, b]);
    expect(activity.firstStep).toBe(2);
    expect(Array.from(activity.requests)).toEqual([1, 2, 1]);
    // Step 2: a at 100; step 3: a at 101 + b at 10; step 4: b at 11.
    expect(Array.from(activity.contextTokens)).toEqual([100, 111, 11]);
  });
});

describe('step rows from a vcr gen capture', () => {
  it('reconstruct every step\'s decode context exactly, and give no wall time to a step whose successor came after idle time', async () => {
    const options = { scenario: 'sweep', seed: 5, requests: 150, phaseDurationS: 5 } as const;
    const truth = new Map<number, { context: number; wallUs: number }>();
    for (const event of simulate(options)) if (event.kind === 'step') truth.set(event.id, { context: event.decodeContextTokens, wallUs: event.endUs - event.startUs });
    const rows = buildStepRows((await generated(options)).capture);
    expect(rows.source).toBe('otlp');
    expect(rows.rows.length).toBeGreaterThan(truth.size * 0.99);
    let withContext = 0;
    for (const row of rows.rows) {
      const t = truth.get(row.stepId)!;
      if (!Number.isNaN(row.decodeContextTokens)) {
        withContext++;
        expect(row.decodeContextTokens).toBe(t.context);
      }
      if (!Number.isNaN(row.wallUs)) expect(row.wallUs).toBeCloseTo(t.wallUs, 3);
    }
    expect(withContext).toBe(rows.rows.length - rows.contextMismatches);
    expect(rows.contextMismatches).toBe(0);
    // The sweep idles between phases: those steps lose their wall time instead of reporting idle time as step time.
    expect(rows.rows.filter((row) => Number.isNaN(row.wallUs)).length).toBeGreaterThan(0);
  });
});
