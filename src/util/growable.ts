/**
 * Append-only typed arrays that double their capacity, so per-gap data of a
 * large capture lives in a few contiguous buffers instead of millions of JS
 * objects. `view()` returns the filled prefix without copying.
 */
type TypedArray = Float64Array | Int32Array | Uint32Array | Uint8Array | BigUint64Array;
type TypedArrayCtor<T extends TypedArray> = { new (length: number): T };

class Growable<T extends TypedArray, V> {
  private data: T;
  length = 0;

  constructor(
    private readonly ctor: TypedArrayCtor<T>,
    initialCapacity = 1024,
  ) {
    this.data = new ctor(Math.max(16, initialCapacity));
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.data.length) return;
    let capacity = this.data.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = new this.ctor(capacity);
    (next as unknown as { set(a: T): void }).set(this.data);
    this.data = next;
  }

  push(value: V): void {
    this.reserve(1);
    (this.data as unknown as V[])[this.length++] = value;
  }

  pushAll(values: ArrayLike<V>): void {
    this.reserve(values.length);
    (this.data as unknown as { set(a: ArrayLike<V>, offset: number): void }).set(values, this.length);
    this.length += values.length;
  }

  /** The filled prefix (shares memory with the builder until the next push grows it). */
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export class Float64Growable extends Growable<Float64Array, number> {
  constructor(initialCapacity?: number) {
    super(Float64Array, initialCapacity);
  }
}
export class Int32Growable extends Growable<Int32Array, number> {
  constructor(initialCapacity?: number) {
    super(Int32Array, initialCapacity);
  }
}
export class Uint32Growable extends Growable<Uint32Array, number> {
  constructor(initialCapacity?: number) {
    super(Uint32Array, initialCapacity);
  }
}
export class Uint8Growable extends Growable<Uint8Array, number> {
  constructor(initialCapacity?: number) {
    super(Uint8Array, initialCapacity);
  }
}
export class BigUint64Growable extends Growable<BigUint64Array, bigint> {
  constructor(initialCapacity?: number) {
    super(BigUint64Array, initialCapacity);
  }
}
