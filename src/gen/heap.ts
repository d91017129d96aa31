/**
 * A binary min-heap ordered by (time, seq): `seq` is the insertion order, so
 * items due at the same instant come out first-in first-out and the
 * simulation stays deterministic.
 */
interface Entry<T> {
  time: number;
  seq: number;
  item: T;
}

export class TimeHeap<T> {
  private readonly entries: Entry<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.entries.length;
  }

  /** Earliest due time, or undefined when empty. */
  peekTime(): number | undefined {
    return this.entries.length > 0 ? this.entries[0].time : undefined;
  }

  push(time: number, item: T): void {
    const entries = this.entries;
    const entry = { time, seq: this.seq++, item };
    let i = entries.length;
    entries.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, entries[parent])) break;
      entries[i] = entries[parent];
      i = parent;
    }
    entries[i] = entry;
  }

  /** Removes and returns the earliest item; the heap must not be empty. */
  pop(): T {
    const entries = this.entries;
    const top = entries[0];
    const last = entries.pop()!;
    if (entries.length > 0) {
      let i = 0;
      const n = entries.length;
      while (true) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && before(entries[right], entries[left]) ? right : left;
        if (!before(entries[child], last)) break;
        entries[i] = entries[child];
        i = child;
      }
      entries[i] = last;
    }
    return top.item;
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
