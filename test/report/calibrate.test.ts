import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/capture/load.js';
import type { Capture } from '../../src/capture/model.js';
import {
  analyzeCalibration,
  CALIBRATE_METRIC_KEYS,
  DEFAULT_TOLERANCE,
  samplesDump,
  type CalibrationAnalysis,
} from '../../src/report/calibrate.js';
import { calibrateDocument } from '../../src/report/calibrateDocument.js';
import { writeJsonFile } from '../../src/report/output.js';
import { renderTerminal } from '../../src/report/render/terminal.js';
import { generate, rawDerived, readRawRequests, textbookPercentile, useTempDirs, type GeneratedFiles } from './fixtures.js';
import { jsonKeyPaths } from './schemaShape.js';

const tempDir = useTempDirs();
let sourceFiles: GeneratedFiles;
let source: Capture;
let slower: Capture;
let self: CalibrationAnalysis;
let versusSlower: CalibrationAnalysis;

// Same workload and seed; the replay's fixed per-step cost is 6 ms → 8 ms (every step a third slower at its base).
const WORKLOAD = { requests: 300, seed: 5, rate: 12 } as const;

beforeAll(async () => {
  sourceFiles = await generate(tempDir(), WORKLOAD);
  const slowerFiles = await generate(tempDir(), { ...WORKLOAD, beta0: 8000 });
  source = await loadCapture({ trace: sourceFiles.trace });
  slower = await loadCapture({ trace: slowerFiles.trace });
  self = analyzeCalibration(source, source);
  versusSlower = analyzeCalibration(source, slower);
});

describe('calibrate a capture against itself', () => {
  it('has zero error everywhere, KS 0, and passes', () => {
    const { report } = self;
    expect(report.verdict.pass).toBe(true);
    expect(report.verdict.failed).toBe(0);
    expect(report.tolerance).toBe(DEFAULT_TOLERANCE);
    for (const row of [report.overall, ...report.byBucket]) {
      for (const metric of CALIBRATE_METRIC_KEYS) {
        const m = row[metric];
        for (const q of Object.values(m.quantiles)) {
          expect(q.replay).toBe(q.source);
          expect(q.relError).toBe(0);
        }
        expect(m.tailRatio.relError).toBe(0);
        expect(m.ks).toBe(0);
      }
    }
    expect(report.verdict.statement).toBe(`PASS: all ${report.verdict.checked} gated relative errors are within ±10.0%.`);
  });

  it('gates the "all" row and only buckets with enough requests on both sides', () => {
    const { report } = self;
    const gatedRows = [report.overall, ...report.byBucket].filter((row) => row.gated);
    expect(gatedRows[0]).toBe(report.overall);
    for (const row of report.byBucket) expect(row.gated).toBe(row.sourceRequests >= 100 && row.replayRequests >= 100);
    // 3 metrics × (p50, p90, p99, p99/p50) per gated row.
    expect(report.verdict.checked).toBe(gatedRows.length * 12);
    expect(report.checks.every((check) => gatedRows.some((row) => row.bucket === check.bucket))).toBe(true);
  });
});

describe('calibrate against a replay with a slower step time', () => {
  it('fails, on ITL and decode-total quantiles, each replay slower than the source', () => {
    const { report } = versusSlower;
    expect(report.verdict.pass).toBe(false);
    const failed = report.checks.filter((check) => !check.pass);
    const failedAll = new Set(failed.filter((check) => check.bucket === 'all').map((check) => `${check.metric} ${check.quantity}`));
    for (const expected of ['itl p50', 'itl p90', 'decodeTotal p50', 'decodeTotal p90', 'decodeTotal p99']) expect(failedAll).toContain(expected);
    // Every failed quantile is the replay being slower (positive error), never faster.
    for (const check of failed.filter((c) => c.quantity !== 'p99/p50')) expect(check.relError).toBeGreaterThan(DEFAULT_TOLERANCE);
    // The ITL body moves by about the base-cost ratio (6 → 8 ms of a ~7.5 ms step).
    expect(report.overall.itl.quantiles.p50.relError).toBeGreaterThan(0.2);
    expect(report.overall.itl.quantiles.p50.relError).toBeLessThan(0.4);
    expect(report.overall.itl.ks).toBeGreaterThan(0.5);
    expect(report.verdict.statement).toMatch(/^FAIL: \d+ of \d+ gated relative errors exceed ±10\.0%\. Worst: /);
  });

  it('passes the same pair with a tolerance wider than the slowdown', () => {
    expect(analyzeCalibration(source, slower, { tolerance: 10 }).report.verdict.pass).toBe(true);
  });

  it('quantiles, errors and tail ratios equal an independent computation from the raw lines', () => {
    const raw = readRawRequests(sourceFiles.trace);
    const ttft = raw.map((r) => r.ttft_ms);
    const itl = raw.flatMap((r) => r.itl_ms ?? []);
    const decode = raw.map((r) => rawDerived(r).decode);
    const overall = versusSlower.report.overall;
    for (const [key, p] of [['p50', 0.5], ['p90', 0.9], ['p99', 0.99]] as const) {
      expect(overall.ttft.quantiles[key].source).toBe(textbookPercentile(ttft, p));
      expect(overall.itl.quantiles[key].source).toBe(textbookPercentile(itl, p));
      expect(overall.decodeTotal.quantiles[key].source).toBeCloseTo(textbookPercentile(decode, p), 9);
      const q = overall.itl.quantiles[key];
      expect(q.relError).toBeCloseTo((q.replay - q.source) / q.source, 12);
    }
    expect(overall.itl.tailRatio.source).toBeCloseTo(textbookPercentile(itl, 0.99) / textbookPercentile(itl, 0.5), 12);
  });
});

