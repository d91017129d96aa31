/**
 * The on-disk form of one request's variable-length rows: a block of
 * columns, 8-byte aligned so typed-array views can be laid over it without
 * copying.
 *
 *   durMs f64 × g | blockHashes u64 × b | tokens i32 × g | numRunning i32 × g |
 *   prefillTokens i32 × g | tokenIds i32 × t | padding to 8 bytes
 *
 * Absent inputs are written as the in-memory model has them (tokens 1 when
 * itl_tokens is absent, context -1 without itl_ctx), so reading a block back
 * gives exactly the columns RequestTableBuilder keeps in memory. Gap starts
 * are not stored: they are the running sum of the durations (gapStarts).
 */
import type { TraceRecord } from '../records.js';

export interface BlockShape {
  gaps: number;
  blockHashes: number;
  tokenIds: number;
}

export function shapeOf(record: TraceRecord): BlockShape {
  return {
    gaps: record.itlMs?.length ?? 0,
    blockHashes: record.blockHashes?.length ?? 0,
    tokenIds: record.outputTokenIds?.length ?? 0,
  };
}

export function blockBytes(shape: BlockShape): number {
  const bytes = 8 * (shape.gaps + shape.blockHashes) + 4 * (3 * shape.gaps + shape.tokenIds);
  return (bytes + 7) & ~7;
}

/** Typed views over one byte buffer, for writing blocks into it. */
export class BlockBuffer {
  readonly bytes: Uint8Array;
  private readonly f64: Float64Array;
  private readonly u64: BigUint64Array;
  private readonly i32: Int32Array;

  constructor(readonly capacity: number) {
    const buffer = new ArrayBuffer(capacity);
    this.bytes = new Uint8Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.u64 = new BigUint64Array(buffer);
    this.i32 = new Int32Array(buffer);
  }

  /** Writes the record's block at `at` (a multiple of 8); returns its length. */
  write(record: TraceRecord, shape: BlockShape, at: number): number {
    const g = shape.gaps;
    let word = at >> 3;
    if (record.itlMs) this.f64.set(record.itlMs, word);
    word += g;
    if (record.blockHashes) this.u64.set(record.blockHashes, word);
    word += shape.blockHashes;
    let int = word << 1;
    if (record.itlTokens) this.i32.set(record.itlTokens, int);
    else this.i32.fill(1, int, int + g);
    int += g;
    if (record.itlCtx) {
      this.i32.set(record.itlCtx.numRunning, int);
      this.i32.set(record.itlCtx.prefillTokens, int + g);
    } else {
      this.i32.fill(-1, int, int + 2 * g);
    }
    int += 2 * g;
    if (record.outputTokenIds) this.i32.set(record.outputTokenIds, int);
    const length = blockBytes(shape);
    // Padding is written too, so the file's bytes never depend on stale buffer contents.
    this.bytes.fill(0, (int + shape.tokenIds) << 2, at + length);
    return length;
  }
}

/** Views of a block read back into its own buffer (offset 0, so aligned). */
export interface BlockViews {
  durMs: Float64Array;
  blockHashes: BigUint64Array;
  tokens: Int32Array;
  numRunning: Int32Array;
  prefillTokens: Int32Array;
  tokenIds: Int32Array;
}

export function blockViews(buffer: ArrayBuffer, shape: BlockShape): BlockViews {
  const g = shape.gaps;
  const hashesAt = 8 * g;
  const intsAt = hashesAt + 8 * shape.blockHashes;
  return {
    durMs: new Float64Array(buffer, 0, g),
    blockHashes: new BigUint64Array(buffer, hashesAt, shape.blockHashes),
    tokens: new Int32Array(buffer, intsAt, g),
    numRunning: new Int32Array(buffer, intsAt + 4 * g, g),
    prefillTokens: new Int32Array(buffer, intsAt + 8 * g, g),
    tokenIds: new Int32Array(buffer, intsAt + 12 * g, shape.tokenIds),
  };
}
