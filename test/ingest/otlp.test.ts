import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { JourneyEvent, JourneyRequest, OtlpCapture } from '../../src/capture/otlpRecords.js';
import { LenientLog } from '../../src/ingest/errors.js';
import { readOtlp } from '../../src/ingest/otlp/reader.js';
import {
  SCOPE,
  SPAN_KIND,
  T0,
  ms,
  batchSummaryAttrs,
  boolAttr,
  coreAttrs,
  doubleAttr,
  exportLine,
  intAttr,
  intNumberAttr,
  resourceSpans,
  scopeLine,
  snapshotAttrs,
  span,
  stringAttr,
  type EventSpec,
  type OtlpAttribute,
} from '../helpers/otlpBuilder.js';
import { jsonLines, jsonParseMessage, rejectionMessage, useTempDir } from './helpers.js';

const write = useTempDir();


const TRACE_A = '5b8efff798038103d269b633813fc60c';
const API_A = 'eee19b7ec3c1b173';
const CORE_A = 'eee19b7ec3c1b174';
const TRACE_B = '0af7651916cd43dd8448eb211c80319c';

function apiSpan(opts: { traceId?: string; spanId?: string; start?: bigint; attributes?: OtlpAttribute[]; events?: EventSpec[] }) {
  return span({
    traceId: opts.traceId ?? TRACE_A,
    spanId: opts.spanId ?? API_A,
    name: 'llm_request',
    kind: SPAN_KIND.server,
    startNs: opts.start ?? T0,
    attributes: opts.attributes,
    events: opts.events,
  });
}

function coreSpan(opts: {
  traceId?: string;
  spanId?: string;
  parent?: string;
  start?: bigint;
  requestId?: string;
  events?: EventSpec[];
  droppedEventsCount?: number;
}) {
  return span({
    traceId: opts.traceId ?? TRACE_A,
    spanId: opts.spanId ?? CORE_A,
    parentSpanId: opts.parent ?? API_A,
    name: 'llm_core',
    startNs: opts.start ?? ms(2),
    attributes: opts.requestId === undefined ? [] : [stringAttr('gen_ai.request.id', opts.requestId)],
    events: opts.events,
    droppedEventsCount: opts.droppedEventsCount,
  });
}

function stepWindow(n: number, start: bigint, events: EventSpec[], droppedEventsCount?: number) {
  return span({
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: `00f067aa0ba902b${n}`,
    name: `scheduler_steps_${n}`,
    startNs: start,
    attributes: [intAttr('scheduler.span_sequence', n), intAttr('scheduler.closure_interval', 100)],
    events,
    droppedEventsCount,
  });
}

const apiEvent = (name: string, at: bigint, extra: OtlpAttribute[] = []): EventSpec => ({
  name,
  timeNs: at,
  attributes: [doubleAttr('event.ts.monotonic', 5000.5), ...extra],
});

const queued = (at: bigint, extra: Partial<Parameters<typeof coreAttrs>[0]> = {}): EventSpec => ({
  name: 'journey.QUEUED',
  timeNs: at,
  attributes: coreAttrs({ phase: 'WAITING', prefillDone: 0, prefillTotal: 512, decodeDone: 0, decodeMax: 128, preemptions: 0, ...extra }),
});

async function read(name: string, lines: string[]): Promise<OtlpCapture> {
  return readOtlp(write(name, jsonLines(lines)));
}

/** A full two-layer request, core span on its own line. */
const CORE_LINE_A = scopeLine(
  SCOPE.core,
  coreSpan({
    requestId: 'cmpl-9f2e-0-7c1d',
    events: [
      queued(ms(2.1), { monotonicNs: 12345678900000n }),
      { name: 'journey.SCHEDULED', timeNs: ms(10), attributes: coreAttrs({ step: 42, phase: 'PREFILL', scheduleKind: 'FIRST' }) },
      {
        name: 'journey.FIRST_TOKEN',
        timeNs: ms(30),
        attributes: coreAttrs({ step: 43, phase: 'DECODE', prefillDone: 512, prefillTotal: 512, decodeDone: 1, decodeMax: 128 }),
      },
      {
        name: 'journey.FINISHED',
        timeNs: ms(400),
        attributes: coreAttrs({ step: 170, phase: 'DECODE', decodeDone: 128, finishStatus: 'stopped' }),
      },
    ],
  }),
);

const API_LINE_A = scopeLine(
  SCOPE.api,
  apiSpan({
    attributes: [
      stringAttr('gen_ai.request.id', 'cmpl-9f2e-0'),
      stringAttr('http.route', '/v1/chat/completions'),
      stringAttr('gen_ai.response.model', 'meta-llama/Llama-3.1-8B'),
      intAttr('gen_ai.usage.prompt_tokens', 512),
      intAttr('gen_ai.usage.completion_tokens', 128),
      intAttr('gen_ai.request.max_tokens', 128),
    ],
    events: [
      apiEvent('api.ARRIVED', T0),
      apiEvent('api.HANDOFF_TO_CORE', ms(1.5)),
      apiEvent('api.FIRST_RESPONSE_FROM_CORE', ms(31)),
      apiEvent('api.DEPARTED', ms(401)),
    ],
  }),
);

