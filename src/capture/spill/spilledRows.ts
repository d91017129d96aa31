/**
 * A spilled capture's rows read back (capture/spill/spilledCapture.ts writes
 * them): one positioned read per request, on this thread or, given the
 * shared description, on another (a window worker reads its requests' rows
 * itself instead of having them copied to it).
 */
import type { RequestColumns, RequestRows, RequestRowSource } from '../model.js';
import { gapStarts } from '../requestTableBuilder.js';
import { blockBytes, blockViews, type BlockShape } from './rowBlocks.js';
import { readSpillAt } from './spillFile.js';

const EMPTY_ROWS: RequestRows = {
  gapCount: 0,
  gapStartMs: new Float64Array(0),
  gapDurMs: new Float64Array(0),
  gapTokens: new Int32Array(0),
  gapNumRunning: new Int32Array(0),
  gapPrefillTokens: new Int32Array(0),
  tokenIds: new Int32Array(0),
  blockHashes: new BigUint64Array(0),
};

/** Where each request's block is, by arrival-order id. */
export interface BlockIndex {
  /** Which spill file: 0 unless the trace was read in parts (splitTrace.ts), each part spilling to its own. */
  file: Uint8Array;
  offset: Float64Array;
  blockHashes: Int32Array;
  tokenIds: Int32Array;
}

/**
 * What another thread needs to read a spilled capture's rows itself
 * (spilledRowsIn): the spill files' descriptors, which belong to the process,
 * the block index and the request columns the rows derive from. Valid while
 * the capture is open.
 */
export interface SharedSpilledRows {
  fds: number[];
  index: BlockIndex;
  requests: Pick<RequestColumns, 'gapCount' | 'arrivalMs' | 'ttftMs'>;
}

/** Reads a request's block back: one positioned read into a buffer of its own. */
export class SpilledRows implements RequestRowSource {
  constructor(
    private readonly fds: readonly number[],
    private readonly requests: SharedSpilledRows['requests'],
    private readonly index: BlockIndex,
  ) {}

  rows(request: number): RequestRows {
    const shape: BlockShape = {
      gaps: this.requests.gapCount[request],
      blockHashes: this.index.blockHashes[request],
      tokenIds: this.index.tokenIds[request],
    };
    const bytes = blockBytes(shape);
    if (bytes === 0) return EMPTY_ROWS;
    const buffer = new ArrayBuffer(bytes);
    readSpillAt(this.fds[this.index.file[request]], new Uint8Array(buffer), this.index.offset[request]);
    const block = blockViews(buffer, shape);
    return {
      gapCount: shape.gaps,
      gapStartMs: gapStarts(this.requests.arrivalMs[request], this.requests.ttftMs[request], block.durMs),
      gapDurMs: block.durMs,
      gapTokens: block.tokens,
      gapNumRunning: block.numRunning,
      gapPrefillTokens: block.prefillTokens,
      tokenIds: block.tokenIds,
      blockHashes: block.blockHashes,
    };
  }

  /** This source as another thread opens it (spilledRowsIn). */
  share(): SharedSpilledRows {
    const { gapCount, arrivalMs, ttftMs } = this.requests;
    return { fds: [...this.fds], index: this.index, requests: { gapCount, arrivalMs, ttftMs } };
  }
}

/** The rows of a capture another thread spilled (SpilledRows.share), read on this thread. */
export function spilledRowsIn(shared: SharedSpilledRows): SpilledRows {
  return new SpilledRows(shared.fds, shared.requests, shared.index);
}
