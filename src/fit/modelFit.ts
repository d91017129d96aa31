/**
 * One target's fit end to end: time-ordered split → identifiability check on
 * the training rows → OLS/ridge on the identifiable features → metrics on
 * both sides of the split. The result is plain data (JSON-ready); use
 * `predictorOf` to apply it.
 */
import type { SampleSet } from './betaSamples.js';
import type { Exclusion } from './exclusions.js';
import type { FeatureDef } from './features.js';
import { timeOrderedSplit } from './holdout.js';
import { checkIdentifiability, type FeatureIssue, type Identifiability } from './identifiability.js';
import { fitLinear, predictLinear } from './linearModel.js';
import { fitMetrics, type FitMetrics } from './metrics.js';

export type CoefficientStatus = 'estimated' | FeatureIssue['reason'] | 'unavailable' | 'not-fitted';

export interface CoefficientEstimate {
  name: string;
  /** Unit of the coefficient: µs per feature unit (µs for the intercept). */
  unit: string;
  value: number | null;
  stdError: number | null;
  /** Heteroscedasticity-consistent (HC1) standard error. */
  robustStdError: number | null;
  status: CoefficientStatus;
  /** Why there is no value, when there is none. */
  note?: string;
}

export interface ModelFit {
  target: string;
  description: string;
  method: 'ols' | 'ridge';
  ridge: number;
  status: 'fitted' | 'too-few-samples';
  statusNote?: string;
  samples: {
    extracted: number;
    excluded: Exclusion[];
    used: number;
    train: number;
    test: number;
    /** First test sample's time, ms on the capture clock; null without a test set. */
    splitTimeMs: number | null;
  };
  /** Intercept first, then the requested features in order. */
  coefficients: CoefficientEstimate[];
  identifiability: Omit<Identifiability, 'usable'>;
  train: FitMetrics | null;
  test: FitMetrics | null;
}

export interface ModelSpec<S> {
  target: string;
  description: string;
  features: readonly FeatureDef<S>[];
  /** Requested features the capture cannot provide at all (reported, not fitted). */
  unavailable?: readonly { feature: string; detail: string }[];
  timeMs(sample: S): number;
  targetUs(sample: S): number;
}

export interface FitSettings {
  holdout: number;
  ridge: number;
}

function column<S>(samples: readonly S[], value: (s: S) => number): Float64Array {
  return Float64Array.from(samples, value);
}

export function fitModel<S>(spec: ModelSpec<S>, set: SampleSet<S>, settings: FitSettings): ModelFit {
  const { samples } = set;
  const split = timeOrderedSplit(column(samples, spec.timeMs), settings.holdout);
  const train = samples.slice(0, split.trainCount);
  const test = samples.slice(split.trainCount);
  const names = spec.features.map((f) => f.name);
  const columns = spec.features.map((f) => column(train, f.value));
  const y = column(train, spec.targetUs);

  const identifiability = checkIdentifiability(names, columns);
  const base = {
    target: spec.target,
    description: spec.description,
    method: settings.ridge > 0 ? ('ridge' as const) : ('ols' as const),
    ridge: settings.ridge,
    samples: {
      extracted: set.extracted,
      excluded: set.exclusions,
      used: samples.length,
      train: train.length,
      test: test.length,
      splitTimeMs: Number.isNaN(split.splitTimeMs) ? null : split.splitTimeMs,
    },
    identifiability: {
      issues: identifiability.issues,
      rank: identifiability.rank,
      columns: identifiability.columns,
      conditionNumber: identifiability.conditionNumber,
      illConditioned: identifiability.illConditioned,
    },
  };
  const issueOf = new Map(identifiability.issues.map((issue) => [issue.feature, issue]));
  const unavailable = (spec.unavailable ?? []).map(
    ({ feature, detail }): CoefficientEstimate => ({ name: feature, unit: '', value: null, stdError: null, robustStdError: null, status: 'unavailable', note: detail }),
  );

  const needed = identifiability.usable.length + 2;
  if (train.length < needed) {
    return {
      ...base,
      status: 'too-few-samples',
      statusNote: `${train.length} training samples cannot fit ${identifiability.usable.length + 1} coefficients (at least ${needed} needed)`,
      coefficients: [
        { name: 'intercept', unit: 'µs', value: null, stdError: null, robustStdError: null, status: 'not-fitted', note: 'too few samples' },
        ...spec.features.map((f) => unfitted(f, issueOf.get(f.name))),
        ...unavailable,
      ],
      train: null,
      test: null,
    };
  }

  const usableColumns = identifiability.usable.map((name) => columns[names.indexOf(name)]);
  const linear = fitLinear(usableColumns, y, settings.ridge);
  const coefficients: CoefficientEstimate[] = [
    {
      name: 'intercept',
      unit: 'µs',
      value: linear.coefficients[0],
      stdError: linear.stdErrors[0],
      robustStdError: linear.robustStdErrors[0],
      status: 'estimated',
    },
  ];
  for (const feature of spec.features) {
    const k = identifiability.usable.indexOf(feature.name);
    coefficients.push(
      k < 0
        ? unfitted(feature, issueOf.get(feature.name))
        : {
            name: feature.name,
            unit: `µs/${feature.unit}`,
            value: linear.coefficients[k + 1],
            stdError: linear.stdErrors[k + 1],
            robustStdError: linear.robustStdErrors[k + 1],
            status: 'estimated',
          },
    );
  }
  coefficients.push(...unavailable);

  const fit: ModelFit = { ...base, status: 'fitted', coefficients, train: null, test: null };
  const predict = predictorOf(fit, spec.features)!;
  fit.train = fitMetrics(y, column(train, predict));
  fit.test = test.length > 0 ? fitMetrics(column(test, spec.targetUs), column(test, predict)) : null;
  return fit;
}

function unfitted<S>(feature: FeatureDef<S>, issue: FeatureIssue | undefined): CoefficientEstimate {
  return {
    name: feature.name,
    unit: `µs/${feature.unit}`,
    value: null,
    stdError: null,
    robustStdError: null,
    status: issue?.reason ?? 'not-fitted',
    note: issue?.detail ?? 'too few samples',
  };
}

/**
 * The fitted model as a function of a sample, or undefined when nothing was
 * fitted. Features without an estimate (constant, collinear) contribute 0:
 * their effect, where it exists in the data, is carried by the intercept or
 * their collinear partners, which is the correct prediction on data like the
 * training rows.
 */
export function predictorOf<S>(fit: ModelFit, features: readonly FeatureDef<S>[]): ((sample: S) => number) | undefined {
  if (fit.status !== 'fitted') return undefined;
  const used = features
    .map((feature) => ({ feature, value: fit.coefficients.find((c) => c.name === feature.name)?.value ?? null }))
    .filter((entry): entry is { feature: FeatureDef<S>; value: number } => entry.value !== null);
  const coefficients = Float64Array.from([fit.coefficients[0].value ?? 0, ...used.map((u) => u.value)]);
  const values = new Float64Array(used.length);
  return (sample: S) => {
    for (let j = 0; j < used.length; j++) values[j] = used[j].feature.value(sample);
    return predictLinear(coefficients, values);
  };
}
