/**
 * Reader for the step-stats sidecar (`trace-step-stats.jsonl[.gz]`,
 * formats.md §2): one line per scheduler step, `{"ts_ms", "scheduler"}`,
 * the scheduler part being vLLM's SchedulerStats dataclass serialized as is.
 *
 * Decisions:
 * - `kv_cache_usage` is required: vLLM always serializes it, so a line without
 *   it is not a SchedulerStats dump, and defaulting to 0 would silently draw
 *   an empty KV cache. Older vLLM V1 releases call it `gpu_cache_usage`; that
 *   spelling is accepted too.
 * - An optional `{"meta": {...}}` first line is skipped (the trace carries the
 *   capture's meta); it must still be a JSON object with an object `meta`.
 * - `ts_ms` must not decrease from one step to the next; in lenient mode a
 *   step that goes back in time is skipped and the clock keeps the last good
 *   value.
 */
import type { PrefixCacheStats, SpecDecodingStats, StepStatsRecord } from '../capture/records.js';
import { InputError } from './errors.js';
import {
  boolField,
  fail,
  intArrayField,
  intField,
  invalid,
  isAbsent,
  numberField,
  objectField,
  type JsonObject,
  type LineRef,
} from './fields.js';
import { LATE_META_REASON, isBlank, isMetaLine, lineObject, parseJsonLine } from './jsonLines.js';
import { readLineBatches } from './lines.js';
import { skipOrRethrow, type ReaderOptions } from './options.js';

export type { ReaderOptions } from './options.js';

/** Scheduler keys read into typed fields; every other key goes to `extra`. */
const KNOWN_SCHEDULER_KEYS = new Set([
  'num_running_reqs',
  'num_waiting_reqs',
  'kv_cache_usage',
  'gpu_cache_usage',
  'prefix_cache_stats',
  'spec_decoding_stats',
]);

export async function* readStepStats(path: string, options: ReaderOptions = {}): AsyncGenerator<StepStatsRecord> {
  let seenFirstLine = false;
  let previous: StepStatsRecord | undefined;
  for await (const batch of readLineBatches(path, { warn: options.warn })) {
    const lines = batch.lines;
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i];
      if (isBlank(text)) continue;
      const line = batch.firstLine + i;
      const isFirstLine = !seenFirstLine;
      seenFirstLine = true;
      let record: StepStatsRecord;
      try {
        const value = parseJsonLine(path, line, text);
        if (isFirstLine && isMetaLine(value)) {
          objectField({ path, line }, 'meta', (value as JsonObject).meta);
          continue;
        }
        record = parseStepStatsRecord(path, line, value);
        if (previous !== undefined && record.tsMs < previous.tsMs) {
          throw new InputError(
            path,
            line,
            `ts_ms is ${record.tsMs}, earlier than ${previous.tsMs} on line ${previous.line} (expected non-decreasing step times)`,
          );
        }
      } catch (error) {
        skipOrRethrow(error, options);
        continue;
      }
      previous = record;
      yield record;
    }
  }
}

export function parseStepStatsRecord(path: string, line: number, value: unknown): StepStatsRecord {
  const at: LineRef = { path, line };
  const fields = lineObject(at, value);
  if (isMetaLine(fields)) fail(at, LATE_META_REASON);
  const tsMs = numberField(at, 'ts_ms', fields.ts_ms);
  const scheduler = objectField(at, 'scheduler', fields.scheduler);

  const kvKey = scheduler.kv_cache_usage === undefined && scheduler.gpu_cache_usage !== undefined ? 'gpu_cache_usage' : 'kv_cache_usage';
  const kvCacheUsage = scheduler[kvKey];
  if (typeof kvCacheUsage !== 'number' || !(kvCacheUsage >= 0 && kvCacheUsage <= 1)) {
    invalid(at, `scheduler.${kvKey}`, 'a number in [0, 1]', kvCacheUsage);
  }

  const record: StepStatsRecord = {
    line,
    tsMs,
    numRunningReqs: intField(at, 'scheduler.num_running_reqs', scheduler.num_running_reqs),
    numWaitingReqs: intField(at, 'scheduler.num_waiting_reqs', scheduler.num_waiting_reqs),
    kvCacheUsage,
    extra: {},
  };
  if (!isAbsent(scheduler.prefix_cache_stats)) record.prefixCacheStats = prefixCacheStatsField(at, scheduler.prefix_cache_stats);
  if (!isAbsent(scheduler.spec_decoding_stats)) record.specDecodingStats = specDecodingStatsField(at, scheduler.spec_decoding_stats);
  for (const key of Object.keys(scheduler)) {
    if (!KNOWN_SCHEDULER_KEYS.has(key)) record.extra[key] = scheduler[key];
  }
  return record;
}

function prefixCacheStatsField(at: LineRef, value: unknown): PrefixCacheStats {
  const label = 'scheduler.prefix_cache_stats';
  const fields = objectField(at, label, value);
  const stats: PrefixCacheStats = {
    requests: intField(at, `${label}.requests`, fields.requests),
    queries: intField(at, `${label}.queries`, fields.queries),
    hits: intField(at, `${label}.hits`, fields.hits),
  };
  // A hit is a looked-up prompt token found in the cache.
  if (stats.hits > stats.queries) fail(at, `${label}.hits is ${stats.hits} (expected at most queries = ${stats.queries})`);
  if (!isAbsent(fields.reset)) stats.reset = boolField(at, `${label}.reset`, fields.reset);
  if (!isAbsent(fields.preempted_requests)) stats.preemptedRequests = intField(at, `${label}.preempted_requests`, fields.preempted_requests);
  if (!isAbsent(fields.preempted_queries)) stats.preemptedQueries = intField(at, `${label}.preempted_queries`, fields.preempted_queries);
  if (!isAbsent(fields.preempted_hits)) stats.preemptedHits = intField(at, `${label}.preempted_hits`, fields.preempted_hits);
  return stats;
}

function specDecodingStatsField(at: LineRef, value: unknown): SpecDecodingStats {
  const label = 'scheduler.spec_decoding_stats';
  const fields = objectField(at, label, value);
  const stats: SpecDecodingStats = {
    numDrafts: intField(at, `${label}.num_drafts`, fields.num_drafts),
    numDraftTokens: intField(at, `${label}.num_draft_tokens`, fields.num_draft_tokens),
    numAcceptedTokens: intField(at, `${label}.num_accepted_tokens`, fields.num_accepted_tokens),
  };
  if (stats.numAcceptedTokens > stats.numDraftTokens) {
    fail(at, `${label}.num_accepted_tokens is ${stats.numAcceptedTokens} (expected at most num_draft_tokens = ${stats.numDraftTokens})`);
  }
  if (!isAbsent(fields.num_spec_tokens)) stats.numSpecTokens = intField(at, `${label}.num_spec_tokens`, fields.num_spec_tokens);
  if (!isAbsent(fields.num_accepted_tokens_per_pos)) {
    stats.numAcceptedTokensPerPos = intArrayField(at, `${label}.num_accepted_tokens_per_pos`, fields.num_accepted_tokens_per_pos, 0);
  }
  return stats;
}
