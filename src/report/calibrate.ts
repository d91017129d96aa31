/**
 * The calibration report: a source capture (what the engine did) against a
 * replay (a simulator's or a second run's rendition of the same workload),
 * side by side per concurrency bucket, with a pass/fail verdict a CI
 * pipeline can gate on. The returned object is the stable
 * `vcr report calibrate --json` schema (docs/reports.md).
 *
 * Compared per bucket, for TTFT (per request), ITL (per gap, pooled) and
 * decode total (per request: the sum of its gaps, which a model that draws
 * each gap independently gets wrong even when it matches the ITL
 * distribution, because it loses the within-request correlation):
 * nearest-rank p50/p90/p99, their relative errors (replay − source) /
 * source, the p99/p50 tail ratio of each capture and its relative error,
 * and the two-sample KS distance.
 *
 * Gate: every quantile and tail-ratio relative error of the three metrics
 * (12 numbers per row) must satisfy |error| ≤ tolerance, on the "all" row
 * and on every bucket row where both captures have at least
 * `minBucketRequests` requests (a p99 of fewer samples is little more than
 * the maximum). KS distances are reported, not gated: with large samples
 * they flag shifts too small to matter.
 */
import type { Capture } from '../capture/model.js';
import { POW2_BUCKETS, groupByBucket, type Bucket, type BucketScheme } from '../stats/buckets.js';
import { ksDistance } from '../stats/ks.js';
import { nearestRank } from '../stats/percentile.js';
import { ratio, relativeError } from '../stats/relativeError.js';
import { sortedSample } from '../stats/sample.js';
import { bucketInfo, type BucketInfo } from './bucketInfo.js';
import { captureInfo, type CaptureInfo } from './captureInfo.js';
import { PERCENTILE_DEFINITION } from './distribution.js';
import { formatMs, formatPercent, formatSignedPercent } from './render/format.js';

export const CALIBRATE_SCHEMA = 'vcr.report.calibrate/1';
export const SAMPLES_SCHEMA = 'vcr.calibrate.samples/1';
export const DEFAULT_TOLERANCE = 0.1;
export const DEFAULT_MIN_BUCKET_REQUESTS = 100;

export const CALIBRATE_METRICS = {
  ttft: 'TTFT: arrival → first token; one sample per request',
  itl: 'ITL: every recorded inter-token gap, pooled over all requests',
  decodeTotal: 'decode total: a request\'s summed gaps (first token → last token); one sample per request',
} as const;
export type CalibrateMetric = keyof typeof CALIBRATE_METRICS;
export const CALIBRATE_METRIC_KEYS = Object.keys(CALIBRATE_METRICS) as CalibrateMetric[];

export const COMPARED_QUANTILES = { p50: 0.5, p90: 0.9, p99: 0.99 } as const;
export type ComparedQuantile = keyof typeof COMPARED_QUANTILES;
const QUANTILE_KEYS = Object.keys(COMPARED_QUANTILES) as ComparedQuantile[];

/** One number in both captures; `relError` = (replay − source) / source. */
export interface Compared {
  source: number;
  replay: number;
  relError: number;
}

export interface MetricComparison {
  sourceCount: number;
  replayCount: number;
  /** Quantiles in ms. */
  quantiles: Record<ComparedQuantile, Compared>;
  /** p99 / p50 of each capture (unitless). */
  tailRatio: Compared;
  /** Two-sample Kolmogorov–Smirnov distance, 0–1; null (NaN) when either sample is empty. */
  ks: number;
}

export type CalibrationRow = {
  bucket: string;
  maxConcurrency: number | null;
  sourceRequests: number;
  replayRequests: number;
  /** Whether this row's relative errors count toward the verdict. */
  gated: boolean;
} & Record<CalibrateMetric, MetricComparison>;

export type CheckedQuantity = ComparedQuantile | 'p99/p50';

export interface Check {
  bucket: string;
  metric: CalibrateMetric;
  quantity: CheckedQuantity;
  source: number;
  replay: number;
  relError: number;
  pass: boolean;
}

export interface CalibrateReport {
  schema: typeof CALIBRATE_SCHEMA;
  source: CaptureInfo;
  replay: CaptureInfo;
  percentileDefinition: string;
  buckets: BucketInfo;
  metrics: Record<CalibrateMetric, string>;
  tolerance: number;
  minBucketRequests: number;
  gateDefinition: string;
  overall: CalibrationRow;
  byBucket: CalibrationRow[];
  /** Every gated number, in row order. */
  checks: Check[];
  verdict: { pass: boolean; checked: number; failed: number; statement: string };
}

