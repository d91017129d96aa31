/**
 * OTLP/JSON as the OpenTelemetry Collector's file exporter writes it:
 * lowerCamelCase names, 64-bit integers (times, intValue) as decimal
 * strings, doubles as JSON numbers, zero/empty fields omitted. Built as
 * strings: the generator writes millions of attributes and this is the
 * hot path.
 */
import { integerText } from './timeText.js';

/** Epoch of the capture's t = 0 in µs (1771377149000000000 ns): past 2^53 ns, as a real capture is. */
export const EPOCH_BASE_US = 1_771_377_149_000_000;
/** The engine host's monotonic clock at t = 0, µs (about 3.5 days of uptime). */
export const MONOTONIC_BASE_US = 301_234_567_890;

/**
 * Exact epoch ns of a simulation time (integer µs) as a decimal string. The
 * µs sum stays far below 2^53, so it is exact as a double; appending "000"
 * makes ns without ever holding the > 2^53 value in a double.
 */
export function epochNs(us: number): string {
  return `${integerText(EPOCH_BASE_US + us)}000`;
}

export function monotonicNs(us: number): string {
  return `${integerText(MONOTONIC_BASE_US + us)}000`;
}

/** Monotonic clock in seconds (the `ts.monotonic` / `event.ts.monotonic` doubles). */
export function monotonicSeconds(us: number): number {
  return (MONOTONIC_BASE_US + us) / 1e6;
}

export function intAttr(key: string, value: number | string): string {
  return `{"key":"${key}","value":{"intValue":"${value}"}}`;
}

export function doubleAttr(key: string, value: number): string {
  return `{"key":"${key}","value":{"doubleValue":${value}}}`;
}

export function stringAttr(key: string, value: string): string {
  return `{"key":"${key}","value":{"stringValue":${JSON.stringify(value)}}}`;
}

export function spanEvent(timeNs: string, name: string, attributes: string[]): string {
  return `{"timeUnixNano":"${timeNs}","name":"${name}","attributes":[${attributes.join(',')}]}`;
}

/** SpanKind values. */
export const SPAN_KIND_INTERNAL = 1;
export const SPAN_KIND_SERVER = 2;

/** The OpenTelemetry SDK's default span event limit: beyond it the oldest events are dropped. */
export const MAX_EVENTS_PER_SPAN = 128;

/** Encoded JSON text: a string, or bytes for the large, hot parts. */
export type Piece = string | Uint8Array;

export interface SpanFields {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startNs: string;
  endNs: string;
  attributes: string[];
}

/** A span's encoded events after the SDK limit: the kept ones joined by commas. */
export interface SpanEvents {
  encoded: Piece;
  kept: number;
  dropped: number;
}

/** Applies the SDK limit to encoded events, oldest first: keeps the newest MAX_EVENTS_PER_SPAN. */
export function newestEvents(events: string[]): SpanEvents {
  const dropped = Math.max(0, events.length - MAX_EVENTS_PER_SPAN);
  return { encoded: (dropped > 0 ? events.slice(dropped) : events).join(','), kept: events.length - dropped, dropped };
}

export function encodeSpan(span: SpanFields, events: SpanEvents): Piece[] {
  const head =
    `{"traceId":"${span.traceId}","spanId":"${span.spanId}"` +
    (span.parentSpanId === undefined ? '' : `,"parentSpanId":"${span.parentSpanId}"`) +
    `,"name":"${span.name}","kind":${span.kind},"startTimeUnixNano":"${span.startNs}","endTimeUnixNano":"${span.endNs}"` +
    `,"attributes":[${span.attributes.join(',')}]`;
  if (events.kept === 0) return [`${head}}`];
  return [`${head},"events":[`, events.encoded, events.dropped > 0 ? `],"droppedEventsCount":${events.dropped}}` : ']}'];
}

/** One exporter write, as line pieces: spans grouped by instrumentation scope under one resource. */
export function encodeExport(resourceAttributes: string[], scopes: { name: string; spans: Uint8Array }[]): Piece[] {
  const pieces: Piece[] = [`{"resourceSpans":[{"resource":{"attributes":[${resourceAttributes.join(',')}]},"scopeSpans":[`];
  let firstScope = true;
  for (const scope of scopes) {
    if (scope.spans.length === 0) continue;
    pieces.push(`${firstScope ? '' : ','}{"scope":{"name":"${scope.name}"},"spans":[`, scope.spans, ']}');
    firstScope = false;
  }
  pieces.push(']}]}');
  return pieces;
}
