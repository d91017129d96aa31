/**
 * One interning table of a packet sequence: each distinct string gets an iid
 * (1, 2, 3, ... in first-use order) and is emitted once, in the
 * `interned_data` of the first packet that refers to it. `pending` holds the
 * strings introduced since the last packet was written.
 */
export class InternTable {
  private readonly ids = new Map<string, number>();
  /** Strings awaiting emission; their iids are pendingFirstIid, pendingFirstIid + 1, ... */
  readonly pending: string[] = [];
  pendingFirstIid = 1;

  iid(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.ids.size + 1;
      this.ids.set(value, id);
      if (this.pending.length === 0) this.pendingFirstIid = id;
      this.pending.push(value);
    }
    return id;
  }

  get size(): number {
    return this.ids.size;
  }

  markEmitted(): void {
    this.pending.length = 0;
  }
}
