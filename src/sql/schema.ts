/**
 * The one definition of vcr's DuckDB tables: column names, DuckDB types,
 * units and meanings. The Arrow builders, the DDL, the DuckDB appender and
 * docs/tables.md all derive from this list, so a column is renamed in one
 * place. Stable names are part of vcr's interface.
 *
 * Conventions: times are ms (DOUBLE) unless the name ends in `_ns` (exact
 * epoch nanoseconds, BIGINT) or `_us`; counts are INTEGER, per-capture
 * totals BIGINT; hashes UBIGINT (exact above 2^53). A value the input did not
 * record is NULL (the model's NaN / -1).
 */
import { FINISH_REASONS } from '../capture/records.js';
import { STEP_KINDS } from '../capture/model.js';
import { API_EVENT_TYPES, CORE_EVENT_TYPES } from '../capture/otlpRecords.js';

export type ScalarType = 'INTEGER' | 'BIGINT' | 'UBIGINT' | 'DOUBLE' | 'BOOLEAN' | 'VARCHAR' | 'TIMESTAMP';
export type ListElementType = 'UBIGINT' | 'INTEGER' | 'VARCHAR';

/** A DuckDB column type: a scalar, an ENUM over a closed vocabulary (stored as a 1-byte code), or a list. */
export type ColumnType = ScalarType | { enum: readonly string[] } | { list: ListElementType };

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** Unit of a measured quantity ("ms", "tokens", ...), absent for identifiers and labels. */
  unit?: string;
  doc: string;
}

