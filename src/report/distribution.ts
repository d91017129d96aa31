/**
 * The distribution summary every report prints for a latency sample:
 * count, mean, nearest-rank p50/p90/p95/p99/p99.9 and max, all in ms. It is
 * part of the reports' JSON schema (docs/reports.md): missing values (empty
 * sample) are NaN here and null in JSON.
 */
import { nearestRank } from '../stats/percentile.js';
import { mean } from '../stats/sample.js';

export interface Distribution {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

/** `sorted`: ascending, no NaN (see sortedSample). */
export function summarize(sorted: Float64Array): Distribution {
  return {
    count: sorted.length,
    meanMs: mean(sorted),
    p50Ms: nearestRank(sorted, 0.5),
    p90Ms: nearestRank(sorted, 0.9),
    p95Ms: nearestRank(sorted, 0.95),
    p99Ms: nearestRank(sorted, 0.99),
    p999Ms: nearestRank(sorted, 0.999),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1] : NaN,
  };
}

/** The statement every report's notes carry, so a reader can reproduce the numbers. */
export const PERCENTILE_DEFINITION =
  'Percentiles are nearest rank: the p-th percentile of n sorted values is the value at rank ceil(p·n) (an observed sample, never interpolated), the same rule as the canned SQL in queries/.';
