/**
 * OTLP lines for request journeys with chosen event times (ms after T0), in
 * the collector's encoding (test/helpers/otlpBuilder.ts), so lifecycle
 * numbers can be checked against arithmetic on those same times.
 */
import { SCOPE, SPAN_KIND, coreAttrs, doubleAttr, scopeLine, span, type EventSpec } from '../helpers/otlpBuilder.js';

export const T0 = 1771377149660000000n;
const ns = (ms: number): bigint => T0 + BigInt(Math.round(ms * 1e6));

export interface JourneySpec {
  /** Distinct per request (becomes the trace / span ids). */
  id: number;
  /** API events; omit `arrived` for a core-only request, `handoff` for a non-chat route. */
  arrived?: number;
  handoff?: number;
  departed?: number;
  queued: number;
  scheduled: number;
  firstToken: number;
  finished: number;
  /** [PREEMPTED, following SCHEDULED (RESUME)] pairs. */
  preemptions?: [number, number][];
}

const hex = (id: number, width: number) => id.toString(16).padStart(width, '0');

function apiEvent(name: string, ms: number): EventSpec {
  return { name: `api.${name}`, timeNs: ns(ms), attributes: [doubleAttr('event.ts.monotonic', 1000 + ms / 1000)] };
}

/** Two lines per request: the core span, then the API span (lines need not be in time order). */
export function journeyLines(spec: JourneySpec): string[] {
  const traceId = hex(spec.id + 1, 32);
  const apiSpanId = hex(0xa000 + spec.id, 16);
  let step = 10 + spec.id * 100;
  const core = (type: string, ms: number, phase: string, extra: Record<string, unknown> = {}): EventSpec => ({
    name: `journey.${type}`,
    timeNs: ns(ms),
    attributes: coreAttrs({ step: step++, phase, prefillDone: 0, prefillTotal: 100, decodeDone: 0, decodeMax: 128, preemptions: 0, ...extra }),
  });
  const events = [core('QUEUED', spec.queued, 'WAITING'), core('SCHEDULED', spec.scheduled, 'PREFILL', { scheduleKind: 'FIRST' }), core('FIRST_TOKEN', spec.firstToken, 'DECODE')];
  for (const [preempted, resumed] of spec.preemptions ?? []) {
    events.push(core('PREEMPTED', preempted, 'WAITING'), core('SCHEDULED', resumed, 'PREFILL', { scheduleKind: 'RESUME' }));
  }
  events.push(core('FINISHED', spec.finished, 'DECODE', { finishStatus: 'stopped' }));
  const hasApi = spec.arrived !== undefined;
  const lines = [
    scopeLine(
      SCOPE.core,
      span({ traceId, spanId: hex(0xc000 + spec.id, 16), parentSpanId: hasApi ? apiSpanId : undefined, name: 'llm_core', startNs: ns(spec.queued), endNs: ns(spec.finished), events }),
    ),
  ];
  if (hasApi) {
    const apiEvents = [apiEvent('ARRIVED', spec.arrived!)];
    if (spec.handoff !== undefined) apiEvents.push(apiEvent('HANDOFF_TO_CORE', spec.handoff));
    if (spec.departed !== undefined) apiEvents.push(apiEvent('DEPARTED', spec.departed));
    lines.push(
      scopeLine(
        SCOPE.api,
        span({ traceId, spanId: apiSpanId, name: 'llm_request', kind: SPAN_KIND.server, startNs: ns(spec.arrived!), endNs: ns(spec.departed ?? spec.finished), events: apiEvents }),
      ),
    );
  }
  return lines;
}