export const TABLE_NAMES = ['captures', 'requests', 'gaps', 'steps', 'step_summaries', 'journey', 'snapshots'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export interface TableSpec {
  name: TableName;
  doc: string;
  /**
   * The columns that order the rows (unique per row). Storage order is not
   * load order (the insert is parallel), so readers that want an order —
   * `vcr export`, the tests — sort by this.
   */
  key: readonly string[];
  columns: readonly ColumnSpec[];
}

export const STEP_SOURCES = ['sidecar', 'otlp', 'none'] as const;
export const JOURNEY_LAYERS = ['api', 'core'] as const;
export const JOURNEY_EVENTS = [...API_EVENT_TYPES, ...CORE_EVENT_TYPES] as const;
export const JOURNEY_PHASES = ['WAITING', 'PREFILL', 'DECODE'] as const;
export const SCHEDULE_KINDS = ['FIRST', 'RESUME'] as const;

const captureId: ColumnSpec = {
  name: 'capture_id',
  type: 'INTEGER',
  doc: 'The capture this row belongs to (captures.capture_id); filter or join on it when several captures share a database.',
};

const captures: TableSpec = {
  name: 'captures',
  doc: 'One row per loaded capture: where it came from, its engine metadata and its row counts.',
  key: ['capture_id'],
  columns: [
    { name: 'capture_id', type: 'INTEGER', doc: 'Database-local id, 1, 2, ... in load order.' },
    {
      name: 'content_hash',
      type: 'VARCHAR',
      doc: 'SHA-256 (hex) over the kind and SHA-256 of every input file of the capture: the identity that makes a repeated load a no-op.',
    },
    { name: 'trace_path', type: 'VARCHAR', doc: 'Absolute path of the engine trace, NULL when the capture has none.' },
    { name: 'step_stats_path', type: 'VARCHAR', doc: 'Absolute path of the step-stats sidecar, NULL when absent.' },
    { name: 'otlp_path', type: 'VARCHAR', doc: 'Absolute path of the OpenTelemetry export, NULL when absent.' },
    { name: 'loaded_at', type: 'TIMESTAMP', unit: 'UTC', doc: 'When the capture was loaded.' },
    { name: 'model', type: 'VARCHAR', doc: 'Trace meta `model`.' },
    { name: 'gpu', type: 'VARCHAR', doc: 'Trace meta `gpu`.' },
    { name: 'tp', type: 'INTEGER', doc: 'Trace meta `tp` (tensor parallelism).' },
    { name: 'max_num_seqs', type: 'INTEGER', doc: 'Trace meta `max_num_seqs`.' },
    { name: 'source', type: 'VARCHAR', doc: 'Trace meta `source` ("tap", "guidellm", "synthetic", ...).' },
    { name: 'block_size', type: 'INTEGER', unit: 'tokens', doc: 'Trace meta `block_size`.' },
    { name: 'config_hash', type: 'VARCHAR', doc: 'Trace meta `config_hash`.' },
    { name: 'vllm_version', type: 'VARCHAR', doc: 'Trace meta `vllm_version`.' },
    { name: 'meta_json', type: 'VARCHAR', doc: 'Every other trace meta key, as a JSON object (e.g. the generator\'s `sim` ground truth).' },
    { name: 'requests', type: 'BIGINT', unit: 'requests', doc: 'Rows in `requests`.' },
    { name: 'requests_without_arrival', type: 'BIGINT', unit: 'requests', doc: 'Requests without `arrival_ms` (kept for statistics, off the timeline).' },
    { name: 'gaps', type: 'BIGINT', unit: 'gaps', doc: 'Rows in `gaps`.' },
    { name: 'lanes', type: 'INTEGER', doc: 'Timeline lanes after greedy packing (= peak concurrency).' },
    { name: 'peak_concurrency', type: 'INTEGER', unit: 'requests', doc: 'Most requests active at once (arrival/end sweep, ends before arrivals at ties).' },
    { name: 'step_source', type: { enum: STEP_SOURCES }, doc: 'Where `steps` came from: the sidecar (preferred), OTLP step summaries, or none.' },
    { name: 'steps', type: 'BIGINT', unit: 'steps', doc: 'Rows in `steps`.' },
    { name: 'idle_intervals', type: 'BIGINT', doc: 'Sidecar lines that closed an idle interval instead of a step (not in `steps`).' },
    { name: 'journey_requests', type: 'BIGINT', unit: 'requests', doc: 'Request journeys in the OTLP file.' },
    { name: 'journey_events', type: 'BIGINT', unit: 'events', doc: 'Rows in `journey`.' },
    { name: 'step_summaries', type: 'BIGINT', unit: 'steps', doc: 'Rows in `step_summaries`.' },
    { name: 'snapshots', type: 'BIGINT', unit: 'snapshots', doc: 'Rows in `snapshots`.' },
    { name: 'otlp_epoch_ns', type: 'BIGINT', unit: 'ns since the Unix epoch', doc: 'The OTLP clock\'s zero: the earliest timestamp in the OTLP file. NULL without OTLP.' },
    { name: 'otlp_dropped_events', type: 'BIGINT', unit: 'events', doc: 'Events the tracing SDK dropped (its 128-events-per-span cap), summed over spans.' },
    { name: 'otlp_service', type: 'VARCHAR', doc: 'OTLP resource `service.name`.' },
  ],
};

const requests: TableSpec = {
  name: 'requests',
  doc:
    'One row per request of the engine trace, in arrival order. Times are ms on the capture clock (the trace\'s `arrival_ms` zero, shared with the step-stats sidecar). ' +
    'A capture without an engine trace takes its requests from upstream vLLM\'s `llm_request` spans in its OTLP export (docs/formats.md §3): arrival = span start, ' +
    'decode = e2e − TTFT spread evenly over output − 1 gaps (an itl_summary; no gap rows), times on the OTLP clock.',
  key: ['capture_id', 'request_id'],
  columns: [
    captureId,
    { name: 'request_id', type: 'INTEGER', doc: 'Index in arrival order (stable sort; requests without arrival follow in file order): the request\'s identity everywhere in vcr.' },
    { name: 'source_line', type: 'INTEGER', doc: '1-based line of the request in the trace file (of its span in the OTLP export, for upstream vLLM spans).' },
    { name: 'arrival_ms', type: 'DOUBLE', unit: 'ms', doc: 'Arrival on the capture clock; NULL when the trace did not record it.' },
    { name: 'ttft_ms', type: 'DOUBLE', unit: 'ms', doc: 'Arrival → first token.' },
    { name: 'decode_ms', type: 'DOUBLE', unit: 'ms', doc: 'sum(itl_ms), or itl_summary mean × count.' },
    { name: 'e2e_ms', type: 'DOUBLE', unit: 'ms', doc: 'ttft_ms + decode_ms.' },
    { name: 'end_ms', type: 'DOUBLE', unit: 'ms', doc: 'arrival_ms + e2e_ms; NULL without arrival.' },
    { name: 'tpot_ms', type: 'DOUBLE', unit: 'ms/token', doc: 'decode_ms / (output_tokens − first_chunk_tokens) when that is > 0, else NULL.' },
    { name: 'mean_itl_ms', type: 'DOUBLE', unit: 'ms', doc: 'Mean of the recorded gaps (or itl_summary.mean_ms); NULL when the request has none.' },
    { name: 'prompt_tokens', type: 'INTEGER', unit: 'tokens', doc: 'Prompt length.' },
    { name: 'cached_tokens', type: 'INTEGER', unit: 'tokens', doc: 'Prompt tokens served from the prefix cache.' },
    { name: 'output_tokens', type: 'INTEGER', unit: 'tokens', doc: 'Generated tokens.' },
    { name: 'first_chunk_tokens', type: 'INTEGER', unit: 'tokens', doc: 'Tokens delivered with the first token: output − sum(itl_tokens), else min(1, output).' },
    { name: 'concurrency', type: 'INTEGER', unit: 'requests', doc: 'Client-side concurrency the request ran under.' },
    { name: 'gap_count', type: 'INTEGER', unit: 'gaps', doc: 'Rows of this request in `gaps` (0 when only itl_summary was recorded).' },
    { name: 'summary_gap_count', type: 'INTEGER', unit: 'gaps', doc: 'itl_summary.count when the gaps were summarised instead of recorded, else NULL.' },
    { name: 'finish_reason', type: { enum: FINISH_REASONS }, doc: 'Why generation stopped; NULL when not recorded.' },
    { name: 'lane', type: 'INTEGER', doc: 'Timeline lane (greedy interval packing in arrival order); NULL without arrival.' },
    { name: 'block_hashes', type: { list: 'UBIGINT' }, doc: 'Chained hashes of the prompt\'s full token blocks, exact uint64; empty when not recorded.' },
    { name: 'mm_hashes', type: { list: 'VARCHAR' }, doc: 'Multimodal input hashes; empty when none.' },
    { name: 'output_token_ids', type: { list: 'INTEGER' }, doc: 'Generated token ids; empty when not recorded.' },
  ],
};

const gaps: TableSpec = {
  name: 'gaps',
  doc: 'One row per recorded inter-token gap (one `itl_ms` entry), grouped by request in gap order.',
  key: ['capture_id', 'request_id', 'gap_index'],
  columns: [
    captureId,
    { name: 'request_id', type: 'INTEGER', doc: 'The request (requests.request_id).' },
    { name: 'gap_index', type: 'INTEGER', doc: 'Position of the gap within its request, 0-based.' },
    { name: 'start_ms', type: 'DOUBLE', unit: 'ms', doc: 'Start of the gap (the previous token\'s time) on the capture clock; NULL when the request has no arrival.' },
    { name: 'dur_ms', type: 'DOUBLE', unit: 'ms', doc: 'The gap: time from the previous chunk to the chunk that closes it.' },
    { name: 'tokens', type: 'INTEGER', unit: 'tokens', doc: 'Tokens delivered by the closing chunk (1 unless speculative decoding / block diffusion).' },
    { name: 'num_running', type: 'INTEGER', unit: 'requests', doc: 'Running requests in the step that closed the gap (itl_ctx); NULL when not recorded.' },
    { name: 'prefill_tokens', type: 'INTEGER', unit: 'tokens', doc: 'Prompt tokens prefilled in the step that closed the gap (itl_ctx; 0 = clean decode step); NULL when not recorded.' },
  ],
};

const steps: TableSpec = {
  name: 'steps',
  doc: 'One row per scheduler step, in step order: from the step-stats sidecar when the capture has one (capture clock), else from the OTLP step summaries (OTLP clock). captures.step_source says which.',
  key: ['capture_id', 'step_id'],
  columns: [
    captureId,
    { name: 'step_id', type: 'INTEGER', doc: 'Sidecar: step counter (1-based, line order, idle intervals skipped); OTLP: step.id.' },
    { name: 'start_ms', type: 'DOUBLE', unit: 'ms', doc: 'Step start (sidecar: the previous line\'s ts_ms).' },
    { name: 'end_ms', type: 'DOUBLE', unit: 'ms', doc: 'Step end; for an OTLP step whose successor was not sampled, start + scheduler CPU time (wall_known = false).' },
    { name: 'dur_ms', type: 'DOUBLE', unit: 'ms', doc: 'end_ms − start_ms: the step\'s wall time when wall_known.' },
    { name: 'wall_known', type: 'BOOLEAN', doc: 'Whether dur_ms is the real wall time (always for the sidecar; OTLP only when step id + 1 was sampled too).' },
    { name: 'kind', type: { enum: STEP_KINDS }, doc: '"decode", "prefill" or "prefill+decode" (formats.md §2 classification).' },
    { name: 'running', type: 'INTEGER', unit: 'requests', doc: 'Running requests (batch size) after the step.' },
    { name: 'waiting', type: 'INTEGER', unit: 'requests', doc: 'Queue depth.' },
    { name: 'prefill_requests', type: 'INTEGER', unit: 'requests', doc: 'Requests that ran prefill this step.' },
    { name: 'prefill_tokens', type: 'INTEGER', unit: 'tokens', doc: 'Prompt tokens prefilled this step.' },
    { name: 'decode_tokens', type: 'INTEGER', unit: 'tokens', doc: 'Decode tokens this step (sidecar: decoding requests + draft tokens verified).' },
    { name: 'prefix_hits', type: 'INTEGER', unit: 'tokens', doc: 'Prefix-cache hits this step (sidecar); NULL when unknown.' },
    { name: 'preempted', type: 'INTEGER', unit: 'requests', doc: 'Requests preempted this step; NULL when unknown.' },
    { name: 'kv_usage', type: 'DOUBLE', unit: 'fraction 0–1', doc: 'KV-cache fraction in use.' },
    { name: 'spec_accepted', type: 'INTEGER', unit: 'tokens', doc: 'Speculative tokens accepted this step.' },
    { name: 'spec_draft', type: 'INTEGER', unit: 'tokens', doc: 'Speculative draft tokens proposed this step.' },
    { name: 'scheduler_cpu_us', type: 'DOUBLE', unit: 'µs', doc: 'OTLP step.duration_us: the scheduler\'s CPU time planning the step, NOT the forward pass; NULL for sidecar steps.' },
    { name: 'source_line', type: 'INTEGER', doc: '1-based sidecar line that closed the step; NULL for OTLP steps.' },
  ],
};

const stepSummaries: TableSpec = {
  name: 'step_summaries',
  doc: 'The OTLP file\'s sampled `step.BATCH_SUMMARY` events, verbatim, on the OTLP clock (kept even when `steps` came from the sidecar, so journey events can be joined with the scheduler state on one clock).',
  key: ['capture_id', 'step_id'],
  columns: [
    captureId,
    { name: 'step_id', type: 'INTEGER', doc: 'step.id.' },
    { name: 'ts_start_ns', type: 'BIGINT', unit: 'ns, engine monotonic clock', doc: 'step.ts_start_ns verbatim (time.monotonic_ns(), not epoch time).' },
    { name: 'ts_end_ns', type: 'BIGINT', unit: 'ns, engine monotonic clock', doc: 'step.ts_end_ns verbatim.' },
    { name: 'time_ns', type: 'BIGINT', unit: 'ns since the Unix epoch', doc: 'The BATCH_SUMMARY event\'s own timestamp (stamped just after ts_end_ns was read).' },
    {
      name: 'start_ms',
      type: 'DOUBLE',
      unit: 'ms',
      doc: 'Step start on the OTLP clock: ts_start_ns moved to epoch time by one monotonic→epoch offset for the whole file, so differences are exact ts_start_ns differences.',
    },
    { name: 'scheduler_cpu_us', type: 'DOUBLE', unit: 'µs', doc: 'step.duration_us: scheduler CPU time planning the step, not its wall time.' },
    { name: 'running_depth', type: 'INTEGER', unit: 'requests', doc: 'queue.running_depth.' },
    { name: 'waiting_depth', type: 'INTEGER', unit: 'requests', doc: 'queue.waiting_depth.' },
    { name: 'prefill_requests', type: 'INTEGER', unit: 'requests', doc: 'batch.num_prefill_reqs.' },
    { name: 'decode_requests', type: 'INTEGER', unit: 'requests', doc: 'batch.num_decode_reqs.' },
    { name: 'scheduled_tokens', type: 'INTEGER', unit: 'tokens', doc: 'batch.scheduled_tokens.' },
    { name: 'prefill_tokens', type: 'INTEGER', unit: 'tokens', doc: 'batch.prefill_tokens.' },
    { name: 'decode_tokens', type: 'INTEGER', unit: 'tokens', doc: 'batch.decode_tokens.' },
    { name: 'finished', type: 'INTEGER', unit: 'requests', doc: 'batch.num_finished.' },
    { name: 'preempted', type: 'INTEGER', unit: 'requests', doc: 'batch.num_preempted.' },
    { name: 'kv_usage', type: 'DOUBLE', unit: 'fraction 0–1', doc: 'kv.usage_gpu_ratio.' },
    { name: 'kv_blocks_total', type: 'INTEGER', unit: 'blocks', doc: 'kv.blocks_total_gpu.' },
    { name: 'kv_blocks_free', type: 'INTEGER', unit: 'blocks', doc: 'kv.blocks_free_gpu.' },
  ],
};

const journey: TableSpec = {
  name: 'journey',
  doc: 'One row per request-journey event of the OTLP file (API and core layers joined per request), in time order within each journey. ts_ms is on the OTLP clock, not the engine trace\'s.',
  key: ['capture_id', 'journey_id', 'event_index'],
  columns: [
    captureId,
    { name: 'journey_id', type: 'INTEGER', doc: 'The request journey, 0-based in the order the OTLP reader assembled them.' },
    { name: 'event_index', type: 'INTEGER', doc: 'Position of the event in its journey (time order; ties: API before core, then file order).' },
    { name: 'request_id', type: 'VARCHAR', doc: 'gen_ai.request.id of the API span (else of the core span).' },
    { name: 'core_request_id', type: 'VARCHAR', doc: 'gen_ai.request.id of the core span (the API id plus an engine suffix).' },
    { name: 'trace_id', type: 'VARCHAR', doc: 'OTLP trace id (32 hex).' },
    { name: 'route', type: 'VARCHAR', doc: 'http.route of the API span.' },
    { name: 'prompt_tokens', type: 'INTEGER', unit: 'tokens', doc: 'gen_ai.usage.prompt_tokens of the API span.' },
    { name: 'completion_tokens', type: 'INTEGER', unit: 'tokens', doc: 'gen_ai.usage.completion_tokens of the API span.' },
    { name: 'max_tokens', type: 'INTEGER', unit: 'tokens', doc: 'gen_ai.request.max_tokens of the API span.' },
    { name: 'layer', type: { enum: JOURNEY_LAYERS }, doc: '"api" (llm_request span) or "core" (llm_core span).' },
    { name: 'event', type: { enum: JOURNEY_EVENTS }, doc: 'Event type without its prefix: ARRIVED, HANDOFF_TO_CORE, FIRST_RESPONSE_FROM_CORE, DEPARTED, ABORTED, QUEUED, SCHEDULED, FIRST_TOKEN, PREEMPTED, FINISHED.' },
    { name: 'time_ns', type: 'BIGINT', unit: 'ns since the Unix epoch', doc: 'The event\'s timeUnixNano, exact.' },
    { name: 'ts_ms', type: 'DOUBLE', unit: 'ms', doc: 'time_ns on the OTLP clock (ms since captures.otlp_epoch_ns).' },
    { name: 'scheduler_step', type: 'INTEGER', doc: 'scheduler.step (core events).' },
    { name: 'phase', type: { enum: JOURNEY_PHASES }, doc: 'Request phase at the event (core events).' },
    { name: 'prefill_done_tokens', type: 'INTEGER', unit: 'tokens', doc: 'prefill.done_tokens.' },
    { name: 'prefill_total_tokens', type: 'INTEGER', unit: 'tokens', doc: 'prefill.total_tokens.' },
    { name: 'decode_done_tokens', type: 'INTEGER', unit: 'tokens', doc: 'decode.done_tokens.' },
    { name: 'decode_max_tokens', type: 'INTEGER', unit: 'tokens', doc: 'decode.max_tokens.' },
    { name: 'num_preemptions', type: 'INTEGER', doc: 'num_preemptions so far.' },
    { name: 'schedule_kind', type: { enum: SCHEDULE_KINDS }, doc: 'SCHEDULED only: FIRST, or RESUME after a preemption.' },
    { name: 'finish_status', type: 'VARCHAR', doc: 'FINISHED only: finish.status ("stopped", "length", "aborted", "ignored", "error").' },
    { name: 'abort_reason', type: 'VARCHAR', doc: 'ABORTED only: reason.' },
    { name: 'abort_error', type: 'VARCHAR', doc: 'ABORTED only: error.' },
  ],
};

const snapshots: TableSpec = {
  name: 'snapshots',
  doc: 'One row per `step.REQUEST_SNAPSHOT` event: a running request as a sampled step saw it (OTLP clock).',
  key: ['capture_id', 'step_id', 'request_id'],
  columns: [
    captureId,
    { name: 'step_id', type: 'INTEGER', doc: 'step.id of the sampled step.' },
    { name: 'time_ns', type: 'BIGINT', unit: 'ns since the Unix epoch', doc: 'Event time, exact.' },
    { name: 'ts_ms', type: 'DOUBLE', unit: 'ms', doc: 'time_ns on the OTLP clock.' },
    { name: 'request_id', type: 'VARCHAR', doc: 'request.id (the engine\'s id, as journey.core_request_id).' },
    { name: 'phase', type: 'VARCHAR', doc: 'request.phase.' },
    { name: 'prompt_tokens', type: 'INTEGER', unit: 'tokens', doc: 'request.num_prompt_tokens.' },
    { name: 'computed_tokens', type: 'INTEGER', unit: 'tokens', doc: 'request.num_computed_tokens.' },
    { name: 'output_tokens', type: 'INTEGER', unit: 'tokens', doc: 'request.num_output_tokens.' },
    { name: 'preemptions', type: 'INTEGER', doc: 'request.num_preemptions.' },
    { name: 'scheduled_tokens', type: 'INTEGER', unit: 'tokens', doc: 'request.scheduled_tokens_this_step.' },
    { name: 'kv_blocks_allocated', type: 'INTEGER', unit: 'blocks', doc: 'kv.blocks_allocated_gpu.' },
    { name: 'kv_blocks_cached', type: 'INTEGER', unit: 'blocks', doc: 'kv.blocks_cached_gpu.' },
    { name: 'effective_prompt_len', type: 'INTEGER', unit: 'tokens', doc: 'request.effective_prompt_len; NULL when absent.' },
  ],
};

export const TABLES: Readonly<Record<TableName, TableSpec>> = {
  captures,
  requests,
  gaps,
  steps,
  step_summaries: stepSummaries,
  journey,
  snapshots,
};

/** The DuckDB spelling of a column type. */
export function sqlType(type: ColumnType): string {
  if (typeof type === 'string') return type;
  if ('enum' in type) return `ENUM(${type.enum.map(sqlString).join(', ')})`;
  return `${type.list}[]`;
}

export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function createTableSql(table: TableSpec): string {
  const columns = table.columns.map((column) => `  ${column.name} ${sqlType(column.type)}`).join(',\n');
  return `CREATE TABLE IF NOT EXISTS ${table.name} (\n${columns}\n)`;
}
