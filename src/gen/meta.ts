/**
 * The engine trace's meta line. Besides the known keys (formats.md §1) it
 * carries `sim`: the generator's ground truth — every coefficient, limit and
 * workload parameter — so a later alpha/beta fit can be checked against it.
 * Schema documented in docs/generator.md.
 */
import { GENERATOR_VERSION, type GenConfig } from './config.js';
import { EPOCH_BASE_US, MONOTONIC_BASE_US } from './otlpJson.js';
import { MAX_TOKENS_FRACTIONS, OUTPUT_SIGMA, PROMPT_MIN, PROMPT_SIGMA, USER_TURN_MAX, USER_TURN_MEDIAN, USER_TURN_SIGMA, VOCAB } from './requestShape.js';
import { SWEEP_OUTPUT_FACTORS, SWEEP_PROMPT_FACTORS, SWEEP_RATE_FACTORS } from './openLoop.js';

/** Label written as the meta's `vllm_version`: the scheduler this simulates, not a real build. */
export const SIMULATED_VLLM_VERSION = 'v1-sim';

export function simMeta(c: GenConfig): Record<string, unknown> {
  return {
    generator: 'vcr gen',
    version: GENERATOR_VERSION,
    seed: c.seed,
    scenario: scenarioMeta(c),
    workload: {
      vocab_size: VOCAB,
      prompt_tokens: { dist: 'lognormal', median: c.promptMedian, sigma: PROMPT_SIGMA, min: PROMPT_MIN, max: c.promptMax },
      output_tokens: { dist: 'lognormal', median: c.outputMedian, sigma: OUTPUT_SIGMA, min: 1, max: c.maxTokens },
      max_tokens: { choices: MAX_TOKENS_FRACTIONS.map((f) => Math.max(1, Math.round(c.maxTokens * f))) },
      abort_rate: c.abortRate,
    },
    scheduler: {
      max_num_seqs: c.maxNumSeqs,
      max_num_batched_tokens: c.maxNumBatchedTokens,
      kv_blocks: c.kvBlocks,
      block_size: c.blockSize,
      chunked_prefill: true,
      prefix_caching: true,
      preemption: 'recompute',
      decode_first: true,
    },
    spec_decode: c.specK > 0 ? { num_spec_tokens: c.specK, accept_prob: c.specAccept } : null,
    step_time: {
      formula: 't_us = (beta0 + beta1*prefill_tokens + beta2*decode_tokens + beta3*decode_context_tokens/1000) * exp(noise*Z - noise^2/2), Z~N(0,1), rounded to 1 us',
      beta0_us: c.beta0,
      beta1_us_per_prefill_token: c.beta1,
      beta2_us_per_decode_token: c.beta2,
      beta3_us_per_1k_context_tokens: c.beta3,
      noise: { dist: 'lognormal-mean-one', sigma: c.noise },
      beta_coeffs: [c.beta0, c.beta1, c.beta2, c.beta3],
      scheduler_cpu_us: '30 + 2*scheduled_requests (inside the step time)',
    },
    api_overhead: {
      alpha0_us: c.alpha0,
      alpha1_us_per_input_token: c.alpha1,
      alpha2_us_per_output_token: c.alpha2,
      alpha_coeffs: [c.alpha0, c.alpha1, c.alpha2],
      ingress: 'QUEUED - ARRIVED = alpha0 + alpha1*prompt_tokens',
      egress: 'DEPARTED - FINISHED = alpha2*output_tokens',
    },
    clock: {
      unit: 'ms',
      resolution_us: 1,
      zero: 'first api.ARRIVED',
      otlp_epoch_ns: `${EPOCH_BASE_US}000`,
      monotonic_ns_at_zero: `${MONOTONIC_BASE_US}000`,
    },
    otlp: { step_sample: c.stepSample, snapshot_sample: c.snapshotSample, closure_interval: c.closureInterval },
  };
}

function scenarioMeta(c: GenConfig): Record<string, unknown> {
  const limit = c.requests !== undefined ? { requests: c.requests } : { duration_s: c.durationS };
  switch (c.scenario) {
    case 'poisson':
      return { name: c.scenario, ...limit, rate: c.rate };
    case 'burst':
      return { name: c.scenario, ...limit, burst_size: c.burstSize, burst_interval_s: c.burstIntervalS };
    case 'closed':
      return { name: c.scenario, ...limit, concurrency: c.concurrency, think_time_ms: c.thinkTimeMs };
    case 'multiturn':
      return {
        name: c.scenario,
        ...limit,
        concurrency: c.concurrency,
        think_time_ms: c.thinkTimeMs,
        turns: c.turns,
        user_turn_tokens: { dist: 'lognormal', median: USER_TURN_MEDIAN, sigma: USER_TURN_SIGMA, max: USER_TURN_MAX },
      };
    case 'sweep':
      return {
        name: c.scenario,
        ...limit,
        rate: c.rate,
        phase_duration_s: c.phaseDurationS,
        rate_factors: SWEEP_RATE_FACTORS,
        prompt_median_factors: SWEEP_PROMPT_FACTORS,
        output_median_factors: SWEEP_OUTPUT_FACTORS,
      };
  }
}

/** The `{"meta": {...}}` first line of trace.jsonl. */
export function traceMetaLine(c: GenConfig): string {
  return JSON.stringify({
    meta: {
      model: c.model,
      gpu: c.gpu,
      tp: 1,
      max_num_seqs: c.maxNumSeqs,
      block_size: c.blockSize,
      source: 'synthetic',
      vllm_version: SIMULATED_VLLM_VERSION,
      sim: simMeta(c),
    },
  });
}
