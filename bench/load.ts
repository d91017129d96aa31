/**
 * `vcr load` against DuckDB's own JSON reader on the same generated capture
 * (engine trace + step-stats sidecar, ≥ 10M gaps), each into a fresh
 * database file, in the same run:
 *
 * - vcr:              loadFiles() — hash, parse and validate every record,
 *                     build the capture model and its Arrow columns, append
 *                     to DuckDB, commit, close (checkpoint);
 * - native, equivalent: read_json + unnest into the same requests / gaps /
 *                     steps columns vcr writes, derived ones included
 *                     (arrival order, decode/e2e/tpot, gap start times,
 *                     step classification), close;
 * - native, raw:      read_json + unnest of the raw fields only, no derived
 *                     columns: the floor DuckDB alone can reach.
 *
 * The headline ratio is vcr / native-equivalent (target ≤ 1.5); the ratio to
 * the raw floor is printed too. Each path runs VCR_BENCH_RUNS times
 * (default 2), alternating, and the fastest run counts.
 *
 * The capture is generated once into bench/out/load-<requests>/ and reused.
 * VCR_BENCH_LOAD_REQUESTS overrides the request count (37000 ≈ 10.5M gaps).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { generateCapture } from '../src/gen/index.js';
import { openDatabase } from '../src/sql/database.js';
import { loadFiles } from '../src/sql/load.js';

const MIN_GAPS = 10_000_000;

interface Files {
  trace: string;
  stepStats: string;
}

async function captureFiles(requests: number): Promise<Files> {
  const dir = resolve('bench/out', `load-${requests}`);
  const files = { trace: join(dir, 'trace.jsonl'), stepStats: join(dir, 'trace-step-stats.jsonl') };
  if (existsSync(files.trace) && existsSync(files.stepStats)) return files;
  process.stdout.write(`generating ${requests} requests into ${dir} ...\n`);
  // OTLP step sampling is kept low: the OTLP file is not part of this comparison.
  const summary = await generateCapture({ outDir: dir, requests, seed: 1, outputMedian: 256, stepSample: 0.01, snapshotSample: 0 });
  process.stdout.write(`  ${summary.gaps} gaps, ${summary.steps} steps in ${(summary.elapsedMs / 1000).toFixed(1)} s\n`);
  return files;
}

function freshPath(name: string): string {
  const path = resolve('bench/out', name);
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true });
  rmSync(`${path}.wal`, { force: true });
  return path;
}

async function timeVcr(files: Files): Promise<number> {
  const path = freshPath('bench-vcr.duckdb');
  const started = performance.now();
  const db = await openDatabase(path);
  await loadFiles(db, [files.trace, files.stepStats]);
  db.close();
  return performance.now() - started;
}

const q = (path: string) => `'${path.replaceAll("'", "''")}'`;

const TRACE_COLUMNS = `{
  prompt_tokens: 'INTEGER', cached_tokens: 'INTEGER', output_tokens: 'INTEGER', ttft_ms: 'DOUBLE',
  itl_ms: 'DOUBLE[]', itl_tokens: 'INTEGER[]', itl_summary: 'STRUCT(mean_ms DOUBLE, count INTEGER)',
  concurrency: 'INTEGER', arrival_ms: 'DOUBLE',
  itl_ctx: 'STRUCT(num_running INTEGER[], prefill_tokens INTEGER[])',
  block_hashes: 'UBIGINT[]', mm_hashes: 'VARCHAR[]', output_token_ids: 'INTEGER[]', finish_reason: 'VARCHAR'
}`;

const SIDECAR_COLUMNS = `{
  ts_ms: 'DOUBLE',
  scheduler: 'STRUCT(num_running_reqs INTEGER, num_waiting_reqs INTEGER, kv_cache_usage DOUBLE,
    prefix_cache_stats STRUCT(requests INTEGER, queries INTEGER, hits INTEGER, preempted_requests INTEGER),
    spec_decoding_stats STRUCT(num_draft_tokens INTEGER, num_accepted_tokens INTEGER))'
}`;

/** The same columns vcr's requests / gaps / steps hold (lane excepted: greedy packing is not SQL). */
function equivalentSql(files: Files): string[] {
  return [
    `CREATE TEMP TABLE raw_trace AS
     SELECT * FROM (SELECT row_number() OVER () AS line_no, * FROM read_json(${q(files.trace)}, format = 'newline_delimited', columns = ${TRACE_COLUMNS}))
     WHERE prompt_tokens IS NOT NULL`,
    `CREATE TABLE requests AS
     SELECT 1 AS capture_id,
       (row_number() OVER (ORDER BY arrival_ms NULLS LAST, line_no) - 1)::INTEGER AS request_id,
       line_no::INTEGER AS source_line, arrival_ms, ttft_ms, decode AS decode_ms, ttft_ms + decode AS e2e_ms,
       arrival_ms + ttft_ms + decode AS end_ms,
       CASE WHEN output_tokens - first_chunk > 0 THEN decode / (output_tokens - first_chunk) END AS tpot_ms,
       CASE WHEN len(itl_ms) > 0 THEN decode / len(itl_ms) ELSE itl_summary.mean_ms END AS mean_itl_ms,
       prompt_tokens, coalesce(cached_tokens, 0) AS cached_tokens, output_tokens, first_chunk::INTEGER AS first_chunk_tokens,
       coalesce(concurrency, 1) AS concurrency, coalesce(len(itl_ms), 0)::INTEGER AS gap_count,
       CASE WHEN itl_ms IS NULL THEN itl_summary.count END AS summary_gap_count, finish_reason,
       coalesce(block_hashes, []) AS block_hashes, coalesce(mm_hashes, []) AS mm_hashes, coalesce(output_token_ids, []) AS output_token_ids
     FROM (SELECT *,
             coalesce(list_sum(itl_ms), itl_summary.mean_ms * itl_summary.count, 0) AS decode,
             CASE WHEN itl_tokens IS NOT NULL THEN output_tokens - list_sum(itl_tokens) ELSE least(1, output_tokens) END AS first_chunk
           FROM raw_trace)`,
    `CREATE TABLE gaps AS
     SELECT 1 AS capture_id, r.request_id, g.gap_index::INTEGER AS gap_index,
       r.arrival_ms + r.ttft_ms + coalesce(sum(g.dur_ms) OVER (PARTITION BY g.line_no ORDER BY g.gap_index ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS start_ms,
       g.dur_ms, coalesce(g.tokens, 1) AS tokens, g.num_running, g.prefill_tokens
     FROM (SELECT line_no, unnest(range(len(itl_ms))) AS gap_index, unnest(itl_ms) AS dur_ms, unnest(itl_tokens) AS tokens,
             unnest(itl_ctx.num_running) AS num_running, unnest(itl_ctx.prefill_tokens) AS prefill_tokens
           FROM raw_trace) g
     JOIN requests r ON r.source_line = g.line_no`,
    `CREATE TABLE steps AS
     WITH lines AS (
       SELECT row_number() OVER () AS line_no, ts_ms, scheduler AS s
       FROM read_json(${q(files.stepStats)}, format = 'newline_delimited', columns = ${SIDECAR_COLUMNS})
     ), paired AS (
       SELECT *, lag(ts_ms) OVER (ORDER BY line_no) AS prev_ts, lag(s.num_running_reqs) OVER (ORDER BY line_no) AS prev_running,
         coalesce(s.prefix_cache_stats.requests, 0) AS prefill_requests, coalesce(s.prefix_cache_stats.queries, 0) AS prefill_tokens
       FROM lines
     )
     SELECT 1 AS capture_id, row_number() OVER (ORDER BY line_no)::INTEGER AS step_id, prev_ts AS start_ms, ts_ms AS end_ms,
       ts_ms - prev_ts AS dur_ms, true AS wall_known,
       CASE WHEN prefill_requests = 0 AND prefill_tokens = 0 THEN 'decode'
            WHEN s.num_running_reqs - prefill_requests > 0 THEN 'prefill+decode' ELSE 'prefill' END AS kind,
       s.num_running_reqs AS running, s.num_waiting_reqs AS waiting, prefill_requests, prefill_tokens,
       greatest(s.num_running_reqs - prefill_requests, 0) + coalesce(s.spec_decoding_stats.num_draft_tokens, 0) AS decode_tokens,
       s.prefix_cache_stats.hits AS prefix_hits, s.prefix_cache_stats.preempted_requests AS preempted, s.kv_cache_usage AS kv_usage,
       coalesce(s.spec_decoding_stats.num_accepted_tokens, 0) AS spec_accepted, coalesce(s.spec_decoding_stats.num_draft_tokens, 0) AS spec_draft,
       NULL::DOUBLE AS scheduler_cpu_us, line_no::INTEGER AS source_line
     FROM paired
     WHERE prev_ts IS NOT NULL AND NOT (prev_running = 0 AND prefill_requests = 0 AND prefill_tokens = 0)`,
  ];
}

