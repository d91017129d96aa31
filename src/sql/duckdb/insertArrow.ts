/**
 * Arrow columns → DuckDB, as a table function DuckDB scans:
 * `INSERT INTO gaps SELECT * FROM vcr_arrow_scan(<id>)`.
 *
 * DuckDB reads Arrow natively only through its `arrow` extension (not
 * available offline) or C-API Arrow calls the Node binding does not expose.
 * What the binding does expose is a raw memcpy into a data chunk's vectors,
 * and Arrow's buffers already have DuckDB's in-memory layout for the types
 * vcr uses: little-endian fixed-width values, and an LSB-first validity
 * bitmap that is bit-for-bit DuckDB's uint64 validity mask. So filling a
 * 2048-row chunk is one memcpy per column (+ one for validity when it has
 * nulls) rather than 2048 per-value appends. Strings (rare in vcr's tables)
 * are assigned per row; booleans are unpacked from bits; ENUM columns arrive
 * as Arrow dictionaries whose dictionary is the ENUM's vocabulary in order,
 * so their 1-byte indices copy verbatim.
 *
 * Why a table function rather than the appender: the appender compresses and
 * stores on the calling (JS) thread, one chunk after another; an INSERT
 * from a scan lets DuckDB's own threads pull chunks (each pull is a few
 * memcpys on the JS thread) and compress/write them in parallel. Measured by
 * bench/arrowInsert.ts on 10M gaps rows × 8 columns into a file database
 * (2 cores): appender 2.64 s, parallel scan 1.64 s (best of 2, alternating;
 * 1.6–2× across runs, more on a busy machine). The price is that
 * DuckDB may store the scan's chunks in any order (the insert runs with
 * preserve_insertion_order off), so row order in storage is not load order:
 * readers sort by the table's key (schema.ts), as SQL requires anyway.
 */
import duckdb from '@duckdb/node-bindings';
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  ENUM8,
  INTEGER,
  LIST,
  TIMESTAMP,
  UBIGINT,
  VARCHAR,
  DuckDBTableFunction,
  type DuckDBConnection,
  type DuckDBType,
} from '@duckdb/node-api';
import { Type, type Data, type DataType, type Table } from 'apache-arrow';
import type { ColumnType, ScalarType, ListElementType, TableSpec } from '../schema.js';

type RawVector = duckdb.Vector;

/** DuckDB's vector size: rows per data chunk. */
const CHUNK_ROWS = duckdb.vector_size();
/** DuckDB's row-group size: more scan threads than row groups buy nothing. */
const ROWS_PER_THREAD = 122_880;

function scalarDuckType(type: ScalarType | ListElementType): DuckDBType {
  switch (type) {
    case 'INTEGER':
      return INTEGER;
    case 'BIGINT':
      return BIGINT;
    case 'UBIGINT':
      return UBIGINT;
    case 'DOUBLE':
      return DOUBLE;
    case 'BOOLEAN':
      return BOOLEAN;
    case 'VARCHAR':
      return VARCHAR;
    case 'TIMESTAMP':
      return TIMESTAMP;
  }
}

export function duckType(type: ColumnType): DuckDBType {
  if (typeof type === 'string') return scalarDuckType(type);
  if ('enum' in type) return ENUM8(type.enum);
  return LIST(scalarDuckType(type.list));
}

function copyValidity(vector: RawVector, data: Data, start: number, count: number): void {
  if (data.nullCount === 0 || !data.nullBitmap) return;
  // Top-level slices start at multiples of CHUNK_ROWS (2048), so on a byte (and word) boundary; list children never hold nulls.
  if (start % 8 !== 0) throw new Error(`validity slice at row ${start} is not byte-aligned`);
  duckdb.vector_ensure_validity_writable(vector);
  const bitmap = data.nullBitmap;
  duckdb.copy_data_to_vector_validity(vector, 0, bitmap.buffer as ArrayBuffer, bitmap.byteOffset + start / 8, Math.ceil(count / 8));
}

function copyFixedWidth(vector: RawVector, values: ArrayBufferView & { BYTES_PER_ELEMENT: number }, start: number, count: number): void {
  const width = values.BYTES_PER_ELEMENT;
  duckdb.copy_data_to_vector(vector, 0, values.buffer as ArrayBuffer, values.byteOffset + start * width, count * width);
}

function copyBooleans(vector: RawVector, bits: Uint8Array, start: number, count: number): void {
  const bytes = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const row = start + i;
    bytes[i] = (bits[row >> 3] >> (row & 7)) & 1;
  }
  duckdb.copy_data_to_vector(vector, 0, bytes.buffer, 0, count);
}

function assignStrings(vector: RawVector, data: Data, start: number, count: number): void {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  for (let i = 0; i < count; i++) {
    const row = start + i;
    if (data.nullCount > 0 && !data.getValid(row)) continue;
    duckdb.vector_assign_string_element_len(vector, i, bytes.subarray(offsets[row], offsets[row + 1]));
  }
}

/** A list vector holds (offset, length) uint64 pairs into one child vector, sized per chunk. */
function copyList(vector: RawVector, data: Data, start: number, count: number): void {
  const offsets = data.valueOffsets as Int32Array;
  const first = offsets[start];
  const childCount = offsets[start + count] - first;
  const entries = new BigUint64Array(count * 2);
  for (let i = 0; i < count; i++) {
    entries[2 * i] = BigInt(offsets[start + i] - first);
    entries[2 * i + 1] = BigInt(offsets[start + i + 1] - offsets[start + i]);
  }
  duckdb.copy_data_to_vector(vector, 0, entries.buffer, 0, entries.byteLength);
  duckdb.list_vector_reserve(vector, childCount);
  duckdb.list_vector_set_size(vector, childCount);
  if (childCount > 0) copyColumn(duckdb.list_vector_get_child(vector), data.children[0], first, childCount);
}

