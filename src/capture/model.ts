/**
 * The normalized capture every sink consumes (Perfetto writer, Arrow/DuckDB,
 * reports, fits), so they can never disagree about what a request was.
 * Columnar: one typed array per field. Times are ms on the capture's clock
 * (the engine trace's `arrival_ms` zero, shared with the step-stats sidecar
 * and with the OTLP file re-based to its first event). Missing numbers are
 * NaN (floats) or -1 (integers).
 */
import type { CaptureMeta, FinishReason } from './records.js';
import type { OtlpCapture } from './otlpRecords.js';

/** finishReason column codes: 0 = absent, then FINISH_REASONS order + 1. */
export type FinishReasonCode = number;

/**
 * The fixed-width request columns (tens of bytes per request): what a
 * streaming consumer keeps in memory for every request. One row per request,
 * in arrival order: row index = request id (stable sort by arrival; requests
 * without arrival follow in file order).
 */
export interface RequestColumns {
  count: number;
  /** 1-based line of the request in the trace file. */
  sourceLine: Int32Array;
  arrivalMs: Float64Array;
  ttftMs: Float64Array;
  promptTokens: Int32Array;
  cachedTokens: Int32Array;
  outputTokens: Int32Array;
  concurrency: Int32Array;
  /** Tokens delivered with the first token (spec decode chunks): output − sum(itl_tokens), else min(1, output). */
  firstChunkTokens: Int32Array;
  /** sum(itl_ms), or mean_ms × count from itl_summary. */
  decodeMs: Float64Array;
  /** ttft + decode. */
  e2eMs: Float64Array;
  /** arrival + e2e; NaN without arrival. */
  endMs: Float64Array;
  /** decode / (output − first chunk) when that is > 0, else NaN. */
  tpotMs: Float64Array;
  /** Mean of the recorded gaps (or itl_summary.mean_ms); NaN when the request has none. */
  meanItlMs: Float64Array;
  finishReason: Uint8Array;
  /** Recorded per-gap rows: gaps [gapOffset, gapOffset + gapCount). 0 for itl_summary-only requests. */
  gapOffset: Int32Array;
  gapCount: Int32Array;
  /** itl_summary.count when the gaps were summarised instead of recorded, else -1. */
  summaryGapCount: Int32Array;
  /** Timeline lane (greedy packing); -1 without arrival. */
  lane: Int32Array;
  /** Multimodal hashes are rare: sparse map request id → hashes. */
  mmHashes: Map<number, string[]>;
}

/** Every request column, with the variable-length per-request lists in memory too. */
export interface RequestTable extends RequestColumns {
  /** Variable-length per-request lists, flattened with offsets (length count + 1). */
  blockHashOffsets: Int32Array;
  blockHashes: BigUint64Array;
  tokenIdOffsets: Int32Array;
  tokenIds: Int32Array;
}

/** One row per recorded inter-token gap, grouped by request (see RequestTable.gapOffset). */
export interface GapTable {
  count: number;
  request: Int32Array;
  /** Position of the gap within its request, 0-based. */
  index: Int32Array;
  /** Absolute start of the gap on the capture clock (previous token's time); NaN without arrival. */
  startMs: Float64Array;
  durMs: Float64Array;
  /** Tokens delivered by the chunk that closes the gap (1 unless speculative decoding). */
  tokens: Int32Array;
  /** Running requests in the step that closed the gap; -1 when not recorded. */
  numRunning: Int32Array;
  /** Prompt tokens prefilled in the step that closed the gap; -1 when not recorded. */
  prefillTokens: Int32Array;
}

export const STEP_KINDS = ['decode', 'prefill', 'prefill+decode'] as const;
export type StepKind = (typeof STEP_KINDS)[number];
export type StepSource = 'sidecar' | 'otlp';

/** One row per scheduler step, in step order. */
export interface StepTable {
  count: number;
  source: StepSource | 'none';
  /** Sidecar: step counter (line order, 1-based); OTLP: step.id. */
  stepId: Int32Array;
  startMs: Float64Array;
  /** End of the step's wall-clock interval; for OTLP steps whose successor was not sampled, start + scheduler CPU time (wallKnown = 0). */
  endMs: Float64Array;
  /** 1 when endMs − startMs is the step's real wall time. */
  wallKnown: Uint8Array;
  running: Int32Array;
  waiting: Int32Array;
  prefillRequests: Int32Array;
  prefillTokens: Int32Array;
  decodeTokens: Int32Array;
  /** Prefix-cache hits this step (sidecar), -1 when unknown. */
  prefixHits: Int32Array;
  /** Requests preempted this step (OTLP batch.num_preempted); -1 when unknown, as for sidecar steps. */
  preempted: Int32Array;
  kvUsage: Float64Array;
  specAccepted: Int32Array;
  specDraft: Int32Array;
  /** Index into STEP_KINDS. */
  kind: Uint8Array;
  /** OTLP step.duration_us (scheduler planning CPU time); NaN for sidecar steps. */
  schedulerCpuUs: Float64Array;
  sourceLine: Int32Array;
}

export interface CaptureStats {
  /** Requests in the trace. */
  requests: number;
  /** Requests without arrival_ms: kept for statistics, dropped from timelines. */
  withoutArrival: number;
  gaps: number;
  lanes: number;
  peakConcurrency: number;
  /** Sidecar lines that closed an idle interval rather than a step (see steps derivation). */
  idleIntervals: number;
}

export interface Capture {
  tracePath?: string;
  stepStatsPath?: string;
  meta: CaptureMeta;
  requests: RequestTable;
  gaps: GapTable;
  steps: StepTable;
  /** Journey events, request snapshots and sampled step summaries when an OTLP file was given. */
  otlp?: OtlpCapture;
  stats: CaptureStats;
}

/**
 * The variable-length rows of one request — its gaps (GapTable columns
 * restricted to the request), output token ids and block hashes — the part
 * of a capture that grows with tokens rather than requests.
 */
export interface RequestRows {
  gapCount: number;
  gapStartMs: Float64Array;
  gapDurMs: Float64Array;
  gapTokens: Int32Array;
  gapNumRunning: Int32Array;
  gapPrefillTokens: Int32Array;
  /** Empty when the request recorded none. */
  tokenIds: Int32Array;
  blockHashes: BigUint64Array;
}

/** Loads one request's rows on demand (by arrival-order id); callers drop them when done. */
export interface RequestRowSource {
  rows(request: number): RequestRows;
}

/**
 * A capture as a streaming consumer reads it: request and step columns in
 * memory, each request's variable-length rows loaded when needed. Both the
 * in-memory Capture (capture/view.ts) and a capture spilled to disk
 * (capture/spill/) provide one, so a sink written against this view handles
 * captures larger than memory.
 */
export interface CaptureView {
  tracePath?: string;
  stepStatsPath?: string;
  meta: CaptureMeta;
  requests: RequestColumns;
  rows: RequestRowSource;
  /** True when some gap recorded its step context (itl_ctx). */
  gapsHaveContext: boolean;
  steps: StepTable;
  otlp?: OtlpCapture;
  stats: CaptureStats;
}

export function finishReasonName(code: FinishReasonCode, names: readonly FinishReason[]): FinishReason | undefined {
  return code === 0 ? undefined : names[code - 1];
}
