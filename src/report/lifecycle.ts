/**
 * The request-lifecycle report: where each request's time went, from the
 * engine's own journey events (formats.md §3 timing definitions, the same
 * first/last conventions as the SQL `request_stages` view):
 *
 *   API in     HANDOFF_TO_CORE − ARRIVED   (chat-completions route only)
 *   queue      first SCHEDULED − QUEUED
 *   prefill    FIRST_TOKEN − first SCHEDULED
 *   decode     FINISHED − FIRST_TOKEN
 *   API out    DEPARTED − FINISHED
 *   preempted  Σ over PREEMPTED events of the time to the next SCHEDULED
 *              (inside prefill/decode: shown, never added to the split)
 *
 * E2E per request is DEPARTED − ARRIVED when the API span is there, else
 * FINISHED − QUEUED (engine side). %E2E of a stage = its total over the
 * requests with an E2E ÷ their total E2E, so shares of time add up; the part
 * no stage covers (ARRIVED → QUEUED without HANDOFF, HANDOFF → QUEUED) is
 * "unattributed".
 *
 * Verdict: the largest share among API overhead (API in + API out), queue,
 * prefill and decode names the bound (ties in that order).
 */
import type { JourneyRequest, OtlpCapture } from '../capture/otlpRecords.js';
import { betweenUs, journeyMarks } from '../fit/journeyMarks.js';
import { nearestRank } from '../stats/percentile.js';

export const LIFECYCLE_STAGES = [
  { key: 'api_in', label: 'API in', span: 'ARRIVED → HANDOFF_TO_CORE' },
  { key: 'queue', label: 'queue', span: 'QUEUED → SCHEDULED' },
  { key: 'prefill', label: 'prefill', span: 'SCHEDULED → FIRST_TOKEN' },
  { key: 'decode', label: 'decode', span: 'FIRST_TOKEN → FINISHED' },
  { key: 'api_out', label: 'API out', span: 'FINISHED → DEPARTED' },
  { key: 'preempted', label: 'preempted', span: 'PREEMPTED → next SCHEDULED (within prefill/decode)' },
] as const;

export type StageKey = (typeof LIFECYCLE_STAGES)[number]['key'];
/** Stages that partition E2E (preempted overlaps prefill/decode). */
export const SPLIT_STAGES = ['api_in', 'queue', 'prefill', 'decode', 'api_out'] as const satisfies readonly StageKey[];

export const VERDICTS = ['API-overhead-bound', 'queue-bound', 'prefill-bound', 'decode-bound'] as const;
export type VerdictKind = (typeof VERDICTS)[number] | 'no-data';

export interface StageStats {
  key: StageKey | 'e2e';
  label: string;
  span: string;
  /** Requests where the stage could be measured. */
  n: number;
  avgMs: number;
  minMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Total over the requests that have an E2E ÷ their total E2E; NaN without any. */
  shareOfE2e: number;
}

export interface Verdict {
  kind: VerdictKind;
  text: string;
  /** Shares (0–1) of the four groups the verdict compares. */
  shares: Record<'api' | 'queue' | 'prefill' | 'decode', number>;
}

export interface LifecycleReport {
  source: string;
  /** Journeys in the file. */
  requests: number;
  /** Of those, with an E2E (API or engine side). */
  withE2e: number;
  /** How many E2Es are API side (DEPARTED − ARRIVED); the rest are FINISHED − QUEUED. */
  apiSideE2e: number;
  stages: StageStats[];
  e2e: StageStats;
  /** The E2E split for the stacked bar: the five partitioning stages plus "unattributed", shares summing to 1. */
  split: { key: (typeof SPLIT_STAGES)[number] | 'unattributed'; label: string; share: number }[];
  verdict: Verdict;
}

type Durations = Record<StageKey | 'e2e', number | undefined>;

/** One request's stage durations in ms (undefined where an event is missing); exact from epoch ns. */
export function requestStages(request: JourneyRequest): Durations {
  const m = journeyMarks(request);
  const ms = (from: typeof m.ARRIVED, to: typeof m.ARRIVED) => (from && to ? betweenUs(from, to) / 1000 : undefined);
  let e2e = ms(m.ARRIVED, m.DEPARTED);
  if (e2e === undefined) e2e = ms(m.QUEUED, m.FINISHED);
  return {
    api_in: ms(m.ARRIVED, m.HANDOFF_TO_CORE),
    queue: ms(m.QUEUED, m.SCHEDULED),
    prefill: ms(m.SCHEDULED, m.FIRST_TOKEN),
    decode: ms(m.FIRST_TOKEN, m.FINISHED),
    api_out: ms(m.FINISHED, m.DEPARTED),
    preempted: preemptedMs(request),
    e2e,
  };
}

