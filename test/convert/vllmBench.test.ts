import { describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/capture/load.js';
import type { TraceRecord } from '../../src/capture/records.js';
import { useConverter } from './convertHelpers.js';
import { vllmResult, type VllmRequest } from './fixtures.js';

const { convert, convertError } = useConverter();

/** A record as the test states it: ms, plain arrays. */
function view(record: TraceRecord) {
  return {
    prompt: record.promptTokens,
    output: record.outputTokens,
    ttftMs: record.ttftMs,
    itlMs: record.itlMs && Array.from(record.itlMs),
    itlSummary: record.itlSummary,
    itlTokens: record.itlTokens,
    concurrency: record.concurrency,
    arrivalMs: record.arrivalMs,
  };
}

/** Three streamed requests, one token per chunk; sent 0, 10 and 20 ms apart, finishing in the order c, a, b. */
const A: VllmRequest = { input: 100, output: 3, ttftS: 0.05, itlsS: [0.01, 0.012], startS: 7.5 };
const B: VllmRequest = { input: 200, output: 4, ttftS: 0.0625, itlsS: [0.02, 0.02, 0.021], startS: 7.51 };
const C: VllmRequest = { input: 50, output: 1, ttftS: 0.03, itlsS: [], startS: 7.52 };

describe('vcr convert bench: vllm bench serve --save-detailed results', () => {
  it('maps every request to seconds→ms fields, arrival from start_times, in finish order', async () => {
    const { records, meta, summary } = await convert('bench', vllmResult([A, B, C]));
    // Ends: a 0 + 50 + 22 = 72, b 10 + 62.5 + 61 = 133.5, c 20 + 30 = 50.
    expect(records.map(view)).toEqual([
      { prompt: 50, output: 1, ttftMs: 30, itlMs: undefined, itlSummary: undefined, itlTokens: undefined, concurrency: 4, arrivalMs: 20 },
      { prompt: 100, output: 3, ttftMs: 50, itlMs: [10, 12], itlSummary: undefined, itlTokens: undefined, concurrency: 4, arrivalMs: 0 },
      { prompt: 200, output: 4, ttftMs: 62.5, itlMs: [20, 20, 21], itlSummary: undefined, itlTokens: undefined, concurrency: 4, arrivalMs: 10 },
    ]);
    expect(meta).toEqual({
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      source: 'vllm-bench',
      // label is null in the result: left out.
      extra: { date: '20250301-101500', backend: 'openai', request_rate: 'inf', burstiness: 1, max_concurrency: 4, num_prompts: 3, duration_s: 12.5 },
    });
    expect(summary.written).toBe(3);
    expect(summary.skipped.total).toBe(0);
    expect(summary.notes).toEqual([]);
  });

  it("gives vLLM's TPOT and pooled ITL back from the converted capture", async () => {
    const requests: VllmRequest[] = [
      A,
      B,
      // Two tokens per chunk: 7 tokens in 4 chunks, so the gaps become an itl_summary.
      { input: 30, output: 7, ttftS: 0.04, itlsS: [0.03, 0.031, 0.029], startS: 7.53 },
    ];
    const result = vllmResult(requests);
    const { output } = await convert('bench', result);
    const capture = await loadCapture({ trace: output });
    // vLLM: tpot = (latency − ttft) / (output_len − 1) per request; capture rows are in arrival order, as requests were sent.
    const latencies = result.latencies as number[];
    requests.forEach((request, i) => {
      expect(capture.requests.tpotMs[i]).toBeCloseTo((1000 * (latencies[i] - request.ttftS)) / (request.output - 1), 6);
    });
    // vLLM's mean ITL pools every chunk gap; the per-gap requests give the same gaps back.
    const pooled = [...A.itlsS, ...B.itlsS].map((gap) => gap * 1000);
    expect(Array.from(capture.gaps.durMs)).toEqual(pooled);
    expect(capture.requests.summaryGapCount[2]).toBe(3);
  });

  it('writes an itl_summary when the chunk count is not output_tokens − 1, and says so', async () => {
    const { records, summary } = await convert('bench', vllmResult([
      // Multi-token chunks: 6 tokens, first chunk + 3 more.
      { input: 10, output: 6, ttftS: 0.02, itlsS: [0.01, 0.02, 0.03], startS: 1 },
      // Chat API: a role-only first chunk, then one chunk per token: 3 gaps for 3 tokens.
      { input: 10, output: 3, ttftS: 0.02, itlsS: [0.0001, 0.01, 0.012], startS: 2 },
    ]));
    expect(records.map((record) => [record.itlMs, record.itlSummary])).toEqual([
      [undefined, { meanMs: 20, count: 3 }],
      // Decode time 22.1 ms over output − 1 = 2 gaps: vLLM's TPOT.
      [undefined, { meanMs: 11.05, count: 2 }],
    ]);
    expect(summary.notes).toEqual([
      '2 request(s) had a chunk count other than output_tokens - 1 (multi-token chunks or a chat role chunk): written as itl_summary (decode time and TPOT kept, per-gap times not)',
    ]);
  });

  it('skips and counts failed requests and single-chunk outputs, naming the first few', async () => {
    const traceback = 'Traceback (most recent call last):\n  File "serve.py", line 1, in <module>\naiohttp.client_exceptions.ServerDisconnectedError: Server disconnected\n';
    const { records, summary } = await convert('bench', vllmResult([
      A,
      { input: 20, output: 0, ttftS: 0, itlsS: [], startS: 7.6, error: traceback },
      // vLLM can mark a request failed with an empty error (an HTTP error without a reason): no chunk, no output.
      { input: 30, output: 0, ttftS: 0, itlsS: [], startS: 7.7 },
      { input: 40, output: 5, ttftS: 0.1, itlsS: [], startS: 7.8 },
      { input: 40, output: 1, ttftS: 0.1, itlsS: [0.00005], startS: 7.9 },
    ]));
    expect(records.map((record) => record.promptTokens)).toEqual([100, 40]);
    expect(summary.written).toBe(2);
    expect(summary.skipped.total).toBe(3);
    expect(summary.skipped.countsText()).toBe('2 failed, 1 no decode timing');
    expect(summary.skipped.examples).toEqual([
      'request 1: failed (aiohttp.client_exceptions.ServerDisconnectedError: Server disconnected)',
      'request 2: failed (no response)',
      'request 3: no decode timing (5 output tokens in one chunk: itls is empty)',
    ]);
    expect(summary.notes).toEqual(['1 single-token request(s) had chunk gaps (a chat role chunk): dropped, as one token has no inter-token gap']);
  });

  it('writes no arrival_ms without start_times (older vLLM), keeping the issue order', async () => {
    const noStarts = [A, B, C].map(({ startS: _startS, ...request }) => request);
    const { records, summary } = await convert('bench', vllmResult(noStarts, { max_concurrency: null }));
    expect(records.map((record) => [record.promptTokens, record.arrivalMs, record.concurrency])).toEqual([
      [100, undefined, 1],
      [200, undefined, 1],
      [50, undefined, 1],
    ]);
    expect(summary.notes).toEqual(['the result has no start_times (older vLLM): requests have no arrival_ms, so timelines cannot place them']);
  });

  it('reads a gzip result and writes a gzip trace', async () => {
    const { records, output } = await convert('bench', vllmResult([A, B]), { gzipInput: true, outputName: 'gz-trace.jsonl.gz' });
    expect(output.endsWith('.gz')).toBe(true);
    expect(records.map((record) => record.promptTokens)).toEqual([100, 200]);
  });

  describe('bad input: one error naming the file and JSON path, and no output file', () => {
    const cases: [string, unknown, string][] = [
      ['arrays of different lengths', vllmResult([A, B], { ttfts: [0.05] }), 'IN: ttfts has 1 entries (expected 2, as input_lens has: one entry per request)'],
      ['an optional array of another length', vllmResult([A, B], { start_times: [1, 2, 3] }), 'IN: start_times has 3 entries (expected 2, as input_lens has: one entry per request)'],
      ['a token count of the wrong type', vllmResult([A, B], { input_lens: [100, 'x'] }), 'IN: input_lens[1] must be an integer >= 0 (got "x")'],
      ['a negative duration', vllmResult([A, B], { ttfts: [0.05, -0.1] }), 'IN: ttfts[1] must be a finite number >= 0 (got -0.1)'],
      ['a gap that is not a number', vllmResult([A, B], { itls: [[0.01, 0.012], [0.02, '0.02', 0.021]] }), 'IN: itls[1][1] must be a finite number >= 0 (got "0.02")'],
      ['gaps that are not a list', vllmResult([A], { itls: [0.01] }), 'IN: itls[0] must be an array (got 0.01)'],
      ['a missing per-request array', vllmResult([A], { ttfts: undefined }), 'IN: missing required key ttfts (expected an array)'],
      ['a non-string error', vllmResult([A], { errors: [404] }), 'IN: errors[0] must be a string (got 404)'],
      ['a bad max_concurrency', vllmResult([A], { max_concurrency: 0 }), 'IN: max_concurrency must be an integer >= 1 (got 0)'],
      ['a non-string model', vllmResult([A], { model_id: 7 }), 'IN: model_id must be a string (got 7)'],
      [
        'a result saved without --save-detailed',
        { date: '20250301-101500', model_id: 'm', mean_ttft_ms: 50 },
        'IN: no per-request arrays input_lens, output_lens, ttfts, itls (expected a vllm bench serve result saved with --save-detailed)',
      ],
      ['a document that is not an object', [1, 2], 'IN: the document must be an object (got an array)'],
      ['a syntax error', '{"input_lens": [1, 2,]}', 'IN:1: invalid JSON at column 22: found "]" (expected a JSON value)'],
    ];
    for (const [name, result, message] of cases) {
      it(name, async () => {
        const failed = await convertError('bench', result);
        expect(failed.message).toBe(message);
        expect(failed.leftBehind).toEqual([]);
      });
    }
  });
});
