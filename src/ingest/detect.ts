/**
 * Tells the three line-oriented inputs apart by the keys of their first
 * lines, so commands can take files in any order. A meta line is skipped
 * (both the trace and the step-stats sidecar may start with one); a file
 * holding nothing but a meta line is an (empty) engine trace. A file in one
 * of the collector file exporter's binary encodings (length-prefixed
 * messages, zstd) is judged by its first message alone.
 */
import { InputError } from './errors.js';
import { isJsonObject, isMetaLine, tryParseJson } from './jsonLines.js';
import { readNonBlankLines } from './lines.js';
import { sniffExportForm } from './otlp/form.js';
import { messageValue, readExportMessages } from './otlp/messages.js';

export type InputKind = 'trace' | 'step-stats' | 'otlp';

/** How many non-blank lines to look at before giving up (a few bad lines must not hide the format). */
const SNIFF_LINES = 5;

const EXPECTED = 'expected an engine trace, a step-stats sidecar or an OTLP export';

/** Keys only an engine-trace request line has (all required by formats.md §1). */
const TRACE_KEYS = ['prompt_tokens', 'output_tokens', 'ttft_ms'];

export async function detectInputKind(path: string): Promise<InputKind> {
  if ((await sniffExportForm(path)).form !== 'lines') return detectExportMessage(path);
  let first: { line: number; found: string } | undefined;
  let sawMeta = false;
  let looked = 0;
  // A truncated gzip tail is the reader's to report, not the sniffer's.
  for await (const { line, text } of readNonBlankLines(path, { warn: () => {} })) {
    const value = tryParseJson(text);
    if (isMetaLine(value)) {
      sawMeta = true;
    } else {
      const kind = kindOfLine(value);
      if (kind !== undefined) return kind;
      first ??= { line, found: describeLine(value) };
    }
    if (++looked >= SNIFF_LINES) break;
  }
  if (first !== undefined) throw new InputError(path, first.line, `${EXPECTED} (found ${first.found})`);
  if (sawMeta) return 'trace';
  throw new InputError(path, undefined, `file is empty (${EXPECTED})`);
}

async function detectExportMessage(path: string): Promise<InputKind> {
  // A cut-off tail is the reader's to report, not the sniffer's — unless it is all there is.
  let cutOff = false;
  for await (const message of readExportMessages(path, { warn: () => (cutOff = true) })) {
    const value = messageValue(path, message);
    if (kindOfLine(value) === 'otlp') return 'otlp';
    throw new InputError(path, message.line, `${EXPECTED} (found ${describeLine(value)})`);
  }
  const what = cutOff ? 'no complete message: binary data (length-prefixed frames or zstd) that ends inside its first one' : 'file is empty';
  throw new InputError(path, undefined, `${what} (${EXPECTED})`);
}

function kindOfLine(value: unknown): InputKind | undefined {
  if (!isJsonObject(value)) return undefined;
  if (Object.hasOwn(value, 'resourceSpans')) return 'otlp';
  if (Object.hasOwn(value, 'ts_ms') && Object.hasOwn(value, 'scheduler')) return 'step-stats';
  if (TRACE_KEYS.some((key) => Object.hasOwn(value, key))) return 'trace';
  return undefined;
}

function describeLine(value: unknown): string {
  if (value === undefined) return 'a line that is not JSON';
  if (!isJsonObject(value)) return 'a JSON line that is not an object';
  const keys = Object.keys(value);
  if (keys.length === 0) return 'an empty object';
  const shown = keys.slice(0, 5).join(', ');
  return `an object with keys ${keys.length > 5 ? `${shown}, ...` : shown}`;
}
