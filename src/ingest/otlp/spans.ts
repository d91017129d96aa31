/**
 * Decodes one OTLP/JSON export line (`{"resourceSpans":[...]}`) into the
 * spans vcr reads, fully validated, so the reader can commit or skip a line
 * as a whole. Times stay epoch-ns bigints here; re-basing to ms needs the
 * whole file's first timestamp and happens in assemble.ts.
 */
import type { JourneyEvent, OtlpStepSummary, RequestSnapshot, UpstreamRequestSpan } from '../../capture/otlpRecords.js';
import {
  API_EVENT_ATTRIBUTES,
  API_SPAN_ATTRIBUTES,
  BATCH_SUMMARY_ATTRIBUTES,
  CORE_EVENT_ATTRIBUTES,
  CORE_PHASES,
  CORE_SPAN_ATTRIBUTES,
  OtlpFormatError,
  REQUEST_SNAPSHOT_ATTRIBUTES,
  REQUIRED_CORE_EVENT_ATTRIBUTES,
  RESOURCE_ATTRIBUTES,
  SCHEDULE_KINDS,
  UPSTREAM_SPAN_ATTRIBUTES,
  apiEventType,
  coreEventType,
  decodeAttributes,
  renderValue,
  checkPresent,
  requireAttributes,
  requireOneOf,
  spanRole,
  stepEventType,
  type DecodedAttributes,
} from './attributes.js';

interface SpanHeader {
  /** Lower-case hex. */
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  startNs: bigint;
  droppedEvents: number;
  /** Every event on the span, known or not. */
  eventCount: number;
  unknownEvents: string[];
}

export interface ApiSpan extends SpanHeader {
  role: 'api';
  attributes: DecodedAttributes<typeof API_SPAN_ATTRIBUTES>;
  events: JourneyEvent[];
}

export interface CoreSpan extends SpanHeader {
  role: 'core';
  coreRequestId?: string;
  events: JourneyEvent[];
}

export interface StepWindowSpan extends SpanHeader {
  role: 'stepWindow';
  /** `startMs` is filled in by the assembler (it needs the file-wide clock offset). */
  steps: OtlpStepSummary[];
  snapshots: RequestSnapshot[];
}

export interface UpstreamSpan extends SpanHeader {
  role: 'upstream';
  request: UpstreamRequestSpan;
  model?: string;
}

export type DecodedSpan = ApiSpan | CoreSpan | StepWindowSpan | UpstreamSpan;

export interface DecodedExport {
  spans: DecodedSpan[];
  /** Spans of scopes/names vcr does not read. */
  otherSpans: number;
  /** `service.name` of the first resource that holds a read span. */
  serviceName?: string;
}

type Json = Record<string, unknown>;

export function decodeExportLine(value: unknown): DecodedExport {
  if (!isObject(value) || (value.resourceSpans === undefined && Object.keys(value).length > 0)) {
    const found = isObject(value) ? `found keys: ${Object.keys(value).slice(0, 5).join(', ')}` : `found ${renderValue(value)}`;
    throw new OtlpFormatError(`not an OTLP/JSON trace export line (expected {"resourceSpans":[...]}; ${found})`);
  }
  const decoded: DecodedExport = { spans: [], otherSpans: 0 };
  arrayAt(value, 'resourceSpans', '').forEach((resourceSpans, r) => {
    const resourcePath = `resourceSpans[${r}]`;
    const readBefore = decoded.spans.length;
    arrayAt(resourceSpans, 'scopeSpans', resourcePath).forEach((scopeSpans, s) => {
      const scopePath = `${resourcePath}.scopeSpans[${s}]`;
      const scope = scopeSpans.scope;
      const scopeName = isObject(scope) && typeof scope.name === 'string' ? scope.name : '';
      arrayAt(scopeSpans, 'spans', scopePath).forEach((span, i) => {
        const spanName = typeof span.name === 'string' ? span.name : '';
        const role = spanRole(scopeName, spanName);
        if (role === undefined) decoded.otherSpans++;
        else decoded.spans.push(decodeSpan(span, role, `${scopePath}.spans[${i}]`));
      });
    });
    if (decoded.serviceName === undefined && decoded.spans.length > readBefore) {
      const resource = isObject(resourceSpans.resource) ? resourceSpans.resource : {};
      decoded.serviceName = decodeAttributes(resource.attributes, RESOURCE_ATTRIBUTES, `${resourcePath}.resource`).serviceName;
    }
  });
  return decoded;
}

