/**
 * Views the reports and fits read. Like the tables (schema.ts), their column
 * names, types and units are documented here and rendered into
 * docs/tables.md. They are defined over tables that always exist, so a
 * capture without OTLP simply contributes no rows to the journey views.
 *
 * Journey times are on the OTLP clock; stage durations are differences of
 * `journey.ts_ms` (ms). "First" means the earliest event of that type.
 */
import { STEP_KINDS } from '../capture/model.js';
import { sqlType } from './schema.js';

export interface ViewColumnSpec {
  name: string;
  /** DuckDB type as DESCRIBE reports it. */
  type: string;
  unit?: string;
  doc: string;
}

export interface ViewSpec {
  name: string;
  doc: string;
  sql: string;
  /** The columns that order the rows (as TableSpec.key). */
  key: readonly string[];
  columns: readonly ViewColumnSpec[];
}

const requestStages: ViewSpec = {
  name: 'request_stages',
  doc: 'One row per OTLP request journey: its stages from the engine\'s own journey events (formats.md §3 timing definitions). Empty when no capture has journey events.',
  sql: `
WITH marks AS (
  SELECT capture_id, journey_id,
    any_value(request_id) AS request_id,
    any_value(trace_id) AS trace_id,
    any_value(prompt_tokens) AS prompt_tokens,
    any_value(completion_tokens) AS completion_tokens,
    min(ts_ms) FILTER (WHERE event = 'ARRIVED') AS arrived_ms,
    min(ts_ms) FILTER (WHERE event = 'HANDOFF_TO_CORE') AS handoff_ms,
    min(ts_ms) FILTER (WHERE event = 'QUEUED') AS queued_ms,
    min(ts_ms) FILTER (WHERE event = 'SCHEDULED') AS scheduled_ms,
    min(ts_ms) FILTER (WHERE event = 'FIRST_TOKEN') AS first_token_ms,
    max(ts_ms) FILTER (WHERE event = 'FINISHED') AS finished_ms,
    max(ts_ms) FILTER (WHERE event = 'DEPARTED') AS departed_ms,
    count(*) FILTER (WHERE event = 'PREEMPTED') AS preemptions,
    bool_or(event = 'ABORTED') AS aborted,
    any_value(finish_status) FILTER (WHERE event = 'FINISHED') AS finish_status
  FROM journey
  GROUP BY capture_id, journey_id
),
-- Each preemption lasts until the next SCHEDULED (RESUME) of the same request.
preemption AS (
  SELECT capture_id, journey_id, sum(resumed_ms - ts_ms) AS preempted_ms
  FROM (
    SELECT capture_id, journey_id, event, ts_ms,
      min(ts_ms) FILTER (WHERE event = 'SCHEDULED') OVER (
        PARTITION BY capture_id, journey_id ORDER BY ts_ms, event_index
        ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS resumed_ms
    FROM journey
    WHERE layer = 'core'
  )
  WHERE event = 'PREEMPTED'
  GROUP BY capture_id, journey_id
)
SELECT
  m.capture_id, m.journey_id, m.request_id, m.trace_id,
  m.arrived_ms, m.queued_ms,
  m.scheduled_ms - m.queued_ms AS queue_ms,
  m.first_token_ms - m.scheduled_ms AS prefill_ms,
  m.finished_ms - m.first_token_ms AS decode_ms,
  m.handoff_ms - m.arrived_ms AS api_in_ms,
  m.departed_ms - m.finished_ms AS api_out_ms,
  coalesce(p.preempted_ms, 0) AS preempted_ms,
  m.preemptions,
  m.departed_ms - m.arrived_ms AS api_e2e_ms,
  m.finished_ms - m.queued_ms AS core_e2e_ms,
  m.aborted, m.finish_status, m.prompt_tokens, m.completion_tokens
FROM marks m
LEFT JOIN preemption p USING (capture_id, journey_id)`,
  key: ['capture_id', 'journey_id'],
  columns: [
    { name: 'capture_id', type: 'INTEGER', doc: 'The capture.' },
    { name: 'journey_id', type: 'INTEGER', doc: 'journey.journey_id.' },
    { name: 'request_id', type: 'VARCHAR', doc: 'journey.request_id.' },
    { name: 'trace_id', type: 'VARCHAR', doc: 'OTLP trace id.' },
    { name: 'arrived_ms', type: 'DOUBLE', unit: 'ms', doc: 'API ARRIVED on the OTLP clock.' },
    { name: 'queued_ms', type: 'DOUBLE', unit: 'ms', doc: 'Core QUEUED on the OTLP clock.' },
    { name: 'queue_ms', type: 'DOUBLE', unit: 'ms', doc: 'First SCHEDULED − QUEUED (the alpha target).' },
    { name: 'prefill_ms', type: 'DOUBLE', unit: 'ms', doc: 'FIRST_TOKEN − first SCHEDULED.' },
    { name: 'decode_ms', type: 'DOUBLE', unit: 'ms', doc: 'FINISHED − FIRST_TOKEN.' },
    { name: 'api_in_ms', type: 'DOUBLE', unit: 'ms', doc: 'HANDOFF_TO_CORE − ARRIVED (chat-completions route only).' },
    { name: 'api_out_ms', type: 'DOUBLE', unit: 'ms', doc: 'DEPARTED − FINISHED.' },
    { name: 'preempted_ms', type: 'DOUBLE', unit: 'ms', doc: 'Sum over PREEMPTED events of the time to the next SCHEDULED; 0 when never preempted.' },
    { name: 'preemptions', type: 'BIGINT', doc: 'PREEMPTED events.' },
    { name: 'api_e2e_ms', type: 'DOUBLE', unit: 'ms', doc: 'DEPARTED − ARRIVED.' },
    { name: 'core_e2e_ms', type: 'DOUBLE', unit: 'ms', doc: 'FINISHED − QUEUED.' },
    { name: 'aborted', type: 'BOOLEAN', doc: 'Whether the journey has an ABORTED event.' },
    { name: 'finish_status', type: 'VARCHAR', doc: 'finish.status of FINISHED.' },
    { name: 'prompt_tokens', type: 'INTEGER', unit: 'tokens', doc: 'API span prompt tokens.' },
    { name: 'completion_tokens', type: 'INTEGER', unit: 'tokens', doc: 'API span completion tokens.' },
  ],
};

