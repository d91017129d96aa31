/**
 * Reads vLLM OpenTelemetry traces as the collector's `file` exporter writes
 * them (formats.md §3): OTLP/JSON, one export request per line, plain or
 * gzip. Each line is decoded and validated whole before it is committed, so
 * `--lenient` can skip a bad line without leaving half of it behind.
 */
import type { OtlpCapture } from '../../capture/otlpRecords.js';
import { InputError, type LenientLog, type WarningSink } from '../errors.js';
import { readNonBlankLines } from '../lines.js';
import { OtlpFormatError } from './attributes.js';
import { OtlpCaptureBuilder } from './assemble.js';
import { decodeExportLine, type DecodedExport } from './spans.js';

export interface OtlpReadOptions {
  /** `--lenient`: log and skip bad lines instead of failing on the first one. */
  lenient?: LenientLog;
  /** Where non-fatal warnings go (a truncated gzip tail); stderr by default. */
  warn?: WarningSink;
}

const BINARY_REASON =
  'binary data, not OTLP/JSON lines (expected one {"resourceSpans":[...]} JSON object per line: ' +
  "the collector file exporter's proto framing and zstd compression are not read; use its default format: json)";

export async function readOtlp(path: string, options: OtlpReadOptions = {}): Promise<OtlpCapture> {
  const builder = new OtlpCaptureBuilder();
  let lines = 0;
  for await (const { line, text } of readNonBlankLines(path, { warn: options.warn })) {
    // A binary first line means the wrong kind of file, not a bad line: never skipped.
    if (lines++ === 0 && looksBinary(text)) throw new InputError(path, line, BINARY_REASON);
    let decoded: DecodedExport;
    try {
      decoded = decodeLine(path, line, text);
    } catch (error) {
      if (options.lenient && error instanceof InputError) {
        options.lenient.record(error);
        continue;
      }
      throw error;
    }
    builder.add(decoded, line);
  }
  return builder.finish(path, lines);
}

/** One export line → decoded spans; malformed JSON or a bad span is an InputError naming the line. */
export function decodeLine(path: string, line: number, text: string): DecodedExport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(path, line, `malformed JSON (${(error as Error).message})`);
  }
  try {
    return decodeExportLine(value);
  } catch (error) {
    if (error instanceof OtlpFormatError) throw new InputError(path, line, error.message);
    throw error;
  }
}

/**
 * A JSON line starts with `{`; proto framing starts with a 4-byte length
 * (NUL bytes) and zstd with bytes that are not UTF-8 (decoded as U+FFFD).
 */
function looksBinary(text: string): boolean {
  const head = text.slice(0, 256).trimStart();
  // eslint-disable-next-line no-control-regex
  return !head.startsWith('{') && /[\u0000-\u0008\u000E-\u001F\uFFFD]/.test(head);
}
