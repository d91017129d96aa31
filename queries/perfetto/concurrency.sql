-- concurrency.sql (PerfettoSQL, core tables only): the most requests in flight
-- at once in a `vcr proto` trace.
--
-- Returns one row:
--   peak_active_requests  max of the active_requests counter (+1 at arrival,
--                         -1 at end, ends before arrivals at equal times; it
--                         also equals the number of "lane N" tracks)
--   first_peak_ms         when the peak was first reached, ms on the trace clock
--                         (the capture clock unless the trace had to shift
--                         negative arrival times to 0)
--   max_gap_num_running   max of the engine_running counter (itl_ctx.num_running at gap ends)
--   max_step_running      max of the sched_running_reqs counter (step-stats sidecar)
-- Must agree with the same-named columns of queries/peak_concurrency.sql
-- (DuckDB) on the same capture. (Its max_client_concurrency has no
-- counterpart: the trace does not carry the client's concurrency.)
-- Run: trace_processor_shell -q queries/perfetto/concurrency.sql t.pftrace
WITH samples AS (
  SELECT t.name AS counter, c.ts, c.value
  FROM counter c
  JOIN counter_track t ON t.id = c.track_id
  WHERE t.name IN ('active_requests', 'engine_running', 'sched_running_reqs')
),
peak AS (
  SELECT MAX(value) AS value FROM samples WHERE counter = 'active_requests'
)
SELECT
  CAST((SELECT value FROM peak) AS INT) AS peak_active_requests,
  (SELECT MIN(s.ts) FROM samples s, peak p WHERE s.counter = 'active_requests' AND s.value = p.value) / 1e6 AS first_peak_ms,
  CAST((SELECT MAX(value) FROM samples WHERE counter = 'engine_running') AS INT) AS max_gap_num_running,
  CAST((SELECT MAX(value) FROM samples WHERE counter = 'sched_running_reqs') AS INT) AS max_step_running;
