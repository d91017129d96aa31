import { FINISH_REASONS, type TraceRecord } from './records.js';
import type { GapTable, RequestColumns, RequestTable } from './model.js';
import { deriveRequestTiming } from './derive/requestTiming.js';
import { packLanes } from './derive/lanes.js';
import { BigUint64Growable, Float64Growable, Int32Growable, Uint8Growable } from '../util/growable.js';

/** Indices sorted by arrival (stable); rows without arrival keep file order after all timed rows. */
export function arrivalOrder(arrivalMs: Float64Array): Int32Array {
  const order = Array.from({ length: arrivalMs.length }, (_, i) => i);
  order.sort((a, b) => {
    const x = arrivalMs[a];
    const y = arrivalMs[b];
    const xMissing = Number.isNaN(x);
    const yMissing = Number.isNaN(y);
    if (xMissing || yMissing) return xMissing === yMissing ? a - b : xMissing ? 1 : -1;
    return x - y || a - b;
  });
  return Int32Array.from(order);
}

/**
 * Re-orders `column` in place so that column[i] becomes the old
 * column[order[i]], following the permutation's cycles (`visited`: scratch,
 * one byte per row). In place rather than into a copy because the request
 * columns are the memory that grows with a capture: a copy would double the
 * peak.
 */
export function permuteInPlace<T extends Float64Array | Int32Array | Uint8Array>(column: T, order: Int32Array, visited: Uint8Array): T {
  visited.fill(0);
  for (let start = 0; start < order.length; start++) {
    if (visited[start]) continue;
    const first = column[start];
    for (let i = start; ; ) {
      visited[i] = 1;
      const from = order[i];
      if (from === start) {
        column[i] = first;
        break;
      }
      column[i] = column[from];
      i = from;
    }
  }
  return column;
}

/** Re-orders a flattened list column (offsets of length n+1) by `order`. */
function permuteLists<T extends Int32Array | BigUint64Array>(
  offsets: Int32Array,
  values: T,
  order: Int32Array,
): { offsets: Int32Array; values: T } {
  const outOffsets = new Int32Array(order.length + 1);
  const outValues = new (values.constructor as { new (n: number): T })(values.length);
  let at = 0;
  for (let i = 0; i < order.length; i++) {
    const from = offsets[order[i]];
    const to = offsets[order[i] + 1];
    (outValues as unknown as { set(a: T, o: number): void }).set(values.subarray(from, to) as T, at);
    at += to - from;
    outOffsets[i + 1] = at;
  }
  return { offsets: outOffsets, values: outValues };
}

/** Request columns re-ordered by arrival, with the permutation that did it. */
export interface ArrivalOrderedColumns {
  requests: RequestColumns;
  /** Arrival-order id → file row. */
  order: Int32Array;
  /** File row → arrival-order id. */
  idOfRow: Int32Array;
  laneCount: number;
}

/** The fixed-width request columns as RequestColumnsBuilder grows them, one row per record in file order. */
function newFileOrderColumns() {
  return {
    sourceLine: new Int32Growable(),
    arrivalMs: new Float64Growable(),
    ttftMs: new Float64Growable(),
    promptTokens: new Int32Growable(),
    cachedTokens: new Int32Growable(),
    outputTokens: new Int32Growable(),
    concurrency: new Int32Growable(),
    firstChunkTokens: new Int32Growable(),
    decodeMs: new Float64Growable(),
    e2eMs: new Float64Growable(),
    endMs: new Float64Growable(),
    tpotMs: new Float64Growable(),
    meanItlMs: new Float64Growable(),
    finishReason: new Uint8Growable(),
    /** Offset of the request's first gap among all recorded gaps, in file order. */
    gapOffset: new Int32Growable(),
    gapCount: new Int32Growable(),
    summaryGapCount: new Int32Growable(),
  };
}
type FileOrderColumns = ReturnType<typeof newFileOrderColumns>;
type ColumnName = keyof FileOrderColumns;
/** The filled prefix of every column. */
type FileOrderViews = { [K in ColumnName]: ReturnType<FileOrderColumns[K]['view']> };

/**
 * The rows a builder has folded, in file order, as plain arrays: what a
 * builder on another thread hands over (structured-clonable) to be appended
 * after this one's rows (parallel reading, capture/spill/splitTrace.ts).
 */
