-- ttft.sql (PerfettoSQL, core tables only): TTFT distribution of the requests
-- in a trace written by `vcr proto`.
--
-- Returns one row: count, mean_ms, p50_ms, p90_ms, p95_ms, p99_ms, p99_9_ms, max_ms.
-- Must agree with the bucket = 'all', metric = 'ttft' row of
-- queries/latency_percentiles.sql (DuckDB) on the same capture, provided every
-- request has arrival_ms: the trace only holds requests it could place on the
-- timeline, while the DuckDB tables keep the others for statistics.
--
-- Samples: one per `reqI prefill` slice (category 'request'), its debug.ttft_ms
-- arg — the input value itself, not the slice's ns-rounded duration.
-- Percentiles are nearest rank: the value at 1-based rank ceil(p*n) of the
-- sorted sample, computed in integers as (ppm*n + 999999) / 1000000 with p in
-- parts per million, exactly as the DuckDB query does.
-- Run: trace_processor_shell -q queries/perfetto/ttft.sql t.pftrace
WITH samples AS (
  SELECT a.real_value AS value
  FROM slice s
  JOIN args a ON a.arg_set_id = s.arg_set_id AND a.key = 'debug.ttft_ms'
  WHERE s.category = 'request' AND s.name GLOB 'req* prefill'
),
ranked AS (
  SELECT value,
    ROW_NUMBER() OVER (ORDER BY value) AS rank,
    COUNT(*) OVER () AS n
  FROM samples
)
SELECT
  COUNT(*) AS count,
  AVG(value) AS mean_ms,
  MAX(CASE WHEN rank = (500000 * n + 999999) / 1000000 THEN value END) AS p50_ms,
  MAX(CASE WHEN rank = (900000 * n + 999999) / 1000000 THEN value END) AS p90_ms,
  MAX(CASE WHEN rank = (950000 * n + 999999) / 1000000 THEN value END) AS p95_ms,
  MAX(CASE WHEN rank = (990000 * n + 999999) / 1000000 THEN value END) AS p99_ms,
  MAX(CASE WHEN rank = (999000 * n + 999999) / 1000000 THEN value END) AS p99_9_ms,
  MAX(value) AS max_ms
FROM ranked;
