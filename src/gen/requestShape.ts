/**
 * What one request asks for: its prompt token ids and how its output will
 * end. Lengths are lognormal (real prompt/output lengths are heavy-tailed),
 * rounded and clamped. The output's end is decided up front, as the model's
 * text would decide it: a natural EOS length, a per-request max_tokens cap,
 * and optionally a client abort after some tokens.
 */
import type { GenConfig } from './config.js';
import type { Rng } from './rng.js';

/** Llama-3 vocabulary size: token ids are uniform in [0, VOCAB). */
export const VOCAB = 128256;
/** Log-space sd of prompt and natural-output lengths. */
export const PROMPT_SIGMA = 0.8;
export const OUTPUT_SIGMA = 0.9;
export const PROMPT_MIN = 4;
/** Multiturn: the user text added each turn (median, sd, max tokens). */
export const USER_TURN_MEDIAN = 96;
export const USER_TURN_SIGMA = 0.8;
export const USER_TURN_MAX = 1024;
/** Per-request max_tokens is one of these fractions of --max-tokens (so some requests stop at "length"). */
export const MAX_TOKENS_FRACTIONS = [0.25, 0.5, 1] as const;

/** Medians in force for a request (the sweep scenario varies them over time). */
export interface LengthProfile {
  promptMedian: number;
  outputMedian: number;
}

export interface OutputPlan {
  maxTokens: number;
  /** Tokens the request generates if not aborted: min(natural EOS length, maxTokens). */
  outputLimit: number;
  limitReason: 'stop' | 'length';
  /** Client aborts once this many tokens were delivered (0 = never); always < outputLimit. */
  abortAfter: number;
}

export class RequestShaper {
  constructor(
    private readonly config: GenConfig,
    /** Lengths and plans. */
    private readonly lengths: Rng,
    /** Prompt token ids (a separate stream: ids are many, lengths few). */
    private readonly tokens: Rng,
  ) {}

  promptLength(median: number): number {
    return clampRound(this.lengths.lognormal(median, PROMPT_SIGMA), PROMPT_MIN, this.config.promptMax);
  }

  userTurnLength(): number {
    return clampRound(this.lengths.lognormal(USER_TURN_MEDIAN, USER_TURN_SIGMA), 1, USER_TURN_MAX);
  }

  /** Appends `count` random token ids to `ids`. */
  appendTokens(ids: number[], count: number): number[] {
    for (let i = 0; i < count; i++) ids.push(this.tokens.below(VOCAB));
    return ids;
  }

  outputPlan(outputMedian: number): OutputPlan {
    const c = this.config;
    const fraction = MAX_TOKENS_FRACTIONS[this.lengths.below(MAX_TOKENS_FRACTIONS.length)];
    const maxTokens = Math.max(1, Math.round(c.maxTokens * fraction));
    const natural = clampRound(this.lengths.lognormal(outputMedian, OUTPUT_SIGMA), 1, c.maxTokens);
    const outputLimit = Math.min(natural, maxTokens);
    const aborts = this.lengths.chance(c.abortRate);
    // An abort needs a first token (ttft) and must come before the natural end: only requests of ≥ 2 tokens.
    const abortAfter = aborts && outputLimit >= 2 ? 1 + this.lengths.below(outputLimit - 1) : 0;
    return { maxTokens, outputLimit, limitReason: natural < maxTokens ? 'stop' : 'length', abortAfter };
  }
}

function clampRound(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(x)));
}
