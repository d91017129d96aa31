/** How a result cell is spelled in text outputs; shared by the table, CSV and JSON formatters. */
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import type { Cell } from '../query.js';

const NUMERIC_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.DECIMAL,
  DuckDBTypeId.BIGNUM,
]);

export function isNumericType(type: DuckDBType): boolean {
  return NUMERIC_TYPES.has(type.typeId);
}

/**
 * JSON text of a cell. bigint is written as its exact digits (valid JSON;
 * a bigint-aware reader such as DuckDB's read_json keeps it exact). NaN and
 * ±Infinity have no JSON spelling and become null.
 */
export function jsonText(cell: Cell): string {
  if (cell === null) return 'null';
  switch (typeof cell) {
    case 'bigint':
      return cell.toString();
    case 'number':
      return Number.isFinite(cell) ? String(cell) : 'null';
    case 'string':
    case 'boolean':
      return JSON.stringify(cell);
  }
  if (Array.isArray(cell)) return `[${cell.map(jsonText).join(',')}]`;
  return `{${Object.entries(cell)
    .map(([key, value]) => `${JSON.stringify(key)}:${jsonText(value)}`)
    .join(',')}}`;
}

/** Full-precision plain text of a scalar (shortest round-trip form for doubles); nested values as JSON. */
export function plainText(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'object') return jsonText(cell);
  return String(cell);
}
