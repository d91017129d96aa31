/**
 * The fit against the generator's ground truth (docs/fit.md, "Recovery
 * tolerance"). True step time, µs: 6000 + 25·prefill + 35·decode
 * + 40·(decode context / 1000), lognormal noise with 3% sd; API overhead
 * α = (1200, 1, 5) µs.
 */
import { describe, expect, it } from 'vitest';
import { stepsFromOtlp } from '../../src/capture/derive/steps.js';
import type { Capture } from '../../src/capture/model.js';
import { fitCapture } from '../../src/fit/fitCapture.js';
import type { ModelFit } from '../../src/fit/modelFit.js';
import { generated } from './genCapture.js';

const TRUE_BETA: Record<string, number> = { intercept: 6000, prefill: 25, decode: 35, decode_context: 40 };
/** Relative tolerance on open-loop captures (poisson, burst, sweep). */
const OPEN_LOOP_TOLERANCE: Record<string, number> = { intercept: 0.01, prefill: 0.01, decode: 0.15, decode_context: 0.15 };
/** Every coefficient also lies within this many robust (HC1) standard errors of the truth. */
const MAX_ROBUST_SE = 3;
const REQUESTS = 300;

function estimate(fit: ModelFit | null | undefined, name: string): { value: number; robustStdError: number } {
  const c = fit?.coefficients.find((entry) => entry.name === name);
  if (!c || c.value === null || c.robustStdError === null) throw new Error(`${name} has no estimate`);
  return { value: c.value, robustStdError: c.robustStdError };
}

function expectWithinSe(fit: ModelFit, names: string[]): void {
  for (const name of names) {
    const { value, robustStdError } = estimate(fit, name);
    expect(Math.abs(value - TRUE_BETA[name]), `${name} = ${value} ± ${robustStdError}`).toBeLessThanOrEqual(MAX_ROBUST_SE * robustStdError);
  }
}

function expectWithinTolerance(fit: ModelFit, names: string[], tolerance: Record<string, number>): void {
  for (const name of names) {
    const { value } = estimate(fit, name);
    expect(Math.abs(value - TRUE_BETA[name]) / TRUE_BETA[name], `${name} = ${value} (true ${TRUE_BETA[name]})`).toBeLessThanOrEqual(tolerance[name]);
  }
}

describe('beta recovery, simulator form (intercept, prefill, decode) on captures whose true cost has no context term', () => {
  it.each([
    ['poisson', 1],
    ['burst', 2],
    ['sweep', 1],
  ] as const)('%s seed %i', async (scenario, seed) => {
    const report = fitCapture((await generated({ scenario, seed, requests: REQUESTS, beta3: 0 })).capture);
    const fit = report.beta!.fit!;
    expect(fit.status).toBe('fitted');
    expect(fit.samples.excluded.find((e) => e.rule === 'no-wall-time')!.count).toBeLessThan(fit.samples.extracted * 0.01);
    expectWithinTolerance(fit, ['intercept', 'prefill', 'decode'], OPEN_LOOP_TOLERANCE);
    expectWithinSe(fit, ['intercept', 'prefill', 'decode']);
    // The simulator file's β are this fit's coefficients.
    expect(report.beta!.simulatorForm).toBeNull();
    expect(report.simulator.betaCoeffsUs).toEqual(['intercept', 'prefill', 'decode'].map((n) => estimate(fit, n).value));
  });
});

describe('beta recovery with the decode × context feature on the default generator (true β3 = 40 µs per 1k context tokens)', () => {
  it.each([
    ['poisson', 1],
    ['burst', 2],
    ['sweep', 2],
  ] as const)('%s seed %i', async (scenario, seed) => {
    const report = fitCapture((await generated({ scenario, seed, requests: REQUESTS })).capture, { features: '+decode_context' });
    const fit = report.beta!.fit!;
    expect(report.beta!.contextMismatches).toBe(0);
    expectWithinTolerance(fit, ['intercept', 'prefill', 'decode', 'decode_context'], OPEN_LOOP_TOLERANCE);
    expectWithinSe(fit, ['intercept', 'prefill', 'decode', 'decode_context']);
    // The 3-coefficient simulator form cannot hold the context cost: it is fitted separately, and says so.
    expect(report.beta!.simulatorForm).not.toBeNull();
    expect(report.simulator.betaNotes.join(' ')).toMatch(/leaves out decode_context/);
  });
});

