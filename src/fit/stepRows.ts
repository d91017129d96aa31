/**
 * One row per scheduler step with the quantities the beta model and the
 * prediction check read, from whichever step stream describes the batches
 * best:
 *
 * - OTLP step summaries (`step.BATCH_SUMMARY`) give the exact batch:
 *   prefill tokens computed, decode tokens, requests; wall time only where
 *   the next step was sampled too (formats.md §3 trap: duration_us is the
 *   scheduler's CPU time and is never used as the step time).
 * - The step-stats sidecar has every step's wall time, but decode tokens
 *   are inferred (running after the step − prefill requests, formats.md §2:
 *   off by the requests that finished in the step); its prefill tokens are
 *   already net of prefix-cache hits (capture/derive/steps.ts).
 *
 * OTLP wins unless the sidecar has more than twice as many steps of known
 * wall time (with vLLM's default 1% step sampling, consecutive sampled
 * pairs — the only OTLP steps with a wall time — are ~0.01% of steps, and
 * the sidecar's every-step coverage is worth its inferred decode counts).
 *
 * OTLP summaries do not record when a step ended (ts_end_ns is the end of
 * scheduling); a step after which the engine drained has no wall time
 * (capture/derive/steps.ts), since the gap to the next step includes idle time.
 */
import type { Capture, StepTable } from '../capture/model.js';
import type { OtlpStepSummary } from '../capture/otlpRecords.js';
import { stepsFromOtlp } from '../capture/derive/steps.js';
import { decodeActivity } from './decodeRuns.js';

export interface StepRow {
  stepId: number;
  startMs: number;
  /** Wall time in µs when known (the beta target), else NaN. */
  wallUs: number;
  /** Prompt tokens computed this step (prefix-cache hits excluded): the simulator's "new prefill tokens". */
  prefillTokens: number;
  decodeTokens: number;
  /** Requests in the batch (OTLP: running depth; sidecar: running after the step). */
  running: number;
  kvUsage: number;
  /** Requests preempted this step; -1 when unknown. */
  preempted: number;
  /** Sum of the KV context of the step's decoding requests, tokens; NaN when not reconstructible (see `contextUnavailable`). */
  decodeContextTokens: number;
}

export type StepSource = 'otlp' | 'sidecar';

export interface StepRows {
  source: StepSource | 'none';
  /** In step order (= time order). */
  rows: StepRow[];
  /** Steps whose wall time is known. */
  wallKnown: number;
  /** Steps whose reconstructed decode-request count disagreed with the summary's (context set to NaN). */
  contextMismatches: number;
  /** Why `decodeContextTokens` is NaN everywhere, when it is. */
  contextUnavailable?: string;
}

function countWallKnown(table: StepTable): number {
  let known = 0;
  for (let i = 0; i < table.count; i++) known += table.wallKnown[i];
  return known;
}

/** How to choose the step stream: automatically (module comment) or forced. */
export type StepSourceChoice = 'auto' | StepSource;

/** Picks the step stream and builds its rows; a forced stream the capture lacks yields source 'none'. */
export function buildStepRows(capture: Capture, choice: StepSourceChoice = 'auto'): StepRows {
  const summaries = capture.otlp?.steps ?? [];
  const otlpTable = summaries.length === 0 ? undefined : capture.steps.source === 'otlp' ? capture.steps : stepsFromOtlp(summaries);
  const sidecarTable = capture.steps.source === 'sidecar' ? capture.steps : undefined;
  const useOtlp =
    choice === 'otlp' || (choice === 'auto' && otlpTable !== undefined && (!sidecarTable || 2 * countWallKnown(otlpTable) >= countWallKnown(sidecarTable)));
  if (useOtlp && otlpTable) return otlpRows(otlpTable, summaries, capture);
  if (!useOtlp && sidecarTable) return sidecarRows(sidecarTable);
  const missing = choice === 'auto' ? 'the capture has no steps' : `the capture has no ${choice === 'otlp' ? 'OTLP step summaries' : 'step-stats sidecar'}`;
  return { source: 'none', rows: [], wallKnown: 0, contextMismatches: 0, contextUnavailable: missing };
}

function baseRow(table: StepTable, i: number, prefillTokens: number): StepRow {
  return {
    stepId: table.stepId[i],
    startMs: table.startMs[i],
    wallUs: table.wallKnown[i] === 1 ? (table.endMs[i] - table.startMs[i]) * 1000 : NaN,
    prefillTokens,
    decodeTokens: table.decodeTokens[i],
    running: table.running[i],
    kvUsage: table.kvUsage[i],
    preempted: table.preempted[i],
    decodeContextTokens: NaN,
  };
}

/** `summaries` is sorted by step id and `table` was built from it, so row i is summary i. */
function otlpRows(table: StepTable, summaries: readonly OtlpStepSummary[], capture: Capture): StepRows {
  const rows: StepRow[] = [];
  let wallKnown = 0;
  for (let i = 0; i < table.count; i++) {
    rows.push(baseRow(table, i, table.prefillTokens[i]));
    wallKnown += table.wallKnown[i];
  }
  const journeys = capture.otlp?.requests ?? [];
  if (journeys.length === 0) return { source: 'otlp', rows, wallKnown, contextMismatches: 0, contextUnavailable: 'the OTLP file has no request journeys' };
  const activity = decodeActivity(journeys);
  let contextMismatches = 0;
  rows.forEach((row, i) => {
    const k = row.stepId - activity.firstStep;
    const requests = k >= 0 && k < activity.requests.length ? activity.requests[k] : 0;
    // Journeys explain this step's decode batch only when they account for exactly its decode requests.
    if (requests !== summaries[i].numDecodeReqs) {
      contextMismatches++;
      return;
    }
    row.decodeContextTokens = requests === 0 ? 0 : activity.contextTokens[k];
  });
  return { source: 'otlp', rows, wallKnown, contextMismatches };
}

function sidecarRows(table: StepTable): StepRows {
  const rows: StepRow[] = [];
  let wallKnown = 0;
  for (let i = 0; i < table.count; i++) {
    rows.push(baseRow(table, i, table.prefillTokens[i]));
    wallKnown += table.wallKnown[i];
  }
  return {
    source: 'sidecar',
    rows,
    wallKnown,
    contextMismatches: 0,
    contextUnavailable: 'the step-stats sidecar does not say which requests decoded in a step (needs OTLP step summaries and journeys)',
  };
}