describe('readOtlp: request journeys', () => {
  it('joins the API and core spans of a request through traceId + parentSpanId, lines out of order', async () => {
    // The decoy shares API_A's span id and the engine id string, but lives in another trace.
    const decoy = scopeLine(SCOPE.core, coreSpan({ traceId: TRACE_B, spanId: 'aaaaaaaaaaaaaaaa', start: ms(5), requestId: 'cmpl-9f2e-0-7c1d' }));
    const capture = await read('joined.jsonl', [CORE_LINE_A, decoy, API_LINE_A]);

    expect(capture.epochNs).toBe(T0);
    expect(capture.requests).toHaveLength(2);
    const api = (type: JourneyEvent['type'], timeNs: bigint, tsMs: number): JourneyEvent => ({ layer: 'api', type, timeNs, tsMs });
    const expected: JourneyRequest = {
      traceId: TRACE_A,
      apiSpanId: API_A,
      coreSpanId: CORE_A,
      requestId: 'cmpl-9f2e-0',
      coreRequestId: 'cmpl-9f2e-0-7c1d',
      route: '/v1/chat/completions',
      model: 'meta-llama/Llama-3.1-8B',
      promptTokens: 512,
      completionTokens: 128,
      maxTokens: 128,
      line: 1,
      events: [
        api('ARRIVED', T0, 0),
        api('HANDOFF_TO_CORE', ms(1.5), 1.5),
        {
          layer: 'core',
          type: 'QUEUED',
          timeNs: ms(2.1),
          tsMs: 2.1,
          monotonicNs: 12345678900000n,
          phase: 'WAITING',
          prefillDoneTokens: 0,
          prefillTotalTokens: 512,
          decodeDoneTokens: 0,
          decodeMaxTokens: 128,
          numPreemptions: 0,
        },
        { layer: 'core', type: 'SCHEDULED', timeNs: ms(10), tsMs: 10, schedulerStep: 42, phase: 'PREFILL', scheduleKind: 'FIRST' },
        {
          layer: 'core',
          type: 'FIRST_TOKEN',
          timeNs: ms(30),
          tsMs: 30,
          schedulerStep: 43,
          phase: 'DECODE',
          prefillDoneTokens: 512,
          prefillTotalTokens: 512,
          decodeDoneTokens: 1,
          decodeMaxTokens: 128,
        },
        api('FIRST_RESPONSE_FROM_CORE', ms(31), 31),
        { layer: 'core', type: 'FINISHED', timeNs: ms(400), tsMs: 400, schedulerStep: 170, phase: 'DECODE', decodeDoneTokens: 128, finishStatus: 'stopped' },
        api('DEPARTED', ms(401), 401),
      ],
    };
    expect(capture.requests[0]).toStrictEqual(expected);
    expect(capture.requests[1]).toStrictEqual({ traceId: TRACE_B, coreSpanId: 'aaaaaaaaaaaaaaaa', coreRequestId: 'cmpl-9f2e-0-7c1d', events: [], line: 2 });
    expect(capture.stats).toMatchObject({ lines: 3, spans: 3, events: 8, unjoinedCoreSpans: 1, unjoinedApiSpans: 0 });
  });

  it('keeps an API span with no engine child as an API-only request and counts it', async () => {
    const capture = await read('api-only.jsonl', [
      scopeLine(SCOPE.api, apiSpan({ events: [apiEvent('api.ARRIVED', T0), apiEvent('api.ABORTED', ms(3), [stringAttr('reason', 'client_disconnect'), stringAttr('error', 'reset')])] })),
    ]);
    expect(capture.requests).toStrictEqual([
      {
        traceId: TRACE_A,
        apiSpanId: API_A,
        line: 1,
        events: [
          { layer: 'api', type: 'ARRIVED', timeNs: T0, tsMs: 0 },
          { layer: 'api', type: 'ABORTED', timeNs: ms(3), tsMs: 3, reason: 'client_disconnect', error: 'reset' },
        ],
      },
    ]);
    expect(capture.stats.unjoinedApiSpans).toBe(1);
    expect(capture.stats.unjoinedCoreSpans).toBe(0);
  });

  it('gives each engine child of one API span (n > 1) its own request sharing the API events', async () => {
    const capture = await read('fanout.jsonl', [
      exportLine(
        resourceSpans([
          { scope: SCOPE.api, spans: [apiSpan({ events: [apiEvent('api.ARRIVED', T0)] })] },
          {
            scope: SCOPE.core,
            spans: [
              coreSpan({ spanId: '1111111111111111', start: ms(2), requestId: 'r-0', events: [queued(ms(2))] }),
              coreSpan({ spanId: '2222222222222222', start: ms(3), requestId: 'r-1', events: [queued(ms(3))] }),
            ],
          },
        ]),
      ),
    ]);
    expect(capture.requests.map((r) => [r.apiSpanId, r.coreSpanId, r.coreRequestId, r.events.map((e) => `${e.type}@${e.tsMs}`)])).toEqual([
      [API_A, '1111111111111111', 'r-0', ['ARRIVED@0', 'QUEUED@2']],
      [API_A, '2222222222222222', 'r-1', ['ARRIVED@0', 'QUEUED@3']],
    ]);
    expect(capture.stats.unjoinedApiSpans).toBe(0);
  });

  it('orders requests by their first span start, whatever the file order', async () => {
    const late = scopeLine(SCOPE.api, apiSpan({ traceId: TRACE_B, start: ms(50) }));
    const early = scopeLine(SCOPE.api, apiSpan({ start: ms(1) }));
    const capture = await read('order.jsonl', [late, early]);
    expect(capture.requests.map((r) => [r.traceId, r.line])).toEqual([
      [TRACE_A, 2],
      [TRACE_B, 1],
    ]);
  });

  it('accepts event names with or without their journey./api./step. prefix, and no other prefix', async () => {
    const capture = await read('prefixes.jsonl', [
      scopeLine(SCOPE.api, apiSpan({ events: [apiEvent('ARRIVED', T0), apiEvent('api.DEPARTED', ms(9))] })),
      scopeLine(
        SCOPE.core,
        coreSpan({
          events: [
            { ...queued(ms(2)), name: 'QUEUED' },
            { name: 'journey.SCHEDULED', timeNs: ms(3), attributes: coreAttrs({ step: 1, phase: 'PREFILL', scheduleKind: 'FIRST' }) },
            { name: 'api.FINISHED', timeNs: ms(4), attributes: coreAttrs({ step: 2, phase: 'DECODE', finishStatus: 'stopped' }) },
          ],
        }),
      ),
      scopeLine(
        SCOPE.step,
        stepWindow(1, T0, [
          { name: 'BATCH_SUMMARY', timeNs: ms(1), attributes: batchSummaryAttrs({ stepId: 1, tsStartNs: 1_000n, tsEndNs: 2_000n }) },
          { name: 'step.BATCH_SUMMARY', timeNs: ms(2), attributes: batchSummaryAttrs({ stepId: 2, tsStartNs: 1_001_000n, tsEndNs: 1_002_000n }) },
          { name: 'REQUEST_SNAPSHOT', timeNs: ms(2), attributes: snapshotAttrs({ stepId: 2, requestId: 'r' }) },
        ]),
      ),
    ]);
    expect(capture.requests[0].events.map((e) => `${e.layer}:${e.type}`)).toEqual(['api:ARRIVED', 'core:QUEUED', 'core:SCHEDULED', 'api:DEPARTED']);
    expect(capture.steps.map((s) => s.stepId)).toEqual([1, 2]);
    expect(capture.snapshots).toHaveLength(1);
    expect(capture.stats.unknownEvents).toEqual({ 'api.FINISHED': 1 });
  });

  it('accepts the underscore spellings of attribute keys, the dotted spelling winning when both are present', async () => {
    const underscored = (attrs: OtlpAttribute[]) => attrs.map((a) => ({ ...a, key: a.key.replaceAll('.', '_') }));
    const capture = await read('underscore.jsonl', [
      scopeLine(
        SCOPE.core,
        coreSpan({
          events: [
            {
              name: 'journey.FIRST_TOKEN',
              timeNs: ms(1),
              attributes: [
                intAttr('scheduler.step', 5),
                ...underscored(coreAttrs({ monotonicNs: 77n, phase: 'DECODE', prefillDone: 10, prefillTotal: 11, decodeDone: 1, decodeMax: 9, preemptions: 2 })),
                intAttr('scheduler_step', 6),
              ],
            },
            { name: 'journey.SCHEDULED', timeNs: ms(2), attributes: underscored(coreAttrs({ step: 7, phase: 'DECODE', scheduleKind: 'RESUME' })) },
            { name: 'journey.FINISHED', timeNs: ms(3), attributes: underscored(coreAttrs({ step: 8, phase: 'DECODE', finishStatus: 'length' })) },
          ],
        }),
      ),
      scopeLine(
        SCOPE.step,
        stepWindow(1, T0, [
          { name: 'step.BATCH_SUMMARY', timeNs: ms(1), attributes: underscored(batchSummaryAttrs({ stepId: 9, tsStartNs: 1_000n, tsEndNs: 3_000n, kvFree: 12 })) },
        ]),
      ),
    ]);
    expect(capture.requests[0].events).toStrictEqual([
      {
        layer: 'core',
        type: 'FIRST_TOKEN',
        timeNs: ms(1),
        tsMs: 1,
        monotonicNs: 77n,
        schedulerStep: 5,
        phase: 'DECODE',
        prefillDoneTokens: 10,
        prefillTotalTokens: 11,
        decodeDoneTokens: 1,
        decodeMaxTokens: 9,
        numPreemptions: 2,
      },
      { layer: 'core', type: 'SCHEDULED', timeNs: ms(2), tsMs: 2, schedulerStep: 7, phase: 'DECODE', scheduleKind: 'RESUME' },
      { layer: 'core', type: 'FINISHED', timeNs: ms(3), tsMs: 3, schedulerStep: 8, phase: 'DECODE', finishStatus: 'length' },
    ]);
    expect(capture.steps[0]).toMatchObject({ stepId: 9, tsStartNs: 1_000n, tsEndNs: 3_000n, durationUs: 2, kvBlocksFreeGpu: 12 });
  });

  it('reads intValue as a decimal string or a JSON number, an empty value as zero, by key', async () => {
    const capture = await read('intvalue.jsonl', [
      scopeLine(
        SCOPE.core,
        coreSpan({
          events: [
            {
              name: 'journey.QUEUED',
              timeNs: ms(1),
              attributes: [
                stringAttr('phase', 'WAITING'),
                intNumberAttr('prefill.total_tokens', 300),
                intAttr('decode.max_tokens', '64'),
                intNumberAttr('ts.monotonic_ns', 4_000_000_000_123),
                { key: 'num_preemptions', value: {} },
              ],
            },
          ],
        }),
      ),
      scopeLine(
        SCOPE.step,
        stepWindow(1, T0, [
          {
            name: 'step.BATCH_SUMMARY',
            timeNs: ms(1),
            attributes: batchSummaryAttrs({ stepId: 3, tsStartNs: 10n, tsEndNs: 20n }).map((a) =>
              a.key === 'kv.usage_gpu_ratio' ? intAttr(a.key, 1) : a.key === 'batch.num_finished' ? doubleAttr(a.key, 2) : a,
            ),
          },
        ]),
      ),
    ]);
    expect(capture.requests[0].events[0]).toMatchObject({ prefillTotalTokens: 300, decodeMaxTokens: 64, monotonicNs: 4_000_000_000_123n, numPreemptions: 0 });
    expect(capture.steps[0].kvUsageGpuRatio).toBe(1);
    expect(capture.steps[0].numFinished).toBe(2);
  });

  it('keeps epoch nanoseconds exact beyond 2^53: ...0001 and ...0002 are 1e-6 ms apart', async () => {
    const first = 1771377149660000001n;
    const second = 1771377149660000002n;
    // A double cannot tell them apart: the reader must subtract in bigint first.
    expect(Number(first)).toBe(Number(second));
    const capture = await read('exact.jsonl', [
      scopeLine(
        SCOPE.core,
        coreSpan({
          start: first,
          events: [
            { name: 'journey.SCHEDULED', timeNs: second, attributes: coreAttrs({ step: 1, phase: 'PREFILL', scheduleKind: 'FIRST', monotonicNs: 9007199254740993n }) },
            queued(first),
          ],
        }),
      ),
    ]);
    expect(capture.epochNs).toBe(first);
    const [q, s] = capture.requests[0].events;
    expect([q.type, q.timeNs, q.tsMs]).toEqual(['QUEUED', first, 0]);
    expect([s.type, s.timeNs, s.tsMs]).toEqual(['SCHEDULED', second, 1e-6]);
    expect(s.tsMs - q.tsMs).toBe(1e-6);
    expect(s.monotonicNs).toBe(9007199254740993n);
  });

  it('re-bases every time to the earliest span start or event time in the file, wherever it is', async () => {
    const capture = await read('rebase.jsonl', [
      CORE_LINE_A,
      scopeLine(SCOPE.upstream, span({ traceId: TRACE_B, spanId: 'bbbbbbbbbbbbbbbb', name: 'llm_request', startNs: ms(0.75), attributes: [stringAttr('gen_ai.request.id', 'u')] })),
      // Spans vcr does not read do not move the zero.
      scopeLine('opentelemetry.instrumentation.fastapi', span({ traceId: TRACE_B, spanId: 'cccccccccccccccc', name: 'POST /v1/completions', startNs: T0 - 10_000_000_000n })),
      scopeLine(SCOPE.api, apiSpan({ start: ms(0.5), events: [apiEvent('api.ARRIVED', ms(0.5))] })),
    ]);
    expect(capture.epochNs).toBe(ms(0.5));
    expect(capture.requests[0].events.map((e) => e.tsMs)).toEqual([0, 1.6, 9.5, 29.5, 399.5]);
    expect(capture.upstream[0].arrivalMs).toBe(0.25);
    expect(capture.stats.otherSpans).toBe(1);
  });

  it('reads one line mixing resources and scopes, including scopes it does not know', async () => {
    const line = exportLine(
      resourceSpans(
        [
          { scope: 'opentelemetry.instrumentation.fastapi', spans: [span({ traceId: TRACE_A, spanId: 'cccccccccccccccc', name: 'POST', startNs: T0 })] },
          { scope: SCOPE.core, spans: [coreSpan({ events: [queued(ms(2))] })] },
          { scope: SCOPE.api, spans: [apiSpan({ events: [apiEvent('api.ARRIVED', T0)] })] },
        ],
        'vllm-frontend',
      ),
      resourceSpans(
        [{ scope: SCOPE.step, spans: [stepWindow(1, ms(1), [{ name: 'step.BATCH_SUMMARY', timeNs: ms(3), attributes: batchSummaryAttrs({ stepId: 4, tsStartNs: 100n, tsEndNs: 200n }) }])] }],
        'vllm-engine',
      ),
    );
    const capture = await read('mixed.jsonl', [line]);
    expect(capture.requests).toHaveLength(1);
    expect(capture.requests[0].events.map((e) => e.type)).toEqual(['ARRIVED', 'QUEUED']);
    expect(capture.steps.map((s) => s.stepId)).toEqual([4]);
    expect(capture.resource).toEqual({ serviceName: 'vllm-frontend' });
    expect(capture.stats).toMatchObject({ lines: 1, spans: 4, otherSpans: 1, unjoinedApiSpans: 0, unjoinedCoreSpans: 0 });
  });

  it('counts unknown events without failing, and events on every span it reads', async () => {
    const capture = await read('unknown.jsonl', [
      scopeLine(SCOPE.core, coreSpan({ events: [queued(ms(1)), { name: 'journey.KV_OFFLOAD', timeNs: ms(2) }, { name: 'journey.KV_OFFLOAD', timeNs: ms(3) }] })),
      scopeLine(SCOPE.step, stepWindow(1, T0, [{ name: 'step.WARMUP', timeNs: ms(1) }])),
      scopeLine(SCOPE.upstream, span({ traceId: TRACE_B, spanId: 'bbbbbbbbbbbbbbbb', name: 'llm_request', startNs: T0, attributes: [stringAttr('gen_ai.request.id', 'u')], events: [{ name: 'exception', timeNs: ms(1) }] })),
    ]);
    expect(capture.stats.unknownEvents).toEqual({ 'journey.KV_OFFLOAD': 2, 'step.WARMUP': 1, exception: 1 });
    expect(capture.stats.events).toBe(5);
    expect(capture.requests[0].events.map((e) => e.type)).toEqual(['QUEUED']);
  });

  it('ignores a span seen twice (collector retry) and counts it', async () => {
    const capture = await read('dup.jsonl', [CORE_LINE_A, API_LINE_A, CORE_LINE_A]);
    expect(capture.requests).toHaveLength(1);
    expect(capture.requests[0].events).toHaveLength(8);
    expect(capture.stats).toMatchObject({ spans: 3, duplicateSpans: 1, events: 8 });
  });

  it('takes the model from the first API span', async () => {
    const capture = await read('resource.jsonl', [API_LINE_A]);
    expect(capture.resource).toEqual({ serviceName: 'vllm', model: 'meta-llama/Llama-3.1-8B' });
  });

  it('accepts an empty export {} and an empty file', async () => {
    const empty = await readOtlp(write('empty.jsonl', ''));
    expect(empty).toStrictEqual({
      path: empty.path,
      epochNs: 0n,
      requests: [],
      steps: [],
      snapshots: [],
      upstream: [],
      resource: {},
      stats: {
        lines: 0,
        spans: 0,
        events: 0,
        unknownEvents: {},
        droppedEvents: 0,
        spansWithDroppedEvents: 0,
        unjoinedCoreSpans: 0,
        unjoinedApiSpans: 0,
        otherSpans: 0,
        duplicateSpans: 0,
      },
    });
    const braces = await read('braces.jsonl', ['{}', '{"resourceSpans":[]}']);
    expect(braces.stats.lines).toBe(2);
    expect(braces.requests).toEqual([]);
  });
});

