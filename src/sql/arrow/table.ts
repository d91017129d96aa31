import {
  Bool,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  Uint64,
  Uint8,
  Utf8,
  makeData,
  type Data,
  type DataType,
} from 'apache-arrow';
import type { ColumnType, ListElementType, ScalarType, TableSpec } from '../schema.js';

function scalarArrowType(type: ScalarType | ListElementType): DataType {
  switch (type) {
    case 'INTEGER':
      return new Int32();
    case 'BIGINT':
      return new Int64();
    case 'UBIGINT':
      return new Uint64();
    case 'DOUBLE':
      return new Float64();
    case 'BOOLEAN':
      return new Bool();
    case 'VARCHAR':
      return new Utf8();
    case 'TIMESTAMP':
      return new TimestampMicrosecond();
  }
}

/** The Arrow type a schema column is built as: ENUM → dictionary of Utf8 with 1-byte indices. */
export function arrowTypeOf(type: ColumnType): DataType {
  if (typeof type === 'string') return scalarArrowType(type);
  if ('enum' in type) return new Dictionary(new Utf8(), new Uint8());
  return new List(new Field('item', scalarArrowType(type.list), true));
}

/**
 * A one-batch table whose fields are all declared nullable: a column's
 * nullability is a property of the schema, not of whether this particular
 * capture happened to have a missing value.
 */
export function nullableTable(columns: readonly { name: string; data: Data<DataType> }[]): Table {
  const fields = columns.map(({ name, data }) => new Field(name, data.type, true));
  const length = columns[0]?.data.length ?? 0;
  const batch = new RecordBatch(
    new Schema(fields),
    makeData({ type: new Struct(fields), length, nullCount: 0, children: columns.map(({ data }) => data) }),
  );
  return new Table([batch]);
}

/**
 * Assembles one table's columns in schema order. A missing, extra or
 * mistyped column, or columns of different lengths, is a bug in a builder:
 * it throws here rather than reaching DuckDB or an export.
 */
export function arrowTable(spec: TableSpec, columns: Record<string, Data<DataType>>): Table {
  const names = Object.keys(columns);
  const expected = spec.columns.map((column) => column.name);
  if (names.length !== expected.length || names.some((name, i) => name !== expected[i])) {
    throw new Error(`${spec.name}: columns [${names.join(', ')}] do not match the schema [${expected.join(', ')}]`);
  }
  let length: number | undefined;
  for (const column of spec.columns) {
    const data = columns[column.name];
    const expectedType = String(arrowTypeOf(column.type));
    if (String(data.type) !== expectedType) {
      throw new Error(`${spec.name}.${column.name}: built as ${data.type}, the schema needs ${expectedType}`);
    }
    length ??= data.length;
    if (data.length !== length) throw new Error(`${spec.name}.${column.name}: ${data.length} rows, other columns have ${length}`);
  }
  return nullableTable(spec.columns.map((column) => ({ name: column.name, data: columns[column.name] })));
}
