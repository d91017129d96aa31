import type { StepStatsRecord } from '../records.js';
import type { OtlpStepSummary } from '../otlpRecords.js';
import { STEP_KINDS, type StepKind, type StepTable, type StepSource } from '../model.js';
import { Float64Growable, Int32Growable, Uint8Growable } from '../../util/growable.js';

/**
 * formats.md §2: a step ran prefill when it had prefill requests or prefill
 * tokens; with decode requests beside it, it is "prefill+decode". Decode
 * requests are the running ones that were not prefilling (the sidecar's
 * running count includes the requests it is prefilling).
 */
export function classifyStep(prefillRequests: number, prefillTokens: number, decodeRequests: number): StepKind {
  const ranPrefill = prefillRequests > 0 || prefillTokens > 0;
  if (!ranPrefill) return 'decode';
  return decodeRequests > 0 ? 'prefill+decode' : 'prefill';
}

/** Step label used by every timeline sink: `decode B<n>`, `prefill (+<r>r <t>t)`, `prefill+decode B<n> (+<r>r <t>t)`. */
export function stepLabel(kind: StepKind, batch: number, prefillRequests: number, prefillTokens: number): string {
  switch (kind) {
    case 'decode':
      return `decode B${batch}`;
    case 'prefill':
      return `prefill (+${prefillRequests}r ${prefillTokens}t)`;
    case 'prefill+decode':
      return `prefill+decode B${batch} (+${prefillRequests}r ${prefillTokens}t)`;
  }
}

/** Growable columns behind a StepTable. */
class StepColumns {
  stepId = new Int32Growable();
  startMs = new Float64Growable();
  endMs = new Float64Growable();
  wallKnown = new Uint8Growable();
  running = new Int32Growable();
  waiting = new Int32Growable();
  prefillRequests = new Int32Growable();
  prefillTokens = new Int32Growable();
  decodeTokens = new Int32Growable();
  prefixHits = new Int32Growable();
  preempted = new Int32Growable();
  kvUsage = new Float64Growable();
  specAccepted = new Int32Growable();
  specDraft = new Int32Growable();
  kind = new Uint8Growable();
  schedulerCpuUs = new Float64Growable();
  sourceLine = new Int32Growable();

  finish(source: StepSource | 'none'): StepTable {
    return {
      count: this.stepId.length,
      source,
      stepId: this.stepId.view(),
      startMs: this.startMs.view(),
      endMs: this.endMs.view(),
      wallKnown: this.wallKnown.view(),
      running: this.running.view(),
      waiting: this.waiting.view(),
      prefillRequests: this.prefillRequests.view(),
      prefillTokens: this.prefillTokens.view(),
      decodeTokens: this.decodeTokens.view(),
      prefixHits: this.prefixHits.view(),
      preempted: this.preempted.view(),
      kvUsage: this.kvUsage.view(),
      specAccepted: this.specAccepted.view(),
      specDraft: this.specDraft.view(),
      kind: this.kind.view(),
      schedulerCpuUs: this.schedulerCpuUs.view(),
      sourceLine: this.sourceLine.view(),
    };
  }
}

export function emptyStepTable(): StepTable {
  return new StepColumns().finish('none');
}

/**
 * Folds sidecar lines into steps. Line i closes the step [ts[i-1], ts[i]];
 * the first line only seeds the clock. A line whose previous line left an
 * empty batch and which ran no prefill did no work: it closes an idle
 * interval (the engine logs when work resumes), so it is counted, not kept.
 */
export class SidecarStepBuilder {
  private readonly columns = new StepColumns();
  private previous: StepStatsRecord | undefined;
  private stepCounter = 0;
  idleIntervals = 0;