function decodeSpan(span: Json, role: DecodedSpan['role'], path: string): DecodedSpan {
  const named = `${path} (${String(span.name)})`;
  const traceId = hexId(span.traceId, 'traceId', 32, named);
  const spanId = hexId(span.spanId, 'spanId', 16, named);
  const parentSpanId = span.parentSpanId === undefined || span.parentSpanId === '' ? undefined : hexId(span.parentSpanId, 'parentSpanId', 16, named);
  const where = `span ${traceId.slice(0, 4)}…/${spanId}`;
  const header: SpanHeader = {
    traceId,
    spanId,
    startNs: unixNano(span.startTimeUnixNano, 'startTimeUnixNano', where),
    droppedEvents: droppedEventsCount(span.droppedEventsCount, where),
    eventCount: 0,
    unknownEvents: [],
  };
  if (parentSpanId !== undefined) header.parentSpanId = parentSpanId;
  const events = arrayAt(span, 'events', path);
  header.eventCount = events.length;
  switch (role) {
    case 'api': {
      const journey = decodeJourneyEvents(events, header, where, decodeApiEvent);
      return { ...header, role, attributes: decodeAttributes(span.attributes, API_SPAN_ATTRIBUTES, where), events: journey };
    }
    case 'core': {
      const journey = decodeJourneyEvents(events, header, where, decodeCoreEvent);
      const decoded: CoreSpan = { ...header, role, events: journey };
      const { requestId } = decodeAttributes(span.attributes, CORE_SPAN_ATTRIBUTES, where);
      if (requestId !== undefined) decoded.coreRequestId = requestId;
      return decoded;
    }
    case 'stepWindow':
      return decodeStepWindow(header, events, where);
    case 'upstream':
      // Upstream spans carry no events: any event is an unknown one.
      for (const event of events) header.unknownEvents.push(eventName(event));
      return decodeUpstream(header, span.attributes, where);
  }
}

type EventDecoder = (event: Json, name: string, where: string) => JourneyEvent | undefined;

function decodeJourneyEvents(events: Json[], header: SpanHeader, where: string, decode: EventDecoder): JourneyEvent[] {
  const decoded: JourneyEvent[] = [];
  for (const event of events) {
    const name = eventName(event);
    const journeyEvent = decode(event, name, `${where} event ${name}`);
    if (journeyEvent) decoded.push(journeyEvent);
    else header.unknownEvents.push(name);
  }
  return decoded;
}

const decodeApiEvent: EventDecoder = (event, name, where) => {
  const type = apiEventType(name);
  if (type === undefined) return undefined;
  const timeNs = unixNano(event.timeUnixNano, 'timeUnixNano', where);
  return { layer: 'api', type, timeNs, tsMs: 0, ...decodeAttributes(event.attributes, API_EVENT_ATTRIBUTES, where) };
};

const decodeCoreEvent: EventDecoder = (event, name, where) => {
  const type = coreEventType(name);
  if (type === undefined) return undefined;
  const timeNs = unixNano(event.timeUnixNano, 'timeUnixNano', where);
  const attributes = decodeAttributes(event.attributes, CORE_EVENT_ATTRIBUTES, where);
  checkPresent(attributes, CORE_EVENT_ATTRIBUTES, REQUIRED_CORE_EVENT_ATTRIBUTES[type], where);
  const { phase, scheduleKind, ...progress } = attributes;
  const decoded: JourneyEvent = { layer: 'core', type, timeNs, tsMs: 0, ...progress };
  if (phase !== undefined) decoded.phase = requireOneOf(phase, CORE_PHASES, CORE_EVENT_ATTRIBUTES.phase.key, where);
  if (scheduleKind !== undefined) {
    decoded.scheduleKind = requireOneOf(scheduleKind, SCHEDULE_KINDS, CORE_EVENT_ATTRIBUTES.scheduleKind.key, where);
  }
  return decoded;
};

const SNAPSHOT_REQUIRED = (Object.keys(REQUEST_SNAPSHOT_ATTRIBUTES) as (keyof typeof REQUEST_SNAPSHOT_ATTRIBUTES)[]).filter(
  (field) => field !== 'effectivePromptLen',
);
const BATCH_SUMMARY_REQUIRED = Object.keys(BATCH_SUMMARY_ATTRIBUTES) as (keyof typeof BATCH_SUMMARY_ATTRIBUTES)[];

function decodeStepWindow(header: SpanHeader, events: Json[], spanWhere: string): StepWindowSpan {
  const window: StepWindowSpan = { ...header, role: 'stepWindow', steps: [], snapshots: [] };
  for (const event of events) {
    const name = eventName(event);
    const type = stepEventType(name);
    if (type === undefined) {
      window.unknownEvents.push(name);
      continue;
    }
    const where = `${spanWhere} event ${name}`;
    const timeNs = unixNano(event.timeUnixNano, 'timeUnixNano', where);
    if (type === 'BATCH_SUMMARY') {
      const summary = decodeAttributes(event.attributes, BATCH_SUMMARY_ATTRIBUTES, where);
      requireAttributes(summary, BATCH_SUMMARY_ATTRIBUTES, BATCH_SUMMARY_REQUIRED, where);
      if (summary.tsEndNs < summary.tsStartNs) {
        throw new OtlpFormatError(`${where}: ${BATCH_SUMMARY_ATTRIBUTES.tsEndNs.key} is before ${BATCH_SUMMARY_ATTRIBUTES.tsStartNs.key}`);
      }
      window.steps.push({ ...summary, startMs: 0, timeNs });
    } else {
      const snapshot = decodeAttributes(event.attributes, REQUEST_SNAPSHOT_ATTRIBUTES, where);
      requireAttributes(snapshot, REQUEST_SNAPSHOT_ATTRIBUTES, SNAPSHOT_REQUIRED, where);
      window.snapshots.push({ ...snapshot, timeNs, tsMs: 0 });
    }
  }
  return window;
}

