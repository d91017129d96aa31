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
import { STILL_WRITTEN, keptLines, nonBlankLines, readNonBlankLines, splitByteLines, type LineSplit } from '../lines.js';
import { ChunkReader, describeCut, fileChunks, readFrames, type Frame, type FrameCut } from './framing.js';
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

export async function* readExportMessages(path: string, options: ReadMessagesOptions = {}): AsyncGenerator<ExportMessage> {
  const warn = options.warn ?? stderrWarnings;
  // The line reader undoes gzip itself; frames and zstd read the decompressed bytes of a gzip file.
  const { form, gzip } = await sniffExportForm(path);
  switch (form) {
    case 'lines':
      yield* jsonLines(path, warn);
      return;
    case 'frames': {
      const reader = new ChunkReader(fileChunks(path, gzip));
      try {
        const { frames, cut } = yield* readFrames(reader, path);
        if (cut) warn(cutFrameWarning(path, frames, cut));
      } finally {
        await reader.close();
      }
      return;
    }
    case 'zstd':
      yield* zstdStream(path, fileChunks(path, gzip), warn);
  }
}

/** A file (or decompressed stream) that ends inside frame `cut.index`: what was kept. */
function cutFrameWarning(path: string, frames: number, cut: FrameCut): string {
  return `${path}:${cut.index}: ${describeCut(cut)} ${STILL_WRITTEN}; kept ${frames} complete frame(s)`;
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
async function* zstdStream(path: string, compressed: AsyncIterable<Buffer>, warn: WarningSink): AsyncGenerator<ExportMessage> {
  const reader = new ChunkReader<ZstdEnd>(decompressZstdStream(compressed));
  const truncated = `${path}: zstd stream ends inside a zstd frame ${STILL_WRITTEN}`;
  try {
    if (startsLikeJsonText(await reader.peek(1))) {
      const split: LineSplit = { lineNo: 1, partial: false };
      try {
        // Split as every line-oriented input is (lines.ts).
        yield* nonBlankLines(splitByteLines(chunksOf(reader), split, { fileStart: true }));
      } catch (error) {
        if (!(error instanceof StreamCutShort)) throw error;
        warn(`${truncated}; ${keptLines(split)}`);
      }
      return;
    }
    const { frames, cut } = yield* readFrames(reader, path);
    // One warning: a cut zstd stream almost always cuts the message inside it too.
    if (reader.end === 'truncated') warn(`${truncated}; kept ${frames} complete frame(s)`);
    else if (cut) warn(cutFrameWarning(path, frames, cut));
  } catch (error) {
    if (error instanceof ZstdDataError) throw new InputError(path, undefined, `bad zstd data (${error.message})`);
    throw error;
  } finally {
    await reader.close();
  }
}

/** The decompressed stream ended inside a zstd frame: its last line is cut off. */
class StreamCutShort extends Error {}

/** The reader's chunks; a stream that ends inside a zstd frame ends with StreamCutShort, as a truncated gzip ends with an error. */
async function* chunksOf(reader: ChunkReader<ZstdEnd>): AsyncGenerator<Buffer> {
  for (let chunk = await reader.readChunk(); chunk !== undefined; chunk = await reader.readChunk()) yield chunk;
  if (reader.end === 'truncated') throw new StreamCutShort();
}

/** A JSON text → its value; malformed JSON is an InputError naming the line (or frame). */
function parseJson(path: string, line: number, text: string, where = ''): unknown {
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
