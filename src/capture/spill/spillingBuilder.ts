/**
 * The spilling side of pass 1: request columns kept in memory, each request's
 * variable-length rows appended to a spill file as one block (rowBlocks.ts).
 * Used by spillCapture on this thread and, for the later parts of a trace
 * read in parts, by tracePartWorker.ts on a worker (hence its own module:
 * the worker loads only what reading needs).
 */
import type { RequestColumns } from '../model.js';
import type { TraceRecord } from '../records.js';
import type { TraceRecordSink } from '../load.js';
import { permuteInPlace, RequestColumnsBuilder, type RequestColumnsPart } from '../requestTableBuilder.js';
import { Float64Growable, Int32Growable, Uint8Growable } from '../../util/growable.js';
import { BlockBuffer, blockBytes, shapeOf } from './rowBlocks.js';
import type { SpillFile, SpillWriter } from './spillFile.js';
import { SpilledRows, type BlockIndex } from './spilledRows.js';

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
