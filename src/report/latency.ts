/**
 * The latency report: the distributions a capture's users felt, overall and
 * per client-concurrency bucket, computed straight from the Capture (the
 * same numbers queries/latency_percentiles.sql returns on the loaded
 * tables). The returned object is the stable `vcr report latency --json`
 * schema, documented field by field in docs/reports.md.
 */
import type { Capture } from '../capture/model.js';
import type { OtlpCapture } from '../capture/otlpRecords.js';
import { POW2_BUCKETS, groupByBucket, type BucketScheme } from '../stats/buckets.js';
import { ratio } from '../stats/relativeError.js';
import { sortedSample } from '../stats/sample.js';
import { bucketInfo, type BucketInfo } from './bucketInfo.js';
import { captureInfo, type CaptureInfo } from './captureInfo.js';
import { PERCENTILE_DEFINITION, summarize, type Distribution } from './distribution.js';
import { formatMs, formatRatio } from './render/format.js';

export const LATENCY_SCHEMA = 'vcr.report.latency/1';

/** The per-request and per-gap samples the report summarises, with what one sample is. */
export const LATENCY_METRICS = {
  ttft: 'TTFT: arrival → first token; one sample per request',
  itl: 'ITL per token: every recorded inter-token gap, pooled over all requests (one sample per streamed chunk, as vLLM bench counts ITL)',
  itlRequestMean: 'per-request mean ITL: each request\'s mean gap (recorded gaps or itl_summary); one sample per request with gaps',
  tpot: 'TPOT: decode time / (output tokens − first-chunk tokens); one sample per request with tokens after the first chunk',
  e2e: 'E2E: TTFT + decode time; one sample per request',
} as const;
export type LatencyMetric = keyof typeof LATENCY_METRICS;
export const LATENCY_METRIC_KEYS = Object.keys(LATENCY_METRICS) as LatencyMetric[];

export type LatencyRow = {
  /** "all", or the bucket label ("1", "2", "3-4", ...). */
  bucket: string;
  /** Upper end of the bucket's concurrency range; null for "all" and an open-ended last bucket. */
  maxConcurrency: number | null;
  requests: number;
} & Record<LatencyMetric, Distribution>;

export interface QueueWait {
  /** "journey": first SCHEDULED − QUEUED from OTLP journey events; "upstream": gen_ai.latency.time_in_queue of upstream vLLM spans. */
  source: 'journey' | 'upstream';
  distribution: Distribution;
}

export interface ItlContrast {
  pooledP99Ms: number;
  requestMeanP99Ms: number;
  /** pooled p99 / per-request-mean p99. */
  ratio: number;
  statement: string;
}

export interface LatencyReport {
  schema: typeof LATENCY_SCHEMA;
  capture: CaptureInfo;
  percentileDefinition: string;
  buckets: BucketInfo;
  metrics: Record<LatencyMetric, string>;
  overall: LatencyRow;
  byBucket: LatencyRow[];
  /** Overall only (journeys are not joined to trace rows); null without OTLP queue timings. */
  queueWait: QueueWait | null;
  itlContrast: ItlContrast;
}

/** Sorted overall samples behind the report, for plots. */
export interface LatencySamples {
  ttft: Float64Array;
  itl: Float64Array;
  itlRequestMean: Float64Array;
  e2e: Float64Array;
}

export interface LatencyAnalysis {
  report: LatencyReport;
  samples: LatencySamples;
}

export interface LatencyOptions {
  buckets?: BucketScheme;
}

function pick(column: ArrayLike<number>, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = column[rows[k]];
  return sortedSample(out);
}

function pickGaps(capture: Capture, rows: readonly number[]): Float64Array {
  const { gapOffset, gapCount } = capture.requests;
  let total = 0;
  for (const r of rows) total += gapCount[r];
  const out = new Float64Array(total);
  let at = 0;
  for (const r of rows) {
    out.set(capture.gaps.durMs.subarray(gapOffset[r], gapOffset[r] + gapCount[r]), at);
    at += gapCount[r];
  }
  return sortedSample(out);
}