const alphaSamples: ViewSpec = {
  name: 'alpha_samples',
  doc:
    'One row per journey with a QUEUED and a SCHEDULED event: the queue wait (alpha target) with the scheduler state the request met, ' +
    'taken AS OF the latest sampled step summary that started strictly before QUEUED (both on the OTLP clock). ' +
    'Summary columns are NULL when no summary precedes it; summary_age_ms says how stale the state is (summaries are sampled).',
  sql: `
WITH queued AS (
  SELECT capture_id, journey_id,
    any_value(request_id) AS request_id,
    min(ts_ms) FILTER (WHERE event = 'QUEUED') AS queued_ms,
    min(ts_ms) FILTER (WHERE event = 'SCHEDULED') AS scheduled_ms,
    arg_min(prefill_total_tokens, ts_ms) FILTER (WHERE event = 'QUEUED') AS queued_prompt_tokens,
    any_value(prompt_tokens) AS api_prompt_tokens,
    arg_min(decode_max_tokens, ts_ms) FILTER (WHERE event = 'QUEUED') AS queued_max_tokens,
    any_value(completion_tokens) AS completion_tokens,
    max(decode_done_tokens) FILTER (WHERE event = 'FINISHED') AS finished_decode_tokens
  FROM journey
  GROUP BY capture_id, journey_id
  HAVING queued_ms IS NOT NULL AND scheduled_ms IS NOT NULL
)
SELECT
  q.capture_id, q.journey_id, q.request_id, q.queued_ms,
  q.scheduled_ms - q.queued_ms AS queue_ms,
  coalesce(q.queued_prompt_tokens, q.api_prompt_tokens) AS prompt_tokens,
  coalesce(q.completion_tokens, q.finished_decode_tokens) AS output_tokens,
  q.queued_max_tokens AS max_tokens,
  s.step_id,
  q.queued_ms - s.start_ms AS summary_age_ms,
  s.waiting_depth, s.running_depth, s.kv_usage
FROM queued q
ASOF LEFT JOIN step_summaries s
  ON q.capture_id = s.capture_id AND q.queued_ms > s.start_ms`,
  key: ['capture_id', 'journey_id'],
  columns: [
    { name: 'capture_id', type: 'INTEGER', doc: 'The capture.' },
    { name: 'journey_id', type: 'INTEGER', doc: 'journey.journey_id.' },
    { name: 'request_id', type: 'VARCHAR', doc: 'journey.request_id.' },
    { name: 'queued_ms', type: 'DOUBLE', unit: 'ms', doc: 'QUEUED on the OTLP clock.' },
    { name: 'queue_ms', type: 'DOUBLE', unit: 'ms', doc: 'First SCHEDULED − QUEUED.' },
    { name: 'prompt_tokens', type: 'INTEGER', unit: 'tokens', doc: 'prefill.total_tokens of QUEUED, else the API span\'s prompt tokens.' },
    { name: 'output_tokens', type: 'INTEGER', unit: 'tokens', doc: 'API completion tokens, else decode.done_tokens of FINISHED.' },
    { name: 'max_tokens', type: 'INTEGER', unit: 'tokens', doc: 'decode.max_tokens of QUEUED.' },
    { name: 'step_id', type: 'INTEGER', doc: 'The step summary joined (step_summaries.step_id); NULL when none precedes QUEUED.' },
    { name: 'summary_age_ms', type: 'DOUBLE', unit: 'ms', doc: 'QUEUED − that summary\'s start.' },
    { name: 'waiting_depth', type: 'INTEGER', unit: 'requests', doc: 'Queue depth at that step.' },
    { name: 'running_depth', type: 'INTEGER', unit: 'requests', doc: 'Running requests at that step.' },
    { name: 'kv_usage', type: 'DOUBLE', unit: 'fraction 0–1', doc: 'KV-cache usage at that step.' },
  ],
};

