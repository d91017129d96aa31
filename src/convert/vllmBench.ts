/**
 * `vllm bench serve --save-result --save-detailed` JSON → engine-trace lines.
 *
 * The result holds parallel per-request arrays, in the order requests were
 * issued (vllm/benchmarks/serve.py): `input_lens` (prompt tokens: the
 * server's usage count when it sent one), `output_lens` (completion tokens
 * from usage, else the tokenizer's count of the text; 0 for a failed
 * request), `ttfts` (seconds, request sent → first streamed chunk), `itls`
 * (seconds, one entry per streamed chunk after the first: the gap before
 * it), `errors` ("" unless the request failed) and, in recent versions,
 * `start_times` (perf_counter seconds when the request was sent). A failed
 * request keeps the defaults: ttft 0, no gaps, output 0.
 *
 * A chunk's token count is not recorded. A chunk gap equals a token gap only
 * when there are exactly output_tokens − 1 of them; otherwise (several
 * tokens per chunk, or the chat API's role-only first chunk) the gaps are
 * kept as an itl_summary over min(gaps, output_tokens − 1), which preserves
 * decode time and therefore vLLM's TPOT, (latency − TTFT) / (output − 1).
 */
import { setArrivals, type StartedRequest } from './arrivals.js';
import type { JsonNode } from './jsonNode.js';
import { NO_DECODE_TIMING, SkipLog } from './skips.js';
import { secondsToMs, type ConvertedTrace, type TraceLine, type TraceMeta } from './trace.js';

const VLLM_BENCH_SOURCE = 'vllm-bench';

const REQUIRED_ARRAYS = ['input_lens', 'output_lens', 'ttfts', 'itls'] as const;
const OPTIONAL_ARRAYS = ['errors', 'start_times'] as const;
type RequiredArrays = Record<(typeof REQUIRED_ARRAYS)[number], JsonNode[]>;
type PerRequestArrays = RequiredArrays & Partial<Record<(typeof OPTIONAL_ARRAYS)[number], JsonNode[]>>;

/** Run facts copied verbatim into the meta line when present: result key → meta key. */
const RUN_FACTS = {
  date: 'date',
  backend: 'backend',
  label: 'label',
  request_rate: 'request_rate',
  burstiness: 'burstiness',
  max_concurrency: 'max_concurrency',
  num_prompts: 'num_prompts',
  duration: 'duration_s',
} as const;

/** Why a request is left out (counted in the summary). */
const FAILED = 'failed';

/** Longest error text shown in a skip reason. */
const MAX_ERROR_CHARS = 80;

export function convertVllmBench(result: JsonNode): ConvertedTrace {
  const arrays = perRequestArrays(result);
  const concurrency = result.key('max_concurrency').optional((node) => node.int(1));
  const skipped = new SkipLog();
  const started: StartedRequest[] = [];
  let summarized = 0;
  let droppedGaps = 0;

  for (let i = 0; i < arrays.input_lens.length; i++) {
    const promptTokens = arrays.input_lens[i].int();
    const outputTokens = arrays.output_lens[i].int();
    const ttftS = arrays.ttfts[i].number(0);
    const gapsMs = arrays.itls[i].numbers(0).map(secondsToMs);
    const error = arrays.errors?.[i].optional((node) => node.string())?.trim();
    const startS = arrays.start_times?.[i].number();
    const from = `request ${i}`;

    if (error) {
      skipped.add(FAILED, from, errorSummary(error));
      continue;
    }
    // A request that never got a chunk: vLLM marks it failed, sometimes with an empty error.
    if (ttftS === 0 && outputTokens === 0 && gapsMs.length === 0) {
      skipped.add(FAILED, from, 'no response');
      continue;
    }
    const gaps = gapFields(gapsMs, outputTokens);
    if (gaps === undefined) {
      skipped.add(NO_DECODE_TIMING, from, `${outputTokens} output tokens in one chunk: itls is empty`);
      continue;
    }
    if (gaps.itl_summary !== undefined) summarized++;
    if (outputTokens <= 1 && gapsMs.length > 0) droppedGaps++;
    const line: TraceLine = { prompt_tokens: promptTokens, output_tokens: outputTokens, ttft_ms: secondsToMs(ttftS), ...gaps };
    if (concurrency !== undefined) line.concurrency = concurrency;
    started.push({ request: { from, line }, startS });
  }

  setArrivals(started);
  return {
    meta: meta(result),
    requests: started.map(({ request }) => request),
    skipped,
    notes: notes(arrays, summarized, droppedGaps),
  };
}

