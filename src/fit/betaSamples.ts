/**
 * The beta fit's rows: scheduler steps with a known wall time, after the
 * documented exclusion rules (docs/fit.md). Rows stay in step order, which
 * is time order, for the time-ordered holdout.
 */
import { ExclusionTally, type Exclusion } from './exclusions.js';
import type { StepRow, StepRows } from './stepRows.js';

export interface SampleSet<S> {
  /** Kept samples, in time order. */
  samples: S[];
  /** Samples before any exclusion. */
  extracted: number;
  exclusions: Exclusion[];
}

export interface BetaSampleOptions {
  /** Engine steps at the start of the capture treated as warm-up. */
  warmupSteps: number;
  /** Steps that preempted more requests than this are excluded. */
  maxPreemptedPerStep: number;
  /** The chosen features include decode_context: steps without a reconstructed context are excluded. */
  needsDecodeContext: boolean;
}

export function selectBetaSamples(steps: StepRows, options: BetaSampleOptions): SampleSet<StepRow> {
  const tally = new ExclusionTally();
  const noWall = tally.rule(
    'no-wall-time',
    steps.source === 'otlp'
      ? 'wall time unknown: the next step was not sampled, or the engine drained before it (step.duration_us is scheduler CPU time, never used as step time)'
      : 'wall time unknown',
  );
  const nonPositive = tally.rule('non-positive-duration', 'wall time ≤ 0 (clock glitch)');
  const warmUp = tally.rule('warm-up', `the first ${options.warmupSteps} engine steps of the capture (graph capture, compilation and cache warm-up make them slow)`);
  const preempting = tally.rule(
    'preemption',
    `steps that preempted more than ${options.maxPreemptedPerStep} request(s): the scheduler re-planned under KV pressure mid-step`,
  );
  const noContext = options.needsDecodeContext
    ? tally.rule('no-decode-context', 'decode context not reconstructible: the journeys do not account for the step\'s decode requests')
    : undefined;

  const firstStepId = steps.rows.length > 0 ? steps.rows[0].stepId : 0;
  const samples: StepRow[] = [];
  for (const row of steps.rows) {
    if (Number.isNaN(row.wallUs)) noWall();
    else if (!(row.wallUs > 0)) nonPositive();
    else if (row.stepId < firstStepId + options.warmupSteps) warmUp();
    else if (row.preempted > options.maxPreemptedPerStep) preempting();
    else if (noContext && Number.isNaN(row.decodeContextTokens)) noContext();
    else samples.push(row);
  }
  return { samples, extracted: steps.rows.length, exclusions: tally.list() };
}
