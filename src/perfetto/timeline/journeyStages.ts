/**
 * Per-request stage intervals from the engine's own journey events (OTLP
 * core layer, formats.md §3): queue = QUEUED → SCHEDULED, prefill =
 * SCHEDULED → FIRST_TOKEN, decode = FIRST_TOKEN → FINISHED, preempted =
 * PREEMPTED → the next SCHEDULED. A SCHEDULED after the first token (a resume
 * after preemption) opens a decode stage again. A stage with no closing event
 * (the span lost it, or the request was still running) is not drawn.
 */
import type { JourneyRequest, OtlpCapture } from '../../capture/otlpRecords.js';
import { packLanes } from '../../capture/derive/lanes.js';
import { Float64Growable, Int32Growable, Uint8Growable } from '../../util/growable.js';

export const JOURNEY_STAGES = ['queue', 'prefill', 'decode', 'preempted'] as const;
export type JourneyStage = (typeof JOURNEY_STAGES)[number];
const QUEUE = 0;
const PREFILL = 1;
const DECODE = 2;
const PREEMPTED = 3;

export interface JourneyTimeline {
  requestCount: number;
  /** The API request id when known, else the trace id. */
  label: string[];
  /** Stages of request r are rows [stageOffset[r], stageOffset[r + 1]), in time order, back to back or apart, never overlapping. */
  stageOffset: Int32Array;
  /** Index into JOURNEY_STAGES. */
  stage: Uint8Array;
  beginMs: Float64Array;
  endMs: Float64Array;
  /** scheduler.step of the event that opened the stage; -1 when absent. */
  schedulerStep: Int32Array;
  /** num_preemptions at the event that opened the stage; -1 when absent. */
  numPreemptions: Int32Array;
  /** Lane of each request (greedy packing of [first stage begin, last stage end]). */
  lane: Int32Array;
  laneCount: number;
}

interface StageRows {
  stage: Uint8Growable;
  beginMs: Float64Growable;
  endMs: Float64Growable;
  schedulerStep: Int32Growable;
  numPreemptions: Int32Growable;
}

/** Appends one request's stages; returns how many. */
function appendStages(request: JourneyRequest, rows: StageRows): number {
  let open = -1;
  let openMs = 0;
  let openStep = -1;
  let openPreemptions = -1;
  let firstTokenSeen = false;
  let count = 0;
  const close = (atMs: number) => {
    if (open < 0) return;
    rows.stage.push(open);
    rows.beginMs.push(openMs);
    rows.endMs.push(Math.max(atMs, openMs));
    rows.schedulerStep.push(openStep);
    rows.numPreemptions.push(openPreemptions);
    count++;
    open = -1;
  };
  for (const event of request.events) {
    if (event.layer !== 'core') continue;
    let next = -1;
    switch (event.type) {
      case 'QUEUED':
        next = QUEUE;
        break;
      case 'SCHEDULED':
        next = firstTokenSeen ? DECODE : PREFILL;
        break;
      case 'FIRST_TOKEN':
        firstTokenSeen = true;
        next = DECODE;
        break;
      case 'PREEMPTED':
        next = PREEMPTED;
        break;
      case 'FINISHED':
        break;
      default:
        continue;
    }
    close(event.tsMs);
    if (next >= 0) {
      open = next;
      openMs = event.tsMs;
      openStep = event.schedulerStep ?? -1;
      openPreemptions = event.numPreemptions ?? -1;
    }
  }
  return count;
}

export function journeyTimeline(otlp: OtlpCapture | undefined): JourneyTimeline {
  const rows: StageRows = {
    stage: new Uint8Growable(),
    beginMs: new Float64Growable(),
    endMs: new Float64Growable(),
    schedulerStep: new Int32Growable(),
    numPreemptions: new Int32Growable(),
  };
  const drawn: { request: JourneyRequest; from: number; to: number }[] = [];
  for (const request of otlp?.requests ?? []) {
    const from = rows.stage.length;
    if (appendStages(request, rows) > 0) drawn.push({ request, from, to: rows.stage.length });
  }
  // Entities must reach the timeline merge in order of their first event.
  const beginMs = rows.beginMs.view();
  const endMs = rows.endMs.view();
  drawn.sort((a, b) => beginMs[a.from] - beginMs[b.from]);

  const n = drawn.length;
  const stageOffset = new Int32Array(n + 1);
  const columns = {
    stage: new Uint8Array(rows.stage.length),
    beginMs: new Float64Array(rows.stage.length),
    endMs: new Float64Array(rows.stage.length),
    schedulerStep: new Int32Array(rows.stage.length),
    numPreemptions: new Int32Array(rows.stage.length),
  };
  const stage = rows.stage.view();
  const schedulerStep = rows.schedulerStep.view();
  const numPreemptions = rows.numPreemptions.view();
  const spanBegin = new Float64Array(n);
  const spanEnd = new Float64Array(n);
  let at = 0;
  drawn.forEach(({ from, to }, r) => {
    for (let i = from; i < to; i++, at++) {
      columns.stage[at] = stage[i];
      columns.beginMs[at] = beginMs[i];
      columns.endMs[at] = endMs[i];
      columns.schedulerStep[at] = schedulerStep[i];
      columns.numPreemptions[at] = numPreemptions[i];
    }
    stageOffset[r + 1] = at;
    spanBegin[r] = beginMs[from];
    spanEnd[r] = endMs[to - 1];
  });
  const { lane, laneCount } = packLanes(spanBegin, spanEnd);
  return {
    requestCount: n,
    label: drawn.map(({ request }) => request.requestId ?? request.coreRequestId ?? request.traceId),
    stageOffset,
    ...columns,
    lane,
    laneCount,
  };
}
