/**
 * guidellm benchmark report JSON (`{metadata, args, benchmarks[]}`) →
 * engine-trace lines.
 *
 * Each benchmark lists its requests under `requests.successful`,
 * `.incomplete` (cancelled when the benchmark ended) and `.errored`; only
 * successful ones become lines, the others are counted. Per request
 * (guidellm/schemas/request_stats.py): `prompt_tokens`, `output_tokens`,
 * `time_to_first_token_ms` (request start → first token),
 * `request_start_time` (epoch seconds), and `inter_token_latency_ms` =
 * (last token − first token) / (output_tokens − 1): the mean token gap after
 * the first, i.e. what vLLM calls TPOT, which becomes
 * `itl_summary {mean_ms, count: output_tokens − 1}`. Its
 * `time_per_output_token_ms` divides by output_tokens and includes the TTFT,
 * so it is not used. Any of these is null when guidellm could not measure it.
 */
import { UsageError } from '../cli/errors.js';
import { setArrivals, type StartedRequest } from './arrivals.js';
import type { JsonNode } from './jsonNode.js';
import { NO_DECODE_TIMING, SkipLog } from './skips.js';
import type { ConvertedTrace, TraceLine, TraceMeta } from './trace.js';

const GUIDELLM_SOURCE = 'guidellm';

export interface GuidellmOptions {
  /** 0-based index of the one benchmark to convert; all, in file order, when absent. */
  benchmark?: number;
}

/** Request lists other than `successful`: counted as skipped under their own name. */
const UNFINISHED_STATUSES = ['incomplete', 'errored'] as const;

/** Why a successful request is left out (counted in the summary). */
const NO_TOKEN_COUNTS = 'no token counts';
const NO_FIRST_TOKEN = 'no first token';

/** One selected benchmark: its index in the file and the report node. */
interface Selected {
  index: number;
  benchmark: JsonNode;
}

export function convertGuidellm(report: JsonNode, options: GuidellmOptions = {}): ConvertedTrace {
  const selected = selectBenchmarks(report, options.benchmark);
  const skipped = new SkipLog();
  const started: StartedRequest[] = [];
  const notes: string[] = [];

  for (const { index, benchmark } of selected) {
    const concurrency = concurrencyOf(benchmark);
    const requests = benchmark.key('requests');
    const successful = requests.key('successful').items();
    for (const source of successful) {
      const converted = convertRequest(source, concurrency, skipped);
      if (converted !== undefined) started.push(converted);
    }
    for (const status of UNFINISHED_STATUSES) {
      for (const source of requests.key(status).optional((node) => node.items()) ?? []) skipped.add(status, source.path);
    }
    const sampled = sampledNote(index, benchmark, successful.length);
    if (sampled !== undefined) notes.push(sampled);
  }

  const zeroS = setArrivals(started);
  return { meta: meta(report, selected, zeroS), requests: started.map(({ request }) => request), skipped, notes };
}

function selectBenchmarks(report: JsonNode, benchmark: number | undefined): Selected[] {
  const all = report.key('benchmarks').items().map((node, index) => ({ index, benchmark: node }));
  if (benchmark === undefined) return all;
  if (benchmark >= all.length) {
    const range = all.length === 0 ? 'none' : `0-${all.length - 1}`;
    throw new UsageError(`--benchmark ${benchmark}: ${report.file} has ${all.length} benchmark(s) (indices ${range})`);
  }
  return [all[benchmark]];
}

/** `config.strategy`, when the report has one. */
function strategyOf(benchmark: JsonNode): JsonNode | undefined {
  return benchmark.key('config').optional((config) => config.key('strategy').optional((node) => node));
}

/** `type_`: "synchronous", "concurrent", "throughput", "constant", "poisson", ... */
function strategyType(strategy: JsonNode | undefined): string | undefined {
  return strategy?.key('type_').optional((node) => node.string());
}

/** A concurrent strategy's `streams`: the client-side concurrency of every request it ran. */
function concurrencyOf(benchmark: JsonNode): number | undefined {
  const strategy = strategyOf(benchmark);
  if (strategy === undefined || strategyType(strategy) !== 'concurrent') return undefined;
  return strategy.key('streams').int(1);
}

function convertRequest(source: JsonNode, concurrency: number | undefined, skipped: SkipLog): StartedRequest | undefined {
  const from = source.path;
  const promptTokens = source.key('prompt_tokens').nullable((node) => node.int());
  const outputTokens = source.key('output_tokens').nullable((node) => node.int());
  const ttftMs = source.key('time_to_first_token_ms').nullable((node) => node.number(0));
  const meanGapMs = source.key('inter_token_latency_ms').nullable((node) => node.number(0));
  const startS = source.key('request_start_time').nullable((node) => node.number());

  if (promptTokens === undefined || outputTokens === undefined) {
    skipped.add(NO_TOKEN_COUNTS, from, `${promptTokens === undefined ? 'prompt_tokens' : 'output_tokens'} is null`);
    return undefined;
  }
  if (ttftMs === undefined) {
    skipped.add(NO_FIRST_TOKEN, from, 'time_to_first_token_ms is null');
    return undefined;
  }
  const line: TraceLine = { prompt_tokens: promptTokens, output_tokens: outputTokens, ttft_ms: ttftMs };
  // One token has no gap: guidellm then reports null, and the trace needs no gap fields.
  if (outputTokens > 1) {
    if (meanGapMs === undefined) {
      skipped.add(NO_DECODE_TIMING, from, `inter_token_latency_ms is null with ${outputTokens} output tokens`);
      return undefined;
    }
    line.itl_summary = { mean_ms: meanGapMs, count: outputTokens - 1 };
  }
  if (concurrency !== undefined) line.concurrency = concurrency;
  return { request: { from, line }, startS };
}

/**
 * guidellm keeps only a sample of each benchmark's requests when run with
 * --sample-requests (a default in some versions): say so, since the trace's
 * concurrency and timeline then show the sample, not the load.
 */
function sampledNote(index: number, benchmark: JsonNode, listed: number): string | undefined {
  const total = benchmark
    .key('metrics')
    .optional((metrics) => metrics.key('request_totals').optional((totals) => totals.key('successful').optional((node) => node.int())));
  if (total === undefined || total <= listed) return undefined;
  return `benchmark ${index} lists ${listed} of its ${total} successful requests (guidellm kept a sample: --sample-requests); the trace holds only those`;
}

function meta(report: JsonNode, selected: Selected[], zeroS: number | undefined): TraceMeta {
  const extra: Record<string, unknown> = {};
  const version = report.key('metadata').optional((metadata) => metadata.key('guidellm_version').optional((node) => node.string()));
  if (version !== undefined) extra.guidellm_version = version;
  // arrival_ms 0 on the wall clock, so the trace can be lined up with server-side logs.
  if (zeroS !== undefined) extra.capture_start_epoch_s = zeroS;
  extra.guidellm_benchmarks = selected.map(({ index, benchmark }) => ({ index, strategy: strategyType(strategyOf(benchmark)) }));
  return {
    source: GUIDELLM_SOURCE,
    model: report.key('args').optional((args) => args.key('model').optional((node) => node.string())),
    extra,
  };
}
