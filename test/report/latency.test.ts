import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/capture/load.js';
import type { Capture } from '../../src/capture/model.js';
import { analyzeLatency, LATENCY_METRIC_KEYS, type LatencyAnalysis, type LatencyMetric } from '../../src/report/latency.js';
import type { Distribution } from '../../src/report/distribution.js';
import { latencyDocument } from '../../src/report/latencyDocument.js';
import { renderMarkdown } from '../../src/report/render/markdown.js';
import { renderTerminal } from '../../src/report/render/terminal.js';
import { parseBucketScheme } from '../../src/stats/buckets.js';
import { openDatabase, type VcrDatabase } from '../../src/sql/database.js';
import { loadFiles } from '../../src/sql/load.js';
import { runQuery, type Cell } from '../../src/sql/query.js';
import { generate, rawDerived, readRawRequests, sqlBucketMax, textbookMean, textbookPercentile, useTempDirs, type GeneratedFiles, type RawRequest, writeJsonLines } from './fixtures.js';
import { jsonKeyPaths } from './schemaShape.js';

const tempDir = useTempDirs();
let files: GeneratedFiles;
let capture: Capture;
let analysis: LatencyAnalysis;
let raw: RawRequest[];

beforeAll(async () => {
  files = await generate(tempDir(), { requests: 250, seed: 11, rate: 20 });
  capture = await loadCapture({ trace: files.trace, stepStats: files.stepStats, otlp: files.otlp });
  analysis = analyzeLatency(capture);
  raw = readRawRequests(files.trace);
});

const QUANTILES: [keyof Distribution, number][] = [
  ['p50Ms', 0.5],
  ['p90Ms', 0.9],
  ['p95Ms', 0.95],
  ['p99Ms', 0.99],
  ['p999Ms', 0.999],
];

/** The samples of each metric from raw lines, the formats.md definitions applied by hand. */
function rawSamples(requests: RawRequest[]): Record<LatencyMetric, number[]> {
  const derived = requests.map(rawDerived);
  return {
    ttft: requests.map((r) => r.ttft_ms),
    itl: derived.flatMap((d) => d.gaps),
    itlRequestMean: derived.map((d) => d.meanItl).filter((v) => !Number.isNaN(v)),
    tpot: derived.map((d) => d.tpot).filter((v) => !Number.isNaN(v)),
    e2e: derived.map((d) => d.e2e),
  };
}

function expectDistribution(actual: Distribution, values: number[]): void {
  expect(actual.count).toBe(values.length);
  expect(actual.meanMs).toBeCloseTo(textbookMean(values), 9);
  for (const [key, p] of QUANTILES) expect(actual[key]).toBe(textbookPercentile(values, p));
  expect(actual.maxMs).toBe(Math.max(...values));
}

