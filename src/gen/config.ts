/**
 * Generator options: what a caller may set, the defaults, and validation.
 * Every default is documented in docs/generator.md; the resolved values all
 * go into the trace's meta `sim` block (see meta.ts) so a fit can be checked
 * against the ground truth.
 */

/** Bump when the simulation model changes in a way that changes output for the same options. */
export const GENERATOR_VERSION = '1.0.0';

export const SCENARIOS = ['poisson', 'burst', 'closed', 'multiturn', 'sweep'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Options as a caller gives them; everything has a default. */
export interface GenOptions {
  scenario?: Scenario;
  /** Number of requests (default 200 unless `durationS` is given; the two are exclusive). */
  requests?: number;
  /** Stop issuing new requests after this many seconds of API time (then drain). */
  durationS?: number;
  /** poisson/sweep: mean arrival rate, requests per second (sweep scales it per phase). */
  rate?: number;
  /** burst: requests per burst, and seconds between bursts. */
  burstSize?: number;
  burstIntervalS?: number;
  /** closed: client count; multiturn: concurrent sessions. */
  concurrency?: number;
  /** closed/multiturn: mean think time between a response and the client's next request, ms (exponential; 0 = none). */
  thinkTimeMs?: number;
  /** multiturn: turns per session. */
  turns?: number;
  /** sweep: seconds per load/length phase. */
  phaseDurationS?: number;
  /** Prompt length: lognormal median (tokens) and hard maximum. */
  promptMedian?: number;
  promptMax?: number;
  /** Natural (EOS) output length: lognormal median, tokens. */
  outputMedian?: number;
  /** Largest per-request max_tokens; each request draws max_tokens from {1/4, 1/2, 1} of it. */
  maxTokens?: number;
  /** Fraction of requests the client aborts mid-stream. */
  abortRate?: number;
  seed?: number;
  maxNumSeqs?: number;
  maxNumBatchedTokens?: number;
  kvBlocks?: number;
  blockSize?: number;
  /** Speculative decoding: draft tokens per step (0 = off) and per-position acceptance probability. */
  specK?: number;
  specAccept?: number;
  /** Step time, µs: beta0 + beta1·prefill + beta2·decode + beta3·(decode context)/1000. */
  beta0?: number;
  beta1?: number;
  beta2?: number;
  beta3?: number;
  /** Log-space sd of the mean-one multiplicative lognormal step-time noise (0 = none). */
  noise?: number;
  /** API overhead, µs: alpha0 + alpha1·prompt tokens before QUEUED; alpha2·output tokens after FINISHED. */
  alpha0?: number;
  alpha1?: number;
  alpha2?: number;
  /** OTLP: fraction of steps with a BATCH_SUMMARY, fraction of those with REQUEST_SNAPSHOTs, steps per step span. */
  stepSample?: number;
  snapshotSample?: number;
  closureInterval?: number;
  model?: string;
  gpu?: string;
}

/** Fully resolved options. Exactly one of `requests` / `durationS` is set. */
export interface GenConfig {
  scenario: Scenario;
  requests?: number;
  durationS?: number;
  rate: number;
  burstSize: number;
  burstIntervalS: number;
  concurrency: number;
  thinkTimeMs: number;
  turns: number;
  phaseDurationS: number;
  promptMedian: number;
  promptMax: number;
  outputMedian: number;
  maxTokens: number;
  abortRate: number;
  seed: number;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  kvBlocks: number;
  blockSize: number;
  specK: number;
  specAccept: number;
  beta0: number;
  beta1: number;
  beta2: number;
  beta3: number;
  noise: number;
  alpha0: number;
  alpha1: number;
  alpha2: number;
  stepSample: number;
  snapshotSample: number;
  closureInterval: number;
  model: string;
  gpu: string;
}

export const DEFAULTS = {
  scenario: 'poisson',
  requests: 200,
  rate: 8,
  burstSize: 32,
  burstIntervalS: 10,
  concurrency: 16,
  thinkTimeMs: 0,
  turns: 5,
  phaseDurationS: 20,
  promptMedian: 512,
  promptMax: 4096,
  outputMedian: 200,
  maxTokens: 1024,
  abortRate: 0,
  seed: 1,
  maxNumSeqs: 64,
  maxNumBatchedTokens: 2048,
  // ~52 GB of KV at 2 MiB per 16-token block (Llama-3-8B, bf16, GQA 8 heads): one H100-80GB at 0.9 utilisation.
  kvBlocks: 26000,
  blockSize: 16,
  specK: 0,
  specAccept: 0.7,
  // Roughly a Llama-3-8B on one H100: ~6 ms fixed per forward pass, ~40k prefill tok/s,
  // ~35 µs per extra decode token, ~40 µs per 1000 tokens of KV read by attention.
  beta0: 6000,
  beta1: 25,
  beta2: 35,
  beta3: 40,
  noise: 0.03,
  alpha0: 1200,
  alpha1: 1,
  alpha2: 5,
  stepSample: 1,
  snapshotSample: 0.01,
  closureInterval: 100,
  model: 'meta-llama/Llama-3.1-8B-Instruct',
  gpu: 'H100',
} as const satisfies Omit<GenConfig, 'durationS'>;

/** An option value or combination the generator cannot run with. The CLI turns it into a usage error (exit 2). */
export class GenConfigError extends Error {
  override name = 'GenConfigError';
}

/** The smallest KV budget that can hold the longest possible request (prompt + output + speculative lookahead). */
export function minKvBlocks(config: Pick<GenConfig, 'promptMax' | 'maxTokens' | 'specK' | 'blockSize'>): number {
  return Math.ceil((config.promptMax + config.maxTokens + config.specK + 1) / config.blockSize);
}

export function resolveGenConfig(options: GenOptions = {}): GenConfig {
  if (options.requests !== undefined && options.durationS !== undefined) {
    throw new GenConfigError('--requests and --duration are exclusive: give one');
  }
  const pick = <K extends keyof typeof DEFAULTS>(key: K) => (options[key] ?? DEFAULTS[key]) as (typeof DEFAULTS)[K];
  const config: GenConfig = {
    scenario: pick('scenario') as Scenario,
    requests: options.durationS === undefined ? pick('requests') : undefined,
    durationS: options.durationS,
    rate: pick('rate'),
    burstSize: pick('burstSize'),
    burstIntervalS: pick('burstIntervalS'),
    concurrency: pick('concurrency'),
    thinkTimeMs: pick('thinkTimeMs'),
    turns: pick('turns'),
    phaseDurationS: pick('phaseDurationS'),
    promptMedian: pick('promptMedian'),
    promptMax: pick('promptMax'),
    outputMedian: pick('outputMedian'),
    maxTokens: pick('maxTokens'),
    abortRate: pick('abortRate'),
    seed: pick('seed'),
    maxNumSeqs: pick('maxNumSeqs'),
    maxNumBatchedTokens: pick('maxNumBatchedTokens'),
    kvBlocks: pick('kvBlocks'),
    blockSize: pick('blockSize'),
    specK: pick('specK'),
    specAccept: pick('specAccept'),
    beta0: pick('beta0'),
    beta1: pick('beta1'),
    beta2: pick('beta2'),
    beta3: pick('beta3'),
    noise: pick('noise'),
    alpha0: pick('alpha0'),
    alpha1: pick('alpha1'),
    alpha2: pick('alpha2'),
    stepSample: pick('stepSample'),
    snapshotSample: pick('snapshotSample'),
    closureInterval: pick('closureInterval'),
    model: pick('model'),
    gpu: pick('gpu'),
  };
  validate(config);
  return config;
}

function validate(c: GenConfig): void {
  if (!(SCENARIOS as readonly string[]).includes(c.scenario)) {
    throw new GenConfigError(`--scenario must be one of ${SCENARIOS.join(', ')} (got ${JSON.stringify(c.scenario)})`);
  }
  if (c.requests !== undefined) integer('--requests', c.requests, 1);
  if (c.durationS !== undefined) positive('--duration', c.durationS);
  positive('--rate', c.rate);
  integer('--burst-size', c.burstSize, 1);
  positive('--burst-interval', c.burstIntervalS);
  integer('--concurrency', c.concurrency, 1);
  nonNegative('--think-time', c.thinkTimeMs);
  integer('--turns', c.turns, 1);
  positive('--phase-duration', c.phaseDurationS);
  integer('--prompt-median', c.promptMedian, 1);
  integer('--prompt-max', c.promptMax, 1);
  integer('--output-median', c.outputMedian, 1);
  integer('--max-tokens', c.maxTokens, 1);
  fraction('--abort-rate', c.abortRate);
  integer('--seed', c.seed, 0);
  integer('--max-num-seqs', c.maxNumSeqs, 1);
  integer('--max-num-batched-tokens', c.maxNumBatchedTokens, 1);
  integer('--kv-blocks', c.kvBlocks, 1);
  integer('--block-size', c.blockSize, 1);
  integer('--spec-k', c.specK, 0);
  fraction('--spec-accept', c.specAccept);
  for (const [flag, value] of [
    ['--beta0', c.beta0],
    ['--beta1', c.beta1],
    ['--beta2', c.beta2],
    ['--beta3', c.beta3],
    ['--noise', c.noise],
    ['--alpha0', c.alpha0],
    ['--alpha1', c.alpha1],
    ['--alpha2', c.alpha2],
  ] as const) {
    nonNegative(flag, value);
  }
  fraction('--step-sample', c.stepSample);
  fraction('--snapshot-sample', c.snapshotSample);
  integer('--closure-interval', c.closureInterval, 1);
  if (c.promptMedian > c.promptMax) {
    throw new GenConfigError(`--prompt-median (${c.promptMedian}) must not exceed --prompt-max (${c.promptMax})`);
  }
  if (c.scenario === 'multiturn' && c.promptMax < 2 * c.promptMedian) {
    throw new GenConfigError(`multiturn prompts grow turn by turn: --prompt-max (${c.promptMax}) must be at least 2 × --prompt-median (${c.promptMedian})`);
  }
  // Decodes are scheduled before any prefill and are never starved: a full batch of decodes must fit the token budget.
  const decodeWork = c.maxNumSeqs * (c.specK + 1);
  if (c.maxNumBatchedTokens < decodeWork) {
    throw new GenConfigError(
      `--max-num-batched-tokens (${c.maxNumBatchedTokens}) must be at least --max-num-seqs × (--spec-k + 1) = ${decodeWork} so a full batch of decodes fits one step`,
    );
  }
  // A request that cannot fit the KV cache alone would be preempted forever.
  const needed = minKvBlocks(c);
  if (c.kvBlocks < needed) {
    throw new GenConfigError(
      `--kv-blocks (${c.kvBlocks}) cannot hold the longest possible request: needs at least ceil((--prompt-max + --max-tokens + --spec-k + 1) / --block-size) = ${needed}`,
    );
  }
}

function finite(flag: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new GenConfigError(`${flag} must be a finite number (got ${String(value)})`);
}

function positive(flag: string, value: number): void {
  finite(flag, value);
  if (value <= 0) throw new GenConfigError(`${flag} must be > 0 (got ${value})`);
}

function nonNegative(flag: string, value: number): void {
  finite(flag, value);
  if (value < 0) throw new GenConfigError(`${flag} must be ≥ 0 (got ${value})`);
}

function integer(flag: string, value: number, min: number): void {
  finite(flag, value);
  if (!Number.isSafeInteger(value) || value < min) throw new GenConfigError(`${flag} must be an integer ≥ ${min} (got ${value})`);
}

/** A probability in [0, 1]. */
function fraction(flag: string, value: number): void {
  finite(flag, value);
  if (value < 0 || value > 1) throw new GenConfigError(`${flag} must be in [0, 1] (got ${value})`);
}
