import { describe, expect, it } from 'vitest';
import { extractAlphaSamples } from '../../src/fit/alphaSamples.js';
import { fitCapture, resolveFitSettings } from '../../src/fit/fitCapture.js';
import { renderFitReport } from '../../src/fit/render.js';
import { generated } from './genCapture.js';

const GEN = { scenario: 'burst', seed: 4, requests: 150, beta3: 0 } as const;

describe('fitCapture on partial captures', () => {
  it('fits beta from the sidecar alone and says why alpha and decode context are unavailable', async () => {
    const { capture } = await generated(GEN, { trace: true, stepStats: true, otlp: false });
    const report = fitCapture(capture, { features: '+decode_context' });
    expect(report.beta!.stepSource).toBe('sidecar');
    expect(report.beta!.fit!.status).toBe('fitted');
    expect(report.beta!.fit!.coefficients.find((c) => c.name === 'decode_context')).toMatchObject({ status: 'unavailable', value: null });
    expect(report.alpha!.unavailable).toMatch(/OTLP/);
    expect(report.simulator.alphaSource).toBe('none');
    expect(report.simulator.alphaNotes.join(' ')).toMatch(/journeys/);
    expect(report.prediction).toBeNull();
    expect(report.warnings.join('\n')).toMatch(/decode_context unavailable/);
    const text = renderFitReport(report);
    expect(text).toContain('Steps from the step-stats sidecar');
    expect(text).toContain('Not fitted: alpha needs request journeys');
  });

  it('reports a capture too small to fit instead of failing', async () => {
    const { capture } = await generated({ scenario: 'poisson', seed: 1, requests: 2 });
    const report = fitCapture(capture, { target: 'alpha' });
    expect(report.alpha!.fit!.status).toBe('too-few-samples');
    expect(report.alpha!.fit!.statusNote).toMatch(/training samples cannot fit/);
    expect(report.alpha!.fit!.coefficients.every((c) => c.value === null)).toBe(true);
    expect(renderFitReport(report)).toContain('Not fitted:');
  });

  it('applies ridge: same samples, a worse training fit than OLS, slopes shrinking to 0 as λ grows', async () => {
    const { capture } = await generated(GEN);
    const ols = fitCapture(capture, { target: 'beta' }).beta!.fit!;
    const ridge = fitCapture(capture, { target: 'beta', ridge: 0.5 }).beta!.fit!;
    const heavy = fitCapture(capture, { target: 'beta', ridge: 1e4 }).beta!.fit!;
    expect(ridge.method).toBe('ridge');
    expect(ridge.ridge).toBe(0.5);
    expect(ridge.samples.used).toBe(ols.samples.used);
    // OLS minimises the training residuals; any penalty gives that up.
    expect(ridge.train!.rmse).toBeGreaterThan(ols.train!.rmse);
    const slope = (fit: typeof ols, name: string) => Math.abs(fit.coefficients.find((c) => c.name === name)!.value!);
    for (const name of ['prefill', 'decode']) expect(slope(heavy, name)).toBeLessThan(0.01 * slope(ols, name));
  });

  it('falls back to the queue-wait fit for α without API events, and says it is approximate', async () => {
    const { capture } = await generated(GEN);
    const coreOnly = { ...capture, otlp: { ...capture.otlp!, requests: capture.otlp!.requests.map((r) => ({ ...r, events: r.events.filter((e) => e.layer === 'core') })) } };
    const report = fitCapture(coreOnly);
    expect(report.alpha!.apiIngress).toBeNull();
    expect(report.simulator.alphaSource).toBe('queue-wait');
    const fit = report.alpha!.fit!;
    const prompt = fit.coefficients.find((c) => c.name === 'prompt')!.value!;
    const [a0, a1, a2] = report.simulator.alphaCoeffsUs!;
    expect(a1).toBe(prompt);
    expect(a2).toBe(0);
    // α0 = intercept + queue-state terms at their training means, so α0 + α1·mean prompt = the mean OLS prediction = the mean training queue wait.
    const train = extractAlphaSamples(coreOnly.otlp, { warmupSteps: 10 }).samples.slice(0, fit.samples.train);
    const mean = (f: (s: (typeof train)[number]) => number) => train.reduce((sum, s) => sum + f(s), 0) / train.length;
    expect(a0 + a1 * mean((s) => s.promptTokens)).toBeCloseTo(mean((s) => s.queueWaitUs), 6);
    expect(report.simulator.alphaNotes.join(' ')).toMatch(/APPROXIMATE/);
  });

  it('validates its options', () => {
    expect(() => resolveFitSettings({ holdout: 1 })).toThrow(/holdout/);
    expect(() => resolveFitSettings({ ridge: -1 })).toThrow(/ridge/);
    expect(() => resolveFitSettings({ warmupSteps: 1.5 })).toThrow(/warm-up/);
    expect(resolveFitSettings({})).toMatchObject({ target: 'both', holdout: 0.2, ridge: 0, warmupSteps: 10, maxPreemptedPerStep: 0, stepSource: 'auto' });
  });
});
