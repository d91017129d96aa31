/**
 * Records exactly as the input formats describe them (formats.md §1, §2),
 * after validation. Readers yield these one line at a time; the capture
 * builder folds them into columns. Times are milliseconds.
 */

export const FINISH_REASONS = ['stop', 'length', 'abort', 'error', 'repetition'] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

/** Known keys of the optional `{"meta": {...}}` first line. */
export interface CaptureMeta {
  model?: string;
  gpu?: string;
  tp?: number;
  maxNumSeqs?: number;
  source?: string;
  blockSize?: number;
  configHash?: string;
  vllmVersion?: string;
  readyResponseHex?: string;
  /** Every other meta key, verbatim (e.g. the generator's `sim` ground truth). */
  extra: Record<string, unknown>;
}

/** One line of the engine trace: a completed request (file order = finish order). */
export interface TraceRecord {
  /** 1-based line number in the source file. */
  line: number;
  promptTokens: number;
  cachedTokens: number;
  outputTokens: number;
  ttftMs: number;
  itlMs?: Float64Array;
  /** Tokens delivered by the chunk closing each gap; absent = 1 each. */
  itlTokens?: Int32Array;
  itlSummary?: { meanMs: number; count: number };
  concurrency: number;
  arrivalMs?: number;
  itlCtx?: { numRunning: Int32Array; prefillTokens: Int32Array };
  /** uint64 chained block hashes, exact. */
  blockHashes?: BigUint64Array;
  mmHashes?: string[];
  outputTokenIds?: Int32Array;
  finishReason?: FinishReason;
}

export interface PrefixCacheStats {
  requests: number;
  queries: number;
  hits: number;
  reset?: boolean;
  preemptedRequests?: number;
  preemptedQueries?: number;
  preemptedHits?: number;
}

export interface SpecDecodingStats {
  numSpecTokens?: number;
  numDrafts: number;
  numDraftTokens: number;
  numAcceptedTokens: number;
  numAcceptedTokensPerPos?: number[];
}

/** One line of the step-stats sidecar: the scheduler stats of the step that ended at `tsMs`. */
export interface StepStatsRecord {
  line: number;
  tsMs: number;
  numRunningReqs: number;
  numWaitingReqs: number;
  kvCacheUsage: number;
  prefixCacheStats?: PrefixCacheStats;
  specDecodingStats?: SpecDecodingStats;
  /** Other scheduler keys kept as they were (step_counter, current_wave, ...). */
  extra: Record<string, unknown>;
}
