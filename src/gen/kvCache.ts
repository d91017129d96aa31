/**
 * The KV-cache block pool with vLLM v1's prefix cache folded in.
 *
 * - A block is either held (reference count > 0) or free. Free blocks sit in
 *   one LRU queue; allocation takes the head (least recently freed).
 * - A full block, once computed, is registered under its chained hash. It
 *   keeps that registration while free, so a later request whose prompt
 *   starts with the same blocks can take it back (a prefix-cache hit) until
 *   allocation reuses it for something else (eviction).
 * - Usage = 1 − free/total, as vLLM reports it (cached-but-free blocks count
 *   as free).
 */

/** Anything that holds blocks: the block ids in token order. */
export interface BlockHolder {
  blocks: number[];
}

const NONE = -1;

export class KvCache {
  readonly totalBlocks: number;
  private readonly refCount: Int32Array;
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private head = NONE;
  private tail = NONE;
  private freeCount = 0;
  private readonly cached: BlockHashTable;
  /** Scratch for lookups: ids of the blocks found by the last `lookup`. */
  private readonly found: number[] = [];

  constructor(totalBlocks: number) {
    this.totalBlocks = totalBlocks;
    this.refCount = new Int32Array(totalBlocks);
    this.prev = new Int32Array(totalBlocks);
    this.next = new Int32Array(totalBlocks);
    this.cached = new BlockHashTable(totalBlocks);
    for (let id = 0; id < totalBlocks; id++) this.append(id);
  }

  get freeBlocks(): number {
    return this.freeCount;
  }

  /** Fraction of blocks in use, 0–1. */
  usage(): number {
    return 1 - this.freeCount / this.totalBlocks;
  }

  /**
   * Counts the leading blocks of `chain` (at most `maxBlocks`) that are in the
   * cache. The ids stay in a scratch list for the `admit` that follows.
   */
  lookup(chainHi: readonly number[], chainLo: readonly number[], maxBlocks: number): number {
    this.found.length = 0;
    const n = Math.min(maxBlocks, chainHi.length);
    for (let b = 0; b < n; b++) {
      const id = this.cached.find(chainHi[b], chainLo[b]);
      if (id === NONE) break;
      this.found.push(id);
    }
    return this.found.length;
  }

  /**
   * Gives `holder` (which holds nothing) the `hits` blocks found by the last
   * lookup plus fresh blocks up to `totalNeeded`, or changes nothing and
   * returns false when the pool cannot supply them. Taking a cached block
   * that is free removes it from the free queue, so it counts against the
   * free budget too.
   */
  admit(holder: BlockHolder, hits: number, totalNeeded: number): boolean {
    let hitsInFreeQueue = 0;
    for (let i = 0; i < hits; i++) if (this.refCount[this.found[i]] === 0) hitsInFreeQueue++;
    if (this.freeCount - hitsInFreeQueue < totalNeeded - hits) return false;
    for (let i = 0; i < hits; i++) {
      const id = this.found[i];
      if (this.refCount[id]++ === 0) this.unlink(id);
      holder.blocks.push(id);
    }
    for (let i = hits; i < totalNeeded; i++) holder.blocks.push(this.allocate());
    return true;
  }

  /** Grows `holder` to `totalNeeded` blocks; false (nothing changed) when there are not enough free blocks. */
  grow(holder: BlockHolder, totalNeeded: number): boolean {
    const missing = totalNeeded - holder.blocks.length;
    if (missing <= 0) return true;
    if (missing > this.freeCount) return false;
    for (let i = 0; i < missing; i++) holder.blocks.push(this.allocate());
    return true;
  }

  /**
   * Returns every block of `holder` to the free queue, last block first (as
   * vLLM does) so a prompt's tail is evicted before its shared prefix.
   */
  release(holder: BlockHolder): void {
    const blocks = holder.blocks;
    for (let i = blocks.length - 1; i >= 0; i--) {
      const id = blocks[i];
      if (--this.refCount[id] === 0) this.append(id);
    }
    blocks.length = 0;
  }

  /** Registers the holder's block `index` (now full and computed) under its hash, unless that hash is cached already. */
  register(holder: BlockHolder, index: number, hi: number, lo: number): void {
    const id = holder.blocks[index];
    // Already registered (a prefix-cache hit), or the same content computed twice (two requests
    // prefilled one prefix concurrently): keep the first, as vLLM does.
    if (this.cached.has(id) || this.cached.find(hi, lo) !== NONE) return;
    this.cached.insert(id, hi, lo);
  }

  /** Takes the least recently freed block; a cached one loses its registration (eviction). */
  private allocate(): number {
    const id = this.head;
    this.unlink(id);
    if (this.cached.has(id)) this.cached.remove(id);
    this.refCount[id] = 1;
    return id;
  }

  private append(id: number): void {
    this.prev[id] = this.tail;
    this.next[id] = NONE;
    if (this.tail === NONE) this.head = id;
    else this.next[this.tail] = id;
    this.tail = id;
    this.freeCount++;
  }

  private unlink(id: number): void {
    const p = this.prev[id];
    const n = this.next[id];
    if (p === NONE) this.head = n;
    else this.next[p] = n;
    if (n === NONE) this.tail = p;
    else this.prev[n] = p;
    this.freeCount--;
  }
}

/**
 * Registered blocks by 64-bit hash: open addressing with linear probing over
 * block ids (a Map keyed by a 53-bit double was the generator's hottest
 * spot). Deletion shifts later entries back, so no tombstones build up.
 */
class BlockHashTable {
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly hashHi: Uint32Array;
  private readonly hashLo: Uint32Array;
  private readonly registered: Uint8Array;

  constructor(totalBlocks: number) {
    let capacity = 16;
    while (capacity < 2 * totalBlocks) capacity *= 2;
    this.slots = new Int32Array(capacity).fill(NONE);
    this.mask = capacity - 1;
    this.hashHi = new Uint32Array(totalBlocks);
    this.hashLo = new Uint32Array(totalBlocks);
    this.registered = new Uint8Array(totalBlocks);
  }

  has(id: number): boolean {
    return this.registered[id] === 1;
  }

  /** The block registered under (hi, lo), or NONE. */
  find(hi: number, lo: number): number {
    for (let i = this.home(hi, lo); ; i = (i + 1) & this.mask) {
      const id = this.slots[i];
      if (id === NONE || (this.hashHi[id] === hi && this.hashLo[id] === lo)) return id;
    }
  }

  /** Registers block `id` (not registered, hash not present). */
  insert(id: number, hi: number, lo: number): void {
    this.hashHi[id] = hi;
    this.hashLo[id] = lo;
    this.registered[id] = 1;
    let i = this.home(hi, lo);
    while (this.slots[i] !== NONE) i = (i + 1) & this.mask;
    this.slots[i] = id;
  }

  /** Unregisters block `id` (registered). */
  remove(id: number): void {
    this.registered[id] = 0;
    const mask = this.mask;
    let hole = this.home(this.hashHi[id], this.hashLo[id]);
    while (this.slots[hole] !== id) hole = (hole + 1) & mask;
    // Backward-shift deletion: move up every later entry of the run whose home is not in (hole, j].
    for (let j = (hole + 1) & mask; this.slots[j] !== NONE; j = (j + 1) & mask) {
      const other = this.slots[j];
      const home = this.home(this.hashHi[other], this.hashLo[other]);
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        this.slots[hole] = other;
        hole = j;
      }
    }
    this.slots[hole] = NONE;
  }

  private home(hi: number, lo: number): number {
    return (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
  }
}