function samplesOf(capture: Capture, rows: readonly number[]): LatencySamples & { tpot: Float64Array } {
  const r = capture.requests;
  return {
    ttft: pick(r.ttftMs, rows),
    itl: pickGaps(capture, rows),
    itlRequestMean: pick(r.meanItlMs, rows),
    tpot: pick(r.tpotMs, rows),
    e2e: pick(r.e2eMs, rows),
  };
}

function row(bucket: string, maxConcurrency: number | null, requests: number, samples: Record<LatencyMetric, Float64Array>): LatencyRow {
  const metrics = Object.fromEntries(LATENCY_METRIC_KEYS.map((key) => [key, summarize(samples[key])])) as Record<LatencyMetric, Distribution>;
  return { bucket, maxConcurrency, requests, ...metrics };
}

/** Queue wait per journey = first SCHEDULED − first QUEUED; else the upstream spans' time_in_queue. */
export function queueWaitSample(otlp: OtlpCapture | undefined): { source: QueueWait['source']; sorted: Float64Array } | null {
  if (!otlp) return null;
  const waits: number[] = [];
  for (const journey of otlp.requests) {
    let queued = NaN;
    let scheduled = NaN;
    for (const event of journey.events) {
      if (event.type === 'QUEUED' && Number.isNaN(queued)) queued = event.tsMs;
      if (event.type === 'SCHEDULED' && Number.isNaN(scheduled)) scheduled = event.tsMs;
    }
    if (!Number.isNaN(queued) && !Number.isNaN(scheduled)) waits.push(scheduled - queued);
  }
  if (waits.length > 0) return { source: 'journey', sorted: sortedSample(waits) };
  const upstream = otlp.upstream.map((span) => span.queueMs ?? NaN);
  const sorted = sortedSample(upstream);
  return sorted.length > 0 ? { source: 'upstream', sorted } : null;
}

export function itlContrast(pooled: Distribution, requestMean: Distribution): ItlContrast {
  const r = ratio(pooled.p99Ms, requestMean.p99Ms);
  const head =
    `Per token, ITL p99 is ${formatMs(pooled.p99Ms)} ms over ${pooled.count} pooled gaps; ` +
    `per request, the p99 of mean ITL is ${formatMs(requestMean.p99Ms)} ms`;
  let statement: string;
  if (Number.isNaN(r)) statement = 'No recorded inter-token gaps: the per-token and per-request ITL views cannot be compared.';
  else if (r >= 1.1)
    statement = `${head} (${formatRatio(r)} lower): a client-side benchmark that sees only per-request means averages away the stalls individual tokens wait through.`;
  else statement = `${head} (ratio ${formatRatio(r)}): the ITL tail sits in slow requests, not in stalls of individual tokens, so per-request means do not hide it.`;
  return { pooledP99Ms: pooled.p99Ms, requestMeanP99Ms: requestMean.p99Ms, ratio: r, statement };
}

export function analyzeLatency(capture: Capture, options: LatencyOptions = {}): LatencyAnalysis {
  const scheme = options.buckets ?? POW2_BUCKETS;
  const all = Array.from({ length: capture.requests.count }, (_, i) => i);
  const overallSamples = samplesOf(capture, all);
  const overall = row('all', null, all.length, overallSamples);
  const byBucket = groupByBucket(capture.requests.concurrency, scheme).map(({ bucket, rows }) =>
    row(bucket.label, Number.isFinite(bucket.max) ? bucket.max : null, rows.length, samplesOf(capture, rows)),
  );
  const queue = queueWaitSample(capture.otlp);
  const report: LatencyReport = {
    schema: LATENCY_SCHEMA,
    capture: captureInfo(capture),
    percentileDefinition: PERCENTILE_DEFINITION,
    buckets: bucketInfo(scheme),
    metrics: { ...LATENCY_METRICS },
    overall,
    byBucket,
    queueWait: queue ? { source: queue.source, distribution: summarize(queue.sorted) } : null,
    itlContrast: itlContrast(overall.itl, overall.itlRequestMean),
  };
  const { ttft, itl, itlRequestMean, e2e } = overallSamples;
  return { report, samples: { ttft, itl, itlRequestMean, e2e } };
}
