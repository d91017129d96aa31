import { InvalidArgumentError, Option, type Command } from 'commander';
import { lazyAction } from '../run.js';
import { DEFAULTS, SCENARIOS, type GenConfig } from '../../gen/config.js';

/**
 * What commander hands the action: GenConfig's fields under their flag
 * names — the durations without their unit suffixes (the flags say the unit
 * in their help) — plus where and how to write.
 */
export type GenFlags = Omit<GenConfig, 'durationS' | 'burstIntervalS' | 'thinkTimeMs' | 'phaseDurationS'> & {
  duration?: number;
  burstInterval: number;
  thinkTime: number;
  phaseDuration: number;
  gzip?: boolean;
  out: string;
};

function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
}

function parseInteger(value: string): number {
  const n = parseNumber(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
}

const DETAILS = `
Simulates a vLLM-v1-style continuous-batching scheduler (decode first, then
chunked prefill in admission order; prefix cache; KV blocks with recompute
preemption; optional speculative decoding) and writes what a recording tap,
the step-stats logger and the OpenTelemetry collector would have captured:
  DIR/trace.jsonl              engine trace (meta line carries the ground truth under "sim")
  DIR/trace-step-stats.jsonl   one line per scheduler step (+ idle markers)
  DIR/otlp.jsonl               request-journey and step spans (OTLP/JSON)
Queue waits, TTFT, inter-token gaps and batch context all emerge from the
simulation. Step time (µs) = beta0 + beta1·prefill tokens + beta2·decode tokens
+ beta3·decode context tokens/1000, times mean-one lognormal noise (--noise sd).
API overhead: QUEUED = ARRIVED + alpha0 + alpha1·prompt tokens; DEPARTED =
FINISHED + alpha2·output tokens. The same --seed gives byte-identical files.
See docs/generator.md for the full model.

Scenarios:
  poisson    open loop, Poisson arrivals at --rate
  burst      --burst-size simultaneous requests every --burst-interval seconds
  closed     --concurrency clients, each sends again when its response ends (+ --think-time)
  multiturn  --concurrency chat sessions of --turns turns; prompts grow and hit the prefix cache
  sweep      rate and length medians change every --phase-duration seconds (for alpha/beta fits)

Examples:
  vcr gen -o run1
  vcr gen --scenario closed --concurrency 32 --requests 2000 --seed 7 -o closed32
  vcr gen --scenario sweep --duration 600 --gzip -o sweep
  vcr gen --kv-blocks 800 --rate 12 -o pressure      (KV pressure: preemptions)
  vcr gen --spec-k 4 --spec-accept 0.7 -o spec`;

export function registerGen(program: Command): void {
  const d = DEFAULTS;
  program
    .command('gen')
    .description('generate a synthetic capture (engine trace, step-stats sidecar, OTLP) from a simulated scheduler with known coefficients')
    .addOption(new Option('--scenario <name>', 'arrival scenario').choices(SCENARIOS).default(d.scenario))
    .option('--requests <n>', `number of requests (default ${d.requests}; exclusive with --duration)`, parseInteger)
    .option('--duration <s>', 'issue requests for this many seconds of capture time, then drain', parseNumber)
    .option('--rate <req/s>', 'poisson/sweep: mean arrival rate', parseNumber, d.rate)
    .option('--burst-size <n>', 'burst: requests per burst', parseInteger, d.burstSize)
    .option('--burst-interval <s>', 'burst: seconds between bursts', parseNumber, d.burstIntervalS)
    .option('--concurrency <n>', 'closed: clients; multiturn: concurrent sessions', parseInteger, d.concurrency)
    .option('--think-time <ms>', 'closed/multiturn: mean think time before the next request (exponential; 0 = none)', parseNumber, d.thinkTimeMs)
    .option('--turns <n>', 'multiturn: turns per session', parseInteger, d.turns)
    .option('--phase-duration <s>', 'sweep: seconds per load/length phase', parseNumber, d.phaseDurationS)
    .option('--prompt-median <tokens>', 'prompt length median (lognormal, sd 0.8 in log space)', parseInteger, d.promptMedian)
    .option('--prompt-max <tokens>', 'longest prompt', parseInteger, d.promptMax)
    .option('--output-median <tokens>', 'natural (EOS) output length median (lognormal, sd 0.9)', parseInteger, d.outputMedian)
    .option('--max-tokens <n>', 'largest max_tokens; each request draws 1/4, 1/2 or all of it', parseInteger, d.maxTokens)
    .option('--abort-rate <p>', 'fraction of requests the client aborts mid-stream (finish_reason "abort")', parseNumber, d.abortRate)
    .option('--seed <n>', 'random seed (same seed, same options: byte-identical output)', parseInteger, d.seed)
    .option('--max-num-seqs <n>', 'most requests running at once', parseInteger, d.maxNumSeqs)
    .option('--max-num-batched-tokens <n>', 'token budget per step', parseInteger, d.maxNumBatchedTokens)
    .option('--kv-blocks <n>', 'KV-cache blocks (small values cause preemptions)', parseInteger, d.kvBlocks)
    .option('--block-size <tokens>', 'tokens per KV block (and per prefix-cache hash)', parseInteger, d.blockSize)
    .option('--spec-k <n>', 'speculative decoding: draft tokens per step (0 = off)', parseInteger, d.specK)
    .option('--spec-accept <p>', 'speculative decoding: per-position acceptance probability', parseNumber, d.specAccept)
    .option('--beta0 <us>', 'step time: fixed µs per step', parseNumber, d.beta0)
    .option('--beta1 <us>', 'step time: µs per prefill token', parseNumber, d.beta1)
    .option('--beta2 <us>', 'step time: µs per decode token', parseNumber, d.beta2)
    .option('--beta3 <us>', 'step time: µs per 1000 context tokens of decoding requests (attention)', parseNumber, d.beta3)
    .option('--noise <sd>', 'step time: log-space sd of the mean-one lognormal noise (0 = exact)', parseNumber, d.noise)
    .option('--alpha0 <us>', 'API: fixed µs from ARRIVED to QUEUED', parseNumber, d.alpha0)
    .option('--alpha1 <us>', 'API: µs per prompt token from ARRIVED to QUEUED', parseNumber, d.alpha1)
    .option('--alpha2 <us>', 'API: µs per output token from FINISHED to DEPARTED', parseNumber, d.alpha2)
    .option('--step-sample <p>', 'OTLP: fraction of steps with a step.BATCH_SUMMARY (vLLM default 0.01)', parseNumber, d.stepSample)
    .option('--snapshot-sample <p>', 'OTLP: fraction of sampled steps with step.REQUEST_SNAPSHOTs', parseNumber, d.snapshotSample)
    .option('--closure-interval <n>', 'OTLP: steps per scheduler_steps span', parseInteger, d.closureInterval)
    .option('--gzip', 'write .jsonl.gz files')
    .option('-o, --out <dir>', 'output directory', './vcr-gen')
    .option('--model <name>', 'model label', d.model)
    .option('--gpu <name>', 'GPU label', d.gpu)
    .addHelpText('after', DETAILS)
    .action(lazyAction(async () => (await import('../actions/gen.js')).runGen));
}