/** Σ over PREEMPTED of (next SCHEDULED − PREEMPTED); undefined when never preempted; a preemption never resumed in the file is not counted. */
function preemptedMs(request: JourneyRequest): number | undefined {
  let total: number | undefined;
  const events = request.events;
  for (let i = 0; i < events.length; i++) {
    if (events[i].type !== 'PREEMPTED') continue;
    const resumed = events.slice(i + 1).find((e) => e.type === 'SCHEDULED');
    if (resumed) total = (total ?? 0) + betweenUs(events[i], resumed) / 1000;
  }
  return total;
}

function stats(key: StageStats['key'], label: string, span: string, values: number[], shareOfE2e: number): StageStats {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const n = sorted.length;
  return {
    key,
    label,
    span,
    n,
    avgMs: n > 0 ? sum / n : NaN,
    minMs: n > 0 ? sorted[0] : NaN,
    p50Ms: nearestRank(sorted, 0.5),
    p99Ms: nearestRank(sorted, 0.99),
    maxMs: n > 0 ? sorted[n - 1] : NaN,
    shareOfE2e,
  };
}

export function lifecycleReport(otlp: Pick<OtlpCapture, 'path' | 'requests'>): LifecycleReport {
  const perRequest = otlp.requests.map((request) => ({ request, durations: requestStages(request) }));
  const withE2e = perRequest.filter((r) => r.durations.e2e !== undefined);
  const e2eTotal = withE2e.reduce((sum, r) => sum + r.durations.e2e!, 0);
  const share = (key: StageKey) => (e2eTotal > 0 ? withE2e.reduce((sum, r) => sum + (r.durations[key] ?? 0), 0) / e2eTotal : NaN);

  const stages = LIFECYCLE_STAGES.map((stage) =>
    stats(
      stage.key,
      stage.label,
      stage.span,
      perRequest.map((r) => r.durations[stage.key]).filter((v): v is number => v !== undefined),
      share(stage.key),
    ),
  );
  const e2e = stats(
    'e2e',
    'E2E',
    'ARRIVED → DEPARTED (else QUEUED → FINISHED)',
    withE2e.map((r) => r.durations.e2e!),
    e2eTotal > 0 ? 1 : NaN,
  );
  const split: LifecycleReport['split'] = SPLIT_STAGES.map((key) => ({
    key,
    label: LIFECYCLE_STAGES.find((s) => s.key === key)!.label,
    share: e2eTotal > 0 ? share(key) : 0,
  }));
  const attributed = split.reduce((sum, s) => sum + s.share, 0);
  // Floating-point sums of exactly partitioned requests leave ~1e-16, not real unattributed time.
  const unattributed = 1 - attributed;
  split.push({ key: 'unattributed', label: 'unattributed', share: e2eTotal > 0 && unattributed > 1e-9 ? unattributed : 0 });

  const apiSideE2e = withE2e.filter((r) => {
    const m = journeyMarks(r.request);
    return m.ARRIVED !== undefined && m.DEPARTED !== undefined;
  }).length;
  return {
    source: otlp.path,
    requests: otlp.requests.length,
    withE2e: withE2e.length,
    apiSideE2e,
    stages,
    e2e,
    split,
    verdict: verdictOf(e2eTotal > 0 ? { api: share('api_in') + share('api_out'), queue: share('queue'), prefill: share('prefill'), decode: share('decode') } : undefined),
  };
}

const GROUP_LABEL = { api: 'API overhead', queue: 'queue', prefill: 'prefill', decode: 'decode' } as const;
const GROUP_VERDICT = { api: 'API-overhead-bound', queue: 'queue-bound', prefill: 'prefill-bound', decode: 'decode-bound' } as const;

/** The rule in the module comment; `shares` undefined means no request had an E2E. */
export function verdictOf(shares: Verdict['shares'] | undefined): Verdict {
  if (shares === undefined) {
    return { kind: 'no-data', text: 'no verdict: no request has a complete journey (ARRIVED → DEPARTED or QUEUED → FINISHED)', shares: { api: NaN, queue: NaN, prefill: NaN, decode: NaN } };
  }
  const order = ['api', 'queue', 'prefill', 'decode'] as const;
  let top: (typeof order)[number] = order[0];
  for (const group of order) if (shares[group] > shares[top]) top = group;
  const others = order
    .filter((g) => g !== top)
    .sort((a, b) => shares[b] - shares[a])
    .map((g) => `${GROUP_LABEL[g]} ${(shares[g] * 100).toFixed(1)}%`)
    .join(', ');
  return {
    kind: GROUP_VERDICT[top],
    text: `${GROUP_VERDICT[top]}: ${GROUP_LABEL[top]} is ${(shares[top] * 100).toFixed(1)}% of end-to-end time (${others})`,
    shares,
  };
}