describe('readOtlp: step tracing', () => {
  // Monotonic clock readings (seconds of uptime), not epoch times.
  const M = 5_000_000_000_000n;
  const summary = (stepId: number, startOffset: bigint, durationNs: bigint, emitDelayNs: bigint, overrides = {}): EventSpec => ({
    name: 'step.BATCH_SUMMARY',
    // The event is stamped with epoch time just after ts_end_ns is read.
    timeNs: T0 + startOffset + durationNs + emitDelayNs,
    attributes: batchSummaryAttrs({ stepId, tsStartNs: M + startOffset, tsEndNs: M + startOffset + durationNs, ...overrides }),
  });

  it('sorts sampled steps by step.id across windows and lines, gaps and all, on one monotonic→epoch offset', async () => {
    const capture = await read('steps.jsonl', [
      scopeLine(SCOPE.step, stepWindow(2, T0 + 35_000_000n, [summary(10, 70_000_123n, 100_000n, 60_000n), summary(7, 40_000_000n, 180_000n, 70_000n)])),
      scopeLine(
        SCOPE.step,
        stepWindow(1, T0, [
          summary(3, 0n, 200_000n, 100_000n, { running: 5, waiting: 2, prefillReqs: 2, decodeReqs: 3, scheduledTokens: 1027, prefillTokens: 1024, decodeTokens: 3, finished: 1, preempted: 1, kvUsage: 0.5, kvTotal: 2048, kvFree: 1024 }),
          summary(4, 10_000_000n, 150_000n, 50_000n),
        ]),
      ),
    ]);
    expect(capture.steps.map((s) => s.stepId)).toEqual([3, 4, 7, 10]);
    // Offset = min(event time − ts_end) = T0 − M + 50 µs (step 4), applied to every ts_start.
    expect(capture.epochNs).toBe(T0);
    expect(capture.steps.map((s) => s.startMs)).toEqual([0.05, 10.05, 40.05, 70.050123]);
    expect(capture.steps[0]).toStrictEqual({
      stepId: 3,
      tsStartNs: M,
      tsEndNs: M + 200_000n,
      startMs: 0.05,
      timeNs: T0 + 300_000n,
      durationUs: 200,
      runningDepth: 5,
      waitingDepth: 2,
      numPrefillReqs: 2,
      numDecodeReqs: 3,
      scheduledTokens: 1027,
      prefillTokens: 1024,
      decodeTokens: 3,
      numFinished: 1,
      numPreempted: 1,
      kvUsageGpuRatio: 0.5,
      kvBlocksTotalGpu: 2048,
      kvBlocksFreeGpu: 1024,
    });
  });

  it('moves the zero back to a step that started before every span and event', async () => {
    const capture = await read('step-zero.jsonl', [scopeLine(SCOPE.step, stepWindow(1, T0 + 1_000_000n, [summary(1, 0n, 2_000_000n, 0n)]))]);
    expect(capture.epochNs).toBe(T0);
    expect(capture.steps[0].startMs).toBe(0);
  });

  it('reads REQUEST_SNAPSHOT events, sorted by step then time', async () => {
    const capture = await read('snapshots.jsonl', [
      scopeLine(
        SCOPE.step,
        stepWindow(2, T0, [
          { name: 'step.REQUEST_SNAPSHOT', timeNs: ms(7.5), attributes: snapshotAttrs({ stepId: 7, requestId: 'cmpl-b-0', effectivePromptLen: 480 }) },
          { name: 'step.REQUEST_SNAPSHOT', timeNs: ms(7.25), attributes: snapshotAttrs({ stepId: 7, requestId: 'cmpl-a-0', phase: 'PREFILL', computedTokens: 256, outputTokens: 0, scheduledThisStep: 256, preemptions: 1, kvAllocated: 16, kvCached: 4, promptTokens: 700 }) },
        ]),
      ),
      scopeLine(SCOPE.step, stepWindow(1, T0, [{ name: 'step.REQUEST_SNAPSHOT', timeNs: ms(3), attributes: snapshotAttrs({ stepId: 3, requestId: 'cmpl-c-0' }) }])),
    ]);
    expect(capture.snapshots.map((s) => [s.stepId, s.requestId])).toEqual([
      [3, 'cmpl-c-0'],
      [7, 'cmpl-a-0'],
      [7, 'cmpl-b-0'],
    ]);
    expect(capture.snapshots[1]).toStrictEqual({
      stepId: 7,
      timeNs: ms(7.25),
      tsMs: 7.25,
      requestId: 'cmpl-a-0',
      phase: 'PREFILL',
      numPromptTokens: 700,
      numComputedTokens: 256,
      numOutputTokens: 0,
      numPreemptions: 1,
      scheduledTokensThisStep: 256,
      kvBlocksAllocatedGpu: 16,
      kvBlocksCachedGpu: 4,
    });
    expect(capture.snapshots[2].effectivePromptLen).toBe(480);
  });

  it('sums droppedEventsCount and counts the spans that lost events', async () => {
    const dropped = JSON.parse(scopeLine(SCOPE.core, coreSpan({ events: [queued(ms(1))] })));
    dropped.resourceSpans[0].scopeSpans[0].spans[0].droppedEventsCount = '3'; // uint32 may arrive as a string
    const capture = await read('dropped.jsonl', [
      scopeLine(SCOPE.step, stepWindow(1, T0, [summary(150, 0n, 1000n, 0n)], 127)),
      scopeLine(SCOPE.step, stepWindow(2, T0, [summary(250, 100_000n, 1000n, 0n)])),
      JSON.stringify(dropped),
    ]);
    expect(capture.stats).toMatchObject({ droppedEvents: 130, spansWithDroppedEvents: 2 });
  });
});

