/**
 * Arrow column constructors over the capture model's typed arrays. Value
 * buffers are used as they are (no copy); only validity bitmaps are built,
 * from the model's missing-value markers (NaN for floats, -1 for integers),
 * so a missing value is an Arrow null and therefore a SQL NULL.
 */
import {
  Bool,
  Dictionary,
  Float64,
  Int32,
  Int64,
  List,
  Field,
  TimestampMicrosecond,
  Uint64,
  Uint8,
  Utf8,
  makeData,
  makeVector,
  type Data,
  type DataType,
  type Vector,
} from 'apache-arrow';

/** Arrow's validity layout: bit i of byte i>>3, least significant bit first; 1 = valid. */
interface Validity {
  nullBitmap?: Uint8Array;
  nullCount: number;
}

/** Marks row i null in a bitmap created (all valid) on the first null. */
class ValidityBuilder {
  private bitmap: Uint8Array | undefined;
  private nullCount = 0;
  constructor(private readonly length: number) {}

  setNull(i: number): void {
    this.bitmap ??= new Uint8Array((this.length + 7) >> 3).fill(0xff);
    this.bitmap[i >> 3] &= ~(1 << (i & 7));
    this.nullCount++;
  }

  finish(): Validity {
    return this.bitmap ? { nullBitmap: this.bitmap, nullCount: this.nullCount } : { nullCount: 0 };
  }
}

function validityOf(length: number, isNull: (i: number) => boolean): Validity {
  const validity = new ValidityBuilder(length);
  for (let i = 0; i < length; i++) if (isNull(i)) validity.setNull(i);
  return validity.finish();
}

/** DOUBLE; NaN → null. (Monomorphic loops: these run over every gap of a capture.) */
export function doubleColumn(values: Float64Array): Data<Float64> {
  const validity = new ValidityBuilder(values.length);
  for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) validity.setNull(i);
  return makeData({ type: new Float64(), length: values.length, data: values, ...validity.finish() });
}

/** INTEGER; `missing` (the model's -1) → null when given. */
export function intColumn(values: Int32Array, missing?: number): Data<Int32> {
  const validity = new ValidityBuilder(values.length);
  if (missing !== undefined) for (let i = 0; i < values.length; i++) if (values[i] === missing) validity.setNull(i);
  return makeData({ type: new Int32(), length: values.length, data: values, ...validity.finish() });
}

/** INTEGER from optional numbers (undefined → null). */
export function optionalIntColumn(values: readonly (number | undefined)[]): Data<Int32> {
  const data = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = values[i] ?? 0;
  return makeData({ type: new Int32(), length: values.length, data, ...validityOf(values.length, (i) => values[i] === undefined) });
}

/** The same INTEGER on every row (capture_id). */
export function constantIntColumn(length: number, value: number): Data<Int32> {
  return makeData({ type: new Int32(), length, data: new Int32Array(length).fill(value), nullCount: 0 });
}

/** BIGINT from optional bigints (undefined → null). */
export function bigintColumn(values: readonly (bigint | undefined)[]): Data<Int64> {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = values[i] ?? 0n;
  return makeData({ type: new Int64(), length: values.length, data, ...validityOf(values.length, (i) => values[i] === undefined) });
}

/** DOUBLE from optional numbers (undefined or NaN → null). */
export function optionalDoubleColumn(values: readonly (number | undefined)[]): Data<Float64> {
  return doubleColumn(Float64Array.from(values, (v) => v ?? NaN));
}

/** BOOLEAN from 0/1 bytes (Arrow packs booleans into bits). */
export function boolColumn(values: Uint8Array): Data<Bool> {
  const bits = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) if (values[i]) bits[i >> 3] |= 1 << (i & 7);
  return makeData({ type: new Bool(), length: values.length, data: bits, nullCount: 0 });
}

/** TIMESTAMP (µs since the Unix epoch, UTC). */
export function timestampColumn(micros: readonly bigint[]): Data<TimestampMicrosecond> {
  return makeData({ type: new TimestampMicrosecond(), length: micros.length, data: BigInt64Array.from(micros), nullCount: 0 });
}

const encoder = new TextEncoder();

/** VARCHAR from optional strings (undefined → null). */
export function utf8Column(values: readonly (string | undefined)[]): Data<Utf8> {
  const encoded = values.map((v) => (v === undefined ? undefined : encoder.encode(v)));
  const offsets = new Int32Array(values.length + 1);
  let size = 0;
  for (let i = 0; i < encoded.length; i++) {
    size += encoded[i]?.length ?? 0;
    offsets[i + 1] = size;
  }
  const bytes = new Uint8Array(size);
  for (let i = 0; i < encoded.length; i++) {
    const value = encoded[i];
    if (value) bytes.set(value, offsets[i]);
  }
  return makeData({ type: new Utf8(), length: values.length, valueOffsets: offsets, data: bytes, ...validityOf(values.length, (i) => values[i] === undefined) });
}

/**
 * One dictionary vector per vocabulary: every batch of an ENUM column then
 * shares it, which the Arrow IPC file format requires (it cannot replace a
 * dictionary between batches).
 */
const dictionaries = new Map<readonly string[], Vector<Utf8>>();
function dictionaryOf(vocabulary: readonly string[]): Vector<Utf8> {
  let dictionary = dictionaries.get(vocabulary);
  if (!dictionary) {
    dictionary = makeVector(utf8Column(vocabulary));
    dictionaries.set(vocabulary, dictionary);
  }
  return dictionary;
}

/**
 * ENUM over `vocabulary` as an Arrow dictionary column whose dictionary is
 * the vocabulary in declaration order, so the 1-byte indices are exactly
 * DuckDB's ENUM codes. `codes[i]` indexes the vocabulary; `isNull(i)` marks
 * missing values.
 */
export function enumColumn(vocabulary: readonly string[], codes: Uint8Array, isNull?: (i: number) => boolean): Data<Dictionary<Utf8, Uint8>> {
  return makeData({
    type: new Dictionary(new Utf8(), new Uint8()),
    length: codes.length,
    data: codes,
    dictionary: dictionaryOf(vocabulary),
    ...(isNull ? validityOf(codes.length, isNull) : { nullCount: 0 }),
  });
}

/** ENUM from optional labels, which must belong to `vocabulary`. */
export function enumColumnOf(vocabulary: readonly string[], labels: readonly (string | undefined)[]): Data<Dictionary<Utf8, Uint8>> {
  const index = new Map(vocabulary.map((label, i) => [label, i]));
  const codes = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label === undefined) continue;
    const code = index.get(label);
    if (code === undefined) throw new Error(`"${label}" is not one of ${vocabulary.join(', ')}`);
    codes[i] = code;
  }
  return enumColumn(vocabulary, codes, (i) => labels[i] === undefined);
}

/** LIST of `child` rows: row i holds child[offsets[i], offsets[i+1]). Never null (an empty list means none recorded). */
export function listColumn<T extends DataType>(offsets: Int32Array, child: Data<T>): Data<List<T>> {
  return makeData({
    type: new List(new Field('item', child.type, true)),
    length: offsets.length - 1,
    valueOffsets: offsets,
    child,
    nullCount: 0,
  });
}

export function uint64Values(values: BigUint64Array): Data<Uint64> {
  return makeData({ type: new Uint64(), length: values.length, data: values, nullCount: 0 });
}

export function int32Values(values: Int32Array): Data<Int32> {
  return makeData({ type: new Int32(), length: values.length, data: values, nullCount: 0 });
}
