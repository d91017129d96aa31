/**
 * `fitCapture`: the alpha/beta regression of one capture, end to end and
 * pure (no I/O): sample extraction with exclusions → fits → prediction check
 * on the held-out requests → the simulator's fixed-form coefficients.
 * docs/fit.md documents every rule and the report's schema.
 */
import type { Capture } from '../capture/model.js';
import type { OtlpCapture } from '../capture/otlpRecords.js';
import { nearestRank } from '../stats/percentile.js';
import { extractAlphaSamples, type AlphaSample } from './alphaSamples.js';
import { extractEgressSamples, extractIngressSamples, type ApiSample } from './apiSamples.js';
import { selectBetaSamples, type SampleSet } from './betaSamples.js';
import {
  ALPHA_FEATURES,
  BETA_FEATURES,
  SIMULATOR_BETA_FEATURES,
  featureDefs,
  parseFeatureList,
  type FeatureDef,
  type FeatureSelection,
} from './features.js';
import { fitModel, predictorOf, type FitSettings, type ModelFit } from './modelFit.js';
import { FIT_DEFAULTS, FIT_TARGETS, STEP_SOURCE_CHOICES, type FitTarget } from './options.js';
import { checkPredictions, type PredictionCheck } from './predictionCheck.js';
import { alphaFromApiOverhead, alphaFromQueueWait, betaForSimulator, type SimulatorCoefficients } from './simulatorCoefficients.js';
import { buildStepRows, type StepRow, type StepRows, type StepSourceChoice } from './stepRows.js';

export const FIT_SCHEMA = 'vcr.fit/1';

export interface FitOptions {
  target?: FitTarget;
  /** A `--features` list (features.ts) or a resolved selection. */
  features?: string | FeatureSelection;
  /** Fraction of samples (the latest) held out for testing; default 0.2. */
  holdout?: number;
  /** Ridge penalty λ ≥ 0 on standardized coefficients; 0 (default) = OLS. */
  ridge?: number;
  /** Engine steps at the start treated as warm-up; default 10. */
  warmupSteps?: number;
  /** Steps preempting more requests than this are excluded; default 0. */
  maxPreemptedPerStep?: number;
  /** Which step stream the beta fit reads (stepRows.ts); default 'auto'. */
  stepSource?: StepSourceChoice;
}

export interface FitSettingsReport extends FitSettings {
  target: FitTarget;
  warmupSteps: number;
  maxPreemptedPerStep: number;
  stepSource: StepSourceChoice;
  features: FeatureSelection;
}

/** What the capture says about the deployment (the coefficient file's key) and, for `vcr gen` captures, the ground truth. */
export interface FitCaptureInfo {
  trace?: string;
  stepStats?: string;
  otlp?: string;
  model?: string;
  gpu?: string;
  tensorParallelism?: number;
  vllmVersion?: string;
  totalKvBlocks?: number;
  blockSize?: number;
  /** From the generator's meta `sim` block: [β0..β3] and [α0..α2], µs. */
  groundTruth?: { betaCoeffsUs: number[]; alphaCoeffsUs: number[] };
}

export interface BetaResult {
  stepSource: StepRows['source'];
  steps: number;
  stepsWithWallTime: number;
  /** Steps whose journeys did not account for their decode requests (no decode context). */
  contextMismatches: number;
  fit: ModelFit | null;
  /** The simulator's fixed form (intercept, prefill, decode) when `fit` used other features; null when `fit` is that form. */
  simulatorForm: ModelFit | null;
  unavailable?: string;
}

export interface AlphaResult {
  fit: ModelFit | null;
  /** Age of the queue state joined to each kept sample (QUEUED − summary start), ms. */
  summaryAgeMs: { p50: number; p99: number; max: number } | null;
  apiIngress: ModelFit | null;
  apiEgress: ModelFit | null;
  unavailable?: string;
}

export interface FitReport {
  schema: typeof FIT_SCHEMA;
  capture: FitCaptureInfo;
  settings: FitSettingsReport;
  beta: BetaResult | null;
  alpha: AlphaResult | null;
  prediction: PredictionCheck | null;
  simulator: SimulatorCoefficients;
  /** Things about the input the reader must know (dropped OTLP events, ill-conditioning, unidentifiable features). */
  warnings: string[];
}

