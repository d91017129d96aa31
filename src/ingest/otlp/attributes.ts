/**
 * Every OTLP name vcr reads (formats.md §3) — scopes, span names, event
 * names, attribute keys — in one table, so a renamed key is a one-line
 * change; plus the typed decoding of attribute values.
 *
 * A value's type is decided by its key, never by how it looks: `intValue`
 * arrives as a decimal string and becomes a number (a bigint for ns keys,
 * which exceed 2^53), and a request id that looks numeric stays a string.
 */
import { API_EVENT_TYPES, CORE_EVENT_TYPES, type ApiEventType, type CoreEventType } from '../../capture/otlpRecords.js';

/** Thrown by the OTLP decoders; the reader adds the file and line. */
export class OtlpFormatError extends Error {}

// ---------------------------------------------------------------- spans

/** What a span is to vcr; spans of any other scope or name are not read. */
export type SpanRole = 'api' | 'core' | 'stepWindow' | 'upstream';

const SPAN_ROLES: readonly { role: SpanRole; scope: string; name: string | RegExp }[] = [
  { role: 'api', scope: 'vllm.api', name: 'llm_request' },
  { role: 'core', scope: 'vllm.scheduler', name: 'llm_core' },
  // A new window span every closure_interval steps: scheduler_steps_<N>.
  { role: 'stepWindow', scope: 'vllm.scheduler.step', name: /^scheduler_steps(?:_\d+)?$/ },
  // Upstream vLLM's plain per-request span (no events).
  { role: 'upstream', scope: 'vllm.llm_engine', name: 'llm_request' },
];

export function spanRole(scope: string, spanName: string): SpanRole | undefined {
  for (const entry of SPAN_ROLES) {
    if (entry.scope !== scope) continue;
    if (typeof entry.name === 'string' ? entry.name === spanName : entry.name.test(spanName)) return entry.role;
  }
  return undefined;
}

// --------------------------------------------------------------- events

export const STEP_EVENT_TYPES = ['BATCH_SUMMARY', 'REQUEST_SNAPSHOT'] as const;
export type StepEventType = (typeof STEP_EVENT_TYPES)[number];

/** Event names are accepted with or without their layer's prefix. */
const EVENT_PREFIXES = { api: 'api.', core: 'journey.', stepWindow: 'step.' } as const;

function matchEventName<T extends string>(name: string, prefix: string, types: readonly T[]): T | undefined {
  const bare = name.startsWith(prefix) ? name.slice(prefix.length) : name;
  return types.find((type) => type === bare);
}

export const apiEventType = (name: string): ApiEventType | undefined => matchEventName(name, EVENT_PREFIXES.api, API_EVENT_TYPES);
export const coreEventType = (name: string): CoreEventType | undefined => matchEventName(name, EVENT_PREFIXES.core, CORE_EVENT_TYPES);
export const stepEventType = (name: string): StepEventType | undefined =>
  matchEventName(name, EVENT_PREFIXES.stepWindow, STEP_EVENT_TYPES);

// ----------------------------------------------------------- attributes

/** int → number, ns → bigint (epoch/monotonic nanoseconds), double → number, string → string. */
export type ValueKind = 'int' | 'ns' | 'double' | 'string';

export interface AttributeSpec {
  readonly key: string;
  readonly kind: ValueKind;
}

/** Record field name → the attribute it is read from. */
export type AttributeSchema = Readonly<Record<string, AttributeSpec>>;

export const RESOURCE_ATTRIBUTES = {
  serviceName: { key: 'service.name', kind: 'string' },
} as const satisfies AttributeSchema;

export const API_SPAN_ATTRIBUTES = {
  requestId: { key: 'gen_ai.request.id', kind: 'string' },
  route: { key: 'http.route', kind: 'string' },
  model: { key: 'gen_ai.response.model', kind: 'string' },
  promptTokens: { key: 'gen_ai.usage.prompt_tokens', kind: 'int' },
  completionTokens: { key: 'gen_ai.usage.completion_tokens', kind: 'int' },
  maxTokens: { key: 'gen_ai.request.max_tokens', kind: 'int' },
} as const satisfies AttributeSchema;

export const API_EVENT_ATTRIBUTES = {
  reason: { key: 'reason', kind: 'string' },
  error: { key: 'error', kind: 'string' },
} as const satisfies AttributeSchema;

