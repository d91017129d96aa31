/**
 * Which engine steps each request decoded in, reconstructed from its journey
 * events' `scheduler.step` attributes (engine step ids, so no clock
 * alignment is involved). Used for the "decode × context" beta feature (the
 * KV context attention reads per step) and for the ITL prediction check.
 *
 * Rules (vLLM v1 schedules every running decode each step, one token each):
 * - FIRST_TOKEN at step f, with decode.done_tokens = d: the request decodes
 *   in steps f+1, f+2, … with d, d+1, … output tokens before the step.
 * - PREEMPTED at step p: the victim is taken out while step p is planned,
 *   so its last decode step is p−1.
 * - SCHEDULED (RESUME) at step q after a preemption during decode: it
 *   recomputes prompt + output and emits one token; assumed to finish that
 *   recompute within step q (true unless the recompute exceeds the step's
 *   token budget — then the decode-request check in stepRows.ts catches the
 *   mismatch and drops those steps from the context feature).
 * - FINISHED at step F: F is its last decode step.
 * Context before a decode step = prompt + outputs so far − 1 (the newest
 * token is fed by this step, not yet in the cache). Speculative decoding
 * advances several tokens per step: this rule then underestimates context.
 */
import type { JourneyEvent, JourneyRequest } from '../capture/otlpRecords.js';

export interface DecodeRun {
  firstStep: number;
  lastStep: number;
  /** KV context tokens of the request before `firstStep`; +1 for each later step of the run. */
  contextAtFirst: number;
}

function promptTokensOf(request: JourneyRequest): number | undefined {
  for (const event of request.events) if (event.layer === 'core' && event.prefillTotalTokens !== undefined) return event.prefillTotalTokens;
  return request.promptTokens;
}

/** The request's decode runs in step order; empty when its core events lack step ids or it never produced a first token. */
export function decodeRuns(request: JourneyRequest): DecodeRun[] {
  const prompt = promptTokensOf(request);
  if (prompt === undefined) return [];
  const runs: DecodeRun[] = [];
  let open: { firstStep: number; outputsBefore: number } | undefined;
  let outputsAtPreemption = 0;
  const close = (lastStep: number) => {
    if (open !== undefined && lastStep >= open.firstStep) {
      runs.push({ firstStep: open.firstStep, lastStep, contextAtFirst: prompt + open.outputsBefore - 1 });
    }
    open = undefined;
  };
  for (const event of request.events) {
    if (event.layer !== 'core') continue;
    const step = event.schedulerStep;
    if (step === undefined) return [];
    switch (event.type) {
      case 'FIRST_TOKEN':
        open = { firstStep: step + 1, outputsBefore: outputsAfter(event, 1) };
        break;
      case 'PREEMPTED':
        close(step - 1);
        outputsAtPreemption = event.decodeDoneTokens ?? 0;
        break;
      case 'SCHEDULED':
        if (event.scheduleKind === 'RESUME' && outputsAtPreemption > 0) open = { firstStep: step + 1, outputsBefore: outputsAtPreemption + 1 };
        break;
      case 'FINISHED':
        close(step);
        return runs;
    }
  }
  // No FINISHED in the file (capture ended mid-request): its steps after the last event are unknown.
  return runs;
}

function outputsAfter(event: JourneyEvent, fallback: number): number {
  return event.decodeDoneTokens !== undefined && event.decodeDoneTokens > 0 ? event.decodeDoneTokens : fallback;
}

export interface DecodeActivity {
  /** Step id of index 0. */
  firstStep: number;
  /** Requests decoding in each step, per the rules above. */
  requests: Int32Array;
  /** Sum of their KV context tokens before the step. */
  contextTokens: Float64Array;
}

/** Per-step decode counts and context sums over all requests (difference arrays: linear in requests + steps). */
export function decodeActivity(requests: readonly JourneyRequest[]): DecodeActivity {
  const allRuns = requests.flatMap(decodeRuns);
  if (allRuns.length === 0) return { firstStep: 0, requests: new Int32Array(0), contextTokens: new Float64Array(0) };
  let first = Infinity;
  let last = -Infinity;
  for (const run of allRuns) {
    first = Math.min(first, run.firstStep);
    last = Math.max(last, run.lastStep);
  }
  const length = last - first + 1;
  // context(s) = (contextAtFirst − firstStep) + s over the run: a constant part and a slope part.
  const countDelta = new Float64Array(length + 1);
  const constantDelta = new Float64Array(length + 1);
  for (const run of allRuns) {
    const a = run.firstStep - first;
    const b = run.lastStep - first + 1;
    countDelta[a] += 1;
    countDelta[b] -= 1;
    const constant = run.contextAtFirst - run.firstStep;
    constantDelta[a] += constant;
    constantDelta[b] -= constant;
  }
  const counts = new Int32Array(length);
  const contextTokens = new Float64Array(length);
  let count = 0;
  let constant = 0;
  for (let i = 0; i < length; i++) {
    count += countDelta[i];
    constant += constantDelta[i];
    counts[i] = count;
    contextTokens[i] = constant + count * (first + i);
  }
  return { firstStep: first, requests: counts, contextTokens };
}
