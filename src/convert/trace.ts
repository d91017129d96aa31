/**
 * What a converter produces: engine-trace lines (formats.md §1) under the
 * file's own key names, so a line is written with one JSON.stringify, plus
 * the meta line and what could not be converted.
 */
import type { SkipLog } from './skips.js';

/** One request line of the engine trace. Times in ms. */
export interface TraceLine {
  prompt_tokens: number;
  output_tokens: number;
  ttft_ms: number;
  /** One entry per inter-token gap (each gap delivers one token). */
  itl_ms?: number[];
  /** Stands in for itl_ms when only the mean gap is known. */
  itl_summary?: { mean_ms: number; count: number };
  /** Client-side concurrency; absent = 1. */
  concurrency?: number;
  /** Since the capture's zero: the earliest converted request's start. */
  arrival_ms?: number;
}

/** The `{"meta": {...}}` line: the known keys vcr reads, then free-form run facts. */
export interface TraceMeta {
  source: string;
  model?: string;
  extra: Record<string, unknown>;
}

/** A converted request and the JSON path of the source record it came from (named in skip reasons). */
export interface ConvertedRequest {
  from: string;
  line: TraceLine;
}

export interface ConvertedTrace {
  meta: TraceMeta;
  /** In source order. */
  requests: ConvertedRequest[];
  skipped: SkipLog;
  /** What the user should know about the conversion (losses, sampling), one sentence each. */
  notes: string[];
}

/**
 * Seconds (the benchmark tools' unit) to ms, rounded to whole µs: the
 * difference of two epoch-second doubles is only good to ~0.2 µs, and 3
 * decimals keep the written numbers short (as `vcr gen` writes them).
 */
export function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e3;
}