describe('readOtlp: upstream vLLM spans and compression', () => {
  const upstreamSpan = (spanId: string, start: bigint, requestId: string, latencies: [string, number][]) =>
    span({
      traceId: TRACE_B,
      spanId,
      name: 'llm_request',
      kind: SPAN_KIND.server,
      startNs: start,
      attributes: [
        stringAttr('gen_ai.response.model', 'Qwen/Qwen3-8B'),
        stringAttr('gen_ai.request.id', requestId),
        intAttr('gen_ai.usage.prompt_tokens', 40),
        intAttr('gen_ai.usage.completion_tokens', 9),
        ...latencies.map(([key, seconds]) => doubleAttr(`gen_ai.latency.${key}`, seconds)),
      ],
    });

  it('reads the plain llm_request span: start = arrival, latencies seconds → ms, its line, sorted by arrival', async () => {
    const capture = await read('upstream.jsonl', [
      scopeLine(
        SCOPE.upstream,
        upstreamSpan('1000000000000002', ms(20), 'cmpl-2', [
          ['time_to_first_token', 0.125],
          ['e2e', 2.5],
          ['time_in_queue', 0.0625],
          ['time_in_model_prefill', 0.0625],
          ['time_in_model_decode', 2.25],
          ['time_in_model_inference', 2.3125],
        ]),
      ),
      scopeLine(SCOPE.upstream, upstreamSpan('1000000000000001', ms(4), 'cmpl-1', [['e2e', 0.5]])),
    ]);
    expect(capture.upstream).toStrictEqual([
      { requestId: 'cmpl-1', line: 2, arrivalNs: ms(4), arrivalMs: 0, e2eMs: 500, promptTokens: 40, completionTokens: 9 },
      {
        requestId: 'cmpl-2',
        line: 1,
        arrivalNs: ms(20),
        arrivalMs: 16,
        ttftMs: 125,
        e2eMs: 2500,
        queueMs: 62.5,
        prefillMs: 62.5,
        decodeMs: 2250,
        inferenceMs: 2312.5,
        promptTokens: 40,
        completionTokens: 9,
      },
    ]);
    expect(capture.requests).toEqual([]);
    expect(capture.resource.model).toBe('Qwen/Qwen3-8B');
  });

  it('reads gzip input (several members) exactly like the plain file', async () => {
    const lines = [CORE_LINE_A, API_LINE_A];
    const plainPath = write('plain.jsonl', jsonLines(lines));
    const gzPath = write('two-members.jsonl.gz', Buffer.concat([gzipSync(jsonLines([lines[0]])), gzipSync(jsonLines([lines[1]]))]));
    const plain = await readOtlp(plainPath);
    const gz = await readOtlp(gzPath);
    expect({ ...gz, path: plainPath }).toStrictEqual(plain);
    expect(gz.requests[0].events).toHaveLength(8);
  });

  it('keeps the complete lines of a gzip capture still being written, with one warning', async () => {
    // The last member is cut mid-line: its partial line must not be read.
    const tail = gzipSync(jsonLines([CORE_LINE_A.replace(CORE_A, 'ffffffffffffffff')]));
    const path = write('growing.jsonl.gz', Buffer.concat([gzipSync(jsonLines([CORE_LINE_A, API_LINE_A])), tail.subarray(0, tail.length / 2)]));
    const warnings: string[] = [];
    const capture = await readOtlp(path, { warn: (message) => warnings.push(message) });
    expect(capture.requests).toHaveLength(1);
    expect(capture.requests[0].events).toHaveLength(8);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('without its trailer');
  });
});

