/**
 * Binary min-heap of numeric keys with a payload, stored in parallel plain
 * arrays (no per-entry objects). Equal keys pop first-in first-out: an
 * insertion counter breaks ties, so a simulation driven by the heap (the
 * generator's event queues) is deterministic, and any other caller gets a
 * defined order for free.
 */
export class MinHeap<T> {
  private readonly keys: number[] = [];
  private readonly order: number[] = [];
  private readonly values: T[] = [];
  private pushed = 0;

  get size(): number {
    return this.keys.length;
  }

  /** The smallest key, or undefined when empty. */
  peekKey(): number | undefined {
    return this.keys.length > 0 ? this.keys[0] : undefined;
  }

  push(key: number, value: T): void {
    const { keys, order, values } = this;
    const seq = this.pushed++;
    let i = keys.length;
    keys.push(key);
    order.push(seq);
    values.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!precedes(key, seq, keys[parent], order[parent])) break;
      keys[i] = keys[parent];
      order[i] = order[parent];
      values[i] = values[parent];
      i = parent;
    }
    keys[i] = key;
    order[i] = seq;
    values[i] = value;
  }

  /** Removes the smallest entry (the earliest pushed among equal keys) and returns its payload; the heap must not be empty. */
  pop(): T {
    const { keys, order, values } = this;
    const top = values[0];
    const lastKey = keys.pop() as number;
    const lastSeq = order.pop() as number;
    const lastValue = values.pop() as T;
    const n = keys.length;
    if (n > 0) {
      let i = 0;
      while (true) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && precedes(keys[right], order[right], keys[left], order[left]) ? right : left;
        if (!precedes(keys[child], order[child], lastKey, lastSeq)) break;
        keys[i] = keys[child];
        order[i] = order[child];
        values[i] = values[child];
        i = child;
      }
      keys[i] = lastKey;
      order[i] = lastSeq;
      values[i] = lastValue;
    }
    return top;
  }
}

/** Entry a comes before entry b: a smaller key, or the same key pushed earlier. */
function precedes(aKey: number, aSeq: number, bKey: number, bSeq: number): boolean {
  return aKey < bKey || (aKey === bKey && aSeq < bSeq);
}
