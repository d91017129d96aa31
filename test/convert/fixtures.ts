/**
 * Small benchmark-tool results built in the tests, shaped like the real ones
 * (vllm/benchmarks/serve.py's result dict; guidellm's GenerativeRequestStats
 * with its computed fields), so each test states only what it varies.
 */

/** One request of a `vllm bench serve` run; times in seconds, as vLLM records them. */
export interface VllmRequest {
  input: number;
  output: number;
  ttftS: number;
  itlsS: number[];
  startS?: number;
  /** Non-empty for a failed request (vLLM keeps ttft 0, no gaps, output 0 then). */
  error?: string;
}

/** A `--save-result --save-detailed` result dict; `extra` overrides or adds top-level keys. */
export function vllmResult(requests: VllmRequest[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const withStarts = requests.every((request) => request.startS !== undefined);
  return {
    date: '20250301-101500',
    endpoint_type: 'openai',
    backend: 'openai',
    label: null,
    model_id: 'meta-llama/Llama-3.1-8B-Instruct',
    tokenizer_id: 'meta-llama/Llama-3.1-8B-Instruct',
    num_prompts: requests.length,
    request_rate: 'inf',
    burstiness: 1.0,
    max_concurrency: 4,
    duration: 12.5,
    completed: requests.filter((request) => !request.error).length,
    failed: requests.filter((request) => request.error).length,
    input_lens: requests.map((request) => request.input),
    output_lens: requests.map((request) => request.output),
    ttfts: requests.map((request) => request.ttftS),
    itls: requests.map((request) => request.itlsS),
    // vLLM: latency = last chunk − request start = ttft + Σ itl.
    latencies: requests.map((request) => request.ttftS + request.itlsS.reduce((sum, gap) => sum + gap, 0)),
    ...(withStarts ? { start_times: requests.map((request) => request.startS) } : {}),
    generated_texts: requests.map((request) => (request.error ? '' : 'text')),
    errors: requests.map((request) => request.error ?? ''),
    ...extra,
  };
}

/** What a guidellm request measured; seconds since the epoch, as guidellm's timings are. */
export interface GuidellmTimings {
  prompt: number;
  output: number;
  startS: number;
  firstTokenS: number;
  lastTokenS: number;
}

/** A `requests.successful` entry with guidellm's computed fields (guidellm/schemas/request_stats.py). */
export function guidellmRequest(t: GuidellmTimings, id = 'req'): Record<string, unknown> {
  const endS = t.lastTokenS + 0.001;
  return {
    type_: 'generative_request_stats',
    request_id: id,
    info: { request_id: id, status: 'completed', timings: { request_start: t.startS, first_token_iteration: t.firstTokenS, last_token_iteration: t.lastTokenS, request_end: endS } },
    input_metrics: { text_tokens: t.prompt },
    output_metrics: { text_tokens: t.output },
    prompt_tokens: t.prompt,
    output_tokens: t.output,
    total_tokens: t.prompt + t.output,
    time_to_first_token_ms: 1000 * (t.firstTokenS - t.startS),
    // Includes the TTFT and divides by all output tokens: not TPOT.
    time_per_output_token_ms: (1000 * (t.lastTokenS - t.startS)) / t.output,
    // (last − first) / (output − 1): vLLM's TPOT.
    inter_token_latency_ms: t.output > 1 ? (1000 * (t.lastTokenS - t.firstTokenS)) / (t.output - 1) : null,
    request_start_time: t.startS,
    request_end_time: endS,
    request_latency: endS - t.startS,
  };
}

export interface GuidellmBenchmark {
  strategy: Record<string, unknown>;
  successful: Record<string, unknown>[];
  incomplete?: Record<string, unknown>[];
  errored?: Record<string, unknown>[];
  /** metrics.request_totals.successful; the length of `successful` when absent. */
  totalSuccessful?: number;
}

export function guidellmReport(benchmarks: GuidellmBenchmark[]): Record<string, unknown> {
  return {
    metadata: { version: 1, guidellm_version: '0.6.0', python_version: '3.11.9' },
    args: { target: 'http://localhost:8000/v1', model: 'Qwen/Qwen3-8B', profile: 'sweep' },
    benchmarks: benchmarks.map((b, i) => ({
      type_: 'generative_benchmark',
      config: { id_: `bench-${i}`, run_index: i, strategy: b.strategy, sample_requests: null },
      metrics: {
        request_totals: {
          successful: b.totalSuccessful ?? b.successful.length,
          incomplete: b.incomplete?.length ?? 0,
          errored: b.errored?.length ?? 0,
        },
      },
      requests: { successful: b.successful, incomplete: b.incomplete ?? [], errored: b.errored ?? [], total: null },
    })),
  };
}
