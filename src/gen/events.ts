/**
 * What the scheduler simulation emits. All times are integer microseconds
 * since the first request's api.ARRIVED (the capture's t = 0); writers turn
 * them into ms (trace, sidecar) or epoch ns (OTLP).
 */
import type { FinishReason } from '../capture/records.js';
import type { HashChain } from './blockHash.js';

export const PHASE_PREFILL = 0;
export const PHASE_DECODE = 1;

/** Per-request columns of a step's batch, stored flat in one array per step (cheap at 10^4+ steps/s). */
const FIELDS = 11;
const F_REQUEST = 0;
const F_PHASE = 1;
const F_SCHEDULED = 2;
const F_COMPUTED_BEFORE = 3;
const F_OUTPUT_BEFORE = 4;
const F_PROMPT = 5;
const F_PREEMPTIONS = 6;
const F_BLOCKS = 7;
const F_CACHED_BLOCKS = 8;
const F_ADMITTED_TOKENS = 9;
const F_EMITTED = 10;

/** One running request as the step saw it after scheduling. */
export interface BatchRow {
  request: number;
  phase: typeof PHASE_PREFILL | typeof PHASE_DECODE;
  /** Tokens computed for it this step (0: running but left out of this step's budget). */
  scheduled: number;
  /** num_computed_tokens before the step. */
  computedBefore: number;
  /** Output tokens before the step. */
  outputBefore: number;
  promptTokens: number;
  preemptions: number;
  /** KV blocks it holds for this step. */
  blocks: number;
  /** Of those, blocks that were prefix-cache hits at its (latest) admission. */
  cachedBlocks: number;
  /** Tokens it had to (re)compute at its latest admission: prompt, or prompt + output after a preemption. */
  admittedTokens: number;
  /** Output tokens delivered at the end of the step. */
  emitted: number;
}

/** The running requests of one step, in admission order. */
export class StepBatch {
  readonly length: number;
  /** A plain array of small integers: allocated on the JS heap, cheaper per step than a typed array's backing store. */
  private readonly data: number[];

  constructor(length: number) {
    this.length = length;
    this.data = new Array<number>(length * FIELDS);
  }

  /** Fills row `i`; the arguments are BatchRow's fields in declaration order (positional: this runs for every request of every step). */
  set(
    i: number,
    request: number,
    phase: BatchRow['phase'],
    scheduled: number,
    computedBefore: number,
    outputBefore: number,
    promptTokens: number,
    preemptions: number,
    blocks: number,
    cachedBlocks: number,
    admittedTokens: number,
  ): void {
    const d = this.data;
    const o = i * FIELDS;
    d[o + F_REQUEST] = request;
    d[o + F_PHASE] = phase;
    d[o + F_SCHEDULED] = scheduled;
    d[o + F_COMPUTED_BEFORE] = computedBefore;
    d[o + F_OUTPUT_BEFORE] = outputBefore;
    d[o + F_PROMPT] = promptTokens;
    d[o + F_PREEMPTIONS] = preemptions;
    d[o + F_BLOCKS] = blocks;
    d[o + F_CACHED_BLOCKS] = cachedBlocks;
    d[o + F_ADMITTED_TOKENS] = admittedTokens;
    d[o + F_EMITTED] = 0;
  }

  setEmitted(i: number, tokens: number): void {
    this.data[i * FIELDS + F_EMITTED] = tokens;
  }

  request(i: number): number {
    return this.data[i * FIELDS + F_REQUEST];
  }

  scheduled(i: number): number {
    return this.data[i * FIELDS + F_SCHEDULED];
  }

  row(i: number): BatchRow {
    const d = this.data;
    const o = i * FIELDS;
    return {
      request: d[o + F_REQUEST],
      phase: d[o + F_PHASE] === PHASE_DECODE ? PHASE_DECODE : PHASE_PREFILL,
      scheduled: d[o + F_SCHEDULED],
      computedBefore: d[o + F_COMPUTED_BEFORE],
      outputBefore: d[o + F_OUTPUT_BEFORE],
      promptTokens: d[o + F_PROMPT],
      preemptions: d[o + F_PREEMPTIONS],
      blocks: d[o + F_BLOCKS],
      cachedBlocks: d[o + F_CACHED_BLOCKS],
      admittedTokens: d[o + F_ADMITTED_TOKENS],
      emitted: d[o + F_EMITTED],
    };
  }
}

