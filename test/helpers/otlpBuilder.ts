/**
 * Builds OTLP/JSON export lines in the exact encoding of the OpenTelemetry
 * Collector's file exporter: lowerCamelCase fields, times and intValues as
 * decimal strings, doubleValue as a JSON number, zero-valued and empty
 * fields omitted. Names are spelled out literally here (not imported from
 * src) so a wrong key in the reader's table fails the tests.
 */

export interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

export const intAttr = (key: string, value: number | bigint | string): OtlpAttribute => ({ key, value: { intValue: String(value) } });
/** Some encoders write int64 as a JSON number; exact only below 2^53. */
export const intNumberAttr = (key: string, value: number): OtlpAttribute => ({ key, value: { intValue: value } });
export const doubleAttr = (key: string, value: number): OtlpAttribute => ({ key, value: { doubleValue: value } });
export const stringAttr = (key: string, value: string): OtlpAttribute => ({ key, value: { stringValue: value } });
export const boolAttr = (key: string, value: boolean): OtlpAttribute => ({ key, value: { boolValue: value } });

export const SCOPE = {
  api: 'vllm.api',
  core: 'vllm.scheduler',
  step: 'vllm.scheduler.step',
  upstream: 'vllm.llm_engine',
} as const;

export const SPAN_KIND = { internal: 1, server: 2 } as const;

/** The capture's zero in most tests: an epoch-ns time well beyond 2^53. */
export const T0 = 1771377149660000000n;
/** `n` ms after T0, in epoch ns. */
export const ms = (n: number): bigint => T0 + BigInt(Math.round(n * 1e6));

export interface EventSpec {
  name: string;
  timeNs: bigint | string;
  attributes?: OtlpAttribute[];
}

export function event({ name, timeNs, attributes = [] }: EventSpec): Record<string, unknown> {
  const encoded: Record<string, unknown> = { timeUnixNano: String(timeNs), name };
  if (attributes.length > 0) encoded.attributes = attributes;
  return encoded;
}

export interface SpanSpec {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startNs: bigint;
  endNs?: bigint;
  attributes?: OtlpAttribute[];
  events?: EventSpec[];
  droppedEventsCount?: number;
}

export function span(spec: SpanSpec): Record<string, unknown> {
  const encoded: Record<string, unknown> = { traceId: spec.traceId, spanId: spec.spanId };
  if (spec.parentSpanId) encoded.parentSpanId = spec.parentSpanId;
  encoded.name = spec.name;
  encoded.kind = spec.kind ?? SPAN_KIND.internal;
  encoded.startTimeUnixNano = String(spec.startNs);
  encoded.endTimeUnixNano = String(spec.endNs ?? spec.startNs + 1_000_000n);
  if (spec.attributes && spec.attributes.length > 0) encoded.attributes = spec.attributes;
  if (spec.events && spec.events.length > 0) encoded.events = spec.events.map(event);
  if (spec.droppedEventsCount) encoded.droppedEventsCount = spec.droppedEventsCount;
  encoded.status = {};
  return encoded;
}

export interface ScopeSpans {
  scope: string;
  spans: Record<string, unknown>[];
}

export function resourceSpans(scopes: ScopeSpans[], serviceName = 'vllm'): Record<string, unknown> {
  return {
    resource: { attributes: [stringAttr('service.name', serviceName)] },
    scopeSpans: scopes.map(({ scope, spans }) => ({ scope: { name: scope }, spans })),
  };
}

/** One export line: `{"resourceSpans":[...]}`. */
export function exportLine(...resources: Record<string, unknown>[]): string {
  return JSON.stringify({ resourceSpans: resources });
}

/** A line with one scope of spans under the default resource. */
export function scopeLine(scope: string, ...spans: Record<string, unknown>[]): string {
  return exportLine(resourceSpans([{ scope, spans }]));
}

// ------------------------------------------------------ vLLM payloads

export interface CoreProgress {
  step?: number;
  phase: string;
  prefillDone?: number;
  prefillTotal?: number;
  decodeDone?: number;
  decodeMax?: number;
  preemptions?: number;
  monotonicNs?: bigint;
  scheduleKind?: string;
  finishStatus?: string;
}

/** The attributes of a `journey.*` event, dotted spellings. */
export function coreAttrs(p: CoreProgress): OtlpAttribute[] {
  const attrs: OtlpAttribute[] = [];
  const addInt = (key: string, value: number | bigint | undefined): void => {
    if (value !== undefined) attrs.push(intAttr(key, value));
  };
  addInt('ts.monotonic_ns', p.monotonicNs);
  addInt('scheduler.step', p.step);
  attrs.push(stringAttr('phase', p.phase));
  addInt('prefill.done_tokens', p.prefillDone);
  addInt('prefill.total_tokens', p.prefillTotal);
  addInt('decode.done_tokens', p.decodeDone);
  addInt('decode.max_tokens', p.decodeMax);
  addInt('num_preemptions', p.preemptions);
  if (p.scheduleKind !== undefined) attrs.push(stringAttr('schedule.kind', p.scheduleKind));
  if (p.finishStatus !== undefined) attrs.push(stringAttr('finish.status', p.finishStatus));
  return attrs;
}

