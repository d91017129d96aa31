import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_MEMORY, openDatabase, type VcrDatabase } from '../../src/sql/database.js';
import { loadFiles } from '../../src/sql/load.js';
import { runQuery } from '../../src/sql/query.js';
import { traceProcessorTables, type TraceProcessorEmulation } from '../helpers/traceProcessorTables.js';
import { generatedCapture, useTempDir, writeProto } from './fixtures.js';

/**
 * queries/perfetto/*.sql against the DuckDB queries they must agree with, on
 * one generated capture: the PerfettoSQL runs over trace_processor's core
 * tables rebuilt from the decoded .pftrace (see traceProcessorTables), the
 * DuckDB queries over `vcr load` of the same files.
 */
type Row = Record<string, unknown>;

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const number = (value: unknown) => Number(value);

async function duckRows(db: VcrDatabase, path: string): Promise<Row[]> {
  const result = await runQuery(db, read(path));
  return Array.from({ length: result.rowCount }, (_, r) => Object.fromEntries(result.columns.map((c, i) => [c.name, result.values[i][r]])));
}

function expectSame(perfetto: Row, duck: Row, exact: string[], close: string[] = [], mapping: Record<string, string> = {}) {
  for (const column of [...exact, ...close]) {
    expect(Number.isFinite(number(perfetto[column])), `${column} = ${String(perfetto[column])}`).toBe(true);
  }
  for (const column of exact) expect(number(perfetto[column]), column).toBe(number(duck[mapping[column] ?? column]));
  for (const column of close) expect(number(perfetto[column]), column).toBeCloseTo(number(duck[mapping[column] ?? column]), 6);
}

describe('queries/perfetto agree with the DuckDB queries', () => {
  const dir = useTempDir();
  let tp: TraceProcessorEmulation;
  let db: VcrDatabase;
  beforeAll(async () => {
    const generated = await generatedCapture(dir, { requests: 150, seed: 5, specK: 2, specAccept: 0.7 });
    tp = await traceProcessorTables((await writeProto(generated.capture, dir)).trace);
    db = await openDatabase(IN_MEMORY);
    await loadFiles(db, [generated.files.trace, generated.files.stepStats, generated.files.otlp], { warn: () => undefined });
  });
  afterAll(() => {
    tp?.close();
    db?.close();
  });

  it('ttft.sql = latency_percentiles.sql (ttft, all)', async () => {
    const [perfetto] = await tp.query(read('queries/perfetto/ttft.sql'));
    const duck = (await duckRows(db, 'queries/latency_percentiles.sql')).find((r) => r.metric === 'ttft' && r.bucket === 'all') as Row;
    expectSame(perfetto, duck, ['count', 'p50_ms', 'p90_ms', 'p95_ms', 'p99_ms', 'p99_9_ms', 'max_ms'], ['mean_ms']);
  });

  it('itl.sql = latency_percentiles.sql (itl, all) and itl_per_token_vs_request.sql (all), spec-decode chunks counted once per gap', async () => {
    const [perfetto] = await tp.query(read('queries/perfetto/itl.sql'));
    const latency = (await duckRows(db, 'queries/latency_percentiles.sql')).find((r) => r.metric === 'itl' && r.bucket === 'all') as Row;
    const pooled = { gaps: 'count', pooled_mean_ms: 'mean_ms', pooled_p50_ms: 'p50_ms', pooled_p90_ms: 'p90_ms', pooled_p95_ms: 'p95_ms', pooled_p99_ms: 'p99_ms', pooled_p99_9_ms: 'p99_9_ms', pooled_max_ms: 'max_ms' };
    expectSame(perfetto, latency, ['gaps', 'pooled_p50_ms', 'pooled_p90_ms', 'pooled_p95_ms', 'pooled_p99_ms', 'pooled_p99_9_ms', 'pooled_max_ms'], ['pooled_mean_ms'], pooled);
    const contrast = (await duckRows(db, 'queries/itl_per_token_vs_request.sql')).find((r) => r.bucket === 'all') as Row;
    expectSame(perfetto, contrast, ['gaps', 'pooled_p50_ms', 'pooled_p99_ms', 'requests'], ['pooled_mean_ms', 'per_request_mean_ms', 'per_request_p50_ms', 'per_request_p99_ms', 'p99_ratio']);
    const chunks = await tp.query(`SELECT COUNT(*) AS n FROM slice WHERE name GLOB 'decode x*'`);
    expect(number(chunks[0].n)).toBeGreaterThan(0);
  });

  it('concurrency.sql = peak_concurrency.sql', async () => {
    const [perfetto] = await tp.query(read('queries/perfetto/concurrency.sql'));
    const [duck] = await duckRows(db, 'queries/peak_concurrency.sql');
    expectSame(perfetto, duck, ['peak_active_requests', 'max_gap_num_running', 'max_step_running'], ['first_peak_ms']);
    const lanes = await tp.query(`SELECT COUNT(*) AS n FROM track WHERE name GLOB 'lane *'`);
    expect(number(lanes[0].n)).toBe(number(perfetto.peak_active_requests));
  });

  it('step_mix.sql = step_kind_mix.sql', async () => {
    const perfetto = await tp.query(read('queries/perfetto/step_mix.sql'));
    const duck = await duckRows(db, 'queries/step_kind_mix.sql');
    expect(perfetto.map((r) => r.kind)).toEqual(duck.map((r) => r.kind));
    perfetto.forEach((row, i) => {
      expectSame(row, duck[i], ['steps'], ['step_share', 'time_ms', 'time_share', 'mean_dur_ms', 'mean_running', 'mean_prefill_tokens', 'mean_decode_tokens']);
    });
  });
});
