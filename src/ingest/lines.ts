import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
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

/** True when the file starts with the gzip magic bytes (the extension is not trusted). */
export async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/** zlib's code for "input ended before the gzip trailer" (a capture still being written). */
function isTruncatedGzip(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'Z_BUF_ERROR';
}

/**
 * Streams the lines of a plain or gzip file (gzip is detected by its magic
 * bytes, not the extension; concatenated gzip members are read as one
 * stream). A gzip stream that ends without its trailer is a clean end of
 * input: every complete line is kept, the trailing partial line is dropped,
 * and one warning names the last complete line.
 * Lines are yielded in batches so a large file costs one await per chunk,
 * not per line. `\r\n` endings are accepted.
 */
export async function* readLineBatches(path: string, options: ReadLinesOptions = {}): AsyncGenerator<LineBatch> {
  const warn = options.warn ?? stderrWarnings;
  let gzip: boolean;
  try {
    gzip = await isGzip(path);
  } catch (error) {
    throw new InputError(path, undefined, `cannot read file (${(error as Error).message})`);
  }
  if (gzip && options.range) throw new Error(`${path}: a byte range of a gzip file cannot be read on its own`);
  // createReadStream's end is inclusive.
  const range = options.range ? { start: options.range.start, end: options.range.end - 1 } : {};
  const raw = createReadStream(path, { highWaterMark: 1 << 20, ...range });
  const source: Readable = gzip ? raw.pipe(createGunzip()) : raw;
  if (gzip) raw.on('error', (error) => source.destroy(error));

  const decoder = new StringDecoder('utf8');
  let pending = '';
  let lineNo = 1;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      let text = pending + decoder.write(chunk);
      // Windows editors prepend a UTF-8 byte-order mark; it is not part of the first JSON line.
      if (lineNo === 1 && pending.length === 0 && !options.range?.start && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      const parts = text.split('\n');
      pending = parts.pop() ?? '';
      if (parts.length === 0) continue;
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        if (part.length > 0 && part.charCodeAt(part.length - 1) === 13) parts[i] = part.slice(0, -1);
      }
      yield { firstLine: lineNo, lines: parts };
      lineNo += parts.length;
    }
  } catch (error) {
    if (gzip && isTruncatedGzip(error)) {
      // A writer that flushes at line ends leaves no partial line to drop.
      const dropped = pending.length > 0 ? `, dropped the partial line ${lineNo}` : '';
      warn(`${path}: gzip stream ends without its trailer (capture still being written?); kept ${lineNo - 1} complete line(s)${dropped}`);
      return;
    }
    throw new InputError(path, undefined, `cannot read file (${(error as Error).message})`);
  } finally {
    // Destroying the gunzip (consumer stopped early) leaves the piped file stream open; close it here.
    raw.destroy();
  }
  const tail = pending + decoder.end();
  if (tail.length > 0) yield { firstLine: lineNo, lines: [tail.endsWith('\r') ? tail.slice(0, -1) : tail] };
}

/** One line with its 1-based number. */
export interface SourceLine {
  line: number;
  text: string;
}

/** Line-at-a-time view of {@link readLineBatches}, skipping blank lines. */
export async function* readNonBlankLines(path: string, options: ReadLinesOptions = {}): AsyncGenerator<SourceLine> {
  for await (const batch of readLineBatches(path, options)) {
    for (let i = 0; i < batch.lines.length; i++) {
      const text = batch.lines[i];
      if (text.trim().length === 0) continue;
      yield { line: batch.firstLine + i, text };
    }
  }
}
