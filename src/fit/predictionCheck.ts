/**
 * The fitted alpha/beta pair as a latency model, checked on the requests the
 * fit did not see (queued at or after the holdout split):
 *
 * - prefill: Σ β̂(step) over the steps from its first SCHEDULED step to its
 *   FIRST_TOKEN step (steps run back to back, so their wall times add up to
 *   the elapsed time), against FIRST_TOKEN − SCHEDULED;
 * - TTFT (engine side, QUEUED → FIRST_TOKEN): α̂(its queue state) + that
 *   prefill prediction, when alpha was fitted;
 * - ITL: per decode step of each request (decodeRuns.ts), β̂(step) against
 *   the step's wall time — the engine-side inter-token gap, pooled over
 *   requests like per-token ITL (detokenization and network excluded).
 *
 * Needs every spanned step's summary, i.e. OTLP step sampling 1.0 (or a
 * sidecar on the engine's step ids); requests missing one are counted.
 */
import type { OtlpCapture } from '../capture/otlpRecords.js';
import { nearestRank } from '../stats/percentile.js';
import type { AlphaSample } from './alphaSamples.js';
import { decodeRuns } from './decodeRuns.js';
import { ExclusionTally, type Exclusion } from './exclusions.js';
import { betweenUs, journeyMarks } from './journeyMarks.js';
import { quantileKey } from './metrics.js';
import type { StepRow } from './stepRows.js';

export const COMPARED_QUANTILES = [0.5, 0.9, 0.99] as const;

export interface DistributionComparison {
  n: number;
  /** µs; keys mean, p50, p90, p99. */
  observed: Record<string, number>;
  predicted: Record<string, number>;
  /** (predicted − observed) / observed, per key. */
  relativeError: Record<string, number>;
}

export interface PredictionCheck {
  splitTimeMs: number;
  heldOutRequests: number;
  /** Held-out requests left out of every comparison, by reason. */
  skipped: Exclusion[];
  prefill: DistributionComparison | null;
  ttft: DistributionComparison | null;
  itl: DistributionComparison | null;
}

export interface PredictionInputs {
  otlp: OtlpCapture;
  steps: readonly StepRow[];
  predictStep: (row: StepRow) => number;
  predictQueue?: (sample: AlphaSample) => number;
  /** Queue-state samples by journey index (any side of the split). */
  alphaSamples: ReadonlyMap<number, AlphaSample>;
  splitTimeMs: number;
}

export function checkPredictions(inputs: PredictionInputs): PredictionCheck {
  const rowByStep = new Map(inputs.steps.map((row) => [row.stepId, row]));
  const tally = new ExclusionTally();
  const noFirstToken = tally.rule('no-first-token', 'no SCHEDULED or FIRST_TOKEN event (aborted before its first token)');
  const noStepIds = tally.rule('no-step-ids', 'journey events without scheduler.step');
  const unsampled = tally.rule('unsampled-step', 'a step it spanned has no summary (step sampling < 1)');
  const unpredictable = tally.rule('feature-unavailable', 'a spanned step lacks a feature value (e.g. decode context)');

  const prefill = new Pairs();
  const ttft = new Pairs();
  const itl = new Pairs();
  let heldOut = 0;
  inputs.otlp.requests.forEach((request, journey) => {
    const marks = journeyMarks(request);
    if (marks.QUEUED === undefined || marks.QUEUED.tsMs < inputs.splitTimeMs) return;
    heldOut++;
    const { SCHEDULED: scheduled, FIRST_TOKEN: firstToken } = marks;
    if (scheduled === undefined || firstToken === undefined) return noFirstToken();
    const from = scheduled.schedulerStep;
    const to = firstToken.schedulerStep;
    if (from === undefined || to === undefined) return noStepIds();
    let predictedPrefill = 0;
    for (let step = from; step <= to; step++) {
      const row = rowByStep.get(step);
      if (row === undefined) return unsampled();
      predictedPrefill += inputs.predictStep(row);
    }
    if (Number.isNaN(predictedPrefill)) return unpredictable();
    prefill.add(betweenUs(scheduled, firstToken), predictedPrefill);
    const sample = inputs.alphaSamples.get(journey);
    if (inputs.predictQueue && sample) ttft.add(betweenUs(marks.QUEUED, firstToken), inputs.predictQueue(sample) + predictedPrefill);
    for (const run of decodeRuns(request)) {
      for (let step = run.firstStep; step <= run.lastStep; step++) {
        const row = rowByStep.get(step);
        if (row === undefined || Number.isNaN(row.wallUs)) continue;
        const predicted = inputs.predictStep(row);
        if (!Number.isNaN(predicted)) itl.add(row.wallUs, predicted);
      }
    }
  });
  return {
    splitTimeMs: inputs.splitTimeMs,
    heldOutRequests: heldOut,
    skipped: tally.list(),
    prefill: prefill.compare(),
    ttft: inputs.predictQueue ? ttft.compare() : null,
    itl: itl.compare(),
  };
}

/** Observed/predicted pairs of one quantity; compared as distributions (each side sorted on its own). */
class Pairs {
  private readonly observed: number[] = [];
  private readonly predicted: number[] = [];

  add(observed: number, predicted: number): void {
    this.observed.push(observed);
    this.predicted.push(predicted);
  }

  compare(): DistributionComparison | null {
    if (this.observed.length === 0) return null;
    const observed = summarize(this.observed);
    const predicted = summarize(this.predicted);
    const relativeError: Record<string, number> = {};
    for (const key of Object.keys(observed)) relativeError[key] = (predicted[key] - observed[key]) / observed[key];
    return { n: this.observed.length, observed, predicted, relativeError };
  }
}

function summarize(values: number[]): Record<string, number> {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const stats: Record<string, number> = { mean: sum / sorted.length };
  for (const p of COMPARED_QUANTILES) stats[quantileKey(p)] = nearestRank(sorted, p);
  return stats;
}