/** Resolves options, throwing RangeError / FeatureListError on invalid values. */
export function resolveFitSettings(options: FitOptions = {}): FitSettingsReport {
  const target = options.target ?? FIT_DEFAULTS.target;
  if (!(FIT_TARGETS as readonly string[]).includes(target)) throw new RangeError(`target must be one of ${FIT_TARGETS.join(', ')}, got ${target}`);
  const holdout = options.holdout ?? FIT_DEFAULTS.holdout;
  if (!(holdout >= 0 && holdout < 1)) throw new RangeError(`holdout must be a fraction in [0, 1), got ${holdout}`);
  const ridge = options.ridge ?? FIT_DEFAULTS.ridge;
  if (!(ridge >= 0 && Number.isFinite(ridge))) throw new RangeError(`ridge must be a finite number ≥ 0, got ${ridge}`);
  const warmupSteps = options.warmupSteps ?? FIT_DEFAULTS.warmupSteps;
  if (!(Number.isInteger(warmupSteps) && warmupSteps >= 0)) throw new RangeError(`warm-up steps must be an integer ≥ 0, got ${warmupSteps}`);
  const maxPreemptedPerStep = options.maxPreemptedPerStep ?? FIT_DEFAULTS.maxPreemptedPerStep;
  if (!(Number.isInteger(maxPreemptedPerStep) && maxPreemptedPerStep >= 0)) {
    throw new RangeError(`max preempted per step must be an integer ≥ 0, got ${maxPreemptedPerStep}`);
  }
  const stepSource = options.stepSource ?? FIT_DEFAULTS.stepSource;
  if (!(STEP_SOURCE_CHOICES as readonly string[]).includes(stepSource)) throw new RangeError(`step source must be one of ${STEP_SOURCE_CHOICES.join(', ')}, got ${stepSource}`);
  const features = typeof options.features === 'object' ? options.features : parseFeatureList(options.features);
  return { target, holdout, ridge, warmupSteps, maxPreemptedPerStep, stepSource, features };
}

export function fitCapture(capture: Capture, options: FitOptions = {}): FitReport {
  const settings = resolveFitSettings(options);
  const warnings: string[] = [];
  const otlp = capture.otlp;
  if (otlp && otlp.stats.droppedEvents > 0) {
    warnings.push(
      `the OTLP file lost ${otlp.stats.droppedEvents} event(s) on ${otlp.stats.spansWithDroppedEvents} span(s) to the SDK's 128-events-per-span limit (oldest dropped): ` +
        'steps and journeys missing those events are excluded or counted below',
    );
  }

  const stepRows = buildStepRows(capture, settings.stepSource);
  const beta = settings.target === 'alpha' ? null : fitBeta(stepRows, settings, warnings);
  const alphaSet = settings.target !== 'beta' && otlp && otlp.requests.length > 0 ? extractAlphaSamples(otlp, settings) : undefined;
  const alpha = settings.target === 'beta' ? null : fitAlpha(otlp, alphaSet, settings, warnings);

  const prediction = predictionFor(otlp, stepRows, beta, alpha, alphaSet);
  const simulator = simulatorSection(beta, alpha, alphaSet, settings);
  return {
    schema: FIT_SCHEMA,
    capture: describeCapture(capture),
    settings,
    beta,
    alpha,
    prediction,
    simulator,
    warnings,
  };
}

/** The fits mapped onto the simulator's fixed form (simulatorCoefficients.ts), with why each side is what it is. */
function simulatorSection(
  beta: BetaResult | null,
  alpha: AlphaResult | null,
  alphaSet: SampleSet<AlphaSample> | undefined,
  settings: FitSettingsReport,
): SimulatorCoefficients {
  const alphaNotes: string[] = [];
  const betaNotes: string[] = [];
  const simulatorBeta = beta === null ? null : (beta.simulatorForm ?? beta.fit);
  const { betaCoeffsUs, bestLoss } = beta === null ? { betaCoeffsUs: null, bestLoss: null } : betaForSimulator(simulatorBeta, betaNotes);
  if (beta?.fit && beta.simulatorForm) betaNotes.push(...omittedFeatureNotes(beta.fit, beta.simulatorForm));
  let alphaCoeffsUs: SimulatorCoefficients['alphaCoeffsUs'] = null;
  let alphaSource: SimulatorCoefficients['alphaSource'] = 'none';
  if (alpha !== null && (alpha.apiIngress !== null || alpha.apiEgress !== null)) {
    alphaCoeffsUs = alphaFromApiOverhead(alpha.apiIngress, alpha.apiEgress, alphaNotes);
    if (alphaCoeffsUs) alphaSource = 'api-overhead';
  } else if (alpha?.fit && alphaSet) {
    const means = trainingMeans(alphaSet.samples, alpha.fit, featureDefs(ALPHA_FEATURES, settings.features.alpha));
    alphaCoeffsUs = alphaFromQueueWait(alpha.fit, means, alphaNotes);
    if (alphaCoeffsUs) alphaSource = 'queue-wait';
  }
  if (beta === null) betaNotes.push('not fitted (--target alpha)');
  else if (beta.unavailable) betaNotes.push(beta.unavailable);
  if (alpha === null) alphaNotes.push('not fitted (--target beta)');
  else if (alpha.unavailable) alphaNotes.push(alpha.unavailable);
  return { alphaCoeffsUs, alphaSource, betaCoeffsUs, bestLoss, alphaNotes, betaNotes };
}