/** The raw fields only: what DuckDB's reader costs with no derivation at all. */
function rawSql(files: Files): string[] {
  return [
    `CREATE TEMP TABLE raw_trace AS
     SELECT row_number() OVER () AS line_no, * FROM read_json(${q(files.trace)}, format = 'newline_delimited', columns = ${TRACE_COLUMNS})`,
    `CREATE TABLE requests AS
     SELECT line_no, prompt_tokens, cached_tokens, output_tokens, ttft_ms, concurrency, arrival_ms, finish_reason, block_hashes, output_token_ids
     FROM raw_trace WHERE prompt_tokens IS NOT NULL`,
    `CREATE TABLE gaps AS
     SELECT line_no, unnest(itl_ms) AS dur_ms, unnest(itl_tokens) AS tokens, unnest(itl_ctx.num_running) AS num_running, unnest(itl_ctx.prefill_tokens) AS prefill_tokens
     FROM raw_trace`,
    `CREATE TABLE steps AS SELECT * FROM read_json(${q(files.stepStats)}, format = 'newline_delimited', columns = ${SIDECAR_COLUMNS})`,
  ];
}

async function timeNative(name: string, statements: string[]): Promise<number> {
  const path = freshPath(`bench-${name}.duckdb`);
  const started = performance.now();
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  for (const sql of statements) await connection.run(sql);
  connection.closeSync();
  instance.closeSync();
  return performance.now() - started;
}

