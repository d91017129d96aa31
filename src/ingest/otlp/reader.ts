/**
 * Reads vLLM OpenTelemetry traces as the collector's `file` exporter writes
 * them (formats.md §3): OTLP/JSON lines (plain or gzip), length-prefixed
 * protobuf or JSON messages, per-message or whole-file zstd (messages.ts
 * hides which). Each message is decoded and validated whole before it is
 * committed, so `--lenient` can skip a bad line or frame without leaving
 * half of it behind.
 */
import type { OtlpCapture } from '../../capture/otlpRecords.js';
import { InputError, type LenientLog, type WarningSink } from '../errors.js';
import { OtlpFormatError } from './attributes.js';
import { OtlpCaptureBuilder } from './assemble.js';
import { messageValue, readExportMessages, type ExportMessage } from './messages.js';
import { decodeExportLine, type DecodedExport } from './spans.js';

export interface OtlpReadOptions {
  /** `--lenient`: log and skip bad lines (or frames) instead of failing on the first one. */
  lenient?: LenientLog;
  /** Where non-fatal warnings go (a truncated tail); stderr by default. */
  warn?: WarningSink;
}

export async function readOtlp(path: string, options: OtlpReadOptions = {}): Promise<OtlpCapture> {
  const builder = new OtlpCaptureBuilder();
  let messages = 0;
  for await (const message of readExportMessages(path, { warn: options.warn })) {
    messages++;
    let decoded: DecodedExport;
    try {
      decoded = decodeMessage(path, message);
    } catch (error) {
      if (options.lenient && error instanceof InputError) {
        options.lenient.record(error);
        continue;
      }
      throw error;
    }
    builder.add(decoded, message.line);
  }
  return builder.finish(path, messages);
}

/** One export message (line or frame) → decoded spans; anything bad is an InputError naming the line or frame. */
export function decodeMessage(path: string, message: ExportMessage): DecodedExport {
  return decodeValue(path, message.line, messageValue(path, message));
}

function decodeValue(path: string, line: number, value: unknown): DecodedExport {
  try {
    return decodeExportLine(value);
  } catch (error) {
    if (error instanceof OtlpFormatError) throw new InputError(path, line, error.message);
    throw error;
  }
}
