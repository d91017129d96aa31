/**
 * The ground-truth cost model: how long a step takes (beta), how long the
 * API layer spends around the engine (alpha), and the scheduler's own CPU
 * time per step. All results are whole microseconds — the simulation clock
 * ticks in µs so every duration written in ms is exact to 0.001 and sums
 * agree.
 */
import type { GenConfig } from './config.js';
import type { Rng } from './rng.js';

/** What a step computed: the regression features of the beta model. */
export interface StepWork {
  /** Tokens computed for prompts (including recomputation after preemption). */
  prefillTokens: number;
  /** Tokens computed for decodes: 1 per decoding request, or 1 + K with speculative decoding. */
  decodeTokens: number;
  /** Sum over decoding requests of their context length (tokens already in the KV cache before the step). */
  decodeContextTokens: number;
}

/**
 * Step wall time, µs:
 *   mean = beta0 + beta1·prefill + beta2·decode + beta3·decodeContext/1000
 *   t    = round(mean · exp(noise·Z − noise²/2)),  Z ~ N(0, 1)
 * The multiplicative lognormal noise has mean one, so E[t] = mean and an
 * ordinary least-squares fit recovers the betas; t is at least 1 µs.
 */
export function stepWallUs(config: GenConfig, work: StepWork, noise: Rng): number {
  const mean =
    config.beta0 + config.beta1 * work.prefillTokens + config.beta2 * work.decodeTokens + (config.beta3 * work.decodeContextTokens) / 1000;
  const factor = config.noise > 0 ? Math.exp(config.noise * noise.normal() - (config.noise * config.noise) / 2) : 1;
  return Math.max(1, Math.round(mean * factor));
}

/** Scheduler CPU time spent planning a step (OTLP `step.duration_us`): 30 µs + 2 µs per scheduled request, inside the step's wall time. */
export function schedulerCpuUs(scheduledRequests: number, stepUs: number): number {
  return Math.min(stepUs, 30 + 2 * scheduledRequests);
}

/** API ingress (tokenization and hand-off) between api.ARRIVED and journey.QUEUED: alpha0 + alpha1·prompt tokens. */
export function apiInUs(config: GenConfig, promptTokens: number): number {
  return Math.round(config.alpha0 + config.alpha1 * promptTokens);
}

/** API egress (detokenization and response) between journey.FINISHED and api.DEPARTED: alpha2·output tokens. */
export function apiOutUs(config: GenConfig, outputTokens: number): number {
  return Math.round(config.alpha2 * outputTokens);
}
