/**
 * The Perfetto proto subset in `protos/`, loaded with protobufjs. Every field
 * number the writer puts on the wire comes from these files (via `tagOf`), so
 * the encoder, the tests' decoder and upstream Perfetto agree by construction.
 */
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { packageRoot } from '../util/packageRoot.js';

const TRACE_PROTO = 'protos/perfetto/trace/trace.proto';

export interface PerfettoSchema {
  root: protobuf.Root;
  Trace: protobuf.Type;
  TracePacket: protobuf.Type;
  TrackEvent: protobuf.Type;
  TrackDescriptor: protobuf.Type;
  DebugAnnotation: protobuf.Type;
  InternedData: protobuf.Type;
  ClockSnapshot: protobuf.Type;
}

let cached: PerfettoSchema | undefined;

/** Loads the protos once (synchronously: a dozen small files). Field names keep their snake_case spelling. */
export function perfettoSchema(): PerfettoSchema {
  if (cached) return cached;
  const base = packageRoot(TRACE_PROTO);
  const root = new protobuf.Root();
  // Upstream imports are rooted at the repository ("protos/perfetto/..."), and so are ours.
  root.resolvePath = (_origin, target) => join(base, target);
  root.loadSync(TRACE_PROTO, { keepCase: true });
  root.resolveAll();
  const type = (name: string) => root.lookupType(`perfetto.protos.${name}`);
  cached = {
    root,
    Trace: type('Trace'),
    TracePacket: type('TracePacket'),
    TrackEvent: type('TrackEvent'),
    TrackDescriptor: type('TrackDescriptor'),
    DebugAnnotation: type('DebugAnnotation'),
    InternedData: type('InternedData'),
    ClockSnapshot: type('ClockSnapshot'),
  };
  return cached;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_DELIMITED = 2;
const WIRE_FIXED32 = 5;

function wireType(field: protobuf.Field): number {
  if (field.resolvedType instanceof protobuf.Type) return WIRE_DELIMITED;
  if (field.resolvedType instanceof protobuf.Enum) return WIRE_VARINT;
  switch (field.type) {
    case 'double':
    case 'fixed64':
    case 'sfixed64':
      return WIRE_FIXED64;
    case 'float':
    case 'fixed32':
    case 'sfixed32':
      return WIRE_FIXED32;
    case 'string':
    case 'bytes':
      return WIRE_DELIMITED;
    default:
      return WIRE_VARINT;
  }
}

/**
 * The key (field number << 3 | wire type) of one field, read from the schema.
 * Repeated scalars are written unpacked (proto2's default), one key per value.
 */
export function tagOf(type: protobuf.Type, fieldName: string): number {
  const field = type.fields[fieldName];
  if (!field) throw new Error(`${type.fullName} has no field ${fieldName}`);
  field.resolve();
  return ((field.id << 3) | wireType(field)) >>> 0;
}

/** The numeric value of an enum constant, read from the schema (e.g. TrackEvent.Type.TYPE_SLICE_BEGIN). */
export function enumValue(schema: PerfettoSchema, enumPath: string, name: string): number {
  const value = schema.root.lookupEnum(`perfetto.protos.${enumPath}`).values[name];
  if (value === undefined) throw new Error(`${enumPath} has no value ${name}`);
  return value;
}
