/**
 * The collector file exporter's output, in any of its encodings (form.ts),
 * as a sequence of export messages, each turned into the value its
 * OTLP/JSON line parses to: the rest of the reader never sees the framing.
 *
 * A file still being written ends inside its last line, frame or zstd
 * frame: every complete message is kept and one warning says what was
 * dropped (as lines.ts does for a gzip stream without its trailer).
 */
import { InputError, stderrWarnings, type WarningSink } from '../errors.js';
import { readNonBlankLines } from '../lines.js';
import { ChunkReader, describeCut, fileChunks, readFrames, type Frame } from './framing.js';
import { isJsonMessage, sniffExportForm, startsLikeJsonText } from './form.js';
import { decodeProtoExport } from './protoExport.js';
import { ZstdDataError, decompressZstd, decompressZstdStream, hasZstdMagic, type ZstdEnd } from './zstd.js';

/** One export request: a JSON line, or a framed message (protobuf or JSON, maybe zstd-compressed). */
export type ExportMessage = { line: number; text: string } | Frame;

export interface ReadMessagesOptions {
  /** Where the warning about a cut-off tail goes; stderr by default. */
  warn?: WarningSink;
}

const BINARY_REASON =
  'binary data, not an OTLP trace export (expected one {"resourceSpans":[...]} JSON object per line, ' +
  "or the collector file exporter's length-prefixed messages or zstd stream)";

const STILL_WRITTEN = '(capture still being written?)';

export async function* readExportMessages(path: string, options: ReadMessagesOptions = {}): AsyncGenerator<ExportMessage> {
  const warn = options.warn ?? stderrWarnings;
  switch (await sniffExportForm(path)) {
    case 'lines':
      yield* jsonLines(path, warn);
      return;
    case 'frames': {
      const reader = new ChunkReader(fileChunks(path));
      try {
        const { frames, cut } = yield* readFrames(reader, path);
        if (cut) warn(`${path}:${cut.index}: ${describeCut(cut)} ${STILL_WRITTEN}; kept ${frames} complete frame(s)`);
      } finally {
        await reader.close();
      }
      return;
    }
    case 'zstd':
      yield* zstdStream(path, warn);
  }
}

async function* jsonLines(path: string, warn: WarningSink): AsyncGenerator<ExportMessage> {
  let first = true;
  for await (const { line, text } of readNonBlankLines(path, { warn })) {
    // A binary first line means the wrong kind of file, not a bad line: never skipped.
    if (first && looksBinary(text)) throw new InputError(path, line, BINARY_REASON);
    first = false;
    yield { line, text };
  }
}

/**
 * A JSON line starts with `{`; binary data has control bytes, or bytes that
 * are not UTF-8 (decoded as U+FFFD).
 */
function looksBinary(text: string): boolean {
  const head = text.slice(0, 256).trimStart();
  // eslint-disable-next-line no-control-regex
  return !head.startsWith('{') && /[\u0000-\u0008\u000E-\u001F\uFFFD]/.test(head);
}

/** Native compression: decompress as a stream, then JSON lines or length-prefixed messages inside. */
async function* zstdStream(path: string, warn: WarningSink): AsyncGenerator<ExportMessage> {
  const reader = new ChunkReader<ZstdEnd>(decompressZstdStream(fileChunks(path)));
  const truncated = `${path}: zstd stream ends inside a zstd frame ${STILL_WRITTEN}`;
  try {
    if (startsLikeJsonText(await reader.peek(1))) {
      const tail = yield* streamLines(reader);
      if (reader.end === 'truncated') {
        const dropped = tail.partialLine === undefined ? '' : `, dropped the partial line ${tail.partialLine}`;
        warn(`${truncated}; kept ${tail.lines} complete line(s)${dropped}`);
      }
      return;
    }
    const { frames, cut } = yield* readFrames(reader, path);
    // One warning: a cut zstd stream almost always cuts the message inside it too.
    if (reader.end === 'truncated') warn(`${truncated}; kept ${frames} complete frame(s)`);
    else if (cut) warn(`${path}:${cut.index}: ${describeCut(cut)} ${STILL_WRITTEN}; kept ${frames} complete frame(s)`);
  } catch (error) {
    if (error instanceof ZstdDataError) throw new InputError(path, undefined, `bad zstd data (${error.message})`);
    throw error;
  } finally {
    await reader.close();
  }
}

interface LinesTail {
  /** Complete lines, blank ones included. */
  lines: number;
  /** The number of a last line with no `\n` after it. */
  partialLine?: number;
}

/**
 * The non-blank lines of a decompressed stream. A last line without its
 * `\n` is yielded only when the stream is complete; inside a truncated
 * stream it is a cut-off line and is dropped.
 */
async function* streamLines(reader: ChunkReader<ZstdEnd>): AsyncGenerator<ExportMessage, LinesTail> {
  const NEWLINE = 0x0a;
  let partial: Buffer[] = [];
  let line = 1;
  for (let chunk = await reader.readChunk(); chunk !== undefined; chunk = await reader.readChunk()) {
    let from = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, from)) {
      partial.push(chunk.subarray(from, newline));
      const text = Buffer.concat(partial).toString('utf8');
      partial = [];
      from = newline + 1;
      if (text.trim().length > 0) yield { line, text };
      line++;
    }
    if (from < chunk.length) partial.push(chunk.subarray(from));
  }
  if (partial.length === 0) return { lines: line - 1 };
  if (reader.end === 'truncated') return { lines: line - 1, partialLine: line };
  const text = Buffer.concat(partial).toString('utf8');
  if (text.trim().length > 0) yield { line, text };
  return { lines: line };
}

/** A JSON text → its value; malformed JSON is an InputError naming the line (or frame). */
export function parseJson(path: string, line: number, text: string, where = ''): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(path, line, `${where}malformed JSON (${(error as Error).message})`);
  }
}

/**
 * The value of a message's OTLP/JSON line. A frame is decompressed when it
 * is a zstd frame, then read as JSON when it starts with `{`, else as a
 * protobuf TracesData. Errors name the file and the frame.
 */
export function messageValue(path: string, message: ExportMessage): unknown {
  if ('text' in message) return parseJson(path, message.line, message.text);
  const where = `frame ${message.line}: `;
  let bytes = message.frame;
  if (hasZstdMagic(bytes)) {
    try {
      bytes = decompressZstd(bytes);
    } catch (error) {
      throw new InputError(path, message.line, `${where}bad zstd data (${(error as Error).message})`);
    }
  }
  if (isJsonMessage(bytes)) return parseJson(path, message.line, bytes.toString('utf8'), where);
  try {
    return decodeProtoExport(bytes);
  } catch (error) {
    throw new InputError(path, message.line, `${where}not a protobuf trace export (${(error as Error).message})`);
  }
}
