import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/capture/load.js';
import { analyzeFidelity, type FidelityAnalysis } from '../../src/report/fidelity.js';
import { fidelityDocument } from '../../src/report/fidelityDocument.js';
import { renderTerminal } from '../../src/report/render/terminal.js';
import { generate, useTempDirs, writeJsonLines } from './fixtures.js';
import { jsonKeyPaths } from './schemaShape.js';

const tempDir = useTempDirs();

/**
 * A capture small enough to work out by hand. Steps (sidecar, ms):
 *   [0,10] prefill (1 req, 100 tok) · [10,20] decode · [20,30] prefill+decode (1 req, 50 tok) · [30,40] decode · [40,50] decode
 * Requests:
 *   A arrives 0, first token 10, gaps 10, 10, 10, 9 (the last ends at 49, 1 ms short of its step)
 *   B arrives 5, first token 30, one gap of 20 (ends at 50: two steps long)
 *   C has no arrival_ms (one gap, off the clock)
 *   D arrives 60, first token 65, after the last step (no step under its bar)
 */
let handBuilt: FidelityAnalysis;

beforeAll(async () => {
  const dir = tempDir();
  const trace = writeJsonLines(join(dir, 'trace.jsonl'), [
    { meta: { model: 'hand-built' } },
    { prompt_tokens: 100, output_tokens: 5, ttft_ms: 10, itl_ms: [10, 10, 10, 9], arrival_ms: 0 },
    { prompt_tokens: 50, output_tokens: 2, ttft_ms: 25, itl_ms: [20], arrival_ms: 5, concurrency: 2 },
    { prompt_tokens: 10, output_tokens: 2, ttft_ms: 3, itl_ms: [4] },
    { prompt_tokens: 10, output_tokens: 1, ttft_ms: 5, arrival_ms: 60 },
  ]);
  const step = (ts: number, running: number, prefill?: { requests: number; queries: number }) => ({
    ts_ms: ts,
    scheduler: { num_running_reqs: running, num_waiting_reqs: 0, kv_cache_usage: 0.1, ...(prefill ? { prefix_cache_stats: { ...prefill, hits: 0 } } : {}) },
  });
  const stepStats = writeJsonLines(join(dir, 'trace-step-stats.jsonl'), [
    step(0, 0),
    step(10, 1, { requests: 1, queries: 100 }),
    step(20, 1),
    step(30, 2, { requests: 1, queries: 50 }),
    step(40, 2),
    step(50, 2),
  ]);
  handBuilt = analyzeFidelity(await loadCapture({ trace, stepStats }));
});

