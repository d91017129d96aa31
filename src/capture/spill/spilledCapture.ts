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
import type { CaptureView, RequestColumns } from '../model.js';
import type { CaptureMeta, TraceRecord } from '../records.js';
import { captureStats, readCaptureStreams, type CaptureSources, type LoadOptions, type TraceRecordSink } from '../load.js';
import { permuteInPlace, RequestColumnsBuilder, type RequestColumnsPart } from '../requestTableBuilder.js';
import { Float64Growable, Int32Growable, Uint8Growable } from '../../util/growable.js';
import { BlockBuffer, blockBytes, shapeOf } from './rowBlocks.js';
import { SpillFile, type SpillWriter } from './spillFile.js';
import { SpilledRows, type BlockIndex } from './spilledRows.js';
import { planTraceSplit, readSplitTrace } from './splitTrace.js';

/** Blocks are gathered in a buffer of this size and appended with one write. */
const STAGING_BYTES = 4 << 20;

/** What a builder reading one part of a split trace hands over: its columns and where its blocks are in its own spill file. */
export interface SpilledPart {
  columns: RequestColumnsPart;
  offset: Float64Array;
  blockHashes: Int32Array;
  tokenIds: Int32Array;
  gaps: number;
  gapsHaveContext: boolean;
}

/** Request columns in memory, every request's rows appended to the spill file. */
export class SpillingRequestBuilder implements TraceRecordSink {
  private readonly columns = new RequestColumnsBuilder();
  private readonly staging = new BlockBuffer(STAGING_BYTES);
  private staged = 0;
  private readonly fileOf = new Uint8Growable();
  private readonly offset = new Float64Growable();
  private readonly blockHashes = new Int32Growable();
  private readonly tokenIds = new Int32Growable();
  gapsHaveContext = false;
  gaps = 0;

  constructor(private readonly file: SpillWriter) {}

  add(record: TraceRecord): void {
    this.columns.add(record);
    const shape = shapeOf(record);
    this.fileOf.push(0);
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

  /** Everything added so far, its blocks written out (views: valid until the next add). */
  part(): SpilledPart {
    this.flush();
    const { columns, offset, blockHashes, tokenIds, gaps, gapsHaveContext } = this;
    return { columns: columns.part(), offset: offset.view(), blockHashes: blockHashes.view(), tokenIds: tokenIds.view(), gaps, gapsHaveContext };
  }

  /** Appends the rows another builder read from a later part of the file (its blocks in spill file `file`), as if added here. */
  appendPart(part: SpilledPart, linesBefore: number, file: number): void {
    this.columns.appendPart(part.columns, linesBefore);
    for (let i = 0; i < part.offset.length; i++) this.fileOf.push(file);
    this.offset.pushAll(part.offset);
    this.blockHashes.pushAll(part.blockHashes);
    this.tokenIds.pushAll(part.tokenIds);
    this.gaps += part.gaps;
    this.gapsHaveContext ||= part.gapsHaveContext;
  }

  finish(files: readonly SpillFile[]): { requests: RequestColumns; rows: SpilledRows; laneCount: number } {
    this.flush();
    const { requests, order, laneCount } = this.columns.finish();
    const visited = new Uint8Array(order.length);
    const index: BlockIndex = {
      file: permuteInPlace(this.fileOf.view(), order, visited),
      offset: permuteInPlace(this.offset.view(), order, visited),
      blockHashes: permuteInPlace(this.blockHashes.view(), order, visited),
      tokenIds: permuteInPlace(this.tokenIds.view(), order, visited),
    };
    return { requests, rows: new SpilledRows(files.map((file) => file.fd), requests, index), laneCount };
  }
}

function hasContext(numRunning: Int32Array): boolean {
  for (let i = 0; i < numRunning.length; i++) if (numRunning[i] >= 0) return true;
  return false;
}

/** A CaptureView over a spill file; `close()` releases (and removes) the file. */
export interface SpilledCapture extends CaptureView {
  close(): void;
}

export interface SpillOptions extends LoadOptions {
  /** Directory for the spill file (default: the OS temp dir). */
  tempDir?: string;
  /**
   * Threads reading the engine trace (default 1): a large plain trace is cut
   * into up to this many parts at line boundaries, all but the first read by
   * worker threads (splitTrace.ts); the capture is the same either way. Needs
   * the built module (a worker loads tracePartWorker.js).
   */
  readThreads?: number;
  /** Smallest part worth a thread (splitTrace.ts MIN_PART_BYTES); the default suits every capture, tests make it small. */
  minReadPartBytes?: number;
}

/** Reads the capture's streams once, spilling per-request rows; the caller must `close()` the result. */
export async function spillCapture(sources: CaptureSources, options: SpillOptions = {}): Promise<SpilledCapture> {
  const files = [new SpillFile(options.tempDir)];
  const close = () => files.forEach((file) => file.close());
  try {
    const builder = new SpillingRequestBuilder(files[0]);
    const trace = sources.trace;
    const split = trace && !options.lenient && (options.readThreads ?? 1) > 1 ? await planTraceSplit(trace, options.readThreads ?? 1, options.minReadPartBytes) : undefined;
    let meta: CaptureMeta | undefined;
    if (trace && split) meta = await readSplitTrace(trace, split, builder, files, options);
    const streams = await readCaptureStreams(split ? { ...sources, trace: undefined } : sources, builder, options);
    const { requests, rows, laneCount } = builder.finish(files);
    return {
      tracePath: sources.trace,
      stepStatsPath: sources.stepStats,
      meta: meta ?? streams.meta,
      requests,
      rows,
      gapsHaveContext: builder.gapsHaveContext,
      steps: streams.steps,
      otlp: streams.otlp,
      stats: captureStats(requests, builder.gaps, laneCount, streams.idleIntervals),
      close,
    };
  } catch (error) {
    close();
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
