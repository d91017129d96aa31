-- peak_concurrency.sql: the most requests in flight at once, per capture.
--
-- Returns one row per capture:
--   peak_active_requests  max over time of requests between arrival_ms and
--                         end_ms (requests without arrival_ms are left out);
--                         at equal times ends count before arrivals, so a
--                         request arriving as another ends does not overlap
--                         it (the same sweep as captures.peak_concurrency and
--                         the timeline's lane count)
--   first_peak_ms         when that peak was first reached (capture clock)
--   max_client_concurrency  max requests.concurrency (what the client asked for)
--   max_gap_num_running   max gaps.num_running (engine batch size at token times, itl_ctx)
--   max_step_running      max steps.running (engine batch size per scheduler step)
-- Run: vcr sql -f queries/peak_concurrency.sql [--db F | -t FILES...]
WITH events AS (
  SELECT capture_id, arrival_ms AS t, 1 AS delta FROM requests WHERE arrival_ms IS NOT NULL
  UNION ALL
  SELECT capture_id, end_ms AS t, -1 AS delta FROM requests WHERE arrival_ms IS NOT NULL
),
sweep AS (
  SELECT capture_id, t,
    sum(delta) OVER (PARTITION BY capture_id ORDER BY t, delta ROWS UNBOUNDED PRECEDING) AS active
  FROM events
),
peak AS (
  SELECT capture_id, max(active) AS peak_active FROM sweep GROUP BY capture_id
),
first_peak AS (
  SELECT s.capture_id, min(s.t) AS first_peak_ms
  FROM sweep s JOIN peak p ON s.capture_id = p.capture_id AND s.active = p.peak_active
  GROUP BY s.capture_id
)
SELECT
  c.capture_id,
  coalesce(p.peak_active, 0) AS peak_active_requests,
  f.first_peak_ms,
  (SELECT max(concurrency) FROM requests r WHERE r.capture_id = c.capture_id) AS max_client_concurrency,
  (SELECT max(num_running) FROM gaps g WHERE g.capture_id = c.capture_id) AS max_gap_num_running,
  (SELECT max(running) FROM steps s WHERE s.capture_id = c.capture_id) AS max_step_running
FROM captures c
LEFT JOIN peak p ON p.capture_id = c.capture_id
LEFT JOIN first_peak f ON f.capture_id = c.capture_id
ORDER BY c.capture_id;
