/**
 * Validation and conversion of one engine-trace request line (formats.md §1)
 * into a TraceRecord with typed arrays. Pure: takes the parsed JSON value.
 * Unknown keys are ignored; JSON null counts as absent for optional keys.
 */
import { FINISH_REASONS, type FinishReason, type TraceRecord } from '../capture/records.js';
import { blockHashesField } from './blockHashes.js';
import {
  fail,
  float64ArrayField,
  int32ArrayField,
  intField,
  invalid,
  isAbsent,
  numberField,
  objectField,
  stringArrayField,
  type JsonObject,
  type LineRef,
} from './fields.js';
import { LATE_META_REASON, isMetaLine, lineObject } from './jsonLines.js';

const FINISH_REASON_LIST = FINISH_REASONS.map((reason) => `"${reason}"`).join(', ');

export function parseTraceRecord(path: string, line: number, value: unknown): TraceRecord {
  const at: LineRef = { path, line };
  const fields = lineObject(at, value);
  if (isMetaLine(fields)) fail(at, LATE_META_REASON);

  const promptTokens = intField(at, 'prompt_tokens', fields.prompt_tokens);
  const cachedTokens = isAbsent(fields.cached_tokens) ? 0 : intField(at, 'cached_tokens', fields.cached_tokens);
  if (cachedTokens > promptTokens) {
    fail(at, `cached_tokens is ${cachedTokens} (expected at most prompt_tokens = ${promptTokens}; cached tokens are prompt tokens)`);
  }
  const outputTokens = intField(at, 'output_tokens', fields.output_tokens);
  const record: TraceRecord = {
    line,
    promptTokens,
    cachedTokens,
    outputTokens,
    ttftMs: numberField(at, 'ttft_ms', fields.ttft_ms, 0),
    concurrency: isAbsent(fields.concurrency) ? 1 : intField(at, 'concurrency', fields.concurrency, 1),
  };
  if (!isAbsent(fields.arrival_ms)) record.arrivalMs = numberField(at, 'arrival_ms', fields.arrival_ms);

  readGaps(at, fields, record);

  if (!isAbsent(fields.block_hashes)) record.blockHashes = blockHashesField(at, fields.block_hashes);
  if (!isAbsent(fields.mm_hashes)) record.mmHashes = stringArrayField(at, 'mm_hashes', fields.mm_hashes);
  if (!isAbsent(fields.output_token_ids)) {
    const ids = int32ArrayField(at, 'output_token_ids', fields.output_token_ids, 0);
    if (ids.length !== outputTokens) {
      fail(at, `output_token_ids has ${ids.length} entries (expected ${outputTokens}, one per output token)`);
    }
    record.outputTokenIds = ids;
  }
  if (!isAbsent(fields.finish_reason)) record.finishReason = finishReasonField(at, fields.finish_reason);
  return record;
}

/**
 * The inter-token gaps: `itl_ms` with its parallel `itl_tokens` / `itl_ctx`
 * arrays, or the `itl_summary` stand-in, checked against `output_tokens`.
 * Without `itl_tokens` every gap delivers one token, so a request with N
 * output tokens has exactly N - 1 gaps.
 */
function readGaps(at: LineRef, fields: JsonObject, record: TraceRecord): void {
  const outputTokens = record.outputTokens;
  const itlMs = isAbsent(fields.itl_ms) ? undefined : float64ArrayField(at, 'itl_ms', fields.itl_ms, 0);
  if (!isAbsent(fields.itl_summary)) record.itlSummary = itlSummaryField(at, fields.itl_summary, outputTokens);
  if (outputTokens > 1 && itlMs === undefined && record.itlSummary === undefined) {
    fail(at, `output_tokens is ${outputTokens} but there is no itl_ms or itl_summary (expected one of them when output_tokens > 1)`);
  }
  const gapCount = itlMs?.length ?? 0;

  if (!isAbsent(fields.itl_tokens)) {
    const itlTokens = int32ArrayField(at, 'itl_tokens', fields.itl_tokens, 1);
    expectGapLength(at, 'itl_tokens', itlTokens.length, gapCount);
    let sum = 0;
    for (let i = 0; i < itlTokens.length; i++) sum += itlTokens[i];
    if (sum >= outputTokens) {
      fail(at, `itl_tokens sum to ${sum} (expected less than output_tokens = ${outputTokens}; the first chunk owns the rest)`);
    }
    record.itlTokens = itlTokens;
  } else if (itlMs !== undefined) {
    const expected = Math.max(0, outputTokens - 1);
    if (gapCount !== expected) fail(at, `itl_ms has ${gapCount} entries (expected ${expected}, one per token after the first)`);
  }

  if (!isAbsent(fields.itl_ctx)) {
    const ctx = objectField(at, 'itl_ctx', fields.itl_ctx);
    const numRunning = int32ArrayField(at, 'itl_ctx.num_running', ctx.num_running, 0);
    expectGapLength(at, 'itl_ctx.num_running', numRunning.length, gapCount);
    const prefillTokens = int32ArrayField(at, 'itl_ctx.prefill_tokens', ctx.prefill_tokens, 0);
    expectGapLength(at, 'itl_ctx.prefill_tokens', prefillTokens.length, gapCount);
    record.itlCtx = { numRunning, prefillTokens };
  }
  if (itlMs !== undefined) record.itlMs = itlMs;
}

function expectGapLength(at: LineRef, label: string, length: number, gapCount: number): void {
  if (length !== gapCount) fail(at, `${label} has ${length} entries (expected ${gapCount}, one per itl_ms gap)`);
}

/**
 * `{mean_ms, count}` when per-gap times were not recorded. Each gap delivers
 * at least one token after the first, so `count` lies in 1..N-1 for N > 1
 * output tokens (fewer than N - 1 when chunks carried several tokens) and is
 * 0 otherwise.
 */
function itlSummaryField(at: LineRef, value: unknown, outputTokens: number): { meanMs: number; count: number } {
  const summary = objectField(at, 'itl_summary', value);
  const meanMs = numberField(at, 'itl_summary.mean_ms', summary.mean_ms, 0);
  const count = intField(at, 'itl_summary.count', summary.count);
  const maxGaps = Math.max(0, outputTokens - 1);
  const minGaps = Math.min(1, maxGaps);
  if (count < minGaps || count > maxGaps) {
    const range = minGaps === maxGaps ? `${maxGaps}` : `${minGaps} to ${maxGaps}`;
    fail(at, `itl_summary.count is ${count} (expected ${range} for output_tokens = ${outputTokens}: at most one gap per token after the first)`);
  }
  return { meanMs, count };
}

function finishReasonField(at: LineRef, value: unknown): FinishReason {
  if (!(FINISH_REASONS as readonly unknown[]).includes(value)) invalid(at, 'finish_reason', `one of ${FINISH_REASON_LIST}`, value);
  return value as FinishReason;
}
