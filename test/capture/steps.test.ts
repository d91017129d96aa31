import { describe, expect, it } from 'vitest';
import { SidecarStepBuilder, classifyStep, stepLabel, stepsFromOtlp } from '../../src/capture/derive/steps.js';
import { STEP_KINDS } from '../../src/capture/model.js';
import type { StepStatsRecord } from '../../src/capture/records.js';
import type { OtlpStepSummary } from '../../src/capture/otlpRecords.js';

function sidecarLine(line: number, tsMs: number, running: number, prefill?: { requests: number; queries: number }, spec?: { draft: number; accepted: number }): StepStatsRecord {
  return {
    line,
    tsMs,
    numRunningReqs: running,
    numWaitingReqs: 2,
    kvCacheUsage: 0.25,
    prefixCacheStats: prefill ? { requests: prefill.requests, queries: prefill.queries, hits: 16, preemptedRequests: 1 } : undefined,
    specDecodingStats: spec ? { numDrafts: 1, numDraftTokens: spec.draft, numAcceptedTokens: spec.accepted } : undefined,
    extra: {},
  };
}

describe('classifyStep / stepLabel', () => {
  it('classifies by prefill work and decode requests', () => {
    expect(classifyStep(0, 0, 5)).toBe('decode');
    expect(classifyStep(1, 0, 0)).toBe('prefill');
    expect(classifyStep(0, 128, 0)).toBe('prefill');
    expect(classifyStep(2, 300, 4)).toBe('prefill+decode');
  });

  it('names steps the way the timeline shows them', () => {
    expect(stepLabel('decode', 12, 0, 0)).toBe('decode B12');
    expect(stepLabel('prefill', 1, 1, 512)).toBe('prefill (+1r 512t)');
    expect(stepLabel('prefill+decode', 9, 2, 300)).toBe('prefill+decode B9 (+2r 300t)');
  });
});

describe('SidecarStepBuilder', () => {
  it('turns line i into the interval [ts(i-1), ts(i)], the first line only seeding the clock', () => {
    const builder = new SidecarStepBuilder();
    builder.add(sidecarLine(1, 0, 0));
    builder.add(sidecarLine(2, 10, 1, { requests: 1, queries: 512 }));
    builder.add(sidecarLine(3, 18.5, 3, { requests: 2, queries: 100 }));
    builder.add(sidecarLine(4, 25, 3, undefined, { draft: 9, accepted: 4 }));
    const steps = builder.finish();
    expect(steps.source).toBe('sidecar');
    expect(steps.count).toBe(3);
    expect(Array.from(steps.startMs)).toEqual([0, 10, 18.5]);
    expect(Array.from(steps.endMs)).toEqual([10, 18.5, 25]);
    expect(Array.from(steps.kind, (k) => STEP_KINDS[k])).toEqual(['prefill', 'prefill+decode', 'decode']);
    // queries − hits: the prefix-cache hits were looked up, not computed.
    expect(Array.from(steps.prefillTokens)).toEqual([512 - 16, 100 - 16, 0]);
    // decode tokens = running − prefill requests, plus the draft tokens each decode verifies
    expect(Array.from(steps.decodeTokens)).toEqual([0, 1, 3 + 9]);
    expect(Array.from(steps.specDraft)).toEqual([0, 0, 9]);
    expect(Array.from(steps.specAccepted)).toEqual([0, 0, 4]);
    expect(Array.from(steps.sourceLine)).toEqual([2, 3, 4]);
    expect(Array.from(steps.wallKnown)).toEqual([1, 1, 1]);
    expect(Array.from(steps.prefixHits)).toEqual([16, 16, -1]);
    // preempted_requests counts resumed requests, so the sidecar cannot say how many were preempted.
    expect(Array.from(steps.preempted)).toEqual([-1, -1, -1]);
  });

  it('drops a line that closes an idle interval (empty batch before it, no prefill in it)', () => {
    const builder = new SidecarStepBuilder();
    builder.add(sidecarLine(1, 0, 0));
    builder.add(sidecarLine(2, 10, 1, { requests: 1, queries: 64 }));
    builder.add(sidecarLine(3, 15, 0)); // last decode: running drops to 0 — a real step
    builder.add(sidecarLine(4, 500, 0)); // idle until 500: marker, not a step
    builder.add(sidecarLine(5, 510, 1, { requests: 1, queries: 64 }));
    const steps = builder.finish();
    expect(builder.idleIntervals).toBe(1);
    expect(Array.from(steps.startMs)).toEqual([0, 10, 500]);
    expect(Array.from(steps.endMs)).toEqual([10, 15, 510]);
    expect(Array.from(steps.stepId)).toEqual([1, 2, 3]);
  });

  it('reports no source for an empty sidecar', () => {
    expect(new SidecarStepBuilder().finish().source).toBe('none');
  });
});

describe('stepsFromOtlp', () => {
  const summary = (stepId: number, startMs: number, prefillReqs = 0): OtlpStepSummary => ({
    stepId,
    tsStartNs: 0n,
    tsEndNs: 0n,
    startMs,
    durationUs: 250,
    runningDepth: 4,
    waitingDepth: 1,
    numPrefillReqs: prefillReqs,
    numDecodeReqs: 4 - prefillReqs,
    scheduledTokens: 0,
    prefillTokens: prefillReqs * 100,
    decodeTokens: 4 - prefillReqs,
    numFinished: 0,
    numPreempted: 0,
    kvUsageGpuRatio: 0.5,
    kvBlocksTotalGpu: 1000,
    kvBlocksFreeGpu: 500,
  });

  it('gives no wall time to a step after which the engine drained (the gap to the next step includes idle time)', () => {
    const drained = { ...summary(7, 0), runningDepth: 2, numFinished: 2, waitingDepth: 0 };
    const stillWaiting = { ...summary(8, 50), runningDepth: 2, numFinished: 2, waitingDepth: 1 };
    const steps = stepsFromOtlp([drained, stillWaiting, summary(9, 60)]);
    expect(Array.from(steps.wallKnown)).toEqual([0, 1, 0]);
    expect(Array.from(steps.endMs)).toEqual([0.25, 60, 60.25]);
  });

  it('uses the next sampled step as the end only when it is the very next step id', () => {
    const steps = stepsFromOtlp([summary(41, 100), summary(42, 112, 1), summary(45, 150, 4)]);
    expect(Array.from(steps.endMs)).toEqual([112, 112.25, 150.25]);
    expect(Array.from(steps.wallKnown)).toEqual([1, 0, 0]);
    expect(Array.from(steps.kind, (k) => STEP_KINDS[k])).toEqual(['decode', 'prefill+decode', 'prefill']);
    expect(Array.from(steps.schedulerCpuUs)).toEqual([250, 250, 250]);
  });
});
