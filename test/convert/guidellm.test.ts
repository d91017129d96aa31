import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/capture/load.js';
import type { TraceRecord } from '../../src/capture/records.js';
import { useConverter } from './convertHelpers.js';
import { guidellmReport, guidellmRequest, type GuidellmBenchmark, type GuidellmTimings } from './fixtures.js';

const { convert, convertError } = useConverter();

const T0 = 1_740_000_000;

/** Concurrent, 4 streams: three requests started 0, 0.5 and 1 s after T0. */
const CONCURRENT_TIMINGS: GuidellmTimings[] = [
  { prompt: 128, output: 100, startS: T0, firstTokenS: T0 + 0.045, lastTokenS: T0 + 1.5 },
  { prompt: 256, output: 50, startS: T0 + 0.5, firstTokenS: T0 + 0.58, lastTokenS: T0 + 2 },
  { prompt: 64, output: 1, startS: T0 + 1, firstTokenS: T0 + 1.03, lastTokenS: T0 + 1.03 },
];
/** Synchronous, one request a minute later. */
const SYNCHRONOUS_TIMINGS: GuidellmTimings[] = [{ prompt: 32, output: 10, startS: T0 + 60, firstTokenS: T0 + 60.025, lastTokenS: T0 + 62 }];

function sweep(): GuidellmBenchmark[] {
  return [
    { strategy: { type_: 'concurrent', streams: 4, rampup_duration: 0 }, successful: CONCURRENT_TIMINGS.map((t, i) => guidellmRequest(t, `c${i}`)) },
    { strategy: { type_: 'synchronous' }, successful: SYNCHRONOUS_TIMINGS.map((t, i) => guidellmRequest(t, `s${i}`)) },
  ];
}

function view(record: TraceRecord) {
  return {
    prompt: record.promptTokens,
    output: record.outputTokens,
    ttftMs: record.ttftMs,
    itlMs: record.itlMs,
    itlSummary: record.itlSummary,
    concurrency: record.concurrency,
    arrivalMs: record.arrivalMs,
  };
}

/** guidellm's inter_token_latency_ms: (last − first token) / (output − 1), in ms. */
function meanGapMs(t: GuidellmTimings): number {
  return (1000 * (t.lastTokenS - t.firstTokenS)) / (t.output - 1);
}

