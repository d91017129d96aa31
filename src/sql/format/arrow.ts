/**
 * Query results as Arrow (IPC file format, the one Feather v2 / pyarrow's
 * `ipc.open_file` / apache-arrow's `tableFromIPC` read). DuckDB types map to
 * their Arrow counterparts, as the capture tables' own Arrow columns do
 * (ENUM → dictionary, TIMESTAMP → timestamp[µs]), so a table exported from
 * a database and one built straight from the capture have the same schema.
 * HUGEINT (what DuckDB's sum() of integers returns) becomes Int64 when every
 * value fits; types without a counterpart here (decimals, intervals,
 * structs, ...) are written as DuckDB's text for them.
 */
import {
  Bool,
  Dictionary,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  Table,
  TimestampMicrosecond,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  makeBuilder,
  makeData,
  makeVector,
  tableToIPC,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';
import { DuckDBArrayType, DuckDBEnumType, DuckDBListType, DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import type { Cell, QueryResult } from '../query.js';
import { nullableTable } from '../arrow/table.js';
import { SqlError } from '../errors.js';
import { plainText } from './cells.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The Arrow type a DuckDB result column becomes. */
export function arrowType(type: DuckDBType): DataType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return new Bool();
    case DuckDBTypeId.TINYINT:
      return new Int8();
    case DuckDBTypeId.SMALLINT:
      return new Int16();
    case DuckDBTypeId.INTEGER:
      return new Int32();
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
      return new Int64();
    case DuckDBTypeId.UTINYINT:
      return new Uint8();
    case DuckDBTypeId.USMALLINT:
      return new Uint16();
    case DuckDBTypeId.UINTEGER:
      return new Uint32();
    case DuckDBTypeId.UBIGINT:
      return new Uint64();
    case DuckDBTypeId.FLOAT:
      return new Float32();
    case DuckDBTypeId.DOUBLE:
      return new Float64();
    case DuckDBTypeId.LIST:
      return new List(new Field('item', arrowType((type as DuckDBListType).valueType), true));
    case DuckDBTypeId.ARRAY:
      return new List(new Field('item', arrowType((type as DuckDBArrayType).valueType), true));
    case DuckDBTypeId.ENUM: {
      const size = (type as DuckDBEnumType).values.length;
      return new Dictionary(new Utf8(), size <= 256 ? new Uint8() : size <= 65536 ? new Uint16() : new Uint32());
    }
    case DuckDBTypeId.TIMESTAMP:
      return new TimestampMicrosecond();
    default:
      return new Utf8();
  }
}

/** Cells shaped for apache-arrow's builders: text for Utf8 columns, recursively inside lists. */
function arrowValue(cell: Cell, type: DataType, column: string): unknown {
  if (cell === null) return null;
  if (type instanceof List) return (cell as Cell[]).map((item) => arrowValue(item, type.children[0].type, column));
  if (type instanceof Utf8) return plainText(cell);
  if (type instanceof Int64 && typeof cell === 'bigint' && (cell < INT64_MIN || cell > INT64_MAX)) {
    throw new SqlError(undefined, `column ${column}: ${cell} does not fit Arrow Int64 (cast it to DOUBLE or VARCHAR in the query)`);
  }
  return cell;
}

/** DuckDB's TIMESTAMP text, `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC), → µs since the epoch. */
function timestampMicros(text: string, column: string): bigint {
  const match = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) throw new SqlError(undefined, `column ${column}: timestamp ${text} has no Arrow timestamp[us] form (cast it to VARCHAR in the query)`);
  const [, y, mo, d, h, mi, s, fraction = ''] = match;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  return BigInt(ms) * 1000n + BigInt(fraction.padEnd(6, '0'));
}

/** ENUM labels as dictionary indices into the type's full vocabulary (not just the labels present). */
function dictionaryData(values: readonly Cell[], type: Dictionary, duckType: DuckDBEnumType): Data {
  const IndexArray = type.indices.ArrayType as Uint8ArrayConstructor;
  const indices = new IndexArray(values.length);
  for (let i = 0; i < values.length; i++) if (values[i] !== null) indices[i] = duckType.indexForValue(values[i] as string);
  return makeData({
    type,
    length: values.length,
    data: indices,
    dictionary: vectorFromArray(duckType.values as string[], new Utf8()),
    ...validity(values),
  });
}

function validity(values: readonly Cell[]): { nullCount: number; nullBitmap?: Uint8Array } {
  const nullBitmap = new Uint8Array((values.length + 7) >> 3);
  let nullCount = 0;
  values.forEach((value, i) => (value === null ? nullCount++ : (nullBitmap[i >> 3] |= 1 << (i & 7))));
  return nullCount > 0 ? { nullCount, nullBitmap } : { nullCount: 0 };
}

/** One column of JS cells as Arrow data of arrowType(duckType). */
export function columnData(values: readonly Cell[], duckType: DuckDBType, column: string): Data {
  const type = arrowType(duckType);
  // Numbers without nulls go straight into a typed array (the common, large case); the rest through Arrow's builders.
  const allNumbers = values.every((value) => typeof value === 'number');
  if (type instanceof Float64 && allNumbers) return makeVector(Float64Array.from(values as number[])).data[0];
  if (type instanceof Int32 && allNumbers) return makeVector(Int32Array.from(values as number[])).data[0];
  if (type instanceof Dictionary) return dictionaryData(values, type, duckType as DuckDBEnumType);
  if (type instanceof TimestampMicrosecond) {
    // apache-arrow's builder takes ms as a double; µs are set directly to stay exact.
    const micros = BigInt64Array.from(values, (value) => (value === null ? 0n : timestampMicros(value as string, column)));
    return makeData({ type, length: values.length, data: micros, ...validity(values) });
  }
  return built(
    type,
    values.map((value) => arrowValue(value, type, column)),
  );
}

/** All values through one builder into a single Data (vectorFromArray would split large columns into chunks). */
function built(type: DataType, values: readonly unknown[]): Data {
  const builder = makeBuilder({ type, nullValues: [null] });
  for (const value of values) builder.append(value);
  return builder.finish().flush();
}

export function resultToArrow(result: QueryResult): Table {
  return nullableTable(result.columns.map((column, c) => ({ name: column.name, data: columnData(result.values[c], column.type, column.name) })));
}

/** Arrow IPC file format bytes. */
export function arrowIpcBytes(table: Table): Uint8Array {
  return tableToIPC(table, 'file');
}
