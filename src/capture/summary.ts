import type { Capture } from './model.js';
import { STEP_KINDS, type StepKind } from './model.js';
import { nearestRank } from '../stats/percentile.js';
import { sortedSample } from '../stats/sample.js';

/** The headline numbers of one capture, as `vcr info` and `vcr demo` print them. Times in ms. */
export interface CaptureSummary {
  model?: string;
  source?: string;
  requests: number;
  withoutArrival: number;
  gaps: number;
  outputTokens: number;
  /** First arrival → last end on the capture clock; NaN without arrivals. */
  spanMs: number;
  peakConcurrency: number;
  lanes: number;
  ttftP50Ms: number;
  ttftP99Ms: number;
  itlP50Ms: number;
  itlP99Ms: number;
  steps: number;
  stepSource: string;
  stepKinds: Record<StepKind, number>;
  idleIntervals: number;
  journeyRequests: number;
  sampledSteps: number;
  snapshots: number;
}

export function summarizeCapture(capture: Capture): CaptureSummary {
  const { requests, gaps, steps, stats } = capture;
  let outputTokens = 0;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < requests.count; i++) {
    outputTokens += requests.outputTokens[i];
    if (Number.isNaN(requests.arrivalMs[i])) continue;
    first = Math.min(first, requests.arrivalMs[i]);
    last = Math.max(last, requests.endMs[i]);
  }
  const ttft = sortedSample(requests.ttftMs);
  const itl = sortedSample(gaps.durMs);
  const stepKinds = Object.fromEntries(STEP_KINDS.map((k) => [k, 0])) as Record<StepKind, number>;
  for (let i = 0; i < steps.count; i++) stepKinds[STEP_KINDS[steps.kind[i]]]++;
  return {
    model: capture.meta.model,
    source: capture.meta.source,
    requests: stats.requests,
    withoutArrival: stats.withoutArrival,
    gaps: stats.gaps,
    outputTokens,
    spanMs: first === Infinity ? NaN : last - first,
    peakConcurrency: stats.peakConcurrency,
    lanes: stats.lanes,
    ttftP50Ms: nearestRank(ttft, 0.5),
    ttftP99Ms: nearestRank(ttft, 0.99),
    itlP50Ms: nearestRank(itl, 0.5),
    itlP99Ms: nearestRank(itl, 0.99),
    steps: steps.count,
    stepSource: steps.source,
    stepKinds,
    idleIntervals: stats.idleIntervals,
    journeyRequests: capture.otlp?.requests.length ?? 0,
    sampledSteps: capture.otlp?.steps.length ?? 0,
    snapshots: capture.otlp?.snapshots.length ?? 0,
  };
}

const ms = (v: number) => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(2)} ms`);

/** Plain-text rendering, one fact per line. */
export function renderCaptureSummary(summary: CaptureSummary): string {
  const lines = [
    `model            ${summary.model ?? '(unknown)'}${summary.source ? `  (source: ${summary.source})` : ''}`,
    `requests         ${summary.requests}${summary.withoutArrival ? ` (${summary.withoutArrival} without arrival_ms: off the timeline)` : ''}`,
    `output tokens    ${summary.outputTokens}  in ${summary.gaps} recorded gaps`,
    `time span        ${Number.isNaN(summary.spanMs) ? 'n/a' : `${(summary.spanMs / 1000).toFixed(2)} s`}`,
    `peak concurrency ${summary.peakConcurrency}  (${summary.lanes} timeline lanes)`,
    `TTFT p50 / p99   ${ms(summary.ttftP50Ms)} / ${ms(summary.ttftP99Ms)}`,
    `ITL  p50 / p99   ${ms(summary.itlP50Ms)} / ${ms(summary.itlP99Ms)}  (per gap, nearest rank)`,
  ];
  if (summary.stepSource !== 'none') {
    const k = summary.stepKinds;
    lines.push(
      `steps            ${summary.steps} from ${summary.stepSource}: ${k.decode} decode, ${k.prefill} prefill, ${k['prefill+decode']} prefill+decode` +
        (summary.idleIntervals ? `; ${summary.idleIntervals} idle intervals` : ''),
    );
  }
  if (summary.journeyRequests || summary.sampledSteps) {
    lines.push(`otlp             ${summary.journeyRequests} request journeys, ${summary.sampledSteps} sampled steps, ${summary.snapshots} request snapshots`);
  }
  return lines.join('\n');
}
