/**
 * A query's result straight from DuckDB's result chunks into Arrow columns,
 * for `--format arrow` and `vcr export`: whole tables of millions of rows
 * never become JS values. Fixed-width columns (integers, floats,
 * timestamps, ENUM codes) are copied from each vector's buffer, validity
 * bit by bit; booleans are packed into bits. Other columns (strings,
 * lists, ...) are read value by value and built as in arrow.ts. The Arrow
 * types are arrow.ts's, so both routes write the same schema.
 */
import duckdb from '@duckdb/node-bindings';
import { DuckDBTypeId, type DuckDBDataChunk, type DuckDBEnumType, type DuckDBType } from '@duckdb/node-api';
import { Bool, Dictionary, Uint8, makeData, vectorFromArray, Utf8, type Data, type DataType, type Table } from 'apache-arrow';
import type { VcrDatabase } from '../database.js';
import { SqlError } from '../errors.js';
import { toCell, type Cell } from '../query.js';
import { nullableTable } from '../arrow/table.js';
import { arrowType, columnData } from './arrow.js';

/** Bytes per value of the DuckDB types whose vectors hold plain little-endian values. */
const FIXED_WIDTH: Partial<Record<DuckDBTypeId, number>> = {
  [DuckDBTypeId.BOOLEAN]: 1,
  [DuckDBTypeId.TINYINT]: 1,
  [DuckDBTypeId.SMALLINT]: 2,
  [DuckDBTypeId.INTEGER]: 4,
  [DuckDBTypeId.BIGINT]: 8,
  [DuckDBTypeId.UTINYINT]: 1,
  [DuckDBTypeId.USMALLINT]: 2,
  [DuckDBTypeId.UINTEGER]: 4,
  [DuckDBTypeId.UBIGINT]: 8,
  [DuckDBTypeId.FLOAT]: 4,
  [DuckDBTypeId.DOUBLE]: 8,
  [DuckDBTypeId.TIMESTAMP]: 8,
};

const ENUM_INDEX_WIDTH: Partial<Record<DuckDBTypeId, number>> = {
  [DuckDBTypeId.UTINYINT]: 1,
  [DuckDBTypeId.USMALLINT]: 2,
  [DuckDBTypeId.UINTEGER]: 4,
};

interface ColumnCollector {
  append(chunk: DuckDBDataChunk, column: number, rows: number): void;
  finish(): Data;
}

/** Growable Arrow validity bitmap (LSB first, 1 = valid). */
class BitmapBuilder {
  bits = new Uint8Array(256);
  length = 0;
  nullCount = 0;

  private reserve(extra: number): void {
    const bytes = (this.length + extra + 7) >> 3;
    if (bytes <= this.bits.length) return;
    const next = new Uint8Array(Math.max(bytes, this.bits.length * 2));
    next.set(this.bits);
    this.bits = next;
  }

  push(valid: boolean): void {
    this.reserve(1);
    if (valid) this.bits[this.length >> 3] |= 1 << (this.length & 7);
    else this.nullCount++;
    this.length++;
  }

  /** DuckDB's validity mask (uint64 words, LSB first; absent = all valid) for `rows` rows. */
  pushMask(mask: Uint8Array | null, rows: number): void {
    if ((mask === null || mask.length === 0) && (this.length & 7) === 0) {
      // All valid from a byte boundary (every full 2048-row chunk): whole bytes at once.
      this.reserve(rows);
      this.bits.fill(0xff, this.length >> 3, (this.length + rows) >> 3);
      const whole = rows & ~7;
      this.length += whole;
      for (let i = whole; i < rows; i++) this.push(true);
      return;
    }
    for (let i = 0; i < rows; i++) this.push(mask === null || mask.length === 0 || ((mask[i >> 3] >> (i & 7)) & 1) === 1);
  }
}

class FixedWidthCollector implements ColumnCollector {
  private readonly pieces: Uint8Array[] = [];
  private bytes = 0;
  private readonly validity = new BitmapBuilder();