export type CalibrationSampleSet = Record<CalibrateMetric, Float64Array>;

/** The sorted overall samples (ms) of both captures: `--dump-samples` and the plots. */
export interface CalibrationSamples {
  source: CalibrationSampleSet;
  replay: CalibrationSampleSet;
}

export interface CalibrationAnalysis {
  report: CalibrateReport;
  samples: CalibrationSamples;
}

export interface CalibrateOptions {
  tolerance?: number;
  buckets?: BucketScheme;
  minBucketRequests?: number;
}

function compared(source: number, replay: number): Compared {
  return { source, replay, relError: relativeError(source, replay) };
}

function compareMetric(source: Float64Array, replay: Float64Array): MetricComparison {
  const quantiles = Object.fromEntries(
    QUANTILE_KEYS.map((key) => [key, compared(nearestRank(source, COMPARED_QUANTILES[key]), nearestRank(replay, COMPARED_QUANTILES[key]))]),
  ) as Record<ComparedQuantile, Compared>;
  return {
    sourceCount: source.length,
    replayCount: replay.length,
    quantiles,
    tailRatio: compared(ratio(quantiles.p99.source, quantiles.p50.source), ratio(quantiles.p99.replay, quantiles.p50.replay)),
    ks: ksDistance(source, replay),
  };
}

/** The samples of a set of request rows: TTFT and decode total per request, ITL per gap of those requests. */
function samplesOf(capture: Capture, rows: readonly number[]): CalibrationSampleSet {
  const { ttftMs, decodeMs, gapOffset, gapCount } = capture.requests;
  const ttft = new Float64Array(rows.length);
  const decode = new Float64Array(rows.length);
  let gaps = 0;
  rows.forEach((r, k) => {
    ttft[k] = ttftMs[r];
    decode[k] = decodeMs[r];
    gaps += gapCount[r];
  });
  const itl = new Float64Array(gaps);
  let at = 0;
  for (const r of rows) {
    itl.set(capture.gaps.durMs.subarray(gapOffset[r], gapOffset[r] + gapCount[r]), at);
    at += gapCount[r];
  }
  return { ttft: sortedSample(ttft), itl: sortedSample(itl), decodeTotal: sortedSample(decode) };
}

function rowsByBucket(capture: Capture, scheme: BucketScheme): Map<string, { bucket: Bucket; rows: number[] }> {
  return new Map(groupByBucket(capture.requests.concurrency, scheme).map((group) => [group.bucket.label, group]));
}

function calibrationRow(bucket: string, maxConcurrency: number | null, gated: boolean, source: CalibrationSampleSet, replay: CalibrationSampleSet, counts: [number, number]): CalibrationRow {
  const metrics = Object.fromEntries(CALIBRATE_METRIC_KEYS.map((key) => [key, compareMetric(source[key], replay[key])])) as Record<CalibrateMetric, MetricComparison>;
  return { bucket, maxConcurrency, sourceRequests: counts[0], replayRequests: counts[1], gated, ...metrics };
}

function rowChecks(row: CalibrationRow, tolerance: number): Check[] {
  const checks: Check[] = [];
  for (const metric of CALIBRATE_METRIC_KEYS) {
    const comparison = row[metric];
    const numbers: [CheckedQuantity, Compared][] = [...QUANTILE_KEYS.map((q): [CheckedQuantity, Compared] => [q, comparison.quantiles[q]]), ['p99/p50', comparison.tailRatio]];
    for (const [quantity, c] of numbers) {
      // NaN (a metric neither capture has, e.g. no gaps at all) is not a failure; Infinity (0 against non-zero) is.
      const pass = Number.isNaN(c.relError) ? Number.isNaN(c.source) && Number.isNaN(c.replay) : Math.abs(c.relError) <= tolerance;
      checks.push({ bucket: row.bucket, metric, quantity, source: c.source, replay: c.replay, relError: c.relError, pass });
    }
  }
  return checks;
}

export const METRIC_NAMES: Record<CalibrateMetric, string> = { ttft: 'TTFT', itl: 'ITL', decodeTotal: 'decode total' };