async function scalar(connection: DuckDBConnection, sql: string): Promise<string> {
  return String((await connection.runAndReadAll(sql)).getRowsJS()[0][0]);
}

/**
 * The equivalent tables must really be equivalent: same row counts, sums and
 * arrival-order ids as vcr's (float sums to 1e-9 relative: DuckDB adds them
 * up in parallel, in no fixed order).
 */
async function crossCheck(): Promise<string[]> {
  const rows: string[] = [];
  const open = async (name: string) => (await DuckDBInstance.create(resolve('bench/out', name))).connect();
  const vcr = await open('bench-vcr.duckdb');
  const native = await open('bench-native-equivalent.duckdb');
  for (const sql of [
    'SELECT count(*) FROM requests',
    'SELECT count(*) FROM gaps',
    'SELECT count(*) FROM steps',
    'SELECT sum(request_id::BIGINT * source_line) FROM requests',
    'SELECT sum(dur_ms) FROM gaps',
    'SELECT sum(start_ms) FROM gaps',
    'SELECT sum(e2e_ms) FROM requests',
    'SELECT sum(dur_ms) FROM steps',
  ]) {
    const [a, b] = [Number(await scalar(vcr, sql)), Number(await scalar(native, sql))];
    if (Math.abs(a - b) > 1e-9 * Math.abs(a)) throw new Error(`vcr and native tables differ: ${sql} → ${a} vs ${b}`);
    rows.push(`${sql} = ${a}`);
  }
  vcr.closeSync();
  native.closeSync();
  return rows;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export async function runLoadBench(): Promise<void> {
  const requests = Number(process.env.VCR_BENCH_LOAD_REQUESTS ?? 37_000);
  const runs = Number(process.env.VCR_BENCH_RUNS ?? 2);
  const files = await captureFiles(requests);

  const best = { vcr: Infinity, equivalent: Infinity, raw: Infinity };
  for (let run = 1; run <= runs; run++) {
    const equivalent = await timeNative('native-equivalent', equivalentSql(files));
    const vcr = await timeVcr(files);
    const raw = await timeNative('native-raw', rawSql(files));
    process.stdout.write(`  run ${run}: vcr ${seconds(vcr)}, native equivalent ${seconds(equivalent)}, native raw ${seconds(raw)}\n`);
    best.vcr = Math.min(best.vcr, vcr);
    best.equivalent = Math.min(best.equivalent, equivalent);
    best.raw = Math.min(best.raw, raw);
  }
  const checks = await crossCheck();
  const gaps = Number(checks[1].split(' = ')[1]);
  if (gaps < MIN_GAPS) process.stdout.write(`  note: ${gaps} gaps, fewer than the ${MIN_GAPS} the benchmark is specified for\n`);

  process.stdout.write(
    [
      `load: ${requests} requests, ${gaps} gaps (machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB; best of ${runs})`,
      ...checks.map((line) => `  same in both: ${line}`),
      `  vcr load (parse + validate + Arrow + append)   ${seconds(best.vcr)}`,
      `  DuckDB read_json + unnest, equivalent tables   ${seconds(best.equivalent)}`,
      `  DuckDB read_json + unnest, raw columns only    ${seconds(best.raw)}`,
      `  ratio vcr / native equivalent                  ${(best.vcr / best.equivalent).toFixed(2)}  (target ≤ 1.5)`,
      `  ratio vcr / native raw                         ${(best.vcr / best.raw).toFixed(2)}`,
      '',
    ].join('\n'),
  );
}