describe('latency report numbers', () => {
  it('overall: every metric equals an independent computation from the raw trace lines', () => {
    const samples = rawSamples(raw);
    expect(analysis.report.overall.requests).toBe(raw.length);
    for (const key of LATENCY_METRIC_KEYS) expectDistribution(analysis.report.overall[key], samples[key]);
  });

  it('per bucket: the same, with requests grouped by the SQL bucket formula', () => {
    const groups = new Map<number, RawRequest[]>();
    for (const r of raw) {
      const max = sqlBucketMax(r.concurrency ?? 1);
      groups.set(max, [...(groups.get(max) ?? []), r]);
    }
    expect(analysis.report.byBucket.map((row) => row.maxConcurrency)).toEqual([...groups.keys()].sort((a, b) => a - b));
    expect(analysis.report.byBucket.length).toBeGreaterThan(2);
    for (const row of analysis.report.byBucket) {
      const members = groups.get(row.maxConcurrency!)!;
      expect(row.requests).toBe(members.length);
      const samples = rawSamples(members);
      for (const key of LATENCY_METRIC_KEYS) expectDistribution(row[key], samples[key]);
    }
  });

  it('queue wait: first SCHEDULED − QUEUED per journey, read from the raw OTLP lines', () => {
    const waits: number[] = [];
    for (const line of readFileSync(files.otlp, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const message = JSON.parse(line) as { resourceSpans: { scopeSpans: { spans: { name: string; events?: { name: string; timeUnixNano: string }[] }[] }[] }[] };
      for (const span of message.resourceSpans.flatMap((r) => r.scopeSpans).flatMap((s) => s.spans)) {
        if (span.name !== 'llm_core') continue;
        const first = (name: string) => (span.events ?? []).filter((e) => e.name === name).map((e) => BigInt(e.timeUnixNano)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[0];
        const queued = first('journey.QUEUED');
        const scheduled = first('journey.SCHEDULED');
        if (queued !== undefined && scheduled !== undefined) waits.push(Number(scheduled - queued) / 1e6);
      }
    }
    expect(analysis.report.queueWait?.source).toBe('journey');
    const d = analysis.report.queueWait!.distribution;
    expect(d.count).toBe(waits.length);
    for (const [key, p] of QUANTILES) expect(d[key]).toBeCloseTo(textbookPercentile(waits, p), 9);
  });

  it('states the pooled vs per-request contrast in one sentence', () => {
    const contrast = analysis.report.itlContrast;
    expect(contrast.pooledP99Ms).toBe(analysis.report.overall.itl.p99Ms);
    expect(contrast.requestMeanP99Ms).toBe(analysis.report.overall.itlRequestMean.p99Ms);
    expect(contrast.ratio).toBeCloseTo(contrast.pooledP99Ms / contrast.requestMeanP99Ms, 12);
    expect(contrast.statement).toMatch(/^Per token, ITL p99 is .* ms over \d+ pooled gaps; per request, the p99 of mean ITL is .* ms .*\.$/);
    expect(contrast.statement).toContain('client-side benchmark');
    expect(contrast.statement.split('. ').length).toBe(1);
  });

  it('handles a converted trace with only per-request ITL summaries', async () => {
    const trace = writeJsonLines(join(tempDir(), 'trace.jsonl'), [
      { prompt_tokens: 10, output_tokens: 5, ttft_ms: 40, itl_summary: { mean_ms: 10, count: 4 } },
      { prompt_tokens: 10, output_tokens: 3, ttft_ms: 20, itl_summary: { mean_ms: 6, count: 2 } },
    ]);
    const summaryOnly = analyzeLatency(await loadCapture({ trace }));
    const { overall } = summaryOnly.report;
    expect(overall.itl.count).toBe(0);
    expect(overall.itl.p99Ms).toBeNaN();
    expect(overall.itlRequestMean).toMatchObject({ count: 2, p50Ms: 6, maxMs: 10, meanMs: 8 });
    expect(overall.e2e).toMatchObject({ p50Ms: 32, maxMs: 80 });
    expect(summaryOnly.report.queueWait).toBeNull();
    expect(summaryOnly.report.itlContrast.statement).toBe('No recorded inter-token gaps: the per-token and per-request ITL views cannot be compared.');
    expect(JSON.parse(JSON.stringify(summaryOnly.report)).overall.itl.p99Ms).toBeNull();
    expect(latencyDocument(summaryOnly).blocks.filter((b) => b.kind === 'figure').length).toBe(1);
  });

  it('honours custom bucket edges', () => {
    const custom = analyzeLatency(capture, { buckets: parseBucketScheme('4,16') }).report;
    expect(custom.buckets).toMatchObject({ scheme: 'edges', edges: [4, 16] });
    expect(custom.byBucket.map((row) => row.bucket)).toEqual(['≤4', '5-16', '>16'].filter((label) => custom.byBucket.some((row) => row.bucket === label)));
    expect(custom.byBucket.reduce((n, row) => n + row.requests, 0)).toBe(raw.length);
    expect(custom.byBucket.at(-1)?.maxConcurrency).toBeNull();
  });
});

describe('latency report equals the canned SQL', () => {
  let db: VcrDatabase;
  beforeAll(async () => {
    db = await openDatabase(':memory:');
    await loadFiles(db, [files.trace]);
  });
  afterAll(() => db.close());

  async function rows(query: string): Promise<Record<string, Cell>[]> {
    const result = await runQuery(db, readFileSync(new URL(`../../queries/${query}`, import.meta.url), 'utf8'));
    return Array.from({ length: result.rowCount }, (_, r) => Object.fromEntries(result.columns.map((c, i) => [c.name, result.values[i][r]])));
  }

  const asNumber = (cell: Cell) => (typeof cell === 'bigint' ? Number(cell) : (cell as number));

  it('latency_percentiles.sql: same buckets, counts and percentiles for TTFT, ITL, TPOT, E2E', async () => {
    const sql = await rows('latency_percentiles.sql');
    const report = analysis.report;
    const metricOf = { ttft: 'ttft', itl: 'itl', tpot: 'tpot', e2e: 'e2e' } as const;
    let compared = 0;
    for (const [sqlMetric, key] of Object.entries(metricOf)) {
      const reportRows = [report.overall, ...report.byBucket];
      const sqlRows = sql.filter((row) => row.metric === sqlMetric);
      expect(sqlRows.map((row) => row.bucket)).toEqual(reportRows.map((row) => row.bucket));
      sqlRows.forEach((row, i) => {
        const d = reportRows[i][key];
        expect(asNumber(row.count)).toBe(d.count);
        expect(row.p50_ms).toBe(d.p50Ms);
        expect(row.p90_ms).toBe(d.p90Ms);
        expect(row.p95_ms).toBe(d.p95Ms);
        expect(row.p99_ms).toBe(d.p99Ms);
        expect(row.p99_9_ms).toBe(d.p999Ms);
        expect(row.max_ms).toBe(d.maxMs);
        expect(asNumber(row.mean_ms)).toBeCloseTo(d.meanMs, 9);
        compared++;
      });
    }
    expect(compared).toBeGreaterThan(8);
  });

  it('itl_per_token_vs_request.sql: pooled and per-request ITL agree', async () => {
    const sql = await rows('itl_per_token_vs_request.sql');
    const reportRows = [analysis.report.overall, ...analysis.report.byBucket];
    expect(sql.map((row) => row.bucket)).toEqual(reportRows.map((row) => row.bucket));
    sql.forEach((row, i) => {
      expect(row.pooled_p50_ms).toBe(reportRows[i].itl.p50Ms);
      expect(row.pooled_p99_ms).toBe(reportRows[i].itl.p99Ms);
      expect(row.per_request_p50_ms).toBe(reportRows[i].itlRequestMean.p50Ms);
      expect(row.per_request_p99_ms).toBe(reportRows[i].itlRequestMean.p99Ms);
    });
  });
});

describe('latency report rendering', () => {
  it('JSON schema: the documented key paths, nothing else', () => {
    expect(jsonKeyPaths(analysis.report)).toEqual(LATENCY_KEY_PATHS);
  });

  it('terminal and Markdown forms carry the tables, the contrast and the definitions', () => {
    const doc = latencyDocument(analysis);
    const text = renderTerminal(doc, { color: false });
    expect(text).toContain('Latency report');
    expect(text).toContain('ITL per token (pooled gaps)');
    expect(text).toContain('nearest rank');
    expect(text).toContain('queue wait (journey)');
    const md = renderMarkdown(doc);
    expect(md).toContain('| metric (ms) | count | mean | p50 | p90 | p95 | p99 | p99.9 | max |');
    expect(md).toContain('## By concurrency bucket');
    expect(md).toContain(analysis.report.itlContrast.statement);
    // One table per metric by bucket, plus the overall table.
    expect(md.match(/^\| (metric|concurrency) /gm)?.length).toBe(1 + LATENCY_METRIC_KEYS.length);
    expect(doc.blocks.filter((b) => b.kind === 'figure').length).toBe(3);
  });
});

const DISTRIBUTION = ['count', 'maxMs', 'meanMs', 'p50Ms', 'p90Ms', 'p95Ms', 'p999Ms', 'p99Ms'];
const ROW = (prefix: string) => [
  `${prefix}.bucket`,
  `${prefix}.maxConcurrency`,
  `${prefix}.requests`,
  ...LATENCY_METRIC_KEYS.flatMap((key) => [`${prefix}.${key}`, ...DISTRIBUTION.map((field) => `${prefix}.${key}.${field}`)]),
];
const LATENCY_KEY_PATHS = [
  'schema',
  'capture',
  ...['gaps', 'model', 'otlp', 'requests', 'source', 'steps', 'trace', 'withoutArrival'].map((k) => `capture.${k}`),
  'percentileDefinition',
  'buckets',
  'buckets.definition',
  'buckets.edges',
  'buckets.scheme',
  'metrics',
  ...LATENCY_METRIC_KEYS.map((key) => `metrics.${key}`),
  'overall',
  ...ROW('overall'),
  'byBucket',
  'byBucket[]',
  ...ROW('byBucket[]'),
  'queueWait',
  'queueWait.source',
  'queueWait.distribution',
  ...DISTRIBUTION.map((field) => `queueWait.distribution.${field}`),
  'itlContrast',
  ...['pooledP99Ms', 'ratio', 'requestMeanP99Ms', 'statement'].map((k) => `itlContrast.${k}`),
].sort();
