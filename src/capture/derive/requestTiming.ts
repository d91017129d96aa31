import type { TraceRecord } from '../records.js';

/** Per-request quantities derived from one engine-trace record (formats.md §1, "Derived"). Times in ms. */
export interface RequestTiming {
  firstChunkTokens: number;
  decodeMs: number;
  e2eMs: number;
  /** NaN without arrival_ms. */
  endMs: number;
  /** NaN when no token follows the first chunk. */
  tpotMs: number;
  /** NaN when the request has no gaps. */
  meanItlMs: number;
}

export function sumTokens(itlTokens: Int32Array): number {
  let sum = 0;
  for (let i = 0; i < itlTokens.length; i++) sum += itlTokens[i];
  return sum;
}

export function deriveRequestTiming(record: TraceRecord): RequestTiming {
  const firstChunkTokens = record.itlTokens
    ? record.outputTokens - sumTokens(record.itlTokens)
    : Math.min(1, record.outputTokens);
  let decodeMs = 0;
  let gapCount = 0;
  if (record.itlMs) {
    for (let i = 0; i < record.itlMs.length; i++) decodeMs += record.itlMs[i];
    gapCount = record.itlMs.length;
  } else if (record.itlSummary) {
    decodeMs = record.itlSummary.meanMs * record.itlSummary.count;
    gapCount = record.itlSummary.count;
  }
  const e2eMs = record.ttftMs + decodeMs;
  const tokensAfterFirst = record.outputTokens - firstChunkTokens;
  return {
    firstChunkTokens,
    decodeMs,
    e2eMs,
    endMs: record.arrivalMs === undefined ? NaN : record.arrivalMs + e2eMs,
    tpotMs: tokensAfterFirst > 0 ? decodeMs / tokensAfterFirst : NaN,
    meanItlMs: gapCount > 0 ? decodeMs / gapCount : NaN,
  };
}
