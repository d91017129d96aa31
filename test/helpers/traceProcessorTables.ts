/**
 * Emulates the core tables trace_processor builds from a trace — `slice`,
 * `args`, `track`, `counter_track`, `counter`, `flow` with the columns
 * perfetto.md lists — in an in-memory DuckDB, from a decoded .pftrace. Lets
 * the tests run queries/perfetto/*.sql without trace_processor (which the
 * project's registries do not carry). `integer_division` makes DuckDB's `/`
 * on integers truncate like SQLite's.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { DecodedTrace } from './decodePerfetto.js';

export interface TraceProcessorEmulation {
  connection: DuckDBConnection;
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}

export async function traceProcessorTables(trace: DecodedTrace): Promise<TraceProcessorEmulation> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`
    SET integer_division = true;
    CREATE TABLE track (id BIGINT, name VARCHAR, parent_id BIGINT);
    CREATE TABLE counter_track (id BIGINT, name VARCHAR, parent_id BIGINT);
    CREATE TABLE slice (id BIGINT, ts BIGINT, dur BIGINT, track_id BIGINT, category VARCHAR, name VARCHAR, depth INTEGER, arg_set_id BIGINT);
    CREATE TABLE args (arg_set_id BIGINT, key VARCHAR, int_value BIGINT, string_value VARCHAR, real_value DOUBLE);
    CREATE TABLE counter (id BIGINT, ts BIGINT, value DOUBLE, track_id BIGINT);
    CREATE TABLE flow (slice_out BIGINT, slice_in BIGINT);
  `);

  const tracks = await connection.createAppender('track');
  const counterTracks = await connection.createAppender('counter_track');
  for (const track of trace.tracks.values()) {
    for (const appender of track.counter ? [tracks, counterTracks] : [tracks]) {
      appender.appendBigInt(BigInt(track.uuid));
      appender.appendVarchar(track.name);
      if (track.parentUuid === undefined) appender.appendNull();
      else appender.appendBigInt(BigInt(track.parentUuid));
      appender.endRow();
    }
  }
  tracks.closeSync();
  counterTracks.closeSync();

  const slices = await connection.createAppender('slice');
  const args = await connection.createAppender('args');
  const addArg = (set: number, key: string, int: bigint | null, text: string | null, real: number | null) => {
    args.appendBigInt(BigInt(set));
    args.appendVarchar(key);
    if (int === null) args.appendNull();
    else args.appendBigInt(int);
    if (text === null) args.appendNull();
    else args.appendVarchar(text);
    if (real === null) args.appendNull();
    else args.appendDouble(real);
    args.endRow();
  };
  const sliceIds = new Map<object, number>();
  trace.slices.forEach((slice, id) => {
    sliceIds.set(slice, id);
    slices.appendBigInt(BigInt(id));
    slices.appendBigInt(BigInt(slice.ts));
    slices.appendBigInt(BigInt(slice.dur));
    slices.appendBigInt(BigInt(slice.trackUuid));
    if (slice.category === undefined) slices.appendNull();
    else slices.appendVarchar(slice.category);
    slices.appendVarchar(slice.name);
    slices.appendInteger(slice.depth);
    slices.appendBigInt(BigInt(id));
    slices.endRow();
    for (const [name, value] of Object.entries(slice.args)) {
      const key = `debug.${name}`;
      const kind = slice.argKinds[name];
      if (kind === 'array') (value as number[]).forEach((v, i) => addArg(id, `${key}[${i}]`, BigInt(v), null, null));
      else if (kind === 'string') addArg(id, key, null, value as string, null);
      else if (kind === 'double') addArg(id, key, null, null, value as number);
      else addArg(id, key, BigInt(value as number), null, null);
    }
  });
  slices.closeSync();
  args.closeSync();

  const counters = await connection.createAppender('counter');
  trace.counters.forEach((sample, id) => {
    counters.appendBigInt(BigInt(id));
    counters.appendBigInt(BigInt(sample.ts));
    counters.appendDouble(sample.value);
    counters.appendBigInt(BigInt(sample.trackUuid));
    counters.endRow();
  });
  counters.closeSync();

  const flows = await connection.createAppender('flow');
  for (const flow of trace.flows) {
    flows.appendBigInt(BigInt(sliceIds.get(flow.from) as number));
    flows.appendBigInt(BigInt(sliceIds.get(flow.to) as number));
    flows.endRow();
  }
  flows.closeSync();

  return {
    connection,
    async query(sql: string) {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
