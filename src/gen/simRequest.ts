/**
 * A request inside the engine: vLLM v1's view of it (token ids, computed
 * tokens, held KV blocks) plus what the writers need afterwards (delivered
 * chunks, journey events, admissions).
 *
 * vLLM v1 has no separate prefill and decode states: each step computes
 * `numTokens − numComputed` tokens (or a chunk of them), and when a step
 * brings `numComputed` up to `numTokens` the model samples a new token.
 * A request is decoding when exactly one token (the last sampled) is
 * uncomputed; after a preemption `numComputed` drops to the prefix-cache
 * hit and the prompt plus the output so far are recomputed as prefill.
 */
import { emptyChain, extendChain, type HashChain } from './blockHash.js';
import type { Admission, FinishedRequest, JourneyEntry, JourneyType } from './events.js';
import type { BlockHolder } from './kvCache.js';
import type { RequestSpec } from './workload.js';

export class SimRequest implements BlockHolder {
  readonly spec: RequestSpec;
  readonly queuedUs: number;
  readonly promptTokens: number;
  /** Prompt then output token ids. */
  readonly tokenIds: number[];
  /** Chained hashes of the full blocks computed so far (the prompt's are computed on arrival). */
  readonly hashes: HashChain;
  blocks: number[] = [];
  numComputed = 0;
  outputTokens = 0;
  /** Leading blocks already registered in the prefix cache (hits count as registered). */
  registeredBlocks = 0;
  /** Prefix-cache hit blocks of the latest admission. */
  cachedBlocks = 0;
  /** Prefix-cache hit tokens of the first admission (the trace's cached_tokens). */
  cachedTokens = 0;
  preemptions = 0;
  /** Planning state of the current step. */
  scheduledTokens = 0;
  scheduledAsDecode = false;
  readonly chunkEndUs: number[] = [];
  readonly chunkTokens: number[] = [];
  readonly chunkBatchSize: number[] = [];
  readonly chunkPrefillTokens: number[] = [];
  readonly journey: JourneyEntry[] = [];
  readonly admissions: Admission[] = [];

  constructor(spec: RequestSpec, queuedUs: number, blockSize: number) {
    this.spec = spec;
    this.queuedUs = queuedUs;
    this.promptTokens = spec.promptIds.length;
    this.tokenIds = spec.promptIds.slice();
    this.hashes = emptyChain();
    extendChain(this.hashes, this.tokenIds, blockSize);
  }

  get numTokens(): number {
    return this.tokenIds.length;
  }

  get isDecoding(): boolean {
    return this.outputTokens > 0 && this.numTokens - this.numComputed === 1;
  }

  get admission(): Admission {
    return this.admissions[this.admissions.length - 1];
  }

  /** True while the current admission is a resume after a preemption. */
  get isResumed(): boolean {
    return this.admissions.length > 1;
  }

  recordJourney(
    type: JourneyType,
    us: number,
    step: number,
    phase: JourneyEntry['phase'],
    extra?: Pick<JourneyEntry, 'scheduleKind' | 'finishStatus'>,
  ): void {
    this.journey.push({
      type,
      us,
      step,
      phase,
      prefillDone: Math.min(this.numComputed, this.promptTokens),
      prefillTotal: this.promptTokens,
      decodeDone: this.outputTokens,
      decodeMax: this.spec.maxTokens,
      preemptions: this.preemptions,
      ...extra,
    });
  }

  finished(finishedUs: number, departedUs: number, finishReason: FinishedRequest['finishReason']): FinishedRequest {
    const spec = this.spec;
    return {
      index: spec.index,
      apiArrivalUs: spec.apiArrivalUs,
      queuedUs: this.queuedUs,
      finishedUs,
      departedUs,
      promptTokens: this.promptTokens,
      cachedTokens: this.cachedTokens,
      maxTokens: spec.maxTokens,
      concurrency: spec.concurrency,
      finishReason,
      numPreemptions: this.preemptions,
      chunkEndUs: this.chunkEndUs,
      chunkTokens: this.chunkTokens,
      chunkBatchSize: this.chunkBatchSize,
      chunkPrefillTokens: this.chunkPrefillTokens,
      outputIds: this.tokenIds.slice(this.promptTokens),
      hashes: this.hashes,
      journey: this.journey,
      admissions: this.admissions,
    };
  }
}
