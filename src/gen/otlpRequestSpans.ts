/**
 * Request-journey spans (formats.md §3): per request an API span
 * (`vllm.api` / `llm_request`, SERVER) and its child engine span
 * (`vllm.scheduler` / `llm_core`, INTERNAL, joined by parentSpanId; its
 * `gen_ai.request.id` is the API id plus a suffix, as vLLM's is).
 */
import type { FinishedRequest, JourneyEntry } from './events.js';
import type { IdFactory } from './ids.js';
import {
  SPAN_KIND_INTERNAL,
  SPAN_KIND_SERVER,
  doubleAttr,
  encodeSpan,
  epochNs,
  intAttr,
  monotonicNs,
  monotonicSeconds,
  newestEvents,
  spanEvent,
  stringAttr,
  type Piece,
} from './otlpJson.js';

export const API_ROUTE = '/v1/chat/completions';

/** The ids that tie a request's two spans together. */
export interface RequestSpanIds {
  traceId: string;
  apiSpanId: string;
}

export function requestSpanIds(ids: IdFactory, index: number): RequestSpanIds {
  return { traceId: ids.traceId('request', index), apiSpanId: ids.spanId('api', index) };
}

/** api.ARRIVED → HANDOFF_TO_CORE (= QUEUED) → FIRST_RESPONSE_FROM_CORE (= FIRST_TOKEN) → DEPARTED or ABORTED. */
export function apiSpan(r: FinishedRequest, span: RequestSpanIds, ids: IdFactory, model: string): Piece[] {
  const apiEvent = (us: number, type: string, extra: string[] = []) =>
    spanEvent(epochNs(us), `api.${type}`, [doubleAttr('event.ts.monotonic', monotonicSeconds(us)), ...extra]);
  const fields = {
    traceId: span.traceId,
    spanId: span.apiSpanId,
    name: 'llm_request',
    kind: SPAN_KIND_SERVER,
    startNs: epochNs(r.apiArrivalUs),
    endNs: epochNs(r.departedUs),
    attributes: [
      stringAttr('gen_ai.request.id', ids.apiRequestId(r.index)),
      stringAttr('http.route', API_ROUTE),
      stringAttr('gen_ai.response.model', model),
      intAttr('gen_ai.usage.prompt_tokens', r.promptTokens),
      intAttr('gen_ai.usage.completion_tokens', r.outputIds.length),
      intAttr('gen_ai.request.max_tokens', r.maxTokens),
    ],
  };
  const events = [
    apiEvent(r.apiArrivalUs, 'ARRIVED'),
    apiEvent(r.queuedUs, 'HANDOFF_TO_CORE'),
    apiEvent(r.chunkEndUs[0], 'FIRST_RESPONSE_FROM_CORE'),
    r.finishReason === 'abort'
      ? apiEvent(r.departedUs, 'ABORTED', [stringAttr('reason', 'client disconnected')])
      : apiEvent(r.departedUs, 'DEPARTED'),
  ];
  return encodeSpan(fields, newestEvents(events));
}

/** The engine's journey: QUEUED, SCHEDULED (FIRST / RESUME), FIRST_TOKEN, PREEMPTED, FINISHED. */
export function coreSpan(r: FinishedRequest, span: RequestSpanIds, ids: IdFactory): Piece[] {
  const fields = {
    traceId: span.traceId,
    spanId: ids.spanId('core', r.index),
    parentSpanId: span.apiSpanId,
    name: 'llm_core',
    kind: SPAN_KIND_INTERNAL,
    startNs: epochNs(r.queuedUs),
    endNs: epochNs(r.finishedUs),
    attributes: [stringAttr('gen_ai.request.id', ids.coreRequestId(r.index))],
  };
  return encodeSpan(fields, newestEvents(r.journey.map(journeyEvent)));
}

function journeyEvent(e: JourneyEntry): string {
  const attributes = [
    stringAttr('event.type', e.type),
    doubleAttr('ts.monotonic', monotonicSeconds(e.us)),
    intAttr('ts.monotonic_ns', monotonicNs(e.us)),
    intAttr('scheduler.step', e.step),
    stringAttr('phase', e.phase),
    intAttr('prefill.done_tokens', e.prefillDone),
    intAttr('prefill.total_tokens', e.prefillTotal),
    intAttr('decode.done_tokens', e.decodeDone),
    intAttr('decode.max_tokens', e.decodeMax),
    intAttr('num_preemptions', e.preemptions),
  ];
  if (e.scheduleKind !== undefined) attributes.push(stringAttr('schedule.kind', e.scheduleKind));
  if (e.finishStatus !== undefined) attributes.push(stringAttr('finish.status', e.finishStatus));
  return spanEvent(epochNs(e.us), `journey.${e.type}`, attributes);
}
