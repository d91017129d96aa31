/**
 * Tells the collector file exporter's encodings apart by a file's first
 * bytes (file_writer.go, marshaller.go and compression_writer.go in
 * opentelemetry-collector-contrib's exporter/fileexporter):
 * - 'lines': OTLP/JSON, one export per line (`format: json`) — the line
 *   reader's input;
 * - 'frames': messages each prefixed by a 4-byte big-endian length
 *   (`format: proto`, or `compression: zstd` without the native-compression
 *   feature gate, where each message is a zstd frame of its own);
 * - 'zstd': one zstd stream over the whole file (native compression), holding
 *   JSON lines or length-prefixed protobuf messages.
 * A gzip file (compressed by the user: every vcr input may be gzip) is
 * judged by what it decompresses to.
 */
import { open } from 'node:fs/promises';
import { constants, gunzipSync } from 'node:zlib';
import { InputError } from '../errors.js';
import { hasGzipMagic } from '../lines.js';
import { hasZstdMagic } from './zstd.js';

export type ExportForm = 'lines' | 'frames' | 'zstd';

/** A file's form, and whether it is gzip-compressed around it. */
export interface ExportEncoding {
  form: ExportForm;
  gzip: boolean;
}

const HEAD_BYTES = 8;
/** Of a gzip file, enough compressed bytes to hold its first HEAD_BYTES decompressed ones. */
const GZIP_HEAD_BYTES = 64 * 1024;
const OPEN_BRACE = 0x7b;
/** The first byte of a TracesData message: field 1 (resource_spans), wire type 2 (length-delimited). */
const RESOURCE_SPANS_TAG = 0x0a;
/** What JSON text may start with: `{`, whitespace, or a UTF-8 byte-order mark. */
const JSON_TEXT_STARTS = new Set([OPEN_BRACE, 0x20, 0x09, 0x0d, 0x0a, 0xef]);

/** True when a whole file (or decompressed stream) starts like JSON text rather than a 4-byte length. */
export function startsLikeJsonText(bytes: Uint8Array): boolean {
  return bytes.length > 0 && JSON_TEXT_STARTS.has(bytes[0]);
}

/**
 * True when one framed message is JSON: the collector's JSON marshaller
 * starts every message with `{`, while a TracesData message starts with
 * 0x0a, which is also a newline, so whitespace does not count here.
 */
export function isJsonMessage(bytes: Uint8Array): boolean {
  return bytes[0] === OPEN_BRACE;
}

export async function sniffExportForm(path: string): Promise<ExportEncoding> {
  let head: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      head = Buffer.alloc(GZIP_HEAD_BYTES);
      head = head.subarray(0, (await handle.read(head, 0, GZIP_HEAD_BYTES, 0)).bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new InputError(path, undefined, `cannot read file (${(error as Error).message})`);
  }
  if (!hasGzipMagic(head)) return { form: formOfHead(head.subarray(0, HEAD_BYTES)), gzip: false };
  try {
    // A partial gzip stream: Z_SYNC_FLUSH yields what it decodes instead of failing on the missing rest.
    return { form: formOfHead(gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, HEAD_BYTES)), gzip: true };
  } catch {
    // Corrupt gzip: the line reader reports it.
    return { form: 'lines', gzip: true };
  }
}

function formOfHead(head: Buffer): ExportForm {
  if (hasZstdMagic(head)) return 'zstd';
  if (startsLikeJsonText(head)) return 'lines';
  // After the first frame's length: a zstd frame (compressed per message), a TracesData message, or JSON.
  if (head.length > 4 && (hasZstdMagic(head, 4) || head[4] === RESOURCE_SPANS_TAG || head[4] === OPEN_BRACE)) return 'frames';
  // Anything else goes to the line reader, which names it as binary data or bad JSON.
  return 'lines';
}
