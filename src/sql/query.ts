/**
 * Running SQL against a vcr database and holding the result in a form every
 * formatter reads: column names, DuckDB types, and column-major plain JS
 * values. Integers wider than 32 bits stay bigint (UBIGINT hashes above
 * 2^53 are exact); DOUBLE is number; lists are arrays; structs are objects;
 * anything else (dates, timestamps, decimals, intervals, ...) is DuckDB's
 * own text for it.
 */
import {
  DuckDBArrayValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { VcrDatabase } from './database.js';
import { SqlError } from './errors.js';

export type Cell = null | boolean | number | bigint | string | Cell[] | { [key: string]: Cell };

export interface ResultColumn {
  name: string;
  type: DuckDBType;
}

export interface QueryResult {
  columns: ResultColumn[];
  rowCount: number;
  /** values[c][r]: column c, row r. */
  values: Cell[][];
}

export function toCell(value: DuckDBValue): Cell {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map(toCell);
  if (value instanceof DuckDBStructValue) {
    return Object.fromEntries(Object.entries(value.entries).map(([key, entry]) => [key, toCell(entry)]));
  }
  if (value instanceof DuckDBMapValue) {
    return value.entries.map(({ key, value: entry }) => ({ key: toCell(key), value: toCell(entry) }));
  }
  return String(value);
}

export interface RunQueryOptions {
  /** Where the SQL came from (a -f file), for error messages. */
  source?: string;
}

/** Runs `sql` (one or more statements; the last one's rows are the result). DuckDB's errors become SqlError. */
export async function runQuery(db: VcrDatabase, sql: string, options: RunQueryOptions = {}): Promise<QueryResult> {
  let reader;
  try {
    reader = await db.connection.runAndReadAll(sql);
  } catch (error) {
    throw new SqlError(options.source, (error as Error).message);
  }
  const names = reader.deduplicatedColumnNames();
  const types = reader.columnTypes();
  const columns = names.map((name, i) => ({ name, type: types[i] }));
  const values = reader.getColumns().map((column) => column.map(toCell));
  return { columns, rowCount: reader.currentRowCount, values };
}