describe('fidelity on a hand-built capture', () => {
  it('summarises the steps', () => {
    expect(handBuilt.report.steps).toEqual({ source: 'sidecar', count: 5, withPrefill: 2, wallKnown: 5, meanDurationMs: 10, meanPrefillRequests: 1 });
  });

  it('splits each prefill bar into prefill-step time and queue wait', () => {
    const byArrival = Object.fromEntries(handBuilt.report.requests.map((r) => [r.arrivalMs, r]));
    expect(byArrival[0]).toMatchObject({ barMs: 10, prefillStepMs: 10, queueMs: 0, prefillSteps: 1 });
    // B: [5,30] = 5 ms under the first prefill step, 10 under the decode step, 10 under the prefill+decode step.
    expect(byArrival[5]).toMatchObject({ barMs: 25, prefillStepMs: 15, queueMs: 10, prefillSteps: 2 });
    expect(byArrival[60]).toMatchObject({ barMs: 5, prefillStepMs: 0, queueMs: 5, prefillSteps: 0 });
    const bars = handBuilt.report.prefillBars;
    expect(bars).toMatchObject({
      requests: 3,
      withoutArrival: 1,
      totalBarMs: 40,
      totalPrefillStepMs: 25,
      totalQueueMs: 15,
      totalQueueDecodeStepMs: 10,
      totalQueueNoStepMs: 5,
      prefillStepShare: 25 / 40,
      queueShare: 15 / 40,
      barsWithoutPrefillStep: 1,
      // 25 ms of bars under 20 ms of prefill steps.
      meanOpenBarsDuringPrefillSteps: 1.25,
    });
    // Per-request queue shares 0, 0.4, 1: nearest-rank p50 is the 2nd, p90 the 3rd.
    expect(bars.queueSharePerRequest).toEqual({ p50: 0.4, p90: 1, p99: 1 });
    expect(bars.queueMs).toMatchObject({ count: 3, p50Ms: 5, maxMs: 10 });
  });

  it('finds the peak of overlapping bars and the prefill steps in it', () => {
    expect(handBuilt.report.peak).toEqual({ bars: 2, fromMs: 5, toMs: 10, prefillSteps: 1, prefillRequests: 1, prefillTokens: 100 });
  });

  it('matches decode gaps to the step that delivered their token', () => {
    expect(handBuilt.report.decodeGaps).toEqual({
      gaps: 5,
      matched: 5,
      withinTolerance: 3,
      longer: 1,
      shorter: 1,
      tolerance: 0.05,
      share: 0.6,
      medianAbsRelDiff: 0,
      medianEndOffsetMs: 0,
    });
    expect(Array.from(handBuilt.gapStepRatios)).toEqual([0.9, 1, 1, 1, 2]);
  });

  it('tells the reader which view to trust, from the numbers', () => {
    const [requestView, stepView] = handBuilt.report.verdict;
    expect(requestView).toContain('Trust the request view');
    expect(requestView).toContain('37.5% of all prefill-bar time overlapped no step that ran prefill');
    expect(requestView).toContain('2 prefill bars overlapped, while the engine ran prefill in 1 step (1 request prefill)');
    expect(stepView).toContain('Trust the step view (the step-stats sidecar)');
    expect(stepView).toContain('60.0% of decode gaps are within 5%');
    expect(stepView).toContain('20.0% are longer than their step');
  });

  it('draws the window around the peak: both bars on their own rows, the steps under them', () => {
    const { timeline } = handBuilt;
    // Peak [5, 10] padded by the median bar (10 ms), not reaching back before the first arrival.
    expect([timeline.fromMs, timeline.toMs, timeline.laneStride]).toEqual([0, 20, 1]);
    expect(timeline.bars.map((b) => [b.startMs, b.endMs, b.row])).toEqual([
      [0, 10, 0],
      [5, 30, 1],
    ]);
    expect(timeline.prefillSteps.map((s) => [s.startMs, s.endMs])).toEqual([[0, 10]]);
    expect(timeline.decodeSteps.map((s) => [s.startMs, s.endMs])).toEqual([[10, 20]]);
    expect(timeline.prefillSteps[0].label).toBe('step 1: prefill (+1r 100t), 10.00 ms');
  });

  it('says when prefill bars are a fair picture of compute', async () => {
    const dir = tempDir();
    const trace = writeJsonLines(join(dir, 'trace.jsonl'), [{ prompt_tokens: 100, output_tokens: 1, ttft_ms: 10, arrival_ms: 0 }]);
    const stepStats = writeJsonLines(join(dir, 'trace-step-stats.jsonl'), [
      { ts_ms: 0, scheduler: { num_running_reqs: 0, num_waiting_reqs: 1, kv_cache_usage: 0 } },
      { ts_ms: 10, scheduler: { num_running_reqs: 1, num_waiting_reqs: 0, kv_cache_usage: 0.1, prefix_cache_stats: { requests: 1, queries: 100, hits: 0 } } },
    ]);
    const [requestView] = analyzeFidelity(await loadCapture({ trace, stepStats })).report.verdict;
    expect(requestView).toContain('Its prefill bars are close to prefill compute here: only 0.0% of all prefill-bar time');
    expect(requestView).toContain('Prefill bars never overlapped');
  });

  it('copes with a trace that has no clock at all', async () => {
    const dir = tempDir();
    const trace = writeJsonLines(join(dir, 'trace.jsonl'), [{ prompt_tokens: 10, output_tokens: 2, ttft_ms: 3, itl_ms: [4] }]);
    const stepStats = writeJsonLines(join(dir, 'trace-step-stats.jsonl'), [
      { ts_ms: 0, scheduler: { num_running_reqs: 1, num_waiting_reqs: 0, kv_cache_usage: 0 } },
      { ts_ms: 10, scheduler: { num_running_reqs: 1, num_waiting_reqs: 0, kv_cache_usage: 0 } },
    ]);
    const analysis = analyzeFidelity(await loadCapture({ trace, stepStats }));
    expect(analysis.report.prefillBars).toMatchObject({ requests: 0, withoutArrival: 1, totalBarMs: 0 });
    expect(analysis.report.peak.bars).toBe(0);
    expect(analysis.report.verdict[0]).toContain('No prefill bar has a length on the clock.');
    expect(analysis.report.verdict[1]).toContain('The trace has no decode gaps on the clock to compare with steps.');
    expect(renderTerminal(fidelityDocument(analysis), { color: false })).toContain('No prefill bar has a positive length on the clock.');
  });

  it('renders the verdict first and the definitions last', () => {
    const text = renderTerminal(fidelityDocument(handBuilt), { color: false });
    expect(text.indexOf('Verdict: which view to trust for what')).toBeLessThan(text.indexOf('Prefill bars: queue wait'));
    expect(text).toContain('queue wait: no step recorded');
    expect(text).toContain('1 request without arrival_ms left out');
    expect(text).toContain('1 prefill bar overlapping no step that ran prefill at all');
    expect(text.lastIndexOf('Definitions')).toBeGreaterThan(text.indexOf('Requests that waited longest'));
  });

  it('JSON schema: the documented key paths', () => {
    expect(jsonKeyPaths(handBuilt.report)).toEqual(FIDELITY_KEY_PATHS);
  });
});