const SECONDS_TO_MS = 1000;

function decodeUpstream(header: SpanHeader, attributes: unknown, where: string): UpstreamSpan {
  const decoded = decodeAttributes(attributes, UPSTREAM_SPAN_ATTRIBUTES, where);
  requireAttributes(decoded, UPSTREAM_SPAN_ATTRIBUTES, ['requestId'], where);
  // The span starts at the request's arrival (vLLM sets start_time = arrival_time).
  const request: UpstreamRequestSpan = { requestId: decoded.requestId, line: 0, arrivalNs: header.startNs, arrivalMs: 0 };
  const latencies = [
    ['ttftMs', decoded.ttftS],
    ['e2eMs', decoded.e2eS],
    ['queueMs', decoded.queueS],
    ['prefillMs', decoded.prefillS],
    ['decodeMs', decoded.decodeS],
    ['inferenceMs', decoded.inferenceS],
  ] as const;
  for (const [field, seconds] of latencies) if (seconds !== undefined) request[field] = seconds * SECONDS_TO_MS;
  if (decoded.promptTokens !== undefined) request.promptTokens = decoded.promptTokens;
  if (decoded.completionTokens !== undefined) request.completionTokens = decoded.completionTokens;
  const span: UpstreamSpan = { ...header, role: 'upstream', request };
  if (decoded.model !== undefined) span.model = decoded.model;
  return span;
}

// ------------------------------------------------------------ fields

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A repeated field: omitted when empty (proto3 JSON), else an array of objects. */
function arrayAt(parent: Json, field: string, path: string): Json[] {
  const value = parent[field];
  const at = path === '' ? field : `${path}.${field}`;
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new OtlpFormatError(`${at} is not an array`);
  value.forEach((item, i) => {
    if (!isObject(item)) throw new OtlpFormatError(`${at}[${i}] is not an object`);
  });
  return value as Json[];
}

function eventName(event: Json): string {
  return typeof event.name === 'string' ? event.name : '';
}

function hexId(raw: unknown, field: string, digits: number, path: string): string {
  if (raw === undefined || raw === '') throw new OtlpFormatError(`${path}: missing ${field} (expected ${digits} hex digits)`);
  if (typeof raw !== 'string' || raw.length !== digits || !/^[0-9a-fA-F]+$/.test(raw)) {
    throw new OtlpFormatError(`${path}: ${field} ${renderValue(raw)} is not ${digits} hex digits`);
  }
  return raw.toLowerCase();
}

const UNSIGNED_DECIMAL = /^\d+$/;

/**
 * fixed64 epoch nanoseconds, written as a decimal string. A JSON number
 * beyond 2^53 was already rounded by JSON.parse, so it is refused. Zero is
 * omitted by the encoder, so missing and "0" both mean "no time".
 */
function unixNano(raw: unknown, field: string, where: string): bigint {
  let ns: bigint | undefined;
  if (typeof raw === 'string' && UNSIGNED_DECIMAL.test(raw)) ns = BigInt(raw);
  else if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) ns = BigInt(raw);
  else if (typeof raw === 'number' && Number.isInteger(raw) && raw > 0) {
    throw new OtlpFormatError(`${where}: ${field} ${raw} is a JSON number beyond 2^53 that lost its precision (expected a decimal string)`);
  } else if (raw !== undefined) {
    throw new OtlpFormatError(`${where}: ${field} ${renderValue(raw)} is not a decimal integer (expected epoch nanoseconds)`);
  }
  if (ns === undefined || ns === 0n) throw new OtlpFormatError(`${where}: missing ${field} (expected epoch nanoseconds)`);
  return ns;
}

/** uint32: a JSON number, or a decimal string (proto3 JSON allows both). */
function droppedEventsCount(raw: unknown, where: string): number {
  if (raw === undefined) return 0;
  const count = typeof raw === 'string' && UNSIGNED_DECIMAL.test(raw) ? Number(raw) : raw;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
    throw new OtlpFormatError(`${where}: droppedEventsCount ${renderValue(raw)} is not a count`);
  }
  return count;
}