  add(record: StepStatsRecord): void {
    const previous = this.previous;
    this.previous = record;
    if (!previous) return;
    const prefix = record.prefixCacheStats;
    const prefillRequests = prefix?.requests ?? 0;
    const queriedTokens = prefix?.queries ?? 0;
    // vLLM's prefix-cache `queries` are the prompt tokens looked up, `hits` those found cached:
    // the step computed only the difference. A fully cached prefill still ran (and is classified) as prefill.
    const prefillTokens = Math.max(0, queriedTokens - (prefix?.hits ?? 0));
    const ranPrefill = prefillRequests > 0 || queriedTokens > 0;
    if (previous.numRunningReqs === 0 && !ranPrefill) {
      this.idleIntervals++;
      return;
    }
    const decodeRequests = Math.max(0, record.numRunningReqs - prefillRequests);
    const spec = record.specDecodingStats;
    const c = this.columns;
    c.stepId.push(++this.stepCounter);
    c.startMs.push(previous.tsMs);
    c.endMs.push(record.tsMs);
    c.wallKnown.push(1);
    c.running.push(record.numRunningReqs);
    c.waiting.push(record.numWaitingReqs);
    c.prefillRequests.push(prefillRequests);
    c.prefillTokens.push(prefillTokens);
    // Each decoding request verifies its draft tokens too, so spec decoding adds the drafts to decode work.
    c.decodeTokens.push(decodeRequests + (spec?.numDraftTokens ?? 0));
    c.prefixHits.push(prefix?.hits ?? -1);
    // The sidecar's prefix_cache_stats.preempted_requests counts preempted requests being *resumed*, not new preemptions.
    c.preempted.push(-1);
    c.kvUsage.push(record.kvCacheUsage);
    c.specAccepted.push(spec?.numAcceptedTokens ?? 0);
    c.specDraft.push(spec?.numDraftTokens ?? 0);
    c.kind.push(STEP_KINDS.indexOf(classifyStep(prefillRequests, queriedTokens, decodeRequests)));
    c.schedulerCpuUs.push(NaN);
    c.sourceLine.push(record.line);
  }

  finish(): StepTable {
    return this.columns.finish(this.previous ? 'sidecar' : 'none');
  }
}

/**
 * A step after which the engine may have gone idle: every request in its
 * batch finished, none was waiting and none was preempted back into the
 * queue. The distance to the next step's start then includes idle time.
 */
function drainedEngine(step: OtlpStepSummary): boolean {
  return step.numFinished >= step.runningDepth && step.waitingDepth === 0 && step.numPreempted === 0;
}

/**
 * Steps from sampled OTLP BATCH_SUMMARY events (sorted by step id). A step's
 * wall time is the distance to the next step's start, known only when that
 * next step (id + 1) was sampled too and the engine did not drain in between;
 * otherwise the interval falls back to the scheduler's CPU time and wallKnown
 * is 0 (formats.md §3 trap: step.duration_us is not the forward pass).
 */
export function stepsFromOtlp(summaries: readonly OtlpStepSummary[]): StepTable {
  const c = new StepColumns();
  for (let i = 0; i < summaries.length; i++) {
    const step = summaries[i];
    const next = summaries[i + 1];
    const wallKnown = next !== undefined && next.stepId === step.stepId + 1 && !drainedEngine(step);
    c.stepId.push(step.stepId);
    c.startMs.push(step.startMs);
    c.endMs.push(wallKnown ? next.startMs : step.startMs + step.durationUs / 1000);
    c.wallKnown.push(wallKnown ? 1 : 0);
    c.running.push(step.runningDepth);
    c.waiting.push(step.waitingDepth);
    c.prefillRequests.push(step.numPrefillReqs);
    c.prefillTokens.push(step.prefillTokens);
    c.decodeTokens.push(step.decodeTokens);
    c.prefixHits.push(-1);
    c.preempted.push(step.numPreempted);
    c.kvUsage.push(step.kvUsageGpuRatio);
    c.specAccepted.push(0);
    c.specDraft.push(0);
    c.kind.push(STEP_KINDS.indexOf(classifyStep(step.numPrefillReqs, step.prefillTokens, step.numDecodeReqs)));
    c.schedulerCpuUs.push(step.durationUs);
    c.sourceLine.push(-1);
  }
  return c.finish(summaries.length > 0 ? 'otlp' : 'none');
}
