-- itl_per_token_vs_request.sql: inter-token latency counted per token (pooled
-- gaps) versus per request (each request's mean gap), per capture, overall
-- (bucket 'all') and by client-concurrency bucket.
--
-- Returns one row per (capture_id, bucket):
--   bucket, bucket_max          as in latency_percentiles.sql
--   gaps, pooled_mean_ms, pooled_p50_ms, pooled_p99_ms
--       every recorded gap (gaps.dur_ms) is one sample, so long requests
--       weigh in proportion to their length (vLLM bench's ITL)
--   requests, per_request_mean_ms, per_request_p50_ms, per_request_p99_ms
--       one sample per request: requests.mean_itl_ms (requests with recorded
--       gaps or an itl_summary), so every request weighs the same
--   p99_ratio                   pooled_p99_ms / per_request_p99_ms: far above 1
--       when the tail sits in individual gaps (stalls) rather than in slow requests
-- Percentiles are nearest rank (see latency_percentiles.sql).
-- Run: vcr sql -f queries/itl_per_token_vs_request.sql [--db F | -t FILES...]
WITH bucketed AS (
  SELECT capture_id, request_id, mean_itl_ms,
    CASE WHEN concurrency <= 1 THEN 1 ELSE CAST(2 ** ceil(log2(concurrency)) AS BIGINT) END AS bucket_max
  FROM requests
),
samples AS (
  SELECT g.capture_id, 'pooled' AS kind, b.bucket_max, g.dur_ms AS value
  FROM gaps g JOIN bucketed b USING (capture_id, request_id)
  UNION ALL
  SELECT capture_id, 'per_request', bucket_max, mean_itl_ms FROM bucketed WHERE mean_itl_ms IS NOT NULL
),
both_levels AS (
  SELECT * FROM samples
  UNION ALL
  SELECT capture_id, kind, 0, value FROM samples
),
ranked AS (
  SELECT capture_id, kind, bucket_max, value,
    row_number() OVER (PARTITION BY capture_id, kind, bucket_max ORDER BY value) AS rank,
    count(*) OVER (PARTITION BY capture_id, kind, bucket_max) AS n
  FROM both_levels
),
stats AS (
  SELECT capture_id, kind, bucket_max,
    count(*) AS n,
    avg(value) AS mean_ms,
    max(value) FILTER (WHERE rank = (500000 * n + 999999) // 1000000) AS p50_ms,
    max(value) FILTER (WHERE rank = (990000 * n + 999999) // 1000000) AS p99_ms
  FROM ranked
  GROUP BY capture_id, kind, bucket_max
)
SELECT
  p.capture_id,
  CASE WHEN p.bucket_max = 0 THEN 'all'
       WHEN p.bucket_max <= 2 THEN p.bucket_max::VARCHAR
       ELSE (p.bucket_max // 2 + 1)::VARCHAR || '-' || p.bucket_max::VARCHAR END AS bucket,
  p.bucket_max,
  p.n AS gaps,
  p.mean_ms AS pooled_mean_ms,
  p.p50_ms AS pooled_p50_ms,
  p.p99_ms AS pooled_p99_ms,
  r.n AS requests,
  r.mean_ms AS per_request_mean_ms,
  r.p50_ms AS per_request_p50_ms,
  r.p99_ms AS per_request_p99_ms,
  p.p99_ms / r.p99_ms AS p99_ratio
FROM stats p
LEFT JOIN stats r ON r.capture_id = p.capture_id AND r.bucket_max = p.bucket_max AND r.kind = 'per_request'
WHERE p.kind = 'pooled'
ORDER BY p.capture_id, p.bucket_max;