describe('vcr convert guidellm: benchmark reports', () => {
  it('maps every successful request of every benchmark, arrivals from the earliest start', async () => {
    const report = guidellmReport(sweep());
    const { records, meta, summary } = await convert('guidellm', report);
    const source = (report.benchmarks as { requests: { successful: Record<string, number>[] } }[]).flatMap((b) => b.requests.successful);
    // Ends: 0 + 45 + 1455 = 1500, 500 + 80 + 1420 = 2000, 1000 + 30 = 1030, 60000 + 25 + 1975 = 62000.
    expect(records.map(view)).toEqual([
      { prompt: 64, output: 1, ttftMs: source[2].time_to_first_token_ms, itlMs: undefined, itlSummary: undefined, concurrency: 4, arrivalMs: 1000 },
      { prompt: 128, output: 100, ttftMs: source[0].time_to_first_token_ms, itlMs: undefined, itlSummary: { meanMs: source[0].inter_token_latency_ms, count: 99 }, concurrency: 4, arrivalMs: 0 },
      { prompt: 256, output: 50, ttftMs: source[1].time_to_first_token_ms, itlMs: undefined, itlSummary: { meanMs: source[1].inter_token_latency_ms, count: 49 }, concurrency: 4, arrivalMs: 500 },
      { prompt: 32, output: 10, ttftMs: source[3].time_to_first_token_ms, itlMs: undefined, itlSummary: { meanMs: source[3].inter_token_latency_ms, count: 9 }, concurrency: 1, arrivalMs: 60000 },
    ]);
    expect(meta).toEqual({
      model: 'Qwen/Qwen3-8B',
      source: 'guidellm',
      extra: {
        guidellm_version: '0.6.0',
        capture_start_epoch_s: T0,
        guidellm_benchmarks: [
          { index: 0, strategy: 'concurrent' },
          { index: 1, strategy: 'synchronous' },
        ],
      },
    });
    expect(summary.written).toBe(4);
    expect(summary.skipped.total).toBe(0);
  });

  it("gives guidellm's inter_token_latency_ms back as the capture's TPOT, not its time_per_output_token_ms", async () => {
    const { output } = await convert('guidellm', guidellmReport(sweep()));
    const capture = await loadCapture({ trace: output });
    // Capture rows are in arrival order: the three concurrent requests, then the synchronous one.
    const timings = [...CONCURRENT_TIMINGS, ...SYNCHRONOUS_TIMINGS];
    timings.forEach((t, i) => {
      const tpot = capture.requests.tpotMs[i];
      if (t.output <= 1) {
        expect(tpot).toBeNaN();
        return;
      }
      // Two ways: the converted capture's decode time / (output − 1), and guidellm's own number.
      expect(tpot).toBeCloseTo(meanGapMs(t), 9);
      expect(tpot).toBeCloseTo(guidellmRequest(t).inter_token_latency_ms as number, 9);
      // guidellm's time_per_output_token_ms includes the TTFT and divides by every token: a different number.
      expect(Math.abs(tpot - (guidellmRequest(t).time_per_output_token_ms as number))).toBeGreaterThan(0.1);
      // Decode time survives: E2E = TTFT + (last − first token).
      expect(capture.requests.e2eMs[i]).toBeCloseTo(1000 * (t.lastTokenS - t.startS), 6);
    });
    expect(capture.requests.concurrency[3]).toBe(1);
  });

  it('converts only the benchmark --benchmark names, with arrivals from its own first start', async () => {
    const { records, meta } = await convert('guidellm', guidellmReport(sweep()), { benchmark: 1 });
    expect(records.map(view)).toEqual([
      { prompt: 32, output: 10, ttftMs: 1000 * (SYNCHRONOUS_TIMINGS[0].firstTokenS - T0 - 60), itlMs: undefined, itlSummary: { meanMs: meanGapMs(SYNCHRONOUS_TIMINGS[0]), count: 9 }, concurrency: 1, arrivalMs: 0 },
    ]);
    expect(meta.extra).toMatchObject({ capture_start_epoch_s: T0 + 60, guidellm_benchmarks: [{ index: 1, strategy: 'synchronous' }] });
  });

  it('rejects a --benchmark index the report does not have (usage error)', async () => {
    const failed = await convertError('guidellm', guidellmReport(sweep()), { benchmark: 2 });
    expect(failed.message).toBe('--benchmark 2: IN has 2 benchmark(s) (indices 0-1)');
    expect(failed.leftBehind).toEqual([]);
  });

  it('skips and counts incomplete and errored requests, and requests guidellm could not measure', async () => {
    const [first, second] = CONCURRENT_TIMINGS;
    const noTtft = { ...guidellmRequest(second, 'no-ttft'), time_to_first_token_ms: null, inter_token_latency_ms: null };
    const noGaps = { ...guidellmRequest(second, 'no-gaps'), inter_token_latency_ms: null };
    const noUsage = { ...guidellmRequest(second, 'no-usage'), prompt_tokens: null };
    const { records, summary } = await convert('guidellm', guidellmReport([
      {
        strategy: { type_: 'constant', rate: 2 },
        successful: [guidellmRequest(first, 'ok'), noTtft, noGaps, noUsage],
        incomplete: [{ request_id: 'cancelled' }],
        errored: [{ request_id: 'e1' }, { request_id: 'e2' }],
      },
    ]));
    expect(records.map((record) => record.promptTokens)).toEqual([128]);
    // Not a concurrent strategy: no concurrency to report.
    expect(records[0].concurrency).toBe(1);
    expect(summary.written).toBe(1);
    expect(summary.skipped.total).toBe(6);
    expect(summary.skipped.countsText()).toBe('1 no first token, 1 no decode timing, 1 no token counts, 1 incomplete, 2 errored');
    expect(summary.skipped.examples).toEqual([
      'benchmarks[0].requests.successful[1]: no first token (time_to_first_token_ms is null)',
      'benchmarks[0].requests.successful[2]: no decode timing (inter_token_latency_ms is null with 50 output tokens)',
      'benchmarks[0].requests.successful[3]: no token counts (prompt_tokens is null)',
      'benchmarks[0].requests.incomplete[0]: incomplete',
      'benchmarks[0].requests.errored[0]: errored',
    ]);
  });

  it('says when guidellm kept only a sample of the requests', async () => {
    const [benchmark] = sweep();
    const { summary } = await convert('guidellm', guidellmReport([{ ...benchmark, totalSuccessful: 1000 }]));
    expect(summary.notes).toEqual(['benchmark 0 lists 3 of its 1000 successful requests (guidellm kept a sample: --sample-requests); the trace holds only those']);
  });

  it('reads a gzip report', async () => {
    const { records } = await convert('guidellm', guidellmReport(sweep()), { gzipInput: true });
    expect(records).toHaveLength(4);
  });

  describe('bad input: one error naming the file and JSON path, and no output file', () => {
    const withFirstRequest = (change: Record<string, unknown>) => {
      const benchmarks = sweep();
      benchmarks[0].successful[0] = { ...benchmarks[0].successful[0], ...change };
      return guidellmReport(benchmarks);
    };
    const cases: [string, unknown, string][] = [
      ['a token count of the wrong type', withFirstRequest({ prompt_tokens: 'x' }), 'IN: benchmarks[0].requests.successful[0].prompt_tokens must be an integer >= 0 (got "x")'],
      ['a negative TTFT', withFirstRequest({ time_to_first_token_ms: -4 }), 'IN: benchmarks[0].requests.successful[0].time_to_first_token_ms must be a finite number >= 0 (got -4)'],
      ['a missing key', withFirstRequest({ inter_token_latency_ms: undefined }), 'IN: missing required key benchmarks[0].requests.successful[0].inter_token_latency_ms (expected a finite number >= 0)'],
      ['a start time of the wrong type', withFirstRequest({ request_start_time: '2025-03-01' }), 'IN: benchmarks[0].requests.successful[0].request_start_time must be a finite number (got "2025-03-01")'],
      ['a request that is not an object', guidellmReport([{ strategy: { type_: 'synchronous' }, successful: [[1]] as never }]), 'IN: benchmarks[0].requests.successful[0] must be an object (got an array)'],
      ['a concurrent strategy without streams', guidellmReport([{ ...sweep()[0], strategy: { type_: 'concurrent' } }]), 'IN: missing required key benchmarks[0].config.strategy.streams (expected an integer >= 1)'],
      ['no benchmarks list', { args: {}, benchmarks: {} }, 'IN: benchmarks must be an array (got an object)'],
      ['a vllm bench result given as guidellm', { input_lens: [1], ttfts: [0.1] }, 'IN: missing required key benchmarks (expected an array)'],
    ];
    for (const [name, report, message] of cases) {
      it(name, async () => {
        const failed = await convertError('guidellm', report);
        expect(failed.message).toBe(message);
        expect(failed.leftBehind).toEqual([]);
      });
    }

    it('a syntax error, by line and column of the pretty-printed report', async () => {
      const lines = JSON.stringify(guidellmReport(sweep()), null, 2).split('\n');
      // A trailing comma after the last of args' members: the error is the closing brace on the next line.
      const last = lines.indexOf('    "profile": "sweep"');
      lines[last] += ',';
      const failed = await convertError('guidellm', lines.join('\n'));
      expect(failed.message).toBe(`IN:${last + 2}: invalid JSON at column 3: found "}" (expected a double-quoted key)`);
      expect(failed.leftBehind).toEqual([]);
    });
  });
});
