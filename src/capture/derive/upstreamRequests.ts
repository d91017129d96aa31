/**
 * Upstream vLLM's plain `llm_request` spans (formats.md §3, end) as
 * engine-trace records, so a capture that has only those spans still has a
 * request table: "read it into the same request table (no per-token gaps)".
 *
 * A span knows its arrival (the span's start), TTFT, E2E and token counts,
 * not the gaps between tokens, so the record carries an `itl_summary`: the
 * decode time spread evenly over output_tokens − 1 gaps. Decode time is
 * E2E − TTFT, so the record's derived E2E (ttft + decode, formats.md §1) is
 * the span's own; `gen_ai.latency.time_in_model_decode` (engine-side, without
 * detokenizing and streaming the last chunk) stands in only when E2E is
 * missing.
 */
import type { UpstreamRequestSpan } from '../otlpRecords.js';
import type { TraceRecord } from '../records.js';

export type UpstreamRecord = { record: TraceRecord } | { skipped: string };

export function upstreamRequestRecord(span: UpstreamRequestSpan): UpstreamRecord {
  const { promptTokens, completionTokens: outputTokens, ttftMs } = span;
  if (promptTokens === undefined) return { skipped: 'no gen_ai.usage.prompt_tokens' };
  if (outputTokens === undefined) return { skipped: 'no gen_ai.usage.completion_tokens' };
  if (promptTokens < 0 || outputTokens < 0) return { skipped: 'negative token count' };
  if (ttftMs === undefined) return { skipped: 'no gen_ai.latency.time_to_first_token' };
  if (ttftMs < 0) return { skipped: 'negative gen_ai.latency.time_to_first_token' };
  const record: TraceRecord = {
    line: span.line,
    promptTokens,
    cachedTokens: 0,
    outputTokens,
    ttftMs,
    concurrency: 1,
    arrivalMs: span.arrivalMs,
  };
  // One token arrives with the first chunk (no itl_tokens); the other output_tokens − 1 close a gap each.
  const gaps = outputTokens - 1;
  if (gaps <= 0) return { record };
  const decodeMs = span.e2eMs !== undefined ? span.e2eMs - ttftMs : span.decodeMs;
  if (decodeMs === undefined) return { skipped: 'no gen_ai.latency.e2e or time_in_model_decode for a request with more than one output token' };
  if (decodeMs < 0) return { skipped: 'gen_ai.latency.e2e is shorter than time_to_first_token' };
  record.itlSummary = { meanMs: decodeMs / gaps, count: gaps };
  return { record };
}