export const CORE_SPAN_ATTRIBUTES = {
  /** The engine's id: the API id plus a suffix, so never a join key. */
  requestId: { key: 'gen_ai.request.id', kind: 'string' },
} as const satisfies AttributeSchema;

export const CORE_EVENT_ATTRIBUTES = {
  monotonicNs: { key: 'ts.monotonic_ns', kind: 'ns' },
  schedulerStep: { key: 'scheduler.step', kind: 'int' },
  phase: { key: 'phase', kind: 'string' },
  prefillDoneTokens: { key: 'prefill.done_tokens', kind: 'int' },
  prefillTotalTokens: { key: 'prefill.total_tokens', kind: 'int' },
  decodeDoneTokens: { key: 'decode.done_tokens', kind: 'int' },
  decodeMaxTokens: { key: 'decode.max_tokens', kind: 'int' },
  numPreemptions: { key: 'num_preemptions', kind: 'int' },
  scheduleKind: { key: 'schedule.kind', kind: 'string' },
  finishStatus: { key: 'finish.status', kind: 'string' },
} as const satisfies AttributeSchema;

type CoreEventField = keyof typeof CORE_EVENT_ATTRIBUTES;

/**
 * What each core event must carry. `scheduler.step` is absent on QUEUED
 * (the request has not met a step yet, and the SDK drops None attributes);
 * QUEUED carries the request's size, the alpha fit's inputs.
 */
export const REQUIRED_CORE_EVENT_ATTRIBUTES: Readonly<Record<CoreEventType, readonly CoreEventField[]>> = {
  QUEUED: ['phase', 'prefillTotalTokens', 'decodeMaxTokens'],
  SCHEDULED: ['phase', 'schedulerStep', 'scheduleKind'],
  FIRST_TOKEN: ['phase', 'schedulerStep'],
  PREEMPTED: ['phase', 'schedulerStep'],
  FINISHED: ['phase', 'schedulerStep', 'finishStatus'],
};

export const CORE_PHASES = ['WAITING', 'PREFILL', 'DECODE'] as const;
export const SCHEDULE_KINDS = ['FIRST', 'RESUME'] as const;

/** `step.BATCH_SUMMARY`: every key is required. */
export const BATCH_SUMMARY_ATTRIBUTES = {
  stepId: { key: 'step.id', kind: 'int' },
  /** time.monotonic_ns() at schedule() entry / before emission — not epoch time. */
  tsStartNs: { key: 'step.ts_start_ns', kind: 'ns' },
  tsEndNs: { key: 'step.ts_end_ns', kind: 'ns' },
  durationUs: { key: 'step.duration_us', kind: 'int' },
  runningDepth: { key: 'queue.running_depth', kind: 'int' },
  waitingDepth: { key: 'queue.waiting_depth', kind: 'int' },
  numPrefillReqs: { key: 'batch.num_prefill_reqs', kind: 'int' },
  numDecodeReqs: { key: 'batch.num_decode_reqs', kind: 'int' },
  scheduledTokens: { key: 'batch.scheduled_tokens', kind: 'int' },
  prefillTokens: { key: 'batch.prefill_tokens', kind: 'int' },
  decodeTokens: { key: 'batch.decode_tokens', kind: 'int' },
  numFinished: { key: 'batch.num_finished', kind: 'int' },
  numPreempted: { key: 'batch.num_preempted', kind: 'int' },
  kvUsageGpuRatio: { key: 'kv.usage_gpu_ratio', kind: 'double' },
  kvBlocksTotalGpu: { key: 'kv.blocks_total_gpu', kind: 'int' },
  kvBlocksFreeGpu: { key: 'kv.blocks_free_gpu', kind: 'int' },
} as const satisfies AttributeSchema;

/** `step.REQUEST_SNAPSHOT`: every key but `request.effective_prompt_len` is required. */
export const REQUEST_SNAPSHOT_ATTRIBUTES = {
  stepId: { key: 'step.id', kind: 'int' },
  requestId: { key: 'request.id', kind: 'string' },
  phase: { key: 'request.phase', kind: 'string' },
  numPromptTokens: { key: 'request.num_prompt_tokens', kind: 'int' },
  numComputedTokens: { key: 'request.num_computed_tokens', kind: 'int' },
  numOutputTokens: { key: 'request.num_output_tokens', kind: 'int' },
  numPreemptions: { key: 'request.num_preemptions', kind: 'int' },
  scheduledTokensThisStep: { key: 'request.scheduled_tokens_this_step', kind: 'int' },
  kvBlocksAllocatedGpu: { key: 'kv.blocks_allocated_gpu', kind: 'int' },
  kvBlocksCachedGpu: { key: 'kv.blocks_cached_gpu', kind: 'int' },
  effectivePromptLen: { key: 'request.effective_prompt_len', kind: 'int' },
} as const satisfies AttributeSchema;

