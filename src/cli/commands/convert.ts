import { Argument, InvalidArgumentError, type Command } from 'commander';
import { lazyAction } from '../run.js';
import { BENCHMARK_SOURCES } from '../../convert/sources.js';

export interface ConvertFlags {
  output: string;
  benchmark?: number;
}

function parseIndex(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer >= 0');
  return n;
}

const DETAILS = `
What each engine-trace key comes from (the sources' times are seconds unless
named _ms; the trace's are ms, rounded to 1 µs):
  bench     vllm bench serve --save-result --save-detailed JSON
              prompt_tokens  <- input_lens[i]
              output_tokens  <- output_lens[i]
              ttft_ms        <- ttfts[i]
              itl_ms         <- itls[i]: one gap per streamed chunk
              arrival_ms     <- start_times[i] - earliest start (recent vLLM)
              concurrency    <- max_concurrency
              meta           model <- model_id, source "vllm-bench", run facts
            Chunk token counts are not recorded: a request with other than
            output_tokens - 1 gaps (multi-token chunks, the chat API's role
            chunk) gets an itl_summary instead, which keeps its decode time
            and vLLM's TPOT. Failed requests (an error, no response) are skipped.
  guidellm  guidellm benchmark report JSON: requests.successful of every
            benchmark in file order, or of benchmark --benchmark I only
              prompt_tokens, output_tokens
              ttft_ms        <- time_to_first_token_ms
              itl_summary    <- {mean_ms: inter_token_latency_ms,
                                 count: output_tokens - 1}
              arrival_ms     <- request_start_time - earliest start
              concurrency    <- streams, for a concurrent strategy
              meta           model <- args.model, source "guidellm",
                             guidellm_version, capture_start_epoch_s
            guidellm's inter_token_latency_ms is what vLLM calls TPOT; its
            time_per_output_token_ms includes the TTFT and is not used.
            Incomplete and errored requests are skipped.

Requests the engine trace cannot hold (a null TTFT or token count, several
output tokens without decode timing) are skipped too: every line written
passes vcr's own engine-trace validation. stderr gets a summary: requests
written, skipped by reason (the first few named) and what was lost. Bad input
is an error naming the file and the JSON path (the line and column, for a
syntax error); the input may be gzip. The output is written atomically
(nothing is left behind on bad input), gzip-compressed when its name ends in
.gz; -o - writes to stdout. See docs/convert.md.

Examples:
  vcr convert bench openai-infqps-concurrency16-Llama-3.1-8B.json -o trace.jsonl
  vcr convert guidellm benchmarks.json -o trace.jsonl.gz
  vcr convert guidellm benchmarks.json --benchmark 2 -o concurrent16.jsonl`;

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description("convert a benchmark tool's per-request results (vllm bench serve, guidellm) into an engine trace")
    .addArgument(new Argument('<source>', 'the tool that wrote IN').choices(BENCHMARK_SOURCES))
    .argument('<in>', 'its JSON result file (plain or .gz)')
    .requiredOption('-o, --output <file>', "engine trace to write (.gz = gzip), '-' for stdout")
    .option('--benchmark <i>', 'guidellm: convert only the benchmark with this 0-based index (default: all, in file order)', parseIndex)
    .addHelpText('after', DETAILS)
    .action(lazyAction(async () => (await import('../actions/convert.js')).runConvert));
}