  constructor(
    private readonly type: DataType,
    private readonly width: number,
    private readonly duckType: DuckDBType,
  ) {}

  append(chunk: DuckDBDataChunk, column: number, rows: number): void {
    const vector = duckdb.data_chunk_get_vector(chunk.chunk, column);
    // slice(): the view belongs to DuckDB and is reused for the next chunk.
    const piece = duckdb.vector_get_data(vector, rows * this.width).slice();
    this.pieces.push(piece);
    this.bytes += piece.length;
    this.validity.pushMask(duckdb.vector_get_validity(vector, Math.ceil(rows / 64) * 8), rows);
  }

  finish(): Data {
    const all = new Uint8Array(this.bytes);
    let at = 0;
    for (const piece of this.pieces) {
      all.set(piece, at);
      at += piece.length;
    }
    const length = this.validity.length;
    const nulls = this.validity.nullCount > 0 ? { nullCount: this.validity.nullCount, nullBitmap: this.validity.bits } : { nullCount: 0 };
    if (this.type instanceof Bool) {
      // DuckDB stores one byte per boolean; Arrow one bit.
      const bits = new Uint8Array((length + 7) >> 3);
      for (let i = 0; i < length; i++) if (all[i]) bits[i >> 3] |= 1 << (i & 7);
      return makeData({ type: this.type, length, data: bits, ...nulls });
    }
    if (this.type instanceof Dictionary) {
      const indices = new (this.type.indices.ArrayType as Uint8ArrayConstructor)(all.buffer);
      const dictionary = vectorFromArray([...(this.duckType as DuckDBEnumType).values], new Utf8());
      return makeData({ type: this.type, length, data: indices, dictionary, ...nulls });
    }
    // Numbers and timestamps: the bytes reinterpreted as the type's array (Float64Array, BigInt64Array, ...).
    const ArrayType = this.type.ArrayType as Uint8ArrayConstructor;
    return makeData({ type: this.type as Uint8, length, data: new ArrayType(all.buffer), ...nulls });
  }
}

/** Everything else, value by value. */
class ValueCollector implements ColumnCollector {
  private readonly values: Cell[] = [];

  constructor(
    private readonly duckType: DuckDBType,
    private readonly name: string,
  ) {}

  append(chunk: DuckDBDataChunk, column: number, rows: number): void {
    const vector = chunk.getColumnVector(column);
    for (let i = 0; i < rows; i++) this.values.push(toCell(vector.getItem(i)));
  }

  finish(): Data {
    return columnData(this.values, this.duckType, this.name);
  }
}

function collectorFor(duckType: DuckDBType, name: string): ColumnCollector {
  const type = arrowType(duckType);
  const width = duckType.typeId === DuckDBTypeId.ENUM ? ENUM_INDEX_WIDTH[(duckType as DuckDBEnumType).internalTypeId] : FIXED_WIDTH[duckType.typeId];
  return width === undefined ? new ValueCollector(duckType, name) : new FixedWidthCollector(type, width, duckType);
}

/** Runs `sql` (the last statement's rows) and returns them as one Arrow table. */
export async function queryToArrow(db: VcrDatabase, sql: string, source?: string): Promise<Table> {
  let result;
  try {
    result = await db.connection.stream(sql);
  } catch (error) {
    throw new SqlError(source, (error as Error).message);
  }
  const names = result.deduplicatedColumnNames();
  const collectors = result.columnTypes().map((type, i) => collectorFor(type, names[i]));
  for (;;) {
    let chunk: DuckDBDataChunk | null;
    try {
      chunk = await result.fetchChunk();
    } catch (error) {
      throw new SqlError(source, (error as Error).message);
    }
    if (chunk === null || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    collectors.forEach((collector, c) => collector.append(chunk, c, rows));
  }
  return nullableTable(collectors.map((collector, c) => ({ name: names[c], data: collector.finish() })));
}
