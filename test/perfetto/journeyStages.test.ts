import { describe, expect, it } from 'vitest';
import type { JourneyEvent, JourneyRequest, OtlpCapture } from '../../src/capture/otlpRecords.js';
import { JOURNEY_STAGES, journeyTimeline } from '../../src/perfetto/timeline/journeyStages.js';

function core(type: JourneyEvent['type'], tsMs: number, extra: Partial<JourneyEvent> = {}): JourneyEvent {
  return { layer: 'core', type, tsMs, timeNs: BigInt(Math.round(tsMs * 1e6)), ...extra };
}

function request(requestId: string, events: JourneyEvent[]): JourneyRequest {
  return { traceId: `t-${requestId}`, requestId, events, line: 1 };
}

function otlp(requests: JourneyRequest[]): OtlpCapture {
  return {
    path: 'otlp.jsonl',
    epochNs: 0n,
    requests,
    steps: [],
    snapshots: [],
    upstream: [],
    resource: {},
    stats: { lines: 0, spans: 0, events: 0, unknownEvents: {}, droppedEvents: 0, spansWithDroppedEvents: 0, unjoinedCoreSpans: 0, unjoinedApiSpans: 0 },
  };
}

function stagesOf(timeline: ReturnType<typeof journeyTimeline>, r: number) {
  const rows = [];
  for (let i = timeline.stageOffset[r]; i < timeline.stageOffset[r + 1]; i++) {
    rows.push([JOURNEY_STAGES[timeline.stage[i]], timeline.beginMs[i], timeline.endMs[i], timeline.schedulerStep[i], timeline.numPreemptions[i]]);
  }
  return rows;
}

describe('journeyTimeline', () => {
  it('turns core events into queue / prefill / decode stages, ignoring API events', () => {
    const timeline = journeyTimeline(
      otlp([
        request('a', [
          { layer: 'api', type: 'ARRIVED', tsMs: 0, timeNs: 0n },
          core('QUEUED', 1, { schedulerStep: 4, numPreemptions: 0 }),
          core('SCHEDULED', 3, { schedulerStep: 5 }),
          core('FIRST_TOKEN', 7, { schedulerStep: 6 }),
          core('FINISHED', 20, { schedulerStep: 9 }),
          { layer: 'api', type: 'DEPARTED', tsMs: 21, timeNs: 0n },
        ]),
      ]),
    );
    expect(timeline.requestCount).toBe(1);
    expect(stagesOf(timeline, 0)).toEqual([
      ['queue', 1, 3, 4, 0],
      ['prefill', 3, 7, 5, -1],
      ['decode', 7, 20, 6, -1],
    ]);
  });

  it('draws a preemption as its own stage and resumes into decode after the first token', () => {
    const timeline = journeyTimeline(
      otlp([
        request('p', [
          core('QUEUED', 0),
          core('SCHEDULED', 1),
          core('FIRST_TOKEN', 2),
          core('PREEMPTED', 5, { numPreemptions: 1 }),
          core('SCHEDULED', 8, { scheduleKind: 'RESUME' }),
          core('FINISHED', 12),
        ]),
      ]),
    );
    expect(stagesOf(timeline, 0).map(([name, from, to]) => [name, from, to])).toEqual([
      ['queue', 0, 1],
      ['prefill', 1, 2],
      ['decode', 2, 5],
      ['preempted', 5, 8],
      ['decode', 8, 12],
    ]);
  });

  it('drops a stage that never closes and requests with no stage, orders requests by first stage and packs lanes', () => {
    const timeline = journeyTimeline(
      otlp([
        request('late', [core('QUEUED', 10), core('SCHEDULED', 11), core('FIRST_TOKEN', 12), core('FINISHED', 30)]),
        request('open', [core('QUEUED', 0), core('SCHEDULED', 2)]),
        request('empty', [core('FINISHED', 3)]),
        request('early', [core('QUEUED', 5), core('SCHEDULED', 6), core('FIRST_TOKEN', 9), core('FINISHED', 10)]),
      ]),
    );
    expect(timeline.label).toEqual(['open', 'early', 'late']);
    expect(stagesOf(timeline, 0).map(([name]) => name)).toEqual(['queue']);
    // 'open' spans [0, 2], 'early' [5, 10] reuses its lane, 'late' starts at 10 as 'early' ends: same lane again.
    expect(Array.from(timeline.lane)).toEqual([0, 0, 0]);
    expect(timeline.laneCount).toBe(1);
  });

  it('is empty without an OTLP capture', () => {
    expect(journeyTimeline(undefined).requestCount).toBe(0);
  });
});