/** Prefix-cache counters of one step (sidecar `prefix_cache_stats`). */
export interface PrefixStepStats {
  /** Requests that computed prefill tokens this step. */
  requests: number;
  /** Tokens looked up = prefill tokens computed this step + cache hits found by this step's admissions. */
  queries: number;
  /** Cache-hit tokens found by this step's admissions. */
  hits: number;
  /** The part of the three above that belongs to requests resumed after a preemption. */
  preemptedRequests: number;
  preemptedQueries: number;
  preemptedHits: number;
}

/** Speculative-decoding counters of one step (sidecar `spec_decoding_stats`). */
export interface SpecStepStats {
  numSpecTokens: number;
  numDrafts: number;
  numDraftTokens: number;
  numAcceptedTokens: number;
  /** Accepted drafts by position, length numSpecTokens. */
  numAcceptedTokensPerPos: number[];
}

export interface StepEvent {
  kind: 'step';
  /** 1-based (sidecar `step_counter`, OTLP `step.id`). */
  id: number;
  startUs: number;
  endUs: number;
  /** Scheduler CPU time planning the step (part of the wall time). */
  schedulerCpuUs: number;
  batch: StepBatch;
  /** Requests that computed tokens this step (the forward pass's batch size). */
  numScheduled: number;
  numPrefillReqs: number;
  numDecodeReqs: number;
  prefillTokens: number;
  decodeTokens: number;
  decodeContextTokens: number;
  numPreempted: number;
  numFinished: number;
  /** Queue depth after scheduling. */
  waitingAtSchedule: number;
  kvFreeAtSchedule: number;
  kvUsageAtSchedule: number;
  /** State at the step's end: finished requests removed, requests queued during the step added. */
  runningAfter: number;
  waitingAfter: number;
  kvUsageAfter: number;
  prefix: PrefixStepStats;
  spec: SpecStepStats | null;
}

/** Work resumes after the engine sat idle with an empty batch (sidecar idle marker). */
export interface IdleEndEvent {
  kind: 'idle-end';
  atUs: number;
  waiting: number;
  kvUsage: number;
}

export type JourneyType = 'QUEUED' | 'SCHEDULED' | 'FIRST_TOKEN' | 'PREEMPTED' | 'FINISHED';

/** One engine-core journey event with the progress attributes formats.md §3 lists. */
export interface JourneyEntry {
  type: JourneyType;
  us: number;
  step: number;
  phase: 'WAITING' | 'PREFILL' | 'DECODE';
  prefillDone: number;
  prefillTotal: number;
  decodeDone: number;
  decodeMax: number;
  preemptions: number;
  scheduleKind?: 'FIRST' | 'RESUME';
  finishStatus?: 'stopped' | 'length' | 'aborted';
}

/** One admission (first, or resume after a preemption): the prefill it owed and what it computed. */
export interface Admission {
  step: number;
  /** Tokens to (re)build: prompt, plus output tokens after a preemption. */
  tokens: number;
  hitTokens: number;
  /** Prefill tokens computed during this admission (= tokens − hitTokens when it completed). */
  prefilled: number;
}

export interface FinishedRequest {
  index: number;
  apiArrivalUs: number;
  /** journey.QUEUED = the engine trace's arrival_ms. */
  queuedUs: number;
  finishedUs: number;
  /** api.DEPARTED (or api.ABORTED). */
  departedUs: number;
  promptTokens: number;
  /** Prefix-cache hit tokens at the first admission. */
  cachedTokens: number;
  maxTokens: number;
  concurrency: number;
  finishReason: Extract<FinishReason, 'stop' | 'length' | 'abort'>;
  numPreemptions: number;
  /** One entry per delivered chunk; chunk 0 is the first token (at TTFT), the rest close inter-token gaps. */
  chunkEndUs: number[];
  chunkTokens: number[];
  /** Requests in the step that delivered the chunk, and that step's prefill tokens. */
  chunkBatchSize: number[];
  chunkPrefillTokens: number[];
  outputIds: number[];
  /** The prompt's full blocks are the first floor(prompt/block_size) entries. */
  hashes: HashChain;
  journey: JourneyEntry[];
  admissions: Admission[];
}

export interface FinishedEvent {
  kind: 'finished';
  request: FinishedRequest;
}

export type SimEvent = StepEvent | IdleEndEvent | FinishedEvent;

/** Totals returned when the simulation ends. */
export interface SimTotals {
  requests: number;
  aborted: number;
  steps: number;
  preemptions: number;
  gaps: number;
  promptTokens: number;
  cachedTokens: number;
  /** Last api.DEPARTED / ABORTED: the capture's length. */
  endUs: number;
}
