import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { InputError, stderrWarnings, type WarningSink } from './errors.js';

/** A batch of consecutive lines; `firstLine` is the 1-based number of `lines[0]`. */
export interface LineBatch {
  firstLine: number;
  lines: string[];
}

export interface ReadLinesOptions {
  warn?: WarningSink;
  /**
   * Only the bytes [start, end) of a plain (not gzip) file, whose first line
   * then counts as line 1: one part of a file split at line boundaries for
   * parallel reading (capture/spill/splitTrace.ts).
   */
  range?: ByteRange;
}

export interface ByteRange {
  start: number;
  /** Exclusive. */
  end: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** True when `head` (a file's first bytes) starts with the gzip magic bytes. */
export function hasGzipMagic(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/** True when the file starts with the gzip magic bytes (the extension is not trusted). */
export async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return hasGzipMagic(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** What every cut-off-tail warning suggests: the input ends mid-record because it is still being written. */
export const STILL_WRITTEN = '(capture still being written?)';

/** zlib's code for "input ended before the gzip trailer" (a capture still being written). */
export function isTruncatedGzip(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'Z_BUF_ERROR';
}

/**
 * A batch of consecutive lines as bytes: line i (numbered firstLine + i) is
 * bytes[starts[i], ends[i]), without its `\n` and a `\r` before that.
 */
export interface ByteLineBatch {
  firstLine: number;
  bytes: Buffer;
  starts: number[];
  ends: number[];
  /** Every byte of the batch is ASCII: a line's bytes are its characters. */
  ascii: boolean;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** A UTF-8 byte-order mark at the start of `bytes` (Windows editors prepend one). */
export function startsWithBom(chunk: Uint8Array): boolean {
  return chunk.length >= 3 && chunk[0] === UTF8_BOM[0] && chunk[1] === UTF8_BOM[1] && chunk[2] === UTF8_BOM[2];
}

/** The end of a line that ends at `newline`: before a `\r` there. */
function lineEnd(bytes: Buffer, start: number, newline: number): number {
  return newline > start && bytes[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
}

function oneLine(firstLine: number, bytes: Buffer, end: number): ByteLineBatch {
  return { firstLine, bytes, starts: [0], ends: [end], ascii: isAscii(bytes) };
}

/**
 * Streams the lines of a plain or gzip file as bytes (gzip is detected by
 * its magic bytes, not the extension; concatenated gzip members are read as
 * one stream). A gzip stream that ends without its trailer is a clean end of
 * input: every complete line is kept, the trailing partial line is dropped,
 * and one warning names the last complete line.
 * Lines are yielded in batches so a large file costs one await per chunk,
 * not per line, and stay in the chunk they were read into (a line split
 * across chunks is joined into a batch of its own): readers that scan bytes
 * never build strings. `\r\n` endings are accepted; a UTF-8 byte-order mark
 * at the start of the file is not part of the first line.
 */
export async function* readByteLineBatches(path: string, options: ReadLinesOptions = {}): AsyncGenerator<ByteLineBatch> {
  const warn = options.warn ?? stderrWarnings;
  let gzip: boolean;
  try {
    gzip = await isGzip(path);
  } catch (error) {
    throw new InputError(path, undefined, `cannot read file (${(error as Error).message})`);
  }
  if (gzip && options.range) throw new Error(`${path}: a byte range of a gzip file cannot be read on its own`);
  const file = openFileBytes(path, gzip, options.range);
  const split: LineSplit = { lineNo: 1, partial: false };
  try {
    yield* splitByteLines(file.chunks, split, { fileStart: !options.range?.start });
  } catch (error) {
    if (gzip && isTruncatedGzip(error)) {
      warn(`${path}: gzip stream ends without its trailer ${STILL_WRITTEN}; ${keptLines(split)}`);
      return;
    }
    throw new InputError(path, undefined, `cannot read file (${(error as Error).message})`);
  } finally {
    file.close();
  }
}

/** A file's bytes as chunks, and how to release the file (also when the consumer stops early). */
export interface FileBytes {
  chunks: AsyncIterable<Buffer>;
  close(): void;
}

/**
 * The bytes [range] of a plain file, or the gunzipped bytes of a gzip file
 * (concatenated members read as one stream), in chunks of about 1 MB. A
 * gzip stream without its trailer ends with an error isTruncatedGzip knows.
 */
export function openFileBytes(path: string, gzip: boolean, range?: ByteRange): FileBytes {
  // createReadStream's end is inclusive.
  const bounds = range ? { start: range.start, end: range.end - 1 } : {};
  const raw = createReadStream(path, { highWaterMark: 1 << 20, ...bounds });
  const source: Readable = gzip ? raw.pipe(createGunzip()) : raw;
  if (gzip) raw.on('error', (error) => source.destroy(error));
  // Destroying the gunzip (consumer stopped early) leaves the piped file stream open: close it too.
  return { chunks: source as AsyncIterable<Buffer>, close: () => raw.destroy() };
}

/** How far splitByteLines got: the number of the next line, and whether part of it has been read. */
export interface LineSplit {
  lineNo: number;
  partial: boolean;
}

/** For a warning about a stream cut short: `kept N complete line(s)[, dropped the partial line M]`. */
export function keptLines(split: LineSplit): string {
  // A writer that flushes at line ends leaves no partial line to drop.
  const dropped = split.partial ? `, dropped the partial line ${split.lineNo}` : '';
  return `kept ${split.lineNo - 1} complete line(s)${dropped}`;
}

/**
 * Splits a stream of byte chunks into line batches (readByteLineBatches
 * says how). A last line without its `\n` is yielded once the source ends;
 * when the source throws instead (a stream cut short), the error goes to the
 * caller with the partial line unread, and `split` says how far it got.
 * `fileStart`: the chunks start at the beginning of a file, where a UTF-8
 * byte-order mark is dropped.
 */
export async function* splitByteLines(source: AsyncIterable<Buffer>, split: LineSplit, options: { fileStart: boolean }): AsyncGenerator<ByteLineBatch> {
  /** The pieces of a line whose end has not been read yet. */
  let partial: Buffer[] = [];
  let atFileStart = options.fileStart;
  for await (let chunk of source) {
    if (atFileStart) {
      atFileStart = false;
      // Windows editors prepend a UTF-8 byte-order mark; it is not part of the first JSON line.
      if (startsWithBom(chunk)) chunk = chunk.subarray(3);
    }
    let from = 0;
    if (partial.length > 0) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline < 0) {
        partial.push(chunk);
        continue;
      }
      partial.push(chunk.subarray(0, newline));
      const joined = Buffer.concat(partial);
      partial = [];
      split.partial = false;
      yield oneLine(split.lineNo++, joined, lineEnd(joined, 0, joined.length));
      from = newline + 1;
    }
    const starts: number[] = [];
    const ends: number[] = [];
    for (let newline = chunk.indexOf(NEWLINE, from); newline >= 0; newline = chunk.indexOf(NEWLINE, from)) {
      starts.push(from);
      ends.push(lineEnd(chunk, from, newline));
      from = newline + 1;
    }
    if (from < chunk.length) partial.push(chunk.subarray(from));
    split.partial = partial.length > 0;
    if (starts.length === 0) continue;
    const firstLine = split.lineNo;
    split.lineNo += starts.length;
    yield { firstLine, bytes: chunk, starts, ends, ascii: isAscii(chunk) };
  }
  if (partial.length === 0) return;
  const tail = Buffer.concat(partial);
  yield oneLine(split.lineNo, tail, lineEnd(tail, 0, tail.length));
}

/** Line i of a byte batch as a string. */
export function lineText(batch: ByteLineBatch, i: number): string {
  return batch.bytes.toString(batch.ascii ? 'latin1' : 'utf8', batch.starts[i], batch.ends[i]);
}

/** {@link readByteLineBatches} with each line decoded (UTF-8) to a string. */
export async function* readLineBatches(path: string, options: ReadLinesOptions = {}): AsyncGenerator<LineBatch> {
  for await (const batch of readByteLineBatches(path, options)) {
    const lines = new Array<string>(batch.starts.length);
    for (let i = 0; i < lines.length; i++) lines[i] = lineText(batch, i);
    yield { firstLine: batch.firstLine, lines };
  }
}

/** One line with its 1-based number. */
export interface SourceLine {
  line: number;
  text: string;
}

/** Line-at-a-time view of byte-line batches, decoded, skipping blank lines. */
export async function* nonBlankLines(batches: AsyncIterable<ByteLineBatch>): AsyncGenerator<SourceLine> {
  for await (const batch of batches) {
    for (let i = 0; i < batch.starts.length; i++) {
      const text = lineText(batch, i);
      if (text.trim().length === 0) continue;
      yield { line: batch.firstLine + i, text };
    }
  }
}

/** The non-blank lines of a plain or gzip file ({@link readByteLineBatches}). */
export function readNonBlankLines(path: string, options: ReadLinesOptions = {}): AsyncGenerator<SourceLine> {
  return nonBlankLines(readByteLineBatches(path, options));
}
