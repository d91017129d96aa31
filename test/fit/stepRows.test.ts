import { describe, expect, it } from 'vitest';
import { buildStepRows } from '../../src/fit/stepRows.js';
import { generated } from './genCapture.js';

describe('buildStepRows: choosing and reading the step stream', () => {
  it('prefers OTLP summaries (exact batches) when they time as many steps as the sidecar', async () => {
    const { capture } = await generated({ scenario: 'multiturn', seed: 2, requests: 120 }, { stepStats: true });
    expect(capture.steps.source).toBe('sidecar');
    const auto = buildStepRows(capture);
    expect(auto.source).toBe('otlp');
    const sidecar = buildStepRows(capture, 'sidecar');
    expect(sidecar.source).toBe('sidecar');
    expect(sidecar.contextUnavailable).toMatch(/sidecar/);

    // The sidecar's new prefill tokens (prefix-cache queries − hits) and wall times agree with the OTLP summaries step by step.
    const otlpById = new Map(auto.rows.map((row) => [row.stepId, row]));
    let compared = 0;
    let withHits = 0;
    for (const row of sidecar.rows) {
      const otlp = otlpById.get(row.stepId);
      if (!otlp) continue;
      compared++;
      expect(row.prefillTokens).toBe(otlp.prefillTokens);
      if (!Number.isNaN(otlp.wallUs)) expect(row.wallUs).toBeCloseTo(otlp.wallUs, 3);
    }
    for (let i = 0; i < capture.steps.count; i++) if (capture.steps.prefixHits[i] > 0) withHits++;
    expect(compared).toBeGreaterThan(sidecar.rows.length * 0.95);
    // Multi-turn prompts share prefixes, so hits exist and the subtraction mattered.
    expect(withHits).toBeGreaterThan(10);
  });

  it('falls back to the sidecar when OTLP step sampling leaves few timed steps, and reports a forced stream the capture lacks', async () => {
    const { capture } = await generated({ scenario: 'poisson', seed: 2, requests: 120, stepSample: 0.05 }, { stepStats: true });
    expect(buildStepRows(capture).source).toBe('sidecar');
    const forced = buildStepRows(capture, 'otlp');
    expect(forced.source).toBe('otlp');
    expect(forced.wallKnown).toBeLessThan(forced.rows.length * 0.2);
    const otlpOnly = (await generated({ scenario: 'poisson', seed: 2, requests: 120, stepSample: 0.05 })).capture;
    expect(buildStepRows(otlpOnly, 'sidecar')).toMatchObject({ source: 'none', rows: [], contextUnavailable: 'the capture has no step-stats sidecar' });
  });
});
