/**
 * A growable byte buffer that JSON text is appended to directly: whole
 * strings, pre-encoded constants, and integers / µs-as-ms values written
 * digit by digit. The hot writers use it instead of building JavaScript
 * strings: no intermediate strings, nothing for the garbage collector.
 */

const ZERO = 48;
const COMMA = 44;

/** "", ".001" … ".999" (no trailing zeros) as bytes: the sub-millisecond part of a µs time. */
const FRACTION_BYTES: Uint8Array[] = Array.from({ length: 1000 }, (_, frac) => Buffer.from(frac === 0 ? '' : String(frac / 1000).slice(1), 'latin1'));

/** ASCII text as bytes, for constants a writer appends millions of times. */
export function ascii(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

export class ByteText {
  protected buffer: Buffer;
  protected pos = 0;

  constructor(capacity = 1 << 12) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** Bytes written so far (since the last `clear`). */
  get length(): number {
    return this.pos;
  }

  /** Appends a string (UTF-8). */
  text(value: string): void {
    const n = value.length;
    this.reserve(3 * n);
    // Short ASCII (hashes, ids, keys) by hand: Buffer#write's per-call overhead dominates at this size.
    if (n < 48) {
      const buffer = this.buffer;
      const pos = this.pos;
      let i = 0;
      for (; i < n; i++) {
        const code = value.charCodeAt(i);
        if (code > 127) break;
        buffer[pos + i] = code;
      }
      if (i === n) {
        this.pos += n;
        return;
      }
    }
    this.pos += this.buffer.write(value, this.pos, 'utf8');
  }

  /** Appends pre-encoded bytes. */
  bytes(value: Uint8Array): void {
    const n = value.length;
    this.reserve(n);
    // A loop beats TypedArray#set's call overhead for the short constants written per number.
    if (n < 64) {
      const buffer = this.buffer;
      const pos = this.pos;
      for (let i = 0; i < n; i++) buffer[pos + i] = value[i];
    } else {
      this.buffer.set(value, this.pos);
    }
    this.pos += n;
  }

  /** Appends a non-negative safe integer in decimal. */
  int(value: number): void {
    this.reserve(16);
    const buffer = this.buffer;
    let digits = 1;
    for (let limit = 10; value >= limit; limit *= 10) digits++;
    let p = this.pos + digits;
    this.pos = p;
    // Below 2^53, floor(n / 10) is exact in doubles (add the digit after subtracting: 48 + n could round).
    while (value >= 10) {
      const next = Math.floor(value / 10);
      buffer[--p] = ZERO + (value - next * 10);
      value = next;
    }
    buffer[--p] = ZERO + value;
  }

  /**
   * Appends the unsigned 64-bit integer hi·2^32 + lo exactly, without BigInt:
   * 2^32 = 429496·10^4 + 7296, so the value is (hi·429496 + q)·10^4 + r with
   * hi·7296 + lo = q·10^4 + r — every term exact in doubles.
   */
  uint64(hi: number, lo: number): void {
    const low = hi * 7296 + lo;
    const carry = Math.floor(low / 10000);
    const rest = low - carry * 10000;
    const high = hi * 429496 + carry;
    if (high === 0) return this.int(rest);
    this.int(high);
    this.reserve(4);
    const buffer = this.buffer;
    let value = rest;
    for (let p = this.pos + 3; p >= this.pos; p--) {
      const next = Math.floor(value / 10);
      buffer[p] = ZERO + (value - next * 10);
      value = next;
    }
    this.pos += 4;
  }

  /** Appends integer µs as ms with up to 3 decimals, exactly as JavaScript prints µs / 1000. */
  ms(us: number): void {
    const whole = Math.floor(us / 1000);
    this.int(whole);
    this.bytes(FRACTION_BYTES[us - whole * 1000]);
  }

  /** Appends `values[from..]` (non-negative integers) separated by commas. */
  ints(values: readonly number[], from = 0): void {
    for (let i = from; i < values.length; i++) {
      if (i > from) this.comma();
      this.int(values[i]);
    }
  }

  comma(): void {
    this.reserve(1);
    this.buffer[this.pos++] = COMMA;
  }

  /** The bytes from offset `from` to the end, without copying: valid until the next append or `clear`. */
  view(from = 0): Uint8Array {
    return this.buffer.subarray(from, this.pos);
  }

  clear(): void {
    this.pos = 0;
  }

  /** Makes room for `extra` more bytes. */
  protected reserve(extra: number): void {
    if (this.pos + extra <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.pos + extra));
    this.buffer.copy(grown, 0, 0, this.pos);
    this.buffer = grown;
  }
}
