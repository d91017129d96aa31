/**
 * The OpenTelemetry trace proto subset in `protos/opentelemetry/`, loaded with
 * protobufjs. Field names become lowerCamelCase (protobufjs's default), which
 * is exactly OTLP/JSON's spelling of them.
 */
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { packageRoot } from '../../util/packageRoot.js';

/** Upstream imports are rooted at the opentelemetry-proto repository, which is our `protos/`. */
const PROTO_ROOT = 'protos';
const TRACE_PROTO = 'opentelemetry/proto/trace/v1/trace.proto';

export interface OtlpTraceSchema {
  TracesData: protobuf.Type;
}

let cached: OtlpTraceSchema | undefined;

/** Loads the protos once (synchronously: three small files). */
export function otlpTraceSchema(): OtlpTraceSchema {
  if (cached) return cached;
  const base = join(packageRoot(join(PROTO_ROOT, TRACE_PROTO)), PROTO_ROOT);
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(base, target);
  root.loadSync(TRACE_PROTO);
  root.resolveAll();
  cached = { TracesData: root.lookupType('opentelemetry.proto.trace.v1.TracesData') };
  return cached;
}
