/**
 * One protobuf-encoded trace export (TracesData, as the collector's file
 * exporter writes it with `format: proto`) → the object its OTLP/JSON line
 * parses to, so spans.ts validates both encodings with the same code and
 * the same errors. The JSON encoding this reproduces (formats.md §3):
 * lowerCamelCase keys, trace/span ids as lower-case hex, 64-bit integers
 * and times as decimal strings, enums as numbers, doubleValue as a number,
 * other bytes as base64, and zero or empty fields omitted.
 */
import protobuf from 'protobufjs';
import { otlpTraceSchema } from './protoSchema.js';

const TO_JSON_SHAPE: protobuf.IConversionOptions = {
  // fixed64 times are unsigned and int64 intValues signed: protobufjs's Long prints each as its decimal string.
  longs: String,
  enums: Number,
  // OTLP/JSON writes bytesValue as base64; the three span ids are re-encoded as hex below.
  bytes: String,
  // Without `defaults`, fields absent from the wire (proto3 zero values) and empty repeated fields stay absent.
  defaults: false,
  arrays: false,
  oneofs: false,
};

const SPAN_ID_FIELDS = ['traceId', 'spanId', 'parentSpanId'] as const;

type Json = Record<string, unknown>;

/** Throws protobufjs's error (with the offending offset) when `bytes` is not a valid TracesData message. */
export function decodeProtoExport(bytes: Uint8Array): Json {
  const { TracesData } = otlpTraceSchema();
  const value = TracesData.toObject(TracesData.decode(bytes), TO_JSON_SHAPE);
  for (const resourceSpans of children(value, 'resourceSpans')) {
    for (const scopeSpans of children(resourceSpans, 'scopeSpans')) {
      for (const span of children(scopeSpans, 'spans')) hexIds(span);
    }
  }
  return value;
}

function children(parent: Json, field: string): Json[] {
  return (parent[field] as Json[] | undefined) ?? [];
}

function hexIds(span: Json): void {
  for (const field of SPAN_ID_FIELDS) {
    const base64 = span[field];
    if (typeof base64 === 'string') span[field] = Buffer.from(base64, 'base64').toString('hex');
  }
}
