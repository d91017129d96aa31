/** Minimal parsing of the generator's own output for cross-stream checks (the project's readers are tested separately). */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export function readLines(path: string): string[] {
  const raw = readFileSync(path);
  const text = path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return text.split('\n').filter((line) => line.length > 0);
}

export interface TraceLine {
  prompt_tokens: number;
  cached_tokens: number;
  output_tokens: number;
  ttft_ms: number;
  itl_ms: number[];
  itl_tokens?: number[];
  concurrency: number;
  arrival_ms: number;
  itl_ctx: { num_running: number[]; prefill_tokens: number[] };
  output_token_ids: number[];
  finish_reason: string;
  /** Parsed exactly from the text (JSON.parse would round them). */
  block_hashes: bigint[];
}

export function readTrace(path: string): { meta: Record<string, unknown>; records: TraceLine[] } {
  const [metaLine, ...lines] = readLines(path);
  const meta = (JSON.parse(metaLine) as { meta: Record<string, unknown> }).meta;
  const records = lines.map((line) => {
    const record = JSON.parse(line) as TraceLine;
    const digits = /"block_hashes":\[([0-9,]*)\]/.exec(line)![1];
    record.block_hashes = digits === '' ? [] : digits.split(',').map((d) => BigInt(d));
    return record;
  });
  return { meta, records };
}

export interface SidecarLine {
  ts_ms: number;
  scheduler: {
    num_running_reqs: number;
    num_waiting_reqs: number;
    kv_cache_usage: number;
    prefix_cache_stats?: { requests: number; queries: number; hits: number; reset: boolean };
    spec_decoding_stats: null | { num_drafts: number; num_draft_tokens: number; num_accepted_tokens: number };
    step_counter?: number;
  };
}

export function readSidecar(path: string): SidecarLine[] {
  return readLines(path).map((line) => JSON.parse(line) as SidecarLine);
}

export interface OtlpAttribute {
  key: string;
  value: { intValue?: string; doubleValue?: number; stringValue?: string; boolValue?: boolean };
}
export interface OtlpEvent {
  timeUnixNano: string;
  name: string;
  attributes: OtlpAttribute[];
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  events?: OtlpEvent[];
  droppedEventsCount?: number;
}
export interface ScopedSpan {
  scope: string;
  span: OtlpSpan;
  line: number;
}

export function readOtlpSpans(path: string): ScopedSpan[] {
  const out: ScopedSpan[] = [];
  readLines(path).forEach((text, i) => {
    const doc = JSON.parse(text) as { resourceSpans: { scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[] }[] };
    for (const resource of doc.resourceSpans) {
      for (const scoped of resource.scopeSpans) for (const span of scoped.spans) out.push({ scope: scoped.scope.name, span, line: i + 1 });
    }
  });
  return out;
}

export function attr(attributes: OtlpAttribute[], key: string): OtlpAttribute['value'] | undefined {
  return attributes.find((a) => a.key === key)?.value;
}

export function intAttr(attributes: OtlpAttribute[], key: string): number {
  return Number(attr(attributes, key)!.intValue);
}

/** Epoch ns → ms since the capture's zero (exact in bigint first, as a reader re-bases). */
export function nsToMs(ns: string, epochNs: bigint): number {
  return Number(BigInt(ns) - epochNs) / 1e6;
}