describe('calibration outputs', () => {
  it('--dump-samples: sorted samples of both captures as JSON', async () => {
    const path = join(tempDir(), 'samples.json');
    await writeJsonFile(samplesDump(versusSlower), path);
    const dump = JSON.parse(readFileSync(path, 'utf8'));
    expect(dump.schema).toBe('vcr.calibrate.samples/1');
    expect(dump.unit).toBe('ms');
    for (const side of ['source', 'replay'] as const) {
      for (const key of CALIBRATE_METRIC_KEYS) {
        const values = dump[side][key] as number[];
        expect(values.length).toBe(versusSlower.samples[side][key].length);
        expect(values.every((v, i) => i === 0 || v >= values[i - 1])).toBe(true);
      }
    }
    expect(dump.source.ttft.length).toBe(source.requests.count);
    expect(dump.source.itl.length).toBe(source.gaps.count);
  });

  it('JSON schema: the documented key paths', () => {
    expect(jsonKeyPaths(versusSlower.report)).toEqual(CALIBRATE_KEY_PATHS);
  });

  it('renders the verdict first, the gate column and the KS table', () => {
    const text = renderTerminal(calibrateDocument(versusSlower), { color: false });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Calibration report');
    expect(text.indexOf('Verdict')).toBeLessThan(text.indexOf('TTFT (ms)'));
    expect(text).toContain('FAIL');
    expect(text).toMatch(/concurrency +quantity +source +replay +rel\. error +gate/);
    expect(text).toContain('KS ITL');
    expect(calibrateDocument(versusSlower).blocks.filter((b) => b.kind === 'figure').length).toBe(4);
  });
});

const COMPARED = ['relError', 'replay', 'source'];
const METRIC = (prefix: string) => [
  `${prefix}.ks`,
  `${prefix}.replayCount`,
  `${prefix}.sourceCount`,
  `${prefix}.quantiles`,
  ...['p50', 'p90', 'p99'].flatMap((q) => [`${prefix}.quantiles.${q}`, ...COMPARED.map((f) => `${prefix}.quantiles.${q}.${f}`)]),
  `${prefix}.tailRatio`,
  ...COMPARED.map((f) => `${prefix}.tailRatio.${f}`),
];
const ROW = (prefix: string) => [
  ...['bucket', 'gated', 'maxConcurrency', 'replayRequests', 'sourceRequests'].map((k) => `${prefix}.${k}`),
  ...CALIBRATE_METRIC_KEYS.flatMap((key) => [`${prefix}.${key}`, ...METRIC(`${prefix}.${key}`)]),
];
const CAPTURE = (prefix: string) => [prefix, ...['gaps', 'model', 'otlp', 'requests', 'source', 'steps', 'trace', 'withoutArrival'].map((k) => `${prefix}.${k}`)];
const CALIBRATE_KEY_PATHS = [
  'schema',
  ...CAPTURE('source'),
  ...CAPTURE('replay'),
  'percentileDefinition',
  'buckets',
  'buckets.definition',
  'buckets.edges',
  'buckets.scheme',
  'metrics',
  ...CALIBRATE_METRIC_KEYS.map((key) => `metrics.${key}`),
  'tolerance',
  'minBucketRequests',
  'gateDefinition',
  'overall',
  ...ROW('overall'),
  'byBucket',
  'byBucket[]',
  ...ROW('byBucket[]'),
  'checks',
  'checks[]',
  ...['bucket', 'metric', 'pass', 'quantity', 'relError', 'replay', 'source'].map((k) => `checks[].${k}`),
  'verdict',
  ...['checked', 'failed', 'pass', 'statement'].map((k) => `verdict.${k}`),
].sort();