describe('readOtlp: errors', () => {
  async function failure(name: string, lines: string[]): Promise<{ path: string; message: string }> {
    const path = write(name, jsonLines(lines));
    return { path, message: await rejectionMessage(readOtlp(path)) };
  }
  const coreWith = (events: EventSpec[]) => scopeLine(SCOPE.core, coreSpan({ events }));
  const SPAN = `span 5b8e…/${CORE_A}`;

  it('names the line and span of a non-integer intValue', async () => {
    const good = Array.from({ length: 11 }, () => API_LINE_A);
    const { path, message } = await failure('otlp.jsonl', [...good, coreWith([queued(ms(1), {}), { ...queued(ms(2)), attributes: [intAttr('ts.monotonic_ns', 'x'), ...coreAttrs({ phase: 'WAITING', prefillTotal: 1, decodeMax: 1 })] }])]);
    expect(message).toBe(`${path}:12: ${SPAN} event journey.QUEUED: ts.monotonic_ns intValue "x" is not an integer`);
  });

  it('rejects malformed JSON', async () => {
    const broken = '{"resourceSpans":[';
    const { path, message } = await failure('broken.jsonl', [API_LINE_A, broken]);
    expect(message).toBe(`${path}:2: malformed JSON (${jsonParseMessage(broken)})`);
  });

  it('rejects a span without traceId or with a bad spanId', async () => {
    const noTrace = JSON.parse(CORE_LINE_A);
    delete noTrace.resourceSpans[0].scopeSpans[0].spans[0].traceId;
    let { path, message } = await failure('no-trace.jsonl', [JSON.stringify(noTrace)]);
    expect(message).toBe(`${path}:1: resourceSpans[0].scopeSpans[0].spans[0] (llm_core): missing traceId (expected 32 hex digits)`);

    const badSpan = JSON.parse(CORE_LINE_A);
    badSpan.resourceSpans[0].scopeSpans[0].spans[0].spanId = '7u7u';
    ({ path, message } = await failure('bad-span.jsonl', [JSON.stringify(badSpan)]));
    expect(message).toBe(`${path}:1: resourceSpans[0].scopeSpans[0].spans[0] (llm_core): spanId "7u7u" is not 16 hex digits`);
  });

  it('rejects time strings that are not decimal integers, and JSON numbers that lost precision', async () => {
    let { path, message } = await failure('bad-time.jsonl', [coreWith([{ ...queued(ms(1)), timeNs: '1771377149.66' }])]);
    expect(message).toBe(`${path}:1: ${SPAN} event journey.QUEUED: timeUnixNano "1771377149.66" is not a decimal integer (expected epoch nanoseconds)`);

    const numeric = JSON.parse(CORE_LINE_A);
    numeric.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano = 1771377149660000000;
    ({ path, message } = await failure('numeric-time.jsonl', [JSON.stringify(numeric)]));
    expect(message).toBe(`${path}:1: ${SPAN}: startTimeUnixNano 1771377149660000000 is a JSON number beyond 2^53 that lost its precision (expected a decimal string)`);

    const missing = JSON.parse(CORE_LINE_A);
    delete missing.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano;
    ({ path, message } = await failure('no-start.jsonl', [JSON.stringify(missing)]));
    expect(message).toBe(`${path}:1: ${SPAN}: missing startTimeUnixNano (expected epoch nanoseconds)`);
  });

  it('rejects an ns intValue written as a JSON number beyond 2^53', async () => {
    const { path, message } = await failure('ns-number.jsonl', [
      coreWith([{ ...queued(ms(1)), attributes: [intNumberAttr('ts.monotonic_ns', 1771377149660000000), ...coreAttrs({ phase: 'WAITING', prefillTotal: 1, decodeMax: 1 })] }]),
    ]);
    expect(message).toBe(
      `${path}:1: ${SPAN} event journey.QUEUED: ts.monotonic_ns intValue 1771377149660000000 is a JSON number beyond 2^53 that lost its precision (expected a decimal string)`,
    );
  });

  it('rejects a known event without a required attribute', async () => {
    let { path, message } = await failure('no-status.jsonl', [coreWith([{ name: 'journey.FINISHED', timeNs: ms(1), attributes: coreAttrs({ step: 3, phase: 'DECODE' }) }])]);
    expect(message).toBe(`${path}:1: ${SPAN} event journey.FINISHED: missing attribute finish.status (expected stringValue)`);

    ({ path, message } = await failure('no-kind.jsonl', [coreWith([{ name: 'SCHEDULED', timeNs: ms(1), attributes: coreAttrs({ step: 3, phase: 'PREFILL' }) }])]));
    expect(message).toBe(`${path}:1: ${SPAN} event SCHEDULED: missing attribute schedule.kind (expected stringValue)`);

    const summary = batchSummaryAttrs({ stepId: 1, tsStartNs: 1n, tsEndNs: 2n }).filter((a) => a.key !== 'kv.blocks_free_gpu');
    ({ path, message } = await failure('no-kv.jsonl', [scopeLine(SCOPE.step, stepWindow(1, T0, [{ name: 'step.BATCH_SUMMARY', timeNs: ms(1), attributes: summary }]))]));
    expect(message).toBe(`${path}:1: span 4bf9…/00f067aa0ba902b1 event step.BATCH_SUMMARY: missing attribute kv.blocks_free_gpu (expected intValue)`);

    const snapshot = snapshotAttrs({ stepId: 1, requestId: 'r' }).filter((a) => a.key !== 'request.id');
    ({ path, message } = await failure('no-req.jsonl', [scopeLine(SCOPE.step, stepWindow(1, T0, [{ name: 'step.REQUEST_SNAPSHOT', timeNs: ms(1), attributes: snapshot }]))]));
    expect(message).toBe(`${path}:1: span 4bf9…/00f067aa0ba902b1 event step.REQUEST_SNAPSHOT: missing attribute request.id (expected stringValue)`);

    ({ path, message } = await failure('no-upstream-id.jsonl', [scopeLine(SCOPE.upstream, span({ traceId: TRACE_B, spanId: 'bbbbbbbbbbbbbbbb', name: 'llm_request', startNs: T0 }))]));
    expect(message).toBe(`${path}:1: span 0af7…/bbbbbbbbbbbbbbbb: missing attribute gen_ai.request.id (expected stringValue)`);
  });

  it('rejects values of the wrong type for their key, and unknown phases', async () => {
    const summary = batchSummaryAttrs({ stepId: 1, tsStartNs: 1n, tsEndNs: 2n }).map((a) => (a.key === 'step.id' ? stringAttr('step.id', '7') : a));
    let { path, message } = await failure('string-int.jsonl', [scopeLine(SCOPE.step, stepWindow(1, T0, [{ name: 'step.BATCH_SUMMARY', timeNs: ms(1), attributes: summary }]))]);
    expect(message).toBe(`${path}:1: span 4bf9…/00f067aa0ba902b1 event step.BATCH_SUMMARY: step.id stringValue "7" is not an integer (expected intValue)`);

    const fractional = batchSummaryAttrs({ stepId: 1, tsStartNs: 1n, tsEndNs: 2n }).map((a) => (a.key === 'batch.num_finished' ? doubleAttr(a.key, 2.5) : a));
    ({ path, message } = await failure('fraction.jsonl', [scopeLine(SCOPE.step, stepWindow(1, T0, [{ name: 'step.BATCH_SUMMARY', timeNs: ms(1), attributes: fractional }]))]));
    expect(message).toBe(`${path}:1: span 4bf9…/00f067aa0ba902b1 event step.BATCH_SUMMARY: batch.num_finished doubleValue 2.5 is not an integer`);

    const backwards = batchSummaryAttrs({ stepId: 1, tsStartNs: 5n, tsEndNs: 2n });
    ({ path, message } = await failure('backwards.jsonl', [scopeLine(SCOPE.step, stepWindow(1, T0, [{ name: 'step.BATCH_SUMMARY', timeNs: ms(1), attributes: backwards }]))]));
    expect(message).toBe(`${path}:1: span 4bf9…/00f067aa0ba902b1 event step.BATCH_SUMMARY: step.ts_end_ns is before step.ts_start_ns`);

    const boolId = span({ traceId: TRACE_A, spanId: CORE_A, name: 'llm_core', startNs: T0, attributes: [boolAttr('gen_ai.request.id', true)] });
    ({ path, message } = await failure('bool-id.jsonl', [scopeLine(SCOPE.core, boolId)]));
    expect(message).toBe(`${path}:1: ${SPAN}: gen_ai.request.id boolValue true is not a string (expected stringValue)`);

    ({ path, message } = await failure('phase.jsonl', [coreWith([queued(ms(1), { phase: 'RUNNING' })])]));
    expect(message).toBe(`${path}:1: ${SPAN} event journey.QUEUED: phase "RUNNING" is not one of WAITING, PREFILL, DECODE`);
  });

  it('rejects a line that is not an OTLP trace export', async () => {
    const { path, message } = await failure('trace.jsonl', ['{"prompt_tokens":5,"output_tokens":1,"ttft_ms":3}']);
    expect(message).toBe(`${path}:1: not an OTLP/JSON trace export line (expected {"resourceSpans":[...]}; found keys: prompt_tokens, output_tokens, ttft_ms)`);
  });

  it('rejects binary data in none of the file exporter\'s encodings outright, even with --lenient', async () => {
    // The start of a Perfetto trace (TracePacket field 1): its 0x0a reads as a blank line, not as a frame length.
    const path = write('trace.pftrace', Buffer.from([0x0a, 0x9c, 0x01, 0x12, 0x00, 0x18, 0x8a, 0x02, 0x32, 0x04, 0x00, 0x01]));
    const message = await rejectionMessage(readOtlp(path, { lenient: new LenientLog() }));
    expect(message).toBe(
      `${path}:2: binary data, not an OTLP trace export (expected one {"resourceSpans":[...]} JSON object per line, ` +
        "or the collector file exporter's length-prefixed messages or zstd stream)",
    );
  });

  it('--lenient skips each bad line whole, records why, and keeps the rest', async () => {
    const halfBad = exportLine(
      resourceSpans([
        { scope: SCOPE.api, spans: [apiSpan({ traceId: TRACE_B, events: [apiEvent('api.ARRIVED', ms(1))] })] },
        { scope: SCOPE.core, spans: [coreSpan({ events: [{ name: 'journey.FINISHED', timeNs: ms(2), attributes: coreAttrs({ step: 1, phase: 'DECODE' }) }] })] },
      ]),
    );
    const path = write('lenient.jsonl', jsonLines([API_LINE_A, '{"resourceSpans":', halfBad, CORE_LINE_A]));
    const lenient = new LenientLog();
    const capture = await readOtlp(path, { lenient });
    expect(lenient.skipped).toBe(2);
    expect(lenient.firstReasons).toEqual([
      `${path}:2: malformed JSON (${jsonParseMessage('{"resourceSpans":')})`,
      `${path}:3: ${SPAN} event journey.FINISHED: missing attribute finish.status (expected stringValue)`,
    ]);
    // The good API span of the skipped line 3 is not half-kept.
    expect(capture.requests.map((r) => r.traceId)).toEqual([TRACE_A]);
    expect(capture.requests[0].events).toHaveLength(8);
    expect(capture.stats).toMatchObject({ lines: 4, spans: 2 });
  });
});
