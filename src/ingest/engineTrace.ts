/**
 * Streaming reader for the engine trace (`trace.jsonl[.gz]`, formats.md §1):
 * the optional meta first line is read up front, request records stream
 * after it. Ordinary request lines are read by a hand-written scanner
 * (fastTraceRecord.ts) straight into typed arrays; any other line takes one
 * JSON.parse and the general validation, which also words the errors.
 */
import type { CaptureMeta, TraceRecord } from '../capture/records.js';
import { restoreExactBlockHashes } from './blockHashes.js';
import { fastTraceRecord } from './fastTraceRecord.js';
import { isBlank, isJsonObject, isMetaLine, parseJsonLine, tryParseJson } from './jsonLines.js';
import { readLineBatches, type ByteRange, type LineBatch } from './lines.js';
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
  batch: LineBatch;
  index: number;
}

/** The whole trace, or with `range` its first part (which holds the meta line, if any). */
export async function openEngineTrace(path: string, options: ReaderOptions & { range?: ByteRange } = {}): Promise<EngineTraceReader> {
  const count: LineCount = { lines: 0 };
  const batches = counted(readLineBatches(path, { warn: options.warn, range: options.range }), count);
  const head = await firstNonBlankLine(batches);
  let meta: CaptureMeta = { extra: {} };
  if (head !== undefined) {
    const line = head.batch.firstLine + head.index;
    const text = head.batch.lines[head.index];
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
  const count: LineCount = { lines: 0 };
  const batches = counted(readLineBatches(path, { warn: options.warn, range }), count);
  const head = await firstNonBlankLine(batches);
  return { meta: { extra: {} }, records: traceRecords(path, batches, head, options), linesRead: () => count.lines };
}

async function* counted(batches: AsyncGenerator<LineBatch>, count: LineCount): AsyncGenerator<LineBatch> {
  try {
    for await (const batch of batches) {
      count.lines = batch.firstLine - 1 + batch.lines.length;
      yield batch;
    }
  } finally {
    await batches.return(undefined);
  }
}

async function firstNonBlankLine(batches: AsyncGenerator<LineBatch>): Promise<Cursor | undefined> {
  for (;;) {
    const next = await batches.next();
    if (next.done) return undefined;
    const index = next.value.lines.findIndex((text) => !isBlank(text));
    if (index >= 0) return { batch: next.value, index };
  }
}

async function* traceRecords(
  path: string,
  batches: AsyncGenerator<LineBatch>,
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

function* recordsOf(path: string, batch: LineBatch, from: number, options: ReaderOptions): Generator<TraceRecord> {
  const lines = batch.lines;
  for (let i = from; i < lines.length; i++) {
    const text = lines[i];
    if (isBlank(text)) continue;
    let record: TraceRecord;
    try {
      record = parseTraceLine(path, batch.firstLine + i, text);
    } catch (error) {
      skipOrRethrow(error, options);
      continue;
    }
    yield record;
  }
}

function parseTraceLine(path: string, line: number, text: string): TraceRecord {
  const fast = fastTraceRecord(line, text);
  if (fast !== undefined) return fast;
  const value = parseJsonLine(path, line, text);
  // Only lines that mention the key pay for the exact-digit scan.
  if (text.includes('"block_hashes"') && isJsonObject(value)) restoreExactBlockHashes(text, value);
  return parseTraceRecord(path, line, value);
}
