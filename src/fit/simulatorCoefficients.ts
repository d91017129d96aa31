/**
 * The fit mapped onto the simulator coefficient file's fixed form
 * (formats.md §3b; µs):
 *   step time      = β0 + β1·new prefill tokens + β2·decode tokens
 *   API overhead   = α0 + α1·input tokens (before the engine queue)
 *                    + α2·output tokens (after the engine finishes)
 * The simulator runs its own queue and batches, so its α is the time spent
 * outside the engine, not the queue wait. See docs/fit.md for how exact each
 * mapping is.
 */
import type { ModelFit } from './modelFit.js';

export type AlphaSource = 'api-overhead' | 'queue-wait' | 'none';

export interface SimulatorCoefficients {
  /** [α0, α1, α2] µs, or null when they cannot be given honestly (see notes). */
  alphaCoeffsUs: [number, number, number] | null;
  alphaSource: AlphaSource;
  /** [β0, β1, β2] µs, or null (see notes). */
  betaCoeffsUs: [number, number, number] | null;
  /** The simulator-form beta fit's MAPE in percent: on the holdout, or on the training rows without one. */
  bestLoss: number | null;
  /** How each side was obtained, or why it is missing. */
  alphaNotes: string[];
  betaNotes: string[];
}

function coefficient(fit: ModelFit | null, name: string): number | null {
  return fit?.status === 'fitted' ? (fit.coefficients.find((c) => c.name === name)?.value ?? null) : null;
}

function missing(fit: ModelFit | null, name: string): string {
  if (fit === null) return 'not fitted';
  if (fit.status !== 'fitted') return fit.statusNote ?? 'not fitted';
  const entry = fit.coefficients.find((c) => c.name === name);
  return entry?.note ?? `${name} not estimated`;
}

/** `simulatorBeta` must be a fit on exactly intercept + prefill + decode. */
export function betaForSimulator(simulatorBeta: ModelFit | null, notes: string[]): { betaCoeffsUs: [number, number, number] | null; bestLoss: number | null } {
  const names = ['intercept', 'prefill', 'decode'] as const;
  const values = names.map((name) => coefficient(simulatorBeta, name));
  if (values.some((v) => v === null)) {
    names.forEach((name, i) => {
      if (values[i] === null) notes.push(`β${i} (${name}) has no estimate: ${missing(simulatorBeta, name)}`);
    });
    return { betaCoeffsUs: null, bestLoss: null };
  }
  const metrics = simulatorBeta?.test ?? simulatorBeta?.train ?? null;
  return { betaCoeffsUs: values as [number, number, number], bestLoss: metrics && Number.isFinite(metrics.mapePct) ? metrics.mapePct : null };
}

/** α from the API layer's own timings: exact in meaning (what the simulator adds outside its queue). */
export function alphaFromApiOverhead(ingress: ModelFit | null, egress: ModelFit | null, notes: string[]): [number, number, number] | null {
  const in0 = coefficient(ingress, 'intercept');
  const in1 = coefficient(ingress, 'prompt');
  const out0 = coefficient(egress, 'intercept');
  const out1 = coefficient(egress, 'output');
  if (in0 === null || in1 === null || out0 === null || out1 === null) {
    if (in0 === null || in1 === null) notes.push(`API ingress fit unusable: ${missing(ingress, in1 === null ? 'prompt' : 'intercept')}`);
    if (out0 === null || out1 === null) notes.push(`API egress fit unusable: ${missing(egress, out1 === null ? 'output' : 'intercept')}`);
    return null;
  }
  // The simulator has one fixed term: the egress intercept joins α0 so the total overhead per request is kept.
  notes.push(
    `α0 = ingress intercept ${in0.toFixed(1)} µs + egress intercept ${out0.toFixed(1)} µs; α1 from QUEUED − ARRIVED per prompt token; α2 from DEPARTED − FINISHED per output token`,
  );
  return [in0 + out0, in1, out1];
}

/**
 * Fallback without API events: the queue-wait fit collapsed to the fixed
 * form. α0 takes the queue-state terms at their training means, α1 the
 * prompt coefficient, α2 = 0. Approximate twice over: the load dependence is
 * frozen at this capture's average, and a simulator that queues requests
 * itself will count that waiting again.
 */
export function alphaFromQueueWait(queueFit: ModelFit | null, featureMeans: ReadonlyMap<string, number>, notes: string[]): [number, number, number] | null {
  if (queueFit?.status !== 'fitted') {
    notes.push(`queue-wait fit unusable: ${missing(queueFit, 'intercept')}`);
    return null;
  }
  let alpha0 = coefficient(queueFit, 'intercept') ?? 0;
  let alpha1 = 0;
  for (const c of queueFit.coefficients.slice(1)) {
    if (c.value === null) continue;
    if (c.name === 'prompt') alpha1 = c.value;
    else alpha0 += c.value * (featureMeans.get(c.name) ?? 0);
  }
  notes.push(
    'APPROXIMATE α: no API-layer events, so α comes from the queue-wait fit (α0 = intercept + queue-state terms at their training means, α1 = prompt coefficient, α2 = 0); ' +
      'a simulator that models its own queue will double-count this waiting',
  );
  return [alpha0, alpha1, 0];
}
