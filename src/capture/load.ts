import { basename } from 'node:path';
import type { Capture, CaptureStats, RequestColumns, StepTable } from './model.js';
import type { CaptureMeta, TraceRecord } from './records.js';
import type { OtlpCapture } from './otlpRecords.js';
import { RequestTableBuilder } from './requestTableBuilder.js';
import { SidecarStepBuilder, emptyStepTable, stepsFromOtlp } from './derive/steps.js';
import { activeRequestSweep } from './derive/activeSweep.js';
import { upstreamRequestRecord } from './derive/upstreamRequests.js';
import { openEngineTrace } from '../ingest/engineTrace.js';
import { readStepStats } from '../ingest/stepStats.js';
import { readOtlp } from '../ingest/otlp/reader.js';
import { InputError, LenientLog, stderrWarnings, type WarningSink } from '../ingest/errors.js';
import { NO_PROGRESS, type Progress } from '../util/progress.js';

export interface CaptureSources {
  /** Engine trace (formats.md §1). */
  trace?: string;
  /** Step-stats sidecar (§2); preferred over OTLP step summaries for the step table. */
  stepStats?: string;
  /** OpenTelemetry export (§3). */
  otlp?: string;
}

export interface LoadOptions {
  /** Skip bad lines instead of failing; the count and first reasons go to `warn`. */
  lenient?: boolean;
  warn?: WarningSink;
  /** Told how many records each stream has yielded so far. */
  progress?: Progress;
}

/** Progress is reported every this many records: often enough for a smooth rate, rarely enough to cost nothing. */
export const PROGRESS_EVERY = 512;

/** Where the engine trace's records go while the other streams are read. */
export interface TraceRecordSink {
  add(record: TraceRecord): void;
}

/** Everything of a capture but its request tables, which the record sink builds. */
export interface CaptureStreams {
  meta: CaptureMeta;
  steps: StepTable;
  idleIntervals: number;
  otlp?: OtlpCapture;
}

/** Skipped upstream spans named in the warning; the rest are counted. */
const SKIPPED_SPANS_SHOWN = 5;

/**
 * A capture without an engine trace whose OTLP export holds upstream vLLM's
 * `llm_request` spans: those spans become its requests (derive/upstreamRequests.ts).
 * Spans that cannot make a valid record are left out and named in one warning.
 */
function foldUpstreamRequests(otlp: OtlpCapture, records: TraceRecordSink, warn: WarningSink): void {
  const left = new LenientLog(SKIPPED_SPANS_SHOWN);
  for (const span of otlp.upstream) {
    const folded = upstreamRequestRecord(span);
    if ('record' in folded) records.add(folded.record);
    else left.record(new InputError(otlp.path, span.line, folded.skipped));
  }
  if (left.skipped === 0) return;
  const more = left.skipped > left.firstReasons.length ? '\n  ...' : '';
  warn(`${left.skipped} upstream llm_request span(s) left out of the request table:\n  ${left.firstReasons.join('\n  ')}${more}`);
}

/**
 * Reads every given stream of one capture, handing the engine trace's
 * records to `records` one at a time (so the caller decides what to keep in
 * memory). Without an engine trace, upstream vLLM's `llm_request` spans in
 * the OTLP export are the records instead. `traceReadApart`: the caller has
 * read `sources.trace` itself (in parts, splitTrace.ts) and this skips it.
 * This is the I/O edge: the derivations it calls are pure and tested on
 * their own.
 */
export async function readCaptureStreams(
  sources: CaptureSources,
  records: TraceRecordSink,
  options: LoadOptions = {},
  traceReadApart = false,
): Promise<CaptureStreams> {
  const warn = options.warn ?? stderrWarnings;
  const lenientLogs: LenientLog[] = [];
  const lenient = () => {
    if (!options.lenient) return undefined;
    const log = new LenientLog();
    lenientLogs.push(log);
    return log;
  };

  const progress = options.progress ?? NO_PROGRESS;
  let meta: CaptureMeta = { extra: {} };
  if (sources.trace && !traceReadApart) {
    const reader = await openEngineTrace(sources.trace, { lenient: lenient(), warn });
    meta = reader.meta;
    progress.phase(`reading ${basename(sources.trace)}`, 'records');
    let count = 0;
    for await (const record of reader.records) {
      records.add(record);
      if (++count % PROGRESS_EVERY === 0) progress.update(count);
    }
  }

  let otlp: OtlpCapture | undefined;
  if (sources.otlp) {
    progress.phase(`reading ${basename(sources.otlp)}`, 'records');
    otlp = await readOtlp(sources.otlp, { lenient: lenient(), warn });
    if (!sources.trace) {
      foldUpstreamRequests(otlp, records, warn);
      meta.model ??= otlp.resource.model;
    }
  }

  let steps = emptyStepTable();
  let idleIntervals = 0;
  if (sources.stepStats) {
    const stepBuilder = new SidecarStepBuilder();
    progress.phase(`reading ${basename(sources.stepStats)}`, 'records');
    let count = 0;
    for await (const record of readStepStats(sources.stepStats, { lenient: lenient(), warn })) {
      stepBuilder.add(record);
      if (++count % PROGRESS_EVERY === 0) progress.update(count);
    }
    steps = stepBuilder.finish();
    idleIntervals = stepBuilder.idleIntervals;
  } else if (otlp) {
    steps = stepsFromOtlp(otlp.steps);
  }

  for (const log of lenientLogs) {
    const summary = log.summary();
    if (summary) warn(summary);
  }
  return { meta, steps, idleIntervals, otlp };
}

/** The capture's headline counts, from its request columns. */
export function captureStats(requests: RequestColumns, gaps: number, laneCount: number, idleIntervals: number): CaptureStats {
  const sweep = activeRequestSweep(requests.arrivalMs, requests.endMs);
  let withoutArrival = 0;
  for (let i = 0; i < requests.count; i++) if (Number.isNaN(requests.arrivalMs[i])) withoutArrival++;
  return { requests: requests.count, withoutArrival, gaps, lanes: laneCount, peakConcurrency: sweep.peak, idleIntervals };
}

/** Reads every given stream of one capture into the normalized model, all in memory. */
export async function loadCapture(sources: CaptureSources, options: LoadOptions = {}): Promise<Capture> {
  const requestBuilder = new RequestTableBuilder();
  const streams = await readCaptureStreams(sources, requestBuilder, options);
  const { requests, gaps, laneCount } = requestBuilder.finish();
  return {
    tracePath: sources.trace,
    stepStatsPath: sources.stepStats,
    meta: streams.meta,
    requests,
    gaps,
    steps: streams.steps,
    otlp: streams.otlp,
    stats: captureStats(requests, gaps.count, laneCount, streams.idleIntervals),
  };
}
