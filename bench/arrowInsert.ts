/**
 * The Arrow → DuckDB step alone, two ways, on a gaps-shaped table (10M rows:
 * 6 INTEGER + 2 DOUBLE columns, some NULLs) into a fresh database file,
 * inside a transaction, alternating:
 *
 * - appender: DuckDB's appender fed 2048-row data chunks filled by memcpy
 *   from the Arrow buffers (DuckDB compresses and stores on the JS thread);
 * - scan: vcr's insertArrowTable — the same memcpys, but as a table function
 *   that `INSERT ... SELECT` pulls from DuckDB's own threads, in parallel.
 *
 * This is the figure behind src/sql/duckdb/insertArrow.ts's choice.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Table } from 'apache-arrow';
import { gapsArrowTable } from '../src/sql/arrow/gapsTable.js';
import { TABLES, createTableSql } from '../src/sql/schema.js';
import { duckType, insertArrowTable } from '../src/sql/duckdb/insertArrow.js';
import type { GapTable } from '../src/capture/model.js';

const ROWS = 10_000_000;

function syntheticGaps(count: number): GapTable {
  const gaps: GapTable = {
    count,
    request: new Int32Array(count),
    index: new Int32Array(count),
    startMs: new Float64Array(count),
    durMs: new Float64Array(count),
    tokens: new Int32Array(count).fill(1),
    numRunning: new Int32Array(count),
    prefillTokens: new Int32Array(count),
  };
  let seed = 1;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < count; i++) {
    gaps.request[i] = i >> 8;
    gaps.index[i] = i & 255;
    gaps.durMs[i] = Math.round((5 + random() * 10) * 1000) / 1000;
    gaps.startMs[i] = i % 1000 === 0 ? NaN : i * 0.01;
    gaps.numRunning[i] = i % 500 === 0 ? -1 : 1 + Math.floor(random() * 64);
    gaps.prefillTokens[i] = random() < 0.1 ? Math.floor(random() * 2048) : 0;
  }
  return gaps;
}

async function freshDatabase(): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  const path = resolve('bench/out', 'bench-arrow-insert.duckdb');
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true });
  rmSync(`${path}.wal`, { force: true });
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  await connection.run(createTableSql(TABLES.gaps));
  return { instance, connection };
}

async function timed(insert: (connection: DuckDBConnection) => Promise<void>): Promise<number> {
  const { instance, connection } = await freshDatabase();
  const started = performance.now();
  await connection.run('BEGIN TRANSACTION');
  await insert(connection);
  await connection.run('COMMIT');
  const elapsed = performance.now() - started;
  connection.closeSync();
  instance.closeSync();
  return elapsed;
}

/** The appender variant: fixed-width columns only, which is all the gaps table has. */
async function viaAppender(connection: DuckDBConnection, table: Table): Promise<void> {
  const appender = await connection.createAppender('gaps');
  const chunk = DuckDBDataChunk.create(TABLES.gaps.columns.map((column) => duckType(column.type)));
  const columns = TABLES.gaps.columns.map((column) => table.getChild(column.name)!.data[0]);
  const rows = duckdb.vector_size();
  for (let start = 0; start < table.numRows; start += rows) {
    const count = Math.min(rows, table.numRows - start);
    chunk.reset();
    columns.forEach((data, c) => {
      const vector = duckdb.data_chunk_get_vector(chunk.chunk, c);
      const values = data.values as Float64Array | Int32Array;
      duckdb.copy_data_to_vector(vector, 0, values.buffer as ArrayBuffer, values.byteOffset + start * values.BYTES_PER_ELEMENT, count * values.BYTES_PER_ELEMENT);
      if (data.nullCount > 0) {
        duckdb.vector_ensure_validity_writable(vector);
        const bitmap = data.nullBitmap!;
        duckdb.copy_data_to_vector_validity(vector, 0, bitmap.buffer as ArrayBuffer, bitmap.byteOffset + start / 8, Math.ceil(count / 8));
      }
    });
    duckdb.data_chunk_set_size(chunk.chunk, count);
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
}

export async function runArrowInsertBench(): Promise<void> {
  const table = gapsArrowTable(syntheticGaps(ROWS), 1);
  const runs = Number(process.env.VCR_BENCH_RUNS ?? 2);
  const best = { appender: Infinity, scan: Infinity };
  for (let run = 1; run <= runs; run++) {
    const appender = await timed((connection) => viaAppender(connection, table));
    const scan = await timed((connection) => insertArrowTable(connection, TABLES.gaps, table));
    process.stdout.write(`  run ${run}: appender ${(appender / 1000).toFixed(2)} s, parallel scan ${(scan / 1000).toFixed(2)} s\n`);
    best.appender = Math.min(best.appender, appender);
    best.scan = Math.min(best.scan, scan);
  }
  process.stdout.write(
    `arrow-insert: ${ROWS} gaps rows (8 columns) into a file database, best of ${runs}\n` +
      `  appender, data chunks by memcpy   ${(best.appender / 1000).toFixed(2)} s\n` +
      `  insertArrowTable (parallel scan)  ${(best.scan / 1000).toFixed(2)} s  (${(best.appender / best.scan).toFixed(2)}× faster)\n`,
  );
}
