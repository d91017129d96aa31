-- step_kind_mix.sql: what the scheduler's steps did, per capture and step kind.
--
-- Returns one row per (capture_id, kind) with at least one step:
--   kind                 decode | prefill | prefill+decode (formats.md §2)
--   steps, step_share    step count and its fraction of the capture's steps
--   time_ms, time_share  summed step wall time (ms) and its fraction of the
--                        capture's step time; wall_known steps only (an OTLP
--                        step whose successor was not sampled has no wall time)
--   mean_dur_ms          mean wall time of one step of this kind
--   mean_running, mean_prefill_tokens, mean_decode_tokens   batch composition
-- Run: vcr sql -f queries/step_kind_mix.sql [--db F | -t FILES...]
SELECT
  capture_id,
  kind,
  count(*) AS steps,
  count(*) / sum(count(*)) OVER (PARTITION BY capture_id) AS step_share,
  sum(dur_ms) FILTER (WHERE wall_known) AS time_ms,
  sum(dur_ms) FILTER (WHERE wall_known) / sum(sum(dur_ms) FILTER (WHERE wall_known)) OVER (PARTITION BY capture_id) AS time_share,
  avg(dur_ms) FILTER (WHERE wall_known) AS mean_dur_ms,
  avg(running) AS mean_running,
  avg(prefill_tokens) AS mean_prefill_tokens,
  avg(decode_tokens) AS mean_decode_tokens
FROM steps
GROUP BY capture_id, kind
ORDER BY capture_id, kind;
