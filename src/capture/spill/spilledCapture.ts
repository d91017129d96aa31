/**
 * A capture too large for memory: one streaming pass over the inputs keeps
 * the fixed-width request columns (tens of bytes per request) and the step
 * and OTLP tables, and appends each request's variable-length rows (gaps,
 * token ids, block hashes — the part that grows with tokens) to a temporary
 * spill file as one block. Consumers then load a request's block when they
 * reach it (`rows(request)`, one positioned read) and drop it when done, so
 * memory is O(requests + what is open at once), never O(gaps). Gzip inputs
 * work the same: the input is read once, the spill file is plain.
 */
import type { CaptureView, RequestColumns, RequestRows, RequestRowSource } from '../model.js';
import type { TraceRecord } from '../records.js';
import { captureStats, readCaptureStreams, type CaptureSources, type LoadOptions, type TraceRecordSink } from '../load.js';
import { gapStarts, permuteInPlace, RequestColumnsBuilder } from '../requestTableBuilder.js';
import { Float64Growable, Int32Growable } from '../../util/growable.js';
import { BlockBuffer, blockBytes, blockViews, shapeOf, type BlockShape } from './rowBlocks.js';
import { SpillFile } from './spillFile.js';

/** Blocks are gathered in a buffer of this size and appended with one write. */
const STAGING_BYTES = 4 << 20;

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
interface BlockIndex {
  offset: Float64Array;
  blockHashes: Int32Array;
  tokenIds: Int32Array;
}

/** Request columns in memory, every request's rows appended to the spill file. */
export class SpillingRequestBuilder implements TraceRecordSink {
  private readonly columns = new RequestColumnsBuilder();
  private readonly staging = new BlockBuffer(STAGING_BYTES);
  private staged = 0;
  private readonly offset = new Float64Growable();
  private readonly blockHashes = new Int32Growable();
  private readonly tokenIds = new Int32Growable();
  gapsHaveContext = false;
  gaps = 0;

  constructor(private readonly file: SpillFile) {}

  add(record: TraceRecord): void {
    this.columns.add(record);
    const shape = shapeOf(record);
    this.offset.push(this.file.size + this.staged);
    this.blockHashes.push(shape.blockHashes);
    this.tokenIds.push(shape.tokenIds);
    this.gaps += shape.gaps;
    if (record.itlCtx && !this.gapsHaveContext) this.gapsHaveContext = hasContext(record.itlCtx.numRunning);

    const bytes = blockBytes(shape);
    if (bytes === 0) return;
    if (this.staged + bytes > STAGING_BYTES) this.flush();
    if (bytes > STAGING_BYTES) {
      const own = new BlockBuffer(bytes);
      own.write(record, shape, 0);
      this.file.append(own.bytes);
      return;
    }
    this.staged += this.staging.write(record, shape, this.staged);
  }

  private flush(): void {
    if (this.staged === 0) return;
    this.file.append(this.staging.bytes, this.staged);
    this.staged = 0;
  }

  finish(): { requests: RequestColumns; rows: SpilledRows; laneCount: number } {
    this.flush();
    const { requests, order, laneCount } = this.columns.finish();
    const visited = new Uint8Array(order.length);
    const index: BlockIndex = {
      offset: permuteInPlace(this.offset.view(), order, visited),
      blockHashes: permuteInPlace(this.blockHashes.view(), order, visited),
      tokenIds: permuteInPlace(this.tokenIds.view(), order, visited),
    };
    return { requests, rows: new SpilledRows(this.file, requests, index), laneCount };
  }
}

function hasContext(numRunning: Int32Array): boolean {
  for (let i = 0; i < numRunning.length; i++) if (numRunning[i] >= 0) return true;
  return false;
}

/** Reads a request's block back: one positioned read into a buffer of its own. */
export class SpilledRows implements RequestRowSource {
  constructor(
    private readonly file: SpillFile,
    private readonly requests: RequestColumns,
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
    this.file.read(new Uint8Array(buffer), this.index.offset[request]);
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
}

/** A CaptureView over a spill file; `close()` releases (and removes) the file. */
export interface SpilledCapture extends CaptureView {
  close(): void;
}

export interface SpillOptions extends LoadOptions {
  /** Directory for the spill file (default: the OS temp dir). */
  tempDir?: string;
}

/** Reads the capture's streams once, spilling per-request rows; the caller must `close()` the result. */
export async function spillCapture(sources: CaptureSources, options: SpillOptions = {}): Promise<SpilledCapture> {
  const file = new SpillFile(options.tempDir);
  try {
    const builder = new SpillingRequestBuilder(file);
    const streams = await readCaptureStreams(sources, builder, options);
    const { requests, rows, laneCount } = builder.finish();
    return {
      tracePath: sources.trace,
      stepStatsPath: sources.stepStats,
      meta: streams.meta,
      requests,
      rows,
      gapsHaveContext: builder.gapsHaveContext,
      steps: streams.steps,
      otlp: streams.otlp,
      stats: captureStats(requests, builder.gaps, laneCount, streams.idleIntervals),
      close: () => file.close(),
    };
  } catch (error) {
    file.close();
    throw error;
  }
}

/** Runs `body` on the spilled capture and releases the spill file however it ends. */
export async function withSpilledCapture<T>(sources: CaptureSources, options: SpillOptions, body: (capture: SpilledCapture) => Promise<T>): Promise<T> {
  const capture = await spillCapture(sources, options);
  try {
    return await body(capture);
  } finally {
    capture.close();
  }
}