/** Copies rows [start, start + count) of one Arrow column into a fresh vector (count ≤ its capacity). */
function copyColumn(vector: RawVector, data: Data<DataType>, start: number, count: number): void {
  switch (data.typeId) {
    case Type.Int:
    case Type.Float:
    case Type.Timestamp:
    case Type.Dictionary:
      copyFixedWidth(vector, data.values as ArrayBufferView & { BYTES_PER_ELEMENT: number }, start, count);
      break;
    case Type.Bool:
      copyBooleans(vector, data.values as Uint8Array, start, count);
      break;
    case Type.Utf8:
      assignStrings(vector, data, start, count);
      break;
    case Type.List:
      copyList(vector, data, start, count);
      break;
    default:
      throw new Error(`no DuckDB path for Arrow type ${data.type}`);
  }
  copyValidity(vector, data, start, count);
}

/** vcr's builders never slice; the byte-aligned validity copies rely on it. */
function assertUnsliced(data: Data, where: string): void {
  if (data.offset !== 0) throw new Error(`${where}: sliced Arrow data (offset ${data.offset}) cannot be inserted`);
  for (const child of data.children) assertUnsliced(child, where);
}

/** ENUM codes are copied as-is, so the Arrow dictionary must list the ENUM's labels in the same order. */
function assertEnumOrder(where: string, type: ColumnType, data: Data): void {
  if (typeof type !== 'object' || !('enum' in type)) return;
  const labels = data.dictionary?.toArray() as string[] | undefined;
  if (!labels || labels.length !== type.enum.length || labels.some((label, i) => label !== type.enum[i])) {
    throw new Error(`${where}: dictionary [${labels?.join(', ')}] is not the ENUM [${type.enum.join(', ')}]`);
  }
}

/** One Arrow table being inserted, split into the 2048-row slices the scan hands out. */
class ScanSource {
  readonly slices: { columns: Data[]; start: number; count: number }[] = [];
  private next = 0;

  constructor(
    readonly spec: TableSpec,
    readonly table: Table,
  ) {
    for (const batch of table.batches) {
      const columns = spec.columns.map((column) => {
        const where = `${spec.name}.${column.name}`;
        const data = batch.getChild(column.name)?.data[0];
        if (!data) throw new Error(`${where}: missing from the Arrow batch`);
        assertUnsliced(data, where);
        assertEnumOrder(where, column.type, data);
        return data;
      });
      for (let start = 0; start < batch.numRows; start += CHUNK_ROWS) {
        this.slices.push({ columns, start, count: Math.min(CHUNK_ROWS, batch.numRows - start) });
      }
    }
  }

  /** The next slice for whichever DuckDB thread asks; calls are serialized on the JS thread. */
  take(): ScanSource['slices'][number] | undefined {
    return this.slices[this.next++];
  }
}

const SCAN_FUNCTION = 'vcr_arrow_scan';

/** The scan function and the sources it can read, one registry per connection. */
class ArrowScanRegistry {
  private readonly sources = new Map<number, ScanSource>();
  private nextId = 1;

  constructor(connection: DuckDBConnection) {
    connection.registerTableFunction(
      DuckDBTableFunction.create({
        name: SCAN_FUNCTION,
        parameterTypes: [INTEGER],
        bindFunction: (bind) => {
          const source = this.sources.get(bind.getParameter(0) as number);
          if (!source) throw new Error(`${SCAN_FUNCTION}: no Arrow table registered under ${String(bind.getParameter(0))}`);
          for (const column of source.spec.columns) bind.addResultColumn(column.name, duckType(column.type));
          bind.setCardinality(source.table.numRows, true);
          bind.setBindData(source);
        },
        initFunction: (init) => {
          const source = init.bindData as ScanSource;
          init.setMaxThreads(Math.max(1, Math.ceil(source.table.numRows / ROWS_PER_THREAD)));
        },
        mainFunction: (info, output) => {
          const slice = (info.bindData as ScanSource).take();
          if (!slice) {
            output.rowCount = 0;
            return;
          }
          output.rowCount = slice.count;
          for (let c = 0; c < slice.columns.length; c++) {
            copyColumn(duckdb.data_chunk_get_vector(output.chunk, c), slice.columns[c], slice.start, slice.count);
          }
        },
      }),
    );
  }

  async insert(connection: DuckDBConnection, spec: TableSpec, table: Table): Promise<void> {
    const id = this.nextId++;
    this.sources.set(id, new ScanSource(spec, table));
    try {
      await connection.run(`INSERT INTO ${spec.name} SELECT * FROM ${SCAN_FUNCTION}(${id})`);
    } finally {
      this.sources.delete(id);
    }
  }
}

const registries = new WeakMap<DuckDBConnection, ArrowScanRegistry>();

/**
 * Inserts every row of `table` (columns in `spec` order) into the DuckDB
 * table of the same name, inside whatever transaction `connection` has
 * open. Chunks are stored in whatever order DuckDB's threads finish them.
 */
export async function insertArrowTable(connection: DuckDBConnection, spec: TableSpec, table: Table): Promise<void> {
  if (table.numRows === 0) return;
  let registry = registries.get(connection);
  if (!registry) {
    registry = new ArrowScanRegistry(connection);
    registries.set(connection, registry);
  }
  await connection.run('SET preserve_insertion_order = false');
  try {
    await registry.insert(connection, spec, table);
  } finally {
    await connection.run('RESET preserve_insertion_order');
  }
}