describe('fidelity on generated captures', () => {
  let files: Awaited<ReturnType<typeof generate>>;
  beforeAll(async () => {
    files = await generate(tempDir(), { requests: 200, seed: 21, scenario: 'burst', burstSize: 24, burstIntervalS: 2 });
  });

  it('with the sidecar: totals add up and decode gaps are step times', async () => {
    const { report } = analyzeFidelity(await loadCapture({ trace: files.trace, stepStats: files.stepStats }));
    const bars = report.prefillBars;
    expect(bars.totalPrefillStepMs + bars.totalQueueMs).toBeCloseTo(bars.totalBarMs, 6);
    expect(bars.totalQueueDecodeStepMs + bars.totalQueueNoStepMs).toBeCloseTo(bars.totalQueueMs, 6);
    expect(report.requests.reduce((sum, r) => sum + r.queueMs, 0)).toBeCloseTo(bars.totalQueueMs, 6);
    // Bursts queue requests behind each other: many bars overlap, far fewer prefill steps run under them.
    expect(report.peak.bars).toBeGreaterThan(5);
    expect(report.peak.prefillSteps).toBeLessThan(report.peak.bars);
    expect(report.decodeGaps.share).toBeGreaterThan(0.95);
    // Many bars open while each prefill step prefills about one request: the verdict says so.
    expect(report.prefillBars.meanOpenBarsDuringPrefillSteps).toBeGreaterThan(2 * report.steps.meanPrefillRequests);
    expect(report.verdict[0]).toContain('Even under steps that ran prefill');
    expect(Math.abs(report.decodeGaps.medianEndOffsetMs)).toBeLessThan(1e-6);
  });

  it('with OTLP steps only: the same clock, steps from step events', async () => {
    const { report } = analyzeFidelity(await loadCapture({ trace: files.trace, otlp: files.otlp }));
    expect(report.steps.source).toBe('otlp');
    expect(report.decodeGaps.matched).toBeGreaterThan(0.8 * report.decodeGaps.gaps);
    expect(report.decodeGaps.withinTolerance).toBe(report.decodeGaps.matched);
    expect(report.verdict[1]).toContain('the OTLP step summaries');
  });
});

const DISTRIBUTION = ['count', 'maxMs', 'meanMs', 'p50Ms', 'p90Ms', 'p95Ms', 'p999Ms', 'p99Ms'];
const FIDELITY_KEY_PATHS = [
  'schema',
  'capture',
  ...['gaps', 'model', 'otlp', 'requests', 'source', 'steps', 'trace', 'withoutArrival'].map((k) => `capture.${k}`),
  'steps',
  ...['count', 'meanDurationMs', 'meanPrefillRequests', 'source', 'wallKnown', 'withPrefill'].map((k) => `steps.${k}`),
  'percentileDefinition',
  'prefillBars',
  ...[
    'barsWithoutPrefillStep',
    'meanOpenBarsDuringPrefillSteps',
    'prefillStepShare',
    'queueShare',
    'requests',
    'totalBarMs',
    'totalPrefillStepMs',
    'totalQueueDecodeStepMs',
    'totalQueueMs',
    'totalQueueNoStepMs',
    'withoutArrival',
    'queueSharePerRequest',
    'queueSharePerRequest.p50',
    'queueSharePerRequest.p90',
    'queueSharePerRequest.p99',
  ].map((k) => `prefillBars.${k}`),
  ...['barMs', 'prefillStepMs', 'queueMs'].flatMap((k) => [`prefillBars.${k}`, ...DISTRIBUTION.map((f) => `prefillBars.${k}.${f}`)]),
  'peak',
  ...['bars', 'fromMs', 'prefillRequests', 'prefillSteps', 'prefillTokens', 'toMs'].map((k) => `peak.${k}`),
  'decodeGaps',
  ...['gaps', 'longer', 'matched', 'medianAbsRelDiff', 'medianEndOffsetMs', 'share', 'shorter', 'tolerance', 'withinTolerance'].map((k) => `decodeGaps.${k}`),
  'verdict',
  'verdict[]',
  'requests',
  'requests[]',
  ...['arrivalMs', 'barMs', 'id', 'prefillStepMs', 'prefillSteps', 'queueMs'].map((k) => `requests[].${k}`),
].sort();