const stepTime = (row: StepRow) => row.startMs;
const stepWall = (row: StepRow) => row.wallUs;

function fitBeta(stepRows: StepRows, settings: FitSettingsReport, warnings: string[]): BetaResult {
  const result: BetaResult = {
    stepSource: stepRows.source,
    steps: stepRows.rows.length,
    stepsWithWallTime: stepRows.wallKnown,
    contextMismatches: stepRows.contextMismatches,
    fit: null,
    simulatorForm: null,
  };
  if (stepRows.source === 'none') {
    result.unavailable = `${stepRows.contextUnavailable ?? 'the capture has no steps'}: give the step-stats sidecar or an OTLP file with step summaries`;
    return result;
  }
  const requested = settings.features.beta;
  const unavailable = requested.includes('decode_context') && stepRows.contextUnavailable ? [{ feature: 'decode_context', detail: stepRows.contextUnavailable }] : [];
  const names = requested.filter((name) => !unavailable.some((u) => u.feature === name));
  const features = featureDefs(BETA_FEATURES, names);
  const set = selectBetaSamples(stepRows, {
    warmupSteps: settings.warmupSteps,
    maxPreemptedPerStep: settings.maxPreemptedPerStep,
    needsDecodeContext: names.includes('decode_context'),
  });
  const spec = { target: 'beta', description: 'step wall time, µs', features, unavailable, timeMs: stepTime, targetUs: stepWall };
  result.fit = fitModel(spec, set, settings);
  noteFitProblems(result.fit, warnings);
  if (!sameFeatures(names, SIMULATOR_BETA_FEATURES)) {
    // The simulator's file holds exactly β0..β2: fit that form too, on every step the default rules keep.
    const simulatorSet = selectBetaSamples(stepRows, { warmupSteps: settings.warmupSteps, maxPreemptedPerStep: settings.maxPreemptedPerStep, needsDecodeContext: false });
    result.simulatorForm = fitModel(
      { ...spec, description: 'step wall time, µs (simulator form: intercept, prefill, decode)', features: featureDefs(BETA_FEATURES, SIMULATOR_BETA_FEATURES), unavailable: [] },
      simulatorSet,
      settings,
    );
  }
  return result;
}

function fitAlpha(otlp: OtlpCapture | undefined, alphaSet: SampleSet<AlphaSample> | undefined, settings: FitSettingsReport, warnings: string[]): AlphaResult {
  if (!otlp || !alphaSet) {
    return {
      fit: null,
      summaryAgeMs: null,
      apiIngress: null,
      apiEgress: null,
      unavailable: 'alpha needs request journeys: an OTLP file with journey.QUEUED / journey.SCHEDULED events',
    };
  }
  const features = featureDefs(ALPHA_FEATURES, settings.features.alpha);
  const fit = fitModel(
    { target: 'alpha', description: 'queue wait (first SCHEDULED − QUEUED), µs', features, timeMs: (s) => s.queuedMs, targetUs: (s) => s.queueWaitUs },
    alphaSet,
    settings,
  );
  noteFitProblems(fit, warnings);
  const ages = Float64Array.from(alphaSet.samples, (s) => s.summaryAgeMs).sort();
  const hasApi = otlp.requests.some((r) => r.events.some((e) => e.layer === 'api'));
  const apiSpec = (target: string, description: string, feature: FeatureDef<ApiSample>) => ({
    target,
    description,
    features: [feature],
    timeMs: (s: ApiSample) => s.timeMs,
    targetUs: (s: ApiSample) => s.durationUs,
  });
  const tokensAs = (name: string, doc: string): FeatureDef<ApiSample> => ({ name, unit: 'token', doc, value: (s) => s.tokens });
  return {
    fit,
    summaryAgeMs: ages.length > 0 ? { p50: nearestRank(ages, 0.5), p99: nearestRank(ages, 0.99), max: ages[ages.length - 1] } : null,
    apiIngress: hasApi
      ? fitModel(apiSpec('api_ingress', 'QUEUED − ARRIVED, µs', tokensAs('prompt', 'prompt tokens')), extractIngressSamples(otlp), settings)
      : null,
    apiEgress: hasApi
      ? fitModel(apiSpec('api_egress', 'DEPARTED − FINISHED, µs', tokensAs('output', 'output tokens')), extractEgressSamples(otlp), settings)
      : null,
  };
}