export type RequestColumnsPart = FileOrderViews & {
  mmHashes: Map<number, string[]>;
  gapTotal: number;
};

/**
 * Folds engine-trace records (in file order = finish order) into the
 * fixed-width request columns; `finish()` re-orders them by arrival and packs
 * lanes. The variable-length rows (gaps, token ids, block hashes) are left to
 * the caller: kept in memory by RequestTableBuilder, spilled to disk by
 * capture/spill/.
 */
export class RequestColumnsBuilder {
  private readonly columns = newFileOrderColumns();
  private readonly mmHashes = new Map<number, string[]>();
  /** Recorded gaps so far, in file order. */
  private gapTotal = 0;

  get count(): number {
    return this.columns.sourceLine.length;
  }

  /** Adds the record's row (the next file row) and returns it. */
  add(record: TraceRecord): number {
    const row = this.count;
    const timing = deriveRequestTiming(record);
    const c = this.columns;
    c.sourceLine.push(record.line);
    c.arrivalMs.push(record.arrivalMs ?? NaN);
    c.ttftMs.push(record.ttftMs);
    c.promptTokens.push(record.promptTokens);
    c.cachedTokens.push(record.cachedTokens);
    c.outputTokens.push(record.outputTokens);
    c.concurrency.push(record.concurrency);
    c.firstChunkTokens.push(timing.firstChunkTokens);
    c.decodeMs.push(timing.decodeMs);
    c.e2eMs.push(timing.e2eMs);
    c.endMs.push(timing.endMs);
    c.tpotMs.push(timing.tpotMs);
    c.meanItlMs.push(timing.meanItlMs);
    c.finishReason.push(record.finishReason ? FINISH_REASONS.indexOf(record.finishReason) + 1 : 0);
    c.summaryGapCount.push(record.itlMs === undefined && record.itlSummary ? record.itlSummary.count : -1);
    if (record.mmHashes && record.mmHashes.length > 0) this.mmHashes.set(row, record.mmHashes);
    const gaps = record.itlMs?.length ?? 0;
    c.gapOffset.push(this.gapTotal);
    c.gapCount.push(gaps);
    this.gapTotal += gaps;
    return row;
  }

  /** Every column's filled prefix (views: valid until the next add). */
  private views(): FileOrderViews {
    return Object.fromEntries(Object.entries(this.columns).map(([name, column]) => [name, column.view()])) as FileOrderViews;
  }

  /** The rows added so far (views: valid until the next add). */
  part(): RequestColumnsPart {
    return { ...this.views(), mmHashes: this.mmHashes, gapTotal: this.gapTotal };
  }

  /**
   * Appends another builder's rows after this one's, as if added here: their
   * source lines were counted from 1 within their part of the file, so
   * `linesBefore` (the lines of the file before that part) is added.
   */
  appendPart(part: RequestColumnsPart, linesBefore: number): void {
    const rowsBefore = this.count;
    const c = this.columns;
    for (const name of Object.keys(c) as ColumnName[]) {
      if (name === 'sourceLine' || name === 'gapOffset') continue;
      (c[name] as Float64Growable).pushAll(part[name] as Float64Array);
    }
    for (let i = 0; i < part.sourceLine.length; i++) c.sourceLine.push(part.sourceLine[i] + linesBefore);
    for (let i = 0; i < part.gapOffset.length; i++) c.gapOffset.push(part.gapOffset[i] + this.gapTotal);
    for (const [row, hashes] of part.mmHashes) this.mmHashes.set(row + rowsBefore, hashes);
    this.gapTotal += part.gapTotal;
  }

  /** Re-orders the columns in place: call once, after the last add. */
  finish(): ArrivalOrderedColumns {
    const columns = this.views();
    const order = arrivalOrder(columns.arrivalMs);
    const idOfRow = new Int32Array(order.length);
    for (let id = 0; id < order.length; id++) idOfRow[order[id]] = id;
    const visited = new Uint8Array(order.length);
    for (const column of Object.values(columns)) permuteInPlace(column, order, visited);

    const lanes = packLanes(columns.arrivalMs, columns.endMs);
    const mmHashes = new Map<number, string[]>();
    for (const [row, hashes] of this.mmHashes) mmHashes.set(idOfRow[row], hashes);
    const requests: RequestColumns = { count: order.length, ...columns, lane: lanes.lane, mmHashes };
    return { requests, order, idOfRow, laneCount: lanes.laneCount };
  }
}

