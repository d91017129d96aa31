-- itl.sql (PerfettoSQL, core tables only): inter-token latency pooled over
-- every gap versus per request, from the decode slices of a `vcr proto` trace.
--
-- Returns one row:
--   gaps, pooled_mean_ms, pooled_p50_ms, pooled_p90_ms, pooled_p95_ms,
--   pooled_p99_ms, pooled_p99_9_ms, pooled_max_ms
--       one sample per `decode` / `decode xN` slice (category 'request'): its
--       debug.gap_ms arg, the recorded gap itself. A `decode xN` slice is one
--       gap closed by a chunk of N tokens (speculative decoding); it counts
--       once, with its whole duration — vLLM bench's ITL, the gap between
--       streamed chunks — not as N samples of gap/N.
--   requests, per_request_mean_ms, per_request_p50_ms, per_request_p99_ms
--       one sample per request: the mean of its gaps, or the debug.mean_itl_ms
--       of its `decode (itl_summary)` slice when only a summary was recorded.
--   p99_ratio  pooled_p99_ms / per_request_p99_ms
-- Must agree with the bucket = 'all' rows of queries/latency_percentiles.sql
-- (metric 'itl': count, mean_ms, p50_ms ... max_ms) and
-- queries/itl_per_token_vs_request.sql (DuckDB) on the same capture, provided
-- every request has arrival_ms (the trace holds only placed requests).
-- Percentiles are nearest rank, as in ttft.sql.
-- Run: trace_processor_shell -q queries/perfetto/itl.sql t.pftrace
WITH decode AS (
  SELECT req.int_value AS request, gap.real_value AS gap_ms
  FROM slice s
  JOIN args gap ON gap.arg_set_id = s.arg_set_id AND gap.key = 'debug.gap_ms'
  JOIN args req ON req.arg_set_id = s.arg_set_id AND req.key = 'debug.req'
  WHERE s.category = 'request' AND (s.name = 'decode' OR s.name GLOB 'decode x*')
),
per_request AS (
  SELECT request, AVG(gap_ms) AS value FROM decode GROUP BY request
  UNION ALL
  SELECT req.int_value, mean.real_value
  FROM slice s
  JOIN args mean ON mean.arg_set_id = s.arg_set_id AND mean.key = 'debug.mean_itl_ms'
  JOIN args req ON req.arg_set_id = s.arg_set_id AND req.key = 'debug.req'
  WHERE s.category = 'request' AND s.name = 'decode (itl_summary)'
),
samples AS (
  SELECT 'pooled' AS kind, gap_ms AS value FROM decode
  UNION ALL
  SELECT 'per_request', value FROM per_request
),
ranked AS (
  SELECT kind, value,
    ROW_NUMBER() OVER (PARTITION BY kind ORDER BY value) AS rank,
    COUNT(*) OVER (PARTITION BY kind) AS n
  FROM samples
),
stats AS (
  SELECT kind,
    COUNT(*) AS n,
    AVG(value) AS mean_ms,
    MAX(CASE WHEN rank = (500000 * n + 999999) / 1000000 THEN value END) AS p50_ms,
    MAX(CASE WHEN rank = (900000 * n + 999999) / 1000000 THEN value END) AS p90_ms,
    MAX(CASE WHEN rank = (950000 * n + 999999) / 1000000 THEN value END) AS p95_ms,
    MAX(CASE WHEN rank = (990000 * n + 999999) / 1000000 THEN value END) AS p99_ms,
    MAX(CASE WHEN rank = (999000 * n + 999999) / 1000000 THEN value END) AS p99_9_ms,
    MAX(value) AS max_ms
  FROM ranked
  GROUP BY kind
)
SELECT
  p.n AS gaps,
  p.mean_ms AS pooled_mean_ms,
  p.p50_ms AS pooled_p50_ms,
  p.p90_ms AS pooled_p90_ms,
  p.p95_ms AS pooled_p95_ms,
  p.p99_ms AS pooled_p99_ms,
  p.p99_9_ms AS pooled_p99_9_ms,
  p.max_ms AS pooled_max_ms,
  r.n AS requests,
  r.mean_ms AS per_request_mean_ms,
  r.p50_ms AS per_request_p50_ms,
  r.p99_ms AS per_request_p99_ms,
  p.p99_ms / r.p99_ms AS p99_ratio
FROM stats p
LEFT JOIN stats r ON r.kind = 'per_request'
WHERE p.kind = 'pooled';
