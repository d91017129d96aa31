-- step_mix.sql (PerfettoSQL, core tables only): what the scheduler's steps did,
-- per step kind, in a `vcr proto` trace written with --step-stats (or --otlp).
--
-- Returns one row per kind with at least one step:
--   kind                 decode | prefill | prefill+decode (the step slice's debug.kind)
--   steps, step_share    step count and its fraction of all steps
--   time_ms, time_share  summed step wall time (slice durations, ms) and its
--                        fraction; wall_known steps only (an OTLP step whose
--                        successor was not sampled has no wall time; sidecar
--                        steps always do and carry no debug.wall_known)
--   mean_dur_ms          mean wall time of one step of this kind
--   mean_running, mean_prefill_tokens, mean_decode_tokens   batch composition
-- Must agree with queries/step_kind_mix.sql (DuckDB) on the same capture;
-- durations to the nanosecond (the trace rounds step boundaries to ns).
-- Run: trace_processor_shell -q queries/perfetto/step_mix.sql t.pftrace
WITH steps AS (
  SELECT
    kind.string_value AS kind,
    s.dur / 1e6 AS dur_ms,
    COALESCE(wall.int_value, 1) = 1 AS wall_known,
    running.int_value AS running,
    prefill.int_value AS prefill_tokens,
    decode.int_value AS decode_tokens
  FROM slice s
  JOIN args kind ON kind.arg_set_id = s.arg_set_id AND kind.key = 'debug.kind'
  JOIN args running ON running.arg_set_id = s.arg_set_id AND running.key = 'debug.running'
  JOIN args prefill ON prefill.arg_set_id = s.arg_set_id AND prefill.key = 'debug.prefill_tokens'
  JOIN args decode ON decode.arg_set_id = s.arg_set_id AND decode.key = 'debug.decode_tokens'
  LEFT JOIN args wall ON wall.arg_set_id = s.arg_set_id AND wall.key = 'debug.wall_known'
  WHERE s.category = 'step'
)
SELECT
  kind,
  COUNT(*) AS steps,
  COUNT(*) * 1.0 / SUM(COUNT(*)) OVER () AS step_share,
  SUM(dur_ms) FILTER (WHERE wall_known) AS time_ms,
  SUM(dur_ms) FILTER (WHERE wall_known) / SUM(SUM(dur_ms) FILTER (WHERE wall_known)) OVER () AS time_share,
  AVG(dur_ms) FILTER (WHERE wall_known) AS mean_dur_ms,
  AVG(running) AS mean_running,
  AVG(prefill_tokens) AS mean_prefill_tokens,
  AVG(decode_tokens) AS mean_decode_tokens
FROM steps
GROUP BY kind
ORDER BY kind;
