/**
 * Protobuf wire encoding as pure functions over a byte array and a position
 * (`p = putVarint(buf, p, value)`), for the hot path of the trace writer: two
 * packets per decode gap, tens of millions of fields per trace.
 *
 * Why not protobufjs's Writer, or a writer object: the Writer queues an
 * operation object per field and copies on `finish()`, and even a plain
 * writer object pays a field load and store per byte; small functions that
 * take and return the position are inlined by V8 into straight stores on a
 * local array, several times faster (docs/benchmarks.md, "Perfetto
 * encoding"). Callers reserve room for a whole packet first (ByteBuffer),
 * so no function here checks capacity. Field keys still come from the
 * .proto files (protoSchema.tagOf); the bytes are those protobufjs writes.
 */
const TWO_POW_32 = 4294967296;
const utf8 = new TextEncoder();
const doubleScratch = new Float64Array(1);
const doubleBytes = new Uint8Array(doubleScratch.buffer);

/** Bytes a varint or an int64 can take; a length-delimited value's length prefix grows by at most 4 bytes below 2^28. */
export const MAX_VARINT_BYTES = 10;

function putVarint64(buf: Uint8Array, p: number, lo: number, hi: number): number {
  while (hi !== 0) {
    buf[p++] = (lo & 127) | 128;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  while (lo > 127) {
    buf[p++] = (lo & 127) | 128;
    lo >>>= 7;
  }
  buf[p++] = lo;
  return p;
}

/** A non-negative integer below 2^53 (keys, lengths, uint32 / uint64 values). */
export function putVarint(buf: Uint8Array, p: number, value: number): number {
  // Kept tiny so V8 inlines it everywhere: most values (iids, small counts, zero deltas) take one byte.
  if (value < 128) {
    buf[p] = value;
    return p + 1;
  }
  return putLongVarint(buf, p, value);
}

function putLongVarint(buf: Uint8Array, p: number, value: number): number {
  if (value < TWO_POW_32) {
    let v = value >>> 0;
    while (v > 127) {
      buf[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[p] = v;
    return p + 1;
  }
  return putVarint64(buf, p, value >>> 0, Math.floor(value / TWO_POW_32) >>> 0);
}

/** int64: a negative value takes the 10-byte two's-complement form. */
export function putInt64(buf: Uint8Array, p: number, value: number): number {
  if (value >= 0) return putVarint(buf, p, value);
  const hi = Math.floor(value / TWO_POW_32);
  return putVarint64(buf, p, (value - hi * TWO_POW_32) >>> 0, hi >>> 0);
}

/** double, little-endian. */
export function putDouble(buf: Uint8Array, p: number, value: number): number {
  doubleScratch[0] = value;
  for (let i = 0; i < 8; i++) buf[p + i] = doubleBytes[i];
  return p + 8;
}

/** fixed64 of a non-negative integer below 2^53. */
export function putFixed64(buf: Uint8Array, p: number, value: number): number {
  let lo = value >>> 0;
  let hi = Math.floor(value / TWO_POW_32) >>> 0;
  for (let i = 0; i < 4; i++, lo >>>= 8) buf[p + i] = lo & 255;
  for (let i = 4; i < 8; i++, hi >>>= 8) buf[p + i] = hi & 255;
  return p + 8;
}

/** Upper bound of a string's length-delimited encoding. */
export function stringBound(value: string): number {
  return MAX_VARINT_BYTES + 3 * value.length;
}

/** Length-prefixed UTF-8. */
export function putString(buf: Uint8Array, p: number, value: string): number {
  const at = p;
  const end = p + 1 + utf8.encodeInto(value, buf.subarray(p + 1)).written;
  return closeDelimited(buf, at, end);
}

/**
 * Ends a length-delimited value whose body is buf[at + 1, p): writes the
 * length into the byte reserved at `at`, moving the body right when the
 * length needs more than one byte (rare: bodies are short). Returns the new
 * end. Open one with `const at = p++` after writing its key.
 */
export function closeDelimited(buf: Uint8Array, at: number, p: number): number {
  const length = p - at - 1;
  if (length < 128) {
    buf[at] = length;
    return p;
  }
  let extra = 0;
  for (let v = length >>> 7; v > 0; v >>>= 7) extra++;
  buf.copyWithin(at + 1 + extra, at + 1, p);
  putVarint(buf, at, length);
  return p + extra;
}

/** A plain Uint8Array (not a Buffer: element stores are monomorphic) without zero-filling, as every byte is written before it is read. */
export function uninitialized(length: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
}

/**
 * The output buffer: `reserve(n)` guarantees room for n more bytes at `pos`
 * and returns the (possibly new) array to write into; the caller writes with
 * the put* functions and stores the end back into `pos`.
 */
export class ByteBuffer {
  private buf: Uint8Array;
  pos = 0;

  constructor(private readonly initialCapacity = 1 << 21) {
    this.buf = uninitialized(initialCapacity);
  }

  reserve(bytes: number): Uint8Array {
    if (this.pos + bytes <= this.buf.length) return this.buf;
    let capacity = this.buf.length * 2;
    while (capacity < this.pos + bytes) capacity *= 2;
    const next = uninitialized(capacity);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    return next;
  }

  /** Appends bytes as they are (an already encoded message). */
  append(bytes: Uint8Array): void {
    this.reserve(bytes.length).set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** The bytes written since the last take or clear. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Forgets the bytes written; writing continues in the same memory. */
  clear(): void {
    this.pos = 0;
  }

  /** The bytes written since the last take; writing continues in a fresh buffer (no copy). */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.buf = uninitialized(Math.max(this.initialCapacity, this.buf.length >> 1));
    this.pos = 0;
    return out;
  }
}
