/**
 * The quantities the SQL must reproduce, recomputed here straight from the
 * raw fixture records with formats.md's definitions (no vcr code involved
 * except the shared nearest-rank percentile).
 */
import type { RawRequest, RawSidecarLine } from './fixtures.js';

export const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

export interface ExpectedRequest {
  ttft: number;
  decode: number;
  e2e: number;
  tpot: number | undefined;
  meanItl: number | undefined;
  arrival: number | undefined;
  end: number | undefined;
  concurrency: number;
  gaps: number[];
}

export function expectedRequest(raw: RawRequest): ExpectedRequest {
  const gaps = raw.itl_ms ?? [];
  const decode = raw.itl_ms ? sum(raw.itl_ms) : raw.itl_summary ? raw.itl_summary.mean_ms * raw.itl_summary.count : 0;
  const firstChunk = raw.itl_tokens ? raw.output_tokens - sum(raw.itl_tokens) : Math.min(1, raw.output_tokens);
  const decodeTokens = raw.output_tokens - firstChunk;
  const e2e = raw.ttft_ms + decode;
  return {
    ttft: raw.ttft_ms,
    decode,
    e2e,
    tpot: decodeTokens > 0 ? decode / decodeTokens : undefined,
    meanItl: raw.itl_ms ? decode / raw.itl_ms.length : raw.itl_summary ? raw.itl_summary.mean_ms : undefined,
    arrival: raw.arrival_ms,
    end: raw.arrival_ms === undefined ? undefined : raw.arrival_ms + e2e,
    concurrency: raw.concurrency ?? 1,
    gaps,
  };
}

/** Concurrency bucket upper end: 1 for c ≤ 1, else the smallest power of two ≥ c (queries/latency_percentiles.sql). */
export function bucketMax(concurrency: number): number {
  let bucket = 1;
  while (bucket < concurrency) bucket *= 2;
  return bucket;
}

export function bucketLabel(max: number): string {
  if (max === 0) return 'all';
  return max <= 2 ? String(max) : `${max / 2 + 1}-${max}`;
}

export interface ExpectedStep {
  start: number;
  end: number;
  kind: 'decode' | 'prefill' | 'prefill+decode';
  running: number;
  prefillTokens: number;
  decodeTokens: number;
}

/** formats.md §2 plus the idle rule (src/capture/derive/steps.ts): a line after an empty batch that ran no prefill closes an idle interval. */
export function expectedSteps(lines: readonly RawSidecarLine[]): { steps: ExpectedStep[]; idle: number } {
  const steps: ExpectedStep[] = [];
  let idle = 0;
  for (let i = 1; i < lines.length; i++) {
    const { scheduler } = lines[i];
    const requests = scheduler.prefix_cache_stats?.requests ?? 0;
    const queries = scheduler.prefix_cache_stats?.queries ?? 0;
    const prefill = requests > 0 || queries > 0;
    if (lines[i - 1].scheduler.num_running_reqs === 0 && !prefill) {
      idle++;
      continue;
    }
    const decodeRequests = Math.max(0, scheduler.num_running_reqs - requests);
    steps.push({
      start: lines[i - 1].ts_ms,
      end: lines[i].ts_ms,
      kind: !prefill ? 'decode' : decodeRequests > 0 ? 'prefill+decode' : 'prefill',
      running: scheduler.num_running_reqs,
      // Prefix-cache hits were looked up, not computed.
      prefillTokens: Math.max(0, queries - (scheduler.prefix_cache_stats?.hits ?? 0)),
      decodeTokens: decodeRequests + (scheduler.spec_decoding_stats?.num_draft_tokens ?? 0),
    });
  }
  return { steps, idle };
}

/** Most requests active at once; ends before arrivals at equal times. */
export function peakActive(requests: readonly ExpectedRequest[]): number {
  const events: [number, number][] = [];
  for (const r of requests) {
    if (r.arrival === undefined) continue;
    events.push([r.arrival, 1], [r.end!, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let active = 0;
  let peak = 0;
  for (const [, delta] of events) peak = Math.max(peak, (active += delta));
  return peak;
}

export function sortedSample(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}