function predictionFor(
  otlp: OtlpCapture | undefined,
  stepRows: StepRows,
  beta: BetaResult | null,
  alpha: AlphaResult | null,
  alphaSet: SampleSet<AlphaSample> | undefined,
): PredictionCheck | null {
  if (!otlp || !beta?.fit || stepRows.source !== 'otlp') return null;
  const predictStep = predictorOf(beta.fit, BETA_FEATURES);
  if (!predictStep) return null;
  const predictQueue = alpha?.fit ? predictorOf(alpha.fit, ALPHA_FEATURES) : undefined;
  // Held-out requests arrive after both splits, so neither fit saw their queue state or their steps.
  const splits = [beta.fit.samples.splitTimeMs, alpha?.fit?.samples.splitTimeMs].filter((t): t is number => typeof t === 'number');
  if (splits.length === 0) return null;
  return checkPredictions({
    otlp,
    steps: stepRows.rows,
    predictStep,
    predictQueue,
    alphaSamples: new Map((alphaSet?.samples ?? []).map((s) => [s.journey, s])),
    splitTimeMs: Math.max(...splits),
  });
}

function noteFitProblems(fit: ModelFit, warnings: string[]): void {
  if (fit.status !== 'fitted') warnings.push(`${fit.target}: ${fit.statusNote}`);
  for (const issue of fit.identifiability.issues) warnings.push(`${fit.target}: ${issue.detail}`);
  for (const c of fit.coefficients) if (c.status === 'unavailable') warnings.push(`${fit.target}: ${c.name} unavailable: ${c.note}`);
  if (fit.identifiability.illConditioned) {
    warnings.push(
      `${fit.target}: features are strongly collinear (condition number ${fit.identifiability.conditionNumber.toFixed(0)}): standard errors are inflated, individual coefficients uncertain`,
    );
  }
}

/**
 * What the simulator's 3-coefficient form gives up: the extra features the
 * full fit found significant (|value| > 2 robust SE) have their cost folded
 * into β0..β2, which then differ from the full fit's values.
 */
function omittedFeatureNotes(full: ModelFit, simulatorForm: ModelFit): string[] {
  const significant = full.coefficients.filter(
    (c) => !(SIMULATOR_BETA_FEATURES as readonly string[]).includes(c.name) && c.name !== 'intercept' && c.value !== null && c.robustStdError !== null && Math.abs(c.value) > 2 * c.robustStdError,
  );
  if (significant.length === 0) return [];
  const mape = (fit: ModelFit) => fit.test?.mapePct ?? fit.train?.mapePct ?? NaN;
  return [
    `the file's fixed form leaves out ${significant.map((c) => c.name).join(', ')}, significant in the full fit: β0..β2 absorb that cost ` +
      `(holdout MAPE ${mape(simulatorForm).toFixed(2)}% in this form vs ${mape(full).toFixed(2)}% with it)`,
  ];
}

function sameFeatures(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/** Mean of each feature over the fit's training rows (the first `train` samples). */
function trainingMeans<S>(samples: readonly S[], fit: ModelFit, features: readonly FeatureDef<S>[]): Map<string, number> {
  const train = samples.slice(0, fit.samples.train);
  return new Map(features.map((f) => [f.name, train.reduce((sum, s) => sum + f.value(s), 0) / Math.max(1, train.length)]));
}

function describeCapture(capture: Capture): FitCaptureInfo {
  const meta = capture.meta;
  const info: FitCaptureInfo = {};
  if (capture.tracePath) info.trace = capture.tracePath;
  if (capture.stepStatsPath) info.stepStats = capture.stepStatsPath;
  if (capture.otlp) info.otlp = capture.otlp.path;
  const model = meta.model ?? capture.otlp?.resource.model;
  if (model) info.model = model;
  if (meta.gpu) info.gpu = meta.gpu;
  if (meta.tp !== undefined) info.tensorParallelism = meta.tp;
  if (meta.vllmVersion) info.vllmVersion = meta.vllmVersion;
  if (meta.blockSize !== undefined) info.blockSize = meta.blockSize;
  const kvTotal = (capture.otlp?.steps ?? []).reduce((max, s) => Math.max(max, s.kvBlocksTotalGpu), 0);
  if (kvTotal > 0) info.totalKvBlocks = kvTotal;
  const truth = groundTruth(meta.extra);
  if (truth) info.groundTruth = truth;
  return info;
}

/** The generator's `sim.step_time.beta_coeffs` and `sim.api_overhead.alpha_coeffs` (docs/generator.md). */
function groundTruth(extra: Record<string, unknown>): FitCaptureInfo['groundTruth'] {
  const sim = extra.sim as { step_time?: { beta_coeffs?: unknown }; api_overhead?: { alpha_coeffs?: unknown } } | undefined;
  const numbers = (value: unknown) => (Array.isArray(value) && value.every((v) => typeof v === 'number') ? (value as number[]) : undefined);
  const beta = numbers(sim?.step_time?.beta_coeffs);
  const alpha = numbers(sim?.api_overhead?.alpha_coeffs);
  return beta && alpha ? { betaCoeffsUs: beta, alphaCoeffsUs: alpha } : undefined;
}