function verdictStatement(checks: Check[], tolerance: number): string {
  const failed = checks.filter((check) => !check.pass);
  const bound = `±${formatPercent(tolerance)}`;
  if (failed.length === 0) return `PASS: all ${checks.length} gated relative errors are within ${bound}.`;
  const size = (check: Check) => Math.abs(check.relError);
  const worst = [...failed].sort((a, b) => (size(a) === size(b) ? 0 : size(a) < size(b) ? 1 : -1));
  const shown = worst.slice(0, 5).map((check) => {
    const unit = check.quantity === 'p99/p50' ? '' : ' ms';
    const fmt = check.quantity === 'p99/p50' ? (v: number) => v.toFixed(2) : formatMs;
    return `${METRIC_NAMES[check.metric]} ${check.quantity} [${check.bucket}] ${fmt(check.source)} → ${fmt(check.replay)}${unit} (${formatSignedPercent(check.relError)})`;
  });
  const more = failed.length > shown.length ? `; ${failed.length - shown.length} more` : '';
  return `FAIL: ${failed.length} of ${checks.length} gated relative errors exceed ${bound}. Worst: ${shown.join('; ')}${more}.`;
}

export function analyzeCalibration(source: Capture, replay: Capture, options: CalibrateOptions = {}): CalibrationAnalysis {
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const scheme = options.buckets ?? POW2_BUCKETS;
  const minBucketRequests = options.minBucketRequests ?? DEFAULT_MIN_BUCKET_REQUESTS;
  const allRows = (capture: Capture) => Array.from({ length: capture.requests.count }, (_, i) => i);
  const samples: CalibrationSamples = { source: samplesOf(source, allRows(source)), replay: samplesOf(replay, allRows(replay)) };
  const overall = calibrationRow('all', null, true, samples.source, samples.replay, [source.requests.count, replay.requests.count]);

  const sourceGroups = rowsByBucket(source, scheme);
  const replayGroups = rowsByBucket(replay, scheme);
  const buckets = new Map<string, Bucket>();
  for (const group of [...sourceGroups.values(), ...replayGroups.values()]) buckets.set(group.bucket.label, group.bucket);
  const byBucket = [...buckets.values()]
    .sort((a, b) => a.max - b.max)
    .map((bucket) => {
      const sourceRows = sourceGroups.get(bucket.label)?.rows ?? [];
      const replayRows = replayGroups.get(bucket.label)?.rows ?? [];
      const gated = sourceRows.length >= minBucketRequests && replayRows.length >= minBucketRequests;
      return calibrationRow(
        bucket.label,
        Number.isFinite(bucket.max) ? bucket.max : null,
        gated,
        samplesOf(source, sourceRows),
        samplesOf(replay, replayRows),
        [sourceRows.length, replayRows.length],
      );
    });

  const checks = [overall, ...byBucket].filter((row) => row.gated).flatMap((row) => rowChecks(row, tolerance));
  const failed = checks.filter((check) => !check.pass).length;
  const report: CalibrateReport = {
    schema: CALIBRATE_SCHEMA,
    source: captureInfo(source),
    replay: captureInfo(replay),
    percentileDefinition: PERCENTILE_DEFINITION,
    buckets: bucketInfo(scheme),
    metrics: { ...CALIBRATE_METRICS },
    tolerance,
    minBucketRequests,
    gateDefinition:
      `Gated: the relative errors (replay − source) / source of p50, p90, p99 and the p99/p50 tail ratio of TTFT, ITL and decode total, ` +
      `on the "all" row and on each bucket where both captures have at least ${minBucketRequests} requests; each must be within ±${formatPercent(tolerance)}. ` +
      'KS distances are reported, not gated.',
    overall,
    byBucket,
    checks,
    verdict: { pass: failed === 0, checked: checks.length, failed, statement: verdictStatement(checks, tolerance) },
  };
  return { report, samples };
}

/** The `--dump-samples` file: sorted samples in ms, plain arrays. */
export function samplesDump(analysis: CalibrationAnalysis): unknown {
  const plain = (set: CalibrationSampleSet) => Object.fromEntries(CALIBRATE_METRIC_KEYS.map((key) => [key, Array.from(set[key])]));
  return {
    schema: SAMPLES_SCHEMA,
    unit: 'ms',
    metrics: { ...CALIBRATE_METRICS },
    source: { trace: analysis.report.source.trace, ...plain(analysis.samples.source) },
    replay: { trace: analysis.report.replay.trace, ...plain(analysis.samples.replay) },
  };
}
