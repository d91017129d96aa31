/**
 * Reads a whole-file JSON document (a benchmark tool's result: one object,
 * not JSON lines), plain or gzip, through the ingest line reader so gzip
 * detection, concatenated members, a truncated gzip tail (warned about, then
 * the JSON ends early and fails below), `\r\n` and a UTF-8 BOM are handled
 * as for every other vcr input. Lines are joined back with `\n`, so line
 * numbers in syntax errors are the file's.
 */
import { InputError, type WarningSink } from '../ingest/errors.js';
import { readLineBatches } from '../ingest/lines.js';
import { findJsonSyntaxError } from './jsonSyntax.js';

export async function readJsonDocument(path: string, options: { warn?: WarningSink } = {}): Promise<unknown> {
  const lines: string[] = [];
  for await (const batch of readLineBatches(path, options)) for (const line of batch.lines) lines.push(line);
  const text = lines.join('\n');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw syntaxError(path, text, error as Error);
  }
}

/** `PATH:LINE: invalid JSON at column C: found X (expected Y)`, located by findJsonSyntaxError. */
function syntaxError(path: string, text: string, parseError: Error): InputError {
  const found = findJsonSyntaxError(text);
  // Both parsers follow RFC 8259; should they ever disagree, JSON.parse's own words are all there is.
  if (found === undefined) return new InputError(path, undefined, `invalid JSON (${parseError.message})`);
  const lineStart = text.lastIndexOf('\n', found.offset - 1) + 1;
  const line = countNewlines(text, lineStart) + 1;
  const column = found.offset - lineStart + 1;
  return new InputError(path, line, `invalid JSON at column ${column}: found ${found.found} (expected ${found.expected})`);
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