/** Upstream vLLM's `llm_request`: latencies are double seconds. */
export const UPSTREAM_SPAN_ATTRIBUTES = {
  requestId: { key: 'gen_ai.request.id', kind: 'string' },
  model: { key: 'gen_ai.response.model', kind: 'string' },
  promptTokens: { key: 'gen_ai.usage.prompt_tokens', kind: 'int' },
  completionTokens: { key: 'gen_ai.usage.completion_tokens', kind: 'int' },
  ttftS: { key: 'gen_ai.latency.time_to_first_token', kind: 'double' },
  e2eS: { key: 'gen_ai.latency.e2e', kind: 'double' },
  queueS: { key: 'gen_ai.latency.time_in_queue', kind: 'double' },
  prefillS: { key: 'gen_ai.latency.time_in_model_prefill', kind: 'double' },
  decodeS: { key: 'gen_ai.latency.time_in_model_decode', kind: 'double' },
  inferenceS: { key: 'gen_ai.latency.time_in_model_inference', kind: 'double' },
} as const satisfies AttributeSchema;

// ------------------------------------------------------------- decoding

type ValueOf<K extends ValueKind> = K extends 'ns' ? bigint : K extends 'string' ? string : number;

/** A schema's decoded attributes; a field is undefined when its key is absent. */
export type DecodedAttributes<S extends AttributeSchema> = { -readonly [F in keyof S]?: ValueOf<S[F]['kind']> };

/** The schema's keys plus their underscore spellings (`prefill_done_tokens`), by spelling. */
const spellingsBySchema = new WeakMap<AttributeSchema, Map<string, { field: string; canonical: boolean }>>();

function spellings(schema: AttributeSchema): Map<string, { field: string; canonical: boolean }> {
  let map = spellingsBySchema.get(schema);
  if (map) return map;
  map = new Map();
  for (const [field, spec] of Object.entries(schema)) {
    map.set(spec.key, { field, canonical: true });
    const underscored = spec.key.replaceAll('.', '_');
    if (underscored !== spec.key) map.set(underscored, { field, canonical: false });
  }
  spellingsBySchema.set(schema, map);
  return map;
}

/**
 * Decodes the attributes a schema names (others are ignored unread). When
 * both spellings of a key are present the dotted one wins. `where` prefixes
 * every error, e.g. `span 5b8e…/eee19b7ec3c1b174 event journey.QUEUED`.
 */
export function decodeAttributes<S extends AttributeSchema>(attributes: unknown, schema: S, where: string): DecodedAttributes<S> {
  const decoded: Record<string, unknown> = {};
  if (attributes === undefined) return decoded as DecodedAttributes<S>;
  if (!Array.isArray(attributes)) throw new OtlpFormatError(`${where}: attributes is not an array`);
  const bySpelling = spellings(schema);
  const fromCanonical = new Set<string>();
  for (const attribute of attributes) {
    const key = (attribute as { key?: unknown } | null)?.key;
    if (typeof key !== 'string') continue;
    const target = bySpelling.get(key);
    if (!target || fromCanonical.has(target.field)) continue;
    decoded[target.field] = decodeValue(key, schema[target.field].kind, (attribute as { value?: unknown }).value, where);
    if (target.canonical) fromCanonical.add(target.field);
  }
  return decoded as DecodedAttributes<S>;
}

/** Fails on the first listed field that was absent, naming its key. */
export function checkPresent<S extends AttributeSchema>(
  decoded: DecodedAttributes<S>,
  schema: S,
  fields: readonly (keyof S & string)[],
  where: string,
): void {
  for (const field of fields) {
    if (decoded[field] === undefined) {
      const spec = schema[field];
      throw new OtlpFormatError(`${where}: missing attribute ${spec.key} (expected ${EXPECTED_VARIANT[spec.kind]})`);
    }
  }
}

