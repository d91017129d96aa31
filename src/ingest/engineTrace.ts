/**
 * Streaming reader for the engine trace (`trace.jsonl[.gz]`, formats.md §1):
 * the optional meta first line is read up front, request records stream
 * after it. Ordinary request lines are read by a hand-written scanner
 * (fastTraceRecord.ts) from the bytes the file was read into, straight into
 * typed arrays, without ever becoming strings; any other line is decoded and
 * takes one JSON.parse and the general validation, which also words the
 * errors.
 */
import { isAscii } from 'node:buffer';
import type { CaptureMeta, TraceRecord } from '../capture/records.js';
import { restoreExactBlockHashes } from './blockHashes.js';
import { fastTraceRecordBytes } from './fastTraceRecord.js';
import { isBlank, isJsonObject, isMetaLine, parseJsonLine, tryParseJson } from './jsonLines.js';
import { lineText, readByteLineBatches, type ByteLineBatch, type ByteRange } from './lines.js';
import { skipOrRethrow, type ReaderOptions } from './options.js';
import { parseMeta } from './traceMeta.js';
import { parseTraceRecord } from './traceRecord.js';

export type { ReaderOptions } from './options.js';
export { parseMeta } from './traceMeta.js';
export { parseTraceRecord } from './traceRecord.js';

export interface EngineTraceReader {
  /** `{extra: {}}` when the file has no meta line. */
  meta: CaptureMeta;
  /** Throws the first bad line's InputError unless `options.lenient` is set. */
  records: AsyncGenerator<TraceRecord>;
  /** Lines read so far, blank ones included: once `records` is done, the line count of what was read. */
  linesRead(): number;
}

/** Where the reader is in the line stream. */
interface LineCount {
  lines: number;
}

/** A position in the batch stream: line `index` of `batch`. */
interface Cursor {
  batch: ByteLineBatch;
  index: number;
}

/** The whole trace, or with `range` its first part (which holds the meta line, if any). */
export async function openEngineTrace(path: string, options: ReaderOptions & { range?: ByteRange } = {}): Promise<EngineTraceReader> {
  const { batches, count, head } = await openLines(path, options.range, options);
  let meta: CaptureMeta = { extra: {} };
  if (head !== undefined) {
    const line = head.batch.firstLine + head.index;
    const text = lineText(head.batch, head.index);
    // A first line that is not even JSON is not meta; the record loop reports it.
    const value = tryParseJson(text);
    if (isMetaLine(value)) {
      try {
        meta = parseMeta(path, line, value);
      } catch (error) {
        skipOrRethrow(error, options);
      }
      head.index++;
    }
  }
  return { meta, records: traceRecords(path, batches, head, options), linesRead: () => count.lines };
}

/**
 * A later part of a trace split at line boundaries: records only (a meta line
 * is the file's first, so any here is an ordinary bad line), numbered from 1
 * within the part; the caller adds the lines before it.
 */
export async function openTracePart(path: string, range: ByteRange, options: ReaderOptions = {}): Promise<EngineTraceReader> {
  const { batches, count, head } = await openLines(path, range, options);
  return { meta: { extra: {} }, records: traceRecords(path, batches, head, options), linesRead: () => count.lines };
}

/** The file's (or range's) byte lines, counted as they are read, positioned at the first non-blank one. */
async function openLines(path: string, range: ByteRange | undefined, options: ReaderOptions) {
  const count: LineCount = { lines: 0 };
  const batches = counted(readByteLineBatches(path, { warn: options.warn, range }), count);
  return { batches, count, head: await firstNonBlankLine(batches) };
}

async function* counted(batches: AsyncGenerator<ByteLineBatch>, count: LineCount): AsyncGenerator<ByteLineBatch> {
  try {
    for await (const batch of batches) {
      count.lines = batch.firstLine - 1 + batch.starts.length;
      yield batch;
    }
  } finally {
    await batches.return(undefined);
  }
}

async function firstNonBlankLine(batches: AsyncGenerator<ByteLineBatch>): Promise<Cursor | undefined> {
  for (;;) {
    const next = await batches.next();
    if (next.done) return undefined;
    for (let index = 0; index < next.value.starts.length; index++) if (!isBlankLine(next.value, index)) return { batch: next.value, index };
  }
}

const SPACE = 0x20;
const TAB = 0x09;
const CARRIAGE_RETURN = 0x0d;

/** isBlank of the line's text, without decoding the usual line (whose first byte is not white space). */
function isBlankLine(batch: ByteLineBatch, index: number): boolean {
  const { bytes } = batch;
  for (let i = batch.starts[index]; i < batch.ends[index]; i++) {
    const c = bytes[i];
    // ASCII white space as String.prototype.trim sees it: tab, VT, FF, CR (LF ends lines) and space.
    if (c === SPACE || (c >= TAB && c <= CARRIAGE_RETURN)) continue;
    // Non-ASCII white space (NBSP, a stray BOM, ...) needs the decoded text.
    return c < 0x80 ? false : isBlank(lineText(batch, index));
  }
  return true;
}

async function* traceRecords(
  path: string,
  batches: AsyncGenerator<ByteLineBatch>,
  start: Cursor | undefined,
  options: ReaderOptions,
): AsyncGenerator<TraceRecord> {
  try {
    if (start === undefined) return;
    yield* recordsOf(path, start.batch, start.index, options);
    for await (const batch of batches) yield* recordsOf(path, batch, 0, options);
  } finally {
    // Closes the file when the consumer stops early.
    await batches.return(undefined);
  }
}

function* recordsOf(path: string, batch: ByteLineBatch, from: number, options: ReaderOptions): Generator<TraceRecord> {
  for (let i = from; i < batch.starts.length; i++) {
    if (isBlankLine(batch, i)) continue;
    let record: TraceRecord;
    try {
      record = parseTraceLine(path, batch, i);
    } catch (error) {
      skipOrRethrow(error, options);
      continue;
    }
    yield record;
  }
}

function parseTraceLine(path: string, batch: ByteLineBatch, index: number): TraceRecord {
  const line = batch.firstLine + index;
  const start = batch.starts[index];
  const end = batch.ends[index];
  if (batch.ascii || isAscii(batch.bytes.subarray(start, end))) {
    const fast = fastTraceRecordBytes(line, batch.bytes, start, end);
    if (fast !== undefined) return fast;
  }
  const text = lineText(batch, index);
  const value = parseJsonLine(path, line, text);
  // Only lines that mention the key pay for the exact-digit scan.
  if (text.includes('"block_hashes"') && isJsonObject(value)) restoreExactBlockHashes(text, value);
  return parseTraceRecord(path, line, value);
}