/** The per-request arrays, checked to have one entry per request each. */
function perRequestArrays(result: JsonNode): PerRequestArrays {
  if (REQUIRED_ARRAYS.every((key) => result.key(key).value === undefined)) {
    result.fail(`no per-request arrays ${REQUIRED_ARRAYS.join(', ')} (expected a vllm bench serve result saved with --save-detailed)`);
  }
  const required = Object.fromEntries(REQUIRED_ARRAYS.map((key) => [key, result.key(key).items()])) as RequiredArrays;
  const arrays: PerRequestArrays = { ...required };
  for (const key of OPTIONAL_ARRAYS) arrays[key] = result.key(key).optional((node) => node.items());
  const expected = arrays.input_lens.length;
  for (const key of [...REQUIRED_ARRAYS, ...OPTIONAL_ARRAYS]) {
    const length = arrays[key]?.length;
    if (length !== undefined && length !== expected) {
      result.key(key).fail(`has ${length} entries (expected ${expected}, as input_lens has: one entry per request)`);
    }
  }
  return arrays;
}

/**
 * vLLM's chunk gaps (ms) as engine-trace gap fields; undefined when a
 * multi-token output arrived in one chunk (no decode time to keep).
 */
function gapFields(gapsMs: number[], outputTokens: number): Pick<TraceLine, 'itl_ms' | 'itl_summary'> | undefined {
  // One token has no inter-token gap; a chat role chunk's gap before it is dropped (and counted).
  if (outputTokens <= 1) return {};
  if (gapsMs.length === outputTokens - 1) return { itl_ms: gapsMs };
  if (gapsMs.length === 0) return undefined;
  const count = Math.min(gapsMs.length, outputTokens - 1);
  const decodeMs = gapsMs.reduce((sum, gap) => sum + gap, 0);
  return { itl_summary: { mean_ms: decodeMs / count, count } };
}

function meta(result: JsonNode): TraceMeta {
  const extra: Record<string, unknown> = {};
  for (const [resultKey, metaKey] of Object.entries(RUN_FACTS)) {
    const value = result.key(resultKey).value;
    if (value !== undefined && value !== null) extra[metaKey] = value;
  }
  return { source: VLLM_BENCH_SOURCE, model: result.key('model_id').optional((node) => node.string()), extra };
}

function notes(arrays: PerRequestArrays, summarized: number, droppedGaps: number): string[] {
  const out: string[] = [];
  if (arrays.start_times === undefined) {
    out.push('the result has no start_times (older vLLM): requests have no arrival_ms, so timelines cannot place them');
  }
  if (summarized > 0) {
    out.push(
      `${summarized} request(s) had a chunk count other than output_tokens - 1 (multi-token chunks or a chat role chunk): ` +
        'written as itl_summary (decode time and TPOT kept, per-gap times not)',
    );
  }
  if (droppedGaps > 0) out.push(`${droppedGaps} single-token request(s) had chunk gaps (a chat role chunk): dropped, as one token has no inter-token gap`);
  return out;
}

/** The last line (of the trimmed text), shortened: vLLM stores whole Python tracebacks, whose last line names the exception. */
function errorSummary(error: string): string {
  const last = error.slice(error.lastIndexOf('\n') + 1).trim();
  return last.length > MAX_ERROR_CHARS ? `${last.slice(0, MAX_ERROR_CHARS)}...` : last;
}
