/**
 * One engine core: a vLLM-v1-style continuous-batching scheduler over a
 * paged KV cache with prefix caching, chunked prefill, recompute preemption
 * and optional speculative decoding. Pure: no I/O, no wall clock.
 *
 * A step, planned at its start time:
 *  1. Decodes first, in admission order: every decoding request gets 1 token
 *     (1 + K with speculative decoding). Decodes are never starved by prefill.
 *  2. Running requests still in prefill, in admission order, get chunks of
 *     the remaining token budget (chunked prefill).
 *  3. If nothing was preempted this step: admissions from the head of the
 *     waiting queue while the budget lasts, the batch has fewer than
 *     max_num_seqs requests and the KV cache can hold the first chunk.
 * Whenever a running request cannot get the KV blocks it needs, the most
 * recently admitted running request is preempted (recompute: its blocks
 * are freed, it returns to the head of the waiting queue, and on
 * readmission recomputes prompt + output so far as prefill, minus any
 * prefix-cache hits). Preemption happens only on allocation failure.
 * Then the step runs for the cost model's wall time and its outputs appear
 * at its end: finished prefills emit their first token, decodes emit 1
 * (or 1 + accepted drafts) tokens.
 */
import type { GenConfig } from './config.js';
import { apiOutUs, schedulerCpuUs, stepWallUs } from './costModel.js';
import { Deque } from './deque.js';
import { extendChain } from './blockHash.js';
import {
  PHASE_DECODE,
  PHASE_PREFILL,
  StepBatch,
  type FinishedRequest,
  type PrefixStepStats,
  type SpecStepStats,
  type StepEvent,
} from './events.js';
import { KvCache } from './kvCache.js';
import { VOCAB } from './requestShape.js';
import { Rng } from './rng.js';
import type { SimRequest } from './simRequest.js';
import type { RequestSpec } from './workload.js';

/** A step's event and the requests it finished (with the specs their clients sent). */
export interface StepOutcome {
  /** `waitingAfter` counts only requests queued before the step ended that the caller has enqueued; it updates it. */
  event: StepEvent;
  finished: { spec: RequestSpec; request: FinishedRequest }[];
}

export class Engine {
  private readonly waiting = new Deque<SimRequest>();
  /** Admission order; the tail is the preemption victim. */
  private running: SimRequest[] = [];
  private readonly kv: KvCache;
  private readonly blockSize: number;
  /** Requests scheduled this step, in scheduling order. */
  private readonly scheduled: SimRequest[] = [];
  private budget = 0;
  private preemptedThisStep = 0;
  private readonly specRng: Rng;
  private readonly noiseRng: Rng;
  private readonly outputRng: Rng;
  stepsStarted = 0;
  preemptions = 0;

  constructor(private readonly config: GenConfig) {
    this.kv = new KvCache(config.kvBlocks);
    this.blockSize = config.blockSize;
    this.specRng = new Rng(config.seed, 'engine.spec');
    this.noiseRng = new Rng(config.seed, 'engine.noise');
    this.outputRng = new Rng(config.seed, 'engine.output-tokens');
  }

  get isIdle(): boolean {
    return this.running.length === 0 && this.waiting.length === 0;
  }