describe('closed-loop captures: the batch stays near the concurrency limit, so decode barely varies', () => {
  it('recovers prefill, keeps every coefficient within 3 robust SE, and shows decode as uncertain', async () => {
    const report = fitCapture((await generated({ scenario: 'closed', seed: 1, requests: REQUESTS, beta3: 0 })).capture);
    const fit = report.beta!.fit!;
    expectWithinTolerance(fit, ['prefill'], { prefill: 0.02 });
    expectWithinSe(fit, ['intercept', 'prefill', 'decode']);
    const decode = estimate(fit, 'decode');
    expect(decode.robustStdError).toBeGreaterThan(0.25 * TRUE_BETA.decode);
  });

  it('multi-turn (prefix caching) with decode × context: prefill and context recovered', async () => {
    const report = fitCapture((await generated({ scenario: 'multiturn', seed: 1, requests: REQUESTS })).capture, { features: '+decode_context' });
    const fit = report.beta!.fit!;
    expectWithinTolerance(fit, ['prefill', 'decode_context'], { prefill: 0.02, decode_context: 0.15 });
    expectWithinSe(fit, ['intercept', 'prefill', 'decode', 'decode_context']);
  });
});

describe('alpha from the API layer and the prediction check', () => {
  it('recovers the generator\'s α0, α1, α2 from ARRIVED → QUEUED and FINISHED → DEPARTED', async () => {
    // With the engine trace: its meta line carries the ground truth.
    const report = fitCapture((await generated({ scenario: 'sweep', seed: 2, requests: REQUESTS }, { trace: true })).capture, { features: '+decode_context' });
    expect(report.simulator.alphaSource).toBe('api-overhead');
    const [a0, a1, a2] = report.simulator.alphaCoeffsUs!;
    // Only the generator's rounding to whole µs separates these from the truth.
    expect(a0).toBeCloseTo(1200, 0);
    expect(a1).toBeCloseTo(1, 2);
    expect(a2).toBeCloseTo(5, 2);
    expect(report.capture.groundTruth).toEqual({ betaCoeffsUs: [6000, 25, 35, 40], alphaCoeffsUs: [1200, 1, 5] });
  });

  it('predicts held-out prefill and ITL percentiles from the fitted betas', async () => {
    const report = fitCapture((await generated({ scenario: 'sweep', seed: 2, requests: REQUESTS })).capture, { features: '+decode_context' });
    const p = report.prediction!;
    expect(p.heldOutRequests).toBeGreaterThan(20);
    for (const key of ['p50', 'p90']) {
      expect(Math.abs(p.itl!.relativeError[key]), `ITL ${key}`).toBeLessThan(0.05);
      expect(Math.abs(p.prefill!.relativeError[key]), `prefill ${key}`).toBeLessThan(0.1);
    }
    expect(p.ttft!.n).toBeGreaterThan(0);
    // Held out means after both splits: no request queued before either fit's test set.
    expect(p.splitTimeMs).toBeGreaterThanOrEqual(report.beta!.fit!.samples.splitTimeMs!);
    expect(p.splitTimeMs).toBeGreaterThanOrEqual(report.alpha!.fit!.samples.splitTimeMs!);
  });
});

describe('identifiability on real-looking gaps in the data', () => {
  /** A decode-only window: only the summaries of steps that ran no prefill, so prefill never varies. */
  function decodeOnly(capture: Capture): Capture {
    const steps = capture.otlp!.steps.filter((s) => s.prefillTokens === 0);
    return { ...capture, steps: stepsFromOtlp(steps), otlp: { ...capture.otlp!, steps } };
  }

  it('reports prefill as unidentifiable (constant) instead of printing a coefficient, and withholds β from the simulator', async () => {
    const report = fitCapture(decodeOnly((await generated({ scenario: 'sweep', seed: 1, requests: REQUESTS, beta3: 0 })).capture), { target: 'beta' });
    const fit = report.beta!.fit!;
    expect(fit.status).toBe('fitted');
    const prefill = fit.coefficients.find((c) => c.name === 'prefill')!;
    expect(prefill).toMatchObject({ value: null, stdError: null, status: 'constant' });
    expect(fit.identifiability.issues.map((i) => i.feature)).toEqual(['prefill']);
    expect(report.warnings.join('\n')).toMatch(/prefill is constant \(0\)/);
    // The remaining coefficients are still estimated, and decode is still right.
    expect(Math.abs(estimate(fit, 'decode').value - 35) / 35).toBeLessThan(0.1);
    expect(report.simulator.betaCoeffsUs).toBeNull();
    expect(report.simulator.betaNotes.join(' ')).toMatch(/β1 \(prefill\) has no estimate/);
  });

  it('reports the alpha queue-state feature that never varies at this load (waiting depth stays 0)', async () => {
    const report = fitCapture((await generated({ scenario: 'poisson', seed: 1, requests: REQUESTS, beta3: 0 })).capture, { target: 'alpha' });
    const waiting = report.alpha!.fit!.coefficients.find((c) => c.name === 'waiting')!;
    expect(waiting.status).toBe('constant');
    expect(waiting.value).toBeNull();
  });
});
