import type { Capture } from './model.js';
import type { CaptureMeta } from './records.js';
import type { OtlpCapture } from './otlpRecords.js';
import { RequestTableBuilder } from './requestTableBuilder.js';
import { SidecarStepBuilder, emptyStepTable, stepsFromOtlp } from './derive/steps.js';
import { activeRequestSweep } from './derive/activeSweep.js';
import { openEngineTrace } from '../ingest/engineTrace.js';
import { readStepStats } from '../ingest/stepStats.js';
import { readOtlp } from '../ingest/otlp/reader.js';
import { LenientLog, stderrWarnings, type WarningSink } from '../ingest/errors.js';

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
}

/**
 * Reads every given stream of one capture into the normalized model. This is
 * the I/O edge: the derivations it calls are pure and tested on their own.
 */
export async function loadCapture(sources: CaptureSources, options: LoadOptions = {}): Promise<Capture> {
  const warn = options.warn ?? stderrWarnings;
  const lenientLogs: LenientLog[] = [];
  const lenient = () => {
    if (!options.lenient) return undefined;
    const log = new LenientLog();
    lenientLogs.push(log);
    return log;
  };

  let meta: CaptureMeta = { extra: {} };
  const requestBuilder = new RequestTableBuilder();
  if (sources.trace) {
    const reader = await openEngineTrace(sources.trace, { lenient: lenient(), warn });
    meta = reader.meta;
    for await (const record of reader.records) requestBuilder.add(record);
  }
  const { requests, gaps, laneCount } = requestBuilder.finish();

  let otlp: OtlpCapture | undefined;
  if (sources.otlp) otlp = await readOtlp(sources.otlp, { lenient: lenient(), warn });

  let steps = emptyStepTable();
  let idleIntervals = 0;
  if (sources.stepStats) {
    const stepBuilder = new SidecarStepBuilder();
    for await (const record of readStepStats(sources.stepStats, { lenient: lenient(), warn })) stepBuilder.add(record);
    steps = stepBuilder.finish();
    idleIntervals = stepBuilder.idleIntervals;
  } else if (otlp) {
    steps = stepsFromOtlp(otlp.steps);
  }

  for (const log of lenientLogs) {
    const summary = log.summary();
    if (summary) warn(summary);
  }

  const sweep = activeRequestSweep(requests.arrivalMs, requests.endMs);
  let withoutArrival = 0;
  for (let i = 0; i < requests.count; i++) if (Number.isNaN(requests.arrivalMs[i])) withoutArrival++;
  return {
    tracePath: sources.trace,
    stepStatsPath: sources.stepStats,
    meta,
    requests,
    gaps,
    steps,
    otlp,
    stats: {
      requests: requests.count,
      withoutArrival,
      gaps: gaps.count,
      lanes: laneCount,
      peakConcurrency: sweep.peak,
      idleIntervals,
    },
  };
}