/**
 * Folds engine-trace records into request and gap columns, all in memory.
 * Gap rows stay in file order, grouped per request; `finish()` re-orders the
 * request rows by arrival, renumbers gap.request to the arrival-order id and
 * packs lanes.
 */
export class RequestTableBuilder {
  private readonly columns = new RequestColumnsBuilder();
  private readonly blockHashOffsets = new Int32Growable();
  private readonly blockHashes = new BigUint64Growable();
  private readonly tokenIdOffsets = new Int32Growable();
  private readonly tokenIds = new Int32Growable();

  private readonly gapRequest = new Int32Growable(1 << 16);
  private readonly gapIndex = new Int32Growable(1 << 16);
  private readonly gapStartMs = new Float64Growable(1 << 16);
  private readonly gapDurMs = new Float64Growable(1 << 16);
  private readonly gapTokens = new Int32Growable(1 << 16);
  private readonly gapNumRunning = new Int32Growable(1 << 16);
  private readonly gapPrefillTokens = new Int32Growable(1 << 16);

  constructor() {
    this.blockHashOffsets.push(0);
    this.tokenIdOffsets.push(0);
  }

  get count(): number {
    return this.columns.count;
  }

  add(record: TraceRecord): void {
    const row = this.columns.add(record);
    if (record.blockHashes) this.blockHashes.pushAll(record.blockHashes);
    this.blockHashOffsets.push(this.blockHashes.length);
    if (record.outputTokenIds) this.tokenIds.pushAll(record.outputTokenIds);
    this.tokenIdOffsets.push(this.tokenIds.length);

    const itl = record.itlMs;
    if (!itl) return;
    // A gap starts at the previous token: the first at arrival + ttft, each next one where the last ended.
    const starts = gapStarts(record.arrivalMs ?? NaN, record.ttftMs, itl);
    for (let i = 0; i < itl.length; i++) {
      this.gapRequest.push(row);
      this.gapIndex.push(i);
    }
    this.gapStartMs.pushAll(starts);
    this.gapDurMs.pushAll(itl);
    if (record.itlTokens) this.gapTokens.pushAll(record.itlTokens);
    else for (let i = 0; i < itl.length; i++) this.gapTokens.push(1);
    if (record.itlCtx) {
      this.gapNumRunning.pushAll(record.itlCtx.numRunning);
      this.gapPrefillTokens.pushAll(record.itlCtx.prefillTokens);
    } else {
      for (let i = 0; i < itl.length; i++) {
        this.gapNumRunning.push(-1);
        this.gapPrefillTokens.push(-1);
      }
    }
  }

  finish(): { requests: RequestTable; gaps: GapTable; laneCount: number } {
    const { requests: columns, order, idOfRow, laneCount } = this.columns.finish();
    const blocks = permuteLists(this.blockHashOffsets.view(), this.blockHashes.view(), order);
    const tokens = permuteLists(this.tokenIdOffsets.view(), this.tokenIds.view(), order);
    const requests: RequestTable = {
      ...columns,
      blockHashOffsets: blocks.offsets,
      blockHashes: blocks.values,
      tokenIdOffsets: tokens.offsets,
      tokenIds: tokens.values,
    };

    const gapRequest = this.gapRequest.view();
    for (let i = 0; i < gapRequest.length; i++) gapRequest[i] = idOfRow[gapRequest[i]];
    const gaps: GapTable = {
      count: gapRequest.length,
      request: gapRequest,
      index: this.gapIndex.view(),
      startMs: this.gapStartMs.view(),
      durMs: this.gapDurMs.view(),
      tokens: this.gapTokens.view(),
      numRunning: this.gapNumRunning.view(),
      prefillTokens: this.gapPrefillTokens.view(),
    };
    return { requests, gaps, laneCount };
  }
}

/**
 * Absolute gap starts: the first at arrival + ttft, each next one where the
 * last ended, summed in this order so every reader of the capture (in memory
 * or spilled) gets the same doubles.
 */
export function gapStarts(arrivalMs: number, ttftMs: number, durMs: Float64Array, into = new Float64Array(durMs.length)): Float64Array {
  let start = arrivalMs + ttftMs;
  for (let i = 0; i < durMs.length; i++) {
    into[i] = start;
    start += durMs[i];
  }
  return into;
}
