/**
 * A capture as the Arrow tables `vcr load` inserts, produced batch by batch
 * from a CaptureView: the fixed-width request columns are in memory, but a
 * request's gaps, token ids and block hashes are read (from the spill file
 * for a streamed capture) only while its batch is built, so a load holds
 * about one batch of rows at a time, never the whole capture.
 */
import type { Table } from 'apache-arrow';
import type { CaptureView, GapTable, RequestColumns, RequestRows, RequestTable } from '../../capture/model.js';
import type { TableName } from '../schema.js';
import type { CaptureIdentity } from '../identity.js';
import { capturesArrowTable } from './capturesTable.js';
import { requestsArrowTable } from './requestsTable.js';
import { gapsArrowTable } from './gapsTable.js';
import { stepsArrowTable } from './stepsTable.js';
import { stepSummariesArrowTable } from './stepSummariesTable.js';
import { journeyArrowTable } from './journeyTable.js';
import { snapshotsArrowTable } from './snapshotsTable.js';

/** DuckDB's row-group size: rows it compresses and writes as one unit. */
const DUCKDB_ROW_GROUP = 122_880;

/**
 * Rows per batch. Each INSERT leaves a partial row group behind that DuckDB
 * keeps in memory and merges at the commit, so gap batches are whole row
 * groups, and many: on 10M gaps, 2^19-row batches made the inserts 4.0 s and
 * the commit 3.0 s, 16 row groups (~2M rows, ~70 MB of columns) 3.4 s and
 * 0.7 s — as fast as one batch for the whole table, with memory still flat.
 * Requests: 2^14 keeps a batch's token-id and block-hash lists to a few tens
 * of MB.
 */
export interface BatchSizes {
  gapRows: number;
  requestRows: number;
}

export const DEFAULT_BATCH_SIZES: BatchSizes = { gapRows: 16 * DUCKDB_ROW_GROUP, requestRows: 1 << 14 };

export interface ArrowBatch {
  table: TableName;
  rows: Table;
}

/** Requests [from, to) as a RequestTable of their own (ids relative to `from`), lists gathered from their rows. */
function requestBatch(columns: RequestColumns, rows: readonly RequestRows[], from: number): RequestTable {
  const to = from + rows.length;
  const slice = <T extends Float64Array | Int32Array | Uint8Array>(column: T) => column.subarray(from, to) as T;
  const mmHashes = new Map<number, string[]>();
  for (const [id, hashes] of columns.mmHashes) if (id >= from && id < to) mmHashes.set(id - from, hashes);
  const tokenIdOffsets = new Int32Array(rows.length + 1);
  const blockHashOffsets = new Int32Array(rows.length + 1);
  for (let i = 0; i < rows.length; i++) {
    tokenIdOffsets[i + 1] = tokenIdOffsets[i] + rows[i].tokenIds.length;
    blockHashOffsets[i + 1] = blockHashOffsets[i] + rows[i].blockHashes.length;
  }
  const tokenIds = new Int32Array(tokenIdOffsets[rows.length]);
  const blockHashes = new BigUint64Array(blockHashOffsets[rows.length]);
  for (let i = 0; i < rows.length; i++) {
    tokenIds.set(rows[i].tokenIds, tokenIdOffsets[i]);
    blockHashes.set(rows[i].blockHashes, blockHashOffsets[i]);
  }
  return {
    count: rows.length,
    sourceLine: slice(columns.sourceLine),
    arrivalMs: slice(columns.arrivalMs),
    ttftMs: slice(columns.ttftMs),
    promptTokens: slice(columns.promptTokens),
    cachedTokens: slice(columns.cachedTokens),
    outputTokens: slice(columns.outputTokens),
    concurrency: slice(columns.concurrency),
    firstChunkTokens: slice(columns.firstChunkTokens),
    decodeMs: slice(columns.decodeMs),
    e2eMs: slice(columns.e2eMs),
    endMs: slice(columns.endMs),
    tpotMs: slice(columns.tpotMs),
    meanItlMs: slice(columns.meanItlMs),
    finishReason: slice(columns.finishReason),
    gapOffset: slice(columns.gapOffset),
    gapCount: slice(columns.gapCount),
    summaryGapCount: slice(columns.summaryGapCount),
    lane: slice(columns.lane),
    mmHashes,
    blockHashOffsets,
    blockHashes,
    tokenIdOffsets,
    tokenIds,
  };
}

