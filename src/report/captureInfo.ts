/**
 * What every report says about the capture it read (the `capture` object of
 * each report's JSON, and the subtitle line of the rendered forms).
 */
import type { Capture } from '../capture/model.js';

export interface CaptureInfo {
  /** Engine trace path as given on the command line; null when read from elsewhere. */
  trace: string | null;
  /** OTLP export path as given; null without one. */
  otlp: string | null;
  model: string | null;
  /** meta.source ("tap", "synthetic", ...). */
  source: string | null;
  requests: number;
  /** Recorded inter-token gaps. */
  gaps: number;
  /** Requests without arrival_ms: in every statistic, on no timeline. */
  withoutArrival: number;
  /** Where the step table came from: "sidecar", "otlp" or "none". */
  steps: string;
}

export function captureInfo(capture: Capture): CaptureInfo {
  return {
    trace: capture.tracePath ?? null,
    otlp: capture.otlp?.path ?? null,
    model: capture.meta.model ?? null,
    source: capture.meta.source ?? null,
    requests: capture.requests.count,
    gaps: capture.gaps.count,
    withoutArrival: capture.stats.withoutArrival,
    steps: capture.steps.source,
  };
}

/** One line naming the capture: `trace.jsonl · model · 200 requests, 31 000 gaps` (the OTLP file when there is no trace). */
export function captureLine(info: CaptureInfo): string {
  const parts = [info.trace ?? info.otlp ?? '(capture)'];
  if (info.model) parts.push(info.model);
  parts.push(`${info.requests} requests, ${info.gaps} gaps`);
  return parts.join(' · ');
}