const betaSamples: ViewSpec = {
  name: 'beta_samples',
  doc:
    'One row per step of `steps`: its duration with the batch composition (the beta fit\'s rows). ' +
    'Fit on wall_known rows only: for OTLP steps without a sampled successor dur_ms is scheduler CPU time, not wall time.',
  sql: `
SELECT capture_id, step_id, start_ms, dur_ms, wall_known, kind,
  prefill_tokens, decode_tokens, running, prefill_requests,
  greatest(running - prefill_requests, 0) AS decode_requests,
  waiting, kv_usage
FROM steps`,
  key: ['capture_id', 'step_id'],
  columns: [
    { name: 'capture_id', type: 'INTEGER', doc: 'The capture.' },
    { name: 'step_id', type: 'INTEGER', doc: 'steps.step_id.' },
    { name: 'start_ms', type: 'DOUBLE', unit: 'ms', doc: 'Step start.' },
    { name: 'dur_ms', type: 'DOUBLE', unit: 'ms', doc: 'Step duration (the beta target).' },
    { name: 'wall_known', type: 'BOOLEAN', doc: 'dur_ms is real wall time.' },
    { name: 'kind', type: sqlType({ enum: STEP_KINDS }), doc: 'Step kind.' },
    { name: 'prefill_tokens', type: 'INTEGER', unit: 'tokens', doc: 'New prompt tokens computed this step.' },
    { name: 'decode_tokens', type: 'INTEGER', unit: 'tokens', doc: 'Decode tokens this step.' },
    { name: 'running', type: 'INTEGER', unit: 'requests', doc: 'Batch size.' },
    { name: 'prefill_requests', type: 'INTEGER', unit: 'requests', doc: 'Requests prefilling this step.' },
    { name: 'decode_requests', type: 'INTEGER', unit: 'requests', doc: 'running − prefill_requests, floored at 0.' },
    { name: 'waiting', type: 'INTEGER', unit: 'requests', doc: 'Queue depth.' },
    { name: 'kv_usage', type: 'DOUBLE', unit: 'fraction 0–1', doc: 'KV-cache usage.' },
  ],
};

export const VIEWS: readonly ViewSpec[] = [requestStages, alphaSamples, betaSamples];

export function createViewSql(view: ViewSpec): string {
  return `CREATE OR REPLACE VIEW ${view.name} AS${view.sql}`;
}