/** {@link checkPresent} for a fixed field list, narrowing those fields to present. */
export function requireAttributes<S extends AttributeSchema, F extends keyof S & string>(
  decoded: DecodedAttributes<S>,
  schema: S,
  fields: readonly F[],
  where: string,
): asserts decoded is DecodedAttributes<S> & { [G in F]-?: ValueOf<S[G]['kind']> } {
  checkPresent(decoded, schema, fields, where);
}

/** Asserts a decoded string is one of a closed set of values. */
export function requireOneOf<T extends string>(value: string, allowed: readonly T[], key: string, where: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new OtlpFormatError(`${where}: ${key} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
}

const EXPECTED_VARIANT: Record<ValueKind, string> = {
  int: 'intValue',
  ns: 'intValue',
  double: 'doubleValue',
  string: 'stringValue',
};

const VALUE_VARIANTS = ['intValue', 'doubleValue', 'stringValue', 'boolValue', 'arrayValue', 'kvlistValue', 'bytesValue'] as const;
const ZERO: Record<ValueKind, number | bigint | string> = { int: 0, ns: 0n, double: 0, string: '' };
const DECIMAL_INTEGER = /^-?\d+$/;

/**
 * One AnyValue, typed by its key. The collector omits zero-valued fields, so
 * an empty value is the kind's zero. An integral `doubleValue` within 2^53 is
 * accepted for an integer key (Python emits `5.0` where arithmetic made a
 * float); an `intValue` is accepted for a double key.
 */
function decodeValue(key: string, kind: ValueKind, value: unknown, where: string): number | bigint | string {
  const variant = VALUE_VARIANTS.find((name) => (value as Record<string, unknown> | null)?.[name] !== undefined);
  if (variant === undefined) return ZERO[kind];
  const raw = (value as Record<string, unknown>)[variant];
  const fail = (problem: string): never => {
    throw new OtlpFormatError(`${where}: ${key} ${variant} ${renderValue(raw)} ${problem}`);
  };
  switch (kind) {
    case 'string':
      return variant === 'stringValue' && typeof raw === 'string' ? raw : fail(`is not a string (expected stringValue)`);
    case 'double':
      if (variant === 'doubleValue') return decodeDouble(raw) ?? fail('is not a number');
      if (variant === 'intValue') return Number(decodeInteger(raw) ?? fail('is not an integer'));
      return fail('is not a number (expected doubleValue)');
    case 'int':
    case 'ns': {
      if (typeof raw === 'number' && Number.isInteger(raw) && !Number.isSafeInteger(raw)) {
        return fail('is a JSON number beyond 2^53 that lost its precision (expected a decimal string)');
      }
      let integer: bigint | undefined;
      if (variant === 'intValue') integer = decodeInteger(raw) ?? fail('is not an integer');
      else if (variant === 'doubleValue') integer = integralDouble(raw) ?? fail('is not an integer');
      else return fail(`is not an integer (expected intValue)`);
      if (kind === 'ns') return integer;
      return Number.isSafeInteger(Number(integer)) ? Number(integer) : fail('is beyond 2^53');
    }
  }
}

/** int64 as the collector writes it (decimal string) or as a JSON number that is still exact. */
function decodeInteger(raw: unknown): bigint | undefined {
  if (typeof raw === 'string') return DECIMAL_INTEGER.test(raw) ? BigInt(raw) : undefined;
  if (typeof raw === 'number') return integralDouble(raw);
  return undefined;
}

/** A JSON number beyond 2^53 was already rounded by JSON.parse: refuse it rather than invent digits. */
function integralDouble(raw: unknown): bigint | undefined {
  return typeof raw === 'number' && Number.isSafeInteger(raw) ? BigInt(raw) : undefined;
}

/** proto3 JSON writes non-finite doubles as strings ("NaN", "Infinity"). */
function decodeDouble(raw: unknown): number | undefined {
  if (typeof raw === 'number') return raw;
  if (raw === 'NaN' || raw === 'Infinity' || raw === '-Infinity') return Number(raw);
  if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
  return undefined;
}

/** A short rendering of a bad value for an error message. */
export function renderValue(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}...` : raw);
  if (typeof raw === 'object' && raw !== null) return Array.isArray(raw) ? '[...]' : '{...}';
  return String(raw);
}
