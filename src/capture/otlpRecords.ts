/**
 * What the OpenTelemetry reader (formats.md §3) produces. Epoch-ns times stay
 * exact as bigint; `*Ms` fields are re-based to milliseconds since the
 * capture's first timestamp (the OTLP file's own zero).
 */

export const API_EVENT_TYPES = ['ARRIVED', 'HANDOFF_TO_CORE', 'FIRST_RESPONSE_FROM_CORE', 'DEPARTED', 'ABORTED'] as const;
export const CORE_EVENT_TYPES = ['QUEUED', 'SCHEDULED', 'FIRST_TOKEN', 'PREEMPTED', 'FINISHED'] as const;
export type ApiEventType = (typeof API_EVENT_TYPES)[number];
export type CoreEventType = (typeof CORE_EVENT_TYPES)[number];
export type JourneyEventType = ApiEventType | CoreEventType;

export interface JourneyEvent {
  layer: 'api' | 'core';
  type: JourneyEventType;
  timeNs: bigint;
  tsMs: number;
  /** Core layer: the engine's `ts.monotonic_ns` (time.monotonic_ns(), not epoch time) when present. */
  monotonicNs?: bigint;
  /** Core-layer progress attributes (absent on API events). */
  schedulerStep?: number;
  phase?: 'WAITING' | 'PREFILL' | 'DECODE';
  prefillDoneTokens?: number;
  prefillTotalTokens?: number;
  decodeDoneTokens?: number;
  decodeMaxTokens?: number;
  numPreemptions?: number;
  scheduleKind?: 'FIRST' | 'RESUME';
  finishStatus?: string;
  /** ABORTED only. */
  reason?: string;
  error?: string;
}

/** One request's journey: the API span and the core span joined through the trace id / parent span id. */
export interface JourneyRequest {
  traceId: string;
  apiSpanId?: string;
  coreSpanId?: string;
  /** `gen_ai.request.id` of the API span (the core span's id carries an extra suffix). */
  requestId?: string;
  coreRequestId?: string;
  route?: string;
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  maxTokens?: number;
  /** Both layers' events, sorted by time (ties: API before core, then file order). */
  events: JourneyEvent[];
  /** Line of the first span seen for this request, for error messages. */
  line: number;
}

/** A sampled scheduler step (`step.BATCH_SUMMARY`). */
export interface OtlpStepSummary {
  stepId: number;
  /** `step.ts_start_ns` / `step.ts_end_ns`: time.monotonic_ns() values, not epoch time. */
  tsStartNs: bigint;
  tsEndNs: bigint;
  /**
   * Step start on the capture timeline: `tsStartNs` moved to epoch time by one
   * monotonic→epoch offset for the whole file, so differences between steps'
   * startMs are exactly differences of their ts_start_ns.
   */
  startMs: number;
  /** Epoch time of the BATCH_SUMMARY event (stamped just after `tsEndNs` was read). */
  timeNs?: bigint;
  /** Scheduler CPU time planning the step — NOT the forward pass (formats.md §3 trap). */
  durationUs: number;
  runningDepth: number;
  waitingDepth: number;
  numPrefillReqs: number;
  numDecodeReqs: number;
  scheduledTokens: number;
  prefillTokens: number;
  decodeTokens: number;
  numFinished: number;
  numPreempted: number;
  kvUsageGpuRatio: number;
  kvBlocksTotalGpu: number;
  kvBlocksFreeGpu: number;
}

/** A running request as seen by a sampled step (`step.REQUEST_SNAPSHOT`). */
export interface RequestSnapshot {
  stepId: number;
  timeNs: bigint;
  tsMs: number;
  requestId: string;
  phase: string;
  numPromptTokens: number;
  numComputedTokens: number;
  numOutputTokens: number;
  numPreemptions: number;
  scheduledTokensThisStep: number;
  kvBlocksAllocatedGpu: number;
  kvBlocksCachedGpu: number;
  effectivePromptLen?: number;
}

/** Upstream vLLM's plain `llm_request` span (no events): latencies in ms. */
export interface UpstreamRequestSpan {
  requestId: string;
  /** 1-based line of the export file that held the span (filled in by the assembler). */
  line: number;
  arrivalNs: bigint;
  arrivalMs: number;
  ttftMs?: number;
  e2eMs?: number;
  queueMs?: number;
  prefillMs?: number;
  decodeMs?: number;
  inferenceMs?: number;
  promptTokens?: number;
  completionTokens?: number;
}

export interface OtlpReadStats {
  lines: number;
  spans: number;
  events: number;
  /** Unknown event names → count; never fatal. */
  unknownEvents: Record<string, number>;
  /** Sum of `droppedEventsCount` over spans (the SDK keeps 128 events per span). */
  droppedEvents: number;
  spansWithDroppedEvents: number;
  /** Core spans with no API parent in the file, and the reverse. */
  unjoinedCoreSpans: number;
  unjoinedApiSpans: number;
  /** Spans of other scopes/names (e.g. HTTP instrumentation), not read. */
  otherSpans?: number;
  /** A span id seen again (collector retry, overlapping files): later copies are ignored. */
  duplicateSpans?: number;
}

export interface OtlpCapture {
  path: string;
  /** The capture's zero: the earliest timestamp in the file, epoch ns. */
  epochNs: bigint;
  requests: JourneyRequest[];
  /** Sorted by stepId. */
  steps: OtlpStepSummary[];
  snapshots: RequestSnapshot[];
  upstream: UpstreamRequestSpan[];
  resource: { serviceName?: string; model?: string };
  stats: OtlpReadStats;
}