/** The gaps of the given requests (ids `firstId`, `firstId + 1`, ...), as one GapTable. */
function gapBatch(rows: readonly RequestRows[], firstId: number): GapTable {
  let count = 0;
  for (const r of rows) count += r.gapCount;
  const gaps: GapTable = {
    count,
    request: new Int32Array(count),
    index: new Int32Array(count),
    startMs: new Float64Array(count),
    durMs: new Float64Array(count),
    tokens: new Int32Array(count),
    numRunning: new Int32Array(count),
    prefillTokens: new Int32Array(count),
  };
  let at = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    gaps.request.fill(firstId + i, at, at + r.gapCount);
    for (let k = 0; k < r.gapCount; k++) gaps.index[at + k] = k;
    gaps.startMs.set(r.gapStartMs, at);
    gaps.durMs.set(r.gapDurMs, at);
    gaps.tokens.set(r.gapTokens, at);
    gaps.numRunning.set(r.gapNumRunning, at);
    gaps.prefillTokens.set(r.gapPrefillTokens, at);
    at += r.gapCount;
  }
  return gaps;
}

/**
 * `requests` and `gaps` batches in one pass over the requests (each
 * request's rows are read once): a requests batch every `requestRows`
 * requests, a gaps batch once `gapRows` gaps have gathered.
 */
function* requestAndGapBatches(capture: CaptureView, captureId: number, sizes: BatchSizes): Generator<ArrowBatch> {
  const { requests } = capture;
  let requestRows: RequestRows[] = [];
  let requestFrom = 0;
  let gapRows: RequestRows[] = [];
  let gapFrom = 0;
  let gapCount = 0;
  for (let id = 0; id < requests.count; id++) {
    const rows = capture.rows.rows(id);
    requestRows.push(rows);
    gapRows.push(rows);
    gapCount += rows.gapCount;
    if (requestRows.length === sizes.requestRows) {
      yield { table: 'requests', rows: requestsArrowTable(requestBatch(requests, requestRows, requestFrom), captureId, requestFrom) };
      requestFrom = id + 1;
      requestRows = [];
    }
    if (gapCount >= sizes.gapRows) {
      yield { table: 'gaps', rows: gapsArrowTable(gapBatch(gapRows, gapFrom), captureId) };
      gapFrom = id + 1;
      gapRows = [];
      gapCount = 0;
    }
  }
  if (requestRows.length > 0) yield { table: 'requests', rows: requestsArrowTable(requestBatch(requests, requestRows, requestFrom), captureId, requestFrom) };
  if (gapCount > 0) yield { table: 'gaps', rows: gapsArrowTable(gapBatch(gapRows, gapFrom), captureId) };
}

/** Every table of one capture, as Arrow batches in table order, every row tagged with `captureId`. */
export function* captureArrowBatches(
  capture: CaptureView,
  captureId: number,
  identity: CaptureIdentity,
  loadedAt = new Date(),
  sizes = DEFAULT_BATCH_SIZES,
): Generator<ArrowBatch> {
  yield { table: 'captures', rows: capturesArrowTable(capture, captureId, identity, loadedAt) };
  yield* requestAndGapBatches(capture, captureId, sizes);
  yield { table: 'steps', rows: stepsArrowTable(capture.steps, captureId) };
  yield { table: 'step_summaries', rows: stepSummariesArrowTable(capture.otlp?.steps ?? [], captureId) };
  yield { table: 'journey', rows: journeyArrowTable(capture.otlp?.requests ?? [], captureId) };
  yield { table: 'snapshots', rows: snapshotsArrowTable(capture.otlp?.snapshots ?? [], captureId) };
}