export interface BatchSummary {
  stepId: number;
  tsStartNs: bigint;
  tsEndNs: bigint;
  durationUs?: number;
  running?: number;
  waiting?: number;
  prefillReqs?: number;
  decodeReqs?: number;
  scheduledTokens?: number;
  prefillTokens?: number;
  decodeTokens?: number;
  finished?: number;
  preempted?: number;
  kvUsage?: number;
  kvTotal?: number;
  kvFree?: number;
}

/** The attributes of a `step.BATCH_SUMMARY` event (defaults for the counts). */
export function batchSummaryAttrs(s: BatchSummary): OtlpAttribute[] {
  return [
    intAttr('step.id', s.stepId),
    intAttr('step.ts_start_ns', s.tsStartNs),
    intAttr('step.ts_end_ns', s.tsEndNs),
    intAttr('step.duration_us', s.durationUs ?? Number((s.tsEndNs - s.tsStartNs) / 1000n)),
    intAttr('queue.running_depth', s.running ?? 4),
    intAttr('queue.waiting_depth', s.waiting ?? 1),
    intAttr('batch.num_prefill_reqs', s.prefillReqs ?? 1),
    intAttr('batch.num_decode_reqs', s.decodeReqs ?? 3),
    intAttr('batch.scheduled_tokens', s.scheduledTokens ?? 131),
    intAttr('batch.prefill_tokens', s.prefillTokens ?? 128),
    intAttr('batch.decode_tokens', s.decodeTokens ?? 3),
    intAttr('batch.num_finished', s.finished ?? 0),
    intAttr('batch.num_preempted', s.preempted ?? 0),
    doubleAttr('kv.usage_gpu_ratio', s.kvUsage ?? 0.25),
    intAttr('kv.blocks_total_gpu', s.kvTotal ?? 1000),
    intAttr('kv.blocks_free_gpu', s.kvFree ?? 750),
  ];
}

export interface Snapshot {
  stepId: number;
  requestId: string;
  phase?: string;
  promptTokens?: number;
  computedTokens?: number;
  outputTokens?: number;
  preemptions?: number;
  scheduledThisStep?: number;
  kvAllocated?: number;
  kvCached?: number;
  effectivePromptLen?: number;
}

/** The attributes of a `step.REQUEST_SNAPSHOT` event. */
export function snapshotAttrs(s: Snapshot): OtlpAttribute[] {
  const attrs = [
    intAttr('step.id', s.stepId),
    stringAttr('request.id', s.requestId),
    stringAttr('request.phase', s.phase ?? 'DECODE'),
    intAttr('request.num_prompt_tokens', s.promptTokens ?? 512),
    intAttr('request.num_computed_tokens', s.computedTokens ?? 520),
    intAttr('request.num_output_tokens', s.outputTokens ?? 8),
    intAttr('request.num_preemptions', s.preemptions ?? 0),
    intAttr('request.scheduled_tokens_this_step', s.scheduledThisStep ?? 1),
    intAttr('kv.blocks_allocated_gpu', s.kvAllocated ?? 33),
    intAttr('kv.blocks_cached_gpu', s.kvCached ?? 16),
  ];
  if (s.effectivePromptLen !== undefined) attrs.push(intAttr('request.effective_prompt_len', s.effectivePromptLen));
  return attrs;
}

/** What upstream vLLM's plain per-request span carries (formats.md §3, end); absent fields are not written. */
export interface UpstreamRequestSpec {
  spanId: string;
  startNs: bigint;
  requestId: string;
  promptTokens?: number;
  completionTokens?: number;
  ttftS?: number;
  e2eS?: number;
  /** Further attributes (gen_ai.response.model, other latencies). */
  extra?: OtlpAttribute[];
}

/** One upstream `llm_request` span (scope vllm.llm_engine, kind SERVER) as its export line. */
export function upstreamRequestLine(spec: UpstreamRequestSpec): string {
  const attributes = [stringAttr('gen_ai.request.id', spec.requestId), ...(spec.extra ?? [])];
  if (spec.promptTokens !== undefined) attributes.push(intAttr('gen_ai.usage.prompt_tokens', spec.promptTokens));
  if (spec.completionTokens !== undefined) attributes.push(intAttr('gen_ai.usage.completion_tokens', spec.completionTokens));
  if (spec.ttftS !== undefined) attributes.push(doubleAttr('gen_ai.latency.time_to_first_token', spec.ttftS));
  if (spec.e2eS !== undefined) attributes.push(doubleAttr('gen_ai.latency.e2e', spec.e2eS));
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  return scopeLine(SCOPE.upstream, span({ traceId, spanId: spec.spanId, name: 'llm_request', kind: SPAN_KIND.server, startNs: spec.startNs, attributes }));
}
