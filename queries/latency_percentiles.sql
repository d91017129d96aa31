-- latency_percentiles.sql: TTFT, ITL, TPOT and E2E distributions, per capture,
-- overall (bucket 'all') and by client-concurrency bucket.
--
-- Returns one row per (capture_id, metric, bucket):
--   metric      ttft | itl | tpot | e2e
--   bucket      'all', or the concurrency range: '1', '2', '3-4', '5-8', '9-16', ...
--   bucket_max  upper end of the range (0 for 'all'), for sorting
--   count, mean_ms, p50_ms, p90_ms, p95_ms, p99_ms, p99_9_ms, max_ms
--
-- Samples (ms): ttft = requests.ttft_ms; itl = gaps.dur_ms, one sample per
-- recorded gap pooled over all requests (vLLM bench's ITL: the gap between
-- streamed chunks); tpot = requests.tpot_ms where defined; e2e = requests.e2e_ms.
-- Buckets: requests.concurrency (the client-side concurrency a request ran
-- under) in power-of-two ranges (2^(k-1), 2^k]; concurrency <= 1 is bucket '1'.
-- A sweep at 1, 2, 4, 8, ... puts each level in its own bucket. A gap takes
-- its request's bucket.
-- Percentiles are nearest rank: the value at 1-based rank ceil(p*n) of the
-- sorted sample, computed in integers as (ppm*n + 999999) // 1000000 with p in
-- parts per million (DuckDB's quantile_disc picks a different element).
-- Run: vcr sql -f queries/latency_percentiles.sql [--db F | -t FILES...]
WITH bucketed AS (
  SELECT capture_id, request_id, ttft_ms, tpot_ms, e2e_ms,
    CASE WHEN concurrency <= 1 THEN 1 ELSE CAST(2 ** ceil(log2(concurrency)) AS BIGINT) END AS bucket_max
  FROM requests
),
samples AS (
  SELECT capture_id, 'ttft' AS metric, bucket_max, ttft_ms AS value FROM bucketed
  UNION ALL
  SELECT capture_id, 'tpot', bucket_max, tpot_ms FROM bucketed WHERE tpot_ms IS NOT NULL
  UNION ALL
  SELECT capture_id, 'e2e', bucket_max, e2e_ms FROM bucketed
  UNION ALL
  SELECT g.capture_id, 'itl', b.bucket_max, g.dur_ms
  FROM gaps g JOIN bucketed b USING (capture_id, request_id)
),
both_levels AS (
  SELECT capture_id, metric, bucket_max, value FROM samples
  UNION ALL
  SELECT capture_id, metric, 0, value FROM samples
),
ranked AS (
  SELECT capture_id, metric, bucket_max, value,
    row_number() OVER (PARTITION BY capture_id, metric, bucket_max ORDER BY value) AS rank,
    count(*) OVER (PARTITION BY capture_id, metric, bucket_max) AS n
  FROM both_levels
)
SELECT
  capture_id,
  metric,
  CASE WHEN bucket_max = 0 THEN 'all'
       WHEN bucket_max <= 2 THEN bucket_max::VARCHAR
       ELSE (bucket_max // 2 + 1)::VARCHAR || '-' || bucket_max::VARCHAR END AS bucket,
  bucket_max,
  count(*) AS count,
  avg(value) AS mean_ms,
  max(value) FILTER (WHERE rank = (500000 * n + 999999) // 1000000) AS p50_ms,
  max(value) FILTER (WHERE rank = (900000 * n + 999999) // 1000000) AS p90_ms,
  max(value) FILTER (WHERE rank = (950000 * n + 999999) // 1000000) AS p95_ms,
  max(value) FILTER (WHERE rank = (990000 * n + 999999) // 1000000) AS p99_ms,
  max(value) FILTER (WHERE rank = (999000 * n + 999999) // 1000000) AS p99_9_ms,
  max(value) AS max_ms
FROM ranked
GROUP BY capture_id, metric, bucket_max
ORDER BY capture_id,
  CASE metric WHEN 'ttft' THEN 1 WHEN 'itl' THEN 2 WHEN 'tpot' THEN 3 ELSE 4 END,
  bucket_max;