  get runningCount(): number {
    return this.running.length;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  kvUsage(): number {
    return this.kv.usage();
  }

  /** The request reached the engine (journey.QUEUED). */
  enqueue(request: SimRequest): void {
    request.recordJourney('QUEUED', request.queuedUs, this.stepsStarted, 'WAITING');
    this.waiting.push(request);
  }

  step(startUs: number): StepOutcome {
    const id = ++this.stepsStarted;
    const prefix: PrefixStepStats = { requests: 0, queries: 0, hits: 0, preemptedRequests: 0, preemptedQueries: 0, preemptedHits: 0 };
    this.plan(startUs, id, prefix);
    if (this.scheduled.length === 0) throw new Error(`internal: step ${id} scheduled nothing with ${this.running.length} running`);

    let prefillTokens = 0;
    let decodeTokens = 0;
    let decodeContextTokens = 0;
    let numPrefillReqs = 0;
    for (const r of this.scheduled) {
      if (r.scheduledAsDecode) {
        decodeTokens += r.scheduledTokens;
        decodeContextTokens += r.numComputed;
      } else {
        prefillTokens += r.scheduledTokens;
        numPrefillReqs++;
        prefix.requests++;
        prefix.queries += r.scheduledTokens;
        if (r.isResumed) {
          prefix.preemptedRequests++;
          prefix.preemptedQueries += r.scheduledTokens;
        }
      }
    }
    const numScheduled = this.scheduled.length;
    const wallUs = stepWallUs(this.config, { prefillTokens, decodeTokens, decodeContextTokens }, this.noiseRng);
    const endUs = startUs + wallUs;

    const batch = new StepBatch(this.running.length);
    for (let i = 0; i < this.running.length; i++) {
      const r = this.running[i];
      batch.set(
        i,
        r.spec.index,
        r.scheduledAsDecode ? PHASE_DECODE : PHASE_PREFILL,
        r.scheduledTokens,
        r.numComputed,
        r.outputTokens,
        r.promptTokens,
        r.preemptions,
        r.blocks.length,
        r.cachedBlocks,
        r.admission.tokens,
      );
    }
    const waitingAtSchedule = this.waiting.length;
    const kvFreeAtSchedule = this.kv.freeBlocks;
    const kvUsageAtSchedule = this.kv.usage();

    const spec = this.config.specK > 0 ? emptySpecStats(this.config.specK) : null;
    const finished: StepOutcome['finished'] = [];
    const stillRunning: SimRequest[] = [];
    for (let i = 0; i < this.running.length; i++) {
      const r = this.running[i];
      const emitted = r.scheduledTokens > 0 ? this.execute(r, spec) : 0;
      batch.setEmitted(i, emitted);
      r.scheduledTokens = 0;
      if (emitted > 0) this.deliver(r, emitted, endUs, numScheduled, prefillTokens, id);
      const reason = emitted > 0 ? finishReasonOf(r) : undefined;
      if (reason === undefined) {
        stillRunning.push(r);
        continue;
      }
      this.kv.release(r);
      r.recordJourney('FINISHED', endUs, id, 'DECODE', { finishStatus: FINISH_STATUS[reason] });
      finished.push({ spec: r.spec, request: r.finished(endUs, endUs + apiOutUs(this.config, r.outputTokens), reason) });
    }
    this.running = stillRunning;

    return {
      event: {
        kind: 'step',
        id,
        startUs,
        endUs,
        schedulerCpuUs: schedulerCpuUs(numScheduled, wallUs),
        batch,
        numScheduled,
        numPrefillReqs,
        numDecodeReqs: numScheduled - numPrefillReqs,
        prefillTokens,
        decodeTokens,
        decodeContextTokens,
        numPreempted: this.preemptedThisStep,
        numFinished: finished.length,
        waitingAtSchedule,
        kvFreeAtSchedule,
        kvUsageAtSchedule,
        runningAfter: this.running.length,
        waitingAfter: this.waiting.length,
        kvUsageAfter: this.kv.usage(),
        prefix,
        spec: spec !== null && spec.numDrafts > 0 ? spec : null,
      },
      finished,
    };
  }

  private plan(startUs: number, id: number, prefix: PrefixStepStats): void {
    const c = this.config;
    this.scheduled.length = 0;
    this.budget = c.maxNumBatchedTokens;
    this.preemptedThisStep = 0;

    // 1. Decodes. A victim is always behind r in admission order, or r itself (then every later request is gone too).
    for (let i = 0; i < this.running.length; i++) {
      const r = this.running[i];
      if (!r.isDecoding) continue;
      const tokens = c.specK + 1;
      if (!this.reserve(r, r.numComputed + tokens, startUs, id)) break;
      this.schedule(r, tokens, true);
    }
    // 2. Running prefills (partially prefilled prompts, recomputations) in admission order.
    for (let i = 0; i < this.running.length && this.budget > 0; i++) {
      const r = this.running[i];
      if (r.scheduledTokens > 0 || r.isDecoding) continue;
      const tokens = Math.min(r.numTokens - r.numComputed, this.budget);
      if (!this.reserve(r, r.numComputed + tokens, startUs, id)) break;
      this.schedule(r, tokens, false);
    }
    // 3. Admissions, only in steps without preemption (vLLM v1: a step that had to preempt admits nobody).
    if (this.preemptedThisStep > 0) return;
    const bs = this.blockSize;
    while (this.waiting.length > 0 && this.running.length < c.maxNumSeqs && this.budget > 0) {
      const r = this.waiting.peek();
      // At least one token must be computed to sample from: a fully cached prompt still recomputes its last block.
      const hitBlocks = this.kv.lookup(r.hashes.hi, r.hashes.lo, Math.floor((r.numTokens - 1) / bs));
      const hitTokens = hitBlocks * bs;
      const tokens = Math.min(r.numTokens - hitTokens, this.budget);
      if (!this.kv.admit(r, hitBlocks, Math.ceil((hitTokens + tokens) / bs))) break;
      this.waiting.shift();
      this.running.push(r);
      const resumed = r.admissions.length > 0;
      r.numComputed = hitTokens;
      r.cachedBlocks = hitBlocks;
      r.registeredBlocks = hitBlocks;
      if (!resumed) r.cachedTokens = hitTokens;
      r.admissions.push({ step: id, tokens: r.numTokens, hitTokens, prefilled: 0 });
      r.recordJourney('SCHEDULED', startUs, id, 'PREFILL', { scheduleKind: resumed ? 'RESUME' : 'FIRST' });
      prefix.hits += hitTokens;
      prefix.queries += hitTokens;
      if (resumed) {
        prefix.preemptedHits += hitTokens;
        prefix.preemptedQueries += hitTokens;
      }
      this.schedule(r, tokens, false);
    }
  }

  private schedule(r: SimRequest, tokens: number, asDecode: boolean): void {
    r.scheduledTokens = tokens;
    r.scheduledAsDecode = asDecode;
    this.scheduled.push(r);
    this.budget -= tokens;
  }

  /**
   * Makes `r` hold blocks for `tokens` tokens, preempting from the tail of the
   * running list until it fits. False when `r` itself had to be preempted.
   */
  private reserve(r: SimRequest, tokens: number, startUs: number, id: number): boolean {
    const needed = Math.ceil(tokens / this.blockSize);
    while (!this.kv.grow(r, needed)) {
      const victim = this.running[this.running.length - 1];
      this.preempt(victim, startUs, id);
      if (victim === r) return false;
    }
    return true;
  }

  private preempt(victim: SimRequest, startUs: number, id: number): void {
    this.running.pop();
    if (victim.scheduledTokens > 0) {
      // Only a prefill can preempt an already scheduled decode (one admitted after it): take its tokens back.
      this.budget += victim.scheduledTokens;
      this.scheduled.splice(this.scheduled.indexOf(victim), 1);
      victim.scheduledTokens = 0;
    }
    this.kv.release(victim);
    victim.numComputed = 0;
    victim.cachedBlocks = 0;
    victim.registeredBlocks = 0;
    victim.preemptions++;
    this.preemptions++;
    this.preemptedThisStep++;
    victim.recordJourney('PREEMPTED', startUs, id, 'WAITING');
    this.waiting.unshift(victim);
  }

  /** Runs `r`'s share of the step; returns the output tokens it delivers at the step's end. */
  private execute(r: SimRequest, spec: SpecStepStats | null): number {
    let emitted: number;
    if (r.scheduledAsDecode) {
      let accepted = 0;
      if (spec !== null) {
        while (accepted < spec.numSpecTokens && this.specRng.chance(this.config.specAccept)) {
          spec.numAcceptedTokensPerPos[accepted]++;
          accepted++;
        }
        spec.numDrafts++;
        spec.numDraftTokens += spec.numSpecTokens;
        spec.numAcceptedTokens += accepted;
      }
      // The fed token and the accepted drafts are now in the KV cache; the bonus token is not yet.
      r.numComputed += accepted + 1;
      // Tokens past the stop/length limit are discarded, as the engine's stop check does.
      emitted = Math.min(accepted + 1, r.spec.outputLimit - r.outputTokens);
    } else {
      r.numComputed += r.scheduledTokens;
      r.admission.prefilled += r.scheduledTokens;
      emitted = r.numComputed === r.numTokens ? 1 : 0;
    }
    this.registerFullBlocks(r);
    return emitted;
  }

  /** Puts every newly completed full block of `r` into the prefix cache. */
  private registerFullBlocks(r: SimRequest): void {
    const computed = Math.min(r.numComputed, r.numTokens);
    const full = Math.floor(computed / this.blockSize);
    if (full <= r.registeredBlocks) return;
    extendChain(r.hashes, r.tokenIds, this.blockSize, computed);
    for (let b = r.registeredBlocks; b < full; b++) this.kv.register(r, b, r.hashes.hi[b], r.hashes.lo[b]);
    r.registeredBlocks = full;
  }

  private deliver(r: SimRequest, tokens: number, endUs: number, batchSize: number, prefillTokens: number, id: number): void {
    for (let k = 0; k < tokens; k++) r.tokenIds.push(this.outputRng.below(VOCAB));
    const first = r.outputTokens === 0;
    r.outputTokens += tokens;
    r.chunkEndUs.push(endUs);
    r.chunkTokens.push(tokens);
    r.chunkBatchSize.push(batchSize);
    r.chunkPrefillTokens.push(prefillTokens);
    if (first) r.recordJourney('FIRST_TOKEN', endUs, id, 'DECODE');
  }
}

const FINISH_STATUS = { stop: 'stopped', length: 'length', abort: 'aborted' } as const;

/** Why `r` ends after delivering tokens, if it does: its planned limit first, then a client abort. */
function finishReasonOf(r: SimRequest): FinishedRequest['finishReason'] | undefined {
  if (r.outputTokens >= r.spec.outputLimit) return r.spec.limitReason;
  if (r.spec.abortAfter > 0 && r.outputTokens >= r.spec.abortAfter) return 'abort';
  return undefined;
}

function emptySpecStats(k: number): SpecStepStats {
  return { numSpecTokens: k, numDrafts: 0, numDraftTokens: 0, numAcceptedTokens: 0, numAcceptedTokensPerPos: new Array<number>(k).fill(0) };
}
